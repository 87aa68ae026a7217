"""D-Bus plumbing shared by notifications, idle sources, the panel and the sleep watcher
(jeepney).

Every other program of the user (and, on the system bus, of every user) can send the daemon
anything: calls with any arguments, signals claiming to be someone else's, replies of any
shape, messages of any size. So messages are read here and nowhere else, a bounded number
at a time (``Bus.take``), one too large to be a real one is never parsed, replies are
checked against the signature they must have (``Bus.call(returns=...)``), and a method call
is answered through one guard (``Bus.answer``) that turns whatever its handler raises into
a D-Bus error reply.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from reminderd.errors import ReminderError

log = logging.getLogger("reminderd")

CALL_TIMEOUT = 2.0
# The largest message read whole: the panel's and the servers' messages are a few
# kilobytes. A larger one is skipped unread (a session bus lets through up to 1 GB).
MAX_MESSAGE = 64 * 1024
MAX_HEADER = 4096  # bytes of header read from a message that is too large, to answer it
MAX_HELD = 256  # messages kept that arrived while a call waited for its reply
READ_SIZE = 65536

INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"
UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod"
UNKNOWN_PROPERTY = "org.freedesktop.DBus.Error.UnknownProperty"
LIMITS_EXCEEDED = "org.freedesktop.DBus.Error.LimitsExceeded"
FAILED = "org.freedesktop.DBus.Error.Failed"
DBUS = "org.freedesktop.DBus"


class BusError(ReminderError):
    """A D-Bus connection or call failed."""


class CallError(BusError):
    """A method call refused with the D-Bus error ``name`` (InvalidArgs, UnknownMethod...)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


@contextlib.contextmanager
def guarded(what: str) -> Iterator[None]:
    """Around the handling of one incoming message: whatever goes wrong is logged, and the
    loop goes on to the next message."""
    try:
        yield
    except Exception:
        log.exception("D-Bus: %s failed", what)


class Once:
    """Which things were seen already, to say each only once (an ignored sender, say); at
    most ``limit`` remembered: one that makes a thousand connections is then not logged."""

    def __init__(self, limit: int = 100) -> None:
        self._seen: set[str] = set()
        self._limit = limit

    def first(self, key: str) -> bool:
        if key in self._seen or len(self._seen) >= self._limit:
            return False
        self._seen.add(key)
        return True


class TooLarge:
    """Stands in for a message larger than MAX_MESSAGE: its header, never its body."""

    def __init__(self, header: Any, size: int) -> None:
        self.header = header
        self.body: tuple[Any, ...] = ()
        self.size = size


def header_field(message: Any, name: str) -> Any:
    """A header field of ``message`` by name (sender, member, signature ...), or None."""
    from jeepney import HeaderFields  # noqa: PLC0415

    return message.header.fields.get(HeaderFields[name])


def signature_of(message: Any) -> str:
    return str(header_field(message, "signature") or "")


