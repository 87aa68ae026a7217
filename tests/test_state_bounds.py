"""Restored state is bounded as commands are: a pause at most 366 days ahead, a snooze at
most 7 days, a skipped occurrence at most a year. A date beyond (year 9999, with any UTC
offset) is dropped with a log line and the file is kept aside; the daemon always starts."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from reminderd.clock import SimClock
from reminderd.core import Core, Outputs
from reminderd.notify import NullNotifier
from tests.test_state import CONFIG, START

FAR = "9999-12-31T00:00:00+00:00"
FAR_WEST = "9999-12-31T23:59:59-23:59"  # past year 9999 once in UTC
# The state files that once stopped every start with OverflowError.
OUT_OF_RANGE: dict[str, dict[str, Any]] = {
    "snoozed": {"snoozed": {"p": FAR}},
    "snoozed-west": {"snoozed": {"p": FAR_WEST}},
    "skipped": {"skipped_through": {"q": FAR}},
    "paused-west": {"paused_until": FAR_WEST},
    "paused": {"paused_until": FAR},
}


def core() -> Core:
    return Core(CONFIG, clock=SimClock(START), outputs=Outputs(NullNotifier()))


@pytest.mark.parametrize("name", sorted(OUT_OF_RANGE))
def test_a_date_out_of_range_is_dropped_and_said(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Each of them is dropped with a line that names it; the core then runs as if it had
    never been saved (nothing paused, nothing snoozed, the schedule as configured)."""
    engine = core()
    with caplog.at_level(logging.WARNING, logger="reminderd"):
        dropped = engine.restore_state(OUT_OF_RANGE[name])
    assert len(dropped) == 1
    assert "dropped" in caplog.text
    assert dropped[0] in caplog.text
    status = engine.status()
    assert status["paused"] is False
    assert all(r["snoozed_until"] is None for r in status["routines"])
    assert engine.next_wakeup() is not None
    engine.tick()
    json.dumps(engine.export_state())


def test_the_bounds_are_those_of_the_commands() -> None:
    """A pause of 366 days, a snooze of 7 days and a skip a year ahead are kept; a second
    more is dropped."""
    now = START
    within = {
        "paused_until": (now + timedelta(days=366)).isoformat(),
        "snoozed": {"p": (now + timedelta(days=7)).isoformat()},
        "skipped_through": {"q": (now + timedelta(days=366)).isoformat()},
    }
    engine = core()
    assert engine.restore_state(within) == []
    assert engine.status()["paused"] is True
    beyond = {
        "paused_until": (now + timedelta(days=366, seconds=1)).isoformat(),
        "snoozed": {"p": (now + timedelta(days=7, seconds=1)).isoformat()},
        "skipped_through": {"q": (now + timedelta(days=366, seconds=1)).isoformat()},
    }
    assert len(core().restore_state(beyond)) == 3


def test_a_day_count_that_is_not_one_is_dropped() -> None:
    """The day's skips used must be a count: a negative one (more skips) is dropped."""
    today = START.date().isoformat()
    engine = core()
    assert engine.restore_state({"skips": {"p": [today, -5], "q": [today, 1]}}) == [
        "skips of p: -5 is not a count of skips"
    ]


@pytest.mark.e2e
@pytest.mark.parametrize("name", sorted(OUT_OF_RANGE))
def test_the_daemon_starts_and_keeps_the_file_aside(
    name: str, user_env: dict[str, str], tmp_path: Path
) -> None:
    """A daemon whose state file holds such a date starts, answers, keeps the file as it
    was beside the state (state.json.out-of-range-...), and saves what it could use."""
    from tests.test_e2e_control import RunningDaemon, write_config

    config = write_config(
        tmp_path / "config.toml",
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "1h"\n',
    )
    folder = Path(user_env["XDG_STATE_HOME"]) / "reminderd"
    folder.mkdir(parents=True, exist_ok=True)
    state = {"version": 1, "config": str(config), **OUT_OF_RANGE[name]}
    state = json.loads(json.dumps(state).replace('"p"', '"quick"').replace('"q"', '"quick"'))
    text = json.dumps(state)
    (folder / "state.json").write_text(text)
    daemon = RunningDaemon(user_env, config)
    daemon.start()
    try:
        assert daemon.status()["paused"] is False
    finally:
        daemon.stop()
    (aside,) = folder.glob("state.json.out-of-range-*")
    assert aside.read_text() == text
    log = daemon.log.read_text()
    assert "dropped" in log
    assert aside.name in log
    assert "Traceback" not in log
