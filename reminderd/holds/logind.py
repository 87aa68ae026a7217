"""logind's idle inhibitors, on the system bus: ``ListInhibitors`` entries whose ``what``
has ``idle`` and whose mode is ``block``, taken by this user (``systemd-inhibit
--what=idle``, and the desktops that pass their inhibitors on to logind)."""

from __future__ import annotations

import os

from reminderd.bus import Bus
from reminderd.holds import _dbus
from reminderd.holds.port import Hold, SourceReason
from reminderd.i18n.said import said

LOGIND = ("org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager")
FIELDS = (str, str, str, str, int, int)  # what, who, why, mode, uid, pid


class LogindInhibitors:
    """Idle inhibitors held by this user in logind."""

    name = "logind"
    reasons: frozenset[SourceReason] = frozenset({"inhibited"})
    spawns = False

    def __init__(self, bus: Bus | None = None, uid: int | None = None) -> None:
        self.bus = bus or Bus(system=True)
        self.uid = os.getuid() if uid is None else uid

    def start(self) -> None:
        """Nothing to start: the question is a D-Bus call in-process."""

    def answer(self, timeout: float) -> tuple[Hold, ...]:
        reply = _dbus.call(self.bus, self.name, LOGIND, "ListInhibitors", timeout)
        listed = _dbus.one(reply, list, "logind: ListInhibitors")
        found = []
        for entry in listed:
            if not _well_formed(entry):
                continue  # one odd entry does not hide the others
            what, who, why, mode, uid, _pid = entry
            if "idle" in what.split(":") and mode == "block" and uid == self.uid:
                detail = (
                    said("idle inhibited ({why})", why=_dbus.text(why))
                    if _dbus.text(why)
                    else said("idle inhibited")
                )
                program = _dbus.text(who) or said("a program")
                found.append(Hold("inhibited", program, detail, self.name))
        return tuple(found)


def _well_formed(entry: object) -> bool:
    return (
        isinstance(entry, tuple)
        and len(entry) == len(FIELDS)
        and all(
            isinstance(v, t) and not isinstance(v, bool) for v, t in zip(entry, FIELDS, strict=True)
        )
    )
