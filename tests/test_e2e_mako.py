"""mako, the notification server of many sway and river desktops, for real: on a headless
sway (tests/sway.py) and the test's private bus. `makoctl list` says what is on screen,
`makoctl mode` switches do-not-disturb (a mode the user's config makes invisible), and
`grim` takes the picture."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reminderd.bus import Bus as Session
from reminderd.notify import BUS_NAME
from tests.conftest import ROOT, TEST_EXERCISES, wait_for
from tests.sway import Sway
from tests.test_e2e_control import RunningDaemon

pytestmark = pytest.mark.e2e

# What a mako user writes for do-not-disturb: a mode in which notifications are invisible.
MAKO_CONFIG = "default-timeout=0\n\n[mode=do-not-disturb]\ninvisible=1\n"


class Mako:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def ctl(self, *args: str) -> str:
        return subprocess.run(
            ["makoctl", *args], env=self.env, capture_output=True, text=True, check=True
        ).stdout

    def shown(self) -> list[dict[str, Any]]:
        """The notifications mako holds (its `makoctl list`)."""
        listed = json.loads(self.ctl("list"))
        return [item for group in listed["data"] for item in group]


@pytest.fixture
def mako(sway: Sway, user_env: dict[str, str], tmp_path: Path) -> Iterator[Mako]:
    if not (shutil.which("mako") and shutil.which("makoctl")):
        pytest.skip("mako is not installed (apt-get install mako-notifier)")
    config = tmp_path / "mako.conf"
    config.write_text(MAKO_CONFIG)
    env = {**user_env, **{k: sway.env[k] for k in ("DBUS_SESSION_BUS_ADDRESS",)}}
    env["WAYLAND_DISPLAY"] = sway.display
    process = subprocess.Popen(
        ["mako", "-c", str(config)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    session = Session(env["DBUS_SESSION_BUS_ADDRESS"])
    try:
        wait_for(lambda: session.name_has_owner(BUS_NAME), timeout=10)
        yield Mako(env)
    finally:
        session.disconnect()
        process.terminate()
        process.wait(5)


def test_mako_do_not_disturb_mode_holds_a_reminder(mako: Mako, tmp_path: Path) -> None:
    """With mako's do-not-disturb mode on, a due reminder is held and nothing is shown or
    recorded as completed; with the mode off it runs."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[[routines]]\nname = "often"\nexercises = ["tick"]\nevery = "2s"\n' + TEST_EXERCISES
    )
    mako.ctl("mode", "-a", "do-not-disturb")
    daemon = RunningDaemon(mako.env, config)
    daemon.start()
    try:
        status = daemon.status()
        assert "(mako " in status["backend_reason"]
        assert status["dnd"] == "mako-mode"
        wait_for(lambda: daemon.status()["routines"][0]["held"] == "dnd", timeout=10)
        assert "routine.started" not in daemon.log.read_text()
        mako.ctl("mode", "-r", "do-not-disturb")
        wait_for(lambda: "routine.fired often reason=dnd-over" in daemon.log.read_text(), 10)
        wait_for(lambda: len(mako.shown()) == 1, timeout=5)
    finally:
        daemon.stop()


def test_mako_shows_one_note_per_routine_and_none_after(
    mako: Mako, sway: Sway, tmp_path: Path
) -> None:
    """A routine is one notification in mako from start to end, and none is left once the
    closing note is withdrawn; the idle time comes from sway's idle protocol."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[schedule]\npause_when_idle = "1m"\n'
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "1h"\n' + TEST_EXERCISES
    )
    daemon = RunningDaemon(mako.env, config)
    daemon.start()
    try:
        assert daemon.status()["idle"]["source"] == "wayland-kde-idle"
        assert daemon.cli("run", "quick").returncode == 0
        counts = []
        deadline = time.monotonic() + 30
        while "routine.completed quick" not in daemon.log.read_text():
            counts.append(len(mako.shown()))
            if len(counts) == 5 and shutil.which("grim"):
                shot = tmp_path / "mako-step.png"
                subprocess.run(["grim", str(shot)], env=sway.env, check=True)
                if os.environ.get("WRITE_SERVER_PICTURES"):
                    shutil.copy(shot, ROOT / "docs" / "mako-step.png")
            assert time.monotonic() < deadline, "the routine did not end"
            time.sleep(0.1)
        closing = len(mako.shown())  # the closing note, just shown
        assert max(counts) == 1
        assert closing == 1
        # Steps of a second or less are shorter than Wayland's idle protocols can judge: the
        # routine is "played", not "worked through".
        assert "outcome=played" in daemon.log.read_text()
        wait_for(lambda: mako.shown() == [], timeout=5)  # the closing note, withdrawn
    finally:
        daemon.stop()


def test_mako_shows_each_steps_picture(mako: Mako, sway: Sway, tmp_path: Path) -> None:
    """mako shows a step's picture (image-path) at its max-icon-size (64 pixels by
    default): the figure is there, changes with the step, and the right and left holds are
    mirror images; it shows a picture sent as image-data, image-path or app_icon alike."""
    from tests.pictures_on_screen import Screen, pictures_on

    if not shutil.which("grim"):
        pytest.skip("grim is not installed (apt-get install grim)")

    def shoot(path: Path) -> Screen:
        subprocess.run(["grim", "-t", "ppm", str(path)], env=sway.env, check=True)
        return Screen.read(path)

    seen = pictures_on("mako", mako.env["DBUS_SESSION_BUS_ADDRESS"], shoot, tmp_path)
    print("mako:", seen)
    assert 60 <= seen.size <= 64, seen
    assert seen.honoured == {"image-path": True, "image-data": True, "app_icon": True}, seen
