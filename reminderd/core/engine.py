"""The engine: what is due, whether it may start, and what every command does to that.

``Core`` is driven from outside: call ``tick()`` whenever ``next_wakeup()`` seconds have
passed (or something happened), and the command methods when a person asks. It owns small
parts, each with one job, none of which calls back into it: the timers (the schedule's
arithmetic), the stage (what is on screen and queued), the firing (due routines fire, or
are held: the gate decides), the waiting and held routines, the absences (returns and
natural breaks), the clock jumps (suspend, resume, clock changes), the snoozes and skips,
and what other machines did. They report back only through the ``emit`` it hands them,
and it reports everything that happens as ``Event``s to its listeners.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from reminderd.clock import Clock, local_iso
from reminderd.contracts import CoreStatus, EventKind, SavedState
from reminderd.core import saved
from reminderd.core.absences import Absences
from reminderd.core.elsewhere import Elsewhere
from reminderd.core.firing import Firing, RunOutcome
from reminderd.core.jumps import Jumps
from reminderd.core.outputs import Outputs
from reminderd.core.pause import Pause
from reminderd.core.polls import Polls
from reminderd.core.postpone import Postpone
from reminderd.core.prompt import Ask
from reminderd.core.skips import SkipBudget, today
from reminderd.core.stage import Stage
from reminderd.core.timers import FOREVER, Timer, Timers
from reminderd.core.waiting import Waiting
from reminderd.model import Config, Event
from reminderd.pace import Tempo
from reminderd.presence import Presence

if TYPE_CHECKING:
    from reminderd.guide import Guide

log = logging.getLogger("reminderd")

Listener = Callable[[Event], None]

__all__ = ["Core", "Listener", "RunOutcome"]  # RunOutcome is made in core/firing.py


class Core:
    """Schedules routines, guides them one at a time, and obeys pause/snooze/skip."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock,
        outputs: Outputs,
        listeners: tuple[Listener, ...] = (),
        presence: Presence | None = None,
        polls: Polls | None = None,
        tempo: Tempo | None = None,
    ) -> None:
        self._config = config
        self._clock = clock
        self._listeners: list[Listener] = list(listeners)
        self._skips = SkipBudget()
        now = clock.now()
        self._timers = Timers(config, clock.zone, now)
        polls = polls or Polls()
        self._waiting = Waiting(self._timers, self.emit, polls)
        self._absences = Absences(
            presence or Presence(None, None, None, "off"),
            self._timers,
            self._waiting,
            emit=self.emit,
            polls=polls,
            zone=clock.zone,
        )
        self._stage = Stage(
            config,
            clock,
            outputs,
            emit=self.emit,
            buttons=self.buttons,
            idle=lambda: self._absences.presence.source,
            tempo=tempo or Tempo(),
        )
        self._elsewhere = Elsewhere(self._timers, self._stage, self.emit, clock.now, self.iso)
        self._firing = Firing(
            self._timers,
            self._stage,
            self._waiting,
            self._elsewhere,
            self._absences,
            clock=clock,
            emit=self.emit,
            iso=self.iso,
        )
        self._postpone = Postpone(
            self._timers, self._stage, self._skips, clock=clock, emit=self.emit, iso=self.iso
        )
        self._pause = Pause(
            clock,
            self._timers,
            self._stage,
            self._waiting,
            self._absences,
            emit=self.emit,
            iso=self.iso,
        )
        self._jumps = Jumps(clock, self._timers, self._stage, self._absences, now)
        self._absences.plan(now)

    # -- what observers may read ------------------------------------------------------------

    @property
    def config(self) -> Config:
        return self._config

    @property
    def outputs(self) -> Outputs:
        return self._stage.outputs

    @property
    def presence(self) -> Presence:
        return self._absences.presence

    @property
    def timers(self) -> Mapping[str, Timer]:
        return dict(self._timers.items())

    @property
    def guide(self) -> Guide | None:
        return self._stage.guide

    @property
    def asking(self) -> Ask | None:
        return self._stage.asking

    @property
    def paused(self) -> bool:
        return self._pause.until is not None

    @property
    def paused_until(self) -> datetime | None:
        """When the pause ends (FOREVER: until resumed); None when not paused."""
        return self._pause.until

    def next_times(self) -> dict[str, datetime | None]:
        """Each routine's next due time."""
        return {name: timer.due for name, timer in self._timers.items()}

    # -- wiring -----------------------------------------------------------------------------

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unlisten(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def due_now(self) -> bool:
        """Whether a routine not already held is due: about to fire on the next tick."""
        now = self._clock.now()
        return any(t.due and t.due <= now and not t.held for t in self._timers.values())

    def use(self, outputs: Outputs, presence: Presence | None = None) -> None:
        """New outputs (and idle awareness), chosen after a reload; a routine on screen
        finishes with the ones it started with."""
        self._stage.outputs = outputs
        if presence is not None:
            self._absences.use(presence, self._clock.now())

    # -- time -------------------------------------------------------------------------------

    def tick(self) -> None:
        """Do everything that is due now."""
        now = self._clock.now()
        if (gap := self._jumps.moved(now)) is not None:
            self.clock_jumped(gap)
        if self._pause.over(now):
            self.resume(reason="timer")
        stage = self._stage
        if stage.step_due() and self.outputs.dnd.active():
            self._firing.hold_on_screen(now)
        stage.advance(now)
        if not self.paused:
            self._absences.look(now)
            self._firing.due(now)
        stage.start_next()

    def next_wakeup(self) -> float | None:
        """Seconds until ``tick`` has something to do; None if nothing is ever due."""
        now = self._clock.now()
        mono = self._clock.monotonic()
        waits = [deadline - mono for deadline in self._stage.next_deadlines()]
        if self._stage.asking:
            waits.append((self._stage.asking.deadline - now).total_seconds())
        if (until := self._pause.until) is not None:
            if until != FOREVER:
                waits.append((until - now).total_seconds())
        else:
            moments = [self._timers.next_moment(), *self._timers.busy_until(now)]
            if self._waiting.recheck and self._waiting.any:
                moments.append(self._waiting.recheck)
            moments.append(self._absences.presence.next_check)
            waits += [(moment - now).total_seconds() for moment in moments if moment]
        return max(0.0, min(waits)) if waits else None

    def look_again(self) -> None:
        """Something changed that may release held reminders (do-not-disturb turned off, as
        the server announced): look at them on the next tick rather than at the next poll."""
        if self._timers.held():
            self._waiting.recheck = self._clock.now()

    # -- other machines (the sync folder, see reminderd/sync/) -------------------------------

    def done_elsewhere(self, name: str, machine: str, at: datetime) -> bool:
        """Routine ``name`` was done on ``machine`` at ``at``: see ``Elsewhere.done``."""
        return self._elsewhere.done(name, machine, at)

    def running_elsewhere(self, name: str, machine: str, until: datetime | None) -> None:
        """Routine ``name`` is in progress on ``machine``: see ``Elsewhere.running``."""
        self._elsewhere.running(name, machine, until)

    # -- suspend, resume and clock changes --------------------------------------------------

    def clock_jumped(self, gap: float) -> None:
        """After a suspend or clock change: see ``Jumps.catch_up``."""
        self._jumps.catch_up(gap, paused=self.paused)

    def going_to_sleep(self) -> None:
        """The machine is about to suspend: withdraw the routine on screen; it is not replayed."""
        self._stage.drop("suspend")

    def stop(self, why: str = "stopped") -> None:
        """The daemon is stopping: withdraw the routine on screen."""
        self._stage.drop(why)

    # -- what the person does on a notification ---------------------------------------------

    def on_action(self, notification_id: int, key: str) -> None:
        """A button on one of our notifications was pressed ("default": the body clicked)."""
        request = self._stage.on_action(notification_id, key)
        if request is not None:
            self._postpone.obey(request)

    def on_closed(self, notification_id: int, reason: int) -> None:
        """A notification went away; a "Start?" prompt dismissed by the person is ignored."""
        self._stage.on_closed(notification_id, reason)

    # -- commands ---------------------------------------------------------------------------

    def run_now(self, name: str, reason: str = "cli", *, now: bool = False) -> RunOutcome:
        """See ``Firing.run_now``."""
        return self._firing.run_now(name, reason, now=now)

    def pause(self, until: datetime | None = None, reason: str = "cli") -> str | None:
        """See ``Pause.pause``."""
        return self._pause.pause(until, reason)

    def resume(self, reason: str = "cli") -> bool:
        """See ``Pause.resume``."""
        return self._pause.resume(reason)

    def snooze(
        self, name: str | None, seconds: float, reason: str = "cli"
    ) -> tuple[str, datetime | None]:
        """See ``Postpone.snooze``."""
        return self._postpone.snooze(name, seconds, reason)

    def unsnooze(self, name: str) -> datetime | None:
        """See ``Postpone.unsnooze``."""
        return self._postpone.unsnooze(name)

    def skip(
        self, name: str | None, reason: str = "cli", force: bool = False
    ) -> tuple[str, datetime | None]:
        """See ``Postpone.skip``."""
        return self._postpone.skip(name, reason, force)

    def unskip(self, name: str) -> datetime | None:
        """See ``Postpone.unskip``."""
        return self._postpone.unskip(name)

    def skips_left(self, name: str) -> int | None:
        """See ``Postpone.skips_left``."""
        return self._postpone.skips_left(name)

    def buttons(self, name: str) -> tuple[tuple[str, str], ...]:
        """See ``Postpone.buttons``."""
        return self._postpone.buttons(name)

    def reload(self, config: Config) -> None:
        """Use a new config; routines whose trigger is unchanged keep their schedule."""
        self._config = config
        self._firing.reload(config.schedule)
        self._timers.reload(config, self._clock.now())
        self._stage.reload(config)
        self.emit("daemon.reloaded", None, routines=[r.name for r in config.routines])

    # -- state ------------------------------------------------------------------------------

    def export_state(self) -> SavedState:
        """What must survive a restart: the pause, snoozes and skipped occurrences."""
        now = self._clock.now()
        return saved.export(self._timers, self._skips, self._pause.until, self._config.path, now)

    def restore_state(self, state: Mapping[str, object]) -> list[str]:
        """Apply a saved state; entries that are unreadable or already past are ignored,
        those out of range dropped: return what was dropped, in words."""
        now = self._clock.now()
        path = self._config.path
        paused, dropped = saved.restore(
            state, self._timers, self._skips, config=path, now=now, today=today(self._clock)
        )
        self._pause.until = paused
        return dropped

    # -- what it says -----------------------------------------------------------------------

    def emit(self, kind: EventKind, routine: str | None, /, **data: Any) -> None:
        event = Event(kind, self._clock.now().astimezone(self._clock.zone()), routine, data)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("an event listener failed on %s", kind)

    def iso(self, moment: datetime | None) -> str | None:
        """Local time with its UTC offset, for people and status bars alike."""
        return local_iso(moment, self._clock.zone()) if moment else None

    def status(self) -> CoreStatus:
        """What the core is doing, as plain data (the daemon adds process details)."""
        until = None if self._pause.until in (None, FOREVER) else self.iso(self._pause.until)
        return {
            "paused": self.paused,
            "paused_until": until,
            "current": self._stage.current(),
            "asking": self._stage.prompt(),
            "queue": list(self._stage.queue),
            "requested": self._waiting.status(),
            "idle": self._absences.presence.status(),
            "routines": self._timers.rows(self._pause.end(), self._clock.zone()),
        }
