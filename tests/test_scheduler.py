"""Due times: working hours, intervals counted in working time, `at` times, daylight saving."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from reminderd import scheduler
from reminderd.clock import SystemClock
from reminderd.core import Core, Outputs
from reminderd.model import ALL_DAY, Config, Routine, Trigger, WorkSchedule
from reminderd.notify import NullNotifier

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = WorkSchedule(hours=(((time(9), time(12, 30)), (time(13, 30), time(18))),) * 5 + ((), ()))


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment in Berlin; November 2026 starts on a Sunday, so day 23 is a Monday."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def local(moment: datetime | None) -> str:
    assert moment is not None
    return moment.astimezone(BERLIN).strftime("%a %d %H:%M")


def test_interval_pauses_over_lunch() -> None:
    """45 minutes counted from 12:00 pause at 12:30 and finish 15 minutes after 13:30."""
    due = scheduler.interval_due(OFFICE, Trigger(every=2700), at(23, 12), BERLIN)
    assert local(due) == "Mon 23 13:45"


def test_interval_restarts_each_working_day() -> None:
    """What is left of an interval at the end of the day is not carried into the next one."""
    due = scheduler.interval_due(OFFICE, Trigger(every=2700), at(23, 17, 50), BERLIN)
    assert local(due) == "Tue 24 09:45"


def test_interval_skips_the_weekend() -> None:
    """Friday evening's count resumes on Monday morning."""
    due = scheduler.interval_due(OFFICE, Trigger(every=1200), at(27, 17, 50), BERLIN)
    assert local(due) == "Mon 30 09:20"


def test_interval_runs_through_midnight_with_all_day_hours() -> None:
    """With no working hours, midnight is not a new working day: the count goes on."""
    due = scheduler.interval_due(WorkSchedule(), Trigger(every=1200), at(23, 23, 50), BERLIN)
    assert local(due) == "Tue 24 00:10"


def test_interval_due_at_closing_time_moves_to_the_next_range() -> None:
    """A reminder that would fall exactly at the end of a range fires when the next begins."""
    due = scheduler.interval_due(OFFICE, Trigger(every=1800), at(23, 12), BERLIN)
    assert local(due) == "Mon 23 13:30"


def test_interval_before_working_hours_starts_at_opening() -> None:
    """Counting from before 09:00 starts at 09:00."""
    due = scheduler.interval_due(OFFICE, Trigger(every=2700), at(23, 7), BERLIN)
    assert local(due) == "Mon 23 09:45"


def test_interval_limited_to_the_routines_days() -> None:
    """A routine limited to Wednesdays counts only on Wednesdays."""
    due = scheduler.interval_due(
        OFFICE, Trigger(every=1800, days=frozenset({2})), at(23, 10), BERLIN
    )
    assert local(due) == "Wed 25 09:30"


def test_at_times_follow_days_and_working_hours() -> None:
    """`at` times fire on the routine's days and inside working time only."""
    trigger = Trigger(at=(time(10, 30), time(13)), days=frozenset({0, 5}))
    assert local(scheduler.at_due(OFFICE, trigger, at(23, 9), BERLIN)) == "Mon 23 10:30"
    # 13:00 is lunch; Saturday has no working hours: next is the following Monday.
    assert local(scheduler.at_due(OFFICE, trigger, at(23, 10, 30), BERLIN)) == "Mon 30 10:30"


def test_nothing_due_without_working_time() -> None:
    """A schedule with no working day at all gives no due time, rather than looping."""
    closed = WorkSchedule(hours=((),) * 7)
    assert scheduler.interval_due(closed, Trigger(every=60), at(23, 9), BERLIN) is None
    assert scheduler.at_due(closed, Trigger(at=(time(10),)), at(23, 9), BERLIN) is None


def test_at_time_on_spring_forward_day_lands_after_the_gap() -> None:
    """02:30 does not exist on 29 March 2026 in Berlin: it fires once, at 03:30 local."""
    trigger = Trigger(at=(time(2, 30),))
    due = scheduler.at_due(
        WorkSchedule(), trigger, datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN), BERLIN
    )
    assert due is not None
    assert due.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"
    following = scheduler.at_due(WorkSchedule(), trigger, due, BERLIN)
    assert local(following) == "Mon 30 02:30"


def test_at_time_on_fall_back_day_fires_once() -> None:
    """02:30 happens twice on 25 October 2026 in Berlin; it fires the first time only."""
    trigger = Trigger(at=(time(2, 30),))
    first = scheduler.at_due(
        WorkSchedule(), trigger, datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN), BERLIN
    )
    assert first is not None
    assert first.astimezone(BERLIN).strftime("%H:%M %Z") == "02:30 CEST"
    second = scheduler.at_due(WorkSchedule(), trigger, first, BERLIN)
    assert local(second) == "Mon 26 02:30"


def test_interval_is_real_time_across_a_clock_change() -> None:
    """An hour's interval over the spring-forward change is one real hour (wall clock +2h)."""
    start = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    due = scheduler.interval_due(WorkSchedule(), Trigger(every=3600), start, BERLIN)
    assert due is not None
    assert due - start == timedelta(hours=1)
    assert due.astimezone(BERLIN).strftime("%H:%M") == "03:30"


def test_working_ranges_on_a_short_day() -> None:
    """Working ranges are absolute times; an all-day range on spring-forward day lasts 23 h."""
    (only,) = scheduler.working_ranges(
        WorkSchedule(hours=(ALL_DAY,) * 7), datetime(2026, 3, 29).date(), BERLIN
    )
    assert only[1] - only[0] == timedelta(hours=23)
    assert scheduler.is_working(OFFICE, at(23, 10), BERLIN)
    assert not scheduler.is_working(OFFICE, at(23, 13), BERLIN)
    assert not scheduler.is_working(OFFICE, at(28, 10), BERLIN)


