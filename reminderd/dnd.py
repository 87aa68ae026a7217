"""Do not disturb: is the desktop holding notifications back right now?

Each notification server keeps its own switch, so the source is chosen from the server's
name (GetServerInformation) and asked only when a reminder is due or a step begins, never
polled while the daemon idles:

* the freedesktop ``Inhibited`` property of org.freedesktop.Notifications (KDE Plasma);
* dunst: the ``paused`` property of ``org.dunstproject.cmd0`` (``dunstctl set-paused``);
* GNOME Shell: the ``show-banners`` key of ``org.gnome.desktop.notifications``, read with
  the ``gsettings`` command (GLib is never loaded into the daemon);
* mako: ``makoctl mode`` lists ``do-not-disturb``;
* swaync: the ``GetDnd`` method of ``org.erikreider.swaync.cc`` (``swaync-client -D``);
* XFCE: the ``/do-not-disturb`` property of the ``xfce4-notifyd`` channel (``xfconf-query``).
"""

from __future__ import annotations

import logging
from typing import Protocol

from reminderd.bus import Bus, BusError
from reminderd.errors import ReminderError
from reminderd.i18n.said import said
from reminderd.paths import on_path

log = logging.getLogger("reminderd")

NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
PROPERTIES = "org.freedesktop.DBus.Properties"
COMMAND_TIMEOUT = 1.0  # seconds a settings command may take before it counts as "unknown"


class DndError(ReminderError):
    """The do-not-disturb state cannot be read now."""


class DndSource(Protocol):
    """The port: whether the desktop is holding notifications back."""

    @property
    def name(self) -> str: ...

    def active(self) -> bool:
        """True while do-not-disturb is on; DndError when it cannot be told."""


class _Property:
    """A boolean D-Bus property of the notification server."""

    name = ""
    interface = ""
    member = ""
    on_when = True  # the property's value that means "do not disturb"

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    def active(self) -> bool:
        try:
            ((kind, flag),) = self._bus.call(
                NOTIFICATIONS,
                NOTIFICATIONS_PATH,
                PROPERTIES,
                "Get",
                signature="ss",
                args=(self.interface, self.member),
                returns="v",
            )
        except BusError as error:
            raise DndError(f"{self.name}: {error}") from None
        if kind != "b":  # a string "false" would be true: unknown, not on
            raise DndError(f"{self.name}: {self.member} is not a boolean but ({kind})")
        return bool(flag) == self.on_when


class FreedesktopInhibited(_Property):
    name = "freedesktop-inhibited"
    interface = NOTIFICATIONS
    member = "Inhibited"


class DunstPaused(_Property):
    name = "dunst-paused"
    interface = "org.dunstproject.cmd0"
    member = "paused"


class SwayncDnd:
    """SwayNotificationCenter answers its do-not-disturb state on its own bus name."""

    name = "swaync-dnd"
    destination = "org.erikreider.swaync.cc"
    path = "/org/erikreider/swaync/cc"

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    def active(self) -> bool:
        try:
            (on,) = self._bus.call(
                self.destination, self.path, self.destination, "GetDnd", returns="b"
            )
        except BusError as error:
            raise DndError(f"{self.name}: {error}") from None
        return bool(on)


class _Command:
    """A settings command whose output says whether do-not-disturb is on."""

    name = ""
    argv: tuple[str, ...] = ()

    def run(self) -> str:
        import subprocess  # noqa: PLC0415 - only on desktops whose switch is a command

        try:
            done = subprocess.run(
                list(self.argv),
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise DndError(f"{self.name}: {error}") from None
        if done.returncode != 0:
            raise DndError(f"{self.name}: {done.stderr.strip() or done.returncode}")
        return done.stdout.strip()


class GnomeBanners(_Command):
    """GNOME's do-not-disturb switch turns banners off: ``show-banners`` false."""

    name = "gnome-show-banners"
    argv = ("gsettings", "get", "org.gnome.desktop.notifications", "show-banners")

    def active(self) -> bool:
        return self.run() == "false"


class MakoMode(_Command):
    name = "mako-mode"
    argv = ("makoctl", "mode")

    def active(self) -> bool:
        return "do-not-disturb" in self.run().split()


class XfceDnd(_Command):
    name = "xfce-do-not-disturb"
    argv = ("xfconf-query", "-c", "xfce4-notifyd", "-p", "/do-not-disturb")

    def active(self) -> bool:
        return self.run().lower() == "true"


def choose(server: str, bus: Bus) -> tuple[DndSource, str]:
    """The do-not-disturb source for the notification server named ``server`` (the name
    its GetServerInformation gives), and why that one."""
    name = server.strip().lower()
    if name == "dunst":
        return DunstPaused(bus), said("dunst keeps its pause in org.dunstproject.cmd0")
    if name in ("gnome shell", "gnome-shell") and on_path("gsettings"):
        return GnomeBanners(), said("GNOME's do-not-disturb turns off show-banners")
    if name == "mako" and on_path("makoctl"):
        return MakoMode(), said("mako's do-not-disturb is a mode")
    if name == "swaynotificationcenter":
        return SwayncDnd(bus), said("swaync answers GetDnd on org.erikreider.swaync.cc")
    if name in ("xfce notify daemon", "xfce4-notifyd") and on_path("xfconf-query"):
        return XfceDnd(), said("xfce4-notifyd keeps it in xfconf")
    why = said("the freedesktop Inhibited property (KDE Plasma and others)")
    return FreedesktopInhibited(bus), why


class Watch:
    """Asks a source, logging once when it cannot tell (then notifications are let through)."""

    def __init__(self, source: DndSource | None, reason: str = "") -> None:
        self.source = source
        self.reason = reason
        self.last: bool | None = None  # at the last read; None: never read, or unknown
        self._error: str | None = None

    def active(self) -> bool:
        if self.source is None:
            return False
        try:
            on = self.source.active()
        except DndError as error:
            if str(error) != self._error:
                log.info("do-not-disturb state unknown (%s); reminders are not held", error)
                self._error = str(error)
            self.last = None
            return False
        self._error = None
        self.last = on
        return on
