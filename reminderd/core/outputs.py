"""The core's outputs, as one value: where a routine is shown, said and sounded, and what it
asks before one starts (the do-not-disturb switch, the hold sources). Passed to the engine
when it is made, and swapped whole (``Core.use``) when a reload chooses new ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from reminderd.cues import CueChoice, NoCues
from reminderd.dnd import Watch as DndWatch
from reminderd.notify import Notifier
from reminderd.speech import Silent, Speaker

Emit = Callable[..., None]  # emit(kind, routine, **data): the core's events, reported

if TYPE_CHECKING:
    from reminderd.contracts import SourceStatus
    from reminderd.holds.port import Answer


class HoldCheck(Protocol):
    """The port to the hold sources (calls, screen shares, full screen, inhibitors)."""

    def ask(self) -> tuple[Answer, ...]:
        """Every source's answer now; never raises."""

    def status(self) -> list[SourceStatus]:
        """Every source considered, with its last answer."""


class NoHolds:
    """Nothing holds a routine back: a plan, a test, `run --here`."""

    def ask(self) -> tuple[Answer, ...]:
        return ()

    def status(self) -> list[SourceStatus]:
        return []


def _no_cues() -> CueChoice:
    return CueChoice(NoCues(), False, "off")


@dataclass(frozen=True, slots=True)
class Outputs:
    """What the engine shows, says and plays through, and what it asks before it starts."""

    notifier: Notifier
    speaker: Speaker = field(default_factory=Silent)
    cues: CueChoice = field(default_factory=_no_cues)
    dnd: DndWatch = field(default_factory=lambda: DndWatch(None))
    holds: HoldCheck = field(default_factory=NoHolds)
