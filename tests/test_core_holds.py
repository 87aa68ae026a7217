"""The engine's holds on a simulated clock: a due routine waits through a call, a film or a
screen share, and for a pause in typing; it comes once after, and a hold that lasts past
working hours drops it as missed.

The hold sources here are a stand-in that answers what the test says (the real sources,
against real PipeWire, openbox, sway and the inhibitor services, are tested in
test_e2e_holds.py and end to end in test_e2e_holds_daemon.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from reminderd.clock import SimClock
from reminderd.contracts import SourceStatus
from reminderd.core import Core, Outputs, Polls
from reminderd.holds.port import Answer, Hold
from reminderd.model import Event, WorkSchedule
from reminderd.notify import NullNotifier
from reminderd.presence import Presence
from tests.test_core import MONDAY, Harness, make_config, routine

CALL = Hold("call", "zoom", "microphone in use", "pipewire")


class StandInHolds:
    """A stand-in for the hold sources: holds for whatever ``on`` holds, and counts asks."""

    def __init__(self) -> None:
        self.on: tuple[Hold, ...] = ()
        self.asked = 0

    def ask(self) -> tuple[Answer, ...]:
        self.asked += 1
        return (Answer("pipewire", self.on),)

    def status(self) -> list[SourceStatus]:
        return []


class Typing:
    """An idle source on the simulated clock: input at the moments the test lists."""

    name = "typing"
    finest = 0.0

    def __init__(self, clock: SimClock, keys: list[datetime]) -> None:
        self.clock = clock
        self.keys = keys

    def idle_seconds(self) -> float:
        now = self.clock.now()
        last = max((k for k in self.keys if k <= now), default=now - timedelta(hours=1))
        return (now - last).total_seconds()


def harness(
    holds: StandInHolds,
    schedule: WorkSchedule | None = None,
    keys: list[datetime] | None = None,
    poll: float = 1.0,
) -> Harness:
    h = Harness(make_config(routine("neck", every=1200), schedule=schedule or WorkSchedule()))
    presence = None
    if keys is not None:
        presence = Presence(Typing(h.clock, keys), None, None)
    h.core = Core(
        h.core.config,
        clock=h.clock,
        outputs=Outputs(NullNotifier(), holds=holds),
        listeners=(h.events.append,),
        presence=presence,
        polls=Polls(poll, poll),
    )
    return h


def kinds(events: list[Event], *wanted: str) -> list[tuple[str, object]]:
    return [(e.kind, e.data.get("reason")) for e in events if e.kind in wanted]


def test_a_routine_due_during_a_call_waits_and_comes_once_after() -> None:
    """Due at 09:20 during a call: held with the call named, asked again every poll (not
    every tick), and fired once, as "call-over", within a poll of the call's end."""
    holds = StandInHolds()
    holds.on = (CALL,)
    h = harness(holds)
    h.run_until(MONDAY + timedelta(minutes=30))
    status = h.core.status()["routines"][0]
    assert (status["held"], status["hold"]) == ("call", "call: microphone in use by zoom")
    assert h.fired() == []
    assert 500 <= holds.asked <= 700  # once a second for ten minutes
    held = [e for e in h.events if e.kind == "routine.held"]
    assert len(held) == 1
    assert held[0].data["who"] == "zoom"
    holds.on = ()
    h.run_until(MONDAY + timedelta(minutes=30, seconds=2))
    assert kinds(h.events, "routine.fired") == [("routine.fired", "call-over")]
    assert h.core.status()["routines"][0]["held"] is None


