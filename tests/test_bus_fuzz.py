"""Fuzzing every D-Bus surface of reminderd with random signatures and values (hypothesis),
each on a private bus in this process: the panel item and its menu, the notification
server's signals, its replies (Notify, GetServerInformation, GetCapabilities, Inhibited),
logind's PrepareForSleep, do-not-disturb and idle replies. Whatever arrives, each surface
answers with a D-Bus error or takes a value of the type it uses, and never raises
anything else. The everyday profile tries a bounded number of examples;
HYPOTHESIS_PROFILE=thorough tries many more. tests/test_e2e_bus_fuzz.py does the same
against a running daemon."""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jeepney import DBusAddress, MessageType, new_method_call

from reminderd import dnd, idle, panel
from reminderd.bus import INVALID_ARGS, LIMITS_EXCEEDED, UNKNOWN_METHOD, UNKNOWN_PROPERTY, Bus
from reminderd.daemon.sleep import SleepWatch
from reminderd.errors import IdleError, NotifyError
from reminderd.notify import FreedesktopNotifier, Note, NotificationSignals
from tests.conftest import start_bus, stop_bus
from tests.dbus_values import bodies
from tests.hostile import (
    LOGIND,
    LOGIND_MANAGER,
    LOGIND_PATH,
    NOTIFICATIONS,
    NOTIFICATIONS_PATH,
    NotificationServer,
    Service,
    connection,
    emit,
    error_name,
    panel_name,
)

if TYPE_CHECKING:
    from reminderd.contracts import DaemonStatus

# The errors a surface may answer a call with; anything else (Failed: a handler raised,
# NoReply: it died) is a bug.
REFUSALS = {INVALID_ARGS, UNKNOWN_METHOD, UNKNOWN_PROPERTY, LIMITS_EXCEEDED}
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
STATUS = cast(
    "DaemonStatus",
    {
        # A routine as the daemon's status gives it, every field there.
        "routines": [
            {
                "name": "neck",
                "title": "Neck",
                "next": "2026-03-02T11:00:00+00:00",
                "after_pause": None,
                "snoozed_until": None,
                "held": None,
                "hold": None,
                "done_elsewhere": None,
                "running_elsewhere": None,
            }
        ],
        "current": None,
        "asking": None,
        "paused": False,
        "paused_until": None,
    },
)

MEMBERS = st.one_of(
    st.sampled_from(
        [
            *panel.MENU_METHODS,
            *panel.ITEM_METHODS,
            "Get",
            "GetAll",
            "Set",
            "Introspect",
            "Ping",
        ]
    ),
    st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,20}", fullmatch=True),
)
INTERFACES = st.sampled_from(
    [
        panel.MENU_IFACE,
        panel.ITEM_IFACE,
        panel.PROPS,
        "org.freedesktop.DBus.Introspectable",
        "org.freedesktop.DBus.Peer",
        "org.example.Nothing",
        None,
    ]
)
PANEL_SIGNATURES = (*panel.MENU_METHODS.values(), *panel.ITEM_METHODS.values(), "ss", "s", "")


@pytest.fixture
def bus_address(short_tmp: Path) -> Iterator[str]:
    bus = start_bus(short_tmp)
    try:
        yield bus.address
    finally:
        stop_bus(bus)


