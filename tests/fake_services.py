"""Stand-ins for desktop services, on a private bus, for tests:

    python tests/fake_services.py --address ADDR --mutter --screensaver --logind

``--mutter`` owns org.gnome.Mutter.IdleMonitor, ``--screensaver`` org.freedesktop.ScreenSaver
(both answer the idle time), ``--logind`` org.freedesktop.login1 (emits PrepareForSleep), ``--swaync``
org.erikreider.swaync.cc (answers GetDnd and takes SetDnd, like SwayNotificationCenter).
The extra interface ``org.reminderd.Test`` at ``/`` sets the idle time (``SetIdle``, in
milliseconds) and emits ``PrepareForSleep`` (``Sleep``, a boolean).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

# Run as a script (python tests/NAME.py): the repository root is not on the path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jeepney import DBusAddress, HeaderFields, new_method_return, new_signal

from tests.dbus_service import own, serve, unknown


class Services:
    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.idle_since = time.monotonic()  # idle counts up from here
        self.running = True
        self.dnd = False

    def idle_ms(self) -> int:
        return int((time.monotonic() - self.idle_since) * 1000)

    def handle(self, msg: Any) -> None:
        fields = msg.header.fields
        member = fields.get(HeaderFields.member)
        interface = fields.get(HeaderFields.interface)
        if interface == "org.gnome.Mutter.IdleMonitor" and member == "GetIdletime":
            self.conn.send(new_method_return(msg, "t", (self.idle_ms(),)))
        elif interface == "org.freedesktop.ScreenSaver" and member == "GetSessionIdleTime":
            self.conn.send(new_method_return(msg, "u", (self.idle_ms(),)))
        elif interface == "org.erikreider.swaync.cc" and member == "GetDnd":
            self.conn.send(new_method_return(msg, "b", (self.dnd,)))
        elif interface == "org.erikreider.swaync.cc" and member == "SetDnd":
            (self.dnd,) = msg.body
            self.conn.send(new_method_return(msg))
        elif interface == "org.reminderd.Test" and member == "SetIdle":
            (milliseconds,) = msg.body
            self.idle_since = time.monotonic() - milliseconds / 1000
            self.conn.send(new_method_return(msg))
        elif interface == "org.reminderd.Test" and member == "Sleep":
            (going,) = msg.body
            emitter = DBusAddress(
                "/org/freedesktop/login1", interface="org.freedesktop.login1.Manager"
            )
            self.conn.send(new_signal(emitter, "PrepareForSleep", "b", (going,)))
            self.conn.send(new_method_return(msg))
        else:
            unknown(self.conn, msg, str(member))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", required=True)
    parser.add_argument("--mutter", action="store_true")
    parser.add_argument("--screensaver", action="store_true")
    parser.add_argument("--logind", action="store_true")
    parser.add_argument("--swaync", action="store_true")
    args = parser.parse_args(argv)
    names = ["org.reminderd.Test"]
    names += ["org.gnome.Mutter.IdleMonitor"] if args.mutter else []
    names += ["org.freedesktop.ScreenSaver"] if args.screensaver else []
    names += ["org.freedesktop.login1"] if args.logind else []
    names += ["org.erikreider.swaync.cc"] if args.swaync else []
    conn = own(args.address, *names)
    print("ready", flush=True)
    services = Services(conn)
    return serve(conn, services.handle, lambda: services.running)


if __name__ == "__main__":
    sys.exit(main())
