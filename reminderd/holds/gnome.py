"""GNOME's idle inhibitors: ``org.gnome.SessionManager``'s ``InhibitedActions`` has the
idle flag (8) while a film plays in Totem or a browser, or a call runs in a client that
asks; who is the ``GetAppId`` of the first inhibitor whose flags have it."""

from __future__ import annotations

import time

from reminderd.bus import Bus
from reminderd.errors import IdleError
from reminderd.holds import _dbus
from reminderd.holds.port import Hold, HoldUnknown, SourceReason
from reminderd.i18n.said import said
from reminderd.idle import (
    GNOME_INHIBIT_IDLE,
    GNOME_SESSION,
    GNOME_SESSION_PATH,
    gnome_idle_inhibited,
)

INHIBITOR = "org.gnome.SessionManager.Inhibitor"
MAX_INHIBITORS = 16  # looked at for a name; more would not fit the bound anyway


class GnomeInhibitors:
    """Idle inhibitors of the GNOME session, on the session bus."""

    name = "gnome"
    reasons: frozenset[SourceReason] = frozenset({"inhibited"})
    spawns = False

    def __init__(self, bus: Bus | None = None) -> None:
        self.bus = bus or Bus()

    def start(self) -> None:
        """Nothing to start: the question is a D-Bus call in-process."""

    def answer(self, timeout: float) -> tuple[Hold, ...]:
        deadline = time.monotonic() + timeout
        try:
            if not gnome_idle_inhibited(self.bus, timeout):
                return ()
        except IdleError as error:
            raise HoldUnknown(str(error)) from None
        who = self._who(deadline)
        who = who or said("an application")
        return (Hold("inhibited", who, said("idle inhibited"), self.name),)

    def _who(self, deadline: float) -> str:
        """The first idle inhibitor's application; "" if none can be named in time."""
        session = (GNOME_SESSION, GNOME_SESSION_PATH, GNOME_SESSION)
        try:
            reply = _dbus.call(self.bus, self.name, session, "GetInhibitors", _left(deadline))
            paths = _dbus.one(reply, list, "gnome: GetInhibitors")
            for path in paths[:MAX_INHIBITORS]:
                if not isinstance(path, str) or not path.startswith("/"):
                    continue
                target = (GNOME_SESSION, path, INHIBITOR)
                flags = _dbus.call(self.bus, self.name, target, "GetFlags", _left(deadline))
                if not _dbus.one(flags, int, "gnome: GetFlags") & GNOME_INHIBIT_IDLE:
                    continue
                app = _dbus.call(self.bus, self.name, target, "GetAppId", _left(deadline))
                return _dbus.text(_dbus.one(app, str, "gnome: GetAppId"))
        except HoldUnknown:
            return ""  # it is inhibited; only the name is unknown
        return ""


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise HoldUnknown("gnome: out of time")
    return left
