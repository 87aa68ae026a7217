"""Wake up at a wall-clock time, across a suspend, and when the clock is changed.

``select`` timeouts run on the monotonic clock, which stops while the machine sleeps: a
loop that sleeps "45 minutes" and is suspended for a night wakes 45 waking minutes after
it fell asleep. On Linux a timerfd on CLOCK_REALTIME fires at the wall-clock deadline
instead (at once on resume, if it passed meanwhile), and with TFD_TIMER_CANCEL_ON_SET it
also wakes the loop when the clock is set or the machine resumes. Elsewhere the loop
caps its sleep instead (see ``daemon.MAX_SLEEP``).

Python 3.13 has ``os.timerfd_create``; before that, libc is called through ctypes.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import math
import os
import sys
from collections.abc import Callable

log = logging.getLogger("reminderd")

CLOCK_REALTIME = 0
TFD_NONBLOCK = 0o4000
TFD_CLOEXEC = 0o2000000
TFD_TIMER_ABSTIME = 1
TFD_TIMER_CANCEL_ON_SET = 2
FAR_AWAY = 365 * 24 * 3600  # armed this far ahead when nothing is due, to keep cancel-on-set

SetTime = Callable[[int, int, float], None]


def _libc_timerfd() -> tuple[int, SetTime]:
    """timerfd through libc, for Pythons before 3.13."""
    import ctypes  # noqa: PLC0415

    class Timespec(ctypes.Structure):
        _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]

    class Itimerspec(ctypes.Structure):
        _fields_ = [("it_interval", Timespec), ("it_value", Timespec)]

    libc = ctypes.CDLL(None, use_errno=True)  # the process's own libc; no library search
    libc.timerfd_create.argtypes = [ctypes.c_int, ctypes.c_int]
    libc.timerfd_settime.argtypes = [
        ctypes.c_int,
        ctypes.c_int,
        ctypes.POINTER(Itimerspec),
        ctypes.c_void_p,
    ]
    fd = libc.timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC)
    if fd < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))

    def settime(fd: int, flags: int, when: float) -> None:
        whole = int(when)
        spec = Itimerspec(Timespec(0, 0), Timespec(whole, int((when - whole) * 1e9)))
        if libc.timerfd_settime(fd, flags, ctypes.byref(spec), None) != 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))

    return fd, settime


def _os_timerfd() -> tuple[int, SetTime]:  # pragma: no cover - Python 3.13+ only
    create = getattr(os, "timerfd_create")  # noqa: B009 - Python 3.13+
    settime_ns = getattr(os, "timerfd_settime_ns")  # noqa: B009
    fd = create(CLOCK_REALTIME, flags=TFD_NONBLOCK | TFD_CLOEXEC)

    def settime(fd: int, flags: int, when: float) -> None:
        settime_ns(fd, flags=flags, initial=int(when * 1e9))

    return fd, settime


class WallAlarm:
    """A Linux timerfd on the wall clock; its file descriptor goes into the loop's selector."""

    def __init__(self, fd: int, settime: SetTime) -> None:
        self._fd = fd
        self._settime = settime

    @classmethod
    def create(cls) -> WallAlarm | None:
        """A new alarm, or None where timerfd is not available (macOS, Windows, old kernels)."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            fd, settime = _os_timerfd() if hasattr(os, "timerfd_create") else _libc_timerfd()
        except (OSError, AttributeError) as error:
            log.debug("no timerfd: %s", error)
            return None
        return cls(fd, settime)

    def fileno(self) -> int:
        return self._fd

    def arm(self, when: float | None, now: float) -> None:
        """Fire at the Unix time ``when`` (None: nothing due, but still watch the clock)."""
        far = now + FAR_AWAY
        # Clamped: a deadline beyond a year (or not a number) would overflow the kernel's
        # timespec; the loop wakes before then anyway and arms again.
        target = far if when is None or not math.isfinite(when) else min(when, far)
        try:
            self._settime(self._fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, max(target, 1e-9))
        except (OSError, OverflowError, ValueError) as error:
            log.debug("timerfd_settime failed: %s", error)

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
