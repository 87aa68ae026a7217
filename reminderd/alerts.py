"""Notifications that tell a person something went wrong (the config was not reloaded),
at most one per minute of each kind: an editor that saves a broken file in pieces, or a
loop of reload requests, shows one, not hundreds. The log keeps every one."""

from __future__ import annotations

import logging
from collections.abc import Callable

from reminderd.errors import ReminderError
from reminderd.notify import Note, Notifier

log = logging.getLogger("reminderd")

EVERY = 60.0  # seconds between two notifications of the same kind


class Alerts:
    """Shows error notes through a notifier, one per ``every`` seconds per kind."""

    def __init__(self, clock: Callable[[], float], every: float = EVERY) -> None:
        self._clock = clock  # monotonic
        self._every = every
        self._last: dict[str, float] = {}

    def show(self, notifier: Notifier, kind: str, note: Note) -> None:
        """Show ``note`` unless one of ``kind`` was shown less than ``every`` seconds ago;
        a notification that fails is only logged (the log has said it already)."""
        now = self._clock()
        last = self._last.get(kind)
        if last is not None and now - last < self._every:
            log.debug("%s: not notified again within %g s", kind, self._every)
            return
        self._last[kind] = now
        try:
            notifier.show(note)
        except ReminderError as error:
            log.debug("%s: the notification failed: %s", kind, error)
