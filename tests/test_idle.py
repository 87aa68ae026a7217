"""Idle sources: fake GNOME and ScreenSaver services on a private bus, X11 under Xvfb."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from reminderd import idle, idle_native
from reminderd.idle import IdleError, MutterIdle, ScreenSaverIdle
from reminderd.idle_native import WindowsIdle, X11Idle
from tests.conftest import TESTS, Bus, virtual_screen


def start_services(bus: Bus, *flags: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, str(TESTS / "fake_services.py"), "--address", bus.address, *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def set_idle(bus: Bus, milliseconds: int) -> None:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    target = DBusAddress("/", bus_name="org.reminderd.Test", interface="org.reminderd.Test")
    with open_dbus_connection(bus.address) as conn:
        conn.send_and_get_reply(new_method_call(target, "SetIdle", "t", (milliseconds,)), timeout=5)


@pytest.fixture
def desktop(private_bus: Bus) -> Iterator[Bus]:
    process = start_services(private_bus, "--mutter", "--screensaver")
    try:
        yield private_bus
    finally:
        process.terminate()
        process.wait(5)


@pytest.mark.parametrize("source_type", [MutterIdle, ScreenSaverIdle])
def test_dbus_idle_sources_report_seconds(desktop: Bus, source_type: type[Any]) -> None:
    """Mutter's GetIdletime and ScreenSaver's GetSessionIdleTime (milliseconds) become seconds."""
    source = source_type(desktop.address)
    set_idle(desktop, 90_000)
    assert source.idle_seconds() == pytest.approx(90, abs=1)
    set_idle(desktop, 0)
    assert source.idle_seconds() == pytest.approx(0, abs=1)


def test_dbus_idle_source_without_its_service_raises(private_bus: Bus) -> None:
    """A source whose service is not on the bus raises IdleError naming itself."""
    with pytest.raises(
        IdleError,
        match=r"^gnome-mutter: GetIdletime failed: org\.freedesktop\.DBus\.Error\.ServiceUnknown",
    ):
        MutterIdle(private_bus.address).idle_seconds()


def test_detect_prefers_mutter_then_screensaver(
    private_bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """detect() takes the first source that answers, in the documented order."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_bus.address)
    monkeypatch.delenv("DISPLAY", raising=False)
    source, note = idle.detect("linux")
    assert source is None
    assert note.startswith("no idle source answers (gnome-mutter: GetIdletime failed")
    assert note.endswith("x11: DISPLAY is not set)")
    process = start_services(private_bus, "--screensaver")
    try:
        source, note = idle.detect("linux")
        assert (type(source), note) == (ScreenSaverIdle, "freedesktop-screensaver answers")
    finally:
        process.terminate()
        process.wait(5)
    process = start_services(private_bus, "--mutter", "--screensaver")
    try:
        source, _ = idle.detect("linux")
        assert isinstance(source, MutterIdle)
    finally:
        process.terminate()
        process.wait(5)


@pytest.fixture
def xvfb() -> Iterator[str]:
    if not shutil.which("xdotool"):
        pytest.skip("xdotool is not installed (apt-get install xdotool libxss1)")
    with virtual_screen("640x480x24") as display:
        yield display


def test_x11_idle_counts_up_and_resets_on_input(xvfb: str) -> None:
    """The X server's idle counter grows while nobody moves, and drops when the pointer moves."""
    try:
        source = X11Idle(xvfb)
    except IdleError as error:
        pytest.skip(str(error))
    subprocess.run(["xdotool", "mousemove", "10", "10"], env={"DISPLAY": xvfb}, check=True)
    time.sleep(1.2)
    assert source.idle_seconds() >= 1.0
    subprocess.run(["xdotool", "mousemove", "200", "200"], env={"DISPLAY": xvfb}, check=True)
    assert source.idle_seconds() < 0.5


def test_x11_without_a_display_says_so() -> None:
    """No DISPLAY: the X11 source refuses with a reason."""
    with pytest.raises(IdleError, match="x11: DISPLAY is not set"):
        X11Idle("")


class FakeUser32:
    """MOCK (Windows edge): GetLastInputInfo reports the last input at a given tick."""

    def __init__(self, last_input: int) -> None:
        self.last_input = last_input

    def GetLastInputInfo(self, pointer: Any) -> int:
        info = ctypes.cast(pointer, ctypes.POINTER(idle_native._LastInputInfo)).contents
        info.dwTime = self.last_input
        return 1


class FakeKernel32:
    def __init__(self, now: int) -> None:
        self.now = now

    def GetTickCount(self) -> int:
        return self.now


def test_windows_idle_from_tick_counts_across_the_wrap() -> None:
    """MOCK (Windows edge): idle is the tick count since the last input, also across the
    32-bit wrap after 49.7 days."""
    assert WindowsIdle(FakeUser32(1_000), FakeKernel32(61_000)).idle_seconds() == 60
    assert WindowsIdle(FakeUser32(0xFFFF_FC18), FakeKernel32(1_000)).idle_seconds() == 2


def test_macos_source_is_refused_off_macos() -> None:
    """On any other system the macOS source refuses, so detect() reports it."""
    source, note = idle.detect("darwin")
    assert source is None
    assert note == "no idle source answers (macos: not macOS)"


def test_x11_is_not_used_in_a_wayland_session(xvfb: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With WAYLAND_DISPLAY set, X11's counter (blind to Wayland input) is not trusted."""
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("DISPLAY", xvfb)
    source, _ = idle.detect("linux")
    assert isinstance(source, X11Idle)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    source, note = idle.detect("linux")
    assert source is None
    assert "x11: not used in a Wayland session (Xwayland sees only X11 input)" in note


def test_x11_with_a_display_that_is_not_there_says_which() -> None:
    """A DISPLAY no X server answers: the X11 source refuses and names it."""
    with pytest.raises(IdleError, match="x11: cannot open display :987"):
        X11Idle(":987")


class FailingUser32(FakeUser32):
    """MOCK (Windows edge): GetLastInputInfo fails."""

    def GetLastInputInfo(self, pointer: Any) -> int:
        return 0


def test_windows_idle_that_cannot_be_read_is_an_idle_error() -> None:
    """MOCK (Windows edge): a failing GetLastInputInfo is an IdleError, and constructing
    the source off Windows without stand-ins is refused."""
    with pytest.raises(IdleError, match="GetLastInputInfo failed"):
        WindowsIdle(FailingUser32(0), FakeKernel32(0)).idle_seconds()
    if sys.platform != "win32":
        with pytest.raises(IdleError, match="windows: not Windows"):
            WindowsIdle()
