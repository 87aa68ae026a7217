"""Adherence: outcomes from idle reads at hold ends, the daily skip budget, terminal runs
in the history."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from reminderd.clock import SimClock
from reminderd.config import load_config
from reminderd.core import ACTIONS, NO_SKIP, Core, Outputs
from reminderd.core.adherence import adherence
from reminderd.errors import ConfigError, SkipBudgetError
from reminderd.model import Config, Event, Exercise, Routine, StepSpec, Trigger, WorkSchedule
from reminderd.notify import NullNotifier
from reminderd.presence import Presence
from tests.conftest import EXERCISES_ONLY, TEST_EXERCISES, Recorder, reminderd, wait_for
from tests.test_core import MONDAY, make_config, routine
from tests.test_e2e_control import RunningDaemon

DONE_KEYS = ["done", "Done"]


def test_adherence_from_idle_reads() -> None:
    """No reads: played; idle as long as every hold: completed; input in one: worked-through."""
    assert adherence([]) == "played"
    assert adherence([(10.0, None), (10.0, None)]) == "played"
    assert adherence([(10.0, 10.2), (10.0, 30.0)]) == "completed"
    assert adherence([(10.0, 9.7)]) == "completed"  # settling in during the first moments
    assert adherence([(10.0, 12.0), (10.0, 4.0)]) == "worked-through"


class Typing:
    """An idle source for a person whose last input was at the given SimClock moments."""

    name = "scripted"
    finest = 0.0

    def __init__(self, clock: SimClock, inputs: list[float]) -> None:
        self.clock = clock
        self.start = clock.monotonic()
        self.inputs = inputs  # seconds after start

    def idle_seconds(self) -> float:
        now = self.clock.monotonic() - self.start
        last = max([0.0, *(t for t in self.inputs if t <= now)])
        return now - last


HOLDING = Exercise(
    id="holding",
    title="Holding",
    steps=(StepSpec("Move.", 4), StepSpec("Hold.", 10, kind="hold")),
)


def guided(inputs: list[float] | None) -> list[Event]:
    clock = SimClock(MONDAY)
    events: list[Event] = []
    source = None if inputs is None else Typing(clock, inputs)
    config = Config(
        routines=(Routine("r", ("holding",), Trigger(every=3600)),),
        exercises={"holding": HOLDING},
    )
    core = Core(
        config,
        clock=clock,
        outputs=Outputs(NullNotifier()),
        listeners=(events.append,),
        presence=Presence(source, 300.0, None, "scripted"),
    )
    core.run_now("r")
    while core.guide:
        clock.advance(core.next_wakeup() or 0)
        core.tick()
    return events


@pytest.mark.parametrize(
    ("inputs", "outcome"),
    [
        (None, "played"),
        ([], "completed"),
        ([2.0, 6.0], "completed"),  # typing in the movement step and the lead-in only
        ([2.0, 6.0, 14.0], "worked-through"),  # and once in the middle of the hold
    ],
)
def test_the_hold_decides_the_outcome(inputs: list[float] | None, outcome: str) -> None:
    """Only input during a hold counts; without an idle source the outcome is played."""
    completed = [e for e in guided(inputs) if e.kind == "routine.completed"]
    assert [e.data["outcome"] for e in completed] == [outcome]


def budget(limit: int | None, clock: SimClock | None = None) -> Core:
    config = make_config(routine("neck", every=600), schedule=WorkSchedule(max_skips_per_day=limit))
    config = Config(
        routines=tuple(
            Routine(r.name, r.exercises, r.trigger, max_skips_per_day=limit)
            for r in config.routines
        ),
        exercises=config.exercises,
    )
    return Core(config, clock=clock or SimClock(MONDAY), outputs=Outputs(NullNotifier()))


def test_the_third_skip_of_the_day_is_refused_and_force_is_recorded() -> None:
    """With 2 skips a day the third is refused; --force skips and says so; tomorrow is new."""
    clock = SimClock(MONDAY)
    core = budget(2, clock)
    events: list[Event] = []
    core.listen(events.append)
    core.skip("neck")
    core.skip("neck")
    assert core.skips_left("neck") == 0
    with pytest.raises(SkipBudgetError, match="no skips left today"):
        core.skip("neck")
    core.skip("neck", force=True)
    assert [e.data["reason"] for e in events if e.kind == "routine.skipped"] == [
        "cli",
        "cli",
        "forced",
    ]
    clock.advance(24 * 3600)
    assert core.skips_left("neck") == 2


def test_buttons_lose_skip_once_the_budget_is_spent() -> None:
    """The first note offers Skip while skips are left, only Start and Snooze after."""
    core = budget(1)
    assert core.buttons("neck") == ACTIONS
    core.skip("neck")
    assert core.buttons("neck") == NO_SKIP
    assert [key for key, _ in NO_SKIP] == ["start", "snooze"]


def test_the_budget_survives_a_restart_on_the_same_day() -> None:
    """Skips used today are part of the saved state."""
    core = budget(1)
    core.skip("neck")
    again = budget(1)
    again.restore_state(json.loads(json.dumps(core.export_state())))
    assert again.skips_left("neck") == 0


def test_skip_budget_is_read_and_bounded(tmp_path: Path) -> None:
    """max_skips_per_day: the schedule's applies to every routine, a routine's own wins,
    and a value out of 1..50 is a config problem with its line."""
    path = tmp_path / "c.toml"
    path.write_text(
        "[schedule]\nmax_skips_per_day = 2\n"
        '[[routines]]\nname = "a"\nexercises = ["tick"]\nevery = "1h"\n'
        '[[routines]]\nname = "b"\nexercises = ["tick"]\nevery = "1h"\nmax_skips_per_day = 5\n'
        + TEST_EXERCISES
    )
    config = load_config(path)
    assert [r.max_skips_per_day for r in config.routines] == [2, 5]
    path.write_text(
        '[[routines]]\nname = "a"\nexercises = ["tick"]\nevery = "1h"\nmax_skips_per_day = 500\n'
        + TEST_EXERCISES
    )
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "c.toml:5: routines[0].max_skips_per_day" in str(error.value)
    assert "at most 50" in str(error.value)


@pytest.mark.e2e
def test_skip_cli_refuses_the_third_skip(user_env: dict[str, str], tmp_path: Path) -> None:
    """`reminderd skip` against a real daemon: with max_skips_per_day = 2 the third skip
    exits 1 with a clear message, and --force skips and is recorded as forced; `run
    --config` beside it says why it guides in the terminal."""
    config = tmp_path / "config.toml"
    config.write_text(
        "[schedule]\nmax_skips_per_day = 2\n"
        '[[routines]]\nname = "neck"\nexercises = ["tick"]\nevery = "1h"\n' + TEST_EXERCISES
    )
    daemon = RunningDaemon(user_env, config)
    daemon.start()
    try:
        assert daemon.cli("skip", "neck").returncode == 0
        assert daemon.cli("skip", "neck").returncode == 0
        third = daemon.cli("skip", "neck")
        assert third.returncode == 1
        assert "neck: no skips left today (2 a day, max_skips_per_day)" in third.stderr
        assert "Traceback" not in third.stderr
        forced = daemon.cli("skip", "neck", "--force")
        assert forced.returncode == 0, forced.stderr
        here = daemon.cli("run", "neck", "--config", str(config))  # not the daemon's config
        assert here.returncode == 0, here.stderr
        assert "Guiding here: with --config the daemon's own config would not apply." in (
            here.stderr
        )
    finally:
        daemon.stop()
    path = Path(user_env["XDG_DATA_HOME"]) / "reminderd" / "history.sqlite3"
    with sqlite3.connect(path) as db:
        reasons = db.execute(
            "SELECT reason FROM events WHERE kind = 'routine.skipped' ORDER BY id"
        ).fetchall()
    assert reasons == [("cli",), ("cli",), ("forced",)]


@pytest.mark.e2e
def test_a_terminal_run_without_a_daemon_is_recorded(
    user_env: dict[str, str], tmp_path: Path
) -> None:
    """`reminderd run NAME --here` with no daemon adds a completed row (reason cli) to the
    history, and `stats` counts it."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[[routines]]\nname = "neck"\nexercises = ["tick"]\nevery = "1h"\n' + TEST_EXERCISES
    )
    env = user_env  # no session bus: guided in the terminal only
    ran = reminderd("run", "neck", "--here", "--config", str(config), env=env)
    assert ran.returncode == 0, ran.stderr
    path = Path(user_env["XDG_DATA_HOME"]) / "reminderd" / "history.sqlite3"
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT kind, reason, outcome FROM events WHERE kind != 'routine.step' ORDER BY id"
        ).fetchall()
    assert rows == [
        ("routine.started", "cli", None),
        ("routine.completed", "cli", "completed"),
    ]
    stats = json.loads(reminderd("stats", "--json", "--days", "1", env=env).stdout)
    assert stats["days"][-1]["completed"] == 1


