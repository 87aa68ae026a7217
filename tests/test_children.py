"""Voices, sounds and hooks are owned: ended as a whole process group, never waited for."""

from __future__ import annotations

import os
import time
from pathlib import Path

from reminderd.children import Children
from tests.conftest import wait_for

# A voice that ignores SIGTERM and a player that forks a helper which plays on: the two
# ways a child of the daemon could otherwise outlive `stop` or hang it.
STUBBORN = "trap '' TERM; echo $$ > {pid}; while :; do sleep 0.05; done"
FORKING = "sh -c 'trap \"\" TERM; echo $$ > {pid}; while :; do sleep 0.05; done' & wait"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[1].startswith("Z"))


def started(path: Path) -> int:
    wait_for(lambda: path.exists() and path.read_text().strip())
    return int(path.read_text())


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    """`end` never waits: it sends SIGTERM, and `reap` after the grace period sends SIGKILL
    to a child that ignored it; the loop learns that moment from `next_deadline`."""
    now = [100.0]
    children = Children(clock=lambda: now[0], grace=0.5)
    process = children.spawn(["sh", "-c", STUBBORN.format(pid=tmp_path / "pid")])
    started(tmp_path / "pid")
    assert children.next_deadline() is None
    before = time.monotonic()
    children.end(process)
    assert time.monotonic() - before < 0.2  # returned at once (a loose bound: never a wait)
    assert children.next_deadline() == 100.5
    time.sleep(0.2)
    assert children.reap() == []  # inside the grace period: still there, as it chose
    assert process.poll() is None
    now[0] = 100.5
    children.reap()
    wait_for(lambda: process.poll() is not None)
    ended = children.reap()
    assert [(e.returncode, e.ended_by_us) for e in ended] == [(-9, True)]
    assert len(children) == 0


def test_ending_a_child_ends_what_it_forked(tmp_path: Path) -> None:
    """A player that forked a helper: the helper goes with it, since the group is signalled."""
    now = [0.0]
    children = Children(clock=lambda: now[0], grace=0.5)
    process = children.spawn(["sh", "-c", FORKING.format(pid=tmp_path / "pid")])
    helper = started(tmp_path / "pid")
    children.end(process)
    now[0] = 1.0
    children.reap()
    wait_for(lambda: not alive(helper))
    wait_for(lambda: process.poll() is not None)


def test_nothing_outlives_end_all(tmp_path: Path) -> None:
    """At shutdown every group is ended, stubborn ones killed after the grace period."""
    children = Children(grace=0.2)
    pids = []
    for n in range(3):
        children.spawn(["sh", "-c", FORKING.format(pid=tmp_path / f"pid{n}")])
        pids.append(started(tmp_path / f"pid{n}"))
    children.end_all()
    wait_for(lambda: not any(alive(pid) for pid in pids))
    assert len(children) == 0


def test_a_child_that_ends_by_itself_is_reported_once(tmp_path: Path) -> None:
    """A line spoken to its end is collected by `reap` with its status, once."""
    children = Children()
    process = children.spawn(["sh", "-c", "exit 3"], name="voice")
    wait_for(lambda: process.poll() is not None)
    assert [(e.name, e.returncode, e.ended_by_us) for e in children.reap()] == [("voice", 3, False)]
    assert children.reap() == []
    assert len(children) == 0


def test_a_leader_that_exits_leaving_a_helper_is_kept_until_end_all(tmp_path: Path) -> None:
    """A player that forks a helper and exits by itself: reap reports its exit but keeps
    its group (the helper lives on), and end_all ends the helper too."""
    children = Children(grace=0.2)
    children.spawn(["sh", "-c", FORKING.replace("& wait", "& exit 0").format(pid=tmp_path / "p")])
    helper = started(tmp_path / "p")
    wait_for(lambda: [(e.returncode, e.ended_by_us) for e in children.reap()] == [(0, False)])
    assert children.reap() == []
    assert len(children) == 1  # kept: the helper plays on
    assert alive(helper)
    children.end_all()
    wait_for(lambda: not alive(helper))
    assert len(children) == 0
