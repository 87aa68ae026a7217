"""The panel icon's place in the daemon: shown and hidden as the config says, its own bus
connection watched by the loop and answered once a turn, told when something changed.

The icon's code (``reminderd.panel``) is imported only when the config wants an icon.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reminderd.contracts import DaemonStatus
from reminderd.daemon.loop import Loop
from reminderd.i18n.said import said

if TYPE_CHECKING:
    from reminderd.panel import Panel

log = logging.getLogger("reminderd")

Handle = Callable[[dict[str, Any]], "dict[str, Any] | None"]  # a control request, its reply


class Icon:
    """The panel icon, when the config wants one: the item on the bus, or why there is
    none (``reason``)."""

    def __init__(
        self,
        loop: Loop,
        handle: Handle,
        status: Callable[[], DaemonStatus],
        history: Path,
        now: Callable[[], datetime],
    ) -> None:
        self._loop, self._handle, self._status = loop, handle, status
        self._history, self._now = history, now
        self.panel: Panel | None = None
        self.reason = ""
        self._fd: int | None = None  # the item's socket, as the loop watches it
        self._ready = False  # the loop saw it readable this turn

    def show(self, wanted: bool) -> None:
        """The icon on (a new item on its own connection) or off."""
        self.close()
        if not wanted:
            self.reason = said("off: [panel] icon = false")
            return
        from reminderd import panel  # noqa: PLC0415 - only when the icon is wanted

        item = panel.Panel(
            self._handle,
            self._status,
            stats=lambda: panel.today(self._history, self._now().astimezone().date()),
            now=self._now,
        )
        if not item.start():
            self.reason = item.reason
            log.info("panel icon: %s", item.reason)
            return
        self.panel = item
        self._fd = item.fileno()

        def readable(_mask: int) -> None:
            self._ready = True  # answered once a turn, with the others (catch_up)

        self._loop.watch(self._fd, readable)

    @property
    def wanted(self) -> bool:
        return self.panel is not None

    @property
    def backlog(self) -> bool:
        """Messages left over from the last turn: the loop does not sleep."""
        return self.panel is not None and self.panel.backlog

    def catch_up(self) -> None:
        """Answer the panel's calls of this turn, and any left over from the last."""
        if self.panel and (self._ready or self.panel.backlog):
            self._ready = False
            self.panel.readable()
            if self.panel.fileno() is None:  # the session bus went away: its socket is closed
                self._loop.remove(self._fd)

    def changed(self) -> None:
        """Something the icon shows may have changed (an event)."""
        if self.panel:
            self.panel.changed()

    def state(self) -> tuple[bool, str]:
        """Whether a panel shows the icon, and why (not)."""
        if self.panel:
            return self.panel.registered, self.panel.reason
        return False, self.reason

    def close(self) -> None:
        if self.panel:
            self._loop.remove(self.panel.fileno())
            self.panel.close()
            self.panel = None
