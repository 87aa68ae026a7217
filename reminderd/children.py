"""The processes reminderd starts beside itself (a spoken line, a sound; hooks end their
own the same way, reminderd/hooks.py): each leads
a process group of its own, is ended as a group, and is never waited for by the loop.

A voice or player may ignore SIGTERM, hang, or fork a helper that outlives it. Ending one
therefore sends SIGTERM to its whole group and, if anything of the group is still there
``grace`` seconds later, SIGKILL; the loop learns when that is due from ``next_deadline``
and calls ``reap`` when it wakes, so no call here blocks. A group whose leader exited by
itself while something it started lives on is kept, and nothing outlives ``end_all`` at
shutdown (which alone may wait, at most ``grace`` seconds).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess

log = logging.getLogger("reminderd")

GRACE = 0.5  # seconds between SIGTERM and SIGKILL
# Groups whose leader has exited while something it started lives on, kept to be ended at
# shutdown; past this many, the oldest is ended at once (a command that leaves a process
# behind at every line).
MAX_LINGERING = 32


class _Child:
    """A child process group reminderd started, and how its ending goes."""

    __slots__ = ("ending", "exited", "kill_at", "lingering", "name", "process")

    def __init__(self, process: subprocess.Popen[bytes], name: str) -> None:
        self.process = process
        self.name = name
        self.kill_at: float | None = None  # monotonic: SIGKILL the group then, if still there
        self.exited: int | None = None  # the leader's exit status, once reaped
        self.ending = False  # reminderd asked it to end
        # The leader exited by itself, and something it started lives on in its group (a
        # helper a player forked; the speech server's modules, which spd-say starts in its
        # group when it starts the server). Not ended between lines, since the speech
        # server needs its modules, but at shutdown: nothing of it outlives the daemon.
        self.lingering = False


class Ended(NamedTuple):
    """A child whose leader has exited: its name, its exit status (negative: the signal
    that ended it), and whether reminderd ended it (then a non-zero status is expected)."""

    name: str
    returncode: int
    ended_by_us: bool


class Children:
    """Owns the processes started through it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, grace: float = GRACE) -> None:
        self._clock = clock
        self._grace = grace
        self._children: dict[int, _Child] = {}

    def spawn(self, argv: Sequence[str], name: str | None = None) -> subprocess.Popen[bytes]:
        """Start ``argv`` with no terminal and no output, leading a session (and so a
        process group) of its own. OSError if it cannot start."""
        import subprocess  # noqa: PLC0415 - only a daemon that speaks, plays or hooks loads it

        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._children[process.pid] = _Child(process, name or argv[0])
        return process

    def running(self, process: subprocess.Popen[bytes]) -> bool:
        """Whether ``process`` (the group's leader) has not exited yet; never waits."""
        return process.poll() is None

    def end(self, process: subprocess.Popen[bytes]) -> None:
        """End ``process`` and everything in its group: SIGTERM now, SIGKILL after the grace
        period if anything is left (see ``reap``). Never waits."""
        child = self._children.get(process.pid)
        if child is None or child.ending:
            return
        signal_group(process.pid, signal.SIGTERM)
        child.kill_at = self._clock() + self._grace
        child.ending = True

    def reap(self) -> list[Ended]:
        """Collect leaders that have exited and kill groups whose grace has run out; return
        what ended since the last call. Never waits."""
        now = self._clock()
        ended = []
        for pid, child in list(self._children.items()):
            if child.exited is None and (code := child.process.poll()) is not None:
                child.exited = code
                ended.append(Ended(child.name, code, child.ending))
            if child.kill_at is not None and now >= child.kill_at:
                # The leader may be gone while a helper it forked plays on: the whole group.
                signal_group(pid, signal.SIGKILL)
                child.kill_at = None
                if child.exited is None:
                    continue  # SIGKILL cannot be ignored: reaped on the next call
            if child.exited is not None and child.kill_at is None:
                if not child.ending and _group_alive(pid):
                    child.lingering = True
                    continue
                del self._children[pid]
        self._bound_lingering()
        return ended

    def _bound_lingering(self) -> None:
        lingering = [c for c in self._children.values() if c.lingering and not c.ending]
        for child in lingering[: max(0, len(lingering) - MAX_LINGERING)]:
            log.warning("%s left processes running after it exited; ending them", child.name)
            self.end(child.process)

    def next_deadline(self) -> float | None:
        """Monotonic time at which ``reap`` has a group to kill; None if none."""
        # A leader killed but not yet reaped is a zombie until the loop's next wake: harmless.
        return min(
            (c.kill_at for c in self._children.values() if c.kill_at is not None), default=None
        )

    def end_all(self) -> None:
        """At shutdown: end every group, wait at most the grace period, kill what is left."""
        for child in self._children.values():
            if child.exited is None or child.kill_at is not None or child.lingering:
                signal_group(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self._grace
        while any(c.process.poll() is None for c in self._children.values()):
            if time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        for pid, child in self._children.items():
            signal_group(pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                child.process.wait(1)
        self._children.clear()

    def __len__(self) -> int:
        return len(self._children)


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the group that ``pid`` leads; a group already gone is fine (hooks, which run
    in threads of their own, use it too)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _group_alive(pgid: int) -> bool:
    """Whether any process of the group ``pgid`` is still there."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # there, though not ours to signal
        return True
    return True
