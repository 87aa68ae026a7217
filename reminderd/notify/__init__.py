"""Notification backends behind one port: freedesktop (D-Bus), plyer (portable) and the
console, and the chooser that picks one for this desktop and says why.

One file per job: ``port`` (the Note, the Notifier protocol, the null notifier),
``freedesktop``, ``portable`` (plyer), ``console``, ``fallback`` (to the console while
the first fails), ``signals`` (the server's buttons and closings), ``buttons`` (what a
server's buttons need), ``choose``.
"""

from reminderd.notify.buttons import unreachable_buttons
from reminderd.notify.choose import Choice, choose
from reminderd.notify.console import ConsoleNotifier
from reminderd.notify.fallback import FallbackNotifier
from reminderd.notify.freedesktop import BUS_NAME, FreedesktopNotifier, file_uri
from reminderd.notify.port import APP_NAME, DONE_EXPIRY, Note, Notifier, NullNotifier
from reminderd.notify.portable import PlyerNotifier
from reminderd.notify.signals import NotificationSignals

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
    "choose",
    "file_uri",
    "unreachable_buttons",
]
