"""Finding a step's picture in a screenshot: the card (reminderd's warm white, which no
server tested draws itself) marks where it is; the figure's pixels inside it are counted
and compared, mirrored or not."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reminderd.guide import first_line
from reminderd.model import Step
from reminderd.notify import FreedesktopNotifier
from reminderd.pictures.figure import ACCENT, CARD, INK
from reminderd.pictures.raster import png, read_png
from tests.conftest import ROOT


@dataclass(frozen=True)
class Screen:
    width: int
    height: int
    rgba: bytes

    @classmethod
    def read(cls, path: Path) -> Screen:
        data = path.read_bytes()
        if data.startswith(b"P6"):
            header: list[bytes] = []
            at = 0
            while len(header) < 4:
                end = min(i for i in (data.find(b" ", at), data.find(b"\n", at)) if i >= 0)
                if end > at:
                    header.append(data[at:end])
                at = end + 1
            width, height = int(header[1]), int(header[2])
            assert header[3] == b"255", "take 8-bit screenshots (import -depth 8)"
            rgb = data[at : at + width * height * 3]
            # Each channel copied at once by a slice (a loop over the pixels took a quarter
            # of a second of CPU per screenshot, and the pictures' tests take dozens).
            rgba = bytearray(b"\xff") * (width * height * 4)
            for channel in range(3):
                rgba[channel::4] = rgb[channel::3]
            return cls(width, height, bytes(rgba))
        return cls(*read_png(data))

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        i = (y * self.width + x) * 4
        return self.rgba[i], self.rgba[i + 1], self.rgba[i + 2]

    def card(self) -> tuple[int, int, int, int] | None:
        """The picture's box (x0, y0, x1, y1), found by the card's colour, or None. The
        card's inside keeps its colour exactly when a server scales the picture."""
        colour = bytes((*CARD, 255))
        stride = self.width * 4
        found: list[tuple[int, int, int]] = []
        for y in range(self.height):
            row = self.rgba[y * stride : (y + 1) * stride]
            first, last = _aligned(row, colour, row.find), _aligned(row, colour, row.rfind)
            if first is not None and last is not None and last - first >= 8:
                found.append((y, first, last))
        if len(found) < 8:
            return None
        x0 = min(first for _, first, _ in found)
        x1 = max(last for _, _, last in found) + 1
        return x0, found[0][0], x1, found[-1][0] + 1

    def crop(self, box: tuple[int, int, int, int]) -> Screen:
        x0, y0, x1, y1 = (
            max(0, box[0]),
            max(0, box[1]),
            min(self.width, box[2]),
            min(self.height, box[3]),
        )
        rows = [
            self.rgba[(y * self.width + x0) * 4 : (y * self.width + x1) * 4] for y in range(y0, y1)
        ]
        return Screen(x1 - x0, y1 - y0, b"".join(rows))

    def mask(self, colour: tuple[int, int, int], within: int = 60) -> set[tuple[int, int]]:
        return {
            (x, y)
            for y in range(self.height)
            for x in range(self.width)
            if near(self.pixel(x, y), colour, within)
        }

    def figure(self) -> set[tuple[int, int]]:
        """The figure's pixels: the dark silhouette."""
        return self.mask(INK)

    def accent(self) -> set[tuple[int, int]]:
        return self.mask(ACCENT, 70)

    def save(self, path: Path) -> None:
        path.write_bytes(png(self.width, self.height, self.rgba))


def _aligned(row: bytes, colour: bytes, find: Callable[..., int]) -> int | None:
    """The pixel at which ``find`` (bytes.find or rfind) meets ``colour``, on a pixel's
    boundary; None where it does not."""
    at = find(colour)
    while at >= 0 and at % 4:
        at = find(colour, at + 1) if find == row.find else find(colour, 0, at + 3)
    return at // 4 if at >= 0 else None


def near(pixel: tuple[int, int, int], colour: tuple[int, int, int], within: int) -> bool:
    return all(abs(a - b) <= within for a, b in zip(pixel, colour, strict=True))


def overlap(a: set[tuple[int, int]], b: set[tuple[int, int]]) -> float:
    """Intersection over union, 0 to 1."""
    return len(a & b) / max(1, len(a | b))


def mirrored(mask: set[tuple[int, int]], width: int) -> set[tuple[int, int]]:
    return {(width - 1 - x, y) for x, y in mask}


# -- a step's picture on a real server -------------------------------------------------------

Shoot = Callable[[Path], Screen]
# The ways the freedesktop spec gives to send a picture, most preferred first.
WAYS = ("image-data", "image-path", "app_icon")


@dataclass(frozen=True)
class Seen:
    """What a server showed of the three chin-to-collarbone pictures."""

    size: int  # pixels across the picture on screen
    figure: dict[str, int]  # the figure's pixels, per step
    honoured: dict[str, bool]  # per way of sending a picture, whether it was shown


def chin_steps() -> dict[str, Step]:
    """The setup, the right hold and the left hold of the built-in chin-to-collarbone."""
    from reminderd.config import load_library
    from reminderd.exercises import expand

    steps = expand(load_library()["chin-to-collarbone"])
    return {
        "setup": steps[0],
        "right": next(s for s in steps if s.kind == "hold" and s.side == "right"),
        "left": next(s for s in steps if s.kind == "hold" and s.side == "left"),
    }


