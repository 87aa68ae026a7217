"""A notification server for tests: owns org.freedesktop.Notifications on a private bus
and records every call it receives, one JSON object per line.

    python tests/notification_server.py --address unix:path=... --record calls.jsonl

It answers like a real server (ids, capabilities, server information, the Inhibited
property) and, through the extra interface ``org.reminderd.Test``, can be told to emit
ActionInvoked or NotificationClosed, to change Inhibited, or to quit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

# Run as a script (python tests/NAME.py): the repository root is not on the path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jeepney import DBusAddress, HeaderFields, new_error, new_method_return, new_signal

from tests.dbus_service import Record, own, serve

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
TEST_INTERFACE = "org.reminderd.Test"


class Server:
    def __init__(self, conn: Any, record: Path, capabilities: list[str]) -> None:
        self.conn = conn
        self.log = Record(record)
        self.capabilities = capabilities
        self.next_id = 1
        self.open: set[int] = set()
        self.inhibited = False
        self.running = True

    def signal(
        self, member: str, signature: str, body: tuple[Any, ...], interface: str = NAME
    ) -> None:
        emitter = DBusAddress(PATH, interface=interface)
        self.conn.send(new_signal(emitter, member, signature, body))

    def handle(self, msg: Any) -> None:
        fields = msg.header.fields
        member = fields.get(HeaderFields.member)
        interface = fields.get(HeaderFields.interface)
        body = msg.body
        if interface == TEST_INTERFACE:
            self.handle_test(msg, member, body)
            return
        if member == "Notify":
            app, replaces, icon, summary, text, actions, hints, expire = body
            notification_id = replaces if replaces in self.open else self.next_id
            if notification_id == self.next_id:
                self.next_id += 1
            self.open.add(notification_id)
            self.log(
                {
                    "method": "Notify",
                    "id": notification_id,
                    "app_name": app,
                    "replaces_id": replaces,
                    "icon": icon,
                    "summary": summary,
                    "body": text,
                    "actions": list(actions),
                    "hints": {k: v[1] for k, v in hints.items()},
                    "expire_timeout": expire,
                }
            )
            self.conn.send(new_method_return(msg, "u", (notification_id,)))
        elif member == "CloseNotification":
            (notification_id,) = body
            self.log({"method": "CloseNotification", "id": notification_id})
            self.conn.send(new_method_return(msg))
            if notification_id in self.open:
                self.open.discard(notification_id)
                self.signal("NotificationClosed", "uu", (notification_id, 3))
        elif member == "GetCapabilities":
            self.conn.send(new_method_return(msg, "as", (self.capabilities,)))
        elif member == "GetServerInformation":
            self.conn.send(
                new_method_return(msg, "ssss", ("recorder", "reminderd tests", "1.0", "1.2"))
            )
        elif member == "Get" and body == (NAME, "Inhibited"):
            self.conn.send(new_method_return(msg, "v", (("b", self.inhibited),)))
        else:
            self.conn.send(
                new_error(
                    msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (f"no method {member}",)
                )
            )

    def handle_test(self, msg: Any, member: str, body: tuple[Any, ...]) -> None:
        if member == "InvokeAction":
            notification_id, key = body
            self.log({"method": "test.InvokeAction", "id": notification_id, "key": key})
            self.signal("ActionInvoked", "us", (notification_id, key))
        elif member == "Dismiss":
            (notification_id,) = body
            self.open.discard(notification_id)
            self.log({"method": "test.Dismiss", "id": notification_id})
            self.signal("NotificationClosed", "uu", (notification_id, 2))
        elif member == "SetInhibited":
            (self.inhibited,) = body
            self.log({"method": "test.SetInhibited", "value": self.inhibited})
            self.signal(
                "PropertiesChanged",
                "sa{sv}as",
                (NAME, {"Inhibited": ("b", self.inhibited)}, []),
                interface="org.freedesktop.DBus.Properties",
            )
        elif member == "Quit":
            self.running = False
        self.conn.send(new_method_return(msg))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", required=True)
    parser.add_argument("--record", required=True, type=Path)
    parser.add_argument("--capabilities", default="body,actions,persistence")
    args = parser.parse_args(argv)
    conn = own(args.address, NAME)
    server = Server(conn, args.record, [c for c in args.capabilities.split(",") if c])
    server.log({"method": "ready"})
    return serve(conn, server.handle, lambda: server.running)


if __name__ == "__main__":
    sys.exit(main())
