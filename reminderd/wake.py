"""Wake up at a wall-clock time, across a suspend, and when the clock is changed.

``select`` timeouts run on the monotonic clock, which stops while the machine sleeps: a
loop that sleeps "45 minutes" and is suspended for a night wakes 45 waking minutes after
it fell asleep. On Linux a timerfd on CLOCK_REALTIME fires at the wall-clock deadline
instead (at once on resume, if it passed meanwhile), and with TFD_TIMER_CANCEL_ON_SET it
also wakes the loop when the clock is set or the machine resumes. Elsewhere the loop
caps its sleep instead (see ``daemon.MAX_SLEEP``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import logging
import os
import sys
from typing import Any

log = logging.getLogger("reminderd")

CLOCK_REALTIME = 0
TFD_NONBLOCK = 0o4000
TFD_CLOEXEC = 0o2000000
TFD_TIMER_ABSTIME = 1
TFD_TIMER_CANCEL_ON_SET = 2
FAR_AWAY = 365 * 24 * 3600  # armed this far ahead when nothing is due, to keep cancel-on-set


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


class WallAlarm:
    """A Linux timerfd on the wall clock; its file descriptor goes into the loop's selector."""

    def __init__(self, libc: Any, fd: int) -> None:
        self._libc = libc
        self._fd = fd

    @classmethod
    def create(cls) -> WallAlarm | None:
        """A new alarm, or None where timerfd is not available (macOS, Windows, old kernels)."""
        if not sys.platform.startswith("linux"):
            return None
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name, use_errno=True)
            libc.timerfd_create.argtypes = [ctypes.c_int, ctypes.c_int]
            libc.timerfd_settime.argtypes = [
                ctypes.c_int,
                ctypes.c_int,
                ctypes.POINTER(_Itimerspec),
                ctypes.c_void_p,
            ]
            fd = libc.timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC)
        except (OSError, AttributeError) as error:
            log.debug("no timerfd: %s", error)
            return None
        if fd < 0:
            log.debug("no timerfd: %s", os.strerror(ctypes.get_errno()))
            return None
        return cls(libc, fd)

    def fileno(self) -> int:
        return self._fd

    def arm(self, when: float | None, now: float) -> None:
        """Fire at the Unix time ``when`` (None: nothing due, but still watch the clock)."""
        target = when if when is not None else now + FAR_AWAY
        whole = int(target)
        spec = _Itimerspec(_Timespec(0, 0), _Timespec(whole, int((target - whole) * 1e9)))
        flags = TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET
        if self._libc.timerfd_settime(self._fd, flags, ctypes.byref(spec), None) != 0:
            log.debug("timerfd_settime failed: %s", os.strerror(ctypes.get_errno()))

    def drain(self) -> bool:
        """Consume the wake-up; True if it came from a clock change or a resume."""
        try:
            os.read(self._fd, 8)
        except BlockingIOError:
            return False
        except OSError as error:
            if error.errno == errno.ECANCELED:
                return True
            raise
        return False

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)
