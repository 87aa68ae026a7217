"""Step expansion: sides, sets, reps, hold and rest become one flat list of timed steps."""

from __future__ import annotations

from reminderd.config import load_library
from reminderd.exercises import (
    SAFETY_LINE,
    expand,
    routine_for,
    routine_steps,
    total_seconds,
    with_lead_ins,
)
from reminderd.guide import notes_for
from reminderd.model import BANNER, Exercise, Routine, StepSpec, Trigger


def test_sides_repeat_the_steps_with_the_side_filled_in() -> None:
    """Each side runs all steps once, in the order the sides are listed."""
    exercise = Exercise(
        id="c",
        title="C",
        sides=("right", "left"),
        steps=(StepSpec("Relax.", 5), StepSpec("Chin to {side} collarbone.", 10)),
    )
    steps = expand(exercise)
    assert [(s.text, s.seconds) for s in steps] == [
        ("Relax.", 5),
        ("Chin to right collarbone.", 10),
        ("Relax.", 5),
        ("Chin to left collarbone.", 10),
    ]
    assert total_seconds(steps) == 30


def test_sets_reps_hold_and_rest_expand_with_progress_labels() -> None:
    """Sets x reps x steps, the hold time where a step has none, a rest between sets only."""
    exercise = Exercise(
        id="s",
        title="Squeeze",
        sets=3,
        reps=10,
        hold=5,
        rest=20,
        rep_label="squeeze",
        setup=StepSpec("Hands on your sides.", 5),
        steps=(StepSpec("Squeeze and hold.", None), StepSpec("Let go.", 2)),
    )
    steps = expand(exercise)
    assert len(steps) == 1 + 3 * 10 * 2 + 2
    assert steps[0].text == "Hands on your sides."
    assert steps[1].labelled == "squeeze 1 of 10 · set 1 of 3: Squeeze and hold."
    assert (steps[1].rep_of, steps[1].set_of, steps[1].spec) == ((1, 10), (1, 3), 0)
    assert steps[1].seconds == 5
    assert steps[2].labelled == "squeeze 1 of 10 · set 1 of 3: Let go."
    assert steps[21].kind == "rest"
    assert steps[21].text == "Rest. Next: set 2 of 3"
    assert steps[28].labelled == "squeeze 4 of 10 · set 2 of 3: Squeeze and hold."
    assert [s.kind for s in steps].count("rest") == 2
    assert steps[-1].labelled == "squeeze 10 of 10 · set 3 of 3: Let go."
    assert total_seconds(steps) == 5 + 30 * 7 + 2 * 20


def test_reps_without_sets_and_literal_braces() -> None:
    """A rep label alone reads "breath 2 of 5"; doubled braces stay literal braces."""
    exercise = Exercise(
        id="b", title="B", reps=2, rep_label="breath", steps=(StepSpec("In {{slowly}}.", 4),)
    )
    assert [s.labelled for s in expand(exercise)] == [
        "breath 1 of 2: In {slowly}.",
        "breath 2 of 2: In {slowly}.",
    ]


def test_built_in_exercises_follow_their_sources() -> None:
    """Chin-to-collarbone holds about ten seconds per side; the squeeze holds five, 30 times
    (the article's dose, 003)."""
    library = load_library()
    chin = expand(library["chin-to-collarbone"])
    holds = [s for s in chin if s.kind == "hold"]
    assert [(s.text, s.seconds) for s in holds] == [
        ("Chin to right collarbone", 10),
        ("Chin to left collarbone", 10),
    ]
    assert all("arms guide your chin gently" in s.detail for s in holds)
    squeeze = expand(library["shoulder-blade-squeeze"])
    squeezes = [s for s in squeeze if s.kind == "hold"]
    assert len(squeezes) == 30
    assert {s.seconds for s in squeezes} == {5}
    assert {s.text for s in squeezes} == {"Squeeze shoulder blades together"}


def test_every_built_in_step_fits_a_banner() -> None:
    """Each built-in step's action, side and length fit the first line of a banner, and
    every lead-in does too."""
    library = load_library()
    for exercise in library.values():
        routine = routine_for(exercise.id, (), library)
        for note in notes_for(routine_steps(routine, library)):
            shown = note.body.splitlines()[0]
            assert len(shown) <= BANNER, (exercise.id, shown)


def test_routine_steps_start_with_the_safety_line_and_end_with_done() -> None:
    """A guided routine opens with the stop rule and its whole length (lead-ins included),
    puts a lead-in before each new hold, and closes with a zero-length step."""
    library = load_library()
    routine = Routine("neck", ("chin-to-collarbone", "posture-check"), Trigger(every=60))
    steps = routine_steps(routine, library)
    assert steps[0].kind == "intro"
    assert steps[0].text == SAFETY_LINE
    assert len(SAFETY_LINE) <= BANNER
    assert total_seconds(steps) == 86
    assert steps[0].detail == "2 exercises, 1m26s. First: Chin-to-collarbone stretch."
    assert steps[-1].kind == "done"
    assert steps[-1].seconds == 0
    body = steps[1:-1]
    assert [s for s in body if s.kind != "lead-in"] == list(
        expand(library["chin-to-collarbone"]) + expand(library["posture-check"])
    )
    lead_ins = [i for i, s in enumerate(body) if s.kind == "lead-in"]
    assert [body[i + 1].kind for i in lead_ins] == ["hold", "hold"]
    assert [body[i].text for i in lead_ins] == [
        "Get ready: Chin to right collarbone",
        "Get ready: Chin to left collarbone",
    ]
    pointed = routine_steps(routine, library, point_to_safety=True)
    assert pointed[0].detail.startswith("When to see a doctor: `reminderd safety`. 2 exercises")


def test_repeated_holds_get_one_lead_in_per_set() -> None:
    """The thirty squeezes get a lead-in at the start of each set, not before each squeeze."""
    library = load_library()
    steps = with_lead_ins(expand(library["shoulder-blade-squeeze"]), 3.0)
    assert sum(1 for s in steps if s.kind == "lead-in") == 3
    assert sum(1 for s in steps if s.kind == "hold") == 30


def test_detail_and_say_get_the_side_and_progress_stays_apart() -> None:
    """A step's detail and spoken words have {side} filled in like its text, and its
    progress label is kept apart from the action line."""
    exercise = Exercise(
        id="t",
        title="T",
        sides=("right", "left"),
        reps=2,
        steps=(
            StepSpec(
                "Turn {side}.", 4, detail="Slowly, to the {side}.", say="Turn {side}", kind="hold"
            ),
        ),
    )
    first = expand(exercise)[0]
    assert first.kind == "hold"
    assert first.exercising
    assert (first.text, first.detail, first.say) == (
        "Turn right.",
        "Slowly, to the right.",
        "Turn right",
    )
    assert first.progress == "rep 1 of 2"
    assert first.labelled == "rep 1 of 2: Turn right."
