"""The panel item's own session-bus connection: it takes the item's name, reads what
arrives a bounded number of messages at a time, and hands each message to the part whose
job it is: method calls to the exported item and menu (``exported``, loaded at the first
call, one guard answering them all), signals and replies to the watcher registration
(``watcher``). An idle daemon whose panel never asks holds this and the registration only:
none of the icon's pixels, the menu or the tooltip."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from reminderd.bus import Bus, BusError, guarded
from reminderd.control import PER_WAKE, SHARE  # one peer's share of a wake-up
from reminderd.panel.names import HOST_RULE, WATCHER_RULE, Act, Look, Reply
from reminderd.panel.watcher import WatcherLink

if TYPE_CHECKING:
    from reminderd.panel.exported import Exported

log = logging.getLogger("reminderd")


class Panel:
    """The exported item and menu on one session-bus connection."""

    def __init__(
        self,
        act: Act,
        look: Look,
        *,
        stats: Callable[[], str],
        now: Callable[[], datetime],
        address: str | None = None,
    ) -> None:
        self.act = act
        self.look = look
        self.stats = stats
        self.now = now
        self.bus = Bus(address)
        self.name = f"org.kde.StatusNotifierItem-{os.getpid()}-1"
        self.watcher = WatcherLink(self.bus, self.name)
        self.backlog = False  # more messages may be waiting than one wake-up handles
        self._exported: Exported | None = None

    @property
    def registered(self) -> bool:
        """Whether the watcher shows the item."""
        return self.watcher.registered

    @property
    def reason(self) -> str:
        """What `status` says of the icon: shown, not shown, waiting for a panel or no
        panel, a colon, and why."""
        return self.watcher.reason

    def start(self) -> bool:
        """Connect, take the item's name, watch for the watcher and its panels, and register
        once a panel is there."""
        try:
            self.bus.call(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "RequestName",
                signature="su",
                args=(self.name, 4),
            )
            self.bus.subscribe(WATCHER_RULE)
            self.bus.subscribe(HOST_RULE)
        except BusError as error:
            self.watcher.not_started(str(error))
            return False
        self.watcher.ask_for_a_panel()
        return True

    def fileno(self) -> int | None:
        return self.bus.fileno()

    def close(self) -> None:
        self.bus.disconnect()

    def readable(self) -> None:
        """Answer the messages that have arrived, at most PER_WAKE of them and for at most
        SHARE seconds (``backlog`` says whether more may be waiting); never waits."""
        from jeepney import MessageType  # noqa: PLC0415

        self.backlog = False
        if self.bus.conn is None:  # lost with the session bus: not connected again here
            return
        ends = time.monotonic() + SHARE
        for _ in range(PER_WAKE):
            try:
                messages, _more = self.bus.take(1)
            except BusError as error:
                log.warning("panel: %s", error)
                self.watcher.lost(str(error))
                return
            if not messages:
                return
            (message,) = messages
            if message.header.message_type == MessageType.method_call:
                self.bus.answer(message, self._dispatch)
            else:
                with guarded("panel"):
                    self.watcher.notice(message)
            if time.monotonic() >= ends:
                break
        self.backlog = True

    def changed(self) -> None:
        """State changed: tell the panel to read the icon, tooltip and menu again."""
        if self._exported is not None:
            self._exported.menu.forget()
        if not self.registered or self.bus.conn is None:
            return
        signals = self.exported().changed()
        try:
            for signal in signals:
                self.bus.conn.send(signal)
        except OSError as error:
            log.warning("panel: %s", error)

    def exported(self) -> Exported:
        """The item and its menu as a panel reads them, made at the first call."""
        if self._exported is None:
            from reminderd.panel.exported import Exported  # noqa: PLC0415 - once a panel asks

            self._exported = Exported(self.act, self.look, stats=self.stats, now=self.now)
        return self._exported

    def _dispatch(self, message: Any) -> Reply:
        return self.exported().dispatch(message)
