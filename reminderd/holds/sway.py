"""Full screen and idle inhibitors on sway and i3, through their IPC socket.

``get_tree`` gives every window: the focused one's ``fullscreen_mode`` (1: full screen on
its output, 2: across all outputs) says full screen; on sway a window's ``inhibit_idle``
says it keeps the screen awake now (a video player's idle inhibitor while it is visible,
or a person's ``inhibit_idle`` rule). Who is its ``app_id`` (Wayland) or its X11 class.
One connection per check (a few milliseconds for a desktop's tree), nothing kept open.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import time
from collections.abc import Iterator, Mapping
from typing import Any

from reminderd.holds.port import Hold, HoldUnknown, SourceReason
from reminderd.i18n.said import said

MAGIC = b"i3-ipc"
GET_TREE = 4
LIMIT = 16 * 1024 * 1024  # bytes: a larger tree is not believed


class SwayTree:
    """The window tree of sway (``$SWAYSOCK``) or i3 (``$I3SOCK``)."""

    reasons: frozenset[SourceReason] = frozenset({"fullscreen", "inhibited"})
    spawns = False

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.path = env.get("SWAYSOCK") or env.get("I3SOCK") or ""
        self.name = "i3" if self.path and not env.get("SWAYSOCK") else "sway"

    def start(self) -> None:
        """Nothing to start: the question is asked in-process on the IPC socket."""

    def answer(self, timeout: float) -> tuple[Hold, ...]:
        if not self.path:
            raise HoldUnknown(f"{self.name}: SWAYSOCK (or I3SOCK) is not set")
        try:
            tree = self._tree(timeout)
        except TimeoutError:
            msg = f"{self.name}: no answer within {timeout * 1000:.0f} ms"
            raise HoldUnknown(msg) from None
        except OSError as error:
            msg = f"{self.name}: cannot ask {self.path}: {error.strerror or error}"
            raise HoldUnknown(msg) from None
        except ValueError as error:
            raise HoldUnknown(f"{self.name}: get_tree: {error}") from None
        return holds_in_tree(tree, self.name)

    def _tree(self, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC) as sock:
            sock.settimeout(timeout)
            sock.connect(self.path)
            sock.sendall(MAGIC + struct.pack("=II", 0, GET_TREE))
            head = _read(sock, 14, deadline)
            if head[:6] != MAGIC:
                raise ValueError("not an i3-ipc reply")
            size, kind = struct.unpack_from("=II", head, 6)
            if kind != GET_TREE or size > LIMIT:
                raise ValueError(f"unexpected reply (type {kind}, {size} bytes)")
            return json.loads(_read(sock, size, deadline))


def _read(sock: socket.socket, size: int, deadline: float) -> bytes:
    data = b""
    while len(data) < size:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
        chunk = sock.recv(min(size - len(data), 1 << 20))
        if not chunk:
            msg = "the compositor closed the connection"
            raise ValueError(msg)
        data += chunk
    return data


def _nodes(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield node
    for key in ("nodes", "floating_nodes"):
        children = node.get(key)
        if isinstance(children, list):
            for child in children:
                if isinstance(child, dict):
                    yield from _nodes(child)


def holds_in_tree(tree: Any, source: str = "sway") -> tuple[Hold, ...]:
    """Full screen (the focused window) and idle inhibitors (any window) in a tree."""
    if not isinstance(tree, dict):
        raise HoldUnknown(f"{source}: get_tree replied with no tree")
    found: list[Hold] = []
    for node in _nodes(tree):
        if not isinstance(node.get("pid"), int) and not isinstance(node.get("window"), int):
            continue  # a workspace or a split, not a window
        who = _who(node)
        if node.get("focused") is True and node.get("fullscreen_mode") in (1, 2):
            found.append(Hold("fullscreen", who, said("full-screen window"), source))
        if node.get("inhibit_idle") is True:
            found.append(Hold("inhibited", who, said("idle inhibited"), source))
    return tuple(found)


def _who(node: Mapping[str, Any]) -> str:
    props = node.get("window_properties")
    x11_class = props.get("class") if isinstance(props, dict) else None
    for value in (node.get("app_id"), x11_class, node.get("name")):
        if isinstance(value, str) and value.strip():
            return value.strip()[:80]
    pid = node.get("pid")
    return f"process {pid}" if isinstance(pid, int) else "a window"
