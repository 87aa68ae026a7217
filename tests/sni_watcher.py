"""A StatusNotifierWatcher for tests: owns org.kde.StatusNotifierWatcher on a private bus
and records every item that registers, one JSON object per line.

    python tests/sni_watcher.py --address unix:path=... --record watcher.jsonl [--no-host]

It answers RegisterStatusNotifierItem and RegisterStatusNotifierHost, serves the watcher's
properties, and emits StatusNotifierItemRegistered, as the watcher of a panel does. With
--no-host it starts as a watcher whose panel has not come yet: IsStatusNotifierHostRegistered
is false until a RegisterStatusNotifierHost, which emits StatusNotifierHostRegistered.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

# Run as a script (python tests/NAME.py): the repository root is not on the path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jeepney import DBusAddress, HeaderFields, new_method_return, new_signal

from tests.dbus_service import Record, own, serve, unknown

NAME = "org.kde.StatusNotifierWatcher"
PATH = "/StatusNotifierWatcher"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", required=True)
    parser.add_argument("--record", required=True, type=Path)
    parser.add_argument("--no-host", action="store_true")
    args = parser.parse_args(argv)
    hosts = 0 if args.no_host else 1
    conn = own(args.address, NAME)
    log = Record(args.record)
    items: list[str] = []
    log({"method": "ready"})

    def handle(msg: Any) -> None:
        nonlocal hosts
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
            hosts += 1
            conn.send(new_method_return(msg))
            emitter = DBusAddress(PATH, interface=NAME)
            conn.send(new_signal(emitter, "StatusNotifierHostRegistered"))
            log({"method": "RegisterStatusNotifierHost", "sender": sender})
        elif member in ("Get", "GetAll"):
            props = {
                "RegisteredStatusNotifierItems": ("as", items),
                "IsStatusNotifierHostRegistered": ("b", hosts > 0),
                "ProtocolVersion": ("i", 0),
            }
            if member == "GetAll":
                conn.send(new_method_return(msg, "a{sv}", (props,)))
            else:
                conn.send(new_method_return(msg, "v", (props[msg.body[1]],)))
        else:
            unknown(conn, msg, str(member))

    return serve(conn, handle, lambda: True)


if __name__ == "__main__":
    sys.exit(main())
