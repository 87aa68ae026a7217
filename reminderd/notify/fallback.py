"""A notifier that falls back to another (the console) while the first fails."""

from __future__ import annotations

import logging

from reminderd.errors import NotifyError
from reminderd.notify.port import Note, Notifier

log = logging.getLogger("reminderd")


class FallbackNotifier:
    """Uses ``primary`` while it works; when it fails, logs once and shows on ``fallback``.

    Every later notification tries ``primary`` again first, so a notification server that
    comes back (a restarted desktop shell) is used again without restarting reminderd.
    """

    def __init__(self, primary: Notifier, fallback: Notifier, *, failing: bool = False) -> None:
        self.primary = primary
        self.fallback = fallback
        self._failing = failing

    @property
    def name(self) -> str:
        return self.primary.name

    @property
    def capabilities(self) -> frozenset[str]:
        return self.primary.capabilities

    @property
    def failing(self) -> bool:
        return self._failing or self.primary.failing

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        try:
            result = self.primary.show(note, replaces)
        except NotifyError as error:
            if not self._failing:
                log.warning(
                    "notification failed (%s); showing steps on the %s until it works again",
                    error,
                    self.fallback.name,
                )
                self._failing = True
            return self.fallback.show(note, None)
        if self._failing:
            log.warning("notifications work again through %s", self.primary.name)
            self._failing = False
        return result

    def answers_again(self) -> None:
        """The primary was asked and answered (a server that came): use it from now on."""
        if self._failing:
            log.warning("notifications work again through %s", self.primary.name)
            self._failing = False

    def close(self, notification_id: int | None) -> None:
        self.primary.close(notification_id)
