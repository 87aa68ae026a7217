"""End to end: two daemons with separate homes, standing for two computers, share one
sync folder: a routine done on one moves the other's next time, one in progress on one is
not started on the other, a pause can be shared, `stats` and `history` cover both, and
what sync engines leave in the folder is skipped."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXERCISES_ONLY, FAST_GUIDANCE, reminderd, wait_for
from tests.test_e2e_control import RunningDaemon

pytestmark = pytest.mark.e2e

LONG = """
[[exercises]]
id = "long"
title = "Long stretch"

[[exercises.steps]]
text = "Hold still."
seconds = 4
"""


def config(folder: Path, machine: str, every: str, exercise: str = "tick") -> str:
    return (
        f'[[routines]]\nname = "quick"\nexercises = ["{exercise}"]\nevery = "{every}"\n\n'
        f'[sync]\nfolder = "{folder}"\nmachine = "{machine}"\n'
        + FAST_GUIDANCE
        + EXERCISES_ONLY
        + LONG
    )


class Machine(RunningDaemon):
    """One computer: a home of its own, a daemon, and the CLI pointed at both."""

    def __init__(
        self, env: dict[str, str], folder: Path, name: str, every: str, exercise: str = "tick"
    ) -> None:
        home = Path(env["HOME"])
        home.mkdir(parents=True, exist_ok=True)
        path = home / "config.toml"
        path.write_text(config(folder, name, every, exercise))
        super().__init__(env, path)
        self.name = name

    def cli(self, *args: str) -> Any:
        return reminderd(*args, env=self.env)

    def routine(self) -> dict[str, Any]:
        return dict(self.status()["routines"][0])

    def history(self, *kinds: str) -> list[tuple[Any, ...]]:
        path = Path(self.env["XDG_DATA_HOME"]) / "reminderd" / "history.sqlite3"
        if not path.exists():
            return []
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = db.execute(
                "SELECT kind, routine, reason, ts, data FROM events ORDER BY id"
            ).fetchall()
        return [row for row in rows if row[0] in kinds]

    def log_lines(self, text: str) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if text in line]


def machine_env(user_env: dict[str, str], root: Path, runtime: Path, name: str) -> dict[str, str]:
    home = root / name
    run = runtime / name
    run.mkdir(mode=0o700)
    return {
        **user_env,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_RUNTIME_DIR": str(run),
    }


@pytest.fixture
def two(
    user_env: dict[str, str], tmp_path: Path, short_tmp: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Machine, Machine]]:
    """Machines a and b sharing one folder; `every` of each from the test's parameters."""
    every_a, every_b, exercise = getattr(request, "param", ("1h", "1h", "tick"))
    folder = tmp_path / "Sync" / "reminderd"
    a = Machine(machine_env(user_env, tmp_path, short_tmp, "a"), folder, "a", every_a, exercise)
    b = Machine(machine_env(user_env, tmp_path, short_tmp, "b"), folder, "b", every_b, exercise)
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()


def presence(folder: Path, machine: str) -> dict[str, Any]:
    return dict(json.loads((folder / f"{machine}.presence.json").read_text()))


