"""Full screen on X11: the active window (EWMH ``_NET_ACTIVE_WINDOW``) has
``_NET_WM_STATE_FULLSCREEN`` in its ``_NET_WM_STATE``; who is its ``WM_CLASS``.

When no window is active (the focus is on none: a clock, a slide show or a video window
that takes no keyboard input is never made active, as openbox does with ``xclock``), the
top window of ``_NET_CLIENT_LIST_STACKING`` stands in for it: what covers the screen.

Spoken in the X11 wire format over the display's socket, as ``idle_wayland`` speaks
Wayland's: a connection per check, a handful of pipelined requests, about a millisecond,
and nothing loaded into the daemon (Xlib through ctypes would stay loaded, and its default
error handler ends the process on a window that vanished between two requests).
"""

from __future__ import annotations

import os
import socket
import struct
import time
from collections.abc import Mapping
from pathlib import Path

from reminderd.holds.port import Hold, HoldUnknown, SourceReason
from reminderd.i18n.said import said

WM_CLASS = 67  # predefined atoms (X11 protocol, appendix B)
ATOM = 4
WINDOW = 33
CARDINAL = 6
COOKIE = b"MIT-MAGIC-COOKIE-1"
# Where every X server of this machine listens: a fixed place the X server owns, not a
# temporary file of ours.
SOCKETS = "/tmp/.X11-unix/X"  # noqa: S108
NAMES = (
    "_NET_ACTIVE_WINDOW",
    "_NET_WM_STATE",
    "_NET_WM_STATE_FULLSCREEN",
    "_NET_WM_PID",
    "_NET_CLIENT_LIST_STACKING",
)


