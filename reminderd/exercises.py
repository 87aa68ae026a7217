"""Expand exercises and routines into one flat list of timed steps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from reminderd.errors import UnknownNameError
from reminderd.i18n import N_, _, language, speaking
from reminderd.i18n.formats import duration
from reminderd.i18n.said import said
from reminderd.model import Config, Exercise, Guidance, Routine, Step, StepSpec, Trigger
from reminderd.plural import plural
from reminderd.speech.lines import beats, intro_words, phrase, words

# The stop rule as a banner's first line shows it (45 characters); the intro says it whole
# (reminderd.speech.lines.STOP_RULE), and reminderd.safety.STOP_SIGNS cites its articles.
SAFETY_LINE = N_("Stop on pain, tingling, numbness or dizziness")
SAFETY_POINTER = N_("When to see a doctor: `reminderd safety`.")
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
                    steps.append(step._replace(rep_of=rep_of, set_of=set_of))
            if set_no < sets and exercise.rest:
                text = _("Rest. Next: set {set} of {sets}").format(set=set_no + 1, sets=sets)
                # A rest shows the starting position, where the exercise has one.
                setup = exercise.setup
                steps.append(
                    Step(
                        exercise.id,
                        _(exercise.title),
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
        parts.append(counting(exercise.rep_label, rep_no, exercise.reps))
    if exercise.sets > 1:
        parts.append(_("set {set} of {sets}").format(set=set_no, sets=exercise.sets))
    return " · ".join(parts)


REP = N_("rep {rep} of {reps}")  # the default rep_label's phrase


def counting(label: str, rep: int, reps: int) -> str:
    """ "squeeze 4 of 10": a built-in exercise's label has its own phrase in the catalogues
    (reminderd.i18n.extract makes them from each rep_label), so that a translation can
    place the count as its language does; any other label is put in a phrase of its own."""
    own = f"{label} {{rep}} of {{reps}}"
    phrase_of = _(own)
    if phrase_of == own and language() != "en":
        return _("{label} {rep} of {reps}").format(label=_(label), rep=rep, reps=reps)
    return phrase_of.format(rep=rep, reps=reps)


def _fill(text: str, side: str | None) -> str:
    """``{side}`` filled in, ``{{`` and ``}}`` turned into braces; then said in the
    language in use (the catalogues hold each built-in text once per side, whole)."""
    if not text:
        return text
    filled = text.format(side=side) if side else text.replace("{{", "{").replace("}}", "}")
    return _(filled)


def _step(exercise: Exercise, spec: StepSpec, side: str | None, label: str, index: int) -> Step:
    seconds = spec.seconds if spec.seconds is not None else (exercise.hold or 0.0)
    return Step(
        exercise.id,
        _(exercise.title),
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


class Dose(NamedTuple):
    """How much of one exercise a day brings: runs, repetitions and time."""

    exercise: str
    runs: int
    repetitions: int
    label: str  # the word for one repetition ("squeeze")
    seconds: float

    def __str__(self) -> str:
        runs = plural(self.runs, "{count} run", "{count} runs")
        # The label is the exercise file's word for one repetition, made plural here; a
        # built-in label's forms are in the catalogues (reminderd.i18n.extract makes them).
        one, other = f"{{count}} {self.label}", f"{{count}} {self.label}s"
        if language() != "en" and _(one) == one:  # the person's own label: in no catalogue
            reps = plural(
                self.repetitions, "{count} × {label}", "{count} × {label}", label=_(self.label)
            )
        else:
            reps = plural(self.repetitions, one, other)
        return _("{exercise}: {runs}, {reps}, {length}").format(
            exercise=self.exercise, runs=runs, reps=reps, length=duration(self.seconds)
        )

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
                        _("Get ready: {action}").format(action=step.text),
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
    raise UnknownNameError(unknown_name(name, names, exercise=True))


def unknown_name(name: str, known: list[str], *, exercise: bool = False) -> str:
    """'no routine called "nekc" (did you mean "neck"?; known: ...)' (``exercise``: "no
    routine or exercise called ...")."""
    import difflib  # noqa: PLC0415 - only a mistyped name needs it

    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    listed = ", ".join(known)
    if exercise and close:
        return said(
            'no routine or exercise called "{name}" (did you mean "{close}"?; known: {known})',
            name=name,
            close=close[0],
            known=listed,
        )
    if exercise:
        return said(
            'no routine or exercise called "{name}" (known: {known})', name=name, known=listed
        )
    if close:
        return said(
            'no routine called "{name}" (did you mean "{close}"?; known: {known})',
            name=name,
            close=close[0],
            known=listed,
        )
    return said('no routine called "{name}" (known: {known})', name=name, known=listed)


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

    With a voice (``timing`` tells how long a line takes to say) every step but a hold lasts
    at least as long as its words and the pause between lines, a lead-in 1.5 s more to get
    into position: the configured lengths are floors (a hold's length is its dose, and its
    words are checked to fit: reminderd.speech.fit). ``pace`` below 1 runs every step that
    much faster (the test suite uses it, with a voice as much faster). In the language in
    use.
    """
    shown, _words = shown_and_said(
        routine, exercises, guidance, point_to_safety=point_to_safety, timing=timing, pace=pace
    )
    return shown


def shown_and_said(
    routine: Routine,
    exercises: Mapping[str, Exercise],
    guidance: Guidance | None = None,
    *,
    voice: str = "",
    point_to_safety: bool = False,
    timing: Timing | None = None,
    pace: float = 1.0,
) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
    """The routine's steps as shown, in the language in use, and as said, in ``voice``'s
    language (the same steps, when that is the language in use or ""): a voice that has
    no voice for the notes' language speaks the text's own (reminderd.speech.choose).
    Both last as long as the words said (``routine_steps``)."""
    plan = guidance or Guidance()
    shown = _steps(routine, exercises, plan, point_to_safety, pace)
    said = shown
    voice = voice or language()
    if voice != language():
        with speaking(voice):
            said = _steps(routine, exercises, plan, point_to_safety, pace)
    if timing is not None:
        with speaking(voice):
            lengths = _fit_words(said, timing, pace)
        shown = tuple(s._replace(seconds=t) for s, t in zip(shown, lengths, strict=True))
        said = tuple(s._replace(seconds=t) for s, t in zip(said, lengths, strict=True))
    titles = [_(exercises[exercise_id].title) for exercise_id in routine.exercises]
    first = titles[0] if titles else ""
    count = plural(len(titles), "{count} exercise", "{count} exercises")
    length = duration(total_seconds(shown))
    detail = _("{count}, {length}. First: {first}.").format(count=count, length=length, first=first)
    if point_to_safety:
        detail = f"{_(SAFETY_POINTER)} {detail}"
    return (shown[0]._replace(detail=detail), *shown[1:]), said


def _steps(
    routine: Routine,
    exercises: Mapping[str, Exercise],
    plan: Guidance,
    point_to_safety: bool,
    pace: float,
) -> tuple[Step, ...]:
    """The intro, the exercises' steps with their lead-ins, and the closing step, at their
    configured lengths, in the language in use."""
    expanded: list[Step] = []
    for exercise_id in routine.exercises:
        expanded.extend(expand(exercises[exercise_id]))
    if pace != 1:
        expanded = [s._replace(seconds=s.seconds * pace) for s in expanded]
    body = with_lead_ins(tuple(expanded), plan.lead_in * pace)
    if not plan.pictures:
        body = tuple(step._replace(pose=None, image="") for step in body)
    title = _(routine.label)
    # The intro shows the first exercise's first picture: what is coming.
    opening = next((step for step in body if step.pose or step.image), None)
    intro = Step(
        "",
        title,
        _(SAFETY_LINE),
        plan.intro * pace,
        "intro",
        say=intro_words(title, point_to_safety),
        pose=opening.pose if opening else None,
        image=opening.image if opening else "",
    )
    done = Step("", title, _("Done. Well done."), 0.0, "done", say=phrase("done"))
    return (intro, *body, done)


def _fit_words(steps: tuple[Step, ...], timing: Timing, pace: float) -> list[float]:
    """Each step's length: every step but a hold and the closing one lengthened to its
    words and GAP (a lead-in by SETTLE more), so that no line is cut by the next. A
    translation's words may take longer than the English the lengths were written for."""
    lengths = [step.seconds for step in steps]
    for index, step in enumerate(steps):
        if step.kind in ("hold", "done"):
            continue
        spoken = timing(words(steps, index))
        if spoken <= 0:
            continue
        after = SETTLE * pace if step.kind == "lead-in" else GAP
        lengths[index] = max(step.seconds, spoken + after)
    return lengths


def closing_seconds(
    steps: tuple[Step, ...], guidance: Guidance, timing: Timing | None, pace: float = 1.0
) -> float:
    """How long the closing note stays: ``guidance.done`` (times ``pace``), or as long as
    "Done. Well done." takes to say if that is longer (``steps``: as said)."""
    spoken = timing(words(steps, len(steps) - 1)) if timing and steps else 0.0
    return max(guidance.done * pace, spoken + GAP if spoken > 0 else 0.0)


def spoken_lines(config: Config, pace: float = 1.0, voice: str = "") -> list[str]:
    """Every line a voice may say in ``config``'s routines (and its exercises run alone),
    in ``voice``'s language (default: the language in use), for asking the engine ahead
    how long each takes."""
    lines: set[str] = set()
    exercises = config.exercises
    runs = [*config.routines, *(routine_for(name, (), exercises) for name in exercises)]
    with speaking(voice or language()):
        for routine in runs:
            for first in (False, True):
                steps = routine_steps(
                    routine, exercises, config.guidance, point_to_safety=first, pace=pace
                )
                lines.update(words(steps, index) for index in range(len(steps)))
                lines.update(b.words for step in steps for b in beats(step, True))
    lines.discard("")
    return sorted(lines)
