"""Expand exercises and routines into one flat list of timed steps."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from reminderd.durations import format_duration
from reminderd.errors import UnknownNameError
from reminderd.model import Config, Exercise, Guidance, Routine, Step, StepSpec, Trigger
from reminderd.plural import plural
from reminderd.speech.lines import beats, intro_words, phrase, words

# The stop rule as a banner's first line shows it (45 characters); the intro says it whole
# (reminderd.speech.lines.STOP_RULE), and reminderd.safety.STOP_SIGNS cites its articles.
SAFETY_LINE = "Stop on pain, tingling, numbness or dizziness"
SAFETY_POINTER = "When to see a doctor: `reminderd safety`."
SAFETY_TITLE = "`reminderd safety`"  # beside the routine's name on the day's first intro
# Seconds to get into position after a lead-in's words, before its hold begins.
SETTLE = 1.5
# Seconds between the end of one spoken line and the start of the next, at the least.
GAP = 0.3
# Line lengths: how long a line takes to say (0: no voice).
Timing = Callable[[str], float]


def expand(exercise: Exercise) -> tuple[Step, ...]:
    """The steps of ``exercise`` in order: setup, then per side, per set, per rep, with rests.

    A progress label leads each repeated step ("squeeze 4 of 10 · set 2 of 3: ..."), and a
    rest step sits between sets (not after the last one) when ``rest`` is set.
    """
    steps: list[Step] = []
    if exercise.setup:
        steps.append(_step(exercise, exercise.setup, None, "", -1))
    reps, sets = exercise.reps, exercise.sets
    for side in exercise.sides or (None,):
        for set_no in range(1, sets + 1):
            for rep_no in range(1, reps + 1):
                label = _progress(exercise, set_no, rep_no)
                rep_of = (rep_no, reps) if reps > 1 else (0, 0)
                set_of = (set_no, sets) if sets > 1 else (0, 0)
                for index, spec in enumerate(exercise.steps):
                    step = _step(exercise, spec, side, label, index)
                    steps.append(dataclasses.replace(step, rep_of=rep_of, set_of=set_of))
            if set_no < sets and exercise.rest:
                text = f"Rest. Next: set {set_no + 1} of {sets}"
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
                        set_of=(set_no, sets),
                        pose=setup.pose if setup else None,
                        image=setup.image if setup else "",
                    )
                )
    return tuple(steps)


def _progress(exercise: Exercise, set_no: int, rep_no: int) -> str:
    """What a person counts: "squeeze 4 of 10 · set 1 of 3"."""
    parts = []
    if exercise.reps > 1:
        parts.append(f"{exercise.rep_label} {rep_no} of {exercise.reps}")
    if exercise.sets > 1:
        parts.append(f"set {set_no} of {exercise.sets}")
    return " · ".join(parts)


def _fill(text: str, side: str | None) -> str:
    """``{side}`` filled in, ``{{`` and ``}}`` turned into braces."""
    return text.format(side=side) if side else text.replace("{{", "{").replace("}}", "}")


def _step(exercise: Exercise, spec: StepSpec, side: str | None, label: str, index: int) -> Step:
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
        spec=index,
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
                        rep_of=step.rep_of,
                        set_of=step.set_of,
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
    timing: Timing | None = None,
    pace: float = 1.0,
) -> tuple[Step, ...]:
    """Everything a guided routine shows, in order: an intro with the stop rule and the
    routine's length, the exercises' steps with a lead-in before each hold, and a closing
    step. With ``point_to_safety`` (the first routine of a day) the intro also says where
    the warning signs are.

    With a voice (``timing`` tells how long a line takes to say) the intro and each lead-in
    last as long as their words, a lead-in 1.5 s more to get into position: the configured
    lengths are floors. ``pace`` below 1 runs every step that much faster (the test suite
    uses it, with a voice as much faster).
    """
    plan = guidance or Guidance()
    expanded: list[Step] = []
    for exercise_id in routine.exercises:
        expanded.extend(expand(exercises[exercise_id]))
    if pace != 1:
        expanded = [dataclasses.replace(s, seconds=s.seconds * pace) for s in expanded]
    body = with_lead_ins(tuple(expanded), plan.lead_in * pace)
    if not plan.pictures:
        body = tuple(replace(step, pose=None, image="") for step in body)
    titles = [exercises[exercise_id].title for exercise_id in routine.exercises]
    first = titles[0] if titles else ""
    count = f"{len(titles)} exercises" if len(titles) > 1 else "1 exercise"
    intro_say = intro_words(routine.label, point_to_safety)
    # The intro shows the first exercise's first picture: what is coming.
    opening = next((step for step in body if step.pose or step.image), None)
    intro = Step(
        "",
        routine.label,
        SAFETY_LINE,
        plan.intro * pace,
        "intro",
        say=intro_say,
        pose=opening.pose if opening else None,
        image=opening.image if opening else "",
    )
    done = Step("", routine.label, "Done. Well done.", 0.0, "done", say=phrase("done"))
    steps = (intro, *body, done)
    if timing is not None:
        steps = _fit_words(steps, timing, pace)
    length = format_duration(total_seconds(steps))
    pointer = f"{SAFETY_POINTER} " if point_to_safety else ""
    detail = f"{pointer}{count}, {length}. First: {first}."
    return (dataclasses.replace(steps[0], detail=detail), *steps[1:])


def _fit_words(steps: tuple[Step, ...], timing: Timing, pace: float) -> tuple[Step, ...]:
    """The intro and each lead-in lengthened to their words (a lead-in by SETTLE more)."""
    fitted = list(steps)
    for index, step in enumerate(steps):
        if step.kind not in ("intro", "lead-in"):
            continue
        spoken = timing(words(steps, index))
        if spoken <= 0:
            continue
        after = SETTLE * pace if step.kind == "lead-in" else GAP
        fitted[index] = dataclasses.replace(step, seconds=max(step.seconds, spoken + after))
    return tuple(fitted)


def closing_seconds(
    steps: tuple[Step, ...], guidance: Guidance, timing: Timing | None, pace: float = 1.0
) -> float:
    """How long the closing note stays: ``guidance.done`` (times ``pace``), or as long as
    "Done. Well done." takes to say if that is longer."""
    spoken = timing(words(steps, len(steps) - 1)) if timing and steps else 0.0
    return max(guidance.done * pace, spoken + GAP if spoken > 0 else 0.0)


def spoken_lines(config: Config, pace: float = 1.0) -> list[str]:
    """Every line a voice may say in ``config``'s routines (and its exercises run alone),
    for asking the engine ahead how long each takes."""
    lines: set[str] = set()
    exercises = config.exercises
    runs = [*config.routines, *(routine_for(name, (), exercises) for name in exercises)]
    for routine in runs:
        for first in (False, True):
            steps = routine_steps(
                routine, exercises, config.guidance, point_to_safety=first, pace=pace
            )
            lines.update(words(steps, index) for index in range(len(steps)))
            lines.update(b.words for step in steps for b in beats(step, True))
    lines.discard("")
    return sorted(lines)
