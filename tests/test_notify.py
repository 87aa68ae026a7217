"""Notification backends against a real private bus, and the choice between them."""

from __future__ import annotations

import importlib.machinery
import logging
import shutil
import sys
import types
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection

from reminderd import dnd
from reminderd.bus import session_bus_address
from reminderd.errors import NotifyError
from reminderd.notify import (
    ConsoleNotifier,
    FallbackNotifier,
    FreedesktopNotifier,
    Note,
    PlyerNotifier,
)
from reminderd.notify.choose import choose
from tests.conftest import Bus, Recorder, wait_for


@pytest.fixture
def no_bus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))


@pytest.fixture
def on_bus(monkeypatch: pytest.MonkeyPatch, private_bus: Bus) -> Bus:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_bus.address)
    return private_bus


def test_auto_without_a_session_bus_is_console_and_says_why(no_bus: None) -> None:
    """With no session bus, auto picks the console and gives the reason for each backend."""
    lines: list[str] = []
    choice = choose("auto", lines.append, platform="linux")
    assert choice.backend == "console"
    assert choice.reason.startswith(
        "freedesktop: no session bus (DBUS_SESSION_BUS_ADDRESS is not set); plyer: "
    )
    choice.notifier.show(Note("Neck", "Turn left.", 5))
    assert lines == ["Neck: Turn left. [5 s]"]


def test_auto_with_a_bus_but_no_server_waits_for_one(on_bus: Bus, tmp_path: Path) -> None:
    """A bus without a notification server yet: steps go to the console, and to the server
    as soon as one answers (reminderd started at login before the notification daemon)."""
    lines: list[str] = []
    choice = choose("auto", lines.append, platform="linux")
    assert choice.backend == "freedesktop"
    assert choice.reason == (
        "freedesktop: no notification server on the session bus; "
        "steps go to the console until a notification server answers"
    )
    choice.notifier.show(Note("A", "one", 1))
    assert lines == ["A: one [1 s]"]
    server = Recorder(on_bus, tmp_path / "late.jsonl", "body")
    server.start()
    try:
        assert choice.notifier.show(Note("A", "two", 1)) is not None
        assert [n["body"] for n in server.notifications()] == ["two"]
    finally:
        server.stop()


def test_auto_picks_freedesktop_when_a_server_answers(
    on_bus: Bus, notification_server: Recorder
) -> None:
    """A server on the session bus makes auto pick freedesktop, naming the server."""
    choice = choose("auto", lambda _line: None, platform="linux")
    assert choice.backend == "freedesktop"
    assert choice.reason == "a notification server answers on the session bus (recorder 1.0)"
    first = choice.notifier.show(Note("A", "one", 3))
    second = choice.notifier.show(Note("A", "two", 3), first)
    sent = notification_server.notifications()
    assert [(n["body"], n["replaces_id"], n["expire_timeout"]) for n in sent] == [
        ("one", 0, 4000),
        ("two", first, 4000),
    ]
    assert second == first
    assert sent[0]["hints"]["transient"] is True


def test_actions_are_sent_only_to_servers_that_support_them(
    on_bus: Bus, notification_server: Recorder
) -> None:
    """Actions go out as key/label pairs when the server lists the "actions" capability."""
    notifier = FreedesktopNotifier()
    assert notifier.probe() is None
    notifier.show(Note("A", "b", 1, actions=(("start", "Start"), ("skip", "Skip"))))
    assert notification_server.notifications()[0]["actions"] == ["start", "Start", "skip", "Skip"]
    notifier.capabilities = frozenset({"body"})
    notifier.show(Note("A", "b", 1, actions=(("start", "Start"),)))
    assert notification_server.notifications()[1]["actions"] == []


