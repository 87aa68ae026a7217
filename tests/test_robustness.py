"""Robustness: fuzzed configs, a notification server that vanishes, a state folder that
is full or read-only. Nothing crashes, nothing already stored is damaged."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reminderd.config import MAX_STEPS, load_config
from reminderd.core.simulate import simulate
from reminderd.errors import ConfigError
from reminderd.exercises import routine_steps
from reminderd.model import EVENT_NAMES, Config
from tests.conftest import ROOT, TEST_EXERCISES, Recorder, wait_for
from tests.test_e2e_control import RunningDaemon

RICH = (
    (ROOT / "config" / "examples" / "office-week.toml").read_text()
    + """
[notifications]
backend = "console"

[[hooks]]
event = "routine.completed"
command = ["true"]
timeout = "5s"

[[exercises]]
id = "squeeze"
title = "Squeeze"
sides = ["right", "left"]
sets = 2
reps = 3
hold = "4s"
rest = 10
rep_label = "squeeze"
setup = { text = "Sit tall.", seconds = 3 }
steps = [{ text = "Squeeze {side}." }, { text = "Let go.", seconds = 1 }]
"""
)
VALID = [
    (ROOT / "config" / "default.toml").read_text(),
    (ROOT / "config" / "examples" / "minimal.toml").read_text(),
    RICH,
]

toml_scalar = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["nan", "inf", "-inf"]),
    st.booleans().map(lambda b: "true" if b else "false"),
    st.text(max_size=20).map(json.dumps),
    st.sampled_from(
        [
            '"45m"',
            '"0s"',
            '"1h30m"',
            '"25:00"',
            '"09:00-12:30"',
            '"18:00-09:00"',
            '"mon"',
            '"weekdays"',
            '"ask"',
            '"console"',
            '"{side}"',
            '"{nope}"',
            "1979-05-27",
            "07:32:00",
            "1979-05-27T07:32:00Z",
            '""',
            '"   "',
            "0",
            "-1",
            "1e400",
        ]
    ),
)
toml_value = st.recursive(
    toml_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(
            st.sampled_from(["text", "seconds", "id", "x", "every"]), inner, max_size=3
        ).map(lambda table: "{" + ", ".join(f"{k} = {v}" for k, v in table.items()) + "}"),
    ),
    max_leaves=6,
)
VALUE = re.compile(r"(?m)^(\s*[A-Za-z_.\"]+\s*=\s*)(.+)$")


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid config with a few random mutations of its values, lines or characters."""
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.sampled_from(["value", "value", "delete", "insert", "line"]))
        if kind == "value":
            matches = list(VALUE.finditer(text))
            if matches:
                match = draw(st.sampled_from(matches))
                text = text[: match.start(2)] + draw(toml_value) + text[match.end(2) :]
        elif kind == "delete" and text:
            start = draw(st.integers(min_value=0, max_value=len(text) - 1))
            text = text[:start] + text[start + draw(st.integers(min_value=1, max_value=20)) :]
        elif kind == "insert":
            at = draw(st.integers(min_value=0, max_value=len(text)))
            text = (
                text[:at]
                + draw(st.text(alphabet="[]{}\"'=,.#\n abcx019:-_", max_size=12))
                + text[at:]
            )
        else:
            lines = text.splitlines()
            if lines:
                line = draw(st.sampled_from(lines))
                text = text + "\n" + line + "\n"
    return text


@given(mutated())
def test_fuzzed_configs_load_or_raise_config_error(text: str) -> None:
    """A mutated config either loads or raises ConfigError with located problems; never
    anything else, never a hang."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_text(text, encoding="utf-8")
        try:
            config: Config | None = load_config(path)
        except ConfigError as error:
            problems = error.problems
            config = None
        if config is None:
            assert problems
            assert all(str(problem).startswith(str(path)) for problem in problems)
        else:
            assert config.routines
            fire_a_day(config)


def fire_a_day(config: Config) -> None:
    """A config that passes `check` runs: every routine expands, and a simulated day of the
    real core fires and guides them."""
    for routine in config.routines:
        steps = routine_steps(routine, config.exercises)
        assert len(steps) <= 2 + MAX_STEPS * len(routine.exercises)
    start = datetime(2026, 11, 23, tzinfo=timezone.utc)
    events = simulate(config, start, start + timedelta(days=1))
    assert all(event.kind in EVENT_NAMES for event in events)


def test_valid_seeds_load() -> None:
    """The configs the fuzzer starts from are valid, so mutations are what it tests."""
    for text in VALID:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "config.toml"
            path.write_text(text)
            load_config(path)


# -- the notification server vanishes ------------------------------------------------------


LONG = """
[[routines]]
name = "long"
exercises = ["ticks"]
every = "1h"

