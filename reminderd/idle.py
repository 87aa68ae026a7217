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

Watching is not being away: ``read`` gives the idle time with what the source can tell
beside it. GNOME's and KDE's idle times count input only, so a film watched for an hour
reads as an hour idle; their idle inhibitor is read along with it (GNOME's
``InhibitedActions``, KDE's ``HasInhibition``), and under one the person is not away.
Wayland compositors' timers stop under an inhibitor themselves; ext-idle-notify v2 tells
the input idle time too (``idle_wayland``). X11 cannot tell: video players reset its
counter (``XResetScreenSaver``), so a film reads as input.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any, NamedTuple, Protocol

from reminderd.bus import Bus, BusError
from reminderd.errors import IdleError
from reminderd.i18n.said import said, said_join

__all__ = [
    "IdleError",
    "IdleReading",
    "IdleSource",
    "MutterIdle",
    "ScreenSaverIdle",
    "detect",
    "read",
]

log = logging.getLogger("reminderd")


class IdleSource(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def finest(self) -> float:
        """The shortest idle time it can tell, in seconds (0: any; see idle_wayland)."""

    def idle_seconds(self) -> float:
        """Seconds since the last keyboard or mouse input; IdleError if unknown."""


GNOME_SESSION = "org.gnome.SessionManager"
GNOME_SESSION_PATH = "/org/gnome/SessionManager"
GNOME_INHIBIT_IDLE = 8  # the "idle" flag of InhibitedActions and of an inhibitor's flags
KDE_POLICY = "org.kde.Solid.PowerManagement.PolicyAgent"
KDE_POLICY_PATH = "/org/kde/Solid/PowerManagement/PolicyAgent"
KDE_SCREEN = 4  # PolicyAgent's ChangeScreenSettings: dimming and blanking (what films block)
PROPERTIES = "org.freedesktop.DBus.Properties"


def unsigned(value: Any, what: str) -> int:
    """A D-Bus ``u`` or ``t`` as sent, or IdleError naming what was expected: a hostile or
    broken service answers nonsense, and that is "unknown", never an exception elsewhere."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] in ("u", "t"):
        value = value[1]  # a property's variant
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise IdleError(f"{what}: expected an unsigned number, got {type(value).__name__}")
    return value


def boolean(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise IdleError(f"{what}: expected a boolean, got {type(value).__name__}")
    return value


def gnome_idle_inhibited(bus: Bus, timeout: float | None = None) -> bool:
    """Whether GNOME's session has idle inhibited (``InhibitedActions`` has flag 8)."""
    try:
        (value,) = bus.call(
            GNOME_SESSION,
            GNOME_SESSION_PATH,
            PROPERTIES,
            "Get",
            signature="ss",
            args=(GNOME_SESSION, "InhibitedActions"),
            timeout=timeout,
        )
    except (BusError, ValueError) as error:
        raise IdleError(f"gnome: {error}") from None
    return bool(unsigned(value, "gnome: InhibitedActions") & GNOME_INHIBIT_IDLE)


def kde_idle_inhibited(bus: Bus, timeout: float | None = None) -> bool:
    """Whether KDE's power management holds the screen on (``HasInhibition(4)``)."""
    try:
        (value,) = bus.call(
            KDE_POLICY,
            KDE_POLICY_PATH,
            KDE_POLICY,
            "HasInhibition",
            signature="u",
            args=(KDE_SCREEN,),
            timeout=timeout,
        )
    except (BusError, ValueError) as error:
        raise IdleError(f"kde: {error}") from None
    return boolean(value, "kde: HasInhibition")


class IdleReading(NamedTuple):
    """One look at the idle source, with what it can tell beside the idle time."""

    idle: float  # seconds since the last input, as the source counts them
    input_idle: float | None  # since the last key or pointer input, inhibitors aside
    inhibited: bool | None  # an idle inhibitor is on (a film, a call); None: cannot tell

    @property
    def away_idle(self) -> float:
        """Idle time as "away" counts it: none while an inhibitor is on."""
        return 0.0 if self.inhibited else self.idle


class _DBusIdle:
    """Shared plumbing for the session-bus sources (both report milliseconds)."""

    name = ""
    finest = 0.0
    destination = ""
    path = ""
    interface = ""
    method = ""
    returns = ""  # the reply's signature: any other is refused

    def __init__(self, address: str | None = None) -> None:
        self._bus = Bus(address)

    def idle_seconds(self) -> float:
        try:
            (value,) = self._bus.call(
                self.destination, self.path, self.interface, self.method, returns=self.returns
            )
        except BusError as error:
            raise IdleError(f"{self.name}: {error}") from None
        return float(unsigned(value, f"{self.name}: {self.method}")) / 1000.0

    def inhibited(self) -> bool | None:
        """Whether the desktop's idle inhibitor is on; None where it cannot be read."""
        return None


class MutterIdle(_DBusIdle):
    name = "gnome-mutter"
    destination = "org.gnome.Mutter.IdleMonitor"
    path = "/org/gnome/Mutter/IdleMonitor/Core"
    interface = "org.gnome.Mutter.IdleMonitor"
    method = "GetIdletime"
    returns = "t"

    def inhibited(self) -> bool | None:
        try:
            return gnome_idle_inhibited(self._bus)
        except IdleError as error:
            log.debug("idle inhibitor unknown (%s)", error)
            return None


class ScreenSaverIdle(_DBusIdle):
    name = "freedesktop-screensaver"
    destination = "org.freedesktop.ScreenSaver"
    path = "/org/freedesktop/ScreenSaver"
    interface = "org.freedesktop.ScreenSaver"
    method = "GetSessionIdleTime"
    returns = "u"

    def inhibited(self) -> bool | None:
        try:
            return kde_idle_inhibited(self._bus)
        except IdleError as error:
            log.debug("idle inhibitor unknown (%s)", error)
            return None


def read(source: IdleSource) -> IdleReading:
    """The idle time, and what the source can tell beside it: GNOME's and KDE's idle
    inhibitor, ext-idle-notify v2's input idle time. IdleError as ``idle_seconds``."""
    idle = source.idle_seconds()
    if isinstance(source, _DBusIdle):
        return IdleReading(idle, input_idle=idle, inhibited=source.inhibited())
    wayland = sys.modules.get("reminderd.idle_wayland")  # loaded if it is the source
    if wayland is not None and isinstance(source, wayland.WaylandIdle):
        # Its timers stop under an inhibitor: the idle time is away's already.
        return IdleReading(idle, input_idle=source.input_idle_seconds(), inhibited=None)
    return IdleReading(idle, input_idle=idle, inhibited=None)


def detect(
    platform: str = sys.platform, thresholds: tuple[float, ...] = ()
) -> tuple[IdleSource | None, str]:
    """The first idle source that answers here, and a sentence on what was tried.
    ``thresholds`` (seconds) are the idle times the config compares against, for the
    Wayland source, which can only say "idle for at least" one of the times it watches."""
    candidates: list[Callable[[], IdleSource]]
    if platform == "win32":
        candidates = [lambda: _native().WindowsIdle()]
    elif platform == "darwin":
        candidates = [lambda: _native().MacIdle()]
    else:
        candidates = [MutterIdle, ScreenSaverIdle, _x11]
    tried: list[str] = []
    if platform not in ("win32", "darwin") and os.environ.get("WAYLAND_DISPLAY"):
        # Under Wayland, Xwayland's idle counter sees only input to X11 windows: someone
        # typing in a Wayland window would look idle, and every reminder would wait. The
        # compositor's own idle protocol comes after GNOME's and KDE's D-Bus answers.
        candidates.remove(_x11)
        tried.append(said("x11: not used in a Wayland session (Xwayland sees only X11 input)"))
        candidates.append(lambda: _wayland(thresholds))
    for candidate in candidates:
        try:
            source = candidate()
            source.idle_seconds()
        except (IdleError, OSError, AttributeError) as error:
            tried.append(str(error))
            continue
        return source, said("{source} answers", source=source.name)
    return None, said("no idle source answers ({tried})", tried=said_join("; ", tried))


def _native() -> ModuleType:
    """The ctypes-based sources: ctypes is loaded only when one of them is tried."""
    from reminderd import idle_native  # noqa: PLC0415 - loads ctypes, only when asked

    return idle_native


def _x11() -> IdleSource:
    """X11's screensaver extension; with no DISPLAY, said so without loading ctypes."""
    if not os.environ.get("DISPLAY"):
        raise IdleError("x11: DISPLAY is not set")
    source: IdleSource = _native().X11Idle()
    return source


def _wayland(thresholds: tuple[float, ...]) -> IdleSource:
    from reminderd.idle_wayland import WaylandIdle  # noqa: PLC0415 - only under Wayland

    return WaylandIdle(thresholds)
