"""Absences, as the engine acts on them: a return from one, an absence long enough to be a
natural break (intervals restart, held reminders go), and when to read the idle time next.

What an idle reading means (away, back, for how long) is ``reminderd.presence``'s job; this
acts on it and reports through ``emit``. It holds the Presence, swapped whole on a reload.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from reminderd import scheduler
from reminderd.contracts import SOURCE_REASONS
from reminderd.core.outputs import Emit
from reminderd.core.polls import Polls
from reminderd.core.timers import Timers
from reminderd.core.waiting import Waiting
from reminderd.presence import Observation, Presence


class Absences:
    """Acts on idle observations, and plans the next one."""

    def __init__(
        self,
        presence: Presence,
        timers: Timers,
        waiting: Waiting,
        *,
        emit: Emit,
        polls: Polls,
        zone: Callable[[], tzinfo],
    ) -> None:
        self.presence = presence
        self._timers = timers
        self._waiting = waiting
        self._emit = emit
        self._polls = polls
        self._zone = zone

    def look(self, now: datetime) -> None:
        """Read the idle time if it is time to, and act on what it shows."""
        presence = self.presence
        if presence.next_check and now >= presence.next_check:
            self.seen(now, presence.observe(now))

    def seen(self, now: datetime, seen: Observation | None) -> None:
        """Act on an idle observation: a return, perhaps a natural break; plan the next look."""
        presence = self.presence
        if seen and seen.returned_after is not None:
            self._emit("presence.back", None, away=round(seen.returned_after))
            # Time held by a call, a screen share or a film was not a break from the screen.
            watching = any(t.held in SOURCE_REASONS for t in self._timers.held())
            long_enough = presence.break_after and seen.returned_after >= presence.break_after
            if long_enough and not watching:
                self._natural_break(now, seen.returned_after)
        self.plan(now)

    def _natural_break(self, now: datetime, seconds: float) -> None:
        """An absence long enough to count as a break: intervals restart, waiting reminders go."""
        self._emit("break.natural", None, seconds=round(seconds))
        self._waiting.released()  # those asked for by hand still wait for their hold to end
        for timer in self._timers.held():
            self._emit("routine.skipped", timer.routine.name, reason="natural-break")
        self._timers.restart(now)

    def plan(self, now: datetime) -> None:
        """When to read the idle time next (within working time only)."""
        schedule, zone = self._timers.schedule, self._zone()
        self.presence.plan_check(
            now, self._polls.away, lambda soon: scheduler.next_working(schedule, soon, zone)
        )

    def use(self, presence: Presence, now: datetime) -> None:
        """New idle awareness, chosen after a reload."""
        self.presence = presence
        self.plan(now)

    def forget(self, now: datetime) -> None:
        """After a suspend or a clock change: an absence under way is not measured across it."""
        self.presence.forget_absence()
        self.plan(now)
