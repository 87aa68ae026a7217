"""The engine: what is due, whether it may start, and what every command does to that.

``Core`` is driven from outside: call ``tick()`` whenever ``next_wakeup()`` seconds have
passed (or something happened), and the command methods when a person asks. It owns small
parts, each with one job: the timers (the schedule's arithmetic), the stage (what is on
screen and queued), the gate (may a due routine start now?), the waiting and held
routines, the skip budget, and what other machines did; they report back only through
the ``emit`` it hands them, and it reports everything that happens as ``Event``s to its
listeners.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from reminderd import scheduler
from reminderd.clock import Clock, local_iso
from reminderd.contracts import SOURCE_REASONS, Asked, CoreStatus, EventKind, SavedState
from reminderd.core import saved
from reminderd.core.elsewhere import Elsewhere
from reminderd.core.gate import Gate
from reminderd.core.outputs import Outputs
from reminderd.core.polls import Polls
from reminderd.core.postpone import Postpone
from reminderd.core.prompt import ACTION_SNOOZE, Ask
from reminderd.core.skips import SkipBudget, today
from reminderd.core.stage import Request, Stage
from reminderd.core.timers import FOREVER, Timer, Timers
from reminderd.core.waiting import Waiting
from reminderd.errors import SkipBudgetError
from reminderd.guide import Guide, Tempo
from reminderd.model import Config, Event
from reminderd.presence import Observation, Presence

if TYPE_CHECKING:
    from reminderd.holds.decide import Fire, Held, Start

log = logging.getLogger("reminderd")

JUMP_THRESHOLD = 30.0  # seconds of disagreement between wall and monotonic clocks

Listener = Callable[[Event], None]


class RunOutcome(NamedTuple):
    """What ``run_now`` did: the prompt waiting for the routine was answered, or it waits
    behind ``ahead`` others (0: it starts now)."""

    answered: bool
    ahead: int
    held: str | None = None  # what holds it back ("call: microphone in use by zoom")


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
        self._polls = polls or Polls()
        self._listeners: list[Listener] = list(listeners)
        self._presence = presence or Presence(None, None, None, "off")
        self._skips = SkipBudget()
        self._paused_until: datetime | None = None  # FOREVER: until resumed
        self._gate = Gate(clock.monotonic, config.schedule.hold_during, config.schedule.soft_start)
        now = clock.now()
        self._timers = Timers(config, clock.zone, now)
        self._waiting = Waiting(self._timers, self.emit, self._polls)
        self._stage = Stage(
            config,
            clock,
            outputs,
            emit=self.emit,
            buttons=self.buttons,
            idle=lambda: self._presence.source,
            tempo=tempo or Tempo(),
        )
        self._elsewhere = Elsewhere(self._timers, self._stage, self.emit, clock.now, self.iso)
        self._postpone = Postpone(
            self._timers, self._stage, self._skips, clock=clock, emit=self.emit, iso=self.iso
        )
        self._last_wall, self._last_mono = now, clock.monotonic()
        self._plan_presence_check(now)

    # -- what observers may read ------------------------------------------------------------

    @property
    def config(self) -> Config:
        return self._config

    @property
    def outputs(self) -> Outputs:
        return self._stage.outputs

    @property
    def presence(self) -> Presence:
        return self._presence

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
        return self._paused_until is not None

    @property
    def paused_until(self) -> datetime | None:
        """When the pause ends (FOREVER: until resumed); None when not paused."""
        return self._paused_until

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
            self._presence = presence
            self._plan_presence_check(self._clock.now())

    # -- time -------------------------------------------------------------------------------

    def tick(self) -> None:
        """Do everything that is due now."""
        now = self._clock.now()
        self._check_clock(now)
        if self._paused_until and now >= self._paused_until:
            self.resume(reason="timer")
        stage = self._stage
        if stage.step_due() and self.outputs.dnd.active():
            self._hold_on_screen(now)
        stage.advance(now)
        if not self._paused_until:
            presence = self._presence
            if presence.next_check and now >= presence.next_check:
                self._seen(now, presence.observe(now))
            self._fire_due(now)
        stage.start_next()

    def next_wakeup(self) -> float | None:
        """Seconds until ``tick`` has something to do; None if nothing is ever due."""
        now = self._clock.now()
        mono = self._clock.monotonic()
        waits = [deadline - mono for deadline in self._stage.next_deadlines()]
        if self._stage.asking:
            waits.append((self._stage.asking.deadline - now).total_seconds())
        if self._paused_until:
            if self._paused_until != FOREVER:
                waits.append((self._paused_until - now).total_seconds())
        else:
            moments = [self._timers.next_moment(), *self._timers.busy_until(now)]
            if self._waiting.recheck and self._waiting.any:
                moments.append(self._waiting.recheck)
            moments.append(self._presence.next_check)
            waits += [(moment - now).total_seconds() for moment in moments if moment]
        return max(0.0, min(waits)) if waits else None

    # -- may a due routine start? -----------------------------------------------------------

    def _fire_due(self, now: datetime) -> None:
        """Fire what is due, and what was asked for by hand, unless something holds it back:
        the gate samples what is known now and decides; this acts."""
        due = [t for t in self._timers.due(now) if not self._elsewhere.busy(t, now)]
        if not (due or self._waiting.requested):
            self._waiting.released()  # nothing waits: no look again
            return
        from reminderd.holds.decide import Held  # noqa: PLC0415 - only when one is due

        if self._waiting.requested:
            verdict = self._check("by-hand", now)
            if isinstance(verdict, Held):
                self._waiting.still_held(verdict, now)
            else:
                for name, reason in self._waiting.let_in().items():
                    self._stage.enqueue(name, reason)
        if not due:
            return
        verdict = self._check("schedule", now)
        if isinstance(verdict, Held):
            self._hold(due, verdict, now)
            return
        self._waiting.released()
        for timer in due:
            why = (
                f"{timer.waited}-over" if timer.waited else "missed" if timer.missed else "schedule"
            )
            self._fire(timer, now, reason=why, start=verdict.start)

    def _check(self, asked: Asked, now: datetime) -> Fire | Held:
        """The gate's decision; a return from an absence seen on the way is acted on."""
        verdict, seen = self._gate.check(
            asked, busy=self._stage.busy, now=now, presence=self._presence, outputs=self.outputs
        )
        if seen is not None:
            self._seen(now, seen)
        return verdict

    def _hold(self, due: list[Timer], held: Held, now: datetime) -> None:
        working = scheduler.is_working(self._config.schedule, now, self._clock.zone())
        self._waiting.hold(due, held, now, working=working)

    def _hold_on_screen(self, now: datetime) -> None:
        """Do-not-disturb began during a routine: withdraw it (it is not done) and hold it,
        to run again once do-not-disturb ends."""
        from reminderd.holds.decide import Held  # noqa: PLC0415 - a routine is on screen

        name = self._stage.take_off("dnd")
        timer = self._timers.get(name) if name else None
        if timer is not None:
            timer.due = now
            dnd = self.outputs.dnd.source
            self._hold([timer], Held("dnd", dnd.name if dnd else "", "do not disturb"), now)

    def look_again(self) -> None:
        """Something changed that may release held reminders (do-not-disturb turned off, as
        the server announced): look at them on the next tick rather than at the next poll."""
        if self._timers.held():
            self._waiting.recheck = self._clock.now()

    # -- presence: absences and natural breaks ----------------------------------------------

    def _seen(self, now: datetime, seen: Observation | None) -> None:
        """Act on an idle observation: a return, perhaps a natural break; plan the next look."""
        presence = self._presence
        if seen and seen.returned_after is not None:
            self.emit("presence.back", None, away=round(seen.returned_after))
            # Time held by a call, a screen share or a film was not a break from the screen.
            watching = any(t.held in SOURCE_REASONS for t in self._timers.held())
            long_enough = presence.break_after and seen.returned_after >= presence.break_after
            if long_enough and not watching:
                self._natural_break(now, seen.returned_after)
        self._plan_presence_check(now)

    def _natural_break(self, now: datetime, seconds: float) -> None:
        """An absence long enough to count as a break: intervals restart, waiting reminders go."""
        self.emit("break.natural", None, seconds=round(seconds))
        self._waiting.released()  # those asked for by hand still wait for their hold to end
        for timer in self._timers.held():
            self.emit("routine.skipped", timer.routine.name, reason="natural-break")
        self._timers.restart(now)

    def _plan_presence_check(self, now: datetime) -> None:
        schedule, zone = self._config.schedule, self._clock.zone()
        self._presence.plan_check(
            now, self._polls.away, lambda soon: scheduler.next_working(schedule, soon, zone)
        )

    # -- other machines (the sync folder, see reminderd/sync/) -------------------------------

    def done_elsewhere(self, name: str, machine: str, at: datetime) -> bool:
        """Routine ``name`` was done on ``machine`` at ``at``: see ``Elsewhere.done``."""
        return self._elsewhere.done(name, machine, at)

    def running_elsewhere(self, name: str, machine: str, until: datetime | None) -> None:
        """Routine ``name`` is in progress on ``machine``: see ``Elsewhere.running``."""
        self._elsewhere.running(name, machine, until)

    # -- suspend, resume and clock changes --------------------------------------------------

    def _check_clock(self, now: datetime) -> None:
        """Notice a suspend/resume or a clock change: the wall clock moved by more than the
        monotonic one (which stands still while the machine sleeps)."""
        mono = self._clock.monotonic()
        expected = self._last_wall + timedelta(seconds=mono - self._last_mono)
        self._last_wall, self._last_mono = now, mono
        gap = (now - expected).total_seconds()
        if abs(gap) >= JUMP_THRESHOLD:
            self.clock_jumped(gap)

    def clock_jumped(self, gap: float) -> None:
        """After a suspend or clock change: abandon the routine being guided, restart every
        interval, and let each routine that fell due meanwhile come once, through the gate
        like any due routine (not over a call, nor through do-not-disturb)."""
        now = self._clock.now()
        log.info("the clock moved %+.0f s (suspend, resume or clock change)", gap)
        self._stage.drop("suspend")
        natural = self._config.schedule.natural_break
        was_break = gap > 0 and natural is not None and gap >= natural
        working = scheduler.is_working(self._config.schedule, now, self._clock.zone())
        missed = []
        if not self._paused_until and not was_break and working:
            missed = [t for t in self._timers.values() if t.due and t.due <= now]
        self._timers.restart(now, use_up_times=gap > 0)
        for timer in missed:  # due now, once: the tick's _fire_due decides
            timer.due, timer.missed = now, True
        self._presence.forget_absence()
        self._plan_presence_check(now)
        self._stage.start_next()

    def going_to_sleep(self) -> None:
        """The machine is about to suspend: withdraw the routine on screen; it is not replayed."""
        self._stage.drop("suspend")

    def stop(self, why: str = "stopped") -> None:
        """The daemon is stopping: withdraw the routine on screen."""
        self._stage.drop(why)

    # -- firing -----------------------------------------------------------------------------

    def _fire(
        self, timer: Timer, now: datetime, reason: str = "schedule", start: Start = "at-once"
    ) -> None:
        """``start``: whether it came at a pause in typing, at the soft start's deadline, or
        at once (recorded in the history with the firing)."""
        name = timer.routine.name
        self._timers.fired(timer, now)
        if self._stage.waiting(name):
            # Due again while it is on screen or waiting: the person is at it already.
            log.debug("%s is due again while it runs; counted as done", name)
            return
        self.emit("routine.fired", name, reason=reason, next=self.iso(timer.due), start=start)
        self._stage.enqueue(name, reason)

    # -- what the person does on a notification ---------------------------------------------

    def on_action(self, notification_id: int, key: str) -> None:
        """A button on one of our notifications was pressed ("default": the body clicked)."""
        request = self._stage.on_action(notification_id, key)
        if request is None:
            return
        self._obey(request)

    def _obey(self, request: Request) -> None:
        if request.action == "snooze":
            self.snooze(request.routine, ACTION_SNOOZE, reason="action")
        elif request.action == "skip":
            try:
                self.skip(request.routine, reason="action")
            except SkipBudgetError as error:
                log.info("%s", error)

    def on_closed(self, notification_id: int, reason: int) -> None:
        """A notification went away; a "Start?" prompt dismissed by the person is ignored."""
        self._stage.on_closed(notification_id, reason)

    # -- commands ---------------------------------------------------------------------------

    def run_now(self, name: str, reason: str = "cli", *, now: bool = False) -> RunOutcome:
        """Guide routine or exercise ``name`` as soon as the current one is done; a "Start?"
        prompt waiting for ``name`` is answered: it starts now, in the prompt's place. A
        call, a screen share, a film (a hold source) holds it until that ends, unless
        ``now`` (``run --now``), which overrides every hold."""
        from reminderd.holds.decide import Held  # noqa: PLC0415 - a person asked for one

        stage = self._stage
        if stage.guide is None and stage.answer_start(name):
            return RunOutcome(answered=True, ahead=0)
        moment = self._clock.now()
        verdict = self._check("now" if now else "by-hand", moment)
        if isinstance(verdict, Held):
            self._waiting.request(name, reason, verdict, moment)
            return RunOutcome(answered=False, ahead=0, held=str(verdict))
        self._waiting.forget(name)
        ahead = len(stage.queue) + stage.busy
        stage.enqueue(name, reason)
        stage.start_next()
        return RunOutcome(answered=False, ahead=ahead)

    def pause(self, until: datetime | None = None, reason: str = "cli") -> str | None:
        """Fire nothing until ``until`` (None: until resumed); the routine on screen waits at
        its step for the resume (at most core/held.py's HOLD_LIMIT, then it is cancelled).
        Return when it ends, as written in events (None: until resumed)."""
        self._paused_until = until or FOREVER
        self._stage.hold("paused")
        self.emit("daemon.paused", None, until=self.iso(until), reason=reason)
        return self.iso(until)

    def resume(self, reason: str = "cli") -> bool:
        """Start again; intervals restart now, so no burst of reminders missed while paused.
        False if it was not paused."""
        if not self._paused_until:
            return False
        now = self._clock.now()
        self._paused_until = None
        self._timers.drop_expired_snoozes(now)
        self._timers.restart(now)
        self._waiting.released()
        self._plan_presence_check(now)
        self.emit("daemon.resumed", None, reason=reason)
        self._stage.carry_on()  # a routine held at its step goes on
        return True

    def target(self, name: str | None) -> str:
        """See ``Postpone.target``."""
        return self._postpone.target(name)

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
        self._gate.hold_during = config.schedule.hold_during
        self._gate.soft_start = config.schedule.soft_start
        self._timers.reload(config, self._clock.now())
        self._stage.reload(config)
        self.emit("daemon.reloaded", None, routines=[r.name for r in config.routines])

    # -- state ------------------------------------------------------------------------------

    def export_state(self) -> SavedState:
        """What must survive a restart: the pause, snoozes and skipped occurrences."""
        now = self._clock.now()
        return saved.export(self._timers, self._skips, self._paused_until, self._config.path, now)

    def restore_state(self, state: Mapping[str, object]) -> list[str]:
        """Apply a saved state; entries that are unreadable or already past are ignored,
        those out of range dropped: return what was dropped, in words."""
        now = self._clock.now()
        path = self._config.path
        paused, dropped = saved.restore(
            state, self._timers, self._skips, config=path, now=now, today=today(self._clock)
        )
        self._paused_until = paused
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

    def _pause_end(self) -> datetime | None:
        """While paused, when the pause ends (until resumed: now, as if resumed now); None
        when not paused."""
        if self._paused_until is None:
            return None
        now = self._clock.now()
        return now if self._paused_until == FOREVER else max(now, self._paused_until)

    def status(self) -> CoreStatus:
        """What the core is doing, as plain data (the daemon adds process details)."""
        paused = self._paused_until is not None
        until = None if self._paused_until in (None, FOREVER) else self.iso(self._paused_until)
        return {
            "paused": paused,
            "paused_until": until,
            "current": self._stage.current(),
            "asking": self._stage.prompt(),
            "queue": list(self._stage.queue),
            "requested": self._waiting.status(),
            "idle": self._presence.status(),
            "routines": self._timers.rows(self._pause_end(), self._clock.zone()),
        }
