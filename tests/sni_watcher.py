"""A StatusNotifierWatcher for tests: owns org.kde.StatusNotifierWatcher on a private bus
and records every item that registers, one JSON object per line.

    python tests/sni_watcher.py --address unix:path=... --record watcher.jsonl

It answers RegisterStatusNotifierItem and RegisterStatusNotifierHost, serves the watcher's
properties, and emits StatusNotifierItemRegistered, as the watcher of a panel does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
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
from jeepney.io.blocking import open_dbus_connection

NAME = "org.kde.StatusNotifierWatcher"
PATH = "/StatusNotifierWatcher"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", required=True)
    parser.add_argument("--record", required=True, type=Path)
    args = parser.parse_args(argv)
    conn = open_dbus_connection(args.address)
    bus = DBusAddress(
        "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
    )
    reply = conn.send_and_get_reply(new_method_call(bus, "RequestName", "su", (NAME, 4)))
    if reply.body[0] != 1:
        print(f"could not own {NAME}: {reply.body}", file=sys.stderr)
        return 1
    record = args.record.open("a", buffering=1, encoding="utf-8")

    def log(entry: dict[str, Any]) -> None:
        record.write(json.dumps(entry) + "\n")

    items: list[str] = []
    log({"method": "ready"})
    while True:
        msg = conn.receive()
        if msg.header.message_type != MessageType.method_call:
            continue
        fields = msg.header.fields
        member = fields.get(HeaderFields.member)
        sender = fields.get(HeaderFields.sender, "")
        if member == "RegisterStatusNotifierItem":
            service = str(msg.body[0])
            # A bus name registers at the item's usual path; a path registers on the sender.
            item = f"{service}/StatusNotifierItem" if not service.startswith("/") else ""
            item = item or f"{sender}{service}"
            items.append(item)
            conn.send(new_method_return(msg))
            emitter = DBusAddress(PATH, interface=NAME)
            conn.send(new_signal(emitter, "StatusNotifierItemRegistered", "s", (item,)))
            log({"method": "RegisterStatusNotifierItem", "service": service, "sender": sender})
        elif member == "RegisterStatusNotifierHost":
            conn.send(new_method_return(msg))
        elif member in ("Get", "GetAll"):
            props = {
                "RegisteredStatusNotifierItems": ("as", items),
                "IsStatusNotifierHostRegistered": ("b", True),
                "ProtocolVersion": ("i", 0),
            }
            if member == "GetAll":
                conn.send(new_method_return(msg, "a{sv}", (props,)))
            else:
                conn.send(new_method_return(msg, "v", (props[msg.body[1]],)))
        else:
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod"))


if __name__ == "__main__":
    sys.exit(main())
