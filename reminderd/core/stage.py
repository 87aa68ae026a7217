"""What is on screen, and what waits for it: the routine being guided (or the "Start?"
prompt asking for it), the queue behind it, and the closing notes of routines just ended.

One routine at a time: a routine due while another runs waits in the queue. The stage
shows (``starter`` makes what comes on), advances and withdraws; it never decides when a
routine is due (the engine does), and reports what happens through ``emit``. A button that
asks for a snooze or a skip is handed back to the engine as a ``Request``, since those
change the schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from reminderd.clock import Clock, local_iso
from reminderd.contracts import Asking, CurrentStep
from reminderd.core.closing import ClosingNotes
from reminderd.core.held import HOLD_LIMIT, held_note
from reminderd.core.outputs import Emit, Outputs
from reminderd.core.prompt import Ask
from reminderd.core.starter import Buttons, Starter
from reminderd.errors import NotifyError
from reminderd.idle import IdleSource
from reminderd.model import Config, Routine
from reminderd.pace import Tempo

if TYPE_CHECKING:
    from reminderd.guide import Guide

log = logging.getLogger("reminderd")


class Request(NamedTuple):
    """A button pressed on a routine's notification that changes its schedule."""

    action: str  # "snooze" or "skip"
    routine: str


class Stage:
    """The routine on screen (guided, or asking to start), the queue, and closing notes."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        outputs: Outputs,
        *,
        emit: Emit,
        buttons: Buttons,
        idle: Callable[[], IdleSource | None],
        tempo: Tempo,
    ) -> None:
        self.tempo = tempo
        self._starter = Starter(config, clock, emit=emit, buttons=buttons, idle=idle, tempo=tempo)
        self._rest_until: float | None = None  # monotonic: the next routine waits till then
        self.outputs = outputs
        self._clock = clock
        self._emit = emit
        self._queue: list[tuple[str, str]] = []  # (routine name, why it runs)
        self.guide: Guide | None = None
        self.reason = ""  # why the routine on screen runs
        self.asking: Ask | None = None
        self._closing = ClosingNotes()
        self._held_until: float | None = None  # a routine held at its step: until when

    # -- what is there ----------------------------------------------------------------------

    def on_screen(self) -> str | None:
        """The routine being guided, or waiting for Start."""
        if self.guide:
            return self.guide.name
        return self.asking.name if self.asking else None

    @property
    def busy(self) -> bool:
        """A routine is on screen: the person is at the computer, and new ones queue."""
        return self.guide is not None or self.asking is not None

    @property
    def queue(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self._queue)

    def waiting(self, name: str) -> bool:
        """Whether ``name`` is on screen or queued."""
        return self.on_screen() == name or name in self.queue

    def next_deadlines(self) -> list[float]:
        """Monotonic moments at which ``advance`` has something to do."""
        moments = []
        if (closing := self._closing.next_deadline()) is not None:
            moments.append(closing)
        if self._held_until is not None:
            moments.append(self._held_until)
        if self.guide and (deadline := self.guide.next_wake()) is not None:
            moments.append(deadline)
        if self._queue and self._rest_until is not None and self.on_screen() is None:
            moments.append(self._rest_until)
        return moments

    def current(self) -> CurrentStep | None:
        guide = self.guide
        if guide is None or (step := guide.step) is None:
            return None
        held = guide.held_at is not None  # waits for the pause to end, the step to come again
        return {
            "routine": guide.name,
            "reason": self.reason,
            "step": guide.index + 1,
            "of": len(guide.steps),
            "text": step.counted,
            "position": step.position,
            "remaining": round(step.seconds if held else guide.remaining(), 1),
            "paused": held,
        }

    def prompt(self) -> Asking | None:
        if self.asking is None:
            return None
        until = local_iso(self.asking.deadline, self._clock.zone())
        return {"routine": self.asking.name, "until": until}

    # -- time -----------------------------------------------------------------------------

    def step_due(self) -> bool:
        """Whether the routine on screen has a step to show now."""
        deadline = self.guide.next_deadline() if self.guide else None
        return deadline is not None and self._clock.monotonic() >= deadline

    def advance(self, now: datetime) -> None:
        """Show the step that is due, withdraw closing notes whose time is up, and count a
        prompt nobody answered in time as ignored."""
        if self._held_until is not None and self._clock.monotonic() >= self._held_until:
            self._held_until = None
            self.take_off("paused")  # held too long: cancelled, and recorded so
        if self.guide:
            self.guide.advance()
            self._after_guide()
        for notification_id in self._closing.due(self._clock.monotonic()):
            self.outputs.notifier.close(notification_id)
        if self.asking and now >= self.asking.deadline:
            self._ignored("timeout")

    # -- what comes on --------------------------------------------------------------------

    def enqueue(self, name: str, reason: str) -> None:
        if not self.waiting(name):
            self._queue.append((name, reason))

    def start_next(self) -> None:
        if self._rest_until is not None and self._clock.monotonic() < self._rest_until - 1e-9:
            return  # a breath after the last routine, its closing words said whole
        while self.on_screen() is None and self._queue:
            name, reason = self._queue.pop(0)
            routine = self._starter.routine(name)
            if routine is None:
                continue
            failing = self.outputs.notifier.failing
            if routine.start == "ask" and reason != "cli" and not failing:
                self._ask(routine, reason)
                return
            self._guide(routine, reason)

    def _guide(self, routine: Routine, reason: str, replaces: int | None = None) -> None:
        # A closing note still on screen goes first: the new routine gets a banner of its
        # own at once, instead of waiting behind it in the server's queue.
        self._close_all_closing()
        guide = self._starter.guide(routine, self.outputs, replaces)
        self.reason = reason
        self.guide = guide
        guide.start()
        self._after_guide()

    def _after_guide(self) -> None:
        """A guide that has finished lets go; its closing note is withdrawn a few seconds
        later (GNOME ignores expiry times and would keep it, and queue the next routine
        behind it)."""
        guide = self.guide
        if guide is None or not guide.finished:
            return
        self.guide = None
        if guide.outcome == "completed":
            now = self._clock.monotonic()
            # The closing note stays until "Done. Well done." is said whole; the next
            # routine waits a breath more (the built-in plan has two due at 13:30).
            self._rest_until = now + max(guide.linger, self.tempo.breath)
            if guide.notification_id is not None:
                self._closing.add(guide.notification_id, guide.name, now + guide.linger)

    def _close_all_closing(self) -> None:
        for notification_id in self._closing.due(None):
            self.outputs.notifier.close(notification_id)

    def _ask(self, routine: Routine, reason: str) -> None:
        """Show a "Start?" prompt and wait a minute for an answer."""
        # As before a routine: a closing note still up goes, so that the prompt is the one
        # notification on screen (not queued behind it, nor a click away under it).
        self._close_all_closing()
        try:
            self.asking = self._starter.ask(routine, reason, self.outputs)
        except NotifyError as error:
            log.warning("%s: cannot ask (%s); starting it", routine.name, error)
            self._guide(routine, reason)
            return
        until = local_iso(self.asking.deadline, self._clock.zone())
        self._emit("routine.asked", routine.name, reason=reason, until=until)

    def _ignored(self, why: str) -> None:
        assert self.asking is not None
        asking, self.asking = self.asking, None
        self.outputs.notifier.close(asking.notification_id)
        self._emit("routine.ignored", asking.name, reason=why)
        self.start_next()

    # -- what the person does -------------------------------------------------------------

    def answer_start(self, name: str) -> bool:
        """``name`` was asked for while its prompt waits: it starts now, replacing the
        prompt. False if no prompt waits for it."""
        if not (self.asking and self.asking.name == name):
            return False
        asking, self.asking = self.asking, None
        routine = self._starter.routine(asking.name)
        if routine:
            self._guide(routine, asking.reason, replaces=asking.notification_id)
        else:
            self.outputs.notifier.close(asking.notification_id)
            self.start_next()
        return True

    def on_action(self, notification_id: int, key: str) -> Request | None:
        """A button on one of our notifications was pressed ("default": the body clicked).
        Start and Done are handled here; Snooze and Skip come back as a Request."""
        asking, guide = self.asking, self.guide
        if key == "done" and (confirmed := self._closing.confirm(notification_id)):
            # The person says they did it: a routine whose outcome was unknown (no idle
            # source) counts as completed; input seen during its holds still counts.
            self._emit("routine.confirmed", confirmed)
            self.outputs.notifier.close(notification_id)
            return None
        if asking and asking.notification_id == notification_id:
            if key in ("start", "default"):
                self.answer_start(asking.name)
                return None
            name = asking.name
        elif guide and guide.notification_id == notification_id:
            if key == "start":
                guide.skip_intro()
                return None
            name = guide.name
        else:
            return None
        return Request(key, name) if key in ("snooze", "skip") else None

    def on_closed(self, notification_id: int, reason: int) -> None:
        """A notification went away; a "Start?" prompt dismissed by the person is ignored."""
        if self.asking and self.asking.notification_id == notification_id and reason == 2:
            self._ignored("dismissed")

    # -- what goes off ----------------------------------------------------------------------

    def withdraw(self, name: str, why: str) -> bool:
        """Stop ``name`` if it is on screen or queued (the next one starts); True if it was."""
        if self.guide and self.guide.name == name:
            self.guide.cancel(why)
            self.guide = None
            self._held_until = None
            self.start_next()
            return True
        if self.asking and self.asking.name == name:
            self.outputs.notifier.close(self.asking.notification_id)
            self.asking = None
            self.start_next()
            return True
        queued = name in self.queue
        self._queue = [(n, r) for n, r in self._queue if n != name]
        return queued

    def take_off(self, why: str) -> str | None:
        """Cancel the routine being guided (it is not done) and return its name, to be held
        and run again later; the queue stays."""
        if self.guide is None:
            return None
        name = self.guide.name
        self.guide.cancel(why)
        self.guide = None
        self._held_until = None
        return name

    def hold(self, why: str) -> None:
        """reminderd was paused: the routine being guided waits at its step for
        ``carry_on`` (at most HOLD_LIMIT); a prompt and the queue go, as ``drop``."""
        guide = self.guide
        if guide is None:
            self.drop(why)
            return
        self._withdraw_waiting(why)
        if guide.held_at is not None:  # paused again: it waits on, as it was
            return
        step = guide.step or guide.steps[0]
        guide.hold(held_note(guide.steps[0].title, step, guide.index + 1, len(guide.steps)))
        self._held_until = self._clock.monotonic() + HOLD_LIMIT
        self._emit("routine.held", guide.name, reason=why, step=guide.index + 1)

    def carry_on(self) -> None:
        """The pause ended: a routine held at its step goes on from there."""
        if self.guide is not None and self.guide.held_at is not None:
            self._held_until = None
            self.guide.carry_on()
            self._after_guide()

    def drop(self, why: str) -> None:
        """Withdraw whatever is on screen or waiting, without replaying it later."""
        self.take_off(why)
        self._withdraw_waiting(why)

    def _withdraw_waiting(self, why: str) -> None:
        """The prompt and the queue go, each said as cancelled."""
        if self.asking:
            self.outputs.notifier.close(self.asking.notification_id)
            self._emit("routine.cancelled", self.asking.name, reason=why)
            self.asking = None
        # Queued ones go too, each said: a reminder that fired has a fate in the history.
        queued, self._queue = self._queue, []
        for name, _reason in queued:
            self._emit("routine.cancelled", name, reason=why)

    def reload(self, config: Config) -> None:
        """A new config: queued routines it no longer has are dropped."""
        self._starter.config = config
        kept = [(n, r) for n, r in self._queue if self._starter.routine(n) is not None]
        for name, _reason in self._queue:
            if (name, _reason) not in kept:
                self._emit("routine.cancelled", name, reason="reloaded")
        self._queue = kept
