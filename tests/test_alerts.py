"""Error notifications a person sees are rate-limited: one per minute per kind, so that an
editor saving a broken config in pieces does not bury the desktop in them."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from reminderd import control
from reminderd.alerts import Alerts
from reminderd.errors import ControlError
from reminderd.notify import Note, NullNotifier
from tests.conftest import TEST_EXERCISES, Recorder, wait_for
from tests.test_e2e_control import RunningDaemon


def test_one_alert_per_minute_per_kind() -> None:
    """The first alert of a kind shows; the same kind again within a minute does not, a
    different kind does, and a minute later the first kind shows again."""
    now = [100.0]
    notifier = NullNotifier()
    alerts = Alerts(lambda: now[0])
    for _ in range(600):
        alerts.show(notifier, "reload", Note("reminderd: config not reloaded", "x.toml:1"))
    alerts.show(notifier, "other", Note("reminderd: something else", ""))
    now[0] += 59.9
    alerts.show(notifier, "reload", Note("reminderd: config not reloaded", "x.toml:2"))
    now[0] += 0.1
    alerts.show(notifier, "reload", Note("reminderd: config not reloaded", "x.toml:3"))
    assert [n.body for n in notifier.shown] == ["x.toml:1", "", "x.toml:3"]


@pytest.mark.e2e
def test_a_storm_of_broken_reloads_shows_one_notification(
    notification_server: Recorder, user_env: dict[str, str], tmp_path: Path
) -> None:
    """A storm of reloads of a broken config (SIGHUP and `reload`, as an editor's saves and
    a watcher would send): every one is refused and logged, and one notification says so."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "1h"\n' + TEST_EXERCISES
    )
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        config.write_text('[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = 5\n')
        assert daemon.process is not None
        for _ in range(20):
            daemon.process.send_signal(signal.SIGHUP)  # those that come together count once
        for _ in range(10):
            with pytest.raises(ControlError, match="config not reloaded"):
                control.request(daemon.socket, "reload")
        wait_for(lambda: daemon.log.read_text().count("ERROR: config not reloaded") >= 10)
        assert daemon.status()["running"] is True
        shown = [
            n
            for n in notification_server.notifications()
            if n["summary"] == "reminderd: config not reloaded"
        ]
        assert len(shown) == 1
    finally:
        daemon.stop()
