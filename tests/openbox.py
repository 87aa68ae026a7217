"""An X11 desktop for tests: Xvfb, the openbox window manager (EWMH: it keeps
``_NET_ACTIVE_WINDOW`` and ``_NET_WM_STATE`` as a desktop does), and real clients such
as ``xclock``, made full screen with ``wmctrl`` as a person would with a key."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import virtual_screen, wait_for

PROGRAMS = ("Xvfb", "openbox", "wmctrl", "xclock")


class Openbox:
    """openbox on a virtual screen; ``open`` starts a client and waits for its window."""

    def __init__(self, display: str, folder: Path) -> None:
        self.display = display
        self.folder = folder  # what each program says, for ``what_happened``
        self.env = {**os.environ, "DISPLAY": display}
        self.env.pop("WAYLAND_DISPLAY", None)
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        self._spawn(["openbox", "--sm-disable"])
        # openbox is ready once it has announced itself as the EWMH window manager.
        try:
            wait_for(lambda: self.wmctrl("-m").returncode == 0, interval=0.05)
        except pytest.fail.Exception:
            pytest.fail(f"openbox did not start within 20 s\n{self.what_happened()}")

    def _spawn(self, argv: list[str]) -> subprocess.Popen[bytes]:
        """``argv`` on this screen, what it says kept in a file for ``what_happened``."""
        with self._said(len(self.processes)).open("wb") as said:
            process = subprocess.Popen(argv, env=self.env, stdout=said, stderr=said)
        self.processes.append(process)
        return process

    def _said(self, number: int) -> Path:
        return self.folder / f"{number}.log"

    def what_happened(self) -> str:
        """For a failed wait: each program, whether it still runs, and what it said."""
        lines = [f"wmctrl -l: {self.wmctrl('-l').stdout!r}"]
        for number, process in enumerate(self.processes):
            said = self._said(number).read_text(errors="replace")[-2000:]
            lines.append(f"{process.args!r}: exit {process.poll()}, said {said!r}")
        return "\n".join(lines)

    def wmctrl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["wmctrl", *args], env=self.env, capture_output=True, text=True, check=False, timeout=10
        )

    def open(self, argv: list[str], title: str) -> subprocess.Popen[bytes]:
        """Start a client and wait until openbox manages a window of that title."""
        process = self._spawn(argv)
        try:
            wait_for(lambda: title in self.wmctrl("-l").stdout, interval=0.05)
        except pytest.fail.Exception:
            pytest.fail(f"no window {title!r} within 20 s\n{self.what_happened()}")
        return process

    def fullscreen(self, title: str, on: bool = True) -> None:
        """What a person's full-screen key does: the EWMH state, asked of the window manager."""
        done = self.wmctrl("-r", title, "-b", f"{'add' if on else 'remove'},fullscreen")
        assert done.returncode == 0, done.stderr

    def activate(self, title: str) -> None:
        done = self.wmctrl("-a", title)
        assert done.returncode == 0, done.stderr

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                process.wait(5)


@contextmanager
def openbox_desktop() -> Iterator[Openbox]:
    missing = [p for p in PROGRAMS if not shutil.which(p)]
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not installed (apt-get install xvfb openbox wmctrl x11-apps)"
        )
    # -noreset: an X server resets when its last client leaves, and a window manager that
    # connects during that reset (after a wmctrl's question) is turned away.
    with (
        virtual_screen("1024x768x24", "-noreset") as display,
        tempfile.TemporaryDirectory(prefix="openbox-") as folder,
    ):
        desktop = Openbox(display, Path(folder))
        try:
            desktop.start()
            yield desktop
        finally:
            desktop.stop()
