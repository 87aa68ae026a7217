"""The schedule state of every routine: where its interval counts from, when it is due
next, and what a firing, a snooze, a skip, a restart or a reload does to that.

Bookkeeping over the scheduler's pure functions, and nothing else: no events, no output.
The engine decides what happens and reports it; these timers only keep the arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone, tzinfo
from typing import NamedTuple

from reminderd import scheduler
from reminderd.clock import local_iso
from reminderd.contracts import HoldReason, RoutineStatus
from reminderd.model import Config, Routine, WorkSchedule

ON_TIME = 60.0  # a firing this close to its due time counts from the due time (no drift)
FOREVER = datetime.max.replace(tzinfo=timezone.utc)


class Undo(NamedTuple):
    """A routine's schedule before a skip."""

    counted_from: datetime
    at_after: datetime
    skipped_through: datetime | None
    running: bool  # it was on screen or queued: undone, it comes again at once


class Timer:
    """The schedule state of one routine."""

    __slots__ = (
        "at_after",
        "before_skip",
        "before_snooze",
        "busy_elsewhere",
        "counted_from",
        "done_elsewhere",
        "due",
        "held",
        "hold_text",
        "missed",
        "routine",
        "skipped_through",
        "snoozed_until",
        "waited",
    )

    def __init__(self, routine: Routine, counted_from: datetime, at_after: datetime) -> None:
        self.routine = routine
        self.counted_from = counted_from  # the interval counts working time from here
        self.at_after = at_after  # ``at`` times up to here are used up (fired, skipped, missed)
        self.due: datetime | None = None
        self.snoozed_until: datetime | None = None
        self.skipped_through: datetime | None = None  # a skipped future one, kept on restart
        self.held: HoldReason | None = None  # due, but waiting (away, do not disturb...)
        self.hold_text: str | None = None  # what holds it, said: "call: microphone in use"
        # What it waited for before it fires, the soft start aside ("dnd": it fires
        # "dnd-over").
        self.waited: HoldReason | None = None
        self.missed = False  # due while the machine slept (or the clock jumped): said so
        # Other machines (the sync folder): done there, the interval counting from then;
        # and in progress there until a time, meanwhile not started here (held
        # "elsewhere").
        self.done_elsewhere: tuple[str, datetime] | None = None  # (machine, when)
        self.busy_elsewhere: tuple[str, datetime] | None = None  # (machine, until)
        # What a skip or a snooze changed, so that `unskip` and `snooze NAME 0` can undo it
        # (kept in memory only: after a restart, the skip or snooze stays).
        self.before_skip: Undo | None = None
        self.before_snooze: datetime | None = None  # when it was due when first snoozed

    def __repr__(self) -> str:
        return f"Timer({self.routine.name!r}, due={self.due}, held={self.held})"


