"""The wall-clock alarm on Linux: far-off or non-finite deadlines are clamped, never raised."""

from __future__ import annotations

import ctypes
import math
import sys
import time

import pytest

from reminderd.wake import FAR_AWAY, WallAlarm

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="timerfd is Linux")


@pytest.mark.parametrize("when", [1e30, math.inf, math.nan, 2.0**63])
def test_far_or_non_finite_deadline_is_armed_at_most_a_year_ahead(when: float) -> None:
    """Arming beyond a year, at infinity or at NaN arms the timerfd for a year at most."""
    alarm = WallAlarm.create()
    assert alarm is not None
    try:
        now = time.time()
        alarm.arm(when, now)
        remaining = _remaining(alarm.fileno())
        assert 0 < remaining <= FAR_AWAY + 1
        assert remaining > FAR_AWAY - 60
    finally:
        alarm.close()


def test_near_deadline_is_armed_as_given() -> None:
    """A deadline ten seconds away is armed ten seconds away, not clamped."""
    alarm = WallAlarm.create()
    assert alarm is not None
    try:
        now = time.time()
        alarm.arm(now + 10, now)
        assert 8 < _remaining(alarm.fileno()) <= 10
    finally:
        alarm.close()


def _remaining(fd: int) -> float:
    """Seconds until the timerfd fires, read back from the kernel."""

    class Timespec(ctypes.Structure):
        _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]

    class Itimerspec(ctypes.Structure):
        _fields_ = [("it_interval", Timespec), ("it_value", Timespec)]

    libc = ctypes.CDLL(None, use_errno=True)
    spec = Itimerspec()
    assert libc.timerfd_gettime(fd, ctypes.byref(spec)) == 0
    seconds: int = spec.it_value.tv_sec
    nanoseconds: int = spec.it_value.tv_nsec
    return seconds + nanoseconds / 1e9
