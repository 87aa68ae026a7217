"""D-Bus plumbing shared by notifications, idle sources and the sleep watcher (jeepney)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reminderd.errors import ReminderError

CALL_TIMEOUT = 2.0


class BusError(ReminderError):
    """A D-Bus connection or call failed."""


def session_bus_address(environ: dict[str, str] | None = None) -> str | None:
    """The session bus address, falling back to ``$XDG_RUNTIME_DIR/bus`` as sd-bus does."""
    environ = dict(os.environ) if environ is None else environ
    address = environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime, "bus").exists():
        return f"unix:path={runtime}/bus"
    return None


def system_bus_address() -> str | None:
    address = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS")
    if address:
        return address
    for path in ("/run/dbus/system_bus_socket", "/var/run/dbus/system_bus_socket"):
        if Path(path).exists():
            return f"unix:path={path}"
    return None


class Bus:
    """A lazily opened connection that reconnects after a failure."""

    def __init__(
        self, address: str | None = None, *, system: bool = False, timeout: float = CALL_TIMEOUT
    ) -> None:
        self._address = address
        self._system = system
        self.timeout = timeout  # seconds a call waits for its reply
        self.conn: Any = None
        self.on_connect: Callable[[Any], None] | None = None  # e.g. subscribe to signals again

    def connect(self) -> Any:
        if self.conn is not None:
            return self.conn
        address = self._address or (system_bus_address() if self._system else session_bus_address())
        if not address:
            which = "system" if self._system else "session"
            hint = "" if self._system else " (DBUS_SESSION_BUS_ADDRESS is not set)"
            raise BusError(f"no {which} bus{hint}")
        try:
            from jeepney.io.blocking import open_dbus_connection  # noqa: PLC0415
        except ImportError as error:
            raise BusError("the jeepney package is not installed") from error
        try:
            self.conn = open_dbus_connection(address, auth_timeout=min(CALL_TIMEOUT, self.timeout))
        except (OSError, TimeoutError, RuntimeError, ValueError) as error:
            raise BusError(f"cannot connect to the bus: {error}") from error
        if self.on_connect:
            try:
                self.on_connect(self.conn)
            except BusError:
                self.disconnect()
                raise
        return self.conn

    def disconnect(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.close()
            self.conn = None

    def call(
        self,
        destination: str,
        path: str,
        interface: str,
        method: str,
        *,
        signature: str = "",
        args: tuple[Any, ...] = (),
        timeout: float | None = None,
    ) -> tuple[Any, ...]:
        """One method call; any failure closes the connection and raises BusError.
        ``timeout``: seconds to wait for this reply, if not the connection's own."""
        from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call  # noqa: PLC0415

        conn = self.connect()
        target = DBusAddress(path, bus_name=destination, interface=interface)
        message = new_method_call(target, method, signature or None, args)
        try:
            reply = conn.send_and_get_reply(message, timeout=timeout or self.timeout)
        except (OSError, TimeoutError, ConnectionError) as error:
            self.disconnect()
            raise BusError(f"{method} failed: {error or type(error).__name__}") from error
        if reply.header.message_type == MessageType.error:
            detail = reply.body[0] if reply.body else ""
            error_name = reply.header.fields.get(HeaderFields.error_name, "error")
            raise BusError(f"{method} failed: {error_name} {detail}".strip())
        return tuple(reply.body)

    def _bus_call(self, method: str, *args: str) -> tuple[Any, ...]:
        """A call to the message bus itself (org.freedesktop.DBus)."""
        name = "org.freedesktop.DBus"
        return self.call(
            name, "/org/freedesktop/DBus", name, method, signature="s" * len(args), args=args
        )

    def name_has_owner(self, name: str) -> bool:
        return bool(self._bus_call("NameHasOwner", name)[0])

    def activatable(self) -> list[str]:
        return list(self._bus_call("ListActivatableNames")[0])

    def subscribe(self, rule: str) -> None:
        """Ask the bus to send us the signals that match ``rule``."""
        self._bus_call("AddMatch", rule)

    def pending(self) -> list[Any]:
        """Messages that have arrived, without waiting (for a socket the loop saw readable)."""
        conn = self.connect()
        messages = []
        while True:
            try:
                messages.append(conn.receive(timeout=0))
            except TimeoutError:
                return messages
            except (OSError, ConnectionError) as error:
                self.disconnect()
                raise BusError(f"the bus connection closed: {error}") from error