def expect(message: Any, wanted: str) -> tuple[Any, ...]:
    """The body of a method call whose signature must be ``wanted``; InvalidArgs if not."""
    got = signature_of(message)
    if got != wanted:
        member = header_field(message, "member")
        msg = f"{member} takes ({wanted}), not ({got})"
        raise CallError(INVALID_ARGS, msg)
    return tuple(message.body)


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
        # Messages that arrived while a call waited for its reply, for the next ``take``.
        self._held: deque[Any] = deque(maxlen=MAX_HELD)
        self._skip = 0  # bytes of a message too large to read that are still to be dropped

    @property
    def unique_name(self) -> str | None:
        return str(self.conn.unique_name) if self.conn is not None else None

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
        self._held.clear()
        self._skip = 0
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

    def fileno(self) -> int | None:
        """The connection's socket, for the daemon's loop; None while not connected."""
        return int(self.conn.sock.fileno()) if self.conn is not None else None

    def sock(self) -> socket.socket | None:
        """The connection's socket itself (None while not connected): a connection made
        again is a new socket even where the kernel gave it the old one's number."""
        return self.conn.sock if self.conn is not None else None

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
        returns: str | None = None,
    ) -> tuple[Any, ...]:
        """One method call; any failure closes the connection and raises BusError.
        ``timeout``: seconds to wait for this reply, if not the connection's own. With
        ``returns``, a reply of another signature is a BusError too (the connection stays)."""
        from jeepney import DBusAddress, MessageType, new_method_call  # noqa: PLC0415

        conn = self.connect()
        target = DBusAddress(path, bus_name=destination, interface=interface)
        message = new_method_call(target, method, signature or None, args)
        try:
            reply = self._call(conn, message, time.monotonic() + (timeout or self.timeout))
        except (OSError, TimeoutError, ConnectionError, ValueError) as error:
            self.disconnect()
            raise BusError(f"{method} failed: {error or type(error).__name__}") from error
        if isinstance(reply, TooLarge):
            raise BusError(f"{method} answered with {reply.size} bytes (at most {MAX_MESSAGE})")
        if reply.header.message_type == MessageType.error:
            detail = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
            error_name = header_field(reply, "error_name") or "error"
            raise BusError(f"{method} failed: {error_name} {detail[:200]}".strip())
        if returns is not None and (got := signature_of(reply)) != returns:
            msg = f"{method} answered ({got}) where ({returns}) was expected"
            raise BusError(msg)
        return tuple(reply.body)

    def _call(self, conn: Any, message: Any, deadline: float) -> Any:
        """Send ``message`` and wait for its reply; what else arrives meanwhile is held for
        ``take``. TimeoutError if no reply comes by ``deadline`` (monotonic)."""
        serial = next(conn.outgoing_serial)
        conn.send(message, serial=serial)
        while True:
            parsed = self._parse(conn)
            for position, incoming in enumerate(parsed):
                if header_field(incoming, "reply_serial") == serial:
                    self._held.extend(parsed[position + 1 :])  # read with it: kept too
                    return incoming
                self._held.append(incoming)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            readable, _, _ = select.select([conn.sock], [], [], left)
            if readable:
                self._read(conn)

    def _bus_call(self, method: str, *args: str, returns: str | None = None) -> tuple[Any, ...]:
        """A call to the message bus itself (org.freedesktop.DBus)."""
        return self.call(
            DBUS,
            "/org/freedesktop/DBus",
            DBUS,
            method,
            signature="s" * len(args),
            args=args,
            returns=returns,
        )

    def name_has_owner(self, name: str) -> bool:
        return bool(self._bus_call("NameHasOwner", name, returns="b")[0])

    def name_owner(self, name: str) -> str | None:
        """The unique name (":1.42") of the connection that owns ``name``, or None."""
        try:
            (owner,) = self._bus_call("GetNameOwner", name, returns="s")
        except BusError as error:
            if "NameHasNoOwner" in str(error):
                return None
            raise
        return str(owner)

    def activatable(self) -> list[str]:
        return list(self._bus_call("ListActivatableNames", returns="as")[0])

    def subscribe(self, rule: str) -> None:
        """Ask the bus to send us the signals that match ``rule``."""
        self._bus_call("AddMatch", rule)

    def unsubscribe(self, rule: str) -> None:
        with contextlib.suppress(BusError):
            self._bus_call("RemoveMatch", rule)

    def take(self, limit: int) -> tuple[list[Any], bool]:
        """Up to ``limit`` messages that have arrived, without waiting, and whether more may
        be waiting (the loop then comes back before it sleeps): so that no flood on one
        connection keeps the loop from the others. A message larger than MAX_MESSAGE comes
        as a TooLarge, its body never read."""
        conn = self.connect()
        messages: list[Any] = []
        while self._held and len(messages) < limit:
            messages.append(self._held.popleft())
        try:
            while len(messages) < limit:
                parsed = self._parse(conn, limit - len(messages))
                if parsed:
                    messages += parsed
                    continue
                if not self._read(conn, wait=False):
                    return messages, False
        except Exception as error:  # a stream that cannot be read on is closed, not retried
            self.disconnect()
            raise BusError(f"the bus connection closed: {error!r}") from error
        return messages, True

    @property
    def holding(self) -> bool:
        """Whether messages wait here that arrived during a call (the loop must take them
        without waiting on the socket, which they were already read from)."""
        return bool(self._held)

    def _read(self, conn: Any, wait: bool = True) -> bool:
        """Read what the socket has (at most READ_SIZE bytes) into the parser, dropping the
        rest of a message too large to read; False if nothing was there (``wait=False``)."""
        try:
            data = conn.sock.recv(READ_SIZE, 0 if wait else socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return False
        if not data:
            raise ConnectionResetError("the bus closed the connection")
        if self._skip:
            dropped = min(self._skip, len(data))
            self._skip -= dropped
            data = data[dropped:]
        if data:
            conn.parser.add_data(data)
        return True

    def _parse(self, conn: Any, limit: int = MAX_HELD) -> list[Any]:
        """The whole messages in the parser's buffer, at most ``limit``."""
        from jeepney import MessageType  # noqa: PLC0415

        parsed: list[Any] = []
        while len(parsed) < limit:
            message = self._next(conn.parser)
            if message is None:
                break
            if isinstance(message, TooLarge) and not (
                message.header.message_type == MessageType.method_call
                or header_field(message, "reply_serial") is not None
            ):
                continue  # a signal too large to read: nothing to answer, nothing to use
            parsed.append(message)
        return parsed

    def _next(self, parser: Any) -> Any:
        """The next whole message in ``parser``'s buffer, a TooLarge for one larger than
        MAX_MESSAGE (whose bytes are then dropped as they come), or None."""
        from jeepney.low_level import Header, calc_msg_size  # noqa: PLC0415

        # jeepney's Parser keeps what was read in ``buf`` (a BufferPipe) and the size of
        # the message it waits for in ``next_msg_size``; tests/test_bus_bounds.py holds
        # this to them.
        buffer = parser.buf
        if self._skip:
            dropped = min(self._skip, buffer.bytes_buffered)
            if dropped:
                buffer.read(dropped)
            self._skip -= dropped
            if self._skip:
                return None
        if buffer.bytes_buffered < 16:
            return None
        size = calc_msg_size(buffer.peek(16))
        if size <= MAX_MESSAGE:
            return parser.get_next_message()
        parser.next_msg_size = None
        fields_length = int.from_bytes(
            buffer.peek(16)[12:16], "little" if buffer.peek(1) == b"l" else "big"
        )
        header_length = 16 + fields_length
        if header_length > MAX_HEADER:  # not even its header is read: dropped unanswered
            self._skip = size
            return self._next(parser)
        if buffer.bytes_buffered < header_length:
            return None
        header, _ = Header.from_buffer(buffer.peek(header_length))
        self._skip = size
        self._next(parser)  # drops what of it is buffered already
        return TooLarge(header, size)

    def answer(self, message: Any, handler: Callable[[Any], tuple[str, tuple[Any, ...]]]) -> None:
        """Answer the method call ``message`` with ``handler(message)``'s (signature, body).
        The one guard between the bus and a handler: a CallError becomes its D-Bus error, any
        other exception an org.freedesktop.DBus.Error.Failed (and a log line), a message too
        large to read a LimitsExceeded. Nothing it raises reaches the loop."""
        from jeepney import MessageFlag, new_method_return  # noqa: PLC0415

        conn = self.conn
        if conn is None:
            return
        try:
            if isinstance(message, TooLarge):
                msg = f"a call of {message.size} bytes (at most {MAX_MESSAGE})"
                raise CallError(LIMITS_EXCEEDED, msg)
            reply_signature, body = handler(message)
            reply = new_method_return(message, reply_signature or None, body)
            data = reply.serialise(serial=next(conn.outgoing_serial))
        except CallError as error:
            data = self._error(conn, message, error.name, str(error))
        except Exception:  # a bug in a handler: the caller is told, the daemon goes on
            log.exception("D-Bus: %s failed", header_field(message, "member"))
            data = self._error(conn, message, FAILED, "internal error")
        if message.header.flags & MessageFlag.no_reply_expected:
            return
        with contextlib.suppress(OSError):
            conn.sock.sendall(data)

    @staticmethod
    def _error(conn: Any, message: Any, name: str, text: str) -> bytes:
        from jeepney import new_error  # noqa: PLC0415

        error = new_error(message, name, "s", (text[:500],))
        return bytes(error.serialise(serial=next(conn.outgoing_serial)))
