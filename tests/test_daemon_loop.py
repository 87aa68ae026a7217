"""The daemon's own loop (Daemon.run) on a simulated clock: what it really fires."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from reminderd.clock import SimClock
from reminderd.config import ConfigSource
from reminderd.daemon import MAX_WAIT, Daemon
from reminderd.daemon.loop import Loop
from reminderd.model import Event
from reminderd.paths import Paths


class SimLoop(Loop):
    """The real loop, except that instead of sleeping it moves a simulated clock forward,
    and it stops the daemon when the simulated time runs out."""

    def __init__(self, clock: SimClock, end: datetime) -> None:
        super().__init__()
        self.clock = clock
        self.end = end
        self.daemon: Daemon | None = None
        self.wakes: list[datetime] = []  # the simulated moments the loop woke at

    def run_once(self, timeout: float | None) -> None:
        super().run_once(0)  # whatever is ready (nothing, in these tests), without waiting
        assert self.daemon is not None
        if timeout is None or (self.end - self.clock.now()).total_seconds() <= timeout:
            self.daemon.stopping = True
            return
        self.clock.advance(timeout)
        self.wakes.append(self.clock.now())


def run_daemon_for(
    config: Path, start: datetime, end: datetime
) -> tuple[list[Event], list[datetime]]:
    """Run `Daemon.run` from ``start`` to ``end`` of simulated time; return its events and
    the moments its loop woke."""
    clock = SimClock(start)
    loop = SimLoop(clock, end)
    base = config.parent / "daemon-loop"
    paths = Paths(runtime=base / "run", state=base / "state", data=base / "data")
    paths.runtime.mkdir(parents=True, mode=0o700, exist_ok=True)
    events: list[Event] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
        patch.delenv("DISPLAY", raising=False)
        daemon = Daemon(
            ConfigSource(config, "--config"),
            clock=clock,
            write=lambda _line: None,
            paths=paths,
            loop=loop,
        )
        loop.daemon = daemon
        daemon.core.listen(events.append)
        assert daemon.run() == 0
    return events, loop.wakes


def test_daemon_loop_sleeps_from_deadline_to_deadline(tmp_path: Path) -> None:
    """Over a simulated day the loop wakes only for steps and reminders, never in between."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[schedule]\nworking_hours = ["09:00-17:00"]\n'
        '[[routines]]\nname = "p"\nexercises = ["posture-check"]\nevery = "1h"\n'
    )
    start = datetime.fromisoformat("2026-11-23T00:00:00+01:00")
    end = datetime.fromisoformat("2026-11-24T00:00:00+01:00")
    events, wakes = run_daemon_for(config, start, end)
    fired = [e.at.strftime("%H:%M") for e in events if e.kind == "routine.fired"]
    assert fired == ["10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]
    steps = [e for e in events if e.kind == "routine.step"]
    assert len(steps) == 7 * 7  # 5 posture steps, an intro and a closing step per routine
    # Every wake-up is a step's start, a reminder, or the loop's longest sleep (MAX_WAIT)
    # with nothing due. (With no notification server the console shows the steps: there is
    # no closing note to withdraw, so no wake-up for that.)
    deadlines = {e.at for e in events}
    previous = start
    idle_wakes = []
    for moment in wakes:
        if moment not in deadlines:
            assert (moment - previous).total_seconds() == pytest.approx(MAX_WAIT), moment
            idle_wakes.append(moment)
        previous = moment
    assert len(idle_wakes) <= 4  # 00:00-10:00 and 16:01-24:00: the night's few checks
    assert len(wakes) - len(idle_wakes) == 7 * 7  # one per step, the first with its reminder
