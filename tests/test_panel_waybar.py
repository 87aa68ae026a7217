"""The panel icon in a real panel: waybar's tray on a headless sway, on the test's private
session bus. waybar hosts its own StatusNotifierWatcher, reads the item's properties and
draws its icon; `grim` takes the picture that is checked here (and shown in the README).

sway refuses to run as root, so as root the test runs it as the user nobody.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, Bus, wait_for
from tests.test_e2e_control import SLOW, RunningDaemon, write_config

pytestmark = pytest.mark.e2e

NOBODY = 65534
BAR = 30  # pixels: the bar's height
WAYBAR_CONFIG = json.dumps(
    {
        "layer": "top",
        "position": "top",
        "height": BAR,
        "modules-right": ["tray"],
        "tray": {"icon-size": 22, "spacing": 8},
    }
)
WAYBAR_STYLE = "* { font-size: 12px; } window#waybar { background: #303030; }"
BACKGROUND = (0x30, 0x30, 0x30)


class Sway:
    """A headless sway with waybar on it."""

    def __init__(self, folder: Path, bus: Bus) -> None:
        self.folder = folder
        self.runtime = folder / "wl"
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(folder),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "DBUS_SESSION_BUS_ADDRESS": bus.address,
            "WLR_BACKENDS": "headless",
            "WLR_LIBINPUT_NO_DEVICES": "1",
            "WLR_RENDERER": "pixman",
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.waybar: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.runtime.mkdir(mode=0o700)
        config = self.folder / "sway.conf"
        config.write_text("output HEADLESS-1 resolution 800x600\n")
        drop = []
        if os.geteuid() == 0:
            os.chown(self.runtime, NOBODY, NOBODY)
            drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        sway = subprocess.Popen(
            [*drop, "sway", "-c", str(config)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(sway)
        socket = wait_for(lambda: next(self.runtime.glob("wayland-*[0-9]"), None), timeout=15)
        self.env["WAYLAND_DISPLAY"] = socket.name
        (self.folder / "waybar.json").write_text(WAYBAR_CONFIG)
        (self.folder / "waybar.css").write_text(WAYBAR_STYLE)
        self.start_waybar()

    def start_waybar(self, icons: Path | None = None) -> None:
        env = dict(self.env)
        if icons is not None:
            env["XDG_DATA_DIRS"] = str(icons)  # an icon theme without reminderd's names
        self.waybar = subprocess.Popen(
            [
                "waybar",
                "-c",
                str(self.folder / "waybar.json"),
                "-s",
                str(self.folder / "waybar.css"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(self.waybar)

    def stop_waybar(self) -> None:
        assert self.waybar is not None
        self.waybar.terminate()
        self.waybar.wait(5)

    def bar(self, path: Path) -> list[tuple[int, int, int]]:
        """A picture of the bar, saved at ``path``; its pixels as RGB, row by row."""
        subprocess.run(
            ["grim", "-g", f"0,0 800x{BAR}", "-t", "ppm", str(path)], env=self.env, check=True
        )
        data = path.read_bytes()
        # A binary PPM: "P6\n800 30\n255\n" then the pixels.
        header_end = 0
        for _ in range(3):
            header_end = data.index(b"\n", header_end) + 1
        pixels = data[header_end:]
        return [tuple(pixels[i : i + 3]) for i in range(0, len(pixels), 3)]  # type: ignore[misc]

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)


@pytest.fixture
def sway(private_bus: Bus) -> Iterator[Sway]:
    missing = [tool for tool in ("sway", "waybar", "grim") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install sway waybar grim)")
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("sway refuses to run as root, and setpriv (util-linux) is missing")
    # A folder of its own that the user nobody can reach (pytest's are private to root).
    folder = Path(tempfile.mkdtemp(prefix="rd-sway-", dir="/tmp"))
    folder.chmod(0o711)
    session = Sway(folder, private_bus)
    try:
        session.start()
        yield session
    finally:
        session.stop()
        shutil.rmtree(folder, ignore_errors=True)


def icon_pixels(pixels: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The pixels of the tray's end of the bar (its last 60 columns) that are not the bar."""
    width = 800
    return [
        colour
        for index, colour in enumerate(pixels)
        if index % width >= width - 60
        and max(abs(a - b) for a, b in zip(colour, BACKGROUND, strict=True)) > 24
    ]


def test_waybar_shows_the_icon_and_gets_it_back_after_a_restart(
    sway: Sway, user_env: dict[str, str], tmp_path: Path
) -> None:
    """waybar's tray registers the item and draws it; with an icon theme that lacks the
    names it draws reminderd's own pixels (the green disc); a restarted waybar shows it
    again."""
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": sway.env["DBUS_SESSION_BUS_ADDRESS"]}
    daemon = RunningDaemon(env, write_config(tmp_path / "config.toml", SLOW))
    daemon.start()
    try:
        wait_for(lambda: daemon.status()["panel"], timeout=15)
        themed = wait_for(lambda: icon_pixels(sway.bar(tmp_path / "themed.ppm")), timeout=10)
        assert len(themed) > 100  # a 22 px icon, drawn from the theme's appointment-soon

        sway.stop_waybar()
        wait_for(lambda: not daemon.status()["panel"])
        empty = tmp_path / "no-icons"
        (empty / "icons").mkdir(parents=True)
        sway.start_waybar(icons=empty)
        wait_for(lambda: daemon.status()["panel"], timeout=15)
        green = (0x2E, 0x7D, 0x32)
        own = wait_for(
            lambda: [c for c in icon_pixels(sway.bar(tmp_path / "own.ppm")) if c == green],
            timeout=10,
        )
        assert len(own) > 100  # most of a 22 px disc in the waiting state's green
        if os.environ.get("WRITE_PANEL_PICTURE"):
            subprocess.run(
                ["grim", "-g", "560,0 240x30", str(ROOT / "docs" / "waybar-tray.png")],
                env=sway.env,
                check=True,
            )
    finally:
        daemon.stop()
