"""Pictures for the command line: each step's file, drawn now where missing; one strip of
them all opened in the desktop's viewer; or a picture shown in the terminal itself."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping

from reminderd.errors import ReminderError
from reminderd.i18n.said import said
from reminderd.model import Step
from reminderd.pictures import terminal
from reminderd.pictures.cache import Pictures
from reminderd.pictures.raster import png, read_png

GAP = 8  # pixels between the pictures of a strip


class PictureError(ReminderError):
    """A picture cannot be shown."""


def step_pictures(steps: Iterable[Step], pictures: Pictures) -> list[tuple[Step, str]]:
    """Each step that has a picture, with its file, once per picture, in order; pictures
    not drawn yet are drawn first."""
    steps = list(steps)
    pictures.draw_now(steps)
    seen: set[str] = set()
    found = []
    for step in steps:
        if step.kind in ("intro", "lead-in"):
            continue  # they show the picture of the step they announce
        path = pictures.file(step)
        if path and path not in seen:
            seen.add(path)
            found.append((step, path))
    return found


def strip(paths: list[str]) -> bytes:
    """reminderd's own pictures side by side, in one PNG (others cannot be read here)."""
    images = [read_png(open(path, "rb").read()) for path in paths]  # noqa: SIM115
    height = max(h for _, h, _ in images)
    width = sum(w for w, _, _ in images) + GAP * (len(images) - 1)
    rows = bytearray(width * height * 4)
    left = 0
    for w, h, rgba in images:
        for y in range(h):
            start = (y * width + left) * 4
            rows[start : start + w * 4] = rgba[y * w * 4 : (y + 1) * w * 4]
        left += w + GAP
    return png(width, height, bytes(rows))


def open_pictures(name: str, paths: list[str], pictures: Pictures) -> list[str]:
    """Open the pictures in the desktop's viewer: reminderd's drawings as one strip, in
    the order of the steps, and a person's own images each by itself. Returns the files."""
    drawn = [path for path in paths if path.startswith(pictures.folder + os.sep)]
    own = [path for path in paths if path not in drawn]
    files = list(own)
    if drawn:
        target = os.path.join(pictures.folder, f"steps-{name}.png")
        with open(target, "wb") as file:
            file.write(strip(drawn))
        files.insert(0, target)
    for path in files:
        _open(path)
    return files


def _open(path: str) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        os.startfile(path)  # type: ignore[attr-defined]  # noqa: S606
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    try:
        subprocess.Popen(
            [opener, path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as error:
        msg = said(
            "cannot open {path} with {opener}: {error}; open it yourself",
            path=str(path),
            opener=opener,
            error=str(error.strerror),
        )
        raise PictureError(msg) from None


def in_terminal(path: str, environ: Mapping[str, str], tty: bool) -> str:
    """What to print for a picture in this terminal: the picture itself where it can show
    one, else its path."""
    how = terminal.protocol(environ) if tty else "none"
    if how != "none" and path.endswith(".png"):
        try:
            with open(path, "rb") as file:
                return terminal.inline(file.read(), how)
        except (OSError, ValueError):
            pass  # a picture of the person's own that is not a plain PNG: its path instead
    return f"  picture: {path}\n"
