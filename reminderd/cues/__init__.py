"""Sound cues: a short sound that says "hold", "switch", "release" or "done" to a person who
is not looking at the screen.

The sounds are reminderd's own (``sounds/``, made by ``make``), so that none is mistaken for
another program's: the freedesktop theme's ``message`` is what chat programs play. Where
the notification server plays sounds itself (it lists the ``sound`` capability, as GNOME
Shell does) the file travels with the notification as its ``sound-file`` hint; elsewhere
a player plays it in a process of its own (``players``), chosen by what really plays
here (``choose``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, NamedTuple, Protocol

from reminderd.model import Step

Cue = Literal["hold", "switch", "release", "done"]
FOLDER = Path(__file__).with_name("sounds")
SOUNDS: dict[Cue, Path] = {
    cue: FOLDER / f"{cue}.wav" for cue in ("hold", "switch", "release", "done")
}


def cue_for(steps: tuple[Step, ...], index: int) -> Cue | None:
    """The cue when step ``index`` starts: the end, a hold, the release after a hold, a
    change of side or repetition; None for the intro, lead-ins and plain movements."""
    step = steps[index]
    if step.kind == "done":
        return "done"
    if step.kind == "hold":
        return "hold"
    previous = steps[index - 1] if index > 0 else None
    if previous is not None and previous.kind == "hold" and step.exercising:
        return "release"
    before = next((s for s in reversed(steps[:index]) if s.exercising), None)
    changed = before is not None and (before.side, before.progress) != (step.side, step.progress)
    return "switch" if step.exercising and changed else None


class Cues(Protocol):
    """The port that plays a cue's sound."""

    @property
    def name(self) -> str:
        """The player in use now, or "off"."""

    @property
    def trouble(self) -> str | None:
        """What went wrong with a player ("pw-play exited 1 at 10:31"), if anything: the
        reason it is off, or why another plays now. Looks at players that have ended,
        without waiting."""

    def play(self, cue: Cue) -> None:
        """Start the sound of ``cue``; never waits for it."""

    def stop(self) -> None:
        """End every sound still playing (the routine was withdrawn); never waits."""


class NoCues:
    name = "off"
    trouble = None

    def play(self, cue: Cue) -> None:
        return None

    def stop(self) -> None:
        return None


class CueChoice(NamedTuple):
    """How cues are played and why, for the log and for ``status``."""

    cues: Cues
    by_server: bool  # the notification server plays them (sound-file hint)
    reason: str

    @property
    def state(self) -> tuple[str, str]:
        """What ``status`` shows: the player that works now and why, or ``off`` and what
        stopped the last one."""
        if self.by_server:
            return "notification server", self.reason
        trouble, name = self.cues.trouble, self.cues.name
        if trouble and name == "off":
            return "off", trouble
        if trouble:
            from reminderd.i18n.said import said  # noqa: PLC0415

            return name, said("{reason}; {trouble}", reason=self.reason, trouble=trouble)
        return name, self.reason
