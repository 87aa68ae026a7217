"""The core's outputs, as one value: where a routine is shown, said and sounded, and the
do-not-disturb switch asked before one starts. Passed to the engine when it is made, and
swapped whole (``Core.use``) when a reload chooses new ones."""

from __future__ import annotations

from dataclasses import dataclass, field

from reminderd.cues import CueChoice, NoCues
from reminderd.dnd import Watch as DndWatch
from reminderd.notify import Notifier
from reminderd.speech import Silent, Speaker


def _no_cues() -> CueChoice:
    return CueChoice(NoCues(), False, "off")


@dataclass(frozen=True, slots=True)
class Outputs:
    notifier: Notifier
    speaker: Speaker = field(default_factory=Silent)
    cues: CueChoice = field(default_factory=_no_cues)
    dnd: DndWatch = field(default_factory=lambda: DndWatch(None))
