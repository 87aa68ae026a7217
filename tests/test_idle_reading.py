"""Watching is not being away: the idle time read with the desktop's idle inhibitor
(GNOME's and KDE's through stand-ins of their services on a private bus, named as such),
and what the real headless sway (1.7) can tell."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reminderd.idle import IdleReading, MutterIdle, ScreenSaverIdle, read
from reminderd.idle_wayland import WaylandIdle
from tests.conftest import TESTS, Bus
from tests.sway import Sway


def service(bus: Bus, script: str, *flags: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, str(TESTS / script), "--address", bus.address, *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


@pytest.fixture
def desktop(private_bus: Bus) -> Iterator[Bus]:
    """Stand-ins for Mutter's and KDE's idle monitors and for gnome-session's and
    PowerDevil's inhibitors (none of them runs here), on one private bus."""
    idle = service(private_bus, "fake_services.py", "--mutter", "--screensaver")
    inhibitors = service(private_bus, "inhibitor_services.py", "--gnome", "--kde")
    yield private_bus
    for process in (idle, inhibitors):
        process.terminate()
        process.wait(5)


def call(bus: Bus, name: str, path: str, method: str, signature: str, *args: Any) -> Any:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus.address) as conn:
        target = DBusAddress(path, bus_name=name, interface=name)
        reply = conn.send_and_get_reply(new_method_call(target, method, signature, args), timeout=5)
    return reply.body[0] if reply.body else None


def set_idle(bus: Bus, milliseconds: int) -> None:
    call(bus, "org.reminderd.Test", "/", "SetIdle", "t", milliseconds)


def test_gnome_film_is_not_away(desktop: Bus) -> None:
    """GNOME: an hour without input under an idle inhibitor (a film) reads as an hour of
    input idle but no time away; without the inhibitor it is away."""
    source = MutterIdle(desktop.address)
    set_idle(desktop, 3_600_000)
    plain = read(source)
    assert (plain.inhibited, plain.away_idle >= 3599) == (False, True)
    cookie = call(
        desktop,
        "org.gnome.SessionManager",
        "/org/gnome/SessionManager",
        "Inhibit",
        "susu",
        "org.gnome.Totem",
        0,
        "Playing",
        8,
    )
    watching = read(source)
    assert watching.inhibited is True
    assert watching.away_idle == 0
    assert watching.input_idle is not None
    assert watching.input_idle >= 3599
    call(desktop, "org.gnome.SessionManager", "/org/gnome/SessionManager", "Uninhibit", "u", cookie)
    assert read(source).inhibited is False


def test_kde_film_is_not_away(desktop: Bus) -> None:
    """KDE: PowerDevil's screen inhibition (4) is read with the idle time, likewise."""
    source = ScreenSaverIdle(desktop.address)
    set_idle(desktop, 1_200_000)
    assert read(source).inhibited is False
    policy = "org.kde.Solid.PowerManagement.PolicyAgent"
    cookie = call(
        desktop,
        policy,
        "/org/kde/Solid/PowerManagement/PolicyAgent",
        "AddInhibition",
        "uss",
        4,
        "vlc",
        "Playing",
    )
    assert read(source).away_idle == 0
    call(
        desktop,
        policy,
        "/org/kde/Solid/PowerManagement/PolicyAgent",
        "ReleaseInhibition",
        "u",
        cookie,
    )
    assert read(source).away_idle >= 1199


def test_inhibitor_unknown_counts_input_idle_as_away(private_bus: Bus) -> None:
    """Without gnome-session on the bus the inhibitor is unknown, and the idle time counts
    as away as before."""
    idle = service(private_bus, "fake_services.py", "--mutter")
    try:
        set_idle(private_bus, 600_000)
        reading = read(MutterIdle(private_bus.address))
        assert reading.inhibited is None
        assert reading.away_idle >= 599
    finally:
        idle.terminate()
        idle.wait(5)


def test_kde_hostile_inhibitor_reply_is_unknown(private_bus: Bus) -> None:
    """A PolicyAgent that answers HasInhibition with a string: the inhibitor is unknown."""
    idle = service(private_bus, "fake_services.py", "--screensaver")
    hostile = service(private_bus, "inhibitor_services.py", "--kde", "--hostile")
    try:
        assert ScreenSaverIdle(private_bus.address).inhibited() is None
    finally:
        for process in (idle, hostile):
            process.terminate()
            process.wait(5)


@pytest.mark.e2e
def test_sway_1_7_offers_no_input_idle(sway: Sway) -> None:
    """Debian 12's sway (1.7) offers only org_kde_kwin_idle: the idle time obeys inhibitors
    and the input idle time is unknown (ext-idle-notify v2 is sway 1.9's)."""
    source = WaylandIdle(path=Path(sway.display))
    try:
        assert source.name == "wayland-kde-idle"
        assert source.input_idle_seconds() is None
        assert read(source) == IdleReading(0.0, input_idle=None, inhibited=None)
    finally:
        source.close()
