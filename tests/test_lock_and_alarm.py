"""The one-daemon lock and the wall-clock alarm, on this machine's real kernel: flock on
a file, and a timerfd read through select."""

from __future__ import annotations

import os
import select
import sys
import time
from pathlib import Path

import pytest

from reminderd import wake
from reminderd.errors import AlreadyRunningError, StateError
from reminderd.lock import PidLock, is_locked, read_pid
from reminderd.wake import WallAlarm


def test_a_second_lock_names_the_first_holder(tmp_path: Path) -> None:
    """Two locks on one file (two open file descriptions, as two daemons would have): the
    second is refused with the first one's pid; after release the file is free again."""
    path = tmp_path / "lock"
    first = PidLock(path)
    first.acquire()
    assert read_pid(path) == os.getpid()
    assert is_locked(path)
    second = PidLock(path)
    with pytest.raises(AlreadyRunningError, match=f"already running \\(pid {os.getpid()}\\)"):
        second.acquire()
    first.release()
    first.release()  # twice is harmless
    assert not is_locked(path)
    assert read_pid(path) is None  # emptied on release
    second.acquire()
    second.release()


def test_a_lock_that_cannot_be_opened_says_where(tmp_path: Path) -> None:
    """A lock path in a folder that does not exist: StateError naming it."""
    path = tmp_path / "missing" / "lock"
    with pytest.raises(StateError, match=f"cannot open {path}"):
        PidLock(path).acquire()


def test_pid_and_lock_state_of_odd_files(tmp_path: Path) -> None:
    """A missing file, garbage in it, or a folder where the file should be: no pid and not
    locked, never an exception."""
    missing = tmp_path / "none"
    assert read_pid(missing) is None
    assert not is_locked(missing)
    garbage = tmp_path / "garbage"
    garbage.write_text("not a pid\n")
    assert read_pid(garbage) is None
    assert not is_locked(garbage)
    folder = tmp_path / "folder"
    folder.mkdir()
    assert read_pid(folder) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="timerfd is Linux")
def test_the_alarm_rings_on_time_and_drains() -> None:
    """Armed 50 ms ahead, the timerfd becomes readable within a few ms of it; drain reads
    the expiry (not a clock change), and with nothing pending drain says so."""
    alarm = WallAlarm.create()
    assert alarm is not None
    try:
        assert alarm.drain() is False  # nothing pending yet
        start = time.monotonic()
        alarm.arm(time.time() + 0.05, time.time())
        ready, _, _ = select.select([alarm], [], [], 2)
        waited = time.monotonic() - start
        assert ready == [alarm]
        assert 0.04 <= waited < 0.5
        assert alarm.drain() is False  # an expiry, not a clock change
    finally:
        alarm.close()
        alarm.close()  # twice is harmless


def test_no_alarm_where_there_is_no_timerfd(monkeypatch: pytest.MonkeyPatch) -> None:
    """On macOS and Windows (simulated by the platform name) there is no alarm: the loop
    then wakes at least every few minutes instead."""
    monkeypatch.setattr(sys, "platform", "darwin")
    assert WallAlarm.create() is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="timerfd is Linux")
def test_the_ctypes_timerfd_and_the_os_one_agree() -> None:
    """Python before 3.13 reaches timerfd through libc with ctypes; 3.13 has it in os. The
    ctypes one is armed and read like the other."""
    fd, settime = wake._libc_timerfd()
    alarm = WallAlarm(fd, settime)
    try:
        alarm.arm(time.time() + 0.03, time.time())
        ready, _, _ = select.select([alarm], [], [], 2)
        assert ready == [alarm]
    finally:
        alarm.close()
    if not hasattr(os, "timerfd_create"):
        pytest.skip("this Python has no os.timerfd_create (3.13+)")
    fd, settime = wake._os_timerfd()
    alarm = WallAlarm(fd, settime)
    try:
        alarm.arm(time.time() + 0.03, time.time())
        ready, _, _ = select.select([alarm], [], [], 2)
        assert ready == [alarm]
    finally:
        alarm.close()