[[exercises]]
id = "ticks"
title = "Ticks"
reps = 14
steps = [{ text = "Tick.", seconds = 0.5 }]
"""


@pytest.mark.e2e
def test_server_vanishes_mid_routine_and_comes_back(
    user_env: dict[str, str], notification_server: Recorder, tmp_path: Path
) -> None:
    """The notification server dies in the middle of a routine: the daemon logs it, guides on
    in the console, uses the server again when it returns, and completes the routine."""
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    config = tmp_path / "config.toml"
    config.write_text(LONG)
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        daemon.cli("run", "long")
        wait_for(lambda: len(notification_server.notifications()) >= 3)
        notification_server.stop()
        wait_for(lambda: "notification failed" in daemon.log.read_text(), timeout=10)
        notification_server.start()
        wait_for(
            lambda: "notifications work again through freedesktop" in daemon.log.read_text(),
            timeout=15,
        )
        wait_for(
            lambda: any(
                n["body"] == "Done. Well done." for n in notification_server.notifications()
            ),
            15,
        )
        log = daemon.log.read_text()
        assert "Ticks · rep " in log  # the steps the server missed went to the console (the log)
        assert daemon.status()["running"] is True
        rows = _history(env, "routine.completed")
        assert rows == [("routine.completed", "long")]
    finally:
        daemon.stop()


def _history(env: dict[str, str], kind: str) -> list[tuple[str, str]]:
    path = Path(env["XDG_DATA_HOME"]) / "reminderd" / "history.sqlite3"
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return db.execute("SELECT kind, routine FROM events WHERE kind = ?", (kind,)).fetchall()


# -- a full or read-only state folder -------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs of our own (needs root and mount); skipped where it cannot be made."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a small tmpfs (a full disk cannot be faked otherwise)")
    folder = tmp_path / "disk"
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> None:
    with (folder / "filler").open("wb") as filler, contextlib.suppress(OSError):
        while True:
            filler.write(b"\0" * 65536)
            filler.flush()


def read_only(folder: Path) -> None:
    """Make ``folder`` read-only, even for root (chattr +i), or skip."""
    if os.geteuid() != 0:
        folder.chmod(0o500)
        return
    if (
        not shutil.which("chattr")
        or subprocess.run(["chattr", "+i", str(folder)], check=False).returncode
    ):
        pytest.skip("root ignores permissions, and chattr +i does not work here")


def writable(folder: Path) -> None:
    if os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(folder)], check=False, capture_output=True)
    if folder.exists():
        folder.chmod(0o700)


def broken_state_test(
    env: dict[str, str], tmp_path: Path, state: Path, data: Path, damage: object
) -> None:
    """Store a state and a history, damage the folders, and check that the daemon goes on."""
    env = {**env, "XDG_STATE_HOME": str(state), "XDG_DATA_HOME": str(data)}
    config = tmp_path / "config.toml"
    config.write_text(
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "1h"\n' + TEST_EXERCISES
    )
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        daemon.cli("pause", "2h")
        daemon.cli("resume")
        state_file = state / "reminderd" / "state.json"
        saved = state_file.read_text()
        assert json.loads(saved)["paused_until"] is None
        rows_before = _history(env, "daemon.resumed")
        assert rows_before
        damage(state / "reminderd")  # type: ignore[operator]
        result = daemon.cli("snooze", "quick", "5m")
        assert result.returncode == 0, result.stderr
        assert result.stderr.startswith("Warning: cannot write ")
        assert result.stderr.rstrip().endswith("it will not survive a restart")
        assert daemon.cli("run", "quick").returncode == 0
        assert daemon.status()["running"] is True
        assert "the pause, snoozes and skips will not survive a restart" in daemon.log.read_text()
        assert state_file.read_text() == saved  # the last good state, whole
        assert _history(env, "daemon.resumed") == rows_before  # the history, readable and whole
        assert "Traceback" not in daemon.log.read_text()
    finally:
        daemon.stop()


@pytest.mark.e2e
def test_full_state_folder(user_env: dict[str, str], small_disk: Path, tmp_path: Path) -> None:
    """A full disk under the state and data folders: a clear warning, the daemon goes on,
    the state file and the history are intact."""
    broken_state_test(
        user_env,
        tmp_path,
        small_disk / "state",
        small_disk / "data",
        lambda _folder: fill(small_disk),
    )


@pytest.mark.e2e
def test_read_only_state_folder(user_env: dict[str, str], tmp_path: Path) -> None:
    """A read-only state folder: a clear warning, the daemon goes on, the state file is intact."""
    state = tmp_path / "state"
    try:
        broken_state_test(user_env, tmp_path, state, tmp_path / "data", read_only)
    finally:
        writable(state / "reminderd")