def test_a_routine_done_on_one_machine_moves_the_others_next_time(
    two: tuple[Machine, Machine],
) -> None:
    """Done on a: b's interval restarts from a's end, `status` and `list` on b say so;
    `stats` and `history` on b cover both machines, with --machine to pick one; garbage,
    conflict copies, partial downloads and files from the future in the folder are each
    skipped with one log line, and b goes on."""
    a, b = two
    folder = Path(a.env["HOME"]).parent / "Sync" / "reminderd"
    assert a.cli("run", "quick").returncode == 0
    assert b.cli("run", "quick").returncode == 0  # each machine guides one at once
    moved = wait_for(lambda: (r := b.routine())["done_elsewhere"] and r, timeout=20)
    done = datetime.fromisoformat(presence(folder, "a")["done"]["quick"])
    assert moved["done_elsewhere"]["machine"] == "a"
    next_time = datetime.fromisoformat(moved["next"])
    assert abs((next_time - (done + timedelta(hours=1))).total_seconds()) < 1  # from a's end
    shown = b.cli("status").stdout
    assert f"  quick: done on a at {done:%H:%M}, next at " in shown
    assert "Sync: " in shown
    assert "a: last active" in shown
    listed = b.cli("list", "--config", str(b.config)).stdout
    assert f"done on a at {done:%H:%M}" in listed

    wait_for(lambda: b.history("routine.completed"))
    stats = json.loads(b.cli("stats", "--json", "--days", "1", "--config", str(b.config)).stdout)
    assert set(stats["machines"]) == {"a", "b"}
    assert stats["days"][0]["played"] == 2  # no idle source here: each one "played"
    assert [stats["machines"][m]["days"][0]["played"] for m in ("a", "b")] == [1, 1]
    only_a = json.loads(
        b.cli("stats", "--json", "--days", "1", "--machine", "a", "--config", str(b.config)).stdout
    )
    assert (only_a["machine"], only_a["days"][0]["played"]) == ("a", 1)
    lines = b.cli("history", "--config", str(b.config)).stdout.splitlines()
    assert {line.split()[2] for line in lines} == {"a", "b"}
    text = b.cli("stats", "--days", "1", "--config", str(b.config)).stdout
    assert "By machine:" in text
    unknown = b.cli("history", "--machine", "c", "--config", str(b.config))
    assert unknown.returncode == 1
    assert unknown.stderr == 'Error: no history of a machine "c" (machines: a, b)\n'

    # What sync engines and broken machines leave in the folder.
    good = (folder / "a.presence.json").read_text()
    future = json.loads(good) | {
        "machine": "c",
        "written": (datetime.now().astimezone() + timedelta(hours=3)).isoformat(),
    }
    strays = {
        "a.presence.sync-conflict-20261123-100500-ABCDEF7.json": good,
        ".syncthing.a.presence.json.tmp": good[:30],
        "d.presence.json": "\x00garbage",
        "c.presence.json": json.dumps(future),
        "e.presence.json": good.replace('"a"', '"e"')[:50],
    }
    for name, text in strays.items():
        (folder / name).write_text(text)
        os.utime(folder / name)
    assert a.cli("pause", "--everywhere", "1m").returncode == 0  # a's news still arrives
    wait_for(lambda: b.status()["paused"])
    for name in strays:
        assert len(b.log_lines(f"skipped {name} ")) == 1, name
    assert b.answers()


@pytest.mark.parametrize("two", [("1h", "3s", "long")], indirect=True)
def test_a_routine_in_progress_on_one_machine_is_not_started_on_the_other(
    two: tuple[Machine, Machine],
) -> None:
    """While a guides the routine, it falls due on b and waits ("in progress on a"); when
    a has done it, b counts its interval from a's end instead of firing it."""
    a, b = two
    assert a.cli("run", "quick").returncode == 0
    wait_for(lambda: b.routine()["running_elsewhere"])
    wait_for(lambda: b.history("routine.held"), timeout=10)
    held = b.history("routine.held")[0]
    assert (held[2], json.loads(held[4])) == ("elsewhere", {"machine": "a"})
    assert "(waiting: in progress on another machine)" in b.cli("status").stdout
    wait_for(lambda: b.routine()["done_elsewhere"], timeout=20)
    done_at = datetime.fromisoformat(b.routine()["done_elsewhere"]["at"])
    fired = b.history("routine.fired")
    assert all(row[3] >= done_at.timestamp() + 2.5 for row in fired)  # none while a was at it


def test_pause_everywhere_and_resume_anywhere(two: tuple[Machine, Machine]) -> None:
    """`pause --everywhere` on a pauses b; `resume` on b resumes a too."""
    a, b = two
    result = a.cli("pause", "--everywhere", "1h")
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("Your other machines pause too.\n")
    wait_for(lambda: b.status()["paused"])
    assert b.status()["sync"]["paused_by"] == "a"
    assert "(pause --everywhere on a)" in b.cli("status").stdout
    assert b.cli("resume").stdout == "Resumed.\n"
    wait_for(lambda: not a.status()["paused"])
    a.cli("pause", "10m")  # a pause of a alone stays there
    assert not b.status()["paused"]
