"""The control channel: a Unix socket in the user's runtime folder, one JSON object per line.

Request:  {"v": 1, "cmd": "pause", "seconds": 600}
Reply:    {"v": 1, "ok": true, ...}  or  {"v": 1, "ok": false, "error": "..."}

Only the user who runs the daemon can connect: the folder is 0700, the socket 0600, and
the peer's uid is checked (SO_PEERCRED on Linux, getpeereid on macOS and the BSDs).
Messages are bounded in size, a client that does not finish its request in time is
dropped, and a malformed request gets an error reply while the daemon carries on.
"""

from __future__ import annotations

import errno
import json
import socket
import sys

from reminderd.errors import ControlError, NotRunningError
from reminderd.i18n.said import restore, said

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `reminderd status` need not import typing
if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import Any

    from reminderd.contracts import DaemonStatus

PROTOCOL = 1
MAX_MESSAGE = 64 * 1024  # bytes in one request line
MAX_CLIENTS = 64
# Event streams stay open: at most half the clients may be streams, so that commands such
# as `stop` and `status` always find a place.
MAX_STREAMS = MAX_CLIENTS // 2
REQUEST_TIMEOUT = 5.0  # seconds a client has to send its whole request
MAX_BACKLOG = 256 * 1024  # bytes queued for an event-stream reader that does not read: dropped
# What one peer gets each time the loop wakes: at most PER_WAKE messages of one D-Bus
# connection, handled for at most SHARE seconds; and the control clients together at most
# SHARE seconds (each still gets one request a turn). A flood from one peer then delays
# the others by milliseconds, never by seconds.
PER_WAKE = 32
SHARE = 0.005
NOT_RUNNING = said("reminderd is not running (start it with `reminderd start`)")


def _connect(path: Path | str, timeout: float) -> socket.socket:
    if sys.platform == "win32" or not hasattr(socket, "AF_UNIX"):
        msg = said("controlling the daemon needs Unix sockets, which this system does not have")
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
            msg = said("permission denied on {path}: it belongs to another user", path=str(path))
            raise ControlError(msg) from None
        msg = said(
            "cannot reach the daemon at {path}: {error}",
            path=str(path),
            error=error.strerror or str(error),
        )
        raise ControlError(msg) from None
    return sock


def _read_line(sock: socket.socket, buffer: bytearray) -> bytes:
    while b"\n" not in buffer:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            msg = said("the daemon did not answer in time")
            raise ControlError(msg) from None
        if not chunk:
            msg = said("the daemon closed the connection without answering")
            raise ControlError(msg)
        buffer += chunk
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return line


def request(path: Path | str, cmd: str, timeout: float = 10.0, **args: Any) -> dict[str, Any]:
    """Send one command and return the reply; raise ControlError for an error reply."""
    with _connect(path, timeout) as sock:
        sock.sendall((json.dumps({"v": PROTOCOL, "cmd": cmd, **args}) + "\n").encode())
        reply = _restored(json.loads(_read_line(sock, bytearray())))
    if not reply.get("ok"):
        raise ControlError(reply.get("error") or said("the daemon refused"))
    return dict(reply)


def _restored(reply: Any) -> Any:
    """A reply whose texts made with ``said`` are ``Said`` again (reminderd.i18n.said):
    the command line says them in its language, and prints them in English unchanged."""
    if isinstance(reply, dict) and "said" in reply:
        table = reply.pop("said")
        if isinstance(table, dict):
            return restore(reply, table)
    return reply


def status(path: Path | str, timeout: float = 10.0) -> DaemonStatus:
    """The daemon's status reply, without the envelope's ``v`` and ``ok``."""
    reply = request(path, "status", timeout=timeout)
    reply.pop("v", None)
    reply.pop("ok", None)
    typed: DaemonStatus = reply  # type: ignore[assignment] # JSON the daemon built as one
    return typed


def stream(path: Path | str, cmd: str = "events", **args: Any) -> Iterator[dict[str, Any]]:
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
            message = _restored(json.loads(line))
            if message.get("ok") is False:
                raise ControlError(message.get("error") or said("the daemon refused"))
            yield message
