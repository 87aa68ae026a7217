"""The daemon's brain, without any I/O of its own: what is due, what is being guided, and
what every command does to that.

``Core`` is driven from outside: call ``tick()`` whenever ``next_wakeup()`` seconds have
passed (or something happened), and the command methods when a person asks. The daemon
drives it with real sockets and the system clock; ``simulate`` drives it with a SimClock to
plan a day; tests drive it both ways. It reports everything that happens as ``Event``s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from reminderd import scheduler
from reminderd.clock import Clock, SimClock
from reminderd.cues import CueChoice, NoCues
from reminderd.dnd import Watch as DndWatch
from reminderd.durations import format_duration
from reminderd.errors import IdleError, NotifyError, SkipBudgetError, UnknownNameError
from reminderd.exercises import SAFETY_LINE, routine_for, routine_steps, total_seconds
from reminderd.guide import Guide
from reminderd.model import EXERCISE_KINDS, Config, Event, Routine, Step
from reminderd.notify import Note, Notifier, NullNotifier
from reminderd.presence import Observation, Presence
from reminderd.speech import Silent, Speaker

log = logging.getLogger("reminderd")

JUMP_THRESHOLD = 30.0  # seconds of disagreement between wall and monotonic clocks
ON_TIME = 60.0  # a firing this close to its due time counts from the due time (no drift)
AWAY_POLL = 30.0  # seconds between idle reads while the person is away
DND_POLL = 60.0  # seconds between do-not-disturb reads while a reminder is held
POLL_ENV = "REMINDERD_POLL"
FOREVER = datetime.max.replace(tzinfo=timezone.utc)


@dataclass(slots=True)
class Timer:
    """The schedule state of one routine."""

    routine: Routine
    counted_from: datetime  # the interval counts working time from here
    at_after: datetime  # ``at`` times up to here are used up (fired, skipped or missed)
    due: datetime | None = None
    snoozed_until: datetime | None = None
    skipped_through: datetime | None = None  # a skipped future occurrence, kept across restarts
    held: str | None = None  # due, but waiting: "idle" (person away) or "dnd" (do not disturb)
    # Other machines (the sync folder): done there, the interval counting from then; and
    # in progress there until a time, meanwhile not started here (held "elsewhere").
    done_elsewhere: tuple[str, datetime] | None = None  # (machine, when)
    busy_elsewhere: tuple[str, datetime] | None = None  # (machine, until)


Listener = Callable[[Event], None]


@dataclass(frozen=True, slots=True)
class Polls:
    """How often the core looks again at what nobody tells it about, while something waits
    on it (never while idle): a person away, and a do-not-disturb state that is only read."""

    away: float = AWAY_POLL
    dnd: float = DND_POLL

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Polls:
        """The test suite shortens both with REMINDERD_POLL (seconds, 0.1 up to the default)."""
        try:
            seconds = float(environ.get(POLL_ENV, ""))
        except ValueError:
            return cls()
        if not seconds >= 0.1:  # also refuses NaN
            return cls()
        return cls(min(seconds, AWAY_POLL), min(seconds, DND_POLL))


# Input in the first moments of a hold (settling into it) does not count as working through it.
HOLD_GRACE = 0.5


def adherence(judged: list[tuple[float, float | None]]) -> str:
    """The outcome of a routine played to its end, from the idle reads at the end of the
    steps where the person should be still: (the step's length as it ran, idle seconds
    then, None when it could not be read). ``completed``: no input during any of them;
    ``worked-through``: input during one; ``played``: nothing known (no idle source)."""
    known = [(length, idle) for length, idle in judged if idle is not None]
    if not known:
        return "played"
    for length, idle in known:
        if idle < length - min(HOLD_GRACE, length / 2):
            return "worked-through"
    return "completed"


def judged_kinds(steps: tuple[Step, ...]) -> frozenset[str]:
    """The steps whose idle time tells whether the routine was done: its holds, or every
    exercise step when it has none."""
    return frozenset({"hold"}) if any(s.kind == "hold" for s in steps) else EXERCISE_KINDS


ACTIONS = (("start", "Start"), ("snooze", "Snooze 10 min"), ("skip", "Skip"))
NO_SKIP = ACTIONS[:2]  # once the day's skips are used up
DONE = (("done", "Done"),)  # on the closing note: "I did it"
# A prompt's default action: a click on the notification itself starts the routine, where
# the server invokes it (dunst's middle click does).
CLICK_TO_START = (("default", "Start"),)
# Skips that spend the budget: the person's own, not natural breaks nor forced ones.
SPENDING = frozenset({"cli", "action"})
ACTION_SNOOZE = 600.0
ASK_TIMEOUT = 60.0  # seconds a "Start?" prompt waits (and holds others) before it counts as ignored


@dataclass(frozen=True, slots=True)
class Ask:
    """A routine with ``start = "ask"`` waiting for the person to press Start."""

    name: str
    reason: str
    notification_id: int | None
    deadline: datetime


class Core:
    """Schedules routines, guides them one at a time, and obeys pause/snooze/skip."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock,
        notifier: Notifier,
        listeners: tuple[Listener, ...] = (),
        presence: Presence | None = None,
        dnd: DndWatch | None = None,
        speaker: Speaker | None = None,
        cues: CueChoice | None = None,
        polls: Polls = Polls(),
    ) -> None:
        self.config = config
        self.clock = clock
        self.polls = polls
        self.notifier = notifier
        self.dnd = dnd or DndWatch(None)
        self.speaker: Speaker = speaker or Silent()
        self.cues = cues or CueChoice(NoCues(), False, "off")
        self._closing: list[tuple[float, int | None]] = []  # (monotonic deadline, note id)
        self._done_notes: dict[int, str] = {}  # closing note id -> its routine, for Done
        self._safety_day: date | None = None  # the day the intro last said where to look
        self._judged: list[tuple[float, float | None]] = []  # (step length, idle at its end)
        self._judging: float | None = None  # monotonic start of the step being judged
        self._judge_kinds: frozenset[str] = frozenset()
        self.skips: dict[str, tuple[str, int]] = {}  # routine -> (local day, skips that day)
        self.listeners: list[Listener] = list(listeners)
        self.presence = presence or Presence(None, None, None, "off")
        self._recheck: datetime | None = None  # when held reminders are looked at again
        now = clock.now()
        self.timers: dict[str, Timer] = {r.name: Timer(r, now, now) for r in config.routines}
        self.queue: list[tuple[str, str]] = []  # (routine name, why it runs)
        self.guide: Guide | None = None
        self.guide_reason = ""
        self.asking: Ask | None = None
        self.paused_until: datetime | None = None  # FOREVER: until resumed
        self._last_wall = now
        self._last_mono = clock.monotonic()
        self._recompute_all()
        self._plan_presence_check(now)

    # -- time -----------------------------------------------------------------------------

    def tick(self) -> None:
        """Do everything that is due now."""
        now = self.clock.now()
        self._check_clock(now)
        if self.paused_until and now >= self.paused_until:
            self.resume(reason="timer")
        if self.guide:
            deadline = self.guide.next_deadline()
            step_due = deadline is not None and self.clock.monotonic() >= deadline
            if step_due and self._inhibited():
                self._hold_on_screen(now)
            else:
                self.guide.advance()
            self._after_guide()
        self._withdraw_done_notes(self.clock.monotonic())
        if self.asking and now >= self.asking.deadline:
            self._ignored("timeout")
        if not self.paused_until:
            presence = self.presence
            if presence.next_check and now >= presence.next_check:
                self._seen(now, presence.observe(now))
            self._fire_due(now)
        self._start_next()

    def next_wakeup(self) -> float | None:
        """Seconds until ``tick`` has something to do; None if nothing is ever due."""
        now = self.clock.now()
        waits = [deadline - self.clock.monotonic() for deadline, _ in self._closing]
        if self.guide and (deadline := self.guide.next_deadline()) is not None:
            waits.append(deadline - self.clock.monotonic())
        if self.asking:
            waits.append((self.asking.deadline - now).total_seconds())
        if self.paused_until:
            if self.paused_until != FOREVER:
                waits.append((self.paused_until - now).total_seconds())
        else:
            moments = [t.due for t in self.timers.values() if t.due and not t.held]
            if self._recheck and any(t.held for t in self.timers.values()):
                moments.append(self._recheck)
            moments += [
                t.busy_elsewhere[1]
                for t in self.timers.values()
                if t.held == "elsewhere" and t.busy_elsewhere
            ]
            if self.presence.next_check:
                moments.append(self.presence.next_check)
            waits += [(moment - now).total_seconds() for moment in moments]
        return max(0.0, min(waits)) if waits else None

    # -- presence: idle, natural breaks, do not disturb -------------------------------------

    def _fire_due(self, now: datetime) -> None:
        """Fire what is due, unless the person is away or does not want to be disturbed."""
        if not any(t.due and t.due <= now for t in self.timers.values()):
            return
        busy = self.guide is not None or self.asking is not None  # then the person is here
        presence = self.presence
        idle = None
        if not busy and presence.enabled and presence.pause_after:
            seen = presence.observe(now)
            self._seen(now, seen)
            idle = seen.idle if seen else None
        due = [
            t
            for t in self.timers.values()
            if t.due and t.due <= now and not self._busy_elsewhere(t, now)
        ]
        hold = None
        if not busy and due:
            if idle is not None and presence.pause_after and idle >= presence.pause_after:
                hold = "idle"
            elif self._inhibited():
                hold = "dnd"
        if hold:
            for timer in due:
                if timer.held != hold:
                    timer.held = hold
                    self.emit("routine.held", timer.routine.name, reason=hold)
            wait = self.polls.away if hold == "idle" else self.polls.dnd
            self._recheck = now + timedelta(seconds=wait)
            return
        self._recheck = None
        for timer in sorted(due, key=lambda t: (t.due, self._order(t.routine.name))):
            self._fire(timer, now, reason=f"{timer.held}-over" if timer.held else "schedule")

    def _inhibited(self) -> bool:
        return self.dnd.active()

    def _hold_on_screen(self, now: datetime) -> None:
        """Do-not-disturb began during a routine: withdraw it (it is not done) and hold it,
        to run again once do-not-disturb ends."""
        assert self.guide is not None
        name = self.guide.name
        self.guide.cancel("dnd")
        self.guide = None
        timer = self.timers.get(name)
        if timer is not None:
            timer.due = now
            timer.held = "dnd"
            self.emit("routine.held", name, reason="dnd")
            self._recheck = now + timedelta(seconds=self.polls.dnd)

    def look_again(self) -> None:
        """Something changed that may release held reminders (do-not-disturb turned off, as
        the server announced): look at them on the next tick rather than at the next poll."""
        if any(t.held for t in self.timers.values()):
            self._recheck = self.clock.now()

    def _seen(self, now: datetime, seen: Observation | None) -> None:
        """Act on an idle observation: a return, perhaps a natural break; plan the next look."""
        presence = self.presence
        if seen and seen.returned_after is not None:
            self.emit("presence.back", None, away=round(seen.returned_after))
            if presence.break_after and seen.returned_after >= presence.break_after:
                self._natural_break(now, seen.returned_after)
        self._plan_presence_check(now)

    def _natural_break(self, now: datetime, seconds: float) -> None:
        """An absence long enough to count as a break: intervals restart, waiting reminders go."""
        self.emit("break.natural", None, seconds=round(seconds))
        self._recheck = None
        for timer in self.timers.values():
            if timer.held:
                self.emit("routine.skipped", timer.routine.name, reason="natural-break")
                timer.held = None
            timer.counted_from = now
            timer.at_after = max(timer.at_after, now)
            self._recompute(timer)

    def _plan_presence_check(self, now: datetime) -> None:
        presence = self.presence
        if not presence.enabled:
            presence.next_check = None
        elif presence.away_since is not None:
            presence.next_check = now + timedelta(seconds=self.polls.away)
        elif presence.sample_every:
            # Look again in one sampling period, or when working time next begins.
            soon = now + timedelta(seconds=presence.sample_every)
            presence.next_check = scheduler.next_working(
                self.config.schedule, soon, self.clock.zone()
            )
        else:
            presence.next_check = None

    def _check_clock(self, now: datetime) -> None:
        """Notice a suspend/resume or a clock change: the wall clock moved by more than the
        monotonic one (which stands still while the machine sleeps)."""
        mono = self.clock.monotonic()
        expected = self._last_wall + timedelta(seconds=mono - self._last_mono)
        self._last_wall, self._last_mono = now, mono
        gap = (now - expected).total_seconds()
        if abs(gap) >= JUMP_THRESHOLD:
            self.clock_jumped(gap)

    def clock_jumped(self, gap: float) -> None:
        """After a suspend or clock change: abandon the routine being guided, fire each
        routine that fell due meanwhile at most once, and restart every interval."""
        now = self.clock.now()
        log.info("the clock moved %+.0f s (suspend, resume or clock change)", gap)
        self._drop_on_screen("suspend")
        natural = self.config.schedule.natural_break
        was_break = gap > 0 and natural is not None and gap >= natural
        working = scheduler.is_working(self.config.schedule, now, self.clock.zone())
        if not self.paused_until and not was_break and working:
            missed = [t for t in self.timers.values() if t.due and t.due <= now]
            for timer in sorted(missed, key=lambda t: self._order(t.routine.name)):
                self._fire(timer, now, reason="missed")
        for timer in self.timers.values():
            timer.counted_from = now
            timer.at_after = max(timer.at_after, now) if gap > 0 else timer.at_after
            timer.held = None
            self._recompute(timer)
        self.presence.away_since = None
        self._plan_presence_check(now)
        self._start_next()

    def going_to_sleep(self) -> None:
        """The machine is about to suspend: withdraw the routine on screen; it is not replayed."""
        self._drop_on_screen("suspend")

    def _drop_on_screen(self, why: str) -> None:
        """Withdraw whatever is on screen or waiting, without replaying it later."""
        if self.guide:
            self.guide.cancel(why)
            self.guide = None
        if self.asking:
            self.notifier.close(self.asking.notification_id)
            self.emit("routine.cancelled", self.asking.name, reason=why)
            self.asking = None
        self.queue.clear()

    # -- firing and guiding ---------------------------------------------------------------

    def _order(self, name: str) -> int:
        return next((i for i, r in enumerate(self.config.routines) if r.name == name), 0)

    def _fire(self, timer: Timer, now: datetime, reason: str = "schedule") -> None:
        name = timer.routine.name
        base = timer.due if timer.due and (now - timer.due).total_seconds() < ON_TIME else now
        timer.counted_from = base
        timer.at_after = max(timer.at_after, now)
        timer.snoozed_until = None
        timer.held = None
        self._recompute(timer)
        if self.on_screen() == name or any(n == name for n, _ in self.queue):
            # Due again while it is on screen or waiting: the person is at it already.
            log.debug("%s is due again while it runs; counted as done", name)
            return
        self.emit("routine.fired", name, reason=reason, next=self.iso(timer.due))
        self.enqueue(name, reason)

    def on_screen(self) -> str | None:
        """The routine being guided, or waiting for Start."""
        if self.guide:
            return self.guide.name
        return self.asking.name if self.asking else None

    def enqueue(self, name: str, reason: str) -> None:
        if self.on_screen() != name and all(n != name for n, _ in self.queue):
            self.queue.append((name, reason))

    def _actions(self) -> bool:
        """Whether buttons can be offered: the server has them, and it is answering now."""
        return not self.notifier.failing and "actions" in self.notifier.capabilities

    def _start_next(self) -> None:
        while self.on_screen() is None and self.queue:
            name, reason = self.queue.pop(0)
            routine = self.config.routine(name) or self._adhoc(name)
            if routine is None:
                continue
            if routine.start == "ask" and reason != "cli" and not self.notifier.failing:
                self._ask(routine, reason)
                return
            self._guide(routine, reason)

    def _guide(self, routine: Routine, reason: str, replaces: int | None = None) -> None:
        # A closing note still on screen goes first: the new routine gets a banner of its
        # own at once, instead of waiting behind it in the server's queue.
        self._withdraw_done_notes(None)
        today = self.clock.now().astimezone(self.clock.zone()).date()
        first_today, self._safety_day = self._safety_day != today, today
        steps = routine_steps(
            routine, self.config.exercises, self.config.guidance, point_to_safety=first_today
        )
        self.guide_reason = reason
        self._judged, self._judging = [], None
        self._judge_kinds = judged_kinds(steps)
        actions = self._buttons(routine.name) if self._actions() else ()
        self.guide = Guide(
            routine.name,
            steps,
            self.notifier,
            self.clock,
            on_event=self._guide_event(routine.name),
            first_actions=actions,
            last_actions=DONE if actions else (),
            replaces=replaces,
            speaker=self.speaker,
            cues=self.cues,
        )
        self.guide.start()
        self._after_guide()

    def _after_guide(self) -> None:
        """A guide that has finished lets go; its closing note is withdrawn a few seconds
        later (GNOME ignores expiry times and would keep it, and queue the next routine
        behind it)."""
        guide = self.guide
        if guide is None or not guide.finished:
            return
        self.guide = None
        if guide.outcome == "completed" and guide.notification_id is not None:
            linger = self.config.guidance.done
            self._closing.append((self.clock.monotonic() + linger, guide.notification_id))
            self._done_notes[guide.notification_id] = guide.name

    def _withdraw_done_notes(self, now: float | None) -> None:
        """Close the closing notes whose time is up (all of them when ``now`` is None)."""
        due = [item for item in self._closing if now is None or item[0] <= now + 1e-9]
        for item in due:
            self._closing.remove(item)
            if item[1] is not None:
                self._done_notes.pop(item[1], None)
            self.notifier.close(item[1])

    def _ask(self, routine: Routine, reason: str) -> None:
        """Show a "Start?" prompt and wait a minute for an answer: Start, Snooze and Skip
        buttons where the server's buttons can be pressed, otherwise the commands that
        answer it (``reminderd run`` and ``skip``, which work on any desktop)."""
        # As before a routine: a closing note still up goes, so that the prompt is the one
        # notification on screen (not queued behind it, nor a click away under it).
        self._withdraw_done_notes(None)
        steps = routine_steps(routine, self.config.exercises, self.config.guidance)
        length = format_duration(total_seconds(steps))
        body = f"Time for {routine.label.lower()} ({length}). {SAFETY_LINE}"
        buttons = self._buttons(routine.name) if self._actions() else ()
        if not buttons:
            name = routine.name
            body += f" Start: reminderd run {name} · skip: reminderd skip {name}"
        actions = CLICK_TO_START + buttons
        note = Note(routine.label, body, ASK_TIMEOUT, actions=actions, urgency=1)
        try:
            notification_id = self.notifier.show(note)
        except NotifyError as error:
            log.warning("%s: cannot ask (%s); starting it", routine.name, error)
            self._guide(routine, reason)
            return
        deadline = self.clock.now() + timedelta(seconds=ASK_TIMEOUT)
        self.asking = Ask(routine.name, reason, notification_id, deadline)
        self.emit("routine.asked", routine.name, reason=reason, until=self.iso(deadline))

    def _ignored(self, why: str) -> None:
        assert self.asking is not None
        asking, self.asking = self.asking, None
        self.notifier.close(asking.notification_id)
        self.emit("routine.ignored", asking.name, reason=why)
        self._start_next()

    def on_action(self, notification_id: int, key: str) -> None:
        """A button on one of our notifications was pressed ("default": the body clicked)."""
        asking, guide = self.asking, self.guide
        if key == "done" and notification_id in self._done_notes:
            # The person says they did it: a routine whose outcome was unknown (no idle
            # source) counts as completed; input seen during its holds still counts.
            self.emit("routine.confirmed", self._done_notes[notification_id])
            self._closing = [item for item in self._closing if item[1] != notification_id]
            self._done_notes.pop(notification_id, None)
            self.notifier.close(notification_id)
            return
        if asking and asking.notification_id == notification_id:
            if key in ("start", "default"):
                self._answered_start()
                return
            name = asking.name
        elif guide and guide.notification_id == notification_id:
            if key == "start":
                guide.skip_intro()
                return
            name = guide.name
        else:
            return
        if key == "snooze":
            self.snooze(name, ACTION_SNOOZE, reason="action")
        elif key == "skip":
            try:
                self.skip(name, reason="action")
            except SkipBudgetError as error:
                log.info("%s", error)

    def _answered_start(self) -> None:
        """The person said Start to the waiting prompt: guide it, replacing the prompt."""
        assert self.asking is not None
        asking, self.asking = self.asking, None
        routine = self.config.routine(asking.name) or self._adhoc(asking.name)
        if routine:
            self._guide(routine, asking.reason, replaces=asking.notification_id)
        else:
            self.notifier.close(asking.notification_id)
            self._start_next()

    def on_closed(self, notification_id: int, reason: int) -> None:
        """A notification went away; a "Start?" prompt dismissed by the person is ignored."""
        if self.asking and self.asking.notification_id == notification_id and reason == 2:
            self._ignored("dismissed")

    def _adhoc(self, name: str) -> Routine | None:
        """A single exercise run on request, as a routine of its own (None if unknown)."""
        try:
            return routine_for(name, self.config.routines, self.config.exercises)
        except UnknownNameError:
            return None

    def _guide_event(self, name: str) -> Callable[[str, dict[str, Any]], None]:
        def forward(kind: str, data: dict[str, Any]) -> None:
            if kind in ("step", "completed"):
                self._judge_step_end()
            if kind == "step" and data.get("kind") in self._judge_kinds:
                self._judging = self.clock.monotonic()
            if kind == "completed":
                data = {**data, "outcome": adherence(self._judged)}
            self.emit(f"routine.{kind}", name, **data)

        return forward

    def _judge_step_end(self) -> None:
        """At the deadline that ends a judged step, read how long the person has been idle."""
        if self._judging is None:
            return
        length = self.clock.monotonic() - self._judging
        self._judging = None
        idle: float | None = None
        source = self.presence.source
        # A source that only tells idle times from some length up (Wayland's protocols)
        # cannot judge a shorter step: unknown, rather than "input seen".
        if source is not None and length - HOLD_GRACE >= source.finest:
            try:
                idle = max(0.0, source.idle_seconds())
            except IdleError as error:
                log.info("idle time unknown at the end of a hold (%s)", error)
        self._judged.append((length, idle))

    # -- other machines (the sync folder, see reminderd/sync/) -------------------------------

    def done_elsewhere(self, name: str, machine: str, at: datetime) -> bool:
        """Routine ``name`` was done on ``machine`` at ``at`` (not later than now): its
        interval restarts from then, as if done here, and a prompt or queue entry for it
        goes. Nothing changes if it already counts from later. True if it changed."""
        timer = self.timers.get(name)
        if timer is None or at <= timer.counted_from:
            return False
        timer.counted_from = at
        timer.at_after = max(timer.at_after, at)
        timer.snoozed_until = timer.busy_elsewhere = timer.held = None
        timer.done_elsewhere = (machine, at)
        self._recompute(timer)
        self._withdraw_elsewhere(name)
        self.emit("sync.done", name, machine=machine, done=self.iso(at), next=self.iso(timer.due))
        return True

    def running_elsewhere(self, name: str, machine: str, until: datetime | None) -> None:
        """Routine ``name`` is in progress on ``machine`` until ``until`` (None: no longer).
        Meanwhile it is not started here: when it falls due it waits, held "elsewhere"."""
        timer = self.timers.get(name)
        if timer is None:
            return
        if until is not None and until > self.clock.now():
            timer.busy_elsewhere = (machine, until)
            self._withdraw_elsewhere(name)
        elif timer.busy_elsewhere and timer.busy_elsewhere[0] == machine:
            timer.busy_elsewhere = None
            if timer.held == "elsewhere":
                timer.held = None  # still due: it fires at the next tick

    def _withdraw_elsewhere(self, name: str) -> None:
        """A prompt or queue entry for a routine another machine is doing goes (not one
        on screen here: the person is at it)."""
        if self.asking and self.asking.name == name:
            self.notifier.close(self.asking.notification_id)
            self.emit("routine.cancelled", name, reason="elsewhere")
            self.asking = None
            self._start_next()
        self.queue = [(n, r) for n, r in self.queue if n != name]

    def _busy_elsewhere(self, timer: Timer, now: datetime) -> bool:
        """Due while in progress on another machine: held until it ends there or its time
        there is up. True while held."""
        busy = timer.busy_elsewhere
        if busy is None or busy[1] <= now:
            timer.busy_elsewhere = None
            if timer.held == "elsewhere":
                timer.held = None
            return False
        if timer.held != "elsewhere":
            timer.held = "elsewhere"
            self.emit("routine.held", timer.routine.name, reason="elsewhere", machine=busy[0])
        return True

    # -- commands -------------------------------------------------------------------------

    def run_now(self, name: str, reason: str = "cli") -> None:
        """Guide routine or exercise ``name`` as soon as the current one is done; a "Start?"
        prompt waiting for ``name`` is answered: it starts now, in the prompt's place."""
        if self.asking and self.asking.name == name:
            self._answered_start()
            return
        self.enqueue(name, reason)
        self._start_next()

    def pause(self, until: datetime | None = None, reason: str = "cli") -> None:
        """Fire nothing until ``until`` (None: until resumed); stop the routine on screen."""
        self.paused_until = until or FOREVER
        self._drop_on_screen("paused")
        self.emit("daemon.paused", None, until=self.iso(until), reason=reason)

    def resume(self, reason: str = "cli") -> None:
        """Start again; intervals restart now, so no burst of reminders missed while paused."""
        if not self.paused_until:
            return
        now = self.clock.now()
        self.paused_until = None
        for timer in self.timers.values():
            timer.counted_from = now
            timer.at_after = max(timer.at_after, now)
            if timer.snoozed_until and timer.snoozed_until <= now:
                timer.snoozed_until = None
            timer.held = None
            self._recompute(timer)
        self._recheck = None
        self._plan_presence_check(now)
        self.emit("daemon.resumed", None, reason=reason)

    def target(self, name: str | None) -> str:
        """The routine a snooze or skip applies to: the named one, else the one on screen,
        else the next queued, else the next due."""
        if name:
            if name not in self.timers and self.on_screen() != name:
                raise LookupError(name)
            return name
        if (current := self.on_screen()) is not None:
            return current
        if self.queue:
            return self.queue[0][0]
        upcoming = [t for t in self.timers.values() if t.due]
        if not upcoming:
            raise LookupError("")
        return min(upcoming, key=lambda t: t.due or FOREVER).routine.name

    def snooze(
        self, name: str | None, seconds: float, reason: str = "cli"
    ) -> tuple[str, datetime | None]:
        """Postpone a reminder: the one on screen or queued by ``seconds`` from now, a future
        one by ``seconds`` from its due time. Return the routine and its new due time."""
        name = self.target(name)
        now = self.clock.now()
        delay = timedelta(seconds=seconds)  # raises before anything is withdrawn
        active = self._withdraw(name, "snoozed")
        timer = self.timers.get(name)
        if timer is None:
            return name, None
        base = now if active or not timer.due else max(now, timer.due)
        timer.snoozed_until = base + delay
        self._recompute(timer)
        self.emit(
            "routine.snoozed", name, reason=reason, until=self.iso(timer.due), seconds=seconds
        )
        return name, timer.due

    def _today(self) -> str:
        return self.clock.now().astimezone(self.clock.zone()).date().isoformat()

    def skips_left(self, name: str) -> int | None:
        """How many more times ``name`` may be skipped today; None: no limit."""
        timer = self.timers.get(name)
        budget = timer.routine.max_skips_per_day if timer else None
        if budget is None:
            return None
        day, used = self.skips.get(name, ("", 0))
        return max(0, budget - (used if day == self._today() else 0))

    def _buttons(self, name: str) -> tuple[tuple[str, str], ...]:
        """Start, Snooze and Skip; no Skip once the day's skips are used up."""
        return NO_SKIP if self.skips_left(name) == 0 else ACTIONS

    def skip(
        self, name: str | None, reason: str = "cli", force: bool = False
    ) -> tuple[str, datetime | None]:
        """Skip the routine on screen, or the next occurrence of one. Return the routine and
        when it is due next. SkipBudgetError once the day's skips are used up, unless
        ``force`` (then recorded with the reason "forced")."""
        name = self.target(name)
        if reason in SPENDING:
            if force:
                reason = "forced"
            elif self.skips_left(name) == 0:
                budget = self.timers[name].routine.max_skips_per_day
                msg = (
                    f"{name}: no skips left today ({budget} a day, max_skips_per_day);"
                    " snooze it, or skip --force"
                )
                raise SkipBudgetError(msg)
            today = self._today()
            day, used = self.skips.get(name, ("", 0))
            if not force:
                self.skips[name] = (today, (used if day == today else 0) + 1)
        now = self.clock.now()
        active = self._withdraw(name, "skipped")
        timer = self.timers.get(name)
        if timer is None:
            return name, None
        if not active and timer.due:
            skipped = timer.due
            timer.counted_from = skipped
            timer.at_after = max(timer.at_after, skipped)
            timer.skipped_through = skipped
        else:
            timer.counted_from = now
            timer.at_after = max(timer.at_after, now)
        timer.snoozed_until = None
        self._recompute(timer)
        self.emit("routine.skipped", name, reason=reason, next=self.iso(timer.due))
        return name, timer.due

    def _withdraw(self, name: str, why: str) -> bool:
        """Stop ``name`` if it is on screen or queued; True if it was."""
        if self.guide and self.guide.name == name:
            self.guide.cancel(why)
            self.guide = None
            self._start_next()
            return True
        if self.asking and self.asking.name == name:
            self.notifier.close(self.asking.notification_id)
            self.asking = None
            self._start_next()
            return True
        queued = any(n == name for n, _ in self.queue)
        self.queue = [(n, r) for n, r in self.queue if n != name]
        return queued

    def reload(self, config: Config) -> None:
        """Use a new config; routines whose trigger is unchanged keep their schedule."""
        now = self.clock.now()
        timers = {}
        for routine in config.routines:
            old = self.timers.get(routine.name)
            if old and old.routine.trigger == routine.trigger:
                old.routine = routine
                timers[routine.name] = old
            else:
                timers[routine.name] = Timer(routine, now, now)
        self.config = config
        self.timers = timers
        self.queue = [(n, r) for n, r in self.queue if n in timers]
        self._recompute_all()
        self.emit("daemon.reloaded", None, routines=[r.name for r in config.routines])

    # -- state ----------------------------------------------------------------------------

    def export_state(self) -> dict[str, Any]:
        """What must survive a restart: the pause, snoozes and skipped occurrences."""
        now = self.clock.now()
        paused = None
        if self.paused_until:
            paused = "forever" if self.paused_until == FOREVER else self.paused_until.isoformat()
        return {
            "paused_until": paused,
            # Snoozes and skips belong to the config they were made under.
            "config": str(self.config.path) if self.config.path else None,
            "snoozed": {
                n: t.snoozed_until.isoformat()
                for n, t in self.timers.items()
                if t.snoozed_until and t.snoozed_until > now
            },
            "skipped_through": {
                n: t.skipped_through.isoformat()
                for n, t in self.timers.items()
                if t.skipped_through and t.skipped_through > now
            },
            "skips": {n: [day, used] for n, (day, used) in self.skips.items()},
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply a saved state; entries that are unreadable or already past are ignored."""
        now = self.clock.now()
        paused = state.get("paused_until")
        if paused == "forever":
            self.paused_until = FOREVER
        elif (until := _parse_time(paused)) and until > now:
            self.paused_until = until
        made_under = state.get("config")
        here = str(self.config.path) if self.config.path else None
        if made_under is not None and made_under != here:
            log.info(
                "snoozes and skips of %s dropped: they were made under another config (%s)",
                here,
                made_under,
            )
            self._recompute_all()
            return
        for key, apply in (("snoozed", _restore_snooze), ("skipped_through", _restore_skip)):
            entries = state.get(key)
            for name, text in entries.items() if isinstance(entries, dict) else ():
                moment = _parse_time(text)
                if name in self.timers and moment and moment > now:
                    apply(self.timers[name], moment)
        skips = state.get("skips")
        for name, entry in skips.items() if isinstance(skips, dict) else ():
            match entry:
                case [str(day), int(used)] if day == self._today():
                    self.skips[name] = (day, used)
        self._recompute_all()

    def _recompute_all(self) -> None:
        for timer in self.timers.values():
            self._recompute(timer)

    def _recompute(self, timer: Timer) -> None:
        zone = self.clock.zone()
        schedule = self.config.schedule
        if timer.snoozed_until:
            timer.due = scheduler.next_working(
                schedule, timer.snoozed_until, zone, timer.routine.trigger.days
            )
            return
        timer.due = scheduler.next_due(
            schedule, timer.routine.trigger, timer.counted_from, timer.at_after, zone
        )

    def emit(self, kind: str, routine: str | None, /, **data: Any) -> None:
        event = Event(kind, self._local(self.clock.now()), routine, data)
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:
                log.exception("an event listener failed on %s", kind)

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.clock.zone())

    def iso(self, moment: datetime | None) -> str | None:
        """Local time with its UTC offset, for people and status bars alike."""
        return self._local(moment).isoformat(timespec="seconds") if moment else None

    def status(self) -> dict[str, Any]:
        """What the core is doing, as plain data (the daemon adds process details)."""
        current = None
        if self.guide and (step := self.guide.step):
            current = {
                "routine": self.guide.name,
                "reason": self.guide_reason,
                "step": self.guide.index + 1,
                "of": len(self.guide.steps),
                "text": step.labelled,
                "remaining": round(self.guide.remaining(), 1),
            }
        paused = self.paused_until is not None
        until = None if self.paused_until in (None, FOREVER) else self.iso(self.paused_until)
        return {
            "paused": paused,
            "paused_until": until,
            "current": current,
            "asking": {"routine": self.asking.name, "until": self.iso(self.asking.deadline)}
            if self.asking
            else None,
            "queue": [name for name, _ in self.queue],
            "idle": self.presence.status(),
            "routines": [
                {
                    "name": t.routine.name,
                    "title": t.routine.label,
                    "next": None if paused else self.iso(t.due),
                    "snoozed_until": self.iso(t.snoozed_until),
                    "held": t.held,
                    # The interval counts from a routine done on another machine.
                    "done_elsewhere": {
                        "machine": t.done_elsewhere[0],
                        "at": self.iso(t.done_elsewhere[1]),
                    }
                    if t.done_elsewhere and t.done_elsewhere[1] == t.counted_from
                    else None,
                    "running_elsewhere": {
                        "machine": t.busy_elsewhere[0],
                        "until": self.iso(t.busy_elsewhere[1]),
                    }
                    if t.busy_elsewhere
                    else None,
                }
                for t in self.timers.values()
            ],
        }


def _parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _restore_snooze(timer: Timer, moment: datetime) -> None:
    timer.snoozed_until = moment


def _restore_skip(timer: Timer, moment: datetime) -> None:
    timer.skipped_through = moment
    timer.counted_from = max(timer.counted_from, moment)
    timer.at_after = max(timer.at_after, moment)


def simulate(
    config: Config, start: datetime, end: datetime, listeners: tuple[Listener, ...] = ()
) -> list[Event]:
    """Run the core from ``start`` to ``end`` on a SimClock and return what happened.

    Exactly what the daemon would do with nobody pausing, snoozing or going idle: the
    same Core, the same scheduler, guides that take their real (simulated) time.
    """
    events: list[Event] = []
    clock = SimClock(start)
    core = Core(config, clock=clock, notifier=NullNotifier(), listeners=(events.append, *listeners))
    while True:
        wait = core.next_wakeup()
        if wait is None or clock.now() + timedelta(seconds=wait) >= end:
            break
        clock.advance(wait)
        core.tick()
    return events


def plan_day(config: Config, day: date, zone: tzinfo) -> list[Event]:
    """Every firing on ``day``, from a daemon running since the day began, with nobody
    pausing, snoozing or going idle: the same Core and scheduler the daemon uses."""
    start = scheduler.instant(day, time(0, 0), zone).astimezone(zone)
    end = scheduler.instant(day + timedelta(days=1), time(0, 0), zone)
    return [event for event in simulate(config, start, end) if event.kind == "routine.fired"]
