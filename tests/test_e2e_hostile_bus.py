"""End to end: the attacks of a hostile program on the same bus, each against a running
daemon on a private bus. None may kill it, stall it or steer it: a bad call gets an
InvalidArgs error, a signal from anyone but its owner is ignored, and a notification
server or logind that answers nonsense is taken for what it is."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from reminderd import panel
from reminderd.bus import UNKNOWN_METHOD
from tests.conftest import TEST_EXERCISES, Bus, Recorder, slack, start_bus, stop_bus, wait_for
from tests.hostile import (
    INVALID_ARGS,
    LOGIND,
    LOGIND_MANAGER,
    LOGIND_PATH,
    NOTIFICATIONS,
    NOTIFICATIONS_PATH,
    NotificationServer,
    Service,
    call,
    connection,
    connections_of,
    emit,
    error_name,
    panel_name,
)
from tests.test_e2e_control import RunningDaemon

pytestmark = pytest.mark.e2e

# A routine whose one step lasts a minute: it stays on screen while a test attacks it.
LONG = (
    '[[routines]]\nname = "long"\nexercises = ["minute"]\nevery = "1h"\n'
    '[[exercises]]\nid = "minute"\ntitle = "Minute"\n'
    '[[exercises.steps]]\ntext = "Stay."\nseconds = 60\n' + TEST_EXERCISES
)


def alive(daemon: RunningDaemon) -> bool:
    return daemon.process is not None and daemon.process.poll() is None


def pid(daemon: RunningDaemon) -> int:
    assert daemon.process is not None
    return daemon.process.pid


@pytest.fixture
def attacked(
    user_env: dict[str, str], notification_server: Recorder, tmp_path: Path
) -> Iterator[RunningDaemon]:
    """A daemon with its panel item and the recording notification server, on a private bus."""
    config = tmp_path / "config.toml"
    config.write_text(LONG)
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


# Calls with the wrong signature or values, each of which once killed the daemon.
MALFORMED: list[tuple[str, str, str, str, tuple[Any, ...]]] = [
    (panel.MENU_PATH, panel.MENU_IFACE, "GetLayout", "sias", ("abc", -1, [])),
    (panel.MENU_PATH, panel.MENU_IFACE, "GetLayout", "s", ("abc",)),
    (panel.MENU_PATH, panel.MENU_IFACE, "Event", "ssvu", ("abc", "clicked", ("s", ""), 0)),
    (panel.MENU_PATH, panel.MENU_IFACE, "Event", "", ()),
    (panel.MENU_PATH, panel.MENU_IFACE, "EventGroup", "s", ("x",)),
    (panel.MENU_PATH, panel.MENU_IFACE, "EventGroup", "ai", ([1, 2],)),
    (panel.MENU_PATH, panel.MENU_IFACE, "GetGroupProperties", "i", (5,)),
    (panel.MENU_PATH, panel.MENU_IFACE, "GetGroupProperties", "as", (["a"],)),
    (panel.MENU_PATH, panel.PROPS, "Get", "sas", ("x", ["a"])),
    (panel.ITEM_PATH, panel.PROPS, "Get", "sas", (panel.ITEM_IFACE, ["a"])),
    (panel.ITEM_PATH, panel.PROPS, "GetAll", "i", (1,)),
    (panel.ITEM_PATH, panel.ITEM_IFACE, "Activate", "ss", ("a", "b")),
    (panel.MENU_PATH, panel.MENU_IFACE, "AboutToShow", "d", (math.nan,)),
]


def test_malformed_panel_calls_get_invalid_args_and_the_daemon_lives(
    attacked: RunningDaemon, notification_server: Recorder
) -> None:
    """Every call to the panel item or its menu with the wrong signature gets an InvalidArgs
    error reply, and the daemon answers `status` after all of them."""
    name = panel_name(pid(attacked))
    with connection(notification_server.bus.address) as conn:
        for path, interface, member, signature, body in MALFORMED:
            reply = call(conn, name, path, interface, member, signature, body)
            assert error_name(reply) == INVALID_ARGS, (member, signature, reply.body)
            assert alive(attacked), (member, signature)
        # and the well-formed calls are still answered
        reply = menu_call(conn, name, "GetLayout", "iias", (0, -1, []))
        assert error_name(reply) is None
    assert attacked.status()["running"] is True


def test_a_million_ids_get_no_more_than_the_menu(
    attacked: RunningDaemon, notification_server: Recorder
) -> None:
    """GetGroupProperties with a million ids (a 4 MB call) is refused as too large, and one
    with ten thousand copies of the same ids is answered once per entry of the menu; the
    daemon's memory stays where it was."""
    name = panel_name(pid(attacked))
    process = psutil.Process(pid(attacked))
    before = process.memory_info().rss
    with connection(notification_server.bus.address) as conn:
        # 4 MB to write and for the daemon to read past: seconds under coverage and load.
        huge: tuple[list[int], list[str]] = ([1] * 1_000_000, [])
        reply = menu_call(conn, name, "GetGroupProperties", "aias", huge, timeout=slack(30))
        assert error_name(reply) == "org.freedesktop.DBus.Error.LimitsExceeded"
        reply = menu_call(conn, name, "GetGroupProperties", "aias", ([*range(-5, 15)] * 500, []))
        assert error_name(reply) is None
        ids = [ident for ident, _props in reply.body[0]]
        assert len(ids) == len(set(ids)) <= 20
        layout = menu_call(conn, name, "GetLayout", "iias", (0, -1, []))
        assert len(ids) <= 1 + count_entries(layout.body[1])
    assert alive(attacked)
    assert process.memory_info().rss - before < 20 * 1024 * 1024


