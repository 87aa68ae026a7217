"""May due routines start now? The gate samples what is known, in order of cost, and asks
the pure decision (``reminderd.holds.decide``) what to do.

Sampling order: nothing while a routine is on screen (the due ones queue behind it); the
idle time (one read); do-not-disturb only when the person is not away; the hold sources
(calls, screen shares, full screen, idle inhibitors: up to 200 ms each; those that run a
subprocess start together, so their waits overlap) only when neither applies. The
decision module is imported on the first check, so an idle daemon never loads it, nor the
sources.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from reminderd.contracts import SOURCE_REASONS, Asked, SourceReason
from reminderd.presence import Observation, Presence

if TYPE_CHECKING:
    from reminderd.core.outputs import Outputs
    from reminderd.holds.decide import Fire, Held


class Gate:
    """Samples and decides; remembers only how long a routine has waited for a pause in
    typing, which the decision needs back."""

    def __init__(
        self,
        monotonic: Callable[[], float],
        hold_during: frozenset[SourceReason] = frozenset(SOURCE_REASONS),
        soft_start: float | None = None,
    ) -> None:
        self._monotonic = monotonic
        self.hold_during = hold_during
        self.soft_start = soft_start
        self._typing_since: float | None = None

    def check(
        self,
        asked: Asked,
        *,
        busy: bool,
        now: datetime,
        presence: Presence,
        outputs: Outputs,
    ) -> tuple[Fire | Held, Observation | None]:
        """The decision for routines due now (or asked for), and the idle observation made
        for it, if one was (the engine acts on a return from an absence)."""
        from reminderd.holds.decide import Held, Moment, decide  # noqa: PLC0415 - when due

        moment = Moment(now=self._monotonic(), asked=asked, busy=busy)
        if busy or asked == "now":
            return decide(moment), None
        seen = presence.observe(now)
        moment = moment._replace(
            away_idle=seen.idle if seen else None,
            input_idle=seen.input_idle if seen else None,
            pause_when_idle=presence.pause_after,
        )
        scheduled = asked == "schedule"
        if scheduled:
            early = decide(moment)
            if isinstance(early, Held) and early.reason == "idle":
                self._typing_since = None
                return early, seen  # away: neither do-not-disturb nor the sources matter
            dnd = outputs.dnd
            if dnd.active():
                self._typing_since = None
                on = moment._replace(dnd=dnd.source.name if dnd.source else "on")
                return decide(on), seen
        moment = moment._replace(
            answers=outputs.holds.ask(),
            hold_during=self.hold_during,
            soft_start=self.soft_start,
            typing_since=self._typing_since,
        )
        verdict = decide(moment)
        self._typing_since = None
        if isinstance(verdict, Held) and verdict.reason == "typing":
            self._typing_since = verdict.typing_since
        return verdict, seen
