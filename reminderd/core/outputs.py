"""The core's outputs, as one value: where a routine is shown, said and sounded, and what it
asks before one starts (the do-not-disturb switch, the hold sources). Passed to the engine
when it is made, and swapped whole (``Core.use``) when a reload chooses new ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

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


class Outputs(NamedTuple):
    """What the engine shows, says and plays through, and what it asks before it starts.
    The defaults keep no state (a watch of no source never reads one), so every
    ``Outputs`` can share them."""

    notifier: Notifier
    speaker: Speaker = Silent()
    cues: CueChoice = CueChoice(NoCues(), False, "off")
    dnd: DndWatch = DndWatch(None)
    holds: HoldCheck = NoHolds()
