"""A notification server that comes after reminderd (reminderd started at login before the
desktop's server): once it owns its name, reminderd asks it what it is and can do."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Bus, Recorder, wait_for
from tests.test_e2e_control import RunningDaemon, write_config

pytestmark = pytest.mark.e2e

ASKED = '[[routines]]\nname = "asked"\nexercises = ["tick"]\nevery = "5s"\nstart = "ask"\n'


def test_a_server_that_comes_later_is_asked_what_it_can_do(
    private_bus: Bus, user_env: dict[str, str], tmp_path: Path
) -> None:
    """Started with no server on the bus, the daemon guides to the console; a server that
    comes later is described in `status` and used, buttons and all (the routine's "Start?"
    prompt offers Start, Snooze and Skip there)."""
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": private_bus.address}
    daemon = RunningDaemon(env, write_config(tmp_path / "config.toml", ASKED))
    daemon.start()
    server = Recorder(private_bus, tmp_path / "notifications.jsonl", "body,actions,persistence")
    try:
        assert "until a notification server answers" in daemon.status()["backend_reason"]
        server.start()
        wait_for(lambda: "(recorder" in daemon.status()["backend_reason"], timeout=15)
        assert "not delivering" not in daemon.status()["backend_reason"]
        prompt = wait_for(server.notifications, timeout=15)[-1]
        assert list(prompt["actions"][::2]) == ["default", "start", "snooze", "skip"]
    finally:
        server.stop()
        daemon.stop()
