"""The Notifier port: a note (one step's notification) and what shows it; the null
implementation, for plans and tests."""

from __future__ import annotations

import logging
from typing import NamedTuple, Protocol

log = logging.getLogger("reminderd")


APP_NAME = "reminderd"


DONE_EXPIRY = 8.0  # seconds a closing notification stays when nothing replaces it


class Note(NamedTuple):
    """What one notification says, and for how long it matters."""

    summary: str
    body: str
    seconds: float = 0.0
    actions: tuple[tuple[str, str], ...] = ()  # (key, label)
    urgency: int = 1
    final: bool = False
    sound: str = ""  # a sound file, or a theme's sound name, for servers that play sounds
    image: str = ""  # the step's picture: the absolute path of a PNG file that exists
    sticky: bool = False  # stays until the person closes it (the safety note)
    value: int | None = None  # a progress bar, 0 to 100 (the `value` hint)
    refresh: bool = False  # the same note redrawn in place (its bar moved): not worth a line

    @property
    def expiry_ms(self) -> int:
        if self.sticky:
            return 0  # the specification's "never expire"
        # A step's notification outlives its step by a second so that the next one
        # replaces it in place instead of following a gap.
        seconds = DONE_EXPIRY if self.final or self.seconds <= 0 else self.seconds + 1.0
        return int(seconds * 1000)


class Notifier(Protocol):
    """The port through which the guide and the core show notifications.

    ``capabilities`` are the server's (freedesktop names: "actions", "body", "sound", ...),
    where "actions" means buttons a person can press; "default-action" (reminderd's own
    name) means only a click on the notification can be answered. ``failing`` is true
    while notifications do not reach a person (buttons are then not offered, since nobody
    could press them).
    """

    @property
    def name(self) -> str: ...

    @property
    def capabilities(self) -> frozenset[str]: ...

    @property
    def failing(self) -> bool: ...

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        """Show ``note``, in place of notification ``replaces`` if given; return its id."""

    def close(self, notification_id: int | None) -> None:
        """Withdraw a notification shown earlier (no error if it is already gone)."""


class NullNotifier:
    """Shows nothing, remembers everything: for ``plan`` and for tests."""

    def __init__(self, name: str = "none", capabilities: frozenset[str] = frozenset()) -> None:
        self.name = name
        self.shown: list[Note] = []
        self.closed: list[int | None] = []
        self.capabilities = capabilities
        self.failing = False

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        self.shown.append(note)
        return len(self.shown)

    def close(self, notification_id: int | None) -> None:
        self.closed.append(notification_id)
