"""History: a real SQLite file, schema versions, stats, streaks, CSV, and the CLI on top."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from click.testing import CliRunner

from reminderd import figures, history
from reminderd.cli import cli
from reminderd.clock import SimClock
from reminderd.contracts import EventKind
from reminderd.core import Core, Outputs
from reminderd.history import History
from reminderd.model import Config, Event, Exercise, Routine, StepSpec, Trigger
from reminderd.notify import NullNotifier

BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN)


def test_schema_is_created_versioned_and_in_wal_mode(tmp_path: Path) -> None:
    """A new history file gets the current schema version and WAL journaling."""
    db = history.connect(tmp_path / "h.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    columns = [row[1] for row in db.execute("PRAGMA table_info(events)")]
    assert columns == [
        "id",
        "ts",
        "day",
        "kind",
        "routine",
        "reason",
        "seconds",
        "data",
        "outcome",
    ]
    db.close()
    history.connect(tmp_path / "h.sqlite3").close()  # opening again migrates nothing


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    """A history written by a newer version is not touched."""
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(Exception, match=r"newer reminderd \(schema 99 > 2\)"):
        history.connect(path)


def test_a_simulated_routine_is_recorded_event_by_event(tmp_path: Path) -> None:
    """Fired, started, every step and completed land in the file, each in its own commit."""
    clock = SimClock(at(23, 9))
    exercise = Exercise(id="x", title="X", steps=(StepSpec("Move.", 5), StepSpec("Rest.", 3)))
    config = Config(routines=(Routine("r", ("x",), Trigger(every=600)),), exercises={"x": exercise})
    store = History(tmp_path / "h.sqlite3", clock.zone)
    core = Core(config, clock=clock, outputs=Outputs(NullNotifier()), listeners=(store.record,))
    clock.advance(600)
    core.tick()
    while core.guide:
        clock.advance(core.next_wakeup() or 0)
        core.tick()
    reader = sqlite3.connect(tmp_path / "h.sqlite3")  # a second connection sees every row
    rows = reader.execute(
        "SELECT day, kind, routine, reason, seconds FROM events ORDER BY id"
    ).fetchall()
    assert rows == [
        ("2026-11-23", "routine.fired", "r", "schedule", None),
        ("2026-11-23", "routine.started", "r", None, 13.0),
        ("2026-11-23", "routine.step", "r", None, 5.0),
        ("2026-11-23", "routine.step", "r", None, 5.0),
        ("2026-11-23", "routine.step", "r", None, 3.0),
        ("2026-11-23", "routine.step", "r", None, 3.0),  # the closing note: [guidance] done
        ("2026-11-23", "routine.completed", "r", None, 8.0),
    ]


def seed(path: Path) -> None:
    """A week of history: Mon-Fri of 16-20 November 2026 and Monday 23rd, in Berlin."""
    store = History(path, lambda: BERLIN)

    def add(moment: datetime, kind: EventKind, routine: str = "neck", **data: object) -> None:
        store.record(Event(kind, moment, routine, dict(data)))

    for day in (16, 17, 18, 20, 23):  # nothing on Thursday 19th: a day off
        add(at(day, 10), "routine.fired", reason="schedule")
        add(at(day, 10), "routine.started")
        add(at(day, 10, 2), "routine.completed", exercise_seconds=90.0, outcome="completed")
        add(at(day, 11), "routine.fired", "posture", reason="schedule")
        add(at(day, 11), "routine.snoozed", "posture", reason="action", seconds=600)
    add(at(17, 14), "routine.fired", reason="schedule")
    add(at(17, 14), "routine.skipped", reason="cli")
    add(at(18, 15), "routine.fired", "posture", reason="schedule")
    add(at(18, 15), "routine.completed", "posture", exercise_seconds=37.0, outcome="completed")
    add(at(20, 16), "routine.fired", "posture", reason="schedule")
    add(at(20, 16), "routine.ignored", "posture", reason="dismissed")
    add(at(23, 14), "routine.fired", reason="schedule")
    add(at(23, 14), "routine.completed", exercise_seconds=60.0, outcome="worked-through")
    add(at(23, 15), "routine.fired", "posture", reason="schedule")
    add(at(23, 15), "routine.completed", "posture", exercise_seconds=30.0)  # no outcome: played
    add(at(21, 10), "routine.fired", reason="schedule")  # Saturday: fired, nothing done
    store.close()


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = tmp_path / "data" / "reminderd" / "history.sqlite3"
    seed(path)
    return path


def test_stats_for_a_seeded_history(seeded: Path) -> None:
    """The table, the bars and the streak, exactly."""
    with time_machine.travel(at(23, 18), tick=False):
        result = CliRunner().invoke(cli, ["stats", "--days", "8"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "           reminders by hand completed worked played snoozed skipped ignored"
        " cancelled minutes",
        "Mon 16 Nov         2       0         1      0      0       1       0       0"
        "         0     1.5  █████░░░░░",
        "Tue 17 Nov         3       0         1      0      0       1       1       0"
        "         0     1.5  █████░░░░░░░░░░",
        "Wed 18 Nov         3       0         2      0      0       1       0       0"
        "         0     2.1  ██████████░░░░░",
        "Thu 19 Nov         0       0         0      0      0       0       0       0"
        "         0     0.0",
        "Fri 20 Nov         3       0         1      0      0       1       0       1"
        "         0     1.5  █████░░░░░░░░░░",
        "Sat 21 Nov         1       0         0      0      0       0       0       0"
        "         1     0.0  ░░░░░",
        "Sun 22 Nov         0       0         0      0      0       0       0       0"
        "         0     0.0",
        "Mon 23 Nov         4       0         1      1      1       1       0       0"
        "         0     3.0  █████░░░░░░░░░░░░░░░",
        "Current streak: 1 day (completed only)",
        "played: shown to the end with no idle source, so nobody knows if done.",
        "cancelled: 1 routine never ended (on screen now, or reminderd was killed).",
    ]


def test_stats_json_and_csv(seeded: Path) -> None:
    """--json carries the days and the streak; --csv opens in Python's csv module."""
    with time_machine.travel(at(23, 18), tick=False):
        as_json = json.loads(CliRunner().invoke(cli, ["stats", "--days", "2", "--json"]).stdout)
        as_csv = CliRunner().invoke(cli, ["stats", "--days", "2", "--csv"]).stdout
    assert as_json == {
        "days": [
            {
                "date": "2026-11-22",
                "reminders": 0,
                "completed": 0,
                "skipped": 0,
                "snoozed": 0,
                "minutes": 0.0,
                "worked_through": 0,
                "played": 0,
                "ignored": 0,
                "by_hand": 0,
                "cancelled": 0,
                "unfinished": 0,
                "ahead": 0,
                "natural_breaks": 0,
                "missed": 0,
            },
            {
                "date": "2026-11-23",
                "reminders": 4,
                "completed": 1,
                "skipped": 0,
                "snoozed": 1,
                "minutes": 3.0,
                "worked_through": 1,
                "played": 1,
                "ignored": 0,
                "by_hand": 0,
                "cancelled": 0,
                "unfinished": 0,
                "ahead": 0,
                "natural_breaks": 0,
                "missed": 0,
            },
        ],
        "streak": 1,
    }
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert list(rows[0]) == [
        "date",
        "reminders",
        "completed",
        "skipped",
        "snoozed",
        "minutes",
        "worked_through",
        "played",
        "ignored",
        "by_hand",
        "cancelled",
        "unfinished",
        "ahead",
        "natural_breaks",
        "missed",
    ]
    assert rows[1] == {
        "date": "2026-11-23",
        "reminders": "4",
        "completed": "1",
        "skipped": "0",
        "snoozed": "1",
        "minutes": "3.0",
        "worked_through": "1",
        "played": "1",
        "ignored": "0",
        "by_hand": "0",
        "cancelled": "0",
        "unfinished": "0",
        "ahead": "0",
        "natural_breaks": "0",
        "missed": "0",
    }


