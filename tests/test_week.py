"""Smart scheduling over simulated days and weeks: working hours, weekends, daylight saving,
suspend, idle and natural breaks, do not disturb, and `plan` against the daemon itself."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

from reminderd.clock import SimClock
from reminderd.config import load_config
from reminderd.core import Core, Outputs
from reminderd.core.simulate import plan_day, simulate
from reminderd.dnd import DndSource
from reminderd.dnd import Watch as DndWatch
from reminderd.model import Config, Event
from reminderd.notify import Note, NullNotifier
from reminderd.presence import Presence
from tests.conftest import TEST_LIMITS

BERLIN = ZoneInfo("Europe/Berlin")

OFFICE = """
[schedule]
working_hours = ["09:00-12:30", "13:30-17:30"]
days = "weekdays"
[schedule.hours]
fri = ["09:00-13:00"]

[[routines]]
name = "neck"
exercises = ["chin-to-collarbone"]
every = "1h30m"

[[routines]]
name = "posture"
exercises = ["posture-check"]
every = "45m"

[[routines]]
name = "breathe"
exercises = ["breathing-break"]
at = ["11:00", "15:00"]
days = ["mon", "wed", "fri"]
"""


def config(tmp_path: Path, text: str = OFFICE) -> Config:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_config(path, TEST_LIMITS)


def fired(events: list[Event]) -> list[str]:
    return [
        f"{e.at.astimezone(BERLIN):%a %H:%M} {e.routine}"
        for e in events
        if e.kind == "routine.fired"
    ]


def at(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def workday(name: str, breathe: tuple[str, ...]) -> list[str]:
    moments = {
        "09:45": ["posture"],
        "10:30": ["neck", "posture"],
        "11:15": ["posture"],
        "12:00": ["neck", "posture"],
        "13:45": ["posture"],
        "14:30": ["neck", "posture"],
        "15:15": ["posture"],
        "16:00": ["neck", "posture"],
        "16:45": ["posture"],
    }
    for moment in breathe:
        moments.setdefault(moment, []).append("breathe")
    return [
        f"{name} {moment} {routine}" for moment in sorted(moments) for routine in moments[moment]
    ]


def test_a_simulated_week_fires_exactly_as_planned(tmp_path: Path) -> None:
    """Monday to Sunday of an office config: lunch gap honoured, a short Friday, weekend silent."""
    events = simulate(config(tmp_path), at(23), at(30))
    friday = [
        "Fri 09:45 posture",
        "Fri 10:30 neck",
        "Fri 10:30 posture",
        "Fri 11:00 breathe",
        "Fri 11:15 posture",
        "Fri 12:00 neck",
        "Fri 12:00 posture",
        "Fri 12:45 posture",
    ]
    assert fired(events) == [
        *workday("Mon", ("11:00", "15:00")),
        *workday("Tue", ()),
        *workday("Wed", ("11:00", "15:00")),
        *workday("Thu", ()),
        *friday,
    ]


def test_routines_due_together_are_guided_in_turn(tmp_path: Path) -> None:
    """Two routines due at 10:30 both start, one after the other, never at once."""
    events = simulate(config(tmp_path), at(23), at(23, 10, 35))
    started = [
        (e.routine, e.at.astimezone(BERLIN).strftime("%H:%M:%S"))
        for e in events
        if e.kind == "routine.started" and e.at >= at(23, 10, 29)
    ]
    completed = [e.at for e in events if e.kind == "routine.completed" and e.at >= at(23, 10, 29)]
    assert started == [("neck", "10:30:00"), ("posture", "10:30:59")]  # after a 10 s breath
    assert completed[0].astimezone(BERLIN).strftime("%H:%M:%S") == "10:30:49"


DST = """
[[routines]]
name = "hourly"
exercises = ["posture-check"]
every = "1h"

