"""End to end: notification buttons, the history file, the event stream and hooks."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_EXERCISES, Recorder, wait_for
from tests.test_e2e_control import RunningDaemon

pytestmark = pytest.mark.e2e

ASK = '[[routines]]\nname = "asked"\nexercises = ["tick"]\nevery = "2s"\nstart = "ask"\n'


def history_rows(env: dict[str, str], *kinds: str) -> list[tuple[Any, ...]]:
    path = Path(env["XDG_DATA_HOME"]) / "reminderd" / "history.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT kind, routine, reason, seconds FROM events ORDER BY id"
        ).fetchall()
    return [row for row in rows if not kinds or row[0] in kinds]


def prompts(server: Recorder) -> list[dict[str, Any]]:
    return [n for n in server.notifications() if n["actions"]]


@pytest.fixture
def asking_daemon(user_env: dict[str, str], notification_server: Recorder, tmp_path: Path) -> Any:
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    config = tmp_path / "config.toml"
    config.write_text(ASK + TEST_EXERCISES)
    daemon = RunningDaemon(env, config)
    daemon.start()
    yield daemon
    daemon.stop()


def test_start_button_starts_the_routine(
    asking_daemon: RunningDaemon, notification_server: Recorder
) -> None:
    """With start = "ask" the reminder asks first; Start guides it in the same notification,
    and the history shows fired, asked, started, the steps and completed."""
    prompt = wait_for(lambda: prompts(notification_server))[0]
    assert prompt["summary"] == "Asked"
    assert prompt["body"] == (  # the intro included in the length
        "Time for asked (4s). Stop on pain, tingling, numbness or dizziness."
    )
    assert prompt["actions"] == [
        *("default", "Start"),  # a click on the prompt itself
        *("start", "Start", "snooze", "Snooze 10 min", "skip", "Skip"),
    ]
    assert asking_daemon.status()["asking"]["routine"] == "asked"
    notification_server.call("InvokeAction", "us", (prompt["id"], "start"))
    wait_for(
        lambda: any(n["body"] == "Done. Well done." for n in notification_server.notifications())
    )
    sent = notification_server.notifications()
    first_step = sent[sent.index(prompt) + 1]
    assert first_step["replaces_id"] == prompt["id"]  # the prompt turns into the routine
    wait_for(lambda: history_rows(asking_daemon.env, "routine.completed"))
    kinds = [row[0] for row in history_rows(asking_daemon.env) if row[1] == "asked"]
    assert kinds[:4] == ["routine.fired", "routine.asked", "routine.started", "routine.step"]
    assert kinds[kinds.index("routine.started") : kinds.index("routine.completed") + 1] == [
        "routine.started",
        *["routine.step"] * 6,
        "routine.completed",
    ]


def test_snooze_button_snoozes(asking_daemon: RunningDaemon, notification_server: Recorder) -> None:
    """Snooze 10 min withdraws the prompt and postpones the routine; the history says why."""
    prompt = wait_for(lambda: prompts(notification_server))[0]
    notification_server.call("InvokeAction", "us", (prompt["id"], "snooze"))
    wait_for(lambda: history_rows(asking_daemon.env, "routine.snoozed"))
    assert history_rows(asking_daemon.env, "routine.snoozed") == [
        ("routine.snoozed", "asked", "action", 600.0)
    ]
    status = asking_daemon.status()
    assert status["asking"] is None
    assert status["routines"][0]["snoozed_until"] is not None
    closed = [e["id"] for e in notification_server.entries() if e["method"] == "CloseNotification"]
    assert prompt["id"] in closed


def test_skip_button_skips(asking_daemon: RunningDaemon, notification_server: Recorder) -> None:
    """Skip withdraws the prompt and records the skip, with the button as the reason."""
    prompt = wait_for(lambda: prompts(notification_server))[0]
    notification_server.call("InvokeAction", "us", (prompt["id"], "skip"))
    wait_for(lambda: history_rows(asking_daemon.env, "routine.skipped"))
    assert history_rows(asking_daemon.env, "routine.skipped")[0][:3] == (
        "routine.skipped",
        "asked",
        "action",
    )
    assert not any(n["body"].startswith("Lean") for n in notification_server.notifications())


def test_dismissed_prompt_is_ignored(
    asking_daemon: RunningDaemon, notification_server: Recorder
) -> None:
    """A prompt the person closes counts as ignored."""
    prompt = wait_for(lambda: prompts(notification_server))[0]
    notification_server.call("Dismiss", "u", (prompt["id"],))
    wait_for(lambda: history_rows(asking_daemon.env, "routine.ignored"))
    assert history_rows(asking_daemon.env, "routine.ignored")[0][:3] == (
        "routine.ignored",
        "asked",
        "dismissed",
    )


def test_kill_9_mid_routine_keeps_every_recorded_row(
    user_env: dict[str, str], notification_server: Recorder, tmp_path: Path
) -> None:
    """kill -9 in the middle of a routine: every event recorded before it is still there."""
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    config = tmp_path / "config.toml"
    config.write_text(
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "1s"\n' + TEST_EXERCISES
    )
    daemon = RunningDaemon(env, config)
    daemon.start()
    assert daemon.process is not None
    wait_for(lambda: len(notification_server.notifications()) >= 4, timeout=20)
    shown = len(notification_server.notifications())
    daemon.process.kill()
    daemon.process.wait(5)
    rows = history_rows(env)
    assert [row[0] for row in rows[:3]] == ["routine.fired", "routine.started", "routine.step"]
    steps = [row for row in rows if row[0] == "routine.step"]
    assert len(steps) >= shown - 1  # at most the step being shown at the kill is missing


def test_events_reach_two_clients_in_order(
    user_env: dict[str, str], notification_server: Recorder, tmp_path: Path
) -> None:
    """`reminderd events` streams a guided routine's events, in order, to two clients at once."""
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    config = tmp_path / "config.toml"
    config.write_text(
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "1h"\n' + TEST_EXERCISES
    )
    daemon = RunningDaemon(env, config)
    daemon.start()
    readers = [
        subprocess.Popen(
            [sys.executable, "-m", "reminderd", "events", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        wait_for(lambda: daemon.log.read_text().count("a client follows the events") == 2)
        daemon.cli("run", "quick")
        streams = []
        for reader in readers:
            assert reader.stdout is not None
            lines = []
            while True:
                event = json.loads(reader.stdout.readline())
                lines.append(event)
                if event["event"] == "routine.completed":
                    break
            streams.append(lines)
    finally:
        for reader in readers:
            reader.terminate()
        for reader in readers:
            # Under coverage a client saves its data on SIGTERM first: on a loaded machine
            # that took more than 5 s once. How fast a client ends is not what this pins.
            try:
                reader.wait(15)
            except subprocess.TimeoutExpired:
                reader.kill()
                reader.wait(5)
        daemon.stop()
    kinds = [e["event"] for e in streams[0]]
    assert kinds == ["routine.started", *["routine.step"] * 6, "routine.completed"]
    assert streams[0] == streams[1]
    assert [e["index"] for e in streams[0] if e["event"] == "routine.step"] == [1, 2, 3, 4, 5, 6]
    assert all(e["routine"] == "quick" for e in streams[0])


def test_hook_runs_with_the_event_on_stdin(user_env: dict[str, str], tmp_path: Path) -> None:
    """A hook gets the event as JSON on stdin; one that outlives its timeout is stopped."""
    out = tmp_path / "hook.json"
    writer = f"import sys; open({str(out)!r}, 'a').write(sys.stdin.read())"
    config = tmp_path / "config.toml"
    config.write_text(
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "1h"\n'
        f'[[hooks]]\nevent = "routine.completed"\ncommand = [{json.dumps(sys.executable)}, "-c", {json.dumps(writer)}]\n'
        f'[[hooks]]\nevent = "routine.started"\ncommand = [{json.dumps(sys.executable)}, "-c", "import time; time.sleep(30)"]\n'
        'timeout = "1s"\n' + TEST_EXERCISES
    )
    daemon = RunningDaemon(user_env, config)
    daemon.start()
    try:
        daemon.cli("run", "quick")
        event = json.loads(wait_for(lambda: out.exists() and out.read_text(), timeout=20))
        assert (event["event"], event["routine"], event["exercise_seconds"]) == (
            "routine.completed",
            "quick",
            3.0,
        )
        wait_for(lambda: "was stopped after 1 s" in daemon.log.read_text())
    finally:
        daemon.stop()
