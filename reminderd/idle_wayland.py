"""Idle time on Wayland compositors that do not answer on D-Bus (sway, Hyprland, river,
niri, labwc, ...), through their idle protocol, spoken over the Wayland socket directly.

Two protocols say the same thing: ``ext_idle_notifier_v1`` (ext-idle-notify-v1, in newer
compositors: sway 1.8+, Hyprland, river, niri, KDE Plasma 6) and KDE's older
``org_kde_kwin_idle`` (sway 1.7, KDE Plasma 5). Both obey the compositor's idle
inhibitors: while a video player inhibits idle, the person reads as present. Version 2 of
ext-idle-notify (sway 1.9+) adds ``get_input_idle_notification``, which does not: where it
is offered, the same ladder is registered twice and ``input_idle_seconds`` tells the time
since the last input apart (watching a film is not being away, and a pause in typing is
seen under an inhibitor too). The Debian 12 sway (1.7) offers ``org_kde_kwin_idle`` v1
only: there the input idle time is unknown. Neither answers "how long has the person
been idle"; both send an event once the person has been idle for a given time, and another
when they come back. So this source registers a ladder of such timeouts once (10 s up to
an hour, plus the thresholds the config uses, exactly) and, when asked, reads the events
that have arrived without waiting: the idle time is at least the longest timeout that is
now idle. Nothing wakes the daemon: the events wait in the socket until it asks (they
come only when the person stops or starts, a few bytes each).

A minimal client of the Wayland wire format (a few dozen lines) instead of a binding
library: pywayland would load cffi and libwayland-client into a daemon that otherwise
only needs a socket.
"""

from __future__ import annotations

import errno
import os
import socket
import struct
from collections.abc import Mapping
from pathlib import Path

from reminderd.errors import IdleError

EXT = "ext_idle_notifier_v1"
KDE = "org_kde_kwin_idle"
SEAT = "wl_seat"
# Timeouts registered, in seconds: fine enough below a minute for a hold's length, coarse
# above. The smallest is 10 s so that a person typing sends few events.
LADDER = (10, 15, 20, 25, 30, 40, 50, 60, 90, 120, 180, 300, 600, 900, 1200, 1800, 3600)
MAX_TIMEOUTS = 32


