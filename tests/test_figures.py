"""`stats` adds up: a day of the real core (reminders fired by the schedule, routines run
by hand, and every fate a routine can meet) recorded into a real history file, and every
number read back from it checked."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner

from reminderd import figures, history
from reminderd.cli import cli
from reminderd.clock import SimClock
from reminderd.core import Core, Outputs
from reminderd.core.prompt import ASK_TIMEOUT
from reminderd.history import History
from reminderd.model import Config, Routine, Trigger, WorkSchedule
from reminderd.notify import NullNotifier
from reminderd.presence import Presence
from tests.test_adherence import HOLDING
from tests.test_core import BERLIN, tick_until

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
DAY = MONDAY.date()


class Person:
    """An idle source for someone who keeps still during holds, or types through them."""

    name = "scripted"
    finest = 0.0

    def __init__(self) -> None:
        self.typing = False

    def idle_seconds(self) -> float:
        return 0.0 if self.typing else 600.0


class Day:
    """The real core on a simulated clock, recording into a real history file."""

    def __init__(self, path: Path) -> None:
        self.clock = SimClock(MONDAY)
        self.person = Person()
        config = Config(
            routines=(
                Routine("posture", ("holding",), Trigger(every=1800)),
                Routine("neck", ("holding",), Trigger(at=(time(10, 5), time(16))), start="ask"),
            ),
            exercises={"holding": HOLDING},
            schedule=WorkSchedule(hours=(((time(9), time(17)),),) * 7),
        )
        self.store = History(path, self.clock.zone)
        self.core = Core(
            config,
            clock=self.clock,
            outputs=Outputs(NullNotifier()),
            listeners=(self.store.record,),
            presence=Presence(self.person, None, None, "scripted"),
        )

    def until(self, hour: int, minute: int = 0, second: int = 0) -> None:
        """Sleep and tick as the daemon does, until that time of the day."""
        tick_until(self.core, self.clock, MONDAY.replace(hour=hour, minute=minute, second=second))

    def to_the_end(self) -> None:
        """Let the routine on screen play to its end."""
        while self.core.guide is not None:
            self.clock.advance(self.core.next_wakeup() or 0)
            self.core.tick()


def a_day(path: Path) -> None:
    """Monday 23 November 2026 from 09:00, posture every 30 minutes, neck at 10:05 asking
    first. Six reminders and four runs by hand:

    09:30 posture  reminder  completed (kept still during the hold)
    10:00 posture  reminder  worked through (typed during the hold)
    10:05 neck     reminder  ignored (its "Start?" prompt timed out)
    10:30 posture  reminder  snoozed 10 minutes while on screen ...
    10:40 posture  reminder  ... comes back: skipped while on screen
    10:45 posture  by hand   completed
    10:50 neck     by hand   cancelled (the machine went to sleep)
    11:09 neck     by hand   held at its step by a pause at 11:10, cancelled ten minutes on
    11:10 posture  reminder  queued behind it: cancelled by the pause
    11:25 neck     by hand   worked through

    and, never offered, so in no column: the 16:00 neck, skipped at 11:30 before it came.
    """
    day = Day(path)
    core = day.core
    day.until(9, 30)
    day.to_the_end()  # completed
    day.until(10, 0)
    day.person.typing = True
    day.to_the_end()  # worked through
    day.person.typing = False
    day.until(10, 5)
    assert core.asking is not None
    day.until(10, 5 + int(ASK_TIMEOUT) // 60 + 1)  # ignored
    day.until(10, 30)
    assert core.guide is not None
    core.snooze("posture", 600)
    day.until(10, 40)
    assert core.guide is not None
    core.skip("posture")
    day.until(10, 45)
    core.run_now("posture")
    day.to_the_end()
    day.until(10, 50)
    core.run_now("neck")
    day.clock.advance(2)
    core.tick()
    core.going_to_sleep()  # cancelled
    day.until(11, 9, 55)
    core.run_now("neck")  # by hand, on screen at 11:10 ...
    day.until(11, 10)
    assert core.guide is not None
    assert core.guide.name == "neck"
    core.pause()  # ... the 11:10 posture was queued behind it: cancelled at once; the
    day.until(11, 21)  # neck waits at its step ten minutes for a resume, then is cancelled
    assert core.guide is None
    core.resume()
    day.until(11, 25)
    core.run_now("neck")
    day.person.typing = True
    day.to_the_end()
    day.until(11, 30)
    core.skip("neck")  # the 16:00 one, ahead
    day.store.close()


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite3"
    a_day(path)
    return path


def test_every_number_of_a_day_adds_up(recorded: Path) -> None:
    """Reminders and runs by hand apart, each fate counted once, and the fates add up to
    what was offered; what was never offered (a skip ahead) is in no column."""
    db = history.connect(recorded, readonly=True)
    (row,) = figures.daily(db, DAY, DAY)
    db.close()
    assert row == figures.DayStats(
        DAY,
        reminders=6,
        by_hand=4,
        completed=2,
        worked_through=2,
        played=0,
        snoozed=1,
        skipped=1,
        ignored=1,
        cancelled=3,
        unfinished=0,
        minutes=row.minutes,
        ahead=1,
    )
    assert row.fates == row.offered == 10
    assert row.minutes == pytest.approx(4 * 14 / 60)  # four routines of 14 s played to the end


def test_the_table_shows_that_day_adding_up(recorded: Path, tmp_path: Path) -> None:
    """`stats` prints the day's reminders and runs by hand, the fates that add up to them,
    and what was never offered on a line of its own."""
    data = tmp_path / "data" / "reminderd"
    data.mkdir(parents=True)
    (data / "history.sqlite3").write_bytes(recorded.read_bytes())
    with time_machine.travel(MONDAY.replace(hour=18), tick=False):
        result = CliRunner().invoke(
            cli, ["stats", "--days", "1"], env={"XDG_DATA_HOME": str(tmp_path / "data")}
        )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "           reminders by hand completed worked played snoozed skipped ignored"
        " cancelled minutes",
        "Mon 23 Nov         6       4         2      2      0       1       1       1"
        "         3     0.9  ████░░░░░░░░░░░░░░░░",
        "Current streak: 1 day (completed only)",
        "Not offered: 1 reminder was skipped or snoozed before it came.",
    ]


def runs_by_hand_only(path: Path) -> None:
    """Two routines run by hand on Monday, and no reminder."""
    day = Day(path)
    day.core.pause()
    for hour in (10, 11):
        day.clock.advance_to(MONDAY.replace(hour=hour))
        day.core.run_now("neck")
        day.to_the_end()
    day.store.close()


@pytest.mark.parametrize(
    ("running", "expected"),
    [
        (
            True,
            "Advice: no reminders fired in these days, only 2 routines run by hand;"
            " `reminderd plan` shows when reminders come.",
        ),
        (
            False,
            "Advice: no reminders in these days, and reminderd is not running: start it"
            " with `reminderd start` (or at login: `reminderd service install`).",
        ),
    ],
)
def test_advice_is_never_drawn_from_runs_by_hand_alone(
    tmp_path: Path, running: bool, expected: str
) -> None:
    """Runs by hand are not reminders: with no reminder, the advice says so, and asks
    whether reminderd runs only when it does not."""
    runs_by_hand_only(tmp_path / "h.sqlite3")
    db = history.connect(tmp_path / "h.sqlite3", readonly=True)
    reading = figures.read(db, DAY, DAY)
    db.close()
    assert [offer.by_hand for offer in reading.offers] == [True, True]
    assert figures.advice(reading, BERLIN, running=running) == expected


def test_advice_reads_the_reminders_of_the_day(recorded: Path) -> None:
    """Posture fired three times between 10:00 and 11:00 and was put off twice: the advice
    counts those reminders, not the run by hand at 10:45."""
    db = history.connect(recorded, readonly=True)
    reading = figures.read(db, DAY, DAY)
    db.close()
    assert figures.advice(reading, BERLIN, running=True) == (
        'Advice: posture is put off 2 times out of 3 at 10:00-11:00; try at = ["09:30"] for it.'
    )


def test_stats_week_knows_the_daemon_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`stats --week` with reminderd running (its lock held) and no reminder yet never asks
    whether it runs; with the lock free, it says it is not running."""
    from reminderd.lock import PidLock
    from reminderd.paths import user_paths

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
    history.connect(tmp_path / "data" / "reminderd" / "history.sqlite3").close()
    lock = PidLock(user_paths().lock)
    lock.acquire()
    try:
        running = CliRunner().invoke(cli, ["stats", "--week"])
    finally:
        lock.release()
    stopped = CliRunner().invoke(cli, ["stats", "--week"])
    assert running.stdout.splitlines()[-1] == (
        "Advice: no reminders fired in these days; `reminderd plan` shows when they come,"
        " and `reminderd status` what holds them."
    )
    assert "not running" in stopped.stdout.splitlines()[-1]
