"""Suspend, resume and clock changes: noticed when the wall clock moves by more than the
monotonic one (which stands still while the machine sleeps), and caught up after. The
routine on screen goes, every interval restarts, and each routine that fell due meanwhile
comes once, through the gate like any due routine (not over a call, nor through
do-not-disturb).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from reminderd import scheduler
from reminderd.clock import Clock
from reminderd.core.absences import Absences
from reminderd.core.stage import Stage
from reminderd.core.timers import Timers

log = logging.getLogger("reminderd")

JUMP_THRESHOLD = 30.0  # seconds of disagreement between wall and monotonic clocks


class Jumps:
    """Watches the two clocks agree, and catches up when they do not."""

    def __init__(
        self, clock: Clock, timers: Timers, stage: Stage, absences: Absences, now: datetime
    ) -> None:
        self._clock = clock
        self._timers = timers
        self._stage = stage
        self._absences = absences
        self._last_wall, self._last_mono = now, clock.monotonic()

    def moved(self, now: datetime) -> float | None:
        """How far the wall clock moved beyond the monotonic one since the last look, when
        that is a suspend, a resume or a clock change; None when the two agree."""
        mono = self._clock.monotonic()
        expected = self._last_wall + timedelta(seconds=mono - self._last_mono)
        self._last_wall, self._last_mono = now, mono
        gap = (now - expected).total_seconds()
        return gap if abs(gap) >= JUMP_THRESHOLD else None

    def catch_up(self, gap: float, *, paused: bool) -> None:
        """After a suspend or clock change of ``gap`` seconds: abandon the routine being
        guided, restart every interval, and mark each routine that fell due meanwhile (and
        not within a natural break, nor while paused or outside working time) due now, once:
        the next tick's firing decides."""
        now = self._clock.now()
        log.info("the clock moved %+.0f s (suspend, resume or clock change)", gap)
        self._stage.drop("suspend")
        schedule = self._timers.schedule
        natural = schedule.natural_break
        was_break = gap > 0 and natural is not None and gap >= natural
        working = scheduler.is_working(schedule, now, self._clock.zone())
        missed = []
        if not paused and not was_break and working:
            missed = [t for t in self._timers.values() if t.due and t.due <= now]
        self._timers.restart(now, use_up_times=gap > 0)
        for timer in missed:
            timer.due, timer.missed = now, True
        self._absences.forget(now)
        self._stage.start_next()
