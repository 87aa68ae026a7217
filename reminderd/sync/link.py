"""The daemon's side of the sync folder: this machine's events go out to its own files,
the other machines' presence files come in to the core.

Out: the link listens to the core's events (after the history has recorded them). A
routine started, ended or done, and a shared pause, rewrite the presence file; a
reminder's fate exports the new history rows.

In: the folder watch's file descriptor sits in the daemon's selector, so a presence file
arriving wakes the daemon at once, and the core re-plans before it sleeps again. Before
a routine is fired, the folder is looked at once more (only the files whose size or time
changed are read): that is all there is where no watch is possible, and it catches what a
watch cannot see (a network file system shows inotify only this machine's writes).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from reminderd.history import History
from reminderd.i18n.said import said
from reminderd.model import Event, SyncSettings
from reminderd.sync import formats, merge
from reminderd.sync.reader import Reader
from reminderd.sync.watch import FolderWatch
from reminderd.sync.writer import MARGIN, Writer

if TYPE_CHECKING:
    from reminderd.clock import Clock
    from reminderd.contracts import MachineSeen, SyncStatus
    from reminderd.core import Core
    from reminderd.daemon.loop import Loop

log = logging.getLogger("reminderd")

# Events after which the history rows recorded so far go out to the folder: each
# reminder's fate, and pauses. (Steps and firings go with the next of these.)
EXPORTED = frozenset(
    {
        "routine.completed",
        "routine.confirmed",
        "routine.skipped",
        "routine.snoozed",
        "routine.ignored",
        "routine.cancelled",
        "daemon.paused",
        "daemon.resumed",
        "break.natural",
    }
)
ENDED = frozenset({"routine.cancelled", "routine.skipped", "routine.snoozed", "routine.held"})
# Events that say the person was at this machine.
ACTIVE = frozenset({"routine.started", "routine.completed", "routine.confirmed", "presence.back"})


class SyncLink:
    """Connects a Core to a sync folder: writes this machine's files, reads the others'."""

    def __init__(
        self,
        settings: SyncSettings,
        core: Core,
        history: History,
        clock: Clock,
        history_days: int = 365,
    ) -> None:
        self.settings = settings
        self.core = core
        self.clock = clock
        self.reader = Reader(settings.folder, settings.machine)
        self.writer = Writer(settings.folder, settings.machine, history)
        self.rules = merge.Rules()
        self.watch: FolderWatch | None = None
        self.watch_reason: str = said("not started")
        self.history_days = history_days
        self._loop: Loop | None = None

    # -- wiring ----------------------------------------------------------------------------

    def start(self, loop: Loop | None) -> None:
        """Write this machine's files, read the others', and watch the folder."""
        now = self.clock.now()
        log.info("sync: folder %s, this machine is %s", self.settings.folder, self.settings.machine)
        previous = self.reader.own()
        if previous and previous.pause:
            self.rules.said_at = previous.pause.at
        self.writer.start(now, previous)
        self.writer.prune(self.history_days, now)
        self.core.listen(self.on_event)
        self._loop = loop
        try:
            self._open_watch()
            self.refresh(None)
        except Exception:  # a file from elsewhere must never stop the daemon starting
            log.exception("sync: reading the folder failed; reminders go on")

    def _open_watch(self) -> None:
        if self._loop is None:
            return
        self.watch, self.watch_reason = FolderWatch.open(self.settings.folder)
        log.info("sync: %s", self.watch_reason)
        if self.watch:
            self._loop.watch(self.watch, lambda _mask: self.folder_changed())

    def close(self) -> None:
        """At shutdown: nothing is in progress here any more, and the history is out."""
        self.writer.change(self.clock.now(), running=None)
        self.writer.export()
        if self.watch:
            if self._loop:
                self._loop.remove(self.watch)
            self.watch.close()
            self.watch = None
        self.core.unlisten(self.on_event)

    # -- in ---------------------------------------------------------------------------------

    def folder_changed(self) -> None:
        """The watch saw files written or renamed into the folder."""
        try:
            self._folder_changed()
        except Exception:  # a file from elsewhere must never take the daemon down
            log.exception("sync: reading the folder failed; reminders go on")

    def _folder_changed(self) -> None:
        assert self.watch is not None
        changes = self.watch.read()
        if changes.lost:
            assert self._loop is not None
            self._loop.remove(self.watch)
            self.watch.close()
            self.watch = None
            self.watch_reason = said("the folder went away: it is read when a routine falls due")
            log.warning("sync: %s", self.watch_reason)
        self.refresh(None if changes.rescan or changes.lost else changes.names)

    def before_tick(self) -> None:
        """Before a routine is fired, read what changed in the folder (and watch it again if
        it came back)."""
        if not self.core.due_now():
            return
        try:
            if self.watch is None and self._loop is not None and self.settings.folder.is_dir():
                self._open_watch()
            self.refresh(None)
        except Exception:  # a file from elsewhere must never take the daemon down
            log.exception("sync: reading the folder failed; reminders go on")

    def refresh(self, names: tuple[str, ...] | None) -> None:
        """Read the presence files that changed (among ``names``; None: any) and apply them."""
        now = self.clock.now()
        for presence in self.reader.presences(now, names):
            actions, notes = self.rules.read(presence, now)
            for note in notes:
                log.warning("sync: %s", note)
            for action in actions:
                self._apply(action)

    def _apply(self, action: merge.Action) -> None:
        core = self.core
        if isinstance(action, merge.Done):
            if core.done_elsewhere(action.routine, action.machine, action.at):
                log.info("sync: %s done on %s at %s", action.routine, action.machine, action.at)
        elif isinstance(action, merge.Busy):
            core.running_elsewhere(action.routine, action.machine, action.until)
        elif isinstance(action, merge.Pause):
            log.info("sync: paused by %s (pause --everywhere)", action.machine)
            core.pause(action.until, reason="sync")
        elif core.paused:
            log.info("sync: resumed by %s", action.machine)
            core.resume(reason="sync")

    # -- out --------------------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        kind, name, now = event.kind, event.routine, self.clock.now()
        presence = self.writer.presence
        if presence is None:
            return
        changes: dict[str, Any] = {}
        if kind in ACTIVE:
            changes["active"] = event.at
        if kind == "routine.started" and name:
            seconds = float(event.data.get("seconds") or 0)
            until = event.at + timedelta(seconds=min(seconds, 3600.0)) + MARGIN
            changes["running"] = formats.Running(name, event.at, until)
        elif kind == "routine.completed" and name:
            changes["done"] = {**presence.done, name: event.at}
            changes["running"] = None
        elif kind in ENDED and presence.running and presence.running.routine == name:
            changes["running"] = None
        if changes:
            self.writer.change(now, **changes)
        if kind in EXPORTED:
            self.writer.export()

    def share_pause(self, until: datetime | None) -> None:
        """``pause --everywhere``: the pause goes into this machine's presence file."""
        now = self.clock.now()
        statement = formats.Statement(now, until, forever=until is None)
        self.rules.said_here(now, paused=True)
        self.writer.change(now, pause=statement)

    def resumed_here(self) -> None:
        """``resume``: a shared pause (from here or elsewhere) ends everywhere; a pause of
        this machine alone ends here only."""
        if self.rules.paused_by is None:
            return
        now = self.clock.now()
        self.rules.said_here(now, paused=False)
        self.writer.change(now, pause=formats.Statement(now, None))

    def paused_here(self) -> None:
        """A pause of this machine alone: a shared resume elsewhere does not end it."""
        self.rules.paused_by = None

    # -- what it says about itself ----------------------------------------------------------

    def status(self) -> SyncStatus:
        iso = self.core.iso
        machines: list[MachineSeen] = [
            {"machine": p.machine, "written": iso(p.written), "active": iso(p.active)}
            for p in sorted(self.reader.known.values(), key=lambda p: p.machine)
        ]
        return {
            "folder": str(self.settings.folder),
            "machine": self.settings.machine,
            "watching": self.watch is not None,
            "reason": self.watch_reason,
            "machines": machines,
            "paused_by": self.rules.paused_by or None,
            "error": self.writer.error,
        }
