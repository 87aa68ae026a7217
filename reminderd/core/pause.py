"""Pause and resume: nothing fires while paused, and the routine on screen waits at its step
for the resume (at most core/held.py's HOLD_LIMIT, then it is cancelled); on resume every
interval restarts now, so no burst of reminders missed while paused.

Keeps when the pause ends, and reports each change through ``emit``; the engine asks it
whether it is paused before anything fires.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from reminderd.clock import Clock
from reminderd.core.absences import Absences
from reminderd.core.outputs import Emit
from reminderd.core.stage import Stage
from reminderd.core.timers import FOREVER, Timers
from reminderd.core.waiting import Waiting


class Pause:
    """Whether reminderd is paused, until when, and what pausing and resuming do."""

    def __init__(
        self,
        clock: Clock,
        timers: Timers,
        stage: Stage,
        waiting: Waiting,
        absences: Absences,
        *,
        emit: Emit,
        iso: Callable[[datetime | None], str | None],
    ) -> None:
        self._clock = clock
        self._timers = timers
        self._stage = stage
        self._waiting = waiting
        self._absences = absences
        self._emit = emit
        self._iso = iso
        self.until: datetime | None = None  # FOREVER: until resumed; None: not paused

    def over(self, now: datetime) -> bool:
        """Whether a pause with an end has reached it."""
        return self.until is not None and now >= self.until

    def end(self) -> datetime | None:
        """While paused, when the pause ends (until resumed: now, as if resumed now); None
        when not paused."""
        if self.until is None:
            return None
        now = self._clock.now()
        return now if self.until == FOREVER else max(now, self.until)

    def pause(self, until: datetime | None = None, reason: str = "cli") -> str | None:
        """Fire nothing until ``until`` (None: until resumed); the routine on screen waits at
        its step for the resume. Return when it ends, as written in events (None: until
        resumed)."""
        self.until = until or FOREVER
        self._stage.hold("paused")
        self._emit("daemon.paused", None, until=self._iso(until), reason=reason)
        return self._iso(until)

    def resume(self, reason: str = "cli") -> bool:
        """Start again; intervals restart now. False if it was not paused."""
        if not self.until:
            return False
        now = self._clock.now()
        self.until = None
        self._timers.drop_expired_snoozes(now)
        self._timers.restart(now)
        self._waiting.released()
        self._absences.plan(now)
        self._emit("daemon.resumed", None, reason=reason)
        self._stage.carry_on()  # a routine held at its step goes on
        return True