[[routines]]
name = "night"
exercises = ["posture-check"]
at = ["02:30", "03:30", "09:00"]
"""


def test_spring_forward_day(tmp_path: Path) -> None:
    """On 29 March 2026 (02:00 -> 03:00 in Berlin): hourly stays hourly in real time, 02:30
    fires once just after the gap and 03:30 does not fire it again, 09:00 is 09:00."""
    day = date(2026, 3, 29)
    events = plan_day(config(tmp_path, DST), day, BERLIN)
    times = [f"{e.at:%H:%M%Z} {e.routine}" for e in events]
    hourly = [t for t in times if t.endswith("hourly")]
    assert hourly[:3] == ["01:00CET hourly", "03:00CEST hourly", "04:00CEST hourly"]
    assert len(hourly) == 22
    assert [t for t in times if t.endswith("night")] == ["03:30CEST night", "09:00CEST night"]


def test_fall_back_day(tmp_path: Path) -> None:
    """On 25 October 2026 (03:00 -> 02:00 in Berlin): 02:30 fires once, hourly fires on both
    02:00s (they are an hour apart), 09:00 is 09:00."""
    day = date(2026, 10, 25)
    with time_machine.travel(datetime(2026, 10, 25, tzinfo=BERLIN), tick=False):
        events = plan_day(config(tmp_path, DST), day, BERLIN)
    times = [f"{e.at:%H:%M%Z} {e.routine}" for e in events]
    hourly = [t for t in times if t.endswith("hourly")]
    assert hourly[:4] == [
        "01:00CEST hourly",
        "02:00CEST hourly",
        "02:00CET hourly",
        "03:00CET hourly",
    ]
    assert len(hourly) == 24
    assert [t for t in times if t.endswith("night")] == [
        "02:30CEST night",
        "03:30CET night",
        "09:00CET night",
    ]


class Harness:
    """The Core on a SimClock, advanced exactly as the daemon's loop advances it."""

    def __init__(
        self,
        cfg: Config,
        start: datetime,
        *,
        absences: list[tuple[datetime, datetime]] | None = None,
        notifier: NullNotifier | None = None,
        dnd: DndSource | None = None,
    ) -> None:
        self.clock = SimClock(start)
        self.events: list[Event] = []
        self.source = Absences(self.clock, absences or [])
        presence = None
        if absences is not None:
            presence = Presence(
                self.source, cfg.schedule.pause_when_idle, cfg.schedule.natural_break
            )
        self.core = Core(
            cfg,
            clock=self.clock,
            outputs=Outputs(notifier or NullNotifier(), dnd=DndWatch(dnd)),
            listeners=(self.events.append,),
            presence=presence,
        )
        self.wakeups = 0

    def run_until(self, end: datetime) -> None:
        while True:
            wait = self.core.next_wakeup()
            if wait is None or self.clock.now() + timedelta(seconds=wait) >= end:
                self.clock.advance_to(end)
                return
            self.clock.advance(wait)
            self.wakeups += 1
            self.core.tick()


def test_eight_hour_suspend_fires_each_routine_once(tmp_path: Path) -> None:
    """Asleep from 09:00 to 17:00 on a Tuesday: on waking each routine that fell due fires
    once, not once per missed interval, and the intervals start again from then."""
    h = Harness(config(tmp_path), at(24, 8))
    h.run_until(at(24, 9, 0))
    h.clock.suspend(8 * 3600)
    h.core.tick()
    h.run_until(at(25, 10, 0))
    assert fired(h.events) == ["Tue 17:00 neck", "Tue 17:00 posture", "Wed 09:45 posture"]


def test_resume_outside_working_hours_fires_nothing(tmp_path: Path) -> None:
    """Waking after working hours fires nothing: reminders wait for the next working day."""
    h = Harness(config(tmp_path), at(24, 8))
    h.run_until(at(24, 9, 0))
    h.clock.suspend(10 * 3600)
    h.core.tick()
    h.run_until(at(25, 9, 50))
    assert fired(h.events) == ["Wed 09:45 posture"]


class Absences:
    """An idle source for a person who is always at the keyboard, except in given absences."""

    name = "scripted"
    finest = 0.0

    def __init__(self, clock: SimClock, absences: list[tuple[datetime, datetime]]) -> None:
        self.clock = clock
        self.absences = absences
        self.asked: list[datetime] = []

    def idle_seconds(self) -> float:
        now = self.clock.now()
        self.asked.append(now)
        for start, end in self.absences:
            if start <= now < end:
                return (now - start).total_seconds()
        return 0.0


IDLE = """
[schedule]
working_hours = ["09:00-17:00"]
pause_when_idle = "2m"
natural_break = "10m"
soft_start = "0s"  # these tests are about absences; the soft start has tests of its own

[[routines]]
name = "posture"
exercises = ["posture-check"]
every = "4m"
"""


def test_ten_minutes_away_at_ten_is_a_natural_break(tmp_path: Path) -> None:
    """Away from 10:01 to 10:11: the reminders due at 10:04 and 10:08 wait, are dropped as
    a break was taken, and the interval restarts from the return."""
    cfg = config(tmp_path, IDLE)
    h = Harness(cfg, at(23, 9), absences=[(at(23, 10, 1), at(23, 10, 11))])
    h.run_until(at(23, 10, 25))
    times = fired(h.events)
    assert times[-6:] == [
        "Mon 09:52 posture",
        "Mon 09:56 posture",
        "Mon 10:00 posture",
        "Mon 10:15 posture",
        "Mon 10:19 posture",
        "Mon 10:23 posture",
    ]
    kinds = [
        (e.kind, e.data.get("reason") or e.data.get("seconds") or e.data.get("away"))
        for e in h.events
        if e.kind in ("routine.held", "break.natural", "presence.back", "routine.skipped")
    ]
    assert kinds == [
        ("routine.held", "idle"),
        ("presence.back", 600),
        ("break.natural", 600),
        ("routine.skipped", "natural-break"),
    ]


