"""The panel icon in a real panel: waybar's tray on a headless sway (tests/sway.py), on the
test's private session bus. waybar hosts its own StatusNotifierWatcher, reads the item's
properties and draws its icon; `grim` takes the picture that is checked here (and shown in
the README)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, wait_for
from tests.sway import BACKGROUND, Sway
from tests.test_e2e_control import SLOW, RunningDaemon, write_config

pytestmark = pytest.mark.e2e


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
    missing = [tool for tool in ("waybar", "grim") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install waybar grim)")
    sway.start_waybar()
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
