"""End to end: `reminderd run --voice` speaks every step at its start through the
desktop's speech command, plays a cue per change, and each hold lasts its seconds after a
lead-in; notifications over a private bus."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import Recorder, reminderd

pytestmark = pytest.mark.e2e

# -S: no site-packages, so that the stand-in starts in milliseconds even on a loaded
# machine and the time it writes is when it was started.
STAND_IN = """#!{python} -S
import json, sys, time
with open({log!r}, "a") as out:
    out.write(json.dumps({{"mono": time.monotonic(), "argv": sys.argv}}) + "\\n")
"""

CONFIG = """
[guidance]
intro = "1s"
lead_in = "1s"
done = "1s"

[[routines]]
name = "stretch"
exercises = ["tilt"]
every = "1h"

[[exercises]]
id = "tilt"
title = "Tilt"
sides = ["right", "left"]

[[exercises.steps]]
text = "Tilt to the {side}"
kind = "hold"
seconds = 2

[[exercises.steps]]
text = "Back to the centre"
seconds = 1
"""


def stand_in(folder: Path, name: str, log: Path) -> None:
    script = folder / name
    script.write_text(STAND_IN.format(python=sys.executable, log=str(log)))
    script.chmod(0o755)


def test_run_with_voice_speaks_each_step_at_its_start(
    notification_server: Recorder, user_env: dict[str, str], tmp_path: Path
) -> None:
    """With --voice, the system's speech command (here a stand-in named spd-say) is run
    once per step, as the step's notification goes out; the cue player runs for hold,
    release, switch and done; each hold lasts its full seconds after its lead-in; the
    closing note is withdrawn."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    spoken, sounds = tmp_path / "spoken.jsonl", tmp_path / "sounds.jsonl"
    stand_in(bin_dir, "spd-say", spoken)
    stand_in(bin_dir, "canberra-gtk-play", sounds)
    config = tmp_path / "voice.toml"
    config.write_text(CONFIG)
    env = {
        **user_env,
        "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address,
        "PATH": f"{bin_dir}{os.pathsep}{user_env['PATH']}",
    }
    result = reminderd("run", "stretch", "--voice", "--config", str(config), env=env)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in spoken.read_text().splitlines()]
    notes = notification_server.notifications()
    assert len(lines) == len(notes)  # one spoken line per step
    words = [line["argv"][-1] for line in lines]
    assert lines[0]["argv"][1:3] == ["-N", "reminderd"]
    assert words == [
        "Stretch. Stop if pain increases.",
        "Tilt to the right. Hold for two seconds.",
        "Hold.",
        "And release. Back to the centre.",
        "Tilt to the left. Hold for two seconds.",
        "Hold.",
        "And release. Back to the centre.",
        "Done. Well done.",
    ]
    for line, note in zip(lines, notes, strict=True):  # spoken as the step is shown
        assert abs(line["mono"] - note["mono"]) < 0.5
    holds = [i for i, note in enumerate(notes) if note["summary"].endswith("· hold")]
    assert len(holds) == 2
    for i in holds:
        assert notes[i - 1]["summary"].endswith("· get ready")
        assert notes[i + 1]["mono"] - notes[i]["mono"] >= 2.0 - 0.05
    played = [json.loads(line)["argv"][-1] for line in sounds.read_text().splitlines()]
    assert played == ["bell", "message", "bell", "message", "complete"]
    closed = [e for e in notification_server.entries() if e["method"] == "CloseNotification"]
    assert [e["id"] for e in closed] == [notes[-1]["id"]]
    assert closed[0]["mono"] - notes[-1]["mono"] >= 1.0 - 0.05


def test_run_with_voice_and_no_speech_service_says_why(
    user_env: dict[str, str], tmp_path: Path
) -> None:
    """With --voice and no speech command anywhere, the run says so once and guides on."""
    config = tmp_path / "voice.toml"
    config.write_text(CONFIG.replace("seconds = 2", "seconds = 1"))  # holds of a second
    env = {**user_env, "PATH": str(tmp_path)}  # nothing to speak with
    result = reminderd("run", "stretch", "--voice", "--config", str(config), env=env)
    assert result.returncode == 0, result.stderr
    assert "No voice: off: no speech command found (spd-say, espeak-ng, espeak)." in result.stderr
