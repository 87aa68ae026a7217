"""End to end: voices and sound players the daemon starts are owned. A voice that ignores
SIGTERM does not hang `reminderd stop`, one slow to exit does not hold up the next step,
and neither a voice nor a player that forks leaves anything behind after `stop`. Real
commands (small shell scripts) configured as `[guidance] voice = [...]`, and a stand-in
sound player on PATH, against a daemon on a private bus with the recording server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Recorder, wait_for
from tests.pipewire import PipeWire
from tests.test_children import alive
from tests.test_e2e_control import RunningDaemon

pytestmark = pytest.mark.e2e

# Each script appends its own pid (and a helper's) to a file, then behaves badly.
STUBBORN = """#!/bin/sh
trap '' TERM
echo $$ >> {pids}
while :; do sleep 0.05; done
"""
# SIGTERM starts a cleanup that would take half a minute, then says it finished.
SLOW_TO_EXIT = """#!/bin/sh
trap 'sleep 30; echo finished >> {done}; exit 0' TERM
echo $$ >> {pids}
while :; do sleep 0.05; done
"""
# Starts a helper that ignores SIGTERM and goes on after the script itself has exited.
FORKING = """#!/bin/sh
sh -c 'trap "" TERM; echo $$ >> {pids}; while :; do sleep 0.05; done' &
echo $$ >> {pids}
sleep 0.2
"""

CONFIG = """
[guidance]
voice = ["{voice}"]
sounds = {sounds}
intro = "1s"
lead_in = "1s"
done = "0.5s"

[[routines]]
name = "stretch"
exercises = ["tilt"]
every = "1h"

[[exercises]]
id = "tilt"
title = "Tilt"
sides = ["right", "left"]

[[exercises.steps]]
text = "Tilt to the {{side}}"
kind = "hold"
seconds = 1

[[exercises.steps]]
text = "Back to the centre"
seconds = 0.5
"""


def script(folder: Path, name: str, text: str, **paths: Path) -> Path:
    path = folder / name
    path.write_text(text.format(**{key: str(value) for key, value in paths.items()}))
    path.chmod(0o755)
    return path


def pids(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    return folder


def voiced(
    voice: Path,
    bin_dir: Path,
    user_env: dict[str, str],
    recorder: Recorder,
    tmp_path: Path,
    *,
    sounds: bool = False,
    pipewire: PipeWire | None = None,
) -> RunningDaemon:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(voice=voice, sounds=str(sounds).lower()))
    env = {
        **user_env,
        "DBUS_SESSION_BUS_ADDRESS": recorder.bus.address,
        "PATH": f"{bin_dir}{os.pathsep}{user_env['PATH']}",
        # With a voice the intro and each lead-in last as long as their (here estimated)
        # words: at a fifth of the pace, the routine takes seconds, not half a minute.
        "REMINDERD_PACE": "0.2",
    }
    if pipewire is not None:  # a player is chosen only where a server plays
        env["PIPEWIRE_RUNTIME_DIR"] = str(pipewire.runtime)
    return RunningDaemon(env, config)


@pytest.fixture
def cleanup() -> Iterator[list[Path]]:
    """Pid files whose processes a failing test may have left: killed at the end."""
    files: list[Path] = []
    yield files
    for path in files:
        for pid in pids(path):
            if alive(pid):
                os.kill(pid, 9)


def test_a_voice_that_ignores_sigterm_does_not_hang_stop(
    notification_server: Recorder,
    user_env: dict[str, str],
    bin_dir: Path,
    tmp_path: Path,
    cleanup: list[Path],
) -> None:
    """Every spoken line runs a voice that ignores SIGTERM: the routine still moves from
    step to step, `reminderd stop` returns, and no voice is left running."""
    spoken = tmp_path / "voices"
    cleanup.append(spoken)
    voice = script(bin_dir, "voice", STUBBORN, pids=spoken)
    daemon = voiced(voice, bin_dir, user_env, notification_server, tmp_path)
    daemon.start()
    try:
        daemon.cli("run", "stretch")
        wait_for(lambda: len(pids(spoken)) >= 3)  # three steps, each with its line
        stopped = daemon.cli("stop")
        assert stopped.returncode == 0, stopped.stderr
        assert daemon.process is not None
        assert daemon.process.wait(5) == 0
        wait_for(lambda: not any(alive(pid) for pid in pids(spoken)), timeout=5)
    finally:
        daemon.stop()


def test_a_voice_slow_to_exit_does_not_hold_up_the_next_step(
    notification_server: Recorder,
    user_env: dict[str, str],
    bin_dir: Path,
    tmp_path: Path,
    cleanup: list[Path],
) -> None:
    """A voice whose SIGTERM starts half a minute of cleanup: each next line interrupts it
    and the routine runs to its end on its own clock (its six lines, not six times thirty
    seconds); the interrupted voices are killed, the last at `stop`, and none gets to
    finish its cleanup."""
    spoken, finished = tmp_path / "voices", tmp_path / "finished"
    cleanup.append(spoken)
    voice = script(bin_dir, "voice", SLOW_TO_EXIT, pids=spoken, done=finished)
    daemon = voiced(voice, bin_dir, user_env, notification_server, tmp_path)
    daemon.start()
    try:
        daemon.cli("run", "stretch")
        wait_for(lambda: daemon.status()["current"])
        wait_for(lambda: daemon.status()["current"] is None)  # played to its end
        assert "routine.completed stretch" in daemon.log.read_text()
        *interrupted, last = pids(spoken)  # the closing line is never interrupted
        assert len(interrupted) >= 4  # six lines (the holds begin in silence), five cut short
        wait_for(lambda: not any(alive(pid) for pid in interrupted), timeout=5)
        assert daemon.cli("stop").returncode == 0
        wait_for(lambda: not alive(last), timeout=5)
        assert not finished.exists()
    finally:
        daemon.stop()


def test_forking_voices_and_players_leave_nothing_after_stop(
    notification_server: Recorder,
    pipewire: PipeWire,
    user_env: dict[str, str],
    tmp_path: Path,
    cleanup: list[Path],
) -> None:
    """A voice and a sound player that each start a helper ignoring SIGTERM and exit at
    once: after `reminderd stop` no helper of either is left. The player is a stand-in
    named pw-play, chosen because a real PipeWire server listens."""
    spoken, played = tmp_path / "voices", tmp_path / "players"
    cleanup += [spoken, played]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    voice = script(bin_dir, "voice", FORKING, pids=spoken)
    script(bin_dir, "pw-play", FORKING, pids=played)
    daemon = voiced(
        voice, bin_dir, user_env, notification_server, tmp_path, sounds=True, pipewire=pipewire
    )
    daemon.start()
    try:
        daemon.cli("run", "stretch")
        wait_for(lambda: len(pids(spoken)) >= 4 and len(pids(played)) >= 2)
        assert daemon.cli("stop").returncode == 0
        helpers = pids(spoken) + pids(played)
        wait_for(lambda: not any(alive(pid) for pid in helpers), timeout=5)
    finally:
        daemon.stop()