def test_a_hold_past_working_hours_drops_the_routine_as_missed() -> None:
    """A film that runs past 17:00 does not bring the routine back in the evening: at the
    end of working time it is recorded as missed (the hold's reason said), and comes the
    next working morning."""
    holds = StandInHolds()
    holds.on = (Hold("fullscreen", "totem", "full screen", "x11"),)
    schedule = WorkSchedule(hours=(((time(9), time(17)),),) * 7)
    h = harness(holds, schedule, poll=30.0)  # looked at again every 30 s, as by default
    h.run_until(MONDAY.replace(hour=17, minute=5))
    skipped = [e for e in h.events if e.kind == "routine.skipped"]
    assert [e.data["reason"] for e in skipped] == ["missed (fullscreen)"]
    holds.on = ()
    h.run_until(MONDAY.replace(hour=20))
    assert h.fired() == []
    due = h.core.status()["routines"][0]["next"]
    assert due is not None
    assert due.startswith("2026-11-24T09:")


def test_run_by_hand_waits_for_a_call_and_run_now_overrides() -> None:
    """`run neck` during a call says what holds it and starts when the call ends;
    `run --now` starts at once."""
    holds = StandInHolds()
    holds.on = (CALL,)
    h = harness(holds)
    outcome = h.core.run_now("neck")
    assert outcome.held == "call: microphone in use by zoom"
    assert h.core.guide is None
    status = h.core.status()["requested"]
    assert status == {"routines": ["neck"], "hold": "call: microphone in use by zoom"}
    holds.on = ()
    h.run_until(MONDAY + timedelta(seconds=2))
    assert h.core.guide is not None
    assert h.core.status()["requested"] is None
    h2_holds = StandInHolds()
    h2_holds.on = (CALL,)
    h2 = harness(h2_holds)
    assert h2.core.run_now("neck", now=True).held is None
    assert h2.core.guide is not None


def test_the_soft_start_waits_for_a_pause_in_typing_and_records_how_it_started() -> None:
    """Due at 09:20 while typing: it waits for the first five seconds without input; one
    due while typing goes on starts at the soft start's deadline (two minutes)."""
    typing_until = MONDAY + timedelta(minutes=20, seconds=30)
    keys = [MONDAY + timedelta(minutes=20, seconds=s) for s in range(0, 31, 2)]
    h = harness(StandInHolds(), keys=keys)
    h.run_until(MONDAY + timedelta(minutes=21))
    fired = [e for e in h.events if e.kind == "routine.fired"]
    assert [e.data["start"] for e in fired] == ["pause"]
    assert fired[0].at >= typing_until + timedelta(seconds=5)
    assert fired[0].at <= typing_until + timedelta(seconds=7)
    held = [e for e in h.events if e.kind == "routine.held"]
    assert [e.data["reason"] for e in held] == ["typing"]

    endless = [MONDAY + timedelta(minutes=20, seconds=s) for s in range(0, 600, 2)]
    h = harness(StandInHolds(), keys=endless)
    h.run_until(MONDAY + timedelta(minutes=23))
    fired = [e for e in h.events if e.kind == "routine.fired"]
    assert [e.data["start"] for e in fired] == ["deadline"]
    assert (
        MONDAY + timedelta(minutes=22) <= fired[0].at <= MONDAY + timedelta(minutes=22, seconds=2)
    )


def test_soft_start_zero_starts_at_once() -> None:
    """`soft_start = "0s"` turns the wait off: a routine due while typing starts at once."""
    keys = [MONDAY + timedelta(minutes=20, seconds=s) for s in range(0, 60, 2)]
    h = harness(StandInHolds(), WorkSchedule(soft_start=0.0), keys)
    h.run_until(MONDAY + timedelta(minutes=20, seconds=1))
    fired = [e for e in h.events if e.kind == "routine.fired"]
    assert [e.data["start"] for e in fired] == ["at-once"]


