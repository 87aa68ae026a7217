"""The notification server's signals (a button pressed, a note closed, do-not-disturb
changed), taken only from the unique name that owns the server's name."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from reminderd.bus import (
    DBUS,
    Bus,
    BusError,
    Once,
    guarded,
    header_field,
    signature_of,
)
from reminderd.control import PER_WAKE  # one peer's share of a wake-up
from reminderd.notify.freedesktop import BUS_NAME, OBJECT_PATH

if TYPE_CHECKING:
    import socket

log = logging.getLogger("reminderd")


# The server's signals the daemon listens to, and the signature each must have.
SERVER_SIGNALS = {
    (BUS_NAME, "ActionInvoked"): "us",
    (BUS_NAME, "NotificationClosed"): "uu",
    ("org.freedesktop.DBus.Properties", "PropertiesChanged"): "sa{sv}as",
}


class NotificationSignals:
    """The notification server's signals (ActionInvoked, NotificationClosed, and changes
    of its properties) for the daemon's loop: the socket to watch, and what arrived. Kept
    apart from the Notifier, which only shows and closes: a terminal run needs no signals.

    Any program on the bus can send signals that look like the server's, to everyone or to
    the daemon alone, and ids are small and easy to guess. Only the connection that owns
    org.freedesktop.Notifications counts: the match rules name its unique name (followed
    when the name changes hands), each message's sender is checked again (a signal sent to
    the daemon alone passes no match rule), and so is its signature. Anything else is
    ignored, said once per sender at debug level."""

    OWNER_RULE = (
        f"type='signal',sender='{DBUS}',interface='{DBUS}',member='NameOwnerChanged',"
        f"arg0='{BUS_NAME}'"
    )
    MAX_KEY = 64  # characters of an action key: reminderd's own are a word

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self.owner: str | None = None  # the unique name of the server's connection
        self._more = False  # more messages may be waiting than one wake-up handles
        self._rules: list[str] = []
        self._ignored = Once()
        bus.on_connect = self._subscribe
        if bus.conn is not None:
            self._subscribe(bus.conn)

    def _subscribe(self, _conn: Any) -> None:
        self._rules = []
        self.bus.subscribe(self.OWNER_RULE)
        self._follow(self.bus.name_owner(BUS_NAME))

    def _follow(self, owner: str | None) -> None:
        """Listen to the signals of ``owner`` (a unique name; None: no server) only."""
        for rule in self._rules:
            self.bus.unsubscribe(rule)
        self.owner = owner or None
        self._rules = []
        if self.owner is None:
            return
        for interface in (BUS_NAME, "org.freedesktop.DBus.Properties"):
            rule = (
                f"type='signal',sender='{self.owner}',interface='{interface}',path='{OBJECT_PATH}'"
            )
            self.bus.subscribe(rule)
            self._rules.append(rule)
        log.debug("notification server signals: from %s", self.owner)

    @property
    def backlog(self) -> bool:
        """Whether messages may wait that one wake-up did not take, or that arrived while
        the notifier called the server (already read from the socket: the loop must not
        sleep on them)."""
        return self._more or self.bus.holding

    def listen(self) -> None:
        """Connect now, so that a server that comes later (reminderd started at login
        before the desktop's) is heard arriving; without a session bus, nothing."""
        try:
            self.bus.connect()
        except BusError as error:
            log.debug("notification server signals: %s", error)

    def sock(self) -> socket.socket | None:
        """The connection's socket, for the daemon's loop; None while not connected."""
        return self.bus.sock()

    def take(self) -> list[tuple[str, tuple[Any, ...]]]:
        """The server's signals that have arrived, as (member, body), at most PER_WAKE
        messages' worth (``backlog`` says whether more may wait); never waits."""
        self._more = False
        if self.bus.conn is None:
            return []
        try:
            messages, self._more = self.bus.take(PER_WAKE)
        except BusError as error:
            log.debug("notification server signals: %s", error)
            return []
        signals = []
        for message in messages:
            with guarded("a notification server signal"):
                signal = self._check(message)
                if signal is not None:
                    signals.append(signal)
        return signals

    def _check(self, message: Any) -> tuple[str, tuple[Any, ...]] | None:
        """(member, body) of a signal from the server, of the signature it must have."""
        from jeepney import MessageType  # noqa: PLC0415

        if message.header.message_type != MessageType.signal:
            return None
        sender, member = header_field(message, "sender"), header_field(message, "member")
        signature = signature_of(message)
        if member == "NameOwnerChanged" and sender == DBUS and signature == "sss":
            name, _old, new = message.body
            if name != BUS_NAME:
                return None
            self._follow(new)
            # A server came (a desktop started after reminderd) or another took over: the
            # daemon asks it again what it is and can do.
            return ("ServerChanged", (new,)) if new else None
        wanted = SERVER_SIGNALS.get((header_field(message, "interface"), member))
        if sender != self.owner:
            why = f"not the notification server ({self.owner or 'none'})"
        elif wanted is None or header_field(message, "path") != OBJECT_PATH:
            why = "not a signal of the notification server"
        elif signature != wanted:
            why = f"signature ({signature}), not ({wanted})"
        else:
            body = tuple(message.body)
            if member == "ActionInvoked":
                body = (body[0], body[1][: self.MAX_KEY])
            return str(member), body
        if self._ignored.first(f"{sender} {member}"):
            log.debug("ignored %s from %s: %s", member, sender, why)
        return None
