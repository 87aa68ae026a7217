"""Full screen on wlroots compositors (Hyprland, river, labwc, wayfire, sway, ...) through
``zwlr_foreign_toplevel_manager_v1``, the protocol task bars use: every window's
``app_id`` and its states, among them activated and (since version 2) fullscreen.

Spoken with the small Wayland client of ``idle_wayland`` (no second one): a connection
per check, bound, one round trip for the windows' states, closed. A connection kept open
would fill with every title change of every window (a terminal's, each command).
"""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path

from reminderd.errors import IdleError
from reminderd.holds.port import Hold, HoldUnknown, SourceReason
from reminderd.i18n.said import said
from reminderd.idle_wayland import _read_string, _Wire, display_path

MANAGER = "zwlr_foreign_toplevel_manager_v1"
ACTIVATED, FULLSCREEN = 2, 3  # zwlr_foreign_toplevel_handle_v1.state


class _Toplevel:
    """One Wayland toplevel window, as the foreign-toplevel protocol reports it."""

    __slots__ = ("app_id", "states", "title")

    def __init__(self) -> None:
        self.app_id = ""
        self.title = ""
        self.states: set[int] = set()


class ForeignToplevel:
    """Full screen from the compositor's list of windows."""

    name = "wayland-toplevel"
    reasons: frozenset[SourceReason] = frozenset({"fullscreen"})
    spawns = False

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or display_path()

    def start(self) -> None:
        """Nothing to start: the question is asked in-process on the Wayland socket."""

    def answer(self, timeout: float) -> tuple[Hold, ...]:
        if self.path is None:
            raise HoldUnknown(f"{self.name}: WAYLAND_DISPLAY (or XDG_RUNTIME_DIR) is not set")
        deadline = time.monotonic() + timeout
        try:
            windows = self._windows(timeout, deadline)
        except TimeoutError:
            msg = f"{self.name}: no answer within {timeout * 1000:.0f} ms"
            raise HoldUnknown(msg) from None
        except (OSError, struct.error, IdleError) as error:
            raise HoldUnknown(f"{self.name}: {error}") from None
        full = [w for w in windows if FULLSCREEN in w.states]
        active = [w for w in full if ACTIVATED in w.states]
        if not any(ACTIVATED in w.states for w in windows):
            active = full  # focus on none: what covers the screen still holds
        return tuple(
            Hold(
                "fullscreen",
                w.app_id or w.title or said("a window"),
                said("full-screen window"),
                self.name,
            )
            for w in active[:1]
        )

    def _windows(self, timeout: float, deadline: float) -> list[_Toplevel]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC) as sock:
            sock.settimeout(timeout)
            sock.connect(str(self.path))
            wire = _Wire(sock)
            offered = wire.globals().get(MANAGER)
            if offered is None:
                raise HoldUnknown(f"{self.name}: the compositor does not offer {MANAGER}")
            if offered[1] < 2:
                msg = f"{self.name}: {MANAGER} version {offered[1]} has no fullscreen state"
                raise HoldUnknown(msg)
            sock.settimeout(max(0.001, deadline - time.monotonic()))
            manager = wire.bind(offered, MANAGER, 3)
            windows: dict[int, _Toplevel] = {}
            # The manager sends every window, then each one's details, as soon as it is
            # bound: one round trip has them all.
            for obj, opcode, payload in wire.roundtrip():
                if obj == manager and opcode == 0:  # toplevel(new handle)
                    (handle,) = struct.unpack_from("=I", payload)
                    windows[handle] = _Toplevel()
                elif obj in windows:
                    _event(windows[obj], opcode, payload)
            return list(windows.values())


def _event(window: _Toplevel, opcode: int, payload: bytes) -> None:
    if opcode == 0:  # title
        window.title = _read_string(payload, 0)[0][:80]
    elif opcode == 1:  # app_id
        window.app_id = _read_string(payload, 0)[0][:80]
    elif opcode == 4:  # state(array of uint32)
        (size,) = struct.unpack_from("=I", payload)
        window.states = set(struct.unpack_from(f"={size // 4}I", payload, 4))
