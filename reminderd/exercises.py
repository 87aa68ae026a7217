"""Expand exercises and routines into one flat list of timed steps."""

from __future__ import annotations

from collections.abc import Mapping

from reminderd.durations import format_duration
from reminderd.errors import UnknownNameError
from reminderd.model import Exercise, Routine, Step, StepSpec, Trigger

INTRO_SECONDS = 5.0
SAFETY_LINE = "Stop if pain increases."


def expand(exercise: Exercise) -> tuple[Step, ...]:
    """The steps of ``exercise`` in order: setup, then per side, per set, per rep, with rests.

    A progress label leads each repeated step ("Set 2 of 3, squeeze 4 of 10: ..."), and a
    rest step sits between sets (not after the last one) when ``rest`` is set.
    """
    steps: list[Step] = []
    if exercise.setup:
        steps.append(_step(exercise, exercise.setup, None, ""))
    for side in exercise.sides or (None,):
        for set_no in range(1, exercise.sets + 1):
            for rep_no in range(1, exercise.reps + 1):
                label = _progress(exercise, set_no, rep_no)
                steps.extend(_step(exercise, spec, side, label) for spec in exercise.steps)
            if set_no < exercise.sets and exercise.rest:
                rest = format_duration(exercise.rest)
                text = f"Rest {rest}. Next: set {set_no + 1} of {exercise.sets}."
                steps.append(Step(exercise.id, exercise.title, text, exercise.rest, "rest"))
    return tuple(steps)


def _progress(exercise: Exercise, set_no: int, rep_no: int) -> str:
    parts = []
    if exercise.sets > 1:
        parts.append(f"Set {set_no} of {exercise.sets}")
    if exercise.reps > 1:
        parts.append(f"{exercise.rep_label} {rep_no} of {exercise.reps}")
    label = ", ".join(parts)
    return label[:1].upper() + label[1:]


def _fill(text: str, side: str | None) -> str:
    """``{side}`` filled in, ``{{`` and ``}}`` turned into braces."""
    return text.format(side=side) if side else text.replace("{{", "{").replace("}}", "}")


def _step(exercise: Exercise, spec: StepSpec, side: str | None, label: str) -> Step:
    seconds = spec.seconds if spec.seconds is not None else (exercise.hold or 0.0)
    return Step(
        exercise.id,
        exercise.title,
        _fill(spec.text, side),
        seconds,
        spec.kind,
        detail=_fill(spec.detail, side),
        say=_fill(spec.say, side),
        progress=label,
    )


def total_seconds(steps: tuple[Step, ...]) -> float:
    return sum(step.seconds for step in steps)


def routine_for(
    name: str, routines: tuple[Routine, ...], exercises: Mapping[str, Exercise]
) -> Routine:
    """The routine called ``name``, or a one-exercise routine for the exercise ``name``."""
    for routine in routines:
        if routine.name == name:
            return routine
    if name in exercises:
        return Routine(name=name, exercises=(name,), trigger=Trigger(), title=exercises[name].title)
    known = ", ".join([r.name for r in routines] + sorted(exercises))
    msg = f'no routine or exercise called "{name}" (known: {known})'
    raise UnknownNameError(msg)


def routine_steps(routine: Routine, exercises: Mapping[str, Exercise]) -> tuple[Step, ...]:
    """Everything a guided routine shows, in order: an intro with the safety line, the
    exercises' steps, and a closing step of zero length."""
    body: list[Step] = []
    for exercise_id in routine.exercises:
        body.extend(expand(exercises[exercise_id]))
    titles = [exercises[exercise_id].title for exercise_id in routine.exercises]
    length = format_duration(total_seconds(tuple(body)))
    first = titles[0] if titles else ""
    count = f"{len(titles)} exercises" if len(titles) > 1 else "1 exercise"
    intro = Step(
        "",
        routine.label,
        f"{SAFETY_LINE} {count}, {length}. First: {first}.",
        INTRO_SECONDS,
        "intro",
    )
    done = Step("", routine.label, "Done. Well done.", 0.0, "done")
    return (intro, *body, done)
