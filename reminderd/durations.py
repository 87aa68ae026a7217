"""Durations ("90s", "45m", "1h30m") and times of day ("14:00"): read and written in one place."""

from __future__ import annotations

import functools
from datetime import time

from reminderd.errors import DurationError
from reminderd.i18n.said import Said, said, said_plural

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `reminderd status` need not import typing
if TYPE_CHECKING:
    import re

_UNITS = {"h": 3600, "m": 60, "s": 1}


@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    """Compiled on first use: `reminderd status` formats durations but never reads one,
    and need not load the regular-expression engine for that."""
    import re  # noqa: PLC0415

    return re.compile(
        {
            "number": r"\d+(?:\.\d+)?",
            "part": r"(\d+(?:\.\d+)?)\s*([hms])",
            "whole": r"\s*(?:\d+(?:\.\d+)?\s*[hms]\s*)+",
            "clock": r"\s*(\d{1,2}):(\d{2})\s*",
            # "1h30", "2m30": a last number without its unit, after hours or minutes
            "tail": r"(.*[hm])\s*(\d+(?:\.\d+)?)\s*",
        }[name]
    )


DURATION_HINT = said('write it like "90s", "45m" or "1h30m"')

# Bounds on what a person or a file can ask for, each with the reason it has that size.
DAY = 86400.0
MAX_PAUSE = 366 * DAY  # a pause of a year is a holiday; longer is `reminderd pause` (no end)
MAX_SNOOZE = 7 * DAY  # a snooze postpones one reminder; longer belongs to pause or skip
CLOCK_HINT = said('write it as 24-hour HH:MM, like "09:00" or "14:30"')


def parse_duration(text: str, *, zero: bool = False) -> float:
    """Return the number of seconds in ``text``; raise DurationError if it is not a duration.

    Units are h, m and s, combined largest first ("1h30m", "2m30s"); the last unit may be
    left out after a larger one, as people write it ("1h30" is 1h30m, "2m30" is 2m30s). A
    bare number is refused on purpose: "10" could mean seconds or minutes, so the message
    asks for a unit.
    With ``zero``, "0s" is a length too (a setting that "0s" turns off).
    """
    if not isinstance(text, str):
        raise DurationError(
            wrong(said("{value} is not a duration", value=repr(text)), DURATION_HINT)
        )
    lowered = text.strip().lower()
    if _pattern("number").fullmatch(lowered):
        fix = said('write "{number}s" or "{number}m"', number=lowered)
        raise DurationError(wrong(said('"{value}" has no unit', value=text), fix))
    if tail := _pattern("tail").fullmatch(lowered):
        lowered = tail.group(1) + tail.group(2) + {"h": "m", "m": "s"}[tail.group(1)[-1]]
    if not _pattern("whole").fullmatch(lowered):
        raise DurationError(wrong(said('"{value}" is not a duration', value=text), DURATION_HINT))
    parts = _pattern("part").findall(lowered)
    units = [unit for _, unit in parts]
    if len(set(units)) != len(units) or units != sorted(units, key="hms".index):
        problem = said('"{value}" repeats or mixes up its units', value=text)
        raise DurationError(wrong(problem, DURATION_HINT))
    seconds = sum(float(number) * _UNITS[unit] for number, unit in parts)
    if seconds < 0 or (seconds == 0 and not zero):
        problem = said('"{value}" must be longer than zero', value=text)
        raise DurationError(wrong(problem, DURATION_HINT))
    return seconds


def wrong(problem: str, fix: str) -> Said:
    """A DurationError's message: "what is wrong: how to fix it" (``split_fix`` of the
    config reader takes the halves apart again)."""
    return said("{problem}: {fix}", problem=problem, fix=fix)


def bounded(seconds: float, maximum: float, what: str, fix: str = "") -> float:
    """``seconds`` if it is a finite length above zero and at most ``maximum``; otherwise a
    DurationError that says the limit (and ``fix``, what to do instead)."""
    if not 0 < seconds <= maximum:  # NaN fails both comparisons
        limit: str = format_duration(maximum)
        if maximum >= DAY and maximum % DAY == 0:
            count = round(maximum / DAY)
            limit = said_plural(count, "{count} day", "{count} days")
        problem = said(
            "{what} must be longer than zero and at most {limit}", what=what, limit=limit
        )
        raise DurationError(wrong(problem, fix) if fix else problem)
    return seconds


def format_duration(seconds: float) -> str:
    """Write ``seconds`` the way parse_duration reads it: 5400 -> "1h30m", 42 -> "42s"."""
    if seconds <= 0:
        return "0s"
    if seconds < 60 and seconds != int(seconds):
        return f"{seconds:g}s"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = ""
    if hours:
        text += f"{hours}h"
    if minutes:
        text += f"{minutes}m"
    if secs:
        text += f"{secs}s"
    return text


def parse_clock(text: str) -> time:
    """Return the time of day in "HH:MM"; raise DurationError if it is not one."""
    match = _pattern("clock").fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise DurationError(wrong(said('"{value}" is not a time of day', value=text), CLOCK_HINT))
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise DurationError(wrong(said('"{value}" is not a time of day', value=text), CLOCK_HINT))
    return time(hour, minute)


def parse_range(text: str) -> tuple[time, time]:
    """Return the start and end of a "09:00-12:30" range; "24:00" may end one, and one that
    ends before it starts ("22:00-06:00") runs across midnight."""
    if not isinstance(text, str) or text.count("-") != 1:
        problem = said('"{value}" is not a time range', value=text)
        raise DurationError(wrong(problem, said('write it like "09:00-12:30"')))
    start_text, end_text = (part.strip() for part in text.split("-"))
    start = parse_clock(start_text)
    end = time.max if end_text == "24:00" else parse_clock(end_text)
    if end == start:
        problem = said('"{value}" is empty', value=text)
        raise DurationError(wrong(problem, said("its start and end are the same time")))
    # An end before the start is a range across midnight ("22:00-06:00", a night shift),
    # counted on the day it starts.
    return start, end


def format_range(start: time, end: time) -> str:
    """Write a working range the way parse_range reads it: "09:00-12:30", "22:00-24:00"."""
    finish = "24:00" if end == time.max else f"{end:%H:%M}"
    return f"{start:%H:%M}-{finish}"
