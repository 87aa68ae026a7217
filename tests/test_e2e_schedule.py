"""End to end: the daemon and the desktop around it (sleep notices, idle time)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Bus, Recorder, reminderd, start_bus, stop_bus, wait_for
from tests.test_e2e_control import RunningDaemon, write_config
from tests.test_idle import set_idle, start_services

pytestmark = pytest.mark.e2e


@pytest.fixture
def system_bus(short_tmp: Path) -> Iterator[Bus]:
    """A second private bus, standing in for the system bus, with a fake logind on it."""
    bus = start_bus(short_tmp, "system-bus")
    logind = start_services(bus, "--logind")
    try:
        yield bus
    finally:
        logind.terminate()
        logind.wait(5)
        stop_bus(bus)


def test_going_to_sleep_withdraws_the_routine_on_screen(
    user_env: dict[str, str], notification_server: Recorder, system_bus: Bus, tmp_path: Path
) -> None:
    """When logind announces a suspend, the routine on screen is withdrawn at once."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    env = {
        **user_env,
        "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address,
        "DBUS_SYSTEM_BUS_ADDRESS": system_bus.address,
    }
    daemon = RunningDaemon(
        env,
        write_config(
            tmp_path / "config.toml",
            '[[routines]]\nname = "slow"\nexercises = ["tick"]\nevery = "1h"\n',
        ),
    )
    daemon.start()
    try:
        daemon.cli("run", "slow")
        wait_for(notification_server.notifications)
        target = DBusAddress("/", bus_name="org.reminderd.Test", interface="org.reminderd.Test")
        with open_dbus_connection(system_bus.address) as conn:
            conn.send_and_get_reply(new_method_call(target, "Sleep", "b", (True,)), timeout=5)
        wait_for(
            lambda: [e for e in notification_server.entries() if e["method"] == "CloseNotification"]
        )
        assert daemon.status()["current"] is None
        wait_for(lambda: "the machine is going to sleep" in daemon.log.read_text())
    finally:
        daemon.stop()


def test_idle_person_holds_reminders_until_back(
    user_env: dict[str, str], notification_server: Recorder, tmp_path: Path
) -> None:
    """With pause_when_idle, a reminder due while the person is away waits (status says so),
    and fires once they are back."""
    bus = notification_server.bus
    desktop = start_services(bus, "--mutter")
    set_idle(bus, 10 * 60 * 1000)
    config = write_config(
        tmp_path / "config.toml",
        '[schedule]\npause_when_idle = "1m"\nsoft_start = "0s"\n'
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "2s"\n',
    )
    daemon = RunningDaemon({**user_env, "DBUS_SESSION_BUS_ADDRESS": bus.address}, config)
    daemon.start()
    try:
        status = daemon.status()
        assert status["idle"]["source"] == "gnome-mutter"
        assert status["idle"]["note"] == "gnome-mutter answers"
        wait_for(lambda: daemon.status()["routines"][0]["held"] == "idle", timeout=10)
        assert notification_server.notifications() == []
        back = time.monotonic()
        set_idle(bus, 0)
        wait_for(notification_server.notifications, timeout=15)
        assert time.monotonic() - back <= 5  # looked at again within REMINDERD_POLL (1 s)
        assert daemon.status()["routines"][0]["held"] is None
    finally:
        daemon.stop()
        desktop.terminate()
        desktop.wait(5)


def test_no_idle_source_is_said_in_status(user_env: dict[str, str], tmp_path: Path) -> None:
    """With idle settings but no idle source, idle awareness is off and status says why."""
    config = write_config(
        tmp_path / "config.toml",
        '[schedule]\nnatural_break = "10m"\n'
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "1h"\n',
    )
    daemon = RunningDaemon({**user_env, "DISPLAY": ""}, config)
    daemon.start()
    try:
        idle = daemon.status()["idle"]
        assert idle["source"] is None
        assert idle["note"].startswith("off: no idle source answers (gnome-mutter: no session bus")
        assert "idle awareness is off: no idle source answers" in daemon.log.read_text()
    finally:
        daemon.stop()


def test_plan_prints_the_day(user_env: dict[str, str], tmp_path: Path) -> None:
    """`reminderd plan --date` prints the day's firings; --json gives the same as data."""
    config = write_config(
        tmp_path / "config.toml",
        '[schedule]\nworking_hours = ["09:00-12:00"]\n'
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "1h"\n'
        '[[routines]]\nname = "tea"\nexercises = ["tick"]\nat = ["10:30"]\ndays = ["tue"]\n',
    )
    result = reminderd("plan", "--date", "2026-11-24", "--config", str(config), env=user_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Tuesday 24 November 2026: {config}",
        "Working hours: 09:00-12:00",
        "  10:00  quick      4s  Quick",
        "  10:30  tea        4s  Tea",
        "  11:00  quick      4s  Quick",
        "3 reminders, 12s guided, 9s of exercise.",
        "Each exercise today:",
        "  tick: 3 runs, 6 reps, 9s",
    ]
    data = json.loads(
        reminderd(
            "plan", "--date", "2026-11-23", "--json", "--config", str(config), env=user_env
        ).stdout
    )
    assert [(f["at"], f["routine"]) for f in data["firings"]] == [
        ("2026-11-23T10:00:00+00:00", "quick"),
        ("2026-11-23T11:00:00+00:00", "quick"),
    ]
    assert data["working_hours"] == ["09:00-12:00"]
