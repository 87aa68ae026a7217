"""A camera opened directly (V4L2): a process of this user holds ``/dev/video*`` open.

Programs that open the camera themselves (older Zoom, Skype, guvcview, OpenCV) never show
in PipeWire. The kernel shows them in ``/proc/PID/fd``: a link to ``/dev/videoN``. Only
this user's processes are looked at (another user's camera is not this person's call),
and the daemon itself is left out. ``prefix`` is a seam for the tests, which have no
camera: they hold a stand-in file open under a folder of their own.

A machine without a video device is answered at once; with one, the walk costs about a
millisecond per hundred processes (bench/run.py).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from reminderd.holds.port import Hold, HoldUnknown, SourceReason
from reminderd.i18n.said import said

PREFIX = "/dev/video"


class V4l2Camera:
    """Processes of this user with a video device open."""

    name = "v4l2"
    reasons: frozenset[SourceReason] = frozenset({"call"})
    spawns = False

    def __init__(self, prefix: str = PREFIX, proc: Path = Path("/proc")) -> None:
        self.prefix = prefix
        self.proc = proc
        self.uid = os.getuid()
        self.own = os.getpid()

    def start(self) -> None:
        """Nothing to start: the question is a walk of /proc in-process."""

    def answer(self, timeout: float) -> tuple[Hold, ...]:
        deadline = time.monotonic() + timeout
        if not self._devices():
            return ()  # no camera on this machine: nothing to walk /proc for
        try:
            entries = os.listdir(self.proc)
        except OSError as error:
            raise HoldUnknown(f"v4l2: cannot read {self.proc}: {error.strerror}") from None
        found: list[Hold] = []
        for entry in entries:
            if not entry.isdigit() or int(entry) == self.own:
                continue
            if time.monotonic() > deadline:
                msg = f"v4l2: walking {self.proc} took longer than {timeout * 1000:.0f} ms"
                raise HoldUnknown(msg)
            device = self._device_of(self.proc / entry)
            if device is not None:
                who = _comm(self.proc / entry) or f"process {entry}"
                detail = said("camera in use ({device})", device=device)
                found.append(Hold("call", who, detail, self.name))
        return tuple(found)

    def _device_of(self, process: Path) -> str | None:
        """The video device this process holds open, if it is this user's and has one."""
        try:
            if os.stat(process).st_uid != self.uid:
                return None
            fds = os.scandir(process / "fd")
        except OSError:  # gone, or not ours to read
            return None
        with fds:
            for fd in fds:
                try:
                    target = os.readlink(fd.path)
                except OSError:
                    continue
                if target.startswith(self.prefix):
                    return target
        return None

    def _devices(self) -> list[str]:
        """The video devices there are (``/dev/video0``, ...), from their folder."""
        folder, _, stem = self.prefix.rpartition("/")
        try:
            return [name for name in os.listdir(folder or "/") if name.startswith(stem)]
        except OSError:
            return []


def _comm(process: Path) -> str:
    try:
        return (process / "comm").read_text(errors="replace").strip()
    except OSError:
        return ""
