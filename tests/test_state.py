"""Persistent state: atomic writes, corrupt files set aside, restore after a restart."""

from __future__ import annotations

import json
import logging
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reminderd.clock import SimClock
from reminderd.core import Core, Outputs
from reminderd.model import Config, Exercise, Routine, StepSpec, Trigger
from reminderd.notify import NullNotifier
from reminderd.state import StateStore
from tests.test_robustness import read_only, writable

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
CONFIG = Config(
    routines=(
        Routine("p", ("x",), Trigger(every=1200)),
        Routine("q", ("x",), Trigger(at=(time(15),))),
    ),
    exercises={"x": Exercise(id="x", title="X", steps=(StepSpec("Move.", 5),))},
)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    """What is saved is loaded back, with the version stamped in, and no temporary file left."""
    store = StateStore(tmp_path / "state" / "state.json")
    assert store.load() == {}
    assert store.save({"paused_until": "forever"})
    assert store.load() == {"version": 1, "paused_until": "forever"}
    assert [p.name for p in store.path.parent.iterdir()] == ["state.json"]


def test_corrupt_state_is_set_aside_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An unreadable state file is renamed aside and reminderd starts fresh; never fatal."""
    path = tmp_path / "state.json"
    path.write_text("{not json")
    with caplog.at_level(logging.WARNING, logger="reminderd"):
        assert StateStore(path).load() == {}
    assert not path.exists()
    (aside,) = tmp_path.glob("state.json.corrupt-*")
    assert aside.read_text() == "{not json"
    assert "is unreadable" in caplog.text


def test_read_only_folder_is_reported_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A folder that cannot be written: save returns False, logs one error, keeps the old file."""
    path = tmp_path / "state" / "state.json"
    store = StateStore(path)
    store.save({"a": 1})
    read_only(path.parent)
    try:
        with caplog.at_level(logging.ERROR, logger="reminderd"):
            assert not store.save({"a": 2})
            assert not store.save({"a": 2})
        assert caplog.text.count("will not survive a restart") == 1
        assert json.loads(path.read_text())["a"] == 1
    finally:
        writable(path.parent)


def test_pause_snooze_and_skip_survive_a_restart() -> None:
    """A new core restores the pause, a snooze and a skipped occurrence of the old one."""
    clock = SimClock(START)
    old = Core(CONFIG, clock=clock, outputs=Outputs(NullNotifier()))
    old.snooze("p", 600)
    old.skip("q")
    old.pause(START + timedelta(hours=1))
    state = json.loads(json.dumps(old.export_state()))
    clock.advance(60)
    new = Core(CONFIG, clock=clock, outputs=Outputs(NullNotifier()))
    new.restore_state(state)
    assert new.paused_until == START + timedelta(hours=1)
    assert new.timers["p"].snoozed_until == START + timedelta(minutes=30)
    assert new.timers["q"].due == datetime(2026, 11, 24, 15, 0, tzinfo=BERLIN)


def test_restore_ignores_what_is_past_or_unreadable() -> None:
    """Entries in the past, for unknown routines or with bad times are ignored."""
    clock = SimClock(START)
    core = Core(CONFIG, clock=clock, outputs=Outputs(NullNotifier()))
    core.restore_state(
        {
            "paused_until": "2020-01-01T00:00:00+00:00",
            "snoozed": {"p": "garbage", "zz": "2030-01-01T00:00:00+00:00"},
            "skipped_through": [],
        }
    )
    assert core.paused_until is None
    assert core.timers["p"].snoozed_until is None
    assert core.timers["p"].due == START + timedelta(minutes=20)


def test_the_runtime_fallback_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Without a usable runtime folder, the fallback in the temporary folder is logged, not
    taken silently."""
    from reminderd import paths

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "missing"))
    monkeypatch.setattr(paths, "_runtime_candidates", lambda: [])
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    with caplog.at_level("INFO", logger="reminderd"):
        folder = paths.runtime_folder()
    assert folder.startswith(str(tmp_path))
    assert "no usable runtime folder" in caplog.text


def test_the_log_is_private_and_never_written_through_a_symlink(tmp_path: Path) -> None:
    """The log file is created 0600, and a symbolic link planted in its place is refused."""
    from reminderd.errors import StateError
    from reminderd.paths import private_log

    log = tmp_path / "reminderd.log"
    with private_log(str(log)) as handle:
        handle.write("x\n")
    assert log.stat().st_mode & 0o777 == 0o600
    target = tmp_path / "elsewhere"
    target.write_text("")
    planted = tmp_path / "planted.log"
    planted.symlink_to(target)
    with pytest.raises(StateError, match="a symbolic link is refused"):
        private_log(str(planted))
    assert target.read_text() == ""


def test_the_history_is_never_written_through_a_symlink(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A symbolic link planted in place of the history is refused and logged once; the file
    it points to is left alone."""
    from datetime import datetime, timezone

    from reminderd.history import History
    from reminderd.model import Event

    target = tmp_path / "target"
    target.write_bytes(b"")
    planted = tmp_path / "history.sqlite3"
    planted.symlink_to(target)
    history = History(planted, lambda: timezone.utc)
    with caplog.at_level("ERROR", logger="reminderd"):
        history.record(Event("routine.fired", datetime(2026, 11, 23, tzinfo=timezone.utc), "r"))
    assert "symbolic link" in caplog.text
    assert target.read_bytes() == b""


def test_snoozes_and_skips_of_another_config_are_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A skip made under one config does not hold back a same-named routine of another
    config; the pause (the person's, not the config's) stays; the log says why."""

    clock = SimClock(START)
    old = Core(CONFIG._replace(path=Path("/a.toml")), clock=clock, outputs=Outputs(NullNotifier()))
    old.skip("q")
    old.snooze("p", 600)
    old.pause(START + timedelta(hours=1))
    state = json.loads(json.dumps(old.export_state()))
    new = Core(CONFIG._replace(path=Path("/b.toml")), clock=clock, outputs=Outputs(NullNotifier()))
    fresh_q = new.timers["q"].due
    with caplog.at_level(logging.INFO, logger="reminderd"):
        new.restore_state(state)
    assert new.paused_until == START + timedelta(hours=1)
    assert new.timers["p"].snoozed_until is None
    assert new.timers["q"].due == fresh_q
    assert "made under another config (/a.toml)" in caplog.text
