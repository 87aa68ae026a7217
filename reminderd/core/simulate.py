"""The core on a simulated clock: a day's plan, or a month, computed in moments."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from reminderd import scheduler
from reminderd.clock import SimClock
from reminderd.core.engine import Core, Listener
from reminderd.core.outputs import Outputs
from reminderd.model import Config, Event
from reminderd.notify import NullNotifier


def simulate(
    config: Config, start: datetime, end: datetime, listeners: tuple[Listener, ...] = ()
) -> list[Event]:
    """Run the core from ``start`` to ``end`` on a SimClock and return what happened.

    Exactly what the daemon would do with nobody pausing, snoozing or going idle: the
    same Core, the same scheduler, guides that take their real (simulated) time.
    """
    events: list[Event] = []
    clock = SimClock(start)
    core = Core(
        config,
        clock=clock,
        outputs=Outputs(NullNotifier()),
        listeners=(events.append, *listeners),
    )
    while True:
        wait = core.next_wakeup()
        if wait is None or clock.now() + timedelta(seconds=wait) >= end:
            break
        clock.advance(wait)
        core.tick()
    return events


def plan_day(config: Config, day: date, zone: tzinfo) -> list[Event]:
    """Every firing on ``day``, from a daemon running since the day began, with nobody
    pausing, snoozing or going idle: the same Core and scheduler the daemon uses."""
    start = scheduler.instant(day, time(0, 0), zone).astimezone(zone)
    end = scheduler.instant(day + timedelta(days=1), time(0, 0), zone)
    return [event for event in simulate(config, start, end) if event.kind == "routine.fired"]
