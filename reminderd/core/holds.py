"""May a due routine start now? One pure decision over what was sampled at that moment.

The engine samples (the idle time, do-not-disturb...) and acts; this module only decides,
so every rule is a line here and a unit test, and new reasons to wait are new inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from reminderd.contracts import HoldReason


@dataclass(frozen=True, slots=True)
class Sample:
    """What is known when routines are due. ``None`` means not known, or not asked: the
    engine does not ask do-not-disturb when the person is already known to be away."""

    busy: bool  # a routine is on screen or asking: the person is here, and new ones queue
    idle: float | None = None  # seconds since the last input
    away_after: float | None = None  # ``pause_when_idle``
    dnd: bool | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    """Wait, and look again later."""

    reason: HoldReason


FIRE = None  # the decision that lets the due routines start


def away(sample: Sample) -> bool:
    """Idle at least ``pause_when_idle``: the person is not at the computer."""
    return (
        sample.idle is not None
        and sample.away_after is not None
        and (sample.idle >= sample.away_after)
    )


def decide(sample: Sample) -> Hold | None:
    """Hold while the person is away or do-not-disturb is on; otherwise fire (None).
    A routine that becomes due while another runs is queued behind it, never held: the
    person is at the computer, doing one already."""
    if sample.busy:
        return FIRE
    if away(sample):
        return Hold("idle")
    if sample.dnd:
        return Hold("dnd")
    return FIRE
