"""The person's other machines (the sync folder, see reminderd/sync/): a routine done there
restarts its interval here, as if done here; one in progress there is not started here
until it ends there or its time there is up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from reminderd.core.outputs import Emit
from reminderd.core.stage import Stage
from reminderd.core.timers import Timer, Timers, release


class Elsewhere:
    """What another machine's reports change here."""

    def __init__(
        self,
        timers: Timers,
        stage: Stage,
        emit: Emit,
        now: Callable[[], datetime],
        iso: Callable[[datetime | None], str | None],
    ) -> None:
        self._timers = timers
        self._stage = stage
        self._emit = emit
        self._now = now
        self._iso = iso

    def done(self, name: str, machine: str, at: datetime) -> bool:
        """Routine ``name`` was done on ``machine`` at ``at`` (not later than now): its
        interval restarts from then, and a prompt or queue entry for it goes. True if that
        changed anything."""
        timer = self._timers.done_elsewhere(name, machine, at)
        if timer is None:
            return False
        self._withdraw(name)
        self._emit(
            "sync.done", name, machine=machine, done=self._iso(at), next=self._iso(timer.due)
        )
        return True

    def running(self, name: str, machine: str, until: datetime | None) -> None:
        """Routine ``name`` is in progress on ``machine`` until ``until`` (None: no longer).
        Meanwhile it is not started here: when it falls due it waits, held "elsewhere"."""
        timer = self._timers.get(name)
        if timer is None:
            return
        if until is not None and until > self._now():
            timer.busy_elsewhere = (machine, until)
            self._withdraw(name)
        elif timer.busy_elsewhere and timer.busy_elsewhere[0] == machine:
            timer.busy_elsewhere = None
            if timer.held == "elsewhere":
                release(timer)  # still due: it fires at the next tick

    def _withdraw(self, name: str) -> None:
        """A prompt or queue entry for a routine another machine is doing goes (not one on
        screen here: the person is at it)."""
        stage = self._stage
        if stage.guide is not None and stage.guide.name == name:
            return
        if stage.withdraw(name, "elsewhere"):  # asked or queued: each fired reminder has a fate
            self._emit("routine.cancelled", name, reason="elsewhere")

    def busy(self, timer: Timer, now: datetime) -> bool:
        """Due while in progress on another machine: held until it ends there or its time
        there is up. True while held."""
        busy = timer.busy_elsewhere
        if busy is None or busy[1] <= now:
            timer.busy_elsewhere = None
            if timer.held == "elsewhere":
                release(timer)
            return False
        if timer.held != "elsewhere":
            timer.held = "elsewhere"
            self._emit("routine.held", timer.routine.name, reason="elsewhere", machine=busy[0])
        return True
