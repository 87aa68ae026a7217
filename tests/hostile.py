"""What any program on the same bus can do to reminderd, as tools for the tests that check
it holds: call its panel item with any arguments, send it signals that claim to come from
the notification server or logind, and be a notification server (or logind) that answers
with anything at all.

The services here run in a thread of the test process, on a private bus, so that a test
can change what they answer between two calls; they stand in for a misbehaving or hostile
program, not for a real desktop service.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    MessageType,
    new_error,
    new_method_call,
    new_method_return,
    new_signal,
)
from jeepney.io.blocking import DBusConnection, open_dbus_connection

BUS = DBusAddress(
    "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
)
NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
LOGIND = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
LOGIND_MANAGER = "org.freedesktop.login1.Manager"
INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"

Reply = tuple[str, tuple[Any, ...]]  # a signature and a body


def panel_name(pid: int) -> str:
    """The bus name of the panel item of the daemon with process id ``pid``."""
    return f"org.kde.StatusNotifierItem-{pid}-1"


def call(
    conn: DBusConnection,
    destination: str,
    path: str,
    interface: str | None,
    member: str,
    *args: Any,
    timeout: float = 5.0,
) -> Any:
    """One method call; ``args`` are its signature and body (none: no arguments). The reply
    or error message itself."""
    signature, body = args or ("", ())
    target = DBusAddress(path, bus_name=destination, interface=interface)
    return conn.send_and_get_reply(
        new_method_call(target, member, signature or None, body), timeout=timeout
    )


def error_name(reply: Any) -> str | None:
    """The D-Bus error a reply carries, or None for a method return."""
    if reply.header.message_type != MessageType.error:
        return None
    return str(reply.header.fields.get(HeaderFields.error_name))


def emit(
    conn: DBusConnection,
    path: str,
    interface: str,
    member: str,
    *args: Any,
    destination: str | None = None,
) -> None:
    """Send a signal (``args``: its signature and body), to everyone listening or
    (``destination``) to one connection only."""
    signature, body = args or ("", ())
    message = new_signal(DBusAddress(path, interface=interface), member, signature or None, body)
    if destination:
        message.header.fields[HeaderFields.destination] = destination
    conn.send(message)


def connections_of(conn: DBusConnection, pid: int) -> list[str]:
    """The unique names of every connection the process ``pid`` has on this bus."""
    (names,) = call(conn, *BUS_ARGS, "ListNames").body
    found = []
    for name in names:
        if not name.startswith(":"):
            continue
        reply = call(conn, *BUS_ARGS, "GetConnectionUnixProcessID", "s", (name,))
        if reply.header.message_type == MessageType.method_return and reply.body[0] == pid:
            found.append(name)
    return found


BUS_ARGS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")


class Service:
    """A bus connection in a thread of its own that owns ``names`` and answers each method
    call with ``answer(member, interface, body)``: a (signature, body) reply, an error name,
    or None for no reply at all (a service that hangs)."""

    def __init__(
        self,
        address: str,
        names: tuple[str, ...],
        answer: Callable[[str, str, tuple[Any, ...]], Reply | str | None],
    ) -> None:
        self.address = address
        self.names = names
        self.answer = answer
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.conn = open_dbus_connection(address)
        for name in names:
            (owned,) = self.conn.send_and_get_reply(
                new_method_call(BUS, "RequestName", "su", (name, 4)), timeout=5
            ).body
            assert owned == 1, f"could not own {name}"
        # Signals are sent on a second connection: the thread reads and writes the first.
        self.sender = open_dbus_connection(address)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="service")
        self._thread.start()

    @property
    def unique_name(self) -> str:
        return str(self.conn.unique_name)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                message = self.conn.receive(timeout=0.05)
            except TimeoutError:
                continue
            except (OSError, ConnectionError, ValueError):
                return
            if message.header.message_type != MessageType.method_call:
                continue
            fields = message.header.fields
            member = str(fields.get(HeaderFields.member))
            interface = str(fields.get(HeaderFields.interface, ""))
            self.calls.append((member, tuple(message.body)))
            answer = self.answer(member, interface, tuple(message.body))
            if answer is None:
                continue
            if isinstance(answer, str):
                reply = new_error(message, answer, "s", ("refused",))
            else:
                signature, body = answer
                reply = new_method_return(message, signature or None, body)
            with contextlib.suppress(OSError):
                self.conn.send(reply)

    def signal(self, path: str, interface: str, member: str, *args: Any) -> None:
        """A signal from the connection that owns the names (the genuine sender). It goes
        out on the serving connection, so that its sender is the owner's unique name."""
        emit(self.conn, path, interface, member, *args)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for conn in (self.conn, self.sender):
            with contextlib.suppress(OSError):
                conn.close()


class NotificationServer(Service):
    """A notification server whose answers a test sets in ``replies`` (by method name);
    by default it answers as a well-behaved server does."""

    def __init__(self, address: str) -> None:
        self.replies: dict[str, Reply | str | None] = {
            "GetServerInformation": ("ssss", ("hostile", "reminderd tests", "1.0", "1.2")),
            "GetCapabilities": ("as", (["body", "actions"],)),
            "CloseNotification": ("", ()),
        }
        self.next_id = 0
        self.inhibited: Reply = ("v", (("b", False),))
        super().__init__(address, (NOTIFICATIONS,), self._answer)

    def _answer(self, member: str, interface: str, body: tuple[Any, ...]) -> Reply | str | None:
        if member == "Notify" and "Notify" not in self.replies:
            self.next_id += 1
            return "u", (self.next_id,)
        if member == "Get" and interface == "org.freedesktop.DBus.Properties":
            return self.replies.get("Get", self.inhibited)
        return self.replies.get(member, "org.freedesktop.DBus.Error.UnknownMethod")

    def notified(self) -> int:
        return sum(1 for member, _ in self.calls if member == "Notify")

    def ids(self) -> list[int]:
        """The ids it gave to Notify calls, in order (when it answers as a server does)."""
        return list(range(1, self.next_id + 1))


@contextlib.contextmanager
def connection(address: str) -> Iterator[DBusConnection]:
    conn = open_dbus_connection(address)
    try:
        yield conn
    finally:
        conn.close()
