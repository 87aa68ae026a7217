"""Was the routine done? The judge of a routine played to its end, from how long the person
had been idle at the end of each step where they should have been still."""

from __future__ import annotations

import logging
from collections.abc import Callable

from reminderd.contracts import Outcome
from reminderd.errors import IdleError
from reminderd.idle import IdleSource
from reminderd.model import EXERCISE_KINDS, Step

log = logging.getLogger("reminderd")

# Input in the first moments of a hold (settling into it) does not count as working through it.
HOLD_GRACE = 0.5


def adherence(judged: list[tuple[float, float | None]]) -> Outcome:
    """The outcome of a routine played to its end, from the idle reads at the end of the
    steps where the person should be still: (the step's length as it ran, idle seconds
    then, None when it could not be read). ``completed``: no input during any of them;
    ``worked-through``: input during one; ``played``: nothing known (no idle source)."""
    known = [(length, idle) for length, idle in judged if idle is not None]
    if not known:
        return "played"
    for length, idle in known:
        if idle < length - min(HOLD_GRACE, length / 2):
            return "worked-through"
    return "completed"


def judged_kinds(steps: tuple[Step, ...]) -> frozenset[str]:
    """The steps whose idle time tells whether the routine was done: its holds, or every
    exercise step when it has none."""
    return frozenset({"hold"}) if any(s.kind == "hold" for s in steps) else EXERCISE_KINDS


class Judge:
    """Follows one routine's steps and reads the idle time as each judged step ends."""

    def __init__(
        self,
        steps: tuple[Step, ...],
        monotonic: Callable[[], float],
        source: IdleSource | None,
    ) -> None:
        self._kinds = judged_kinds(steps)
        self._monotonic = monotonic
        self._source = source
        self._judged: list[tuple[float, float | None]] = []  # (step length, idle at its end)
        self._judging: float | None = None  # monotonic start of the step being judged

    def step_began(self, kind: str) -> None:
        """A step began, which ends the one before it."""
        self._step_ended()
        if kind in self._kinds:
            self._judging = self._monotonic()

    def outcome(self) -> Outcome:
        """The routine reached its end: judge its last step, and the whole."""
        self._step_ended()
        return adherence(self._judged)

    def _step_ended(self) -> None:
        """At the deadline that ends a judged step, read how long the person has been idle."""
        if self._judging is None:
            return
        length = self._monotonic() - self._judging
        self._judging = None
        idle: float | None = None
        source = self._source
        # A source that only tells idle times from some length up (Wayland's protocols)
        # cannot judge a shorter step: unknown, rather than "input seen".
        if source is not None and length - HOLD_GRACE >= source.finest:
            try:
                idle = max(0.0, source.idle_seconds())
            except IdleError as error:
                log.info("idle time unknown at the end of a hold (%s)", error)
        self._judged.append((length, idle))