def test_the_panel_answers_any_call(bus_address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any method call to the item or its menu, of any signature, gets a reply or one of the
    refusals (InvalidArgs, UnknownMethod, UnknownProperty), never Failed and never
    silence; clicks reach the daemon only as the menu's own requests."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus_address)
    requests: list[dict[str, Any]] = []

    def act(request: dict[str, Any]) -> dict[str, Any]:
        requests.append(request)
        return {}

    item = panel.Panel(act, lambda: STATUS, stats=lambda: "Today: 1 of 2 done", now=lambda: NOW)
    assert item.start()
    name = panel_name(os.getpid())
    try:
        with connection(bus_address) as conn:

            @given(
                path=st.sampled_from([panel.MENU_PATH, panel.ITEM_PATH, "/", "/x"]),
                interface=INTERFACES,
                member=MEMBERS,
                call=bodies(*PANEL_SIGNATURES),
            )
            def attack(
                path: str, interface: str | None, member: str, call: tuple[str, Any]
            ) -> None:
                signature, body = call
                target = DBusAddress(path, bus_name=name, interface=interface)
                conn.send(new_method_call(target, member, signature or None, body))
                reply = answer(item, conn)
                assert error_name(reply) in (None, *REFUSALS), (member, signature, reply.body)

            attack()
    finally:
        item.close()
    menu = {str(r["cmd"]) for r in requests}
    assert menu <= {"run", "pause", "resume", "snooze", "skip", "stop"}


def answer(item: panel.Panel, conn: Any) -> Any:
    """Let the item answer (as the daemon's loop would) until the reply to the last call
    arrives."""
    while True:
        item.readable()
        try:
            message = conn.receive(timeout=0.01)
        except TimeoutError:
            continue
        if message.header.message_type != MessageType.signal:
            return message


SIGNAL_MEMBERS = st.sampled_from(
    ["ActionInvoked", "NotificationClosed", "PropertiesChanged", "NameOwnerChanged", "Other"]
)
SERVER_SIGNATURES = ("us", "uu", "sa{sv}as", "sss")


def test_notification_signals_count_only_from_the_server_and_of_their_type(
    bus_address: str,
) -> None:
    """Signals of any member, signature and value, from the server and from another program
    (to everyone or to the daemon alone): what comes out is only what the server sent with
    the right signature, and of the types the core uses."""
    server = NotificationServer(bus_address)
    daemon_side = Bus(bus_address)
    daemon_side.connect()  # as the notifier's probe leaves it
    signals = NotificationSignals(daemon_side)
    assert signals.owner == server.unique_name
    sent: list[tuple[str, tuple[Any, ...]]] = []
    got: list[tuple[str, tuple[Any, ...]]] = []
    try:
        with connection(bus_address) as attacker:
            me = signals.bus.unique_name

            @given(
                member=SIGNAL_MEMBERS,
                call=bodies(*SERVER_SIGNATURES),
                sender=st.sampled_from(["server", "everyone", "daemon"]),
            )
            def attack(member: str, call: tuple[str, Any], sender: str) -> None:
                signature, body = call
                interface = (
                    "org.freedesktop.DBus.Properties"
                    if member == "PropertiesChanged"
                    else NOTIFICATIONS
                )
                if sender == "server":
                    server.signal(NOTIFICATIONS_PATH, interface, member, signature, body)
                    if (member, signature) in (
                        ("NotificationClosed", "uu"),
                        ("PropertiesChanged", "sa{sv}as"),
                    ):
                        sent.append((member, body))
                    elif (member, signature) == ("ActionInvoked", "us"):
                        sent.append((member, (body[0], body[1][:64])))  # keys are cut to 64
                else:
                    destination = me if sender == "daemon" else None
                    emit(attacker, NOTIFICATIONS_PATH, interface, member, signature, body,
                         destination=destination)  # fmt: skip
                # The server's own last word: once it is taken, all before it from the
                # server is too.
                server.signal(
                    NOTIFICATIONS_PATH, NOTIFICATIONS, "NotificationClosed", "uu", (4242, 1)
                )
                sent.append(("NotificationClosed", (4242, 1)))
                while sum(1 for g in got if g == ("NotificationClosed", (4242, 1))) < sum(
                    1 for s in sent if s == ("NotificationClosed", (4242, 1))
                ):
                    got.extend(signals.take())

            attack()
    finally:
        signals.bus.disconnect()
        server.close()
    for member, body in got:
        if member == "ActionInvoked":
            ident, key = body
            assert isinstance(ident, int)
            assert 0 <= ident < 2**32
            assert isinstance(key, str)
            assert len(key) <= 64
        elif member == "NotificationClosed":
            assert all(isinstance(n, int) and 0 <= n < 2**32 for n in body)
        assert (member, body) in sent


def test_prepare_for_sleep_is_only_logind_and_only_a_boolean(short_tmp: Path) -> None:
    """PrepareForSleep of any signature and value, from logind and from another program on
    the system bus (a private bus standing in for it): only logind's booleans come out."""
    system = start_bus(short_tmp, "system-bus")
    logind = Service(system.address, (LOGIND,), lambda *_: UNKNOWN_METHOD)
    watch = SleepWatch.connect(system.address)
    assert watch is not None
    assert watch.owner == logind.unique_name
    owner_sent: list[bool] = []
    got: list[bool] = []
    try:
        with connection(system.address) as attacker:
            me = watch.bus.unique_name

            @given(
                member=st.sampled_from(["PrepareForSleep", "NameOwnerChanged", "Other"]),
                call=bodies("b", "s", "sss"),
                sender=st.sampled_from(["logind", "everyone", "daemon"]),
            )
            def attack(member: str, call: tuple[str, Any], sender: str) -> None:
                signature, body = call
                if sender == "logind":
                    logind.signal(LOGIND_PATH, LOGIND_MANAGER, member, signature, body)
                    if member == "PrepareForSleep" and signature == "b":
                        owner_sent.append(body[0])
                else:
                    emit(attacker, LOGIND_PATH, LOGIND_MANAGER, member, signature, body,
                         destination=me if sender == "daemon" else None)  # fmt: skip
                logind.signal(LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep", "b", (False,))
                owner_sent.append(False)
                while len(got) < len(owner_sent):
                    got.extend(watch.signals())

            attack()
    finally:
        watch.close()
        logind.close()
        stop_bus(system)
    assert got == owner_sent
    assert all(isinstance(value, bool) for value in got)


REPLIES = bodies("u", "ssss", "as", "v", "b", "t", "s")


def test_a_notification_server_that_answers_anything(bus_address: str) -> None:
    """Notify answered with anything: an id the server could mean (1 to 2**32-1), or a
    NotifyError; never another exception, never another value."""
    server = NotificationServer(bus_address)
    notifier = FreedesktopNotifier(bus_address)
    assert notifier.probe() is None
    try:

        @given(reply=REPLIES)
        def attack(reply: tuple[str, tuple[Any, ...]]) -> None:
            server.replies["Notify"] = reply
            try:
                ident = notifier.show(Note("Neck", "Turn left.", 5))
            except NotifyError:
                return
            assert isinstance(ident, int)
            assert 0 < ident < 2**32

        attack()
    finally:
        notifier.bus.disconnect()
        server.close()


def test_a_server_that_describes_itself_with_anything(bus_address: str) -> None:
    """GetServerInformation and GetCapabilities answered with anything: the probe says the
    server answers (or why not) and keeps a short name and a few short capabilities."""
    server = NotificationServer(bus_address)
    try:

        @given(info=REPLIES, capabilities=REPLIES)
        def attack(info: tuple[str, Any], capabilities: tuple[str, Any]) -> None:
            server.replies["GetServerInformation"] = info
            server.replies["GetCapabilities"] = capabilities
            notifier = FreedesktopNotifier(bus_address)
            try:
                reason = notifier.probe()
            finally:
                notifier.bus.disconnect()
            assert reason is None or isinstance(reason, str)
            assert len(notifier.server_name) <= 64
            assert len(notifier.capabilities) <= 64
            assert all(isinstance(c, str) and len(c) <= 64 for c in notifier.capabilities)
            assert len(notifier.describe()) < 400

        attack()
    finally:
        server.close()


def test_do_not_disturb_and_idle_replies_of_anything(bus_address: str) -> None:
    """The Inhibited property, swaync's GetDnd, Mutter's and the ScreenSaver's idle times
    answered with anything: a boolean or a DndError, a finite number of seconds at least
    zero or an IdleError."""
    state: dict[str, tuple[str, tuple[Any, ...]]] = {}
    names = (
        NOTIFICATIONS,
        "org.erikreider.swaync.cc",
        "org.gnome.Mutter.IdleMonitor",
        "org.freedesktop.ScreenSaver",
    )
    service = Service(bus_address, names, lambda *_: state["reply"])
    bus = Bus(bus_address)
    sources: list[dnd.DndSource] = [
        dnd.FreedesktopInhibited(bus),
        dnd.DunstPaused(bus),
        dnd.SwayncDnd(bus),
    ]
    idles = [idle.MutterIdle(bus_address), idle.ScreenSaverIdle(bus_address)]
    try:

        @given(reply=REPLIES)
        def attack(reply: tuple[str, tuple[Any, ...]]) -> None:
            state["reply"] = reply
            for source in sources:
                with contextlib.suppress(dnd.DndError):
                    assert isinstance(source.active(), bool)
            for watcher in idles:
                try:
                    seconds = watcher.idle_seconds()
                except IdleError:
                    continue
                assert math.isfinite(seconds)
                assert seconds >= 0

        attack()
    finally:
        bus.disconnect()
        service.close()