def menu_call(conn: Any, name: str, member: str, *args: Any, timeout: float = 5.0) -> Any:
    return call(conn, name, panel.MENU_PATH, panel.MENU_IFACE, member, *args, timeout=timeout)


def count_entries(node: tuple[Any, ...]) -> int:
    _ident, _props, children = node
    return sum(1 + count_entries(child) for _sig, child in children)


FLOOD = 2_000


def test_a_flood_of_panel_calls_leaves_status_answering(
    attacked: RunningDaemon, notification_server: Recorder
) -> None:
    """Two thousand pipelined GetLayout calls (the benchmark's figure sends ten thousand
    and times `status` meanwhile): `status` is answered while they are, every call gets
    its reply, and the daemon is as it was."""
    name = panel_name(pid(attacked))
    from jeepney import DBusAddress, MessageType, new_method_call

    menu = DBusAddress(panel.MENU_PATH, bus_name=name, interface=panel.MENU_IFACE)
    with connection(notification_server.bus.address) as conn:
        for _ in range(FLOOD):
            conn.send(new_method_call(menu, "GetLayout", "iias", (0, -1, [])))
        assert attacked.status()["running"] is True
        replies = 0
        while replies < FLOOD:
            reply = conn.receive(timeout=30)
            if reply.header.message_type == MessageType.signal:
                continue  # the bus greeting this connection
            assert error_name(reply) is None, reply.body
            replies += 1
    assert alive(attacked)


MALFORMED_SIGNALS: list[tuple[str, tuple[Any, ...]]] = [
    ("ss", ("x", "skip")),
    ("asas", (["a"], ["b"])),
    ("ds", (math.nan, "skip")),
    ("ss", ("x", "y")),
]


def server_signal(
    conn: Any, member: str, signature: str, body: tuple[Any, ...], destination: str | None
) -> None:
    """One of the notification server's signals, sent by another program."""
    emit(conn, NOTIFICATIONS_PATH, NOTIFICATIONS, member, signature, body, destination=destination)


def test_spoofed_and_malformed_notification_signals_are_ignored(
    attacked: RunningDaemon, notification_server: Recorder
) -> None:
    """While a routine is on screen, another program sends the notification server's signals
    as if it were the server, to everyone and to the daemon alone: well-formed ones
    (Skip pressed on the routine) are not obeyed, malformed ones (a string, a list, a NaN
    for the id) do no harm, and the daemon says once, at debug level, that it ignored them."""
    attacked.cli("run", "long")
    wait_for(lambda: attacked.status()["current"])
    ids = list(range(1, 30))
    with connection(notification_server.bus.address) as conn:
        targets = [None, *connections_of(conn, pid(attacked))]
        for destination in targets:
            for ident in ids:
                for member, signature, body in (
                    ("ActionInvoked", "us", (ident, "skip")),
                    ("NotificationClosed", "uu", (ident, 2)),
                ):
                    server_signal(conn, member, signature, body, destination)
            for signature, body in MALFORMED_SIGNALS:
                for member in ("ActionInvoked", "NotificationClosed"):
                    server_signal(conn, member, signature, body, destination)
        me = conn.unique_name
        wait_for(lambda: f"ignored ActionInvoked from {me}" in attacked.log.read_text())
    assert alive(attacked)
    assert attacked.status()["current"]["routine"] == "long"
    assert attacked.log.read_text().count(f"ignored ActionInvoked from {me}") == 1
    # The real server's button still works.
    note = notification_server.notifications()[-1]
    notification_server.call("InvokeAction", "us", (note["id"], "skip"))
    wait_for(lambda: attacked.status()["current"] is None)


