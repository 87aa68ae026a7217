"""`stats` and `history` over every machine: this machine's own history and the others'
from the sync folder, merged and apart; a day counts once in the streak."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from reminderd import figures
from reminderd.cli import cli
from reminderd.contracts import EventKind
from reminderd.history import History
from reminderd.model import Event, SyncSettings
from reminderd.sync import stats as sync_stats
from reminderd.sync.writer import Writer

DAY = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def record(store: History, day: int, *kinds: EventKind) -> None:
    for kind in kinds:
        data = {"reason": "schedule", "outcome": "completed", "exercise_seconds": 60.0}
        store.record(Event(kind, DAY + timedelta(days=day), "neck", data))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Laptop completed on days 0 and 2, desk (this machine) on day 1; both had reminders
    on day 1; the laptop's history is in the folder, the desk's is local."""
    laptop = History(tmp_path / "laptop.sqlite3", lambda: timezone.utc)
    record(laptop, 0, "routine.fired", "routine.completed")
    record(laptop, 1, "routine.fired")
    record(laptop, 2, "routine.fired", "routine.completed")
    shared = tmp_path / "Sync"
    Writer(shared, "laptop", laptop).start(DAY, None)
    desk = History(tmp_path / "desk.sqlite3", lambda: timezone.utc)
    record(desk, 1, "routine.fired", "routine.completed")
    desk.close()
    return shared


def test_the_streak_counts_a_day_once_whichever_machine_did_it(folder: Path) -> None:
    """Three days in a row, each done on one machine or the other: a streak of 3; each
    machine alone has none that long."""
    local = folder.parent / "desk.sqlite3"
    db = sync_stats.gather(local, SyncSettings(folder, "desk"), None, DAY + timedelta(days=3))
    last = date(2026, 11, 25)
    assert figures.streak(db, last) == 3
    rows = figures.daily(db, last - timedelta(days=2), last)
    assert [(r.reminders, r.completed) for r in rows] == [(1, 1), (2, 1), (1, 1)]
    each = sync_stats.by_machine(db, last - timedelta(days=2), last)
    assert {name: streak for name, (_, streak) in each.items()} == {"desk": 1, "laptop": 1}
    assert figures.streak(db, last) == 3  # the view is back on every machine


def test_stats_and_history_commands_over_machines(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stats --json` gives merged and per-machine figures, `--machine` one machine's;
    `history` has a machine column."""
    data = tmp_path / "data" / "reminderd"
    data.mkdir(parents=True)
    (folder.parent / "desk.sqlite3").rename(data / "history.sqlite3")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    config = tmp_path / "config.toml"
    config.write_text(
        '[[routines]]\nname = "neck"\nexercises = ["posture-check"]\nevery = "1h"\n'
        f'[sync]\nfolder = "{folder}"\nmachine = "desk"\n'
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["history", "--config", str(config)])
    assert result.exit_code == 0, result.output
    machines = [line.split()[2] for line in result.stdout.splitlines()]
    assert (machines.count("laptop"), machines.count("desk")) == (5, 2)
    result = runner.invoke(cli, ["history", "--machine", "desk", "--config", str(config)])
    assert {line.split()[2] for line in result.stdout.splitlines()} == {"desk"}
    plain = runner.invoke(cli, ["history", "--machine", "desk"])
    assert plain.exit_code == 2
    assert "--machine needs a [sync] folder in the config" in plain.stderr
