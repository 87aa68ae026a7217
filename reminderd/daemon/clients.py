"""The control socket in the daemon's loop: new clients accepted when the socket is
readable, each client watched for its requests and, while it has replies waiting, for
room to write them."""

from __future__ import annotations

import logging
import selectors
import socket
from pathlib import Path

from reminderd.control.server import Client, Handler, Server
from reminderd.daemon.loop import Loop
from reminderd.paths import control_supported

log = logging.getLogger("reminderd")


def control_server(path: Path, handle: Handler, loop: Loop) -> Server | None:
    """The control socket at ``path``, served in ``loop``; None where the system has no
    Unix sockets to offer (said once, in the log)."""
    if not control_supported():
        log.warning("no control socket on this system: status, pause and snooze are unavailable")
        return None
    server = Server(path, handle)
    serve_in(loop, server)
    return server


def serve_in(loop: Loop, server: Server) -> None:
    """Hand ``server``'s sockets to ``loop``: nothing of it waits or polls."""

    def watch(sock: socket.socket, write: bool) -> None:
        client = server.clients.get(sock.fileno())
        if client is None:
            return

        def ready(mask: int, client: Client = client) -> None:
            server.ready(
                client, bool(mask & selectors.EVENT_READ), bool(mask & selectors.EVENT_WRITE)
            )

        loop.watch(sock, ready, write)

    server.watch = watch
    server.unwatch = loop.remove
    loop.watch(server.listener, lambda _mask: server.accept())
