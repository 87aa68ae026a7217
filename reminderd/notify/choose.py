"""Which notifier this desktop gets, and why: the one chooser, whose reason `status` and
the log show."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from reminderd.bus import session_bus_address
from reminderd.i18n.said import said, said_join
from reminderd.notify.console import ConsoleNotifier
from reminderd.notify.fallback import FallbackNotifier
from reminderd.notify.freedesktop import FreedesktopNotifier
from reminderd.notify.port import Notifier
from reminderd.notify.signals import NotificationSignals

if TYPE_CHECKING:
    from reminderd.notify.portable import PlyerNotifier

log = logging.getLogger("reminderd")


class Choice(NamedTuple):
    """The backend in use and why it was chosen, for the log and for ``status``."""

    notifier: Notifier
    backend: str
    reason: str
    server: FreedesktopNotifier | None = None  # the D-Bus server behind it, if any

    def signals(self) -> NotificationSignals | None:
        """The server's button and close signals, where there is a server to send them."""
        return NotificationSignals(self.server.bus) if self.server else None


def choose(backend: str, write: Callable[[str], None], platform: str = sys.platform) -> Choice:
    """Pick the notification backend; ``auto`` takes the best one that really delivers here."""
    console = ConsoleNotifier(write)
    if backend == "console":
        return Choice(console, "console", said("asked for in the config"))
    candidates = _Candidates(platform)
    if backend in ("freedesktop", "plyer"):
        notifier = candidates[backend]
        reason = notifier.probe()
        detail = (
            said("not delivering yet ({reason})", reason=reason) if reason else notifier.describe()
        )
        return Choice(
            FallbackNotifier(notifier, console),
            backend,
            said("asked for in the config; {detail}", detail=detail),
            notifier if isinstance(notifier, FreedesktopNotifier) else None,
        )
    order = ["plyer"] if platform in ("darwin", "win32") else ["freedesktop", "plyer"]
    reasons = []
    for name in order:
        reason = candidates[name].probe()
        if reason is None:
            found = candidates[name]
            return Choice(
                FallbackNotifier(found, console),
                name,
                found.describe(),
                found if isinstance(found, FreedesktopNotifier) else None,
            )
        reasons.append(said("{backend}: {reason}", backend=name, reason=reason))
    if "freedesktop" in order and session_bus_address():
        # A session bus without a notification server yet (reminderd started at login
        # before the desktop's notification daemon): use the console until one answers.
        server = candidates.freedesktop
        waiting = FallbackNotifier(server, console, failing=True)
        reason = said(
            "{reason}; steps go to the console until a notification server answers",
            reason=reasons[0],
        )
        return Choice(waiting, "freedesktop", reason, server)
    return Choice(console, "console", said_join("; ", reasons))


class _Candidates:
    """The backends ``auto`` may take, each made when first tried: plyer's (and what it
    imports) only where the desktop's own server does not answer."""

    def __init__(self, platform: str) -> None:
        self._platform = platform
        self.freedesktop = FreedesktopNotifier()
        self._plyer: PlyerNotifier | None = None

    def __getitem__(self, name: str) -> FreedesktopNotifier | PlyerNotifier:
        if name == "freedesktop":
            return self.freedesktop
        if self._plyer is None:
            from reminderd.notify.portable import PlyerNotifier  # noqa: PLC0415

            self._plyer = PlyerNotifier(self._platform)
        return self._plyer
