"""The core on a simulated clock: firing, queueing, pause, snooze, skip, suspend, reload."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from reminderd.clock import SimClock
from reminderd.config import load_library
from reminderd.core import Core, Outputs, Polls
from reminderd.core.simulate import simulate
from reminderd.model import (
    Config,
    Event,
    Exercise,
    Guidance,
    Routine,
    StepSpec,
    Trigger,
    WorkSchedule,
)
from reminderd.notify import NullNotifier

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
SHORT = Exercise(id="short", title="Short", steps=(StepSpec("Move.", 10),))


def make_config(*routines: Routine, schedule: WorkSchedule | None = None) -> Config:
    return Config(
        routines=routines,
        exercises={"short": SHORT, **load_library()},
        schedule=schedule or WorkSchedule(),
    )


def routine(name: str, every: float | None = None, at: tuple[time, ...] = ()) -> Routine:
    return Routine(name, ("short",), Trigger(every=every, at=at))


def tick_until(core: Core, clock: SimClock, moment: datetime) -> None:
    """Sleep and tick exactly as the daemon does, until ``moment``."""
    while True:
        wait = core.next_wakeup()
        if wait is None or clock.now() + timedelta(seconds=wait) > moment:
            clock.advance_to(moment)
            core.tick()
            return
        clock.advance(wait)
        core.tick()


class Harness:
    """A Core on a SimClock, with its events recorded."""

    def __init__(self, config: Config, start: datetime = MONDAY) -> None:
        self.clock = SimClock(start)
        self.events: list[Event] = []
        self.notifier = NullNotifier()
        self.core = Core(
            config,
            clock=self.clock,
            outputs=Outputs(self.notifier),
            listeners=(self.events.append,),
        )

    def run_until(self, moment: datetime) -> None:
        tick_until(self.core, self.clock, moment)

    def fired(self) -> list[tuple[str, str]]:
        return [
            (e.routine or "", e.at.astimezone(BERLIN).strftime("%H:%M:%S"))
            for e in self.events
            if e.kind == "routine.fired"
        ]

    def kinds(self, routine_name: str) -> list[str]:
        return [
            e.kind for e in self.events if e.routine == routine_name and e.kind != "routine.step"
        ]


def test_routine_fires_on_schedule_without_drift() -> None:
    """Every 20 minutes means 09:20, 09:40, 10:00: guiding time does not push it back."""
    h = Harness(make_config(routine("p", every=1200)))
    h.run_until(MONDAY + timedelta(hours=1, minutes=1))
    assert h.fired() == [("p", "09:20:00"), ("p", "09:40:00"), ("p", "10:00:00")]
    assert h.kinds("p")[:3] == ["routine.fired", "routine.started", "routine.completed"]


def test_routines_due_together_are_guided_one_after_the_other() -> None:
    """Two routines due at once are both guided, in config order, never at the same time."""
    h = Harness(make_config(routine("a", every=600), routine("b", every=600)))
    h.run_until(MONDAY + timedelta(minutes=11))
    starts = [
        (e.routine, e.at.astimezone(BERLIN).strftime("%H:%M:%S"))
        for e in h.events
        if e.kind == "routine.started"
    ]
    # a takes 5 s intro + 10 s; then a breath of 10 s, its closing words said whole
    assert starts == [("a", "09:10:00"), ("b", "09:10:25")]


def test_pause_holds_everything_and_a_timed_pause_ends_by_itself() -> None:
    """While paused nothing fires; when the pause ends intervals restart: no burst."""
    h = Harness(make_config(routine("p", every=600), routine("q", at=(time(9, 30),))))
    h.core.pause(MONDAY + timedelta(minutes=45))
    h.run_until(MONDAY + timedelta(minutes=44))
    assert h.fired() == []
    assert h.core.status()["paused_until"] == "2026-11-23T09:45:00+01:00"
    h.run_until(MONDAY + timedelta(minutes=56))
    assert h.fired() == [("p", "09:55:00")]  # counted from 09:45; 09:30 is not replayed
    assert [e.kind for e in h.events if e.kind.startswith("daemon.")] == [
        "daemon.paused",
        "daemon.resumed",
    ]


def test_pause_until_resumed_holds_the_routine_on_screen_then_cancels_it() -> None:
    """Pausing mid-routine holds it at its step for ten minutes, then cancels it; nothing
    else is due until `resume`."""
    h = Harness(make_config(routine("p", every=600)))
    h.run_until(MONDAY + timedelta(minutes=10, seconds=3))
    assert h.core.guide is not None
    h.core.pause(None)
    assert h.core.guide is not None
    assert h.core.guide.held_at is not None
    assert h.core.next_wakeup() == 600
    assert h.kinds("p")[-1] == "routine.held"
    h.clock.advance(600)
    h.core.tick()
    assert h.core.guide is None
    assert h.core.next_wakeup() is None
    cancelled = [e for e in h.events if e.kind == "routine.cancelled"]
    assert [(e.routine, e.data["reason"]) for e in cancelled] == [("p", "paused")]
    h.clock.advance(3000)
    h.core.resume()
    h.run_until(h.clock.now() + timedelta(minutes=11))
    assert h.fired()[-1] == ("p", "10:20:03")


def test_snooze_postpones_the_routine_on_screen_from_now() -> None:
    """Snoozing the routine being guided stops it and brings it back after the snooze."""
    h = Harness(make_config(routine("p", every=1200)))
    h.run_until(MONDAY + timedelta(minutes=20, seconds=2))
    name, due = h.core.snooze(None, 600)
    assert name == "p"
    assert due == MONDAY + timedelta(minutes=30, seconds=2)
    assert h.core.guide is None
    h.run_until(MONDAY + timedelta(minutes=31))
    assert h.fired() == [("p", "09:20:00"), ("p", "09:30:02")]


def test_snooze_a_future_reminder_moves_it_back() -> None:
    """Snoozing a reminder that is not due yet postpones it from its due time."""
    h = Harness(make_config(routine("p", every=1200), routine("q", every=3600)))
    name, due = h.core.snooze(None, 300)
    assert (name, due) == ("p", MONDAY + timedelta(minutes=25))
    name, due = h.core.snooze("q", 300)
    assert (name, due) == ("q", MONDAY + timedelta(minutes=65))


def test_skip_the_next_occurrence() -> None:
    """Skipping a routine that is not on screen skips its next occurrence only."""
    h = Harness(make_config(routine("p", every=1200)))
    name, due = h.core.skip("p")
    assert (name, due) == ("p", MONDAY + timedelta(minutes=40))
    h.run_until(MONDAY + timedelta(minutes=41))
    assert h.fired() == [("p", "09:40:00")]
    assert h.kinds("p")[0] == "routine.skipped"


def test_skip_the_routine_on_screen() -> None:
    """Skipping the routine being guided stops it and restarts its interval."""
    h = Harness(make_config(routine("p", every=1200)))
    h.run_until(MONDAY + timedelta(minutes=20, seconds=1))
    _, due = h.core.skip(None)
    assert due == MONDAY + timedelta(minutes=40, seconds=1)
    assert h.core.guide is None
    assert h.kinds("p")[-2:] == ["routine.cancelled", "routine.skipped"]


def test_long_suspend_fires_each_routine_once() -> None:
    """After an 8-hour suspend each routine that fell due fires once, then intervals restart."""
    h = Harness(
        make_config(routine("p", every=600), routine("q", every=1800), routine("r", at=(time(23),)))
    )
    h.run_until(MONDAY + timedelta(minutes=1))
    h.clock.suspend(8 * 3600)
    h.core.tick()
    h.run_until(MONDAY + timedelta(hours=8, minutes=5))
    assert h.fired() == [("p", "17:01:00"), ("q", "17:01:00")]


def test_suspend_abandons_the_routine_being_guided() -> None:
    """A routine on screen when the machine slept is dropped, not replayed."""
    h = Harness(make_config(routine("p", every=600)))
    h.run_until(MONDAY + timedelta(minutes=10, seconds=3))
    h.clock.suspend(3600)
    h.core.tick()
    cancelled = [e for e in h.events if e.kind == "routine.cancelled"]
    assert cancelled[0].data["reason"] == "suspend"


def test_reload_keeps_unchanged_routines_and_drops_removed_ones() -> None:
    """A reload keeps the schedule of routines whose trigger did not change."""
    h = Harness(make_config(routine("p", every=1200), routine("q", every=600)))
    h.run_until(MONDAY + timedelta(minutes=5))
    h.core.reload(make_config(routine("p", every=1200), routine("n", every=300)))
    assert set(h.core.timers) == {"p", "n"}
    assert h.core.timers["p"].due == MONDAY + timedelta(minutes=20)
    assert h.core.timers["n"].due == MONDAY + timedelta(minutes=10)


def test_simulate_a_day_of_the_office_week() -> None:
    """simulate() drives the same core over a day and reports its firings."""
    office = WorkSchedule(
        hours=(((time(9), time(12, 30)), (time(13, 30), time(18))),) * 5 + ((), ())
    )
    config = make_config(
        routine("neck", every=2700), routine("tea", at=(time(15),)), schedule=office
    )
    start = datetime(2026, 11, 23, 0, 0, tzinfo=BERLIN)
    events = simulate(config, start, start + timedelta(days=1))
    fired = [
        (e.routine, e.at.astimezone(BERLIN).strftime("%H:%M"))
        for e in events
        if e.kind == "routine.fired"
    ]
    assert fired == [
        ("neck", "09:45"),
        ("neck", "10:30"),
        ("neck", "11:15"),
        ("neck", "12:00"),
        ("neck", "13:45"),
        ("neck", "14:30"),
        ("tea", "15:00"),
        ("neck", "15:15"),
        ("neck", "16:00"),
        ("neck", "16:45"),
        ("neck", "17:30"),
    ]


def test_every_event_the_core_emits_is_a_known_event_name() -> None:
    """Hooks, `events` and the history rely on EVENT_NAMES naming every event there is: the
    core emits only typed event kinds (mypy checks each call), and each kind is emitted
    somewhere, by the engine, the stage or a guide."""
    import re

    from reminderd.model import EVENT_NAMES, GUIDE_EVENTS

    source = Path(__file__).resolve().parent.parent / "reminderd" / "core"
    text = "\n".join(path.read_text() for path in source.glob("*.py"))
    emitted = set(re.findall(r'(?:self\.emit|self\._emit)\(\s*"([a-z.]+)"', text))
    emitted |= set(GUIDE_EVENTS.values())
    assert emitted == set(EVENT_NAMES)


def test_an_unknown_name_in_the_queue_is_dropped() -> None:
    """A queued name that the config no longer knows is dropped, not a crash."""
    h = Harness(make_config(routine("p", every=600)))
    h.core.run_now("no-such-thing")
    assert h.core.guide is None
    h.core.run_now("short")  # a single exercise by id is guided as a routine of its own
    assert h.core.guide is not None
    assert h.core.guide.name == "short"


def test_clock_set_back_does_not_fire_an_at_time_twice() -> None:
    """After the 10:30 reminder, the clock is set back an hour: 10:30 does not fire again
    that day, and intervals restart from the new time."""
    h = Harness(make_config(routine("tea", at=(time(10, 30),)), routine("p", every=3600)))
    h.run_until(MONDAY + timedelta(hours=1, minutes=31))
    assert h.fired() == [("p", "10:00:00"), ("tea", "10:30:00")]
    h.clock.set_wall(h.clock.now() - timedelta(hours=1))
    h.core.tick()
    h.run_until(MONDAY + timedelta(hours=2, minutes=1))
    assert h.fired() == [("p", "10:00:00"), ("tea", "10:30:00"), ("p", "10:31:00")]


class ButtonNotifier(NullNotifier):
    """A notifier whose server offers buttons, and may be failing at the moment."""

    def __init__(self, failing: bool) -> None:
        super().__init__()
        self.capabilities = frozenset({"actions", "body"})
        self.failing = failing


def test_ask_routines_ask_only_where_buttons_can_be_pressed() -> None:
    """A start = "ask" routine shows Start/Snooze/Skip; with the server failing it starts."""
    asked = Routine("a", ("short",), Trigger(every=600), start="ask")
    for failing, asking in ((False, True), (True, False)):
        h = Harness(make_config(asked))
        h.core.use(Outputs(ButtonNotifier(failing)))
        h.run_until(MONDAY + timedelta(minutes=10, seconds=1))
        assert (h.core.asking is not None) is asking
        assert (h.core.guide is not None) is not asking


def test_a_waiting_prompt_holds_other_routines_about_a_minute() -> None:
    """An unanswered "Start?" prompt counts as ignored after a minute and the queued one runs."""
    asked = Routine("a", ("short",), Trigger(every=600), start="ask")
    other = Routine("b", ("short",), Trigger(every=600))
    h = Harness(make_config(asked, other))
    h.core.use(Outputs(ButtonNotifier(failing=False)))
    h.run_until(MONDAY + timedelta(minutes=10, seconds=1))
    assert h.core.asking is not None
    assert h.core.asking.name == "a"
    assert h.core.guide is None
    h.run_until(MONDAY + timedelta(minutes=11, seconds=2))
    assert h.core.asking is None
    assert h.core.guide is not None
    assert h.core.guide.name == "b"


def test_polls_come_from_the_environment_within_bounds() -> None:
    """REMINDERD_POLL shortens both looks-again for tests; nonsense keeps the defaults."""
    assert Polls.from_env({}) == Polls(30.0, 60.0)
    assert Polls.from_env({"REMINDERD_POLL": "1"}) == Polls(1.0, 1.0)
    assert Polls.from_env({"REMINDERD_POLL": "45"}) == Polls(30.0, 45.0)
    for nonsense in ("nan", "-1", "0", "soon", "inf"):
        assert Polls.from_env({"REMINDERD_POLL": nonsense}) == Polls(30.0, 60.0)


class NoButtonNotifier(ButtonNotifier):
    def __init__(self) -> None:
        super().__init__(failing=False)
        self.capabilities = frozenset({"body"})


def test_a_prompt_without_buttons_says_how_to_answer_and_run_answers_it() -> None:
    """Where buttons cannot be pressed, an "ask" routine still asks, naming the commands
    that answer it; `run` of that routine starts it in the prompt's place, and nothing
    else waits behind the prompt for more than a minute."""
    asked = Routine("a", ("short",), Trigger(every=600), start="ask")
    h = Harness(make_config(asked))
    notifier = NoButtonNotifier()
    h.core.use(Outputs(notifier))
    h.run_until(MONDAY + timedelta(minutes=10, seconds=1))
    assert h.core.asking is not None
    prompt = notifier.shown[-1]
    assert prompt.actions == (("default", "Start"),)  # a click on it, where that works
    assert prompt.body.endswith("Start: reminderd run a · skip: reminderd skip a")
    h.core.run_now("a")
    assert h.core.asking is None
    assert h.core.guide is not None
    assert h.core.guide.name == "a"
    kinds = [e.kind for e in h.events]
    assert kinds.count("routine.started") == 1
    assert "routine.ignored" not in kinds


def test_a_prompt_waits_for_the_last_closing_note_and_a_breath() -> None:
    """A "Start?" prompt due while the previous routine's closing note is up waits until the
    note has stayed its time (and at least a 10 s breath), then shows alone on screen."""
    asked = Routine("a", ("short",), Trigger(every=600), start="ask")
    other = Routine("b", ("short",), Trigger(every=600))
    h = Harness(make_config(other, asked)._replace(guidance=Guidance(done=30.0)))
    notifier = ButtonNotifier(failing=False)
    h.core.use(Outputs(notifier))
    h.run_until(MONDAY + timedelta(minutes=10, seconds=1))
    assert h.core.guide is not None
    assert h.core.guide.name == "b"
    while h.core.guide:  # b to its end
        h.clock.advance(h.core.next_wakeup() or 0)
        h.core.tick()
    ended = h.clock.monotonic()
    while not h.core.asking:  # then a's prompt, once b's closing note has had its time
        h.clock.advance(h.core.next_wakeup() or 0)
        h.core.tick()
    assert round(h.clock.monotonic() - ended, 6) == 30.0
    closing, prompt = notifier.shown[-2:]
    assert closing.summary.startswith("B")
    assert "Done" in closing.body
    assert prompt.body.startswith("Time for a")
    assert notifier.closed == [len(notifier.shown) - 1]  # b's closing note, before it
