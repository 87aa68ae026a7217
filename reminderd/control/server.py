"""The daemon's side of the control channel (see ``control``): accepts clients in the
daemon's event loop, checks who they are, bounds what they send, and answers."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reminderd.control import (
    MAX_BACKLOG,
    MAX_CLIENTS,
    MAX_MESSAGE,
    PER_WAKE,
    PROTOCOL,
    REQUEST_TIMEOUT,
    SHARE,
)
from reminderd.errors import ControlError
from reminderd.i18n.said import gather, message, said

log = logging.getLogger("reminderd")

Handler = Callable[[dict[str, Any], "Client"], "dict[str, Any] | None"]


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end of a Unix socket (None if unknown)."""
    if hasattr(socket, "SO_PEERCRED"):
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return int(struct.unpack("3i", creds)[1])
    import ctypes  # noqa: PLC0415 - only where SO_PEERCRED is missing (macOS, BSDs)
    import ctypes.util  # noqa: PLC0415

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
        """Queue ``message``; the texts in it made with ``said`` travel beside it under
        "said", so that the command line can say them in its own language."""
        table = gather(message)
        if table:
            message = {**message, "said": table}
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
        self._turn_ends: float | None = None  # this turn's share of the loop, once begun

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
                client.send(self._error(said("too many clients; try again")))
                client.closing = True
            self.clients[sock.fileno()] = client
            self.watch(sock, bool(client.outbox))

    def ready(self, client: Client, readable: bool, writable: bool) -> None:
        """The loop saw ``client``'s socket ready: read its requests, send what waits for
        it. One bad client never takes the daemon down: it is dropped, and that is logged."""
        try:
            if readable:
                self.readable(client)
            if writable and client.sock.fileno() >= 0:
                self.flush(client)
        except Exception:
            log.exception("control: dropped a client after an unexpected error")
            self.drop(client)

    def readable(self, client: Client) -> None:
        if len(client.inbox) <= MAX_MESSAGE:  # else it waits until what it sent is served
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
        self._serve_some(client)

    def new_turn(self) -> None:
        """The loop is about to wait again: the next turn's share starts when it is used."""
        self._turn_ends = None

    def _serve_some(self, client: Client) -> None:
        """Answer the requests ``client`` has sent: one at least, then more while this
        turn's SHARE lasts, at most PER_WAKE. One that sends a thousand at once is answered
        over several turns of the loop, and the other clients, the panel and the routine
        on screen get theirs in between."""
        if self._turn_ends is None:
            self._turn_ends = self.clock() + SHARE
        served = 0
        while b"\n" in client.inbox and not client.closing and served < PER_WAKE:
            if served and self.clock() >= self._turn_ends:
                break
            line, client.inbox = client.inbox.split(b"\n", 1)
            self._serve(client, line)
            served += 1
        if len(client.inbox) > MAX_MESSAGE and b"\n" not in client.inbox:
            client.inbox = b""
            client.send(self._error(f"message longer than {MAX_MESSAGE} bytes"))
            client.closing = True
        self.flush(client)

    def backlog(self) -> bool:
        """Whether a client has requests left over (the loop then does not sleep)."""
        return any(self._waiting(client) for client in self.clients.values())

    def catch_up(self) -> None:
        """The next few requests of every client that sent more than one turn answers."""
        for client in list(self.clients.values()):
            if self._waiting(client):
                self._serve_some(client)

    @staticmethod
    def _waiting(client: Client) -> bool:
        return b"\n" in client.inbox and not client.closing and not client.subscribed

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
                "control: dropped a client that fell %d bytes behind in reading its replies",
                len(client.outbox),
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

    def streams(self) -> int:
        """How many clients follow the event stream."""
        return sum(1 for client in self.clients.values() if client.subscribed)

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
            client.send(self._error(message(error)))
            return
        except Exception as error:  # a bug must not take the daemon down with it
            log.exception("control: %s failed", request.get("cmd"))
            client.send(self._error(said("internal error: {error}", error=str(error))))
            return
        if client.subscribed:
            client.deadline = None
        if reply is not None:
            client.send({"v": PROTOCOL, "ok": True, **reply})
        else:
            client.deadline = self.clock() + REQUEST_TIMEOUT