def test_next_run_times_under_time_machine() -> None:
    """With the system clock faked to Monday 08:00 in Berlin, each routine's next run is as
    the rules say."""
    config = Config(
        routines=(
            Routine("neck", ("posture-check",), Trigger(every=2700)),
            Routine("posture", ("posture-check",), Trigger(every=1200)),
            Routine("afternoon", ("posture-check",), Trigger(at=(time(15),), days=frozenset({2}))),
        ),
        exercises={},
        schedule=OFFICE,
    )
    with time_machine.travel(at(23, 8), tick=False):
        core = Core(config, clock=SystemClock(), outputs=Outputs(NullNotifier()))
        assert {name: local(t.due) for name, t in core.timers.items()} == {
            "neck": "Mon 23 09:45",
            "posture": "Mon 23 09:20",
            "afternoon": "Wed 25 15:00",
        }
    with time_machine.travel(at(23, 12, 10), tick=False):
        core = Core(config, clock=SystemClock(), outputs=Outputs(NullNotifier()))
        assert {name: local(t.due) for name, t in core.timers.items()} == {
            "neck": "Mon 23 13:55",
            "posture": "Mon 23 13:30",
            "afternoon": "Wed 25 15:00",
        }


NIGHT = WorkSchedule(hours=(((time(22), time(6)),),) * 5 + ((), ()))  # Mon-Fri nights


def test_a_night_shift_runs_across_midnight_counted_on_the_day_it_starts() -> None:
    """ "22:00-06:00" on Monday runs from Monday 22:00 to Tuesday 06:00: working time at
    02:00 Tuesday, not at 02:00 Monday; Friday's night ends Saturday morning."""
    assert scheduler.is_working(NIGHT, at(24, 2), BERLIN)
    assert not scheduler.is_working(NIGHT, at(23, 2), BERLIN)  # Sunday night is off
    assert not scheduler.is_working(NIGHT, at(24, 12), BERLIN)
    assert scheduler.is_working(NIGHT, at(28, 5, 59), BERLIN)  # Saturday, Friday's night
    assert local(scheduler.next_working(NIGHT, at(23, 12), BERLIN)) == "Mon 23 22:00"


def test_intervals_and_at_times_in_a_night_shift() -> None:
    """Every 2 hours from the start of the shift fires at midnight, 02:00 and 04:00 (not at
    06:00, closing time); an `at` time of 03:00 falls inside the night that began before."""
    due = scheduler.interval_due(NIGHT, Trigger(every=7200), at(23, 22), BERLIN)
    assert local(due) == "Tue 24 00:00"
    due = scheduler.interval_due(NIGHT, Trigger(every=7200), at(24, 4), BERLIN)
    assert local(due) == "Wed 25 00:00"  # not at closing time; the next night starts anew
    assert local(scheduler.at_due(NIGHT, Trigger(at=(time(3),)), at(23, 12), BERLIN)) == (
        "Tue 24 03:00"
    )


def test_a_night_shift_config_plans_across_midnight(tmp_path: object) -> None:
    """`working_hours = ["22:00-06:00"]` is accepted and planned across midnight."""
    from pathlib import Path

    from click.testing import CliRunner

    from reminderd.cli import cli

    assert isinstance(tmp_path, Path)
    config = tmp_path / "night.toml"
    config.write_text(
        '[schedule]\nworking_hours = ["22:00-06:00"]\n'
        '[[routines]]\nname = "posture"\nexercises = ["posture-check"]\nevery = "2h"\n'
        '[[routines]]\nname = "night"\nexercises = ["breathing-break"]\nat = ["03:00"]\n'
    )
    result = CliRunner().invoke(cli, ["plan", "--date", "2026-11-24", "--config", str(config)])
    assert result.exit_code == 0, result.output
    times = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  0")]
    assert times == ["02:00", "03:00", "04:00"]
    assert "Working hours: 22:00-06:00" in result.stdout


def test_pause_until_a_time_midnight_or_tomorrow() -> None:
    """`pause --until` ends at the next such time (tomorrow if it has passed today), at the
    coming midnight for 24:00, and at tomorrow's first working hour for "tomorrow"."""
    now = at(23, 15)
    assert local(scheduler.until(OFFICE, "17:30", now, BERLIN)) == "Mon 23 17:30"
    assert local(scheduler.until(OFFICE, "09:00", now, BERLIN)) == "Tue 24 09:00"
    assert local(scheduler.until(OFFICE, "24:00", now, BERLIN)) == "Tue 24 00:00"
    assert local(scheduler.until(OFFICE, "tomorrow", now, BERLIN)) == "Tue 24 09:00"
    friday = at(27, 15)
    assert local(scheduler.until(OFFICE, "tomorrow", friday, BERLIN)) == "Mon 30 09:00"


def test_a_range_that_starts_in_the_spring_gap_starts_as_far_after_the_change() -> None:
    """The module's rule, as written: "02:30-05:00" on 29 March 2026 in Berlin (clocks jump
    from 02:00 to 03:00) is working time from 03:30, not from 03:00."""
    schedule = WorkSchedule(hours=(((time(2, 30), time(5, 0)),),) * 7)
    ((begin, end),) = scheduler.working_ranges(schedule, datetime(2026, 3, 29).date(), BERLIN)
    assert begin.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"
    assert end.astimezone(BERLIN).strftime("%H:%M %Z") == "05:00 CEST"
