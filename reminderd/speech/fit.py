"""Words that cannot fit their step: what `check` refuses (with a voice on) or points out.

The guide lengthens its own steps (the intro, each lead-in) to their words, but an
exercise's steps last what their file says. A step whose words take longer than the step
would have them cut by the next line, or run into it; a hold's words (its count) must end
within SETTLE seconds, so that the hold is held in silence. Lengths here are the likeliest
ones (``estimate(safe=False)``), so that only what clearly cannot fit is refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from reminderd.exercises import GAP, SETTLE, routine_steps
from reminderd.i18n import language, speaking
from reminderd.i18n.said import said
from reminderd.model import Exercise, Guidance, Routine, Step, Trigger
from reminderd.speech.lines import words
from reminderd.speech.timing import estimate


@dataclass(frozen=True, slots=True)
class Misfit:
    """A step whose words do not fit: what is said, how long it takes, how long it may."""

    step: Step
    words: str
    spoken: float  # seconds the words take
    room: float  # seconds they may take

    @property
    def message(self) -> str:
        spoken = f"{self.spoken:.1f}"
        if self.step.kind == "hold":
            return said(
                '"{words}" takes about {spoken} s to say as the hold begins; at most {room} s,'
                " to hold in silence",
                words=self.words,
                spoken=spoken,
                room=f"{self.room:g}",
            )
        return said(
            '"{words}" takes about {spoken} s to say, and the step lasts {seconds} s ({gap} s'
            " between lines included, at most {room} s): the next line would cut it off",
            words=self.words,
            spoken=spoken,
            seconds=f"{self.step.seconds:g}",
            gap=f"{GAP:g}",
            room=f"{self.room:g}",
        )

    @property
    def fix(self) -> str:
        if self.step.kind == "hold":
            return said("say less as the hold begins (say = ...): the lead-in says the rest")
        longer = math.ceil(self.spoken + GAP)
        return said(
            "make the step at least {seconds} s long, or say less (say = ...)", seconds=longer
        )


def likeliest(text: str) -> float:
    return estimate(text, safe=False)


def misfits(steps: tuple[Step, ...], timing: Callable[[str], float] = likeliest) -> list[Misfit]:
    """The exercise steps of ``steps`` whose words take longer than they may."""
    found = []
    for index, step in enumerate(steps):
        if not step.exercising:
            continue  # the guide's own steps last as long as their words
        said = words(steps, index)
        if not said:
            continue
        spoken = timing(said)
        room = min(SETTLE, step.seconds - GAP) if step.kind == "hold" else step.seconds - GAP
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
