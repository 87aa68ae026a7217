"""The guide: steps on monotonic deadlines under a simulated clock, cancellable, robust."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Any

import pytest

from reminderd.clock import SimClock
from reminderd.config import load_library
from reminderd.errors import NotifyError
from reminderd.exercises import routine_for, routine_steps
from reminderd.guide import Guide, notes_for, run_blocking
from reminderd.model import Step
from reminderd.notify import Note
from reminderd.speech import Silent

START = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


class Recording:
    """A notifier that records what it is asked to show, and when (by the given clock)."""

    name = "recording"
    capabilities: frozenset[str] = frozenset()
    failing = False

    def __init__(self, clock: SimClock, fail_on: set[int] | None = None) -> None:
        self.clock = clock
        self.shown: list[tuple[float, Note, int | None]] = []
        self.closed: list[int | None] = []
        self.fail_on = fail_on or set()

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        index = len(self.shown)
        self.shown.append((self.clock.monotonic(), note, replaces))
        if index in self.fail_on:
            raise NotifyError("server gone")
        return 100 + index

    def close(self, notification_id: int | None) -> None:
        self.closed.append(notification_id)


def steps(*lengths: float) -> tuple[Step, ...]:
    body = tuple(Step("x", "X", f"step {i}", s) for i, s in enumerate(lengths, 1))
    return (Step("", "R", "intro", 2.0, "intro"), *body, Step("", "R", "Done.", 0.0, "done"))


def test_steps_are_shown_at_their_deadlines() -> None:
    """Each notification goes out at the routine's start plus the lengths of the steps before it."""
    clock = SimClock(START)
    notifier = Recording(clock)
    guide = Guide("r", steps(1, 1.5, 3), notifier, clock)
    outcome = run_blocking(guide, clock)
    assert outcome == "completed"
    start = notifier.shown[0][0]
    assert [round(t - start, 6) for t, _, _ in notifier.shown] == [0, 2, 3, 4.5, 7.5]
    assert [note.body for _, note, _ in notifier.shown] == [
        "intro",
        "step 1 (1s)",
        "step 2 (1.5s)",
        "step 3 (3s)",
        "Done.",
    ]
    assert [replaces for _, _, replaces in notifier.shown] == [None, 100, 101, 102, 103]


def test_late_wake_ups_do_not_drift() -> None:
    """Waking late for one step does not push the next ones back: deadlines are absolute."""
    clock = SimClock(START)
    notifier = Recording(clock)
    guide = Guide("r", steps(*[1.0] * 10), notifier, clock)
    guide.start()
    while not guide.finished:
        deadline = guide.next_deadline()
        assert deadline is not None
        clock.advance(deadline - clock.monotonic() + 0.4)  # always 0.4 s late
        guide.advance()
    start = notifier.shown[0][0]
    lateness = [
        t - start - expected
        for (t, _, _), expected in zip(
            notifier.shown, [0, *[2.0 + i for i in range(11)]], strict=True
        )
    ]
    assert max(lateness) == pytest.approx(0.4)
    assert len(notifier.shown) == 12


def test_very_late_wake_up_skips_to_the_current_step() -> None:
    """After a long stall the guide shows the step due now, not every step it missed."""
    clock = SimClock(START)
    notifier = Recording(clock)
    guide = Guide("r", steps(1, 1, 1, 1), notifier, clock)
    guide.start()
    clock.advance(4.5)  # intro (2 s) and steps 1-2 are over; step 3 is due
    guide.advance()
    assert [note.body for _, note, _ in notifier.shown] == ["intro", "step 3 (1s)"]
    assert guide.index == 3


def test_cancel_mid_step_withdraws_the_notification() -> None:
    """Cancelling stops the routine and closes the notification on screen."""
    clock = SimClock(START)
    notifier = Recording(clock)
    events: list[tuple[str, dict[str, Any]]] = []
    guide = Guide("r", steps(5, 5), notifier, clock, on_event=lambda k, d: events.append((k, d)))
    guide.start()
    clock.advance(2.5)
    guide.advance()
    guide.cancel("skipped")
    assert guide.outcome == "cancelled"
    assert guide.next_deadline() is None
    assert notifier.closed == [101]
    assert events[-1] == ("cancelled", {"reason": "skipped", "step": 2})
    assert [kind for kind, _ in events] == ["started", "step", "step", "cancelled"]


