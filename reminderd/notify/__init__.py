"""Notification backends behind one port: freedesktop (D-Bus), plyer (portable) and the
console, and the chooser that picks one for this desktop and says why.

One file per job: ``port`` (the Note, the Notifier protocol, the null notifier),
``freedesktop``, ``portable`` (plyer), ``console``, ``fallback`` (to the console while
the first fails), ``signals`` (the server's buttons and closings), ``buttons`` (what a
server's buttons need), ``choose``. Every name below is read from its module on first
use: a daemon whose desktop has a notification server never loads plyer's. (The chooser
itself is ``notify.choose.choose``: a module's name would hide a function of the same name.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reminderd.lazy import exports

if TYPE_CHECKING:
    from reminderd.notify.buttons import unreachable_buttons
    from reminderd.notify.choose import Choice
    from reminderd.notify.console import ConsoleNotifier
    from reminderd.notify.fallback import FallbackNotifier
    from reminderd.notify.freedesktop import BUS_NAME, FreedesktopNotifier, file_uri
    from reminderd.notify.port import APP_NAME, DONE_EXPIRY, Note, Notifier, NullNotifier
    from reminderd.notify.portable import PlyerNotifier
    from reminderd.notify.signals import NotificationSignals

_HOMES = {
    "unreachable_buttons": "buttons",
    "Choice": "choose",
    "ConsoleNotifier": "console",
    "FallbackNotifier": "fallback",
    "BUS_NAME": "freedesktop",
    "FreedesktopNotifier": "freedesktop",
    "file_uri": "freedesktop",
    "APP_NAME": "port",
    "DONE_EXPIRY": "port",
    "Note": "port",
    "Notifier": "port",
    "NullNotifier": "port",
    "PlyerNotifier": "portable",
    "NotificationSignals": "signals",
}

__all__ = [
    "APP_NAME",
    "BUS_NAME",
    "DONE_EXPIRY",
    "Choice",
    "ConsoleNotifier",
    "FallbackNotifier",
    "FreedesktopNotifier",
    "Note",
    "NotificationSignals",
    "Notifier",
    "NullNotifier",
    "PlyerNotifier",
    "file_uri",
    "unreachable_buttons",
]

if not TYPE_CHECKING:  # mypy reads the imports above, and still finds a misspelt name
    __getattr__ = exports(__name__, _HOMES)
