"""The core's part of state.json: the pause, snoozes, skipped occurrences and the day's
skips, written out and read back. Reading is defensive: the file may be old, edited or
damaged, so an entry that is unreadable or already past is ignored, and one beyond the
bounds a command has (a pause of at most 366 days, a snooze of at most 7) is dropped and
said: a date near year 9999 would overflow every computation made from it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from reminderd.contracts import SavedState
from reminderd.core.skips import SkipBudget
from reminderd.core.timers import FOREVER, Timer, Timers
from reminderd.durations import DAY, MAX_PAUSE, MAX_SNOOZE

log = logging.getLogger("reminderd")

# A skipped occurrence is the routine's next one: never further than a year ahead.
MAX_SKIPPED_AHEAD = MAX_PAUSE
MAX_SKIPS_USED = 1000  # skips spent in one day (max_skips_per_day is at most 50)


def export(
    timers: Timers,
    skips: SkipBudget,
    paused_until: datetime | None,
    config: Path | None,
    now: datetime,
) -> SavedState:
    """What must survive a restart: the pause, snoozes and skipped occurrences."""
    paused = None
    if paused_until:
        paused = "forever" if paused_until == FOREVER else paused_until.isoformat()
    return {
        "paused_until": paused,
        # Snoozes and skips belong to the config they were made under.
        "config": str(config) if config else None,
        "snoozed": {
            n: t.snoozed_until.isoformat()
            for n, t in timers.items()
            if t.snoozed_until and t.snoozed_until > now
        },
        "skipped_through": {
            n: t.skipped_through.isoformat()
            for n, t in timers.items()
            if t.skipped_through and t.skipped_through > now
        },
        "skips": {n: [day, used] for n, (day, used) in skips.export().items()},
    }


def restore(
    state: Mapping[str, object],
    timers: Timers,
    skips: SkipBudget,
    *,
    config: Path | None,
    now: datetime,
    today: str,
) -> tuple[datetime | None, list[str]]:
    """Apply a saved state to ``timers`` and ``skips``; return the pause it holds (None if
    not paused, FOREVER until resumed) and what was dropped as out of range, in words
    (each also logged)."""
    dropped: list[str] = []
    paused = state.get("paused_until")
    paused_until = None
    if paused == "forever":
        paused_until = FOREVER
    else:
        paused_until = _ahead(paused, now, MAX_PAUSE, "the pause", dropped)
    made_under = state.get("config")
    here = str(config) if config else None
    if made_under is not None and made_under != here:
        log.info(
            "snoozes and skips of %s dropped: they were made under another config (%s)",
            here,
            made_under,
        )
        return paused_until, dropped
    for key, apply, most in (
        ("snoozed", _restore_snooze, MAX_SNOOZE),
        ("skipped_through", _restore_skip, MAX_SKIPPED_AHEAD),
    ):
        entries = state.get(key)
        for name, text in entries.items() if isinstance(entries, dict) else ():
            what = f"{key.replace('_', ' ')} {name}"
            if name in timers and (moment := _ahead(text, now, most, what, dropped)):
                apply(timers[name], moment)
    spent = state.get("skips")
    for name, entry in spent.items() if isinstance(spent, dict) else ():
        match entry:
            case [str(day), int(used)] if day == today and 0 <= used <= MAX_SKIPS_USED:
                skips.restore(name, day, used)
            case [str(day), int(used)] if day == today:
                _drop(dropped, f"skips of {name}: {used} is not a count of skips")
    timers.recompute_all()
    return paused_until, dropped


def _ahead(
    text: object, now: datetime, most: float, what: str, dropped: list[str]
) -> datetime | None:
    """The moment ``text`` names if it is ahead of ``now`` by at most ``most`` seconds;
    None if it is unreadable or past (ignored), or further (dropped, and said)."""
    moment = _parse_time(text)
    if moment is None:
        return None
    try:
        ahead = (moment - now).total_seconds()
    except OverflowError:  # past year 9999 once in UTC
        ahead = float("inf")
    if ahead <= 0:
        return None
    if ahead > most:
        _drop(dropped, f"{what} until {text} is more than {most / DAY:g} days away")
        return None
    return moment


def _drop(dropped: list[str], what: str) -> None:
    log.warning("saved state: %s; dropped", what)
    dropped.append(what)


def _parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _restore_snooze(timer: Timer, moment: datetime) -> None:
    timer.snoozed_until = moment


def _restore_skip(timer: Timer, moment: datetime) -> None:
    timer.skipped_through = moment
    timer.counted_from = max(timer.counted_from, moment)
    timer.at_after = max(timer.at_after, moment)
