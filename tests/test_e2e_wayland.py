"""Idle time on a Wayland compositor that answers on no D-Bus interface: a real headless sway
(tests/sway.py), whose idle protocol the daemon reads over the Wayland socket itself."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from reminderd.errors import IdleError
from reminderd.idle_wayland import WaylandIdle
from tests.conftest import wait_for
from tests.sway import Sway
from tests.test_e2e_control import RunningDaemon, write_config

pytestmark = pytest.mark.e2e


def test_the_idle_protocol_counts_up_and_input_resets_it(sway: Sway) -> None:
    """sway 1.7 offers KDE's idle protocol: the source reports at least the longest watched
    time without input, and nothing once the pointer moves."""
    source = WaylandIdle(thresholds=(1.0, 2.0), path=Path(sway.display))
    assert source.name in ("wayland-kde-idle", "wayland-ext-idle-notify")
    assert source.timeouts[:3] == [1.0, 2.0, 10.0]  # the config's thresholds, then the ladder
    assert source.idle_seconds() == 0.0
    wait_for(lambda: source.idle_seconds() >= 2.0, timeout=5)
    sway.touch()
    wait_for(lambda: source.idle_seconds() == 0.0, timeout=2)
    source.close()


def test_a_missing_compositor_or_protocol_is_an_idle_error(tmp_path: Path) -> None:
    """No socket, or a socket that is no compositor: IdleError with the reason."""
    with pytest.raises(IdleError, match="cannot connect to"):
        WaylandIdle(path=tmp_path / "wayland-9")


def test_sway_holds_a_reminder_while_nobody_is_there(
    sway: Sway, user_env: dict[str, str], tmp_path: Path
) -> None:
    """On a headless sway, `status --json` names the Wayland idle source; a reminder that
    falls due after more than `pause_when_idle` without input waits, and runs once the
    pointer moves."""
    config = write_config(
        tmp_path / "config.toml",
        '[schedule]\npause_when_idle = "3s"\n'
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "5s"\n',
    )
    env = {**user_env, "WAYLAND_DISPLAY": sway.display}
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        idle = daemon.status()["idle"]
        assert idle["source"] == "wayland-kde-idle"
        assert idle["note"] == "wayland-kde-idle answers"
        wait_for(lambda: daemon.status()["routines"][0]["held"] == "idle", timeout=10)
        assert "routine.fired" not in daemon.log.read_text()
        back = time.monotonic()
        sway.touch()
        wait_for(
            lambda: "routine.fired quick reason=idle-over" in daemon.log.read_text(), timeout=5
        )
        assert time.monotonic() - back < 3  # looked at again within REMINDERD_POLL (1 s)
    finally:
        daemon.stop()
