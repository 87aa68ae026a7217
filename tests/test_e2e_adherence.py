"""End to end: real pointer input under Xvfb during a routine's holds decides its outcome."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Recorder, virtual_screen, wait_for
from tests.test_e2e_control import RunningDaemon

pytestmark = pytest.mark.e2e

STILL = """
[schedule]
pause_when_idle = "5m"

[guidance]
intro = "1s"
lead_in = "1s"
done = "1s"
sounds = false

[[routines]]
name = "still"
exercises = ["hold-it"]
every = "8h"

[[exercises]]
id = "hold-it"
title = "Hold it"

[[exercises.steps]]
text = "Sit tall."
seconds = 1

[[exercises.steps]]
text = "Hold still."
seconds = 2
kind = "hold"
"""


@pytest.fixture
def display() -> Iterator[str]:
    if not shutil.which("xdotool"):
        pytest.skip("xdotool is not installed (apt-get install xdotool libxss1)")
    with virtual_screen("640x480x24") as name:
        yield name


def outcomes(daemon: RunningDaemon) -> list[str]:
    path = Path(daemon.env["XDG_DATA_HOME"]) / "reminderd" / "history.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT outcome FROM events WHERE kind = 'routine.completed' ORDER BY id"
        ).fetchall()
    return [row[0] for row in rows]


def holding(server: Recorder, seen: int) -> list[dict[str, Any]]:
    # A hold's note reads "Hold 2s: ..." and carries a progress bar.
    return [n for n in server.notifications()[seen:] if n["body"].startswith("Hold ")]


def test_input_during_the_holds_is_worked_through_and_none_is_completed(
    display: str, user_env: dict[str, str], notification_server: Recorder, tmp_path: Path
) -> None:
    """The daemon reads the X11 idle time at each hold's end: a run with the pointer still
    is completed, a run with the pointer moved during its hold is worked-through, and
    `stats --json` shows one of each."""
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    env["DISPLAY"] = display
    env.pop("WAYLAND_DISPLAY", None)
    x = {"PATH": os.environ["PATH"], "DISPLAY": display}
    config = tmp_path / "config.toml"
    config.write_text(STILL)
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        assert daemon.status()["idle"]["source"] == "x11-screensaver"
        subprocess.run(["xdotool", "mousemove", "5", "5"], env=x, check=True)
        assert daemon.cli("run", "still").returncode == 0  # nobody touches anything
        wait_for(lambda: len(outcomes(daemon)) == 1, timeout=20)
        seen = len(notification_server.notifications())
        assert daemon.cli("run", "still").returncode == 0
        wait_for(lambda: holding(notification_server, seen), timeout=20)
        for position in range(3):  # the person keeps using the mouse while holding
            time.sleep(0.4)
            subprocess.run(
                ["xdotool", "mousemove", str(50 + 40 * position), "60"], env=x, check=True
            )
        wait_for(lambda: len(outcomes(daemon)) == 2, timeout=20)
        assert outcomes(daemon) == ["completed", "worked-through"]
        stats = daemon.cli("stats", "--json", "--days", "1")
        assert stats.returncode == 0, stats.stderr
        today = json.loads(stats.stdout)["days"][-1]
        assert (today["completed"], today["worked_through"], today["played"]) == (1, 1, 0)
        assert json.loads(stats.stdout)["streak"] == 1
    finally:
        daemon.stop()
