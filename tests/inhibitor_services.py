"""Stand-ins for the desktops' idle-inhibitor services, on a private bus, for tests (no
gnome-session, PowerDevil or logind runs here; GNOME Shell alone does not own
org.gnome.SessionManager):

    python tests/inhibitor_services.py --address ADDR [--gnome] [--kde] [--logind] [--hostile]

Each keeps its inhibitors as the real service does and is driven the same way, by the
same calls an application makes: GNOME's ``Inhibit``/``Uninhibit`` (flags, 8 = idle),
KDE PolicyAgent's ``AddInhibition``/``ReleaseInhibition`` (types, 4 = screen), logind's
``Inhibit`` (what, who, why, mode), which hands back a file descriptor: the inhibitor
lasts until every copy of it is closed. ``--hostile`` answers every question with a value
of the wrong type, as a broken or malicious service on the bus could.
"""

from __future__ import annotations

import argparse
import os
import select
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jeepney import HeaderFields, new_method_return
from jeepney.io.blocking import open_dbus_connection

from tests.dbus_service import BUS, serve, unknown

GNOME = "org.gnome.SessionManager"
INHIBITOR = "org.gnome.SessionManager.Inhibitor"
KDE = "org.kde.Solid.PowerManagement.PolicyAgent"
LOGIND = "org.freedesktop.login1.Manager"
PROPERTIES = "org.freedesktop.DBus.Properties"


class Inhibitors:
    def __init__(self, conn: Any, hostile: bool) -> None:
        self.conn = conn
        self.hostile = hostile
        self.cookie = 0
        self.gnome: dict[int, tuple[str, int, str]] = {}  # cookie -> (app id, flags, reason)
        self.kde: dict[int, tuple[int, str, str]] = {}  # cookie -> (types, app, reason)
        self.logind: list[tuple[int, tuple[str, str, str, str, int, int]]] = []  # (fd, entry)

    def reply(self, msg: Any, signature: str, *body: Any) -> None:
        if self.hostile:  # the wrong type for every answer: a string where a number goes
            signature, body = ("s", ("nonsense",)) if signature != "s" else ("u", (7,))
        self.conn.send(new_method_return(msg, signature, body))

    def handle(self, msg: Any) -> None:
        fields = msg.header.fields
        member = fields.get(HeaderFields.member)
        interface = fields.get(HeaderFields.interface)
        path = fields.get(HeaderFields.path)
        if interface == PROPERTIES and tuple(msg.body) == (GNOME, "InhibitedActions"):
            flags = 0
            for _app, value, _reason in self.gnome.values():
                flags |= value
            self.reply(msg, "v", ("u", flags))
        elif interface == GNOME:
            self.gnome_call(msg, str(member))
        elif interface == INHIBITOR:
            cookie = int(str(path).rsplit("Inhibitor", 1)[-1] or 0)
            app, flags, reason = self.gnome.get(cookie, ("", 0, ""))
            if member == "GetAppId":
                self.reply(msg, "s", app)
            elif member == "GetFlags":
                self.reply(msg, "u", flags)
            else:
                self.reply(msg, "s", reason)
        elif interface == KDE:
            self.kde_call(msg, str(member))
        elif interface == LOGIND:
            self.logind_call(msg, str(member))
        else:
            unknown(self.conn, msg, str(member))

    def gnome_call(self, msg: Any, member: str) -> None:
        if member == "Inhibit":  # (app_id, toplevel_xid, reason, flags) -> cookie
            app, _xid, reason, flags = msg.body
            self.cookie += 1
            self.gnome[self.cookie] = (app, flags, reason)
            self.conn.send(new_method_return(msg, "u", (self.cookie,)))
        elif member == "Uninhibit":
            self.gnome.pop(msg.body[0], None)
            self.conn.send(new_method_return(msg))
        elif member == "GetInhibitors":
            paths = [f"/org/gnome/SessionManager/Inhibitor{c}" for c in self.gnome]
            self.reply(msg, "ao", paths)
        else:
            unknown(self.conn, msg, member)

    def kde_call(self, msg: Any, member: str) -> None:
        if member == "AddInhibition":  # (types, app name, reason) -> cookie
            types, app, reason = msg.body
            self.cookie += 1
            self.kde[self.cookie] = (types, app, reason)
            self.conn.send(new_method_return(msg, "u", (self.cookie,)))
        elif member == "ReleaseInhibition":
            self.kde.pop(msg.body[0], None)
            self.conn.send(new_method_return(msg))
        elif member == "HasInhibition":
            (types,) = msg.body
            self.reply(msg, "b", any(t & types for t, _a, _r in self.kde.values()))
        elif member == "ListInhibitions":
            self.reply(msg, "a(ss)", [(app, reason) for _t, app, reason in self.kde.values()])
        else:
            unknown(self.conn, msg, member)

    def logind_call(self, msg: Any, member: str) -> None:
        if member == "Inhibit":  # (what, who, why, mode) -> fd, held until closed
            what, who, why, mode = msg.body
            read, write = os.pipe()
            entry = (what, who, why, mode, os.getuid(), os.getpid())
            self.logind.append((read, entry))
            self.conn.send(new_method_return(msg, "h", (write,)))
            os.close(write)
        elif member == "ListInhibitors":
            self.logind = [(fd, entry) for fd, entry in self.logind if self._held(fd)]
            self.reply(msg, "a(ssssuu)", [entry for _fd, entry in self.logind])
        else:
            unknown(self.conn, msg, member)

    @staticmethod
    def _held(fd: int) -> bool:
        """An inhibitor lasts while its file descriptor is open somewhere (EOF: closed)."""
        readable, _, _ = select.select([fd], [], [], 0)
        if readable and not os.read(fd, 1):
            os.close(fd)
            return False
        return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", required=True)
    parser.add_argument("--gnome", action="store_true")
    parser.add_argument("--kde", action="store_true")
    parser.add_argument("--logind", action="store_true")
    parser.add_argument("--hostile", action="store_true")
    args = parser.parse_args(argv)
    names = ["org.gnome.SessionManager"] if args.gnome else []
    names += [KDE] if args.kde else []
    names += ["org.freedesktop.login1"] if args.logind else []
    conn = open_dbus_connection(args.address, enable_fds=True)
    from jeepney import new_method_call

    for name in names:
        conn.send_and_get_reply(new_method_call(BUS, "RequestName", "su", (name, 4)))
    print("ready", flush=True)
    service = Inhibitors(conn, args.hostile)
    return serve(conn, service.handle, lambda: True)


if __name__ == "__main__":
    sys.exit(main())