def parse_display(display: str) -> tuple[str, int]:
    """``host:number.screen`` -> (host, number); HoldUnknown if it cannot be read."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        raise HoldUnknown(f"x11: cannot read DISPLAY {display!r}")
    return host, int(number)


def read_cookie(path: Path, number: int, hostname: str) -> bytes:
    """The MIT-MAGIC-COOKIE-1 for display ``number`` of this machine in an Xauthority
    file, or b"" (an X server started without -auth, as Xvfb in the tests, needs none)."""
    try:
        data = path.read_bytes()
    except OSError:
        return b""
    offset = 0
    try:
        while offset + 2 <= len(data):
            (family,) = struct.unpack_from(">H", data, offset)
            offset += 2
            fields = []
            for _ in range(4):  # address, display number, auth name, auth data
                (size,) = struct.unpack_from(">H", data, offset)
                fields.append(data[offset + 2 : offset + 2 + size])
                offset += 2 + size
            address, entry, name, cookie = fields
            here = address.decode(errors="replace") == hostname
            local = family == 65535 or (family == 256 and here)
            if local and name == COOKIE and entry in (b"", str(number).encode()):
                return cookie
    except struct.error:
        return b""
    return b""


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


class _X:
    """One X11 connection: requests, and their replies by sequence number."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self.sequence = 0
        self.buffer = b""

    def read(self, size: int) -> bytes:
        while len(self.buffer) < size:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise HoldUnknown("x11: the X server closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def setup(self, cookie: bytes) -> int:
        """The connection handshake; returns the first screen's root window."""
        name = COOKIE if cookie else b""
        head = struct.pack("<BxHHHHxx", 0x6C, 11, 0, len(name), len(cookie))
        self.sock.sendall(head + _pad(name) + _pad(cookie))
        status, reason_size, _major, _minor, words = struct.unpack("<BBHHH", self.read(8))
        body = self.read(words * 4)
        if status != 1:
            said = body[:reason_size].decode(errors="replace").strip() or "authentication needed"
            raise HoldUnknown(f"x11: the X server refused the connection ({said})")
        vendor_size, formats = struct.unpack_from("<H", body, 16)[0], body[21]
        screens = 32 + vendor_size + (-vendor_size % 4) + 8 * formats
        (root,) = struct.unpack_from("<I", body, screens)
        return int(root)

    def send(self, opcode: int, detail: int, payload: bytes) -> int:
        size = 4 + len(payload)
        self.sock.sendall(struct.pack("<BBH", opcode, detail, size // 4) + payload)
        self.sequence += 1
        return self.sequence

    def intern(self, name: str) -> int:
        text = name.encode()
        return self.send(16, 1, struct.pack("<Hxx", len(text)) + _pad(text))  # only if exists

    def get_property(self, window: int, prop: int, kind: int = 0, words: int = 64) -> int:
        return self.send(20, 0, struct.pack("<IIIII", window, prop, kind, 0, words))

    def reply(self, sequence: int) -> tuple[bytes, bytes] | None:
        """The reply to ``sequence``: its 32-byte head and its data; None for an error."""
        while True:
            head = self.read(32)
            code = head[0]
            (seen,) = struct.unpack_from("<H", head, 2)
            if code == 1:
                (words,) = struct.unpack_from("<I", head, 4)
                data = self.read(words * 4)
                if seen == sequence & 0xFFFF:
                    return head, data
            elif code == 0 and seen == sequence & 0xFFFF:
                return None  # BadWindow and the like: the window went away
            elif code == 35:  # a generic event carries more than 32 bytes
                (words,) = struct.unpack_from("<I", head, 4)
                self.read(words * 4)

    def atoms(self, head_data: tuple[bytes, bytes] | None) -> list[int]:
        if head_data is None:
            return []
        head, data = head_data
        fmt, (count,) = head[1], struct.unpack_from("<I", head, 16)
        if fmt != 32:
            return []
        return list(struct.unpack_from(f"<{count}I", data)) if len(data) >= 4 * count else []


class X11Fullscreen:
    """The active window of an X11 display, full screen or not."""

    name = "x11"
    reasons: frozenset[SourceReason] = frozenset({"fullscreen"})
    spawns = False

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.display = env.get("DISPLAY", "")
        home = env.get("HOME", "")
        self.authority = Path(env.get("XAUTHORITY") or Path(home, ".Xauthority"))

    def start(self) -> None:
        """Nothing to start: the question is asked in-process on the X11 socket."""

    def answer(self, timeout: float) -> tuple[Hold, ...]:
        if not self.display:
            raise HoldUnknown("x11: DISPLAY is not set")
        host, number = parse_display(self.display)
        deadline = time.monotonic() + timeout
        try:
            sock = self._connect(host, number, timeout)
        except OSError as error:
            msg = f"x11: cannot connect to {self.display}: {error.strerror or error}"
            raise HoldUnknown(msg) from None
        try:
            return self._ask(_X(sock, deadline), number)
        except TimeoutError:
            msg = f"x11: no answer from {self.display} within {timeout * 1000:.0f} ms"
            raise HoldUnknown(msg) from None
        except (OSError, struct.error, IndexError) as error:
            raise HoldUnknown(f"x11: {error}") from None
        finally:
            sock.close()

    def _connect(self, host: str, number: int, timeout: float) -> socket.socket:
        if host in ("", "unix") or host.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
            address: str | tuple[str, int] = f"{SOCKETS}{number}"
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
            address = (host, 6000 + number)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError:
            sock.close()
            raise
        return sock

    def _ask(self, x: _X, number: int) -> tuple[Hold, ...]:
        root = x.setup(read_cookie(self.authority, number, socket.gethostname()))
        asked = [x.intern(name) for name in NAMES]
        atoms = []
        for sequence in asked:
            got = x.reply(sequence)
            atoms.append(struct.unpack_from("<I", got[0], 8)[0] if got else 0)
        active_atom, state_atom, fullscreen_atom, pid_atom, stacking_atom = atoms
        if not active_atom or not fullscreen_atom:
            raise HoldUnknown("x11: the window manager does not speak EWMH")
        active = x.atoms(x.reply(x.get_property(root, active_atom, WINDOW, 1)))
        if not active or not active[0]:
            stack = x.atoms(x.reply(x.get_property(root, stacking_atom, WINDOW, 4096)))
            active = stack[-1:]
        if not active or not active[0]:
            return ()
        window = active[0]
        state_seq = x.get_property(window, state_atom, ATOM)
        class_seq = x.get_property(window, WM_CLASS, 0, 64)
        pid_seq = x.get_property(window, pid_atom, CARDINAL, 1)
        state = x.atoms(x.reply(state_seq))
        wm_class = x.reply(class_seq)
        pid = x.atoms(x.reply(pid_seq))
        if fullscreen_atom not in state:
            return ()
        who = _class_name(wm_class) or (
            said("process {pid}", pid=pid[0]) if pid else said("window {id}", id=f"{window:#x}")
        )
        detail = (
            said("full-screen window (pid {pid})", pid=pid[0])
            if pid
            else said("full-screen window")
        )
        return (Hold("fullscreen", who, detail, self.name),)


def _class_name(got: tuple[bytes, bytes] | None) -> str:
    """WM_CLASS is "instance\\0Class\\0": the class names the application."""
    if got is None:
        return ""
    head, data = got
    (count,) = struct.unpack_from("<I", head, 16)
    parts = [p for p in data[:count].split(b"\0") if p]
    return parts[-1].decode(errors="replace")[:80] if parts else ""
