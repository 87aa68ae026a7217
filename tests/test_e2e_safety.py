"""The safety note at the first start, by every route: in the foreground (as systemd starts
it, with no terminal to read), detached, and at login with no notification server yet; and
`service install` prints it. A real daemon, the real CLI, the recording server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from reminderd import safety, safety_notice
from tests.conftest import Recorder, reminderd, wait_for
from tests.test_e2e_control import SLOW, RunningDaemon, write_config

pytestmark = pytest.mark.e2e


def unread(env: dict[str, str]) -> Path:
    """A person who has not read the safety note yet: its mark is taken away."""
    state = Path(env["XDG_STATE_HOME"]) / "reminderd"
    (state / safety_notice.MARK).unlink()
    return state


def safety_notes(server: Recorder) -> list[dict[str, Any]]:
    return [n for n in server.notifications() if n["summary"] == safety_notice.TITLE]


@pytest.fixture
def bus_env(user_env: dict[str, str], notification_server: Recorder) -> dict[str, str]:
    return {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}


def test_the_first_start_shows_the_note_with_a_button_that_shows_it_all(
    bus_env: dict[str, str], notification_server: Recorder, tmp_path: Path
) -> None:
    """Started with no terminal (as systemd starts it), the daemon shows the note as a
    notification that stays: the stop rule, the emergency line and the command, and a
    button that shows every warning sign in its place. Then it is recorded, and the next
    start shows nothing."""
    state = unread(bus_env)
    daemon = RunningDaemon(
        bus_env, write_config(tmp_path / "config.toml", SLOW), through_start=True
    )
    daemon.start()
    try:
        (note,) = wait_for(lambda: safety_notes(notification_server), timeout=10)
        assert note["body"] == (
            f"{safety.STOP}\n{safety.EMERGENCY.text}\n"
            "When to see a doctor: “reminderd safety”, or the button below."
        )
        assert note["actions"] == ["safety", "When to see a doctor"]
        assert (note["expire_timeout"], note["hints"]["urgency"]) == (0, 2)
        assert not safety_notice.due(state)
        notification_server.call("InvokeAction", "us", (note["id"], "safety"))
        full = wait_for(
            lambda: [
                n
                for n in notification_server.notifications()
                if n["summary"] == safety_notice.FULL_TITLE
            ],
            timeout=10,
        )[0]
        assert (full["replaces_id"], full["body"], full["expire_timeout"]) == (
            note["id"],
            safety.TEXT,
            0,
        )
        daemon.stop()
        daemon.start()
        wait_for(lambda: "reminderd" in daemon.log.read_text() and daemon.answers(), timeout=10)
        assert len(safety_notes(notification_server)) == 1
    finally:
        daemon.stop()


def test_start_detach_shows_it_as_a_notification_too(
    bus_env: dict[str, str], notification_server: Recorder, tmp_path: Path
) -> None:
    """`start --detach` prints the note, and the detached daemon shows it as a notification."""
    unread(bus_env)
    config = write_config(tmp_path / "config.toml", SLOW)
    started = reminderd("start", "--detach", "--config", str(config), env=bus_env)
    try:
        assert started.returncode == 0, started.stderr
        assert started.stdout.startswith(safety.TEXT)
        wait_for(lambda: safety_notes(notification_server), timeout=10)
    finally:
        reminderd("stop", env=bus_env)


def test_with_no_notification_server_at_start_it_waits_for_one(
    user_env: dict[str, str], private_bus: Any, tmp_path: Path
) -> None:
    """At login before the desktop's notification server: the note goes to the journal but
    is not counted as read; once a server answers, the next routine brings the note."""
    state = unread(user_env)
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": private_bus.address}
    daemon = RunningDaemon(env, write_config(tmp_path / "config.toml", SLOW), through_start=True)
    daemon.start()
    server = Recorder(private_bus, tmp_path / "late.jsonl", "body,actions,persistence")
    try:
        assert safety.STOP in daemon.log.read_text()  # printed where nobody reads it
        assert not (state / safety_notice.MARK).exists()
        server.start()
        assert daemon.cli("run", "slow").returncode == 0
        wait_for(lambda: safety_notes(server), timeout=10)
        wait_for((state / safety_notice.MARK).exists, timeout=5)
    finally:
        daemon.stop()
        server.stop()


def test_service_install_prints_the_note(user_env: dict[str, str]) -> None:
    """`service install` prints the safety note: started at login, reminderd prints into a
    journal nobody reads."""
    env = {**user_env, "PATH": os.defpath}  # no systemctl here: the unit is only written
    result = reminderd("service", "install", env=env)
    assert result.returncode == 0, result.stderr
    assert f"\n{safety.TEXT}\n\n(`reminderd safety` shows it again)\n" in result.stdout
