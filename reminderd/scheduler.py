"""When is a routine due? Pure functions of the config, a time zone and a moment.

Rules, in one place (the daemon, ``reminderd plan`` and the tests all ask these functions):

* Working time is the union of the day's working ranges, in local wall time. A wall time
  that does not exist on a daylight-saving day is read with the offset from before the
  change, so it lands as far after the change as it was after the gap's start: where clocks
  jump from 02:00 to 03:00, "02:30" is 03:30 (a range "02:30-05:00" starts then, an ``at``
  time fires then). A time that happens twice (autumn) is taken the first time only.
* ``every`` counts working time only: it pauses outside working hours (a lunch gap) and
  restarts at the first working range of each day (unless that range runs on from the day
  before without a gap, as with all-day hours).
* ``at`` times fire on the routine's days, and only inside working time.

All moments are timezone-aware; arithmetic happens on absolute time (UTC), so an interval
is as long on the day the clocks change as on any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from reminderd.durations import parse_clock
from reminderd.model import Trigger, WorkSchedule

HORIZON_DAYS = 14  # look this far ahead for the next working time; beyond it, "never"


def instant(day: date, moment: time, zone: tzinfo) -> datetime:
    """The absolute time of wall time ``moment`` on ``day`` (``time.max`` means midnight after)."""
    if moment == time.max:
        return instant(day + timedelta(days=1), time(0, 0), zone)
    local = datetime.combine(day, moment, tzinfo=zone)
    # fold=0 picks the first of two repeated times; for a time skipped by a spring-forward
    # change it applies the offset from before the change: 02:30 in a gap from 02:00 to
    # 03:00 lands at 03:30.
    return local.astimezone(timezone.utc)


def local_date(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def working_ranges(
    schedule: WorkSchedule, day: date, zone: tzinfo, days: frozenset[int] | None = None
) -> list[tuple[datetime, datetime]]:
    """The day's working ranges as absolute times, optionally limited to a routine's days."""
    if days is not None and day.weekday() not in days:
        return []
    ranges = []
    for start, end in schedule.ranges_on(day.weekday()):
        begin, finish = instant(day, start, zone), instant(day, end, zone)
        if end < start:  # across midnight: it ends the next morning
            finish = instant(day + timedelta(days=1), end, zone)
        if finish > begin:
            ranges.append((begin, finish))
    return ranges


def _ranges_from(
    schedule: WorkSchedule, moment: datetime, zone: tzinfo, days: frozenset[int] | None
) -> Iterator[tuple[datetime, datetime, bool]]:
    """Working ranges that end after ``moment``, in order, each with "starts a new working
    day" (the first range of a day that does not run on from the day before)."""
    moment = moment.astimezone(timezone.utc)
    first_day = local_date(moment, zone) - timedelta(days=1)
    previous_end: datetime | None = None
    for offset in range(HORIZON_DAYS + 2):
        day = first_day + timedelta(days=offset)
        for position, (start, end) in enumerate(working_ranges(schedule, day, zone, days)):
            new_day = position == 0 and previous_end != start
            previous_end = end
            if end > moment:
                yield start, end, new_day


def is_working(schedule: WorkSchedule, moment: datetime, zone: tzinfo) -> bool:
    return working_end(schedule, moment, zone) is not None


def next_working(
    schedule: WorkSchedule, moment: datetime, zone: tzinfo, days: frozenset[int] | None = None
) -> datetime | None:
    """``moment`` if it is working time, else the start of the next working range."""
    for start, _end, _ in _ranges_from(schedule, moment, zone, days):
        return max(start, moment.astimezone(timezone.utc))
    return None


def working_end(schedule: WorkSchedule, moment: datetime, zone: tzinfo) -> datetime | None:
    """The end of the working range that contains ``moment`` (None if it is not working time)."""
    for start, end, _ in _ranges_from(schedule, moment, zone, None):
        return end if start <= moment else None
    return None


def interval_due(
    schedule: WorkSchedule, trigger: Trigger, counted_from: datetime, zone: tzinfo
) -> datetime | None:
    """When ``trigger.every`` of working time will have passed since ``counted_from``."""
    if trigger.every is None:
        return None
    counted_from = counted_from.astimezone(timezone.utc)  # arithmetic on absolute time
    every = timedelta(seconds=trigger.every)
    remaining = every
    cursor = counted_from
    for start, end, new_day in _ranges_from(schedule, counted_from, zone, trigger.days):
        if new_day and start > counted_from:
            remaining = every  # a new working day: the count starts again
        begin = max(start, cursor)
        if begin + remaining < end:  # a reminder at closing time would fire outside working time
            return begin + remaining
        remaining -= end - begin
        cursor = end
    return None


def at_due(
    schedule: WorkSchedule, trigger: Trigger, after: datetime, zone: tzinfo
) -> datetime | None:
    """The first ``at`` time strictly after ``after`` that falls on the routine's days and
    inside working time."""
    if not trigger.at:
        return None
    first_day = local_date(after, zone)
    for offset in range(HORIZON_DAYS + 1):
        day = first_day + timedelta(days=offset)
        # The day's own ranges, and last night's that runs on into this morning.
        ranges = working_ranges(schedule, day, zone, trigger.days) + working_ranges(
            schedule, day - timedelta(days=1), zone, trigger.days
        )
        for moment in trigger.at:
            when = instant(day, moment, zone)
            if when > after and any(start <= when < end for start, end in ranges):
                return when
    return None


def next_due(
    schedule: WorkSchedule,
    trigger: Trigger,
    counted_from: datetime,
    at_after: datetime,
    zone: tzinfo,
) -> datetime | None:
    """The earlier of the interval and the ``at`` times."""
    candidates = [
        moment
        for moment in (
            interval_due(schedule, trigger, counted_from, zone),
            at_due(schedule, trigger, at_after, zone),
        )
        if moment is not None
    ]
    return min(candidates) if candidates else None


def until(schedule: WorkSchedule, text: str, now: datetime, zone: tzinfo) -> datetime:
    """The end of `pause --until TEXT`: the next "HH:MM" (today, else tomorrow), "24:00"
    (the coming midnight), or "tomorrow" (the start of tomorrow's working hours).
    DurationError for anything else."""
    local = now.astimezone(zone)
    if text == "tomorrow":
        midnight = instant(local.date() + timedelta(days=1), time(0, 0), zone)
        return next_working(schedule, midnight, zone) or midnight
    moment = time.max if text.strip() == "24:00" else parse_clock(text)
    end = instant(local.date(), moment, zone)
    return end if end > now else instant(local.date() + timedelta(days=1), moment, zone)
