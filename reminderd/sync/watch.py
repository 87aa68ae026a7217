"""Notice files arriving in the sync folder without polling: inotify, on Linux.

The kernel interface is called directly through ctypes (``inotify_init1`` and
``inotify_add_watch`` from the process's own libc; events are read with ``os.read``): about
fifty lines, and nothing else loaded into the idle daemon, which already has ctypes for
its timerfd on Pythons before 3.13. inotify_simple, the small library for this, finds libc
with ``ctypes.util.find_library``, which runs ``ldconfig`` in a subprocess and imports
``subprocess`` and ``shutil``; watchdog runs threads that wake up. Python itself has no
inotify (not in 3.13 either).

The watch's file descriptor goes into the daemon's selector: the daemon sleeps until a
file is written or renamed into the folder (a sync engine's last step), with no wake-up
while nothing happens. Where there is no inotify (macOS, Windows, a kernel without it, the
user's watches used up), or it cannot see the changes (a network file system sees only
this machine's), the daemon reads the folder when a routine falls due instead.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import struct
import sys
from pathlib import Path
from typing import NamedTuple

from reminderd.i18n.said import said

log = logging.getLogger("reminderd")

IN_CLOSE_WRITE = 0x00000008  # a file opened for writing was closed (written in place)
IN_MOVED_TO = 0x00000080  # a file was renamed into the folder (an atomic replace)
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_Q_OVERFLOW = 0x00004000  # the kernel's queue overflowed: events were lost
IN_IGNORED = 0x00008000  # the watch is gone (its folder was removed or unmounted)
IN_ONLYDIR = 0x01000000
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
MASK = IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR
_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len; then len bytes of NUL-padded name


class Changes(NamedTuple):
    """What a read of the watch found."""

    names: tuple[str, ...]  # files written or renamed into the folder
    rescan: bool = False  # events were lost: look at every file
    lost: bool = False  # the folder itself went away: the watch is over


class FolderWatch:
    """One inotify watch on one folder; ``fileno()`` goes into the daemon's selector."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    @classmethod
    def open(cls, folder: Path) -> tuple[FolderWatch | None, str]:
        """A watch on ``folder``, or None and why not (then the folder is read when a
        routine falls due)."""
        if not sys.platform.startswith("linux"):
            return None, said(
                "no inotify on this system: the folder is read when a routine falls due"
            )
        import ctypes  # noqa: PLC0415 - loaded already for the timerfd before Python 3.13

        libc = ctypes.CDLL(None, use_errno=True)  # the process's own libc; no library search
        try:
            init, add = libc.inotify_init1, libc.inotify_add_watch
        except AttributeError:
            return None, said(
                "this libc has no inotify: the folder is read when a routine falls due"
            )
        add.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        fd = init(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            return None, _why(ctypes.get_errno())
        if add(fd, os.fsencode(folder), MASK) < 0:
            code = ctypes.get_errno()
            os.close(fd)
            return None, _why(code)
        return cls(fd), said("watching the folder (inotify)")

    def fileno(self) -> int:
        return self._fd

    def read(self) -> Changes:
        """Take every event waiting; never blocks."""
        names: list[str] = []
        rescan = lost = False
        while True:
            try:
                data = os.read(self._fd, 64 * 1024)
            except BlockingIOError:
                break
            except OSError as error:
                if error.errno == errno.EINTR:
                    continue
                log.warning("sync: the folder watch failed (%s)", error)
                return Changes(tuple(names), rescan=True, lost=True)
            if not data:
                break
            offset = 0
            while offset + _HEADER.size <= len(data):
                _wd, mask, _cookie, length = _HEADER.unpack_from(data, offset)
                offset += _HEADER.size
                name = data[offset : offset + length].rstrip(b"\0")
                offset += length
                if mask & IN_Q_OVERFLOW:
                    rescan = True
                if mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED):
                    lost = True
                if name:
                    names.append(os.fsdecode(name))
        return Changes(tuple(dict.fromkeys(names)), rescan, lost)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


def _why(code: int) -> str:
    if code in (errno.ENOSPC, errno.EMFILE):
        return (
            "the system's inotify watches are used up (fs.inotify.max_user_watches and"
            " max_user_instances): the folder is read when a routine falls due"
        )
    if code == errno.ENOENT:
        return said("the folder does not exist: it is read when a routine falls due")
    return said(
        "cannot watch the folder ({error}): it is read when a routine falls due",
        error=os.strerror(code),
    )