def settle(
    shoot: Shoot, path: Path, differs_from: set[tuple[int, int]] | None = None, wait: float = 10
) -> Screen:
    """The picture on screen once it has stopped changing (servers slide and fade in)."""
    deadline = time.monotonic() + wait
    last: set[tuple[int, int]] | None = None
    while time.monotonic() < deadline:
        screen = shoot(path)
        box = screen.card()
        if box:
            crop = screen.crop(box)
            figure = crop.figure()
            if figure and figure == last and figure != differs_from:
                return crop
            last = figure
        time.sleep(0.2)
    msg = f"no steady picture on screen (last screenshot: {path})"
    raise AssertionError(msg)


def notify(notifier: FreedesktopNotifier, replaces: int, step: Step, **way: Any) -> int:
    """Send ``step`` with its picture one way: image_path, image_data or app_icon."""
    hints: dict[str, tuple[str, Any]] = {"urgency": ("y", 1), "desktop-entry": ("s", "reminderd")}
    if "image_path" in way:
        hints["image-path"] = ("s", way["image_path"])
    if "image_data" in way:
        hints["image-data"] = ("(iiibiiay)", way["image_data"])
    body: tuple[Any, ...] = (
        "reminderd",
        replaces,
        way.get("app_icon", ""),
        "Chin-to-collarbone · 2/8 · hold",
        first_line(step),
        [],
        hints,
        20_000,
    )
    return int(notifier.call("Notify", "susssasa{sv}i", body)[0])


def pictures_on(name: str, address: str, shoot: Shoot, folder: Path, closes: bool = True) -> Seen:
    """Show the setup and both holds of chin-to-collarbone on a real server through
    reminderd's notifier (image-path), then each way of sending a picture; check what a
    person would see, and save the crops (and, with WRITE_SERVER_PICTURES, the docs'
    screenshot)."""
    from reminderd.notify import Note, file_uri
    from reminderd.pictures.cache import SIZE
    from reminderd.pictures.draw import draw_file

    notifier = FreedesktopNotifier(address)
    assert notifier.probe() is None
    steps = chin_steps()
    files = {
        label: draw_file(step.pose, SIZE, str(folder)) for label, step in steps.items() if step.pose
    }
    shown = 0
    crops: dict[str, Screen] = {}
    previous: set[tuple[int, int]] | None = None
    for label, step in steps.items():
        note = Note("Chin-to-collarbone · 2/8 · hold", first_line(step), 20, image=files[label])
        shown = notifier.show(note, shown) or 0
        crops[label] = settle(shoot, folder / f"{name}-{label}.ppm", previous)
        crops[label].save(folder / f"{name}-{label}-crop.png")
        previous = crops[label].figure()
        if label == "right" and os.environ.get("WRITE_SERVER_PICTURES"):
            whole = shoot(folder / f"{name}-whole.ppm")
            x0, y0, _x1, y1 = whole.card() or (0, 0, 0, 0)
            whole.crop((x0 - 24, y0 - 48, x0 + 520, y1 + 48)).save(
                ROOT / "docs" / f"pictures-{name}.png"
            )
    figure = {label: len(crop.figure()) for label, crop in crops.items()}
    size = crops["right"].width
    # Visible: the figure covers a good part of the picture (about a quarter when drawn).
    for label, crop in crops.items():
        assert len(crop.figure()) > 0.12 * crop.width * crop.height, (name, label, figure)
    # Changes with the step; the holds are mirror images of each other.
    assert overlap(crops["setup"].figure(), crops["right"].figure()) < 0.8, name
    right, left = crops["right"].figure(), crops["left"].figure()
    assert overlap(mirrored(right, size), left) > 0.85, (name, overlap(mirrored(right, size), left))
    assert overlap(right, left) < 0.8, name
    # Each way of sending a picture, alone, each with another picture than the last: shown
    # or not.
    honoured = {}
    last = left
    for way, label in (("image-path", "setup"), ("image-data", "right"), ("app_icon", "left")):
        if closes:
            notifier.close(shown)
            time.sleep(0.5)
            shown = 0
        rgba = read_png(Path(files[label]).read_bytes())[2]
        ways: dict[str, dict[str, Any]] = {
            "image-path": {"image_path": file_uri(files[label])},
            "image-data": {"image_data": (SIZE, SIZE, SIZE * 4, True, 8, 4, rgba)},
            "app_icon": {"app_icon": files[label]},
        }
        arguments = ways[way]
        shown = notify(notifier, shown, steps[label], **arguments)
        try:
            # A deadline, not a wait: a steady picture returns at once (every server here
            # honours each way), and a busy machine may take seconds to draw it.
            crop = settle(shoot, folder / f"{name}-{way}.ppm", last)
            honoured[way] = overlap(crop.figure(), crops[label].figure()) > 0.8
            last = crop.figure()
        except AssertionError:
            honoured[way] = False
    notifier.close(shown)
    notifier.bus.disconnect()
    return Seen(size, figure, honoured)