def test_time_held_by_a_call_is_not_a_natural_break() -> None:
    """Twenty minutes in a call without touching the keyboard, then back: no natural
    break, so the held routine runs when the call ends instead of being dropped."""
    holds = StandInHolds()
    holds.on = (CALL,)
    h = Harness(
        make_config(
            routine("neck", every=1200),
            schedule=WorkSchedule(natural_break=600.0, soft_start=0.0),
        )
    )
    back = MONDAY + timedelta(minutes=40)
    h.core = Core(
        h.core.config,
        clock=h.clock,
        outputs=Outputs(NullNotifier(), holds=holds),
        listeners=(h.events.append,),
        presence=Presence(Typing(h.clock, [MONDAY, back]), None, 600.0),
        polls=Polls(1.0, 1.0),
    )
    h.run_until(back + timedelta(seconds=30))
    assert [e.kind for e in h.events if e.kind in ("break.natural", "presence.back")] == [
        "presence.back"
    ]
    holds.on = ()
    h.run_until(back + timedelta(seconds=33))
    assert kinds(h.events, "routine.fired", "routine.skipped") == [("routine.fired", "call-over")]


def test_skipping_a_held_routine_lets_it_go_without_a_busy_loop() -> None:
    """A routine held by a call and then skipped is no longer held: nothing says it waits,
    the loop sleeps until its next time (no zero waits), and it is not fired as
    "call-over" later."""
    holds = StandInHolds()
    holds.on = (CALL,)
    h = harness(holds)
    h.run_until(MONDAY + timedelta(minutes=21))
    assert h.core.status()["routines"][0]["held"] == "call"
    h.core.skip("neck")
    status = h.core.status()["routines"][0]
    assert (status["held"], status["hold"]) == (None, None)
    wait = h.core.next_wakeup()
    assert wait is not None
    assert wait > 60
    holds.on = ()
    h.run_until(MONDAY + timedelta(minutes=45))
    assert [e.data["reason"] for e in h.events if e.kind == "routine.fired"] == ["schedule"]


def typing_until(end: datetime) -> list[datetime]:
    """A key every minute from 09:00 until ``end``."""
    return [MONDAY + timedelta(minutes=m) for m in range(int((end - MONDAY).seconds / 60) + 1)]


def test_nobody_is_watched_at_night_and_an_idle_hold_ends_with_working_time() -> None:
    """At the desk until 16:30, working hours to 17:00: the routine due at 16:40 waits for
    the person's return, is dropped as missed at the end of working time, and the idle
    source is not asked again until the next working morning."""
    schedule = WorkSchedule(hours=(((time(9), time(17)),),) * 7, pause_when_idle=120.0)
    asked: list[datetime] = []
    h = Harness(make_config(routine("neck", every=1200), schedule=schedule))

    class Left(Typing):
        def idle_seconds(self) -> float:
            asked.append(self.clock.now())
            return super().idle_seconds()

    h.core = Core(
        h.core.config,
        clock=h.clock,
        outputs=Outputs(NullNotifier(), holds=StandInHolds()),
        listeners=(h.events.append,),
        presence=Presence(
            Left(h.clock, typing_until(MONDAY.replace(hour=16, minute=30))), 120.0, None
        ),
        polls=Polls(30.0, 30.0),
    )
    h.run_until(MONDAY.replace(hour=23))
    reasons = [e.data["reason"] for e in h.events if e.kind == "routine.skipped"]
    assert reasons == ["missed (idle)"]
    assert all(moment.hour < 17 for moment in asked), max(asked)


def test_routines_missed_during_a_suspend_come_through_the_holds() -> None:
    """Waking from a night's suspend into a call: the routine that fell due meanwhile is
    held like any due routine, and comes once, said as missed, when the call ends."""
    holds = StandInHolds()
    h = harness(holds)
    h.run_until(MONDAY + timedelta(minutes=1))
    holds.on = (CALL,)
    h.clock.suspend(3600)
    h.core.tick()
    assert h.fired() == []
    assert h.core.status()["routines"][0]["held"] == "call"
    holds.on = ()
    h.run_until(MONDAY + timedelta(hours=1, minutes=1, seconds=3))
    fired = [e for e in h.events if e.kind == "routine.fired"]
    assert [e.data["reason"] for e in fired] == ["call-over"]