def test_a_short_absence_delays_the_reminder_until_the_return(tmp_path: Path) -> None:
    """Away for five minutes (less than a natural break): the due reminder waits, then fires
    once on the return."""
    cfg = config(tmp_path, IDLE)
    h = Harness(cfg, at(23, 9), absences=[(at(23, 9, 30), at(23, 9, 35))])
    h.run_until(at(23, 9, 45))
    assert fired(h.events)[-4:] == [
        "Mon 09:28 posture",
        "Mon 09:35 posture",
        "Mon 09:39 posture",
        "Mon 09:43 posture",
    ]
    reasons = [e.data["reason"] for e in h.events if e.kind == "routine.fired"]
    assert reasons[-3] == "idle-over"


def test_idle_source_is_asked_coarsely(tmp_path: Path) -> None:
    """Over a day with nobody away, the idle source is asked every five minutes of working
    time (half the natural break) and at due reminders, never outside working time; during
    a routine only at the step deadlines the guide has anyway (to tell whether it was done)."""
    cfg = config(tmp_path, IDLE.replace('every = "4m"', 'every = "1h"'))
    h = Harness(cfg, at(23, 0), absences=[])
    h.run_until(at(24, 0))
    source = h.source
    starts = [e.at for e in h.events if e.kind == "routine.started"]
    ends = [e.at for e in h.events if e.kind == "routine.completed"]
    during = [m for m in source.asked if any(s < m <= e for s, e in zip(starts, ends, strict=True))]
    polls = [m for m in source.asked if m not in during]
    assert len(polls) == 8 * 12  # 09:00, 09:05, ... 16:55; the hourly ones coincide
    assert len(set(polls)) == len(polls)  # never twice at the same moment
    assert all(moment.astimezone(BERLIN).hour in range(9, 17) for moment in source.asked)
    deadlines = {e.at for e in h.events if e.kind in ("routine.step", "routine.completed")}
    assert during
    assert set(during) <= deadlines


class Inhibitable(NullNotifier):
    """A notifier whose server is in do-not-disturb mode during a window, and the
    do-not-disturb source that tells so."""

    name = "window"

    def __init__(self, clock: SimClock, start: datetime, end: datetime) -> None:
        super().__init__()
        self.clock, self.start, self.end = clock, start, end

    def active(self) -> bool:
        return self.start <= self.clock.now() < self.end

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        assert not self.active(), "nothing may be shown while do not disturb is on"
        return super().show(note, replaces)


def test_do_not_disturb_postpones_without_losing(tmp_path: Path) -> None:
    """While the notification server is inhibited, due reminders wait; they fire once when
    it ends (within a minute), and none is lost or doubled."""
    cfg = config(tmp_path, IDLE.replace('pause_when_idle = "2m"\nnatural_break = "10m"\n', ""))
    clock_start = at(23, 9)
    notifier = Inhibitable(SimClock(clock_start), at(23, 9, 10), at(23, 9, 30))
    h = Harness(cfg, clock_start, notifier=notifier, dnd=notifier)
    notifier.clock = h.clock
    h.run_until(at(23, 9, 40))
    assert fired(h.events) == [
        "Mon 09:04 posture",
        "Mon 09:08 posture",
        "Mon 09:30 posture",
        "Mon 09:34 posture",
        "Mon 09:38 posture",
    ]
    held = [e for e in h.events if e.kind == "routine.held"]
    assert [e.data["reason"] for e in held] == ["dnd"]


def test_plan_agrees_with_what_the_daemon_fires(tmp_path: Path) -> None:
    """`plan` for a day and the daemon's own loop over that day, on the same simulated clock,
    give the same firings."""
    from tests.test_daemon_loop import run_daemon_for

    cfg = config(tmp_path)
    planned = [f"{e.at:%H:%M} {e.routine}" for e in plan_day(cfg, date(2026, 11, 25), BERLIN)]
    events, _wakes = run_daemon_for(tmp_path / "config.toml", at(25), at(26))
    actual = [
        f"{e.at.astimezone(BERLIN):%H:%M} {e.routine}" for e in events if e.kind == "routine.fired"
    ]
    assert planned == actual
    assert len(planned) == len(workday("Wed", ("11:00", "15:00")))


def test_plans_and_simulations_never_read_the_system_clock(tmp_path: Path) -> None:
    """The simulated clock is the only clock: with the system clock moved decades away the
    simulated week and the planned day come out the same."""
    week = simulate(config(tmp_path), at(23), at(30))
    day = plan_day(config(tmp_path, DST), date(2026, 3, 29), BERLIN)
    with time_machine.travel(datetime(1999, 12, 31, 23, 59, tzinfo=BERLIN), tick=False):
        assert simulate(config(tmp_path), at(23), at(30)) == week
        assert plan_day(config(tmp_path, DST), date(2026, 3, 29), BERLIN) == day
