"""How long the person has been away from keyboard and mouse.

Sources behind one interface, tried in order until one answers:

1. GNOME: ``org.gnome.Mutter.IdleMonitor.GetIdletime`` on the session bus (Wayland too);
2. KDE and others: ``org.freedesktop.ScreenSaver.GetSessionIdleTime`` (milliseconds, as
   KDE's implementation returns it);
3. X11: the MIT-SCREEN-SAVER extension through libXss, with ctypes (no subprocess); under
   Wayland instead, the compositor's idle protocol (``idle_wayland``: sway, Hyprland,
   river, niri, ...);
4. macOS: the ``HIDIdleTime`` property of IOHIDSystem, through IOKit;
5. Windows: ``GetLastInputInfo``.

The native ones live in ``idle_native``.

The daemon asks only when it matters (something is due, or coarsely while it waits for
the person to come back, or to notice natural breaks); none of them is polled in a loop.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Protocol

from reminderd.bus import Bus, BusError
from reminderd.errors import IdleError

__all__ = ["IdleError", "IdleSource", "MutterIdle", "ScreenSaverIdle", "detect"]

log = logging.getLogger("reminderd")


class IdleSource(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def finest(self) -> float:
        """The shortest idle time it can tell, in seconds (0: any; see idle_wayland)."""

    def idle_seconds(self) -> float:
        """Seconds since the last keyboard or mouse input; IdleError if unknown."""


class _DBusIdle:
    """Shared plumbing for the session-bus sources (both report milliseconds)."""

    name = ""
    finest = 0.0
    destination = ""
    path = ""
    interface = ""
    method = ""

    def __init__(self, address: str | None = None) -> None:
        self._bus = Bus(address)

    def idle_seconds(self) -> float:
        try:
            (value,) = self._bus.call(self.destination, self.path, self.interface, self.method)
        except BusError as error:
            raise IdleError(f"{self.name}: {error}") from None
        return float(value) / 1000.0


class MutterIdle(_DBusIdle):
    name = "gnome-mutter"
    destination = "org.gnome.Mutter.IdleMonitor"
    path = "/org/gnome/Mutter/IdleMonitor/Core"
    interface = "org.gnome.Mutter.IdleMonitor"
    method = "GetIdletime"


class ScreenSaverIdle(_DBusIdle):
    name = "freedesktop-screensaver"
    destination = "org.freedesktop.ScreenSaver"
    path = "/org/freedesktop/ScreenSaver"
    interface = "org.freedesktop.ScreenSaver"
    method = "GetSessionIdleTime"


def detect(
    platform: str = sys.platform, thresholds: tuple[float, ...] = ()
) -> tuple[IdleSource | None, str]:
    """The first idle source that answers here, and a sentence on what was tried.
    ``thresholds`` (seconds) are the idle times the config compares against, for the
    Wayland source, which can only say "idle for at least" one of the times it watches."""
    from reminderd import idle_native  # noqa: PLC0415 - loads ctypes, only when asked

    candidates: list[Callable[[], IdleSource]]
    if platform == "win32":
        candidates = [idle_native.WindowsIdle]
    elif platform == "darwin":
        candidates = [idle_native.MacIdle]
    else:
        candidates = [MutterIdle, ScreenSaverIdle, idle_native.X11Idle]
    tried = []
    if platform not in ("win32", "darwin") and os.environ.get("WAYLAND_DISPLAY"):
        # Under Wayland, Xwayland's idle counter sees only input to X11 windows: someone
        # typing in a Wayland window would look idle, and every reminder would wait. The
        # compositor's own idle protocol comes after GNOME's and KDE's D-Bus answers.
        candidates.remove(idle_native.X11Idle)
        tried.append("x11: not used in a Wayland session (Xwayland sees only X11 input)")
        candidates.append(lambda: _wayland(thresholds))
    for candidate in candidates:
        try:
            source = candidate()
            source.idle_seconds()
        except (IdleError, OSError, AttributeError) as error:
            tried.append(str(error))
            continue
        return source, f"{source.name} answers"
    return None, "no idle source answers (" + "; ".join(tried) + ")"


def _wayland(thresholds: tuple[float, ...]) -> IdleSource:
    from reminderd.idle_wayland import WaylandIdle  # noqa: PLC0415 - only under Wayland

    return WaylandIdle(thresholds)
