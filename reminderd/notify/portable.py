"""plyer's notifications (macOS, Windows, and Linux without D-Bus): shown, never replaced."""

from __future__ import annotations

import importlib.util
import logging
import sys
import warnings
from pathlib import Path

from reminderd.errors import NotifyError
from reminderd.i18n.said import said
from reminderd.markup import plain
from reminderd.notify.freedesktop import FreedesktopNotifier
from reminderd.notify.port import APP_NAME, Note
from reminderd.paths import on_path

log = logging.getLogger("reminderd")


class PlyerNotifier:
    """plyer's notification facade, guarded so that it never "succeeds" while nothing shows.

    plyer 2.1 on Linux ignores the timeout with notify-send (every step would stay until
    dismissed), silently switches to the Flatpak portal when ``/app`` exists, ignores
    notify-send's exit status and returns no id. So on Linux it is used only when asked
    for, and only while a notification server is on the session bus.
    """

    name = "plyer"
    capabilities: frozenset[str] = frozenset()
    failing = False

    def __init__(self, platform: str = sys.platform) -> None:
        self._platform = platform

    def probe(self) -> str | None:
        """None if plyer can really deliver here; otherwise why not."""
        if not _importable("plyer"):
            return said("the plyer package is not installed")
        if self._platform in ("darwin", "win32"):
            missing = self._platform == "darwin" and not _importable("pyobjus")
            return said("plyer needs pyobjus on macOS (pip install pyobjus)") if missing else None
        if Path("/app").is_dir():
            return said("plyer would send through the Flatpak portal, which reports no failure")
        if not _importable("dbus") and not on_path("notify-send"):
            return said("plyer finds neither dbus-python nor notify-send")
        return FreedesktopNotifier().probe()

    def describe(self) -> str:
        return said("the portable backend can deliver on {platform}", platform=self._platform)

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        if self._platform not in ("darwin", "win32"):
            reason = self.probe()
            if reason:
                raise NotifyError(said("plyer cannot deliver: {reason}", reason=reason))
        from plyer import notification  # noqa: PLC0415

        timeout = max(1, round(note.expiry_ms / 1000))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                notification.notify(
                    title=plain(note.summary),
                    message=plain(note.body),
                    app_name=APP_NAME,
                    timeout=timeout,
                )
        except Exception as error:  # plyer raises whatever its platform layer raises
            raise NotifyError(f"plyer failed: {error!r}") from error
        return None

    def close(self, notification_id: int | None) -> None:
        return None


def _importable(module: str) -> bool:
    """Whether ``module`` could be imported, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: in sys.modules as None
        return False