class _Wire:
    """Requests and events of the Wayland wire format on a Unix socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.next_id = 2  # 1 is wl_display
        self.registry = 0

    def new_id(self) -> int:
        ident, self.next_id = self.next_id, self.next_id + 1
        return ident

    def send(self, obj: int, opcode: int, payload: bytes = b"") -> None:
        size = 8 + len(payload)
        self.sock.sendall(struct.pack("=II", obj, (size << 16) | opcode) + payload)

    def events(self, block: bool) -> list[tuple[int, int, bytes]]:
        """Whole events received so far (waiting for at least one if ``block``, up to the
        socket's timeout: setblocking(True) would drop it and wait for ever)."""
        timeout = self.sock.gettimeout()
        if block:
            self.sock.settimeout(timeout)
        else:
            self.sock.setblocking(False)
        try:
            while True:
                try:
                    chunk = self.sock.recv(65536)
                except BlockingIOError:
                    break
                if not chunk:
                    msg = "wayland: the compositor closed the connection"
                    raise IdleError(msg)
                self.buffer += chunk
                if block:
                    break
        finally:
            self.sock.settimeout(timeout)
        found = []
        while len(self.buffer) >= 8:
            obj, word = struct.unpack_from("=II", self.buffer)
            size = word >> 16
            if size < 8 or len(self.buffer) < size:
                break
            found.append((obj, word & 0xFFFF, self.buffer[8:size]))
            self.buffer = self.buffer[size:]
        return found

    def globals(self) -> dict[str, tuple[int, int]]:
        """The registry's globals: interface -> (name, version)."""
        self.registry = self.new_id()
        self.send(1, 1, struct.pack("=I", self.registry))  # wl_display.get_registry
        found: dict[str, tuple[int, int]] = {}
        for obj, opcode, payload in self.roundtrip():
            if obj == self.registry and opcode == 0:  # wl_registry.global(name, iface, version)
                (name,) = struct.unpack_from("=I", payload)
                interface, offset = _read_string(payload, 4)
                (version,) = struct.unpack_from("=I", payload, offset)
                found.setdefault(interface, (name, version))
        return found

    def bind(self, found: tuple[int, int], interface: str, version: int) -> int:
        """Bind a global at ``version`` or the compositor's own, whichever is lower."""
        ident = self.new_id()
        name, offered = found
        args = struct.pack("=I", name) + _string(interface)
        args += struct.pack("=II", min(version, offered), ident)
        self.send(self.registry, 0, args)  # wl_registry.bind
        return ident

    def roundtrip(self) -> list[tuple[int, int, bytes]]:
        """Everything the compositor sends until it has handled all requests so far."""
        callback = self.new_id()
        self.send(1, 0, struct.pack("=I", callback))  # wl_display.sync
        seen: list[tuple[int, int, bytes]] = []
        while True:
            for event in self.events(block=True):
                obj, opcode, payload = event
                if obj == 1 and opcode == 0:  # wl_display.error(object, code, message)
                    message, _ = _read_string(payload, 8)
                    raise IdleError(f"wayland: protocol error: {message}")
                if obj == callback and opcode == 0:
                    return seen
                seen.append(event)


def _string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return struct.pack("=I", len(data)) + data + b"\0" * (-len(data) % 4)


def _read_string(payload: bytes, offset: int) -> tuple[str, int]:
    (length,) = struct.unpack_from("=I", payload, offset)
    start = offset + 4
    text = payload[start : start + length - 1].decode(errors="replace")
    return text, start + length + (-length % 4)


def display_path(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The compositor's socket, as libwayland finds it, or None outside Wayland."""
    name = environ.get("WAYLAND_DISPLAY")
    if not name:
        return None
    if name.startswith("/"):
        return Path(name)
    runtime = environ.get("XDG_RUNTIME_DIR")
    return Path(runtime, name) if runtime else None


class WaylandIdle:
    """Idle time from the compositor's idle protocol (a lower bound, see the module)."""

    def __init__(self, thresholds: tuple[float, ...] = (), path: Path | None = None) -> None:
        where = path or display_path()
        if where is None:
            msg = "wayland: WAYLAND_DISPLAY (or XDG_RUNTIME_DIR) is not set"
            raise IdleError(msg)
        self.path = where
        steps = {float(s) for s in LADDER} | {float(t) for t in thresholds if 1 <= t <= 86400}
        self.timeouts = sorted(steps)[:MAX_TIMEOUTS]
        self.finest = self.timeouts[0]  # an idle time below this reads as 0
        self.name = "wayland"
        self._wire: _Wire | None = None
        self._idle: dict[int, float] = {}  # notification object -> its timeout, in seconds
        # ext-idle-notify v2's input-idle notifications: the same ladder, blind to idle
        # inhibitors (empty where the compositor offers v1 or KDE's protocol only).
        self._input_idle: dict[int, float] = {}
        self._now_idle: set[int] = set()
        self._connect()

    # -- connection -----------------------------------------------------------------------

    def _connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        sock.settimeout(2.0)
        try:
            sock.connect(str(self.path))
        except OSError as error:
            sock.close()
            msg = f"wayland: cannot connect to {self.path}: {error.strerror or error}"
            raise IdleError(msg) from None
        wire = _Wire(sock)
        try:
            globals_ = wire.globals()
            notifier = globals_.get(EXT) or globals_.get(KDE)
            seat = globals_.get(SEAT)
            if notifier is None or seat is None:
                msg = (
                    "wayland: the compositor offers no idle protocol "
                    f"({EXT} or {KDE}){'' if seat else ', and no seat'}"
                )
                raise IdleError(msg)
            protocol = EXT if EXT in globals_ else KDE
            version = min(2, notifier[1]) if protocol == EXT else 1
            notifier_id = wire.bind(notifier, protocol, version)
            seat_id = wire.bind(seat, SEAT, 1)
            idle: dict[int, float] = {}
            input_idle: dict[int, float] = {}
            for seconds in self.timeouts:
                ident = wire.new_id()
                ms = int(seconds * 1000)
                if protocol == EXT:  # get_idle_notification(id, timeout, seat)
                    wire.send(notifier_id, 1, struct.pack("=III", ident, ms, seat_id))
                else:  # get_idle_timeout(id, seat, timeout)
                    wire.send(notifier_id, 0, struct.pack("=III", ident, seat_id, ms))
                idle[ident] = seconds
                if version >= 2:  # get_input_idle_notification(id, timeout, seat)
                    ident = wire.new_id()
                    wire.send(notifier_id, 2, struct.pack("=III", ident, ms, seat_id))
                    input_idle[ident] = seconds
            wire.roundtrip()
        except (OSError, struct.error) as error:
            sock.close()
            msg = f"wayland: {error}"
            raise IdleError(msg) from None
        except IdleError:
            sock.close()
            raise
        self._wire, self._idle, self._now_idle = wire, idle, set()
        self._input_idle = input_idle
        self.name = "wayland-ext-idle-notify" if protocol == EXT else "wayland-kde-idle"
        if input_idle:
            self.name += "-v2"

    # -- IdleSource -----------------------------------------------------------------------

    def idle_seconds(self) -> float:
        """At least this long without input: the longest registered timeout now idle.
        The compositor's idle inhibitors stop these timers (a film playing reads as 0)."""
        self._drain()
        return max((self._idle[obj] for obj in self._now_idle if obj in self._idle), default=0.0)

    def input_idle_seconds(self) -> float | None:
        """At least this long without keyboard or pointer input, whatever idle inhibitors
        say (ext-idle-notify v2); None where the compositor cannot tell (v1, KDE's)."""
        self._drain()
        if not self._input_idle:
            return None
        found = (self._input_idle[obj] for obj in self._now_idle if obj in self._input_idle)
        return max(found, default=0.0)

    def _drain(self) -> None:
        """Read the idled and resumed events waiting in the socket, without waiting."""
        if self._wire is None:
            self._connect()
        assert self._wire is not None
        try:
            events = self._wire.events(block=False)
        except (IdleError, OSError) as error:
            self.close()
            if isinstance(error, OSError) and error.errno not in (errno.EPIPE, errno.ECONNRESET):
                msg = f"wayland: {error}"
                raise IdleError(msg) from None
            self._connect()  # the compositor dropped us (or restarted): once more, from now
            return
        for obj, opcode, _payload in events:
            if obj in self._idle or obj in self._input_idle:
                if opcode == 0:  # idled / idle
                    self._now_idle.add(obj)
                elif opcode == 1:  # resumed
                    self._now_idle.discard(obj)

    def close(self) -> None:
        if self._wire is not None:
            self._wire.sock.close()
            self._wire = None