def test_streak_counts_days_with_a_completed_routine(tmp_path: Path) -> None:
    """Days without reminders are neutral, a day with reminders and nothing done breaks the
    streak, and today does not break it before it is over."""
    path = tmp_path / "h.sqlite3"
    seed(path)
    db = history.connect(path, readonly=True)
    assert figures.streak(db, at(20, 23).date()) == 4  # Fri, (Thu: no reminders), Wed, Tue, Mon
    assert figures.streak(db, at(23, 23).date()) == 1  # Saturday had a reminder and nothing done
    assert figures.streak(db, at(21, 23).date()) == 4  # Saturday is today: not over yet
    db.close()


def test_history_lists_the_latest_fates(seeded: Path) -> None:
    """`history` prints the latest events with their routine and reason, oldest first."""
    result = CliRunner().invoke(cli, ["history", "--limit", "5"])
    assert result.exit_code == 0, result.output
    lines = [line.split("  ", 1)[1] for line in result.stdout.splitlines()]
    assert lines == [
        "posture      snoozed (action)",
        "neck         fired (schedule)",
        "neck         worked-through",
        "posture      fired (schedule)",
        "posture      played",
    ]


def test_history_without_a_file_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No history yet: a clear message, exit 1."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "none"))
    result = CliRunner().invoke(cli, ["stats"])
    assert result.exit_code == 1
    assert "no history yet" in result.stderr