def test_inhibited_property_is_read(on_bus: Bus, notification_server: Recorder) -> None:
    """The server's Inhibited (do not disturb) property is read through the DndSource port."""
    notifier = FreedesktopNotifier()
    assert notifier.probe() is None
    source, _ = dnd.choose(notifier.server_name, notifier.bus)
    assert isinstance(source, dnd.FreedesktopInhibited)
    assert source.active() is False
    notification_server.call("SetInhibited", "b", (True,))
    assert source.active() is True


def test_swaync_dnd_is_asked_on_its_own_bus_name(private_bus: Bus) -> None:
    """SwayNotificationCenter's GetDnd decides do-not-disturb (a stand-in service on a real
    private bus: swaync itself needs a Wayland compositor); gone, it is "unknown", not on."""
    from reminderd.bus import Bus as DaemonBus
    from tests.test_idle import start_services

    source, reason = dnd.choose("SwayNotificationCenter", DaemonBus(private_bus.address))
    assert isinstance(source, dnd.SwayncDnd)
    assert "GetDnd" in reason
    process = start_services(private_bus, "--swaync")
    try:
        assert source.active() is False
        target = DBusAddress(
            dnd.SwayncDnd.path,
            bus_name="org.erikreider.swaync.cc",
            interface="org.erikreider.swaync.cc",
        )
        with open_dbus_connection(private_bus.address) as conn:
            conn.send_and_get_reply(new_method_call(target, "SetDnd", "b", (True,)), timeout=5)
        assert source.active() is True
    finally:
        process.terminate()
        process.wait(5)
    with pytest.raises(dnd.DndError):
        source.active()


