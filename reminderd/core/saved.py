"""The core's part of state.json: the pause, snoozes, skipped occurrences and the day's
skips, written out and read back. Reading is defensive: the file may be old, edited or
damaged, so an entry that is unreadable or already past is ignored."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from reminderd.contracts import SavedState
from reminderd.core.skips import SkipBudget
from reminderd.core.timers import FOREVER, Timer, Timers

log = logging.getLogger("reminderd")


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
) -> datetime | None:
    """Apply a saved state to ``timers`` and ``skips``; return the pause it holds (None if
    not paused, FOREVER until resumed)."""
    paused = state.get("paused_until")
    paused_until = None
    if paused == "forever":
        paused_until = FOREVER
    elif (until := _parse_time(paused)) and until > now:
        paused_until = until
    made_under = state.get("config")
    here = str(config) if config else None
    if made_under is not None and made_under != here:
        log.info(
            "snoozes and skips of %s dropped: they were made under another config (%s)",
            here,
            made_under,
        )
        return paused_until
    for key, apply in (("snoozed", _restore_snooze), ("skipped_through", _restore_skip)):
        entries = state.get(key)
        for name, text in entries.items() if isinstance(entries, dict) else ():
            moment = _parse_time(text)
            if name in timers and moment and moment > now:
                apply(timers[name], moment)
    spent = state.get("skips")
    for name, entry in spent.items() if isinstance(spent, dict) else ():
        match entry:
            case [str(day), int(used)] if day == today:
                skips.restore(name, day, used)
    timers.recompute_all()
    return paused_until


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
