"""KDE Plasma's idle inhibitors: PowerDevil's PolicyAgent holds "ChangeScreenSettings"
(4: no dimming, no blanking) while a film plays or an application asks through
``org.freedesktop.ScreenSaver.Inhibit``; ``ListInhibitions`` names the applications.

``ListInhibitions`` lists every inhibition, suspend ones too, without their kind: the
first application it names is "who", which may be the one that blocks suspend.
"""

from __future__ import annotations

import time

from reminderd.bus import Bus
from reminderd.errors import IdleError
from reminderd.holds import _dbus
from reminderd.holds.port import Hold, HoldUnknown, SourceReason
from reminderd.i18n.said import said
from reminderd.idle import KDE_POLICY, KDE_POLICY_PATH, kde_idle_inhibited


class KdeInhibitions:
    """Screen inhibitions of KDE's power management, on the session bus."""

    name = "kde"
    reasons: frozenset[SourceReason] = frozenset({"inhibited"})
    spawns = False

    def __init__(self, bus: Bus | None = None) -> None:
        self.bus = bus or Bus()

    def start(self) -> None:
        """Nothing to start: the question is a D-Bus call in-process."""

    def answer(self, timeout: float) -> tuple[Hold, ...]:
        deadline = time.monotonic() + timeout
        try:
            if not kde_idle_inhibited(self.bus, timeout):
                return ()
        except IdleError as error:
            raise HoldUnknown(str(error)) from None
        return (
            Hold(
                "inhibited",
                self._who(deadline) or said("an application"),
                said("idle inhibited"),
                "kde",
            ),
        )

    def _who(self, deadline: float) -> str:
        left = deadline - time.monotonic()
        if left <= 0:
            return ""
        target = (KDE_POLICY, KDE_POLICY_PATH, KDE_POLICY)
        try:
            reply = _dbus.call(self.bus, self.name, target, "ListInhibitions", left)
            listed = _dbus.one(reply, list, "kde: ListInhibitions")
        except HoldUnknown:
            return ""
        for entry in listed:
            if isinstance(entry, tuple) and len(entry) == 2 and _dbus.text(entry[0]):
                return _dbus.text(entry[0])
        return ""
