"""What the notification server tells the daemon: a button pressed, a notification
closed, the do-not-disturb switch turned, another server taking the name over.

Its connection changes when the backend is chosen again or a failed call made it connect
anew, so the loop's watch on it is kept in step every turn; the signals themselves are
read after every wake-up, each one checked (the server's own, of its signature) before it
reaches the daemon.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from reminderd.bus import guarded
from reminderd.daemon.loop import Loop
from reminderd.notify import Choice
from reminderd.notify.signals import NotificationSignals

if TYPE_CHECKING:
    import socket


class ServerSignals:
    """The notification server's signals, handed to the callbacks named for them."""

    def __init__(
        self,
        loop: Loop,
        *,
        action: Callable[[int, str], None],
        closed: Callable[[int, int], None],
        look_again: Callable[[], None],
        server_changed: Callable[[], None],
    ) -> None:
        self._loop = loop
        self._action, self._closed = action, closed
        self._look_again, self._server_changed = look_again, server_changed
        self.signals: NotificationSignals | None = None
        self._sock: socket.socket | None = None  # the connection the loop watches

    def listen(self, backend: Choice) -> None:
        """Hear ``backend``'s server from now on (a server that comes later is heard
        arriving)."""
        self.signals = backend.signals()
        if self.signals:
            self.signals.listen()

    @property
    def backlog(self) -> bool:
        return self.signals is not None and self.signals.backlog

    def watch(self) -> None:
        """Keep the server's connection in the loop. It changes on reconnect (after a call
        that failed), told apart by its socket, not its number: the new connection often
        gets the number the old one had."""
        sock = self.signals.sock() if self.signals else None
        if sock is self._sock:
            return
        if self._sock is not None:
            self._loop.remove(self._sock)  # found by the object, closed or not
        if sock is not None:
            self._loop.watch(sock, lambda _mask: None)  # ``take`` runs after every wake-up
        self._sock = sock

    def take(self) -> None:
        """Hand on what the server said since the last turn."""
        if self.signals is None:
            return
        for member, body in self.signals.take():  # checked: the server's, of their signature
            with guarded(member):
                if member == "ActionInvoked":
                    self._action(body[0], body[1])
                elif member == "NotificationClosed":
                    self._closed(body[0], body[1])
                elif member == "PropertiesChanged":
                    self._look_again()
                elif member == "ServerChanged":
                    self._server_changed()