class Timers:
    """One Timer per routine of the config, in the config's order."""

    def __init__(self, config: Config, zone: Callable[[], tzinfo], now: datetime) -> None:
        self._config = config
        self._zone = zone
        self._by_name = {r.name: Timer(r, now, now) for r in config.routines}
        self.recompute_all()

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Timer:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def get(self, name: str) -> Timer | None:
        return self._by_name.get(name)

    def items(self) -> Iterator[tuple[str, Timer]]:
        return iter(self._by_name.items())

    def values(self) -> Iterator[Timer]:
        return iter(self._by_name.values())

    @property
    def schedule(self) -> WorkSchedule:
        """The working schedule of the config last loaded (the engine's parts read it here,
        so that a reload reaches them all)."""
        return self._config.schedule

    def order(self, name: str) -> int:
        """The routine's place in the config: routines due at once run in that order."""
        return next((i for i, r in enumerate(self._config.routines) if r.name == name), 0)

    def due(self, now: datetime) -> list[Timer]:
        """The routines due at ``now``, earliest first (then in the config's order)."""
        due = [t for t in self._by_name.values() if t.due and t.due <= now]
        return sorted(due, key=lambda t: (t.due or FOREVER, self.order(t.routine.name)))

    def held(self) -> list[Timer]:
        return [t for t in self._by_name.values() if t.held]

    def next_moment(self) -> datetime | None:
        """When the next routine not already held falls due."""
        return min((t.due for t in self._by_name.values() if t.due and not t.held), default=None)

    def upcoming(self) -> Timer | None:
        """The routine due soonest, held or not."""
        dated = [t for t in self._by_name.values() if t.due]
        return min(dated, key=lambda t: t.due or FOREVER) if dated else None

    # -- what happens to them ---------------------------------------------------------------

    def fired(self, timer: Timer, now: datetime) -> None:
        """``timer`` fired at ``now``: its interval counts from its due time when it fired on
        time (so nothing drifts), else from now."""
        on_time = timer.due and (now - timer.due).total_seconds() < ON_TIME
        timer.counted_from = timer.due if on_time and timer.due else now
        timer.at_after = max(timer.at_after, now)
        timer.snoozed_until = timer.before_snooze = timer.before_skip = None
        release(timer)
        self.recompute(timer)

    def restart(self, now: datetime, *, use_up_times: bool = True) -> None:
        """Every interval counts from ``now`` (a natural break, a resume, a clock change);
        with ``use_up_times``, ``at`` times before now no longer fire. Nothing stays held."""
        for timer in self._by_name.values():
            timer.counted_from = now
            if use_up_times:
                timer.at_after = max(timer.at_after, now)
            release(timer)
            self.recompute(timer)

    def restart_one(self, timer: Timer, now: datetime) -> None:
        """This routine's interval counts from ``now``, and it is no longer held (it was
        dropped: its ``at`` time passes unfired)."""
        timer.counted_from = now
        timer.at_after = max(timer.at_after, now)
        release(timer)
        self.recompute(timer)

    def drop_expired_snoozes(self, now: datetime) -> None:
        for timer in self._by_name.values():
            if timer.snoozed_until and timer.snoozed_until <= now:
                timer.snoozed_until = None
                self.recompute(timer)

    def snooze(self, timer: Timer, until: datetime, *, running: datetime | None = None) -> None:
        """Postpone ``timer`` to ``until``; ``running``: it was on screen or queued at that
        moment (undone, it comes again at once)."""
        if timer.snoozed_until is None:
            timer.before_snooze = running or timer.due
        timer.snoozed_until = until
        release(timer)
        self.recompute(timer)

    def unsnooze(self, timer: Timer, now: datetime) -> bool:
        """Undo a snooze: the routine is due when it was before it (at once, if that time
        has passed). False if it is not snoozed."""
        if timer.snoozed_until is None:
            return False
        was = timer.before_snooze
        timer.snoozed_until = now if was is None or was <= now else None
        timer.before_snooze = None
        release(timer)
        self.recompute(timer)
        return True

    def skip(self, timer: Timer, now: datetime, *, running: bool) -> None:
        """Skip the routine on screen or queued (``running``: its interval counts from now),
        or its next occurrence (counted from that occurrence, and kept across restarts)."""
        timer.before_skip = Undo(timer.counted_from, timer.at_after, timer.skipped_through, running)
        if not running and timer.due:
            skipped = timer.due
            timer.counted_from = skipped
            timer.at_after = max(timer.at_after, skipped)
            timer.skipped_through = skipped
        else:
            timer.counted_from = now
            timer.at_after = max(timer.at_after, now)
        timer.snoozed_until = None
        release(timer)
        self.recompute(timer)

    def unskip(self, timer: Timer, now: datetime) -> bool:
        """Undo the last skip: the interval counts, and ``at`` times are used up, as before
        it; a routine skipped on screen (or queued) is due again at once. False if there is
        no skip to undo."""
        undo = timer.before_skip
        if undo is None:
            return False
        timer.counted_from, timer.at_after = undo.counted_from, undo.at_after
        timer.skipped_through = undo.skipped_through
        timer.before_skip = None
        timer.snoozed_until = now if undo.running else None
        release(timer)
        self.recompute(timer)
        return True

    def reload(self, config: Config, now: datetime) -> None:
        """A new config: routines whose trigger is unchanged keep their schedule."""
        timers = {}
        for routine in config.routines:
            old = self._by_name.get(routine.name)
            if old and old.routine.trigger == routine.trigger:
                old.routine = routine
                timers[routine.name] = old
            else:
                timers[routine.name] = Timer(routine, now, now)
        self._config = config
        self._by_name = timers
        self.recompute_all()

    # -- other machines (the sync folder, see reminderd/sync/) -------------------------------

    def done_elsewhere(self, name: str, machine: str, at: datetime) -> Timer | None:
        """Routine ``name`` was done on ``machine`` at ``at``: its interval restarts from
        then, as if done here. None (nothing changes) if it already counts from later."""
        timer = self._by_name.get(name)
        if timer is None or at <= timer.counted_from:
            return None
        timer.counted_from = at
        timer.at_after = max(timer.at_after, at)
        timer.snoozed_until = timer.busy_elsewhere = None
        release(timer)
        timer.done_elsewhere = (machine, at)
        self.recompute(timer)
        return timer

    def busy_until(self, now: datetime) -> list[datetime]:
        """When routines held while in progress elsewhere are free again."""
        return [
            t.busy_elsewhere[1]
            for t in self._by_name.values()
            if t.held == "elsewhere" and t.busy_elsewhere and t.busy_elsewhere[1] > now
        ]

    def after_pause(self, timer: Timer, end: datetime) -> datetime | None:
        """When ``timer`` falls due if a pause ends at ``end``: intervals count from then
        and ``at`` times before it pass (as ``restart`` makes them); a snooze that outlasts
        the pause keeps its time. Nothing changes."""
        zone = self._zone()
        schedule = self._config.schedule
        if timer.snoozed_until and timer.snoozed_until > end:
            return scheduler.next_working(
                schedule, timer.snoozed_until, zone, timer.routine.trigger.days
            )
        at_after = max(timer.at_after, end)
        return scheduler.next_due(schedule, timer.routine.trigger, end, at_after, zone)

    def rows(self, pause_end: datetime | None, zone: tzinfo) -> list[RoutineStatus]:
        """Each routine for the status reply: when it comes next (None while paused; with
        ``pause_end``, a pause, when it comes once the pause ends), its snooze, what holds
        it, and what another machine did to it."""

        def iso(moment: datetime | None) -> str | None:
            return local_iso(moment, zone) if moment else None

        return [
            {
                "name": t.routine.name,
                "title": t.routine.label,
                "next": None if pause_end else iso(t.due),
                "after_pause": iso(self.after_pause(t, pause_end)) if pause_end else None,
                "snoozed_until": iso(t.snoozed_until),
                "held": t.held,
                "hold": t.hold_text,
                "done_elsewhere": {
                    "machine": t.done_elsewhere[0],
                    "at": iso(t.done_elsewhere[1]) or "",
                }
                if t.done_elsewhere and t.done_elsewhere[1] == t.counted_from
                else None,
                "running_elsewhere": {
                    "machine": t.busy_elsewhere[0],
                    "until": iso(t.busy_elsewhere[1]) or "",
                }
                if t.busy_elsewhere
                else None,
            }
            for t in self._by_name.values()
        ]

    def recompute_all(self) -> None:
        for timer in self._by_name.values():
            self.recompute(timer)

    def recompute(self, timer: Timer) -> None:
        zone = self._zone()
        schedule = self._config.schedule
        if timer.snoozed_until:
            timer.due = scheduler.next_working(
                schedule, timer.snoozed_until, zone, timer.routine.trigger.days
            )
            return
        timer.due = scheduler.next_due(
            schedule, timer.routine.trigger, timer.counted_from, timer.at_after, zone
        )


def release(timer: Timer) -> None:
    """Nothing holds ``timer`` any more: it fired, was dropped, skipped, snoozed, or moved
    by another machine (what held it, and what it waited for, go with it)."""
    timer.held = timer.hold_text = timer.waited = None
    timer.missed = False
