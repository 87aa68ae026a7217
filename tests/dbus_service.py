"""What the test services on a private bus share (tests/notification_server.py,
tests/sni_watcher.py, tests/fake_services.py): connect and own their names, answer each
method call, refuse the unknown ones, and record what they received."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, MessageType, new_error, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

BUS = DBusAddress(
    "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
)


def own(address: str, *names: str) -> DBusConnection:
    """A connection to the bus at ``address`` that owns every one of ``names``."""
    conn = open_dbus_connection(address)
    for name in names:
        reply = conn.send_and_get_reply(new_method_call(BUS, "RequestName", "su", (name, 4)))
        if reply.body[0] != 1:
            conn.close()
            msg = f"could not own {name}: {reply.body}"
            raise SystemExit(msg)
    return conn


def serve(conn: DBusConnection, handle: Callable[[Any], None], running: Callable[[], bool]) -> int:
    """Answer method calls with ``handle`` while ``running()``; other messages are dropped."""
    while running():
        msg = conn.receive()
        if msg.header.message_type == MessageType.method_call:
            handle(msg)
    return 0


def unknown(conn: DBusConnection, msg: Any, what: str = "") -> None:
    """The error reply a service gives for a method it does not have."""
    body = (f"no {what}",) if what else ()
    conn.send(
        new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s" if body else None, body)
    )


class Record:
    """One JSON object per line, each with the wall and monotonic time it was written."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("a", buffering=1, encoding="utf-8")

    def __call__(self, entry: dict[str, Any]) -> None:
        entry["wall"] = time.time()
        entry["mono"] = time.monotonic()
        self.file.write(json.dumps(entry) + "\n")