def test_fallback_logs_once_and_returns_to_the_server(
    on_bus: Bus, notification_server: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    """When the server vanishes steps go to the console (logged once); when it is back, to it."""
    lines: list[str] = []
    notifier = FallbackNotifier(FreedesktopNotifier(), ConsoleNotifier(lines.append))
    notifier.show(Note("A", "one", 1))
    notification_server.stop()
    with caplog.at_level(logging.WARNING, logger="reminderd"):
        assert notifier.show(Note("A", "two", 1)) is None
        notifier.show(Note("A", "three", 1))
        assert lines == ["A: two [1 s]", "A: three [1 s]"]
        assert caplog.text.count("notification failed") == 1
        notification_server.start()
        assert notifier.show(Note("A", "four", 1)) is not None
        assert "notifications work again through freedesktop" in caplog.text
    assert [n["body"] for n in notification_server.notifications()] == ["one", "four"]


def test_session_bus_address_falls_back_to_the_runtime_folder(tmp_path: Path) -> None:
    """Without DBUS_SESSION_BUS_ADDRESS the bus in $XDG_RUNTIME_DIR is used, if it exists."""
    assert session_bus_address({"XDG_RUNTIME_DIR": str(tmp_path)}) is None
    (tmp_path / "bus").touch()
    assert session_bus_address({"XDG_RUNTIME_DIR": str(tmp_path)}) == f"unix:path={tmp_path}/bus"
    assert session_bus_address({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}) == "unix:path=/x"


@pytest.mark.skipif(
    not shutil.which("notify-send"), reason="notify-send is not installed (libnotify-bin)"
)
def test_plyer_delivers_through_notify_send_on_linux(
    on_bus: Bus, notification_server: Recorder
) -> None:
    """On Linux plyer goes through notify-send to the same server, and we can see it arrive."""
    notifier = PlyerNotifier("linux")
    assert notifier.probe() is None
    assert notifier.show(Note("Posture", "Sit back.", 5)) is None
    sent = wait_for(notification_server.notifications)
    assert (sent[0]["summary"], sent[0]["body"], sent[0]["app_name"]) == (
        "Posture",
        "Sit back.",
        "reminderd",
    )


def test_plyer_refuses_when_nothing_would_show(on_bus: Bus) -> None:
    """Without a notification server plyer's notify-send call would "succeed" silently: refused."""
    notifier = PlyerNotifier("linux")
    assert notifier.probe() == "no notification server on the session bus"
    with pytest.raises(NotifyError, match="plyer cannot deliver"):
        notifier.show(Note("A", "b", 1))


def test_plyer_refuses_the_flatpak_portal(monkeypatch: pytest.MonkeyPatch) -> None:
    """MOCK (Flatpak sandbox, not available here): with /app present plyer would use the portal."""
    real_is_dir = Path.is_dir
    monkeypatch.setattr(Path, "is_dir", lambda self: str(self) == "/app" or real_is_dir(self))
    assert (
        PlyerNotifier("linux").probe()
        == "plyer would send through the Flatpak portal, which reports no failure"
    )


def test_plyer_on_macos_needs_pyobjus(monkeypatch: pytest.MonkeyPatch) -> None:
    """MOCK (macOS edge): without pyobjus plyer cannot notify on macOS, and says how to fix it."""
    monkeypatch.setitem(sys.modules, "pyobjus", None)
    assert PlyerNotifier("darwin").probe() == "plyer needs pyobjus on macOS (pip install pyobjus)"


def fake_module(name: str, **attributes: object) -> types.ModuleType:
    """MOCK: a stand-in module for a platform layer that cannot run here."""
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    module.__dict__.update(attributes)
    return module


def test_plyer_on_windows_passes_title_message_and_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """MOCK (Windows edge): plyer's facade is called with our text and a timeout; its errors
    become NotifyError."""
    calls: list[dict[str, object]] = []
    fake = types.SimpleNamespace(notify=lambda **kwargs: calls.append(kwargs))
    monkeypatch.setitem(sys.modules, "plyer", fake_module("plyer", notification=fake))
    notifier = PlyerNotifier("win32")
    assert notifier.probe() is None
    notifier.show(Note("Neck", "Turn.", 10))
    assert calls == [{"title": "Neck", "message": "Turn.", "app_name": "reminderd", "timeout": 11}]

    def broken(**_kwargs: object) -> None:
        raise OSError("balloon failed")

    fake.notify = broken
    with pytest.raises(NotifyError, match="plyer failed"):
        notifier.show(Note("Neck", "Turn.", 10))


def test_auto_on_windows_picks_plyer(monkeypatch: pytest.MonkeyPatch) -> None:
    """MOCK (Windows edge): auto takes plyer on Windows, where it really delivers."""
    monkeypatch.setitem(sys.modules, "plyer", fake_module("plyer", notification=None))
    choice = choose("auto", lambda _line: None, platform="win32")
    assert (choice.backend, choice.reason) == ("plyer", "the portable backend can deliver on win32")


def test_dunst_buttons_need_its_menu_program(tmp_path: Path) -> None:
    """dunst's buttons live in its dmenu context menu: without the program its dunstrc
    names (dmenu by default) there are no buttons to press; with it there are; other
    servers are not second-guessed."""
    from reminderd.notify import unreachable_buttons

    bin_dir, config = tmp_path / "bin", tmp_path / "config"
    bin_dir.mkdir()
    env = {
        "XDG_CONFIG_HOME": str(config),
        "XDG_CONFIG_DIRS": str(tmp_path / "none"),
        "PATH": str(bin_dir),
    }
    assert unreachable_buttons("gnome-shell", env) is None
    assert unreachable_buttons("dunst", env) == (
        "dunst shows buttons only through its menu program /usr/bin/dmenu, which is not installed"
    )
    (config / "dunst").mkdir(parents=True)
    menu = bin_dir / "rofi"
    menu.write_text("#!/bin/sh\n")
    menu.chmod(0o755)
    (config / "dunst" / "dunstrc").write_text('[global]\n    dmenu = "rofi -dmenu -p dunst:"\n')
    assert unreachable_buttons("dunst", env) is None
    (config / "dunst" / "dunstrc.d").mkdir()
    (config / "dunst" / "dunstrc.d" / "50-menu.conf").write_text("[global]\ndmenu = wofi --dmenu\n")
    assert "menu program wofi" in str(unreachable_buttons("dunst", env))
