"""Due routines fire, unless something holds them back: the gate samples what is known now
and decides; this acts on the decision. It fires them (into the stage's queue) or holds them
and looks again later, for routines due by the schedule and for runs asked for by hand
(``run``); do-not-disturb that begins during a routine withdraws it and holds it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from reminderd import scheduler
from reminderd.clock import Clock
from reminderd.contracts import Asked
from reminderd.core.absences import Absences
from reminderd.core.elsewhere import Elsewhere
from reminderd.core.gate import Gate
from reminderd.core.outputs import Emit
from reminderd.core.stage import Stage
from reminderd.core.timers import Timer, Timers
from reminderd.core.waiting import Waiting
from reminderd.model import WorkSchedule

if TYPE_CHECKING:
    from reminderd.holds.decide import Fire, Held, Start

log = logging.getLogger("reminderd")


class RunOutcome(NamedTuple):
    """What ``run_now`` did: the prompt waiting for the routine was answered, or it waits
    behind ``ahead`` others (0: it starts now)."""

    answered: bool
    ahead: int
    held: str | None = None  # what holds it back ("call: microphone in use by zoom")


class Firing:
    """Acts on the gate's decisions: fire, or hold and look again."""

    def __init__(
        self,
        timers: Timers,
        stage: Stage,
        waiting: Waiting,
        elsewhere: Elsewhere,
        absences: Absences,
        *,
        clock: Clock,
        emit: Emit,
        iso: Callable[[datetime | None], str | None],
    ) -> None:
        self._timers = timers
        self._stage = stage
        self._waiting = waiting
        self._elsewhere = elsewhere
        self._absences = absences
        schedule = timers.schedule
        self._gate = Gate(clock.monotonic, schedule.hold_during, schedule.soft_start)
        self._clock = clock
        self._emit = emit
        self._iso = iso

    def reload(self, schedule: WorkSchedule) -> None:
        """A new config: what holds a routine back, and the soft start, follow it."""
        self._gate.hold_during = schedule.hold_during
        self._gate.soft_start = schedule.soft_start

    def due(self, now: datetime) -> None:
        """Fire what is due, and what was asked for by hand, unless something holds it back:
        the gate samples what is known now and decides; this acts."""
        due = [t for t in self._timers.due(now) if not self._elsewhere.busy(t, now)]
        if not (due or self._waiting.requested):
            self._waiting.released()  # nothing waits: no look again
            return
        from reminderd.holds.decide import Held  # noqa: PLC0415 - only when one is due

        if self._waiting.requested:
            verdict = self.check("by-hand", now)
            if isinstance(verdict, Held):
                self._waiting.still_held(verdict, now)
            else:
                for name, reason in self._waiting.let_in().items():
                    self._stage.enqueue(name, reason)
        if not due:
            return
        verdict = self.check("schedule", now)
        if isinstance(verdict, Held):
            self._hold(due, verdict, now)
            return
        self._waiting.released()
        for timer in due:
            why = (
                f"{timer.waited}-over" if timer.waited else "missed" if timer.missed else "schedule"
            )
            self._fire(timer, now, reason=why, start=verdict.start)

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
        verdict = self.check("now" if now else "by-hand", moment)
        if isinstance(verdict, Held):
            self._waiting.request(name, reason, verdict, moment)
            return RunOutcome(answered=False, ahead=0, held=str(verdict))
        self._waiting.forget(name)
        ahead = len(stage.queue) + stage.busy
        stage.enqueue(name, reason)
        stage.start_next()
        return RunOutcome(answered=False, ahead=ahead)

    def check(self, asked: Asked, now: datetime) -> Fire | Held:
        """The gate's decision; a return from an absence seen on the way is acted on."""
        verdict, seen = self._gate.check(
            asked,
            busy=self._stage.busy,
            now=now,
            presence=self._absences.presence,
            outputs=self._stage.outputs,
        )
        if seen is not None:
            self._absences.seen(now, seen)
        return verdict

    def _hold(self, due: list[Timer], held: Held, now: datetime) -> None:
        working = scheduler.is_working(self._timers.schedule, now, self._clock.zone())
        self._waiting.hold(due, held, now, working=working)

    def hold_on_screen(self, now: datetime) -> None:
        """Do-not-disturb began during a routine: withdraw it (it is not done) and hold it,
        to run again once do-not-disturb ends."""
        from reminderd.holds.decide import Held  # noqa: PLC0415 - a routine is on screen

        name = self._stage.take_off("dnd")
        timer = self._timers.get(name) if name else None
        if timer is not None:
            timer.due = now
            dnd = self._stage.outputs.dnd.source
            self._hold([timer], Held("dnd", dnd.name if dnd else "", "do not disturb"), now)

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
        self._emit("routine.fired", name, reason=reason, next=self._iso(timer.due), start=start)
        self._stage.enqueue(name, reason)
