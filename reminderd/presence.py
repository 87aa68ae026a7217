"""Is the person at the computer? Absences, returns and natural breaks, from an idle source
that is asked only when it matters.

Two settings use it. ``pause_when_idle``: a reminder that falls due while the person has
been idle at least that long waits until they are back. ``natural_break``: an absence at
least that long counts as a break taken, and restarts the intervals.

An absence can only be measured by looking: the idle counter starts again from zero the
moment the person returns. So with ``natural_break`` set, the idle time is sampled every
half ``natural_break`` during working time; once someone has been idle for one sampling
period they are "away", and then it is checked every 30 seconds (``core.Polls``) until
they return. An absence of at least ``natural_break`` is therefore always seen, and
measured to within 30 seconds. Without ``natural_break`` the source is asked only when a
reminder is due.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple

from reminderd.idle import IdleError, IdleSource, read

TYPE_CHECKING = False
if TYPE_CHECKING:
    from reminderd.contracts import IdleStatus

log = logging.getLogger("reminderd")

MIN_SAMPLE = 30.0


class Observation(NamedTuple):
    """One reading of the person's presence: how long idle, and whether they just came back."""

    idle: float  # seconds idle as "away" counts them: none while an idle inhibitor is on
    returned_after: float | None = None  # set when the person just came back: the absence
    input_idle: float | None = None  # seconds since the last key or pointer input


class Presence:
    """Tracks absences from idle-time observations."""

    def __init__(
        self,
        source: IdleSource | None,
        pause_when_idle: float | None,
        natural_break: float | None,
        note: str = "",
    ) -> None:
        self.source = source
        self.pause_after = pause_when_idle
        self.break_after = natural_break
        self.note = note
        self.away_since: datetime | None = None
        self.next_check: datetime | None = None
        self._error: str | None = None
        # One question per moment is enough: (when, idle as away counts it, input idle).
        self._last: tuple[datetime, float, float | None] | None = None

    @property
    def enabled(self) -> bool:
        return self.source is not None and bool(self.pause_after or self.break_after)

    @property
    def sample_every(self) -> float | None:
        """How often to look when nobody is away, or None if only due reminders look."""
        return max(MIN_SAMPLE, self.break_after / 2) if self.break_after else None

    @property
    def away_after(self) -> float:
        """Idle this long and the person counts as away (and is checked on until back)."""
        limits = [x for x in (self.pause_after, self.sample_every) if x]
        return min(limits) if limits else float("inf")

    def observe(self, now: datetime) -> Observation | None:
        """Ask the idle source; None if there is none or it cannot answer (logged once, not
        fatal). Idle time that only an idle inhibitor caused (a film, a call) is not an
        absence: the source's reading says so where it can (``idle.read``)."""
        if self.source is None:
            return None
        if self._last and self._last[0] == now:
            return Observation(self._last[1], input_idle=self._last[2])
        try:
            reading = read(self.source)
        except IdleError as error:
            if str(error) != self._error:
                log.warning("idle time unknown (%s); treating the person as present", error)
                self._error = str(error)
            return None
        if self._error:
            log.info("idle time is known again (%s)", self.source.name)
            self._error = None
        idle = max(0.0, reading.away_idle)
        typed = None if reading.input_idle is None else max(0.0, reading.input_idle)
        self._last = (now, idle, typed)
        last_input = now - timedelta(seconds=idle)
        if self.away_since is not None:
            if last_input > self.away_since + timedelta(seconds=1):
                absence = (last_input - self.away_since).total_seconds()
                self.away_since = None
                return Observation(idle, returned_after=absence, input_idle=typed)
            return Observation(idle, input_idle=typed)
        if self.enabled and idle >= self.away_after:
            self.away_since = last_input
        return Observation(idle, input_idle=typed)

    def plan_check(
        self, now: datetime, away_poll: float, working: Callable[[datetime], datetime | None]
    ) -> None:
        """When to look next without a routine due: every ``away_poll`` seconds while the
        person is away, else one sampling period ahead; ``working`` moves either to when
        working time next begins (nobody is watched at night). Never when only due
        routines look."""
        if not self.enabled:
            self.next_check = None
        elif self.away_since is not None:
            self.next_check = working(now + timedelta(seconds=away_poll))
        elif self.sample_every:
            self.next_check = working(now + timedelta(seconds=self.sample_every))
        else:
            self.next_check = None

    def forget_absence(self) -> None:
        """After a suspend or a clock change an absence under way can no longer be measured."""
        self.away_since = None

    def status(self) -> IdleStatus:
        return {
            "source": self.source.name if self.source else None,
            "note": self.note,
            "pause_when_idle": self.pause_after,
            "natural_break": self.break_after,
            "away_since": self.away_since.isoformat(timespec="seconds")
            if self.away_since
            else None,
        }
