"""The control channel: a Unix socket in the user's runtime folder, one JSON object per line.

Request:  {"v": 1, "cmd": "pause", "seconds": 600}
Reply:    {"v": 1, "ok": true, ...}  or  {"v": 1, "ok": false, "error": "..."}

Only the user who runs the daemon can connect: the folder is 0700, the socket 0600, and
the peer's uid is checked (SO_PEERCRED on Linux, getpeereid on macOS and the BSDs).
Messages are bounded in size, a client that does not finish its request in time is
dropped, and a malformed request gets an error reply while the daemon carries on.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import logging
import os
import socket
import struct
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from reminderd.errors import ControlError, NotRunningError

log = logging.getLogger("reminderd")

PROTOCOL = 1
MAX_MESSAGE = 64 * 1024  # bytes in one request line
MAX_CLIENTS = 64
REQUEST_TIMEOUT = 5.0  # seconds a client has to send its whole request
MAX_BACKLOG = 1024 * 1024  # bytes queued for a slow event-stream reader before it is dropped
NOT_RUNNING = "reminderd is not running (start it with `reminderd start`)"

Handler = Callable[[dict[str, Any], "Client"], "dict[str, Any] | None"]


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end of a Unix socket (None if unknown)."""
    if hasattr(socket, "SO_PEERCRED"):
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return int(struct.unpack("3i", creds)[1])
    libc_name = ctypes.util.find_library("c")
    if libc_name:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        if hasattr(libc, "getpeereid"):
            uid, gid = ctypes.c_uint32(), ctypes.c_uint32()
            if libc.getpeereid(sock.fileno(), ctypes.byref(uid), ctypes.byref(gid)) == 0:
                return int(uid.value)
    return None


class Client:
    """One connection to the server: a bounded input buffer and an output queue."""

    def __init__(self, sock: socket.socket, now: float) -> None:
        self.sock = sock
        self.inbox = b""
        self.outbox = b""
        self.deadline: float | None = now + REQUEST_TIMEOUT
        self.subscribed = False  # an event stream: stays open, gets one line per event
        self.closing = False

    def send(self, message: dict[str, Any]) -> None:
        self.outbox += (json.dumps(message, separators=(",", ":")) + "\n").encode()


