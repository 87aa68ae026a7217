"""An X11 desktop for tests: Xvfb, the openbox window manager (EWMH: it keeps
``_NET_ACTIVE_WINDOW`` and ``_NET_WM_STATE`` as a desktop does), and real clients such
as ``xclock``, made full screen with ``wmctrl`` as a person would with a key."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import virtual_screen, wait_for

PROGRAMS = ("Xvfb", "openbox", "wmctrl", "xclock")


class Openbox:
    """openbox on a virtual screen; ``open`` starts a client and waits for its window."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.env = {**os.environ, "DISPLAY": display}
        self.env.pop("WAYLAND_DISPLAY", None)
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        self.processes.append(self._spawn(["openbox", "--sm-disable"]))
        # openbox is ready once it has announced itself as the EWMH window manager.
        wait_for(lambda: self.wmctrl("-m").returncode == 0, interval=0.05)

    def _spawn(self, argv: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            argv, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def wmctrl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["wmctrl", *args], env=self.env, capture_output=True, text=True, check=False
        )

    def open(self, argv: list[str], title: str) -> subprocess.Popen[bytes]:
        """Start a client and wait until openbox manages a window of that title."""
        process = self._spawn(argv)
        self.processes.append(process)
        wait_for(lambda: title in self.wmctrl("-l").stdout, interval=0.05)
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
    with virtual_screen("1024x768x24", "-noreset") as display:
        desktop = Openbox(display)
        try:
            desktop.start()
            yield desktop
        finally:
            desktop.stop()
