"""What the daemon does for each control request (``reminderd pause``, ``snooze`` ...), and
for the panel menu's items, which send the same requests.

Each ``cmd_NAME`` takes the request and the client that sent it, and returns the reply's
fields; a ControlError becomes an error reply. Arguments are checked here (types, bounds,
names), so the core only ever sees values it can use.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from reminderd import scheduler
from reminderd.control import MAX_STREAMS
from reminderd.durations import MAX_PAUSE, MAX_SNOOZE, bounded
from reminderd.errors import (
    ControlError,
    DurationError,
    NothingToUndoError,
    ReminderError,
    SkipBudgetError,
)
from reminderd.i18n.said import message, said

if TYPE_CHECKING:
    from reminderd.clock import Clock
    from reminderd.contracts import DaemonStatus
    from reminderd.control.server import Client, Server
    from reminderd.core import Core
    from reminderd.daemon.kept import Kept
    from reminderd.sync.link import SyncLink

log = logging.getLogger("reminderd")


class Daemon(Protocol):
    """What the commands reach of the daemon (``service.Daemon``)."""

    core: Core
    sync: SyncLink | None
    kept: Kept
    server: Server | None
    clock: Clock
    stopping: bool

    def status(self) -> DaemonStatus: ...

    def reload(self) -> dict[str, Any]: ...


class Commands:
    """The control requests a daemon answers."""

    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon

    def handle(self, request: dict[str, Any], client: Client) -> dict[str, Any] | None:
        command = request["cmd"]
        handler = getattr(self, f"cmd_{command}", None)
        if handler is None:
            known = ", ".join(sorted(n[4:] for n in dir(self) if n.startswith("cmd_")))
            raise ControlError(
                said('unknown command "{command}" (known: {known})', command=command, known=known)
            )
        result: dict[str, Any] | None = handler(request, client)
        if (
            result is not None
            and command in ("pause", "resume", "snooze", "skip", "unskip")
            and self.daemon.kept.store.last_error
        ):
            result["warning"] = said(
                "{problem}; it will not survive a restart",
                problem=self.daemon.kept.store.last_error,
            )
        return result

    def cmd_status(self, _request: dict[str, Any], _client: Client) -> dict[str, Any]:
        return dict(self.daemon.status())

    def cmd_pause(self, request: dict[str, Any], _client: Client) -> dict[str, Any]:
        everywhere = request.get("everywhere") is True
        sync = self.daemon.sync
        if everywhere and sync is None:
            msg = said(
                "pause --everywhere needs a sync folder: add [sync] with"
                ' folder = "~/Sync/reminderd" to the config (see docs/sync.md)'
            )
            raise ControlError(msg)
        until = self._pause_end(request)
        paused_until = self.daemon.core.pause(until)
        if sync is not None and everywhere:
            sync.share_pause(until)
        elif sync is not None:
            sync.paused_here()
        guide = self.daemon.core.guide  # held at its step, if one was on screen
        held = guide.name if guide is not None and guide.held_at is not None else None
        return {"paused_until": paused_until, "everywhere": everywhere, "held": held}

    def _pause_end(self, request: dict[str, Any]) -> datetime | None:
        """None (until resumed), ``seconds`` from now, "HH:MM" next, or "tomorrow"."""
        now = self.daemon.clock.now()
        zone = self.daemon.clock.zone()
        seconds, until = request.get("seconds"), request.get("until")
        if seconds is not None:
            fix = said("`reminderd pause` with no duration pauses until `reminderd resume`")
            length = _seconds(seconds, MAX_PAUSE, said("a pause"), fix)
            return now + timedelta(seconds=length)
        if until is None:
            return None
        try:
            return scheduler.until(self.daemon.core.config.schedule, str(until), now, zone)
        except DurationError as error:
            raise ControlError(message(error)) from None

    def cmd_resume(self, _request: dict[str, Any], _client: Client) -> dict[str, Any]:
        was_paused = self.daemon.core.resume()
        if self.daemon.sync is not None:
            self.daemon.sync.resumed_here()  # a shared pause ends everywhere
        return {"was_paused": was_paused}

    def _routine_arg(self, request: dict[str, Any]) -> str | None:
        name = request.get("routine")
        if name is not None and not isinstance(name, str):
            raise ControlError(said("routine must be a name"))
        return name

    def _target_error(self, name: str | None) -> ControlError:
        if name:
            from reminderd.exercises import unknown_name  # noqa: PLC0415 - a mistyped name

            return ControlError(unknown_name(name, list(self.daemon.core.timers)))
        return ControlError(said("nothing to act on: no routine is on screen, queued or due"))

    def cmd_snooze(self, request: dict[str, Any], _client: Client) -> dict[str, Any]:
        name = self._routine_arg(request)
        if request.get("seconds") == 0:
            return self._unsnooze(name)
        fix = said("for longer, skip it or pause reminderd")
        seconds = _seconds(request.get("seconds", 600), MAX_SNOOZE, said("a snooze"), fix)
        try:
            routine, due = self.daemon.core.snooze(name, seconds)
        except LookupError:
            raise self._target_error(name) from None
        return {"routine": routine, "next": self.daemon.core.iso(due)}

    def cmd_skip(self, request: dict[str, Any], _client: Client) -> dict[str, Any]:
        name = self._routine_arg(request)
        try:
            routine, due = self.daemon.core.skip(name, force=request.get("force") is True)
        except LookupError:
            raise self._target_error(name) from None
        except SkipBudgetError as error:
            raise ControlError(message(error)) from None
        return {"routine": routine, "next": self.daemon.core.iso(due)}

    def _unsnooze(self, name: str | None) -> dict[str, Any]:
        """``snooze NAME 0``: undo a snooze (without NAME, of the one routine snoozed)."""
        core = self.daemon.core
        if name is None:
            snoozed = [n for n, timer in core.timers.items() if timer.snoozed_until]
            if len(snoozed) != 1:
                msg = (
                    said("no routine is snoozed")
                    if not snoozed
                    else said(
                        "name the routine to unsnooze: {names} are snoozed",
                        names=", ".join(snoozed),
                    )
                )
                raise ControlError(msg)
            name = snoozed[0]
        try:
            due = core.unsnooze(name)
        except LookupError:
            raise self._target_error(name) from None
        except NothingToUndoError as error:
            raise ControlError(message(error)) from None
        return {"routine": name, "next": core.iso(due), "undone": True}

    def cmd_unskip(self, request: dict[str, Any], _client: Client) -> dict[str, Any]:
        name = self._routine_arg(request)
        if not name:
            raise ControlError(said("name the routine whose skip to undo"))
        try:
            due = self.daemon.core.unskip(name)
        except LookupError:
            raise self._target_error(name) from None
        except NothingToUndoError as error:
            raise ControlError(message(error)) from None
        return {"routine": name, "next": self.daemon.core.iso(due)}

    def cmd_run(self, request: dict[str, Any], _client: Client) -> dict[str, Any]:
        name = request.get("name")
        if not isinstance(name, str) or not name:
            raise ControlError(said("name must be a routine or exercise name"))
        if self.daemon.core.paused:
            msg = said("reminderd is paused: `reminderd resume` first, or run it here with --here")
            raise ControlError(msg)
        from reminderd.exercises import routine_for  # noqa: PLC0415 - a routine is started

        config = self.daemon.core.config
        try:
            routine_for(name, config.routines, config.exercises)
        except ReminderError as error:
            raise ControlError(message(error)) from None
        outcome = self.daemon.core.run_now(name, now=request.get("now") is True)
        return {
            "routine": name,
            "ahead": outcome.ahead,
            "answered": outcome.answered,
            "held": outcome.held,
        }

    def cmd_reload(self, _request: dict[str, Any], _client: Client) -> dict[str, Any]:
        return self.daemon.reload()

    def cmd_events(self, _request: dict[str, Any], client: Client) -> dict[str, Any]:
        """Turn this connection into a stream: one line per event from now on."""
        if self.daemon.server and self.daemon.server.streams() >= MAX_STREAMS:
            msg = said("too many event streams ({count}); close one first", count=MAX_STREAMS)
            raise ControlError(msg)
        client.subscribed = True
        log.debug("control: a client follows the events")
        return {"subscribed": True}

    def cmd_modules(self, _request: dict[str, Any], _client: Client) -> dict[str, Any]:
        """The modules this process has loaded, by name: what an idle daemon holds, for the
        tests and the benchmark (loading nothing itself)."""
        return {"modules": sorted(sys.modules)}

    def cmd_stop(self, _request: dict[str, Any], _client: Client) -> dict[str, Any]:
        log.info("stopping (asked over the control socket)")
        self.daemon.stopping = True
        return {"pid": os.getpid()}


def _seconds(value: object, maximum: float, what: str, fix: str) -> float:
    """A number of seconds from a control request: finite, above zero, within its bound."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ControlError(said("{what} needs its length as a number of seconds", what=what))
    try:
        return bounded(float(value), maximum, what, fix)
    except DurationError as error:
        raise ControlError(message(error)) from None