def test_failed_notification_is_logged_and_the_routine_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A notification that fails is logged; the following steps are still shown on time."""
    clock = SimClock(START)
    notifier = Recording(clock, fail_on={1})
    guide = Guide("r", steps(1, 1), notifier, clock)
    with caplog.at_level(logging.WARNING, logger="reminderd"):
        assert run_blocking(guide, clock) == "completed"
    assert len(notifier.shown) == 4
    assert "r: step 2 not shown: server gone" in caplog.text
    assert notifier.shown[2][2] == 100  # the step after the failure replaces the last one shown


def test_stop_event_cancels_a_blocking_run() -> None:
    """Setting the stop event ends a blocking run as cancelled."""
    clock = SimClock(START)
    stop = threading.Event()
    stop.set()
    guide = Guide("r", steps(5), Recording(clock), clock)
    assert run_blocking(guide, clock, stop) == "cancelled"


def test_countdown_ticks_every_whole_second() -> None:
    """With a countdown hook the runner wakes at each whole second left in a step."""
    clock = SimClock(START)
    ticks: list[tuple[int, float]] = []
    guide = Guide("r", steps(3), Recording(clock), clock)
    run_blocking(guide, clock, on_tick=lambda g, left: ticks.append((g.index, round(left, 6))))
    assert ticks == [(0, 2), (0, 1), (1, 3), (1, 2), (1, 1), (2, 0)]


def test_notes_title_the_exercise_and_the_count() -> None:
    """Step notifications carry the exercise's title and, where it repeats, what the person
    counts; the body the action and its length."""
    notes = notes_for(steps(1, 2))
    assert [(n.summary, n.body, n.final) for n in notes] == [
        ("R", "intro", False),
        ("X", "step 1 (1s)", False),
        ("X", "step 2 (2s)", False),
        ("R", "Done.", True),
    ]
    assert notes[1].expiry_ms == 2000
    assert notes[-1].expiry_ms == 8000


def test_a_hold_reads_get_ready_then_hold_with_its_seconds_and_a_bar() -> None:
    """The lead-in reads "Get ready: ...", its hold "Hold 10s: ..." with a progress bar
    from 0; a squeeze says which squeeze of which set, in a title short enough to be seen."""
    library = load_library()
    chin = routine_steps(routine_for("chin-to-collarbone", (), library), library)
    notes = notes_for(chin)
    kinds = [s.kind for s in chin]
    lead_in = kinds.index("lead-in")
    assert notes[lead_in].body.splitlines()[0] == "Get ready: Chin to right collarbone"
    assert notes[lead_in + 1].body.splitlines()[0] == "Hold 10s: Chin to right collarbone"
    assert notes[lead_in + 1].summary == "Chin-to-collarbone stretch · right side"
    assert (notes[lead_in].value, notes[lead_in + 1].value) == (None, 0)
    squeezes = routine_steps(routine_for("shoulder-blade-squeeze", (), library), library)
    fourth = [s for s in squeezes if s.kind == "hold"][3]
    assert notes_for((fourth,))[0].summary == "Squeeze 4 of 10 · set 1 of 3"  # GNOME shows it
    assert fourth.position == "squeeze 4 of 10 · set 1 of 3"


def test_a_hold_redraws_its_bar_each_second_and_counts_down_when_asked() -> None:
    """During a hold the note is redrawn in place once a second with its bar moved (a
    refresh the console skips), and with countdown on "3.", "2.", "1." are said in its last
    seconds; a hold too short for a countdown gets none."""
    clock = SimClock(START)
    notifier = Recording(clock)
    said: list[tuple[float, str]] = []

    class Voice(Silent):
        def say(self, text: str) -> None:
            said.append((clock.monotonic(), text))

    hold = Step("x", "X", "Hold it", 8.0, "hold")
    short = Step("x", "X", "Hold it", 4.0, "hold")
    plan = (Step("", "R", "intro", 1.0, "intro"), hold, short, Step("", "R", "Done.", 0.0, "done"))
    guide = Guide("r", plan, notifier, clock, speaker=Voice(), countdown=True)
    run_blocking(guide, clock)
    start = notifier.shown[0][0]
    bars = [(round(t - start, 3), n.value) for t, n, _ in notifier.shown if n.refresh]
    assert bars[:7] == [(2.0, 12), (3.0, 25), (4.0, 38), (5.0, 50), (6.0, 62), (7.0, 75), (8.0, 88)]
    assert [v for _, v in bars[7:]] == [25, 50, 75]  # the short hold's bar, no countdown
    assert [(round(t - start, 3), w) for t, w in said if w[:1].isdigit()] == [
        (6.0, "3."),
        (7.0, "2."),
        (8.0, "1."),
    ]