def test_prune_forgets_old_events(tmp_path: Path) -> None:
    """Events older than history_days are removed at start."""
    path = tmp_path / "h.sqlite3"
    seed(path)
    store = History(path, lambda: BERLIN)
    assert store.prune(5, at(23, 12)) == 17  # Monday, Tuesday and Wednesday morning go
    store.close()
    db = history.connect(path, readonly=True)
    assert db.execute("SELECT MIN(day) FROM events").fetchone()[0] == "2026-11-18"


def test_unwritable_history_is_logged_once_and_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A history that cannot be written logs one error; recording just stops."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = History(blocker / "h.sqlite3", lambda: BERLIN)
    for _ in range(3):
        store.record(Event("routine.fired", at(23, 9), "r", {}))
    assert caplog.text.count("history not recorded") == 1


def test_a_version_1_history_is_migrated_and_keeps_its_completed_routines(tmp_path: Path) -> None:
    """A v1 file opens as v2: its completed routines keep counting as completed."""
    path = tmp_path / "h.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    history.MIGRATIONS[0](old)
    old.execute("PRAGMA user_version = 1")
    old.execute(
        "INSERT INTO events (ts, day, kind, routine, seconds) VALUES"
        " (?, '2026-11-23', 'routine.fired', 'neck', NULL),"
        " (?, '2026-11-23', 'routine.completed', 'neck', 90)",
        (at(23, 10).timestamp(), at(23, 10, 2).timestamp()),
    )
    old.close()
    db = history.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    assert db.execute("SELECT kind, outcome FROM events ORDER BY id").fetchall() == [
        ("routine.fired", None),
        ("routine.completed", "completed"),
    ]
    assert figures.daily(db, at(23, 0).date(), at(23, 0).date())[0].completed == 1
    assert figures.streak(db, at(23, 12).date()) == 1
    db.close()


def test_old_events_are_forgotten_when_the_file_is_first_opened(tmp_path: Path) -> None:
    """The daemon asks to forget old events at start; that happens at the first write, so
    that an idle daemon has not opened (nor loaded) SQLite."""
    path = tmp_path / "h.sqlite"
    seed(path)

    def count() -> int:
        db = history.connect(path, readonly=True)
        try:
            return int(db.execute("SELECT COUNT(*) FROM events").fetchone()[0])
        finally:
            db.close()

    seeded = count()
    store = History(path, lambda: BERLIN)
    store.forget_older_than(1)
    assert count() == seeded  # not yet
    store.record(Event("routine.fired", datetime.now(BERLIN), "neck", {"reason": "schedule"}))
    store.close()
    assert count() == 1  # the week of seeded events went; the new one stays
