"""A headless sway for tests: a real Wayland compositor with no screen and no input
devices, on the test's private session bus; input comes from `swaymsg seat ...` and
pictures from `grim`. waybar can run on it as a real panel.

sway refuses to run as root, so as root it runs as the user nobody, in a folder of its own
that nobody can reach (pytest's folders are private to root).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import Bus, wait_for

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
    """A headless sway, and waybar on it when asked."""

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
        self.env["SWAYSOCK"] = str(
            wait_for(lambda: next(self.runtime.glob("sway-ipc.*.sock"), None), timeout=5)
        )

    @property
    def display(self) -> str:
        """WAYLAND_DISPLAY for a client whose XDG_RUNTIME_DIR is elsewhere: the full path."""
        return str(self.runtime / self.env["WAYLAND_DISPLAY"])

    def client(self, argv: list[str]) -> subprocess.Popen[bytes]:
        """Start a Wayland client on this sway, as the user sway runs as; stop it yourself."""
        drop = []
        if os.geteuid() == 0:
            drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        process = subprocess.Popen(
            [*drop, *argv],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def swaymsg(self, *args: str) -> None:
        subprocess.run(["swaymsg", *args], env=self.env, capture_output=True, check=True)

    def touch(self) -> None:
        """Input, as a person moving the pointer: resets the compositor's idle timers."""
        self.swaymsg("seat", "seat0", "cursor", "move", "5", "5")

    def start_waybar(self, icons: Path | None = None) -> None:
        (self.folder / "waybar.json").write_text(WAYBAR_CONFIG)
        (self.folder / "waybar.css").write_text(WAYBAR_STYLE)
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
