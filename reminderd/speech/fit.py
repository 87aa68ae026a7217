"""Words that cannot fit their hold: what `check` refuses (with a voice on) or points out.

With a voice, the guide lengthens every step but a hold to its words (reminderd.exercises),
in whatever language they are said. A hold's length is its dose, and it is held in
silence: the words said as it begins (its count, or the whole action when no lead-in comes
before it) must end within SETTLE seconds. Lengths here are the likeliest ones
(``estimate(safe=False)``), so that only what clearly cannot fit is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

from reminderd.exercises import GAP, SETTLE, routine_steps
from reminderd.i18n import language, speaking
from reminderd.i18n.said import said
from reminderd.model import Exercise, Guidance, Routine, Step, Trigger
from reminderd.speech.lines import words
from reminderd.speech.timing import estimate


class Misfit(NamedTuple):
    """A hold whose opening words do not fit: what is said, how long it takes, how long it
    may."""

    step: Step
    words: str
    spoken: float  # seconds the words take
    room: float  # seconds they may take

    @property
    def message(self) -> str:
        return said(
            '"{words}" takes about {spoken} s to say as the hold begins; at most {room} s,'
            " to hold in silence",
            words=self.words,
            spoken=f"{self.spoken:.1f}",
            room=f"{self.room:g}",
        )

    @property
    def fix(self) -> str:
        return said("say less as the hold begins (say = ...): the lead-in says the rest")


def likeliest(text: str) -> float:
    return estimate(text, safe=False)


def misfits(steps: tuple[Step, ...], timing: Callable[[str], float] = likeliest) -> list[Misfit]:
    """The holds of ``steps`` whose opening words take longer than they may (every other
    step lasts as long as its words)."""
    found = []
    for index, step in enumerate(steps):
        if step.kind != "hold":
            continue
        said = words(steps, index)
        if not said:
            continue
        spoken = timing(said)
        room = min(SETTLE, step.seconds - GAP)
        if spoken > room + 1e-9:
            found.append(Misfit(step, said, spoken, max(0.0, room)))
    return found


def check(
    routines: Iterable[Routine], exercises: Mapping[str, Exercise], guidance: Guidance
) -> list[Misfit]:
    """Every step that does not fit, once: each exercise run alone (its name said at its
    start, as in any routine with others), then within each routine (where a hold of the
    exercise before may add "And release.")."""
    runs = [Routine(name, (name,), Trigger()) for name in exercises]  # titled by id, not title
    seen: set[tuple[str, int | None]] = set()
    found = []
    with speaking(guidance.language or language()):  # the words as the voice says them
        for routine in [*runs, *routines]:
            if any(not exercises[e].steps for e in routine.exercises):
                continue  # an exercise with problems of its own, already reported
            steps = routine_steps(routine, exercises, guidance)
            for misfit in misfits(steps):
                key = (misfit.step.exercise_id, misfit.step.spec)
                if key not in seen:
                    seen.add(key)
                    found.append(misfit)
    return found