class Server:
    """Accepts and serves control clients inside the daemon's event loop."""

    def __init__(
        self, path: Path, handler: Handler, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.path = path
        self.handler = handler
        self.clock = clock
        self.clients: dict[int, Client] = {}
        self.listener = self._listen(path)
        self.uid = os.getuid()
        # register/unregister are set by the loop that owns the selector
        self.watch: Callable[[socket.socket, bool], None] = lambda _sock, _write: None
        self.unwatch: Callable[[socket.socket], None] = lambda _sock: None

    @staticmethod
    def _listen(path: Path) -> socket.socket:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # left by a daemon that was killed; we hold the lock, so it is stale
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            listener.bind(str(path))
        finally:
            os.umask(old_umask)
        path.chmod(0o600)
        listener.listen(128)
        listener.setblocking(False)
        return listener

    def close(self) -> None:
        for client in list(self.clients.values()):
            self.drop(client)
        self.listener.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    # -- events from the loop ---------------------------------------------------------------

    def accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:  # EMFILE and friends: try again on the next event
                log.warning("control: cannot accept a client: %s", error)
                return
            sock.setblocking(False)
            uid = peer_uid(sock)
            if uid is not None and uid != self.uid:
                log.warning("control: refused a client running as uid %s", uid)
                sock.close()
                continue
            client = Client(sock, self.clock())
            if len(self.clients) >= MAX_CLIENTS:
                client.send(self._error("too many clients; try again"))
                client.closing = True
            self.clients[sock.fileno()] = client
            self.watch(sock, bool(client.outbox))

    def readable(self, client: Client) -> None:
        try:
            data = client.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.drop(client)
            return
        if not data:
            self.drop(client)
            return
        if client.subscribed or client.closing:
            return  # nothing more is read from a stream or a client being closed
        client.inbox += data
        while b"\n" in client.inbox and not client.closing:
            line, client.inbox = client.inbox.split(b"\n", 1)
            self._serve(client, line)
        if len(client.inbox) > MAX_MESSAGE:
            client.inbox = b""
            client.send(self._error(f"message longer than {MAX_MESSAGE} bytes"))
            client.closing = True
        self.flush(client)

    def flush(self, client: Client) -> None:
        """Write what is queued; drop a client whose reader has fallen too far behind."""
        if client.outbox:
            try:
                sent = client.sock.send(client.outbox)
                client.outbox = client.outbox[sent:]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                self.drop(client)
                return
        if len(client.outbox) > MAX_BACKLOG:
            log.warning(
                "control: dropped an event reader that fell %d bytes behind", len(client.outbox)
            )
            self.drop(client)
            return
        if client.closing and not client.outbox:
            self.drop(client)
            return
        if client.sock.fileno() >= 0:
            self.watch(client.sock, bool(client.outbox))

    def drop(self, client: Client) -> None:
        fd = client.sock.fileno()
        if fd >= 0:
            self.unwatch(client.sock)
            self.clients.pop(fd, None)
        with contextlib.suppress(OSError):
            client.sock.close()

    def expire(self) -> None:
        """Drop clients that did not finish their request in time."""
        now = self.clock()
        for client in list(self.clients.values()):
            if client.deadline is not None and now >= client.deadline:
                self.drop(client)

    def next_deadline(self) -> float | None:
        deadlines = [c.deadline for c in self.clients.values() if c.deadline is not None]
        return min(deadlines) if deadlines else None

    def broadcast(self, message: dict[str, Any]) -> None:
        """Send ``message`` to every event-stream client."""
        for client in list(self.clients.values()):
            if client.subscribed:
                client.send(message)
                self.flush(client)

    # -- requests -------------------------------------------------------------------------

    @staticmethod
    def _error(message: str) -> dict[str, Any]:
        return {"v": PROTOCOL, "ok": False, "error": message}

    def _serve(self, client: Client, line: bytes) -> None:
        try:
            request = json.loads(line)
        except (UnicodeDecodeError, ValueError, RecursionError):
            client.send(self._error("not a JSON object"))
            return
        if not isinstance(request, dict) or not isinstance(request.get("cmd"), str):
            client.send(self._error('expected {"v": 1, "cmd": "..."}'))
            return
        if request.get("v", PROTOCOL) != PROTOCOL:
            client.send(self._error(f"protocol version {request.get('v')!r} is not {PROTOCOL}"))
            return
        try:
            reply = self.handler(request, client)
        except ControlError as error:
            client.send(self._error(str(error)))
            return
        except Exception as error:  # a bug must not take the daemon down with it
            log.exception("control: %s failed", request.get("cmd"))
            client.send(self._error(f"internal error: {error}"))
            return
        if client.subscribed:
            client.deadline = None
        if reply is not None:
            client.send({"v": PROTOCOL, "ok": True, **reply})
        else:
            client.deadline = self.clock() + REQUEST_TIMEOUT


# -- the client side ------------------------------------------------------------------------


def _connect(path: Path, timeout: float) -> socket.socket:
    if sys.platform == "win32" or not hasattr(socket, "AF_UNIX"):
        msg = "controlling the daemon needs Unix sockets, which this system does not have"
        raise ControlError(msg)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path))
    except OSError as error:
        sock.close()
        if error.errno in (errno.ENOENT, errno.ECONNREFUSED, errno.ENOTDIR):
            raise NotRunningError(NOT_RUNNING) from None
        if error.errno == errno.EACCES:
            msg = f"permission denied on {path}: it belongs to another user"
            raise ControlError(msg) from None
        msg = f"cannot reach the daemon at {path}: {error.strerror or error}"
        raise ControlError(msg) from None
    return sock


def _read_line(sock: socket.socket, buffer: bytearray) -> bytes:
    while b"\n" not in buffer:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            msg = "the daemon did not answer in time"
            raise ControlError(msg) from None
        if not chunk:
            msg = "the daemon closed the connection without answering"
            raise ControlError(msg)
        buffer += chunk
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return line


def request(path: Path, cmd: str, timeout: float = 10.0, **args: Any) -> dict[str, Any]:
    """Send one command and return the reply; raise ControlError for an error reply."""
    with _connect(path, timeout) as sock:
        sock.sendall((json.dumps({"v": PROTOCOL, "cmd": cmd, **args}) + "\n").encode())
        reply = json.loads(_read_line(sock, bytearray()))
    if not reply.get("ok"):
        raise ControlError(str(reply.get("error", "the daemon refused")))
    return dict(reply)


def stream(path: Path, cmd: str = "events", **args: Any) -> Iterator[dict[str, Any]]:
    """Send a streaming command and yield each message the daemon sends, until it closes."""
    with _connect(path, 10.0) as sock:
        sock.sendall((json.dumps({"v": PROTOCOL, "cmd": cmd, **args}) + "\n").encode())
        sock.settimeout(None)
        buffer = bytearray()
        while True:
            try:
                line = _read_line(sock, buffer)
            except ControlError:
                return
            message = json.loads(line)
            if message.get("ok") is False:
                raise ControlError(str(message.get("error")))
            yield message