@pytest.mark.e2e
def test_done_on_the_closing_note_confirms_a_played_routine(
    user_env: dict[str, str], notification_server: Recorder, tmp_path: Path
) -> None:
    """With no idle source a routine ends as played; its closing note offers Done, and
    pressing it makes the routine completed in the history."""
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    env.pop("DISPLAY", None)
    config = tmp_path / "config.toml"
    config.write_text(
        '[guidance]\nintro = "1s"\ndone = "5s"\n[[routines]]\nname = "neck"\n'
        'exercises = ["tick"]\nevery = "8h"\n' + EXERCISES_ONLY
    )
    daemon = RunningDaemon(env, config)
    daemon.start()
    path = Path(user_env["XDG_DATA_HOME"]) / "reminderd" / "history.sqlite3"

    def outcome() -> list[tuple[str, ...]]:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return db.execute(
                "SELECT outcome FROM events WHERE kind = 'routine.completed'"
            ).fetchall()

    try:
        assert daemon.cli("run", "neck").returncode == 0
        closing = wait_for(
            lambda: [n for n in notification_server.notifications() if n["actions"] == DONE_KEYS]
        )[0]
        wait_for(lambda: path.exists() and outcome())
        assert outcome() == [("played",)]
        notification_server.call("InvokeAction", "us", (closing["id"], "done"))
        wait_for(lambda: outcome() == [("completed",)])
    finally:
        daemon.stop()


def test_a_coarse_idle_source_does_not_judge_steps_shorter_than_it_can_tell() -> None:
    """A source that tells idle times only from 10 s up (Wayland's protocols) leaves a 5 s
    hold unjudged (the routine is played, not worked through); a 12 s hold it judges."""
    for hold, outcome in ((5.0, "played"), (12.0, "completed")):
        clock = SimClock(MONDAY)
        events: list[Event] = []
        source = Typing(clock, [])  # nobody touches anything
        source.finest = 10.0
        exercise = Exercise(id="h", title="H", steps=(StepSpec("Hold.", hold, kind="hold"),))
        config = Config(
            routines=(Routine("r", ("h",), Trigger(every=3600)),), exercises={"h": exercise}
        )
        core = Core(
            config,
            clock=clock,
            outputs=Outputs(NullNotifier()),
            listeners=(events.append,),
            presence=Presence(source, 300.0, None, "scripted"),
        )
        core.run_now("r")
        while core.guide:
            clock.advance(core.next_wakeup() or 0)
            core.tick()
        (done,) = [e for e in events if e.kind == "routine.completed"]
        assert done.data["outcome"] == outcome, hold
