"""Expand exercises and routines into one flat list of timed steps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from reminderd.durations import format_duration
from reminderd.errors import UnknownNameError
from reminderd.model import Exercise, Guidance, Routine, Step, StepSpec, Trigger
from reminderd.plural import plural

SAFETY_LINE = "Stop if pain increases."
SAFETY_POINTER = "When to see a doctor: `reminderd safety`."


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
                text = f"Rest. Next: set {set_no + 1} of {exercise.sets}"
                # A rest shows the starting position, where the exercise has one.
                setup = exercise.setup
                steps.append(
                    Step(
                        exercise.id,
                        exercise.title,
                        text,
                        exercise.rest,
                        "rest",
                        side=side or "",
                        pose=setup.pose if setup else None,
                        image=setup.image if setup else "",
                    )
                )
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
        side=side or "",
        pose=spec.pose.for_side(side) if spec.pose else None,
        image=spec.image,
    )


def total_seconds(steps: tuple[Step, ...]) -> float:
    """How long the steps take, the guide's own (intro, lead-ins) included: a routine's
    length, as `list`, `show`, `plan`, the prompt and the intro give it."""
    return sum(step.seconds for step in steps)


def exercise_seconds(steps: tuple[Step, ...]) -> float:
    """The time spent exercising: the steps of the exercises, not the guide's own."""
    return sum(step.seconds for step in steps if step.exercising)


@dataclass(frozen=True, slots=True)
class Dose:
    """How much of one exercise a day brings: runs, repetitions and time."""

    exercise: str
    runs: int
    repetitions: int
    label: str  # the word for one repetition ("squeeze")
    seconds: float

    def __str__(self) -> str:
        runs = plural(self.runs, "{count} run", "{count} runs")
        # The label is the exercise file's word for one repetition, made plural here.
        reps = plural(self.repetitions, "{count} {label}", "{count} {label}s", label=self.label)
        return f"{self.exercise}: {runs}, {reps}, {format_duration(self.seconds) or '0s'}"

    def to_json(self) -> dict[str, object]:
        return {
            "exercise": self.exercise,
            "runs": self.runs,
            "repetitions": self.repetitions,
            "label": self.label,
            "seconds": self.seconds,
        }


def daily_doses(runs: list[tuple[Step, ...]], exercises: Mapping[str, Exercise]) -> list[Dose]:
    """Per exercise, what the guided routines of a day add up to: how often it runs, how
    many repetitions (sets x reps x sides) and how long, for comparing with an article's
    dose."""
    totals: dict[str, list[float]] = {}
    for steps in runs:
        seen = {step.exercise_id for step in steps if step.exercising}
        for exercise_id in seen:
            exercise = exercises[exercise_id]
            entry = totals.setdefault(exercise_id, [0, 0, 0.0])
            entry[0] += 1
            entry[1] += exercise.sets * exercise.reps * max(1, len(exercise.sides))
            entry[2] += sum(s.seconds for s in steps if s.exercise_id == exercise_id)
    return [
        Dose(name, int(runs_), int(reps), exercises[name].rep_label, seconds)
        for name, (runs_, reps, seconds) in sorted(totals.items())
    ]


def with_lead_ins(steps: tuple[Step, ...], seconds: float) -> tuple[Step, ...]:
    """A lead-in step before each hold, so that the hold's seconds start once the person
    has read or heard what to do. A hold that repeats the one just before it (the next
    squeeze of a set) gets none: the person knows it already, and its sound cue says when
    to start; a rest, another side or another exercise calls for a lead-in again."""
    result: list[Step] = []
    last_hold: Step | None = None
    for step in steps:
        if step.kind == "rest":
            last_hold = None
        if step.kind == "hold":
            same = last_hold is not None and (
                last_hold.exercise_id,
                last_hold.text,
                last_hold.side,
            ) == (step.exercise_id, step.text, step.side)
            if not same:
                result.append(
                    Step(
                        step.exercise_id,
                        step.title,
                        f"Get ready: {step.text}",
                        seconds,
                        "lead-in",
                        detail=step.detail,
                        progress=step.progress,
                        side=step.side,
                        pose=step.pose,
                        image=step.image,
                    )
                )
            last_hold = step
        result.append(step)
    return tuple(result)


def routine_for(
    name: str, routines: tuple[Routine, ...], exercises: Mapping[str, Exercise]
) -> Routine:
    """The routine called ``name``, or a one-exercise routine for the exercise ``name``."""
    for routine in routines:
        if routine.name == name:
            return routine
    if name in exercises:
        return Routine(name=name, exercises=(name,), trigger=Trigger(), title=exercises[name].title)
    names = [r.name for r in routines] + sorted(exercises)
    raise UnknownNameError(unknown_name(name, names, "routine or exercise"))


def unknown_name(name: str, known: list[str], what: str) -> str:
    """'no routine called "nekc" (did you mean "neck"?; known: ...)'."""
    import difflib  # noqa: PLC0415 - only a mistyped name needs it

    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f'did you mean "{close[0]}"?; ' if close else ""
    return f'no {what} called "{name}" ({hint}known: {", ".join(known)})'


def routine_steps(
    routine: Routine,
    exercises: Mapping[str, Exercise],
    guidance: Guidance | None = None,
    *,
    point_to_safety: bool = False,
) -> tuple[Step, ...]:
    """Everything a guided routine shows, in order: an intro with the safety line and the
    routine's length, the exercises' steps with a lead-in before each hold, and a closing
    step. With ``point_to_safety`` (the first routine of a day) the intro also says where
    the warning signs are."""
    pace = guidance or Guidance()
    expanded: list[Step] = []
    for exercise_id in routine.exercises:
        expanded.extend(expand(exercises[exercise_id]))
    body = with_lead_ins(tuple(expanded), pace.lead_in)
    if not pace.pictures:
        body = tuple(replace(step, pose=None, image="") for step in body)
    titles = [exercises[exercise_id].title for exercise_id in routine.exercises]
    length = format_duration(pace.intro + total_seconds(body))
    first = titles[0] if titles else ""
    count = f"{len(titles)} exercises" if len(titles) > 1 else "1 exercise"
    pointer = f" {SAFETY_POINTER}" if point_to_safety else ""
    # The intro shows the first exercise's first picture: what is coming.
    opening = next((step for step in body if step.pose or step.image), None)
    intro = Step(
        "",
        routine.label,
        f"{SAFETY_LINE} {count}, {length}.",
        pace.intro,
        "intro",
        detail=f"First: {first}.{pointer}",
        say=f"{routine.label}. {SAFETY_LINE}",
        pose=opening.pose if opening else None,
        image=opening.image if opening else "",
    )
    done = Step("", routine.label, "Done. Well done.", 0.0, "done")
    return (intro, *body, done)