@pytest.fixture
def hostile_server(private_bus: Bus) -> Iterator[NotificationServer]:
    server = NotificationServer(private_bus.address)
    try:
        yield server
    finally:
        server.close()


def start_with(
    server: NotificationServer, user_env: dict[str, str], tmp_path: Path
) -> RunningDaemon:
    config = tmp_path / "config.toml"
    config.write_text(LONG)
    daemon = RunningDaemon({**user_env, "DBUS_SESSION_BUS_ADDRESS": server.address}, config)
    daemon.start()
    return daemon


@pytest.mark.parametrize(
    "reply",
    [("s", ("x",)), ("", ()), ("i", (-5,)), ("t", (2**64 - 1,)), ("u", (0,)), ("uu", (1, 2))],
    ids=["string", "empty", "negative", "too-large", "zero", "two-ids"],
)
def test_a_notify_reply_of_the_wrong_kind_is_a_failed_notification(
    reply: tuple[str, tuple[Any, ...]],
    hostile_server: NotificationServer,
    user_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """A server whose Notify answers something that is not a notification id: the step
    counts as not shown (it goes to the console), and the routine and daemon go on."""
    hostile_server.replies["Notify"] = reply
    daemon = start_with(hostile_server, user_env, tmp_path)
    try:
        daemon.cli("run", "long")
        wait_for(lambda: hostile_server.notified() >= 1)
        wait_for(lambda: "notification failed" in daemon.log.read_text())
        assert alive(daemon)
        status = daemon.status()
        assert status["current"]["routine"] == "long"
        assert "not delivering now" in status["backend_reason"]
    finally:
        daemon.stop()


@pytest.mark.parametrize(
    ("member", "reply"),
    [
        ("GetServerInformation", ("s", ("one",))),
        ("GetServerInformation", ("ssss", ("x" * 5000, "", "", ""))),
        ("GetCapabilities", ("s", ("actions",))),
        ("GetCapabilities", ("ai", ([1, 2],))),
        ("GetCapabilities", ("as", ([str(n) for n in range(5000)],))),
    ],
    ids=["one-field", "long-name", "string", "numbers", "thousands"],
)
def test_a_server_that_describes_itself_wrongly_does_not_stop_the_start(
    member: str,
    reply: tuple[str, tuple[Any, ...]],
    hostile_server: NotificationServer,
    user_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """Server information or capabilities of the wrong kind or size: the daemon starts all
    the same, with what it could use, and shows a routine through that server."""
    hostile_server.replies[member] = reply
    daemon = start_with(hostile_server, user_env, tmp_path)
    try:
        status = daemon.status()
        assert status["backend"] == "freedesktop"
        assert len(status["backend_reason"]) < 300
        daemon.cli("run", "long")
        wait_for(lambda: hostile_server.notified() >= 1)
        assert alive(daemon)
    finally:
        daemon.stop()


def test_an_inhibited_that_is_not_a_boolean_holds_nothing(
    hostile_server: NotificationServer, user_env: dict[str, str], tmp_path: Path
) -> None:
    """A server whose Inhibited property is a string: do-not-disturb counts as unknown (the
    reminder is not held), and the log says why."""
    hostile_server.inhibited = ("v", (("s", "yes"),))
    config = tmp_path / "config.toml"
    config.write_text(LONG.replace('every = "1h"', 'every = "2s"'))
    daemon = RunningDaemon({**user_env, "DBUS_SESSION_BUS_ADDRESS": hostile_server.address}, config)
    daemon.start()
    try:
        wait_for(lambda: hostile_server.notified() >= 1)
        assert "do-not-disturb state unknown" in daemon.log.read_text()
        assert "not a boolean" in daemon.log.read_text()
    finally:
        daemon.stop()


@pytest.fixture
def system_bus(short_tmp: Path) -> Iterator[Bus]:
    """A second private bus, standing in for the system bus."""
    bus = start_bus(short_tmp, "system-bus")
    try:
        yield bus
    finally:
        if bus.process.poll() is None:
            stop_bus(bus)


def logind(bus: Bus) -> Service:
    """A stand-in for logind: owns its name, answers nothing but the bus's own calls."""
    return Service(bus.address, (LOGIND,), lambda _m, _i, _b: UNKNOWN_METHOD)


def test_prepare_for_sleep_only_from_logind_and_only_a_boolean(
    user_env: dict[str, str],
    notification_server: Recorder,
    system_bus: Bus,
    tmp_path: Path,
) -> None:
    """PrepareForSleep sent by another program on the system bus (to everyone or to the
    daemon alone), or sent by logind with a string or an array, withdraws nothing; a true
    one from logind withdraws the routine on screen."""
    stand_in = logind(system_bus)
    config = tmp_path / "config.toml"
    config.write_text(LONG)
    env = {
        **user_env,
        "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address,
        "DBUS_SYSTEM_BUS_ADDRESS": system_bus.address,
    }
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        daemon.cli("run", "long")
        wait_for(lambda: daemon.status()["current"])
        with connection(system_bus.address) as conn:
            for destination in [None, *connections_of(conn, pid(daemon))]:
                emit(
                    conn,
                    LOGIND_PATH,
                    LOGIND_MANAGER,
                    "PrepareForSleep",
                    "b",
                    (True,),
                    destination=destination,
                )
            me = conn.unique_name
            wait_for(lambda: f"ignored PrepareForSleep from {me}" in daemon.log.read_text())
        for signature, body in (("s", ("true",)), ("ab", ([True],)), ("", ())):
            stand_in.signal(LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep", signature, body)
        wait_for(lambda: "ignored PrepareForSleep" in daemon.log.read_text().split(me)[-1])
        assert daemon.status()["current"]["routine"] == "long"
        stand_in.signal(LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep", "b", (True,))
        wait_for(lambda: daemon.status()["current"] is None)
        assert alive(daemon)
    finally:
        daemon.stop()
        stand_in.close()


def test_the_system_bus_going_away_and_coming_back(
    user_env: dict[str, str],
    notification_server: Recorder,
    short_tmp: Path,
    tmp_path: Path,
) -> None:
    """The system bus (a private bus standing in for it) is restarted under a running daemon,
    as a dbus upgrade does: the daemon goes on, and once logind is back on the new bus its
    PrepareForSleep is heard again."""
    system = start_bus(short_tmp, "system-bus")
    stand_in = logind(system)
    config = tmp_path / "config.toml"
    config.write_text(LONG)
    env = {
        **user_env,
        "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address,
        "DBUS_SYSTEM_BUS_ADDRESS": system.address,
    }
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        wait_for(lambda: "watching logind for suspend" in daemon.log.read_text())
        stand_in.close()
        stop_bus(system)
        wait_for(lambda: "lost the system bus" in daemon.log.read_text())
        assert daemon.status()["running"] is True
        system = start_bus(short_tmp, "system-bus")  # the same address, a new bus
        stand_in = logind(system)
        wait_for(lambda: daemon.log.read_text().count("watching logind for suspend") == 2)
        daemon.cli("run", "long")
        wait_for(lambda: daemon.status()["current"])
        stand_in.signal(LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep", "b", (True,))
        wait_for(lambda: daemon.status()["current"] is None)
        assert alive(daemon)
    finally:
        daemon.stop()
        stand_in.close()
        if system.process.poll() is None:
            stop_bus(system)


def test_a_restarted_notification_server_is_listened_to(
    attacked: RunningDaemon, notification_server: Recorder
) -> None:
    """The notification server restarts (a new connection owns the name): the daemon follows
    the name to its new owner, whose buttons work."""
    first = attacked.log.read_text().count("notification server signals: from")
    notification_server.stop()
    notification_server.start()
    wait_for(lambda: attacked.log.read_text().count("notification server signals: from") > first)
    attacked.cli("run", "long")
    wait_for(lambda: attacked.status()["current"])
    note = notification_server.notifications()[-1]
    notification_server.call("InvokeAction", "us", (note["id"], "skip"))
    wait_for(lambda: attacked.status()["current"] is None)
