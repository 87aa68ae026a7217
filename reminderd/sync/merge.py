"""What another machine's presence file changes here: pure rules, no I/O.

``Rules.read`` takes a presence file and the time here, and returns what to do: a routine
done there (its interval restarts here from then), a routine in progress there (not
started here meanwhile), a shared pause or its end. It remembers what it has already
passed on, so that reading the same file twice does nothing twice.

Clocks disagree between machines, so each time reported by another machine is judged
against this machine's clock:

* in the past, or less than ``SKEW_LIMIT`` (an hour) ahead: a clock a little fast; the
  time is taken as it is, or as now when it is ahead, and a routine in progress or a
  pause keeps its length from then on;
* ``SKEW_LIMIT`` or more ahead: a clock set wrong (a wrong date or time zone); the report
  is ignored, with a log line that says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from reminderd.durations import format_duration
from reminderd.sync.formats import Presence, Statement

SKEW_LIMIT = 3600.0  # seconds ahead of this machine's clock from which a time is not believed


class Done(NamedTuple):
    """``routine`` was done on ``machine`` at ``at`` (never later than now here)."""

    routine: str
    machine: str
    at: datetime


class Busy(NamedTuple):
    """``routine`` is in progress on ``machine`` until ``until``; None: no longer."""

    routine: str
    machine: str
    until: datetime | None


class Pause(NamedTuple):
    """``pause --everywhere`` on ``machine``: until ``until`` (None: until resumed)."""

    machine: str
    until: datetime | None


class Resume(NamedTuple):
    """The shared pause was ended on ``machine``."""

    machine: str


Action = Done | Busy | Pause | Resume


def judged(moment: datetime, now: datetime) -> tuple[datetime | None, float]:
    """A time reported by another machine, as this machine takes it: as it is, now when it
    is a little ahead, None when it is ``SKEW_LIMIT`` or more ahead; and how far ahead."""
    ahead = (moment - now).total_seconds()
    if ahead >= SKEW_LIMIT:
        return None, ahead
    return (now, ahead) if ahead > 0 else (moment, 0.0)


class Rules:
    """The state of what other machines said, and what each new report changes."""

    def __init__(self) -> None:
        self._done: dict[tuple[str, str], datetime] = {}  # (machine, routine) -> as reported
        self._busy: dict[str, tuple[str, datetime]] = {}  # machine -> (routine, until here)
        self.said_at: datetime | None = None  # the latest pause statement acted upon
        # The machine whose shared pause holds here ("" for this one), which a shared
        # resume ends; None when no shared pause holds (a pause of this machine alone).
        self.paused_by: str | None = None

    def read(self, presence: Presence, now: datetime) -> tuple[list[Action], list[str]]:
        """What ``presence`` changes here, and the notes to log about what is ignored."""
        actions: list[Action] = []
        notes: list[str] = []
        machine = presence.machine
        for routine, reported in sorted(presence.done.items()):
            if self._done.get((machine, routine)) == reported:
                continue
            self._done[(machine, routine)] = reported
            at, ahead = judged(reported, now)
            if at is None:
                notes.append(
                    f"{machine}: {routine} reported done {format_duration(ahead)} ahead of this"
                    " machine's clock; ignored (set the clocks right)"
                )
            else:
                actions.append(Done(routine, machine, at))
        actions += self._running(presence, now, notes)
        actions += self._pause(presence.pause, machine, now, notes)
        return actions, notes

    def _running(self, presence: Presence, now: datetime, notes: list[str]) -> list[Action]:
        machine, running = presence.machine, presence.running
        now_busy: tuple[str, datetime] | None = None
        if running is not None:
            since, ahead = judged(running.since, now)
            if since is None:
                notes.append(
                    f"{machine}: {running.routine} reported started {format_duration(ahead)}"
                    " ahead of this machine's clock; ignored"
                )
            elif (until := running.until - timedelta(seconds=ahead)) > now:
                now_busy = (running.routine, until)
        before = self._busy.get(machine)
        if before == now_busy:
            return []
        actions: list[Action] = []
        if before is not None and (now_busy is None or before[0] != now_busy[0]):
            actions.append(Busy(before[0], machine, None))
        if now_busy is None:
            self._busy.pop(machine, None)
        else:
            self._busy[machine] = now_busy
            actions.append(Busy(now_busy[0], machine, now_busy[1]))
        return actions

    def _pause(
        self, statement: Statement | None, machine: str, now: datetime, notes: list[str]
    ) -> list[Action]:
        if statement is None or (self.said_at is not None and statement.at <= self.said_at):
            return []
        at, ahead = judged(statement.at, now)
        if at is None:
            notes.append(
                f"{machine}: a pause said {format_duration(ahead)} ahead of this machine's"
                " clock; ignored"
            )
            return []
        self.said_at = statement.at
        if statement.resumed:
            if self.paused_by is None:
                return []
            self.paused_by = None
            return [Resume(machine)]
        until = statement.until - timedelta(seconds=ahead) if statement.until else None
        if until is not None and until <= now:
            return []
        self.paused_by = machine
        return [Pause(machine, until)]

    def said_here(self, at: datetime, paused: bool) -> None:
        """This machine shared a pause (``paused``) or its end: older statements are not
        acted upon any more."""
        self.said_at = at
        self.paused_by = "" if paused else None
