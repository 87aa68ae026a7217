"""The D-Bus plumbing holds against any sender: messages are read a bounded number at a
time, one too large is never read whole, a method call is always answered (an error for
whatever its handler raised), and a reply of the wrong shape is an error, not a value.
Real buses (private dbus-daemons), in this process."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest
from jeepney import DBusAddress, MessageType, new_method_call, new_method_return
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from reminderd import panel
from reminderd.bus import (
    FAILED,
    INVALID_ARGS,
    LIMITS_EXCEEDED,
    MAX_MESSAGE,
    Bus,
    BusError,
    CallError,
    TooLarge,
    expect,
    header_field,
)
from reminderd.control import PER_WAKE
from reminderd.control.server import Client, Server
from tests.conftest import Bus as PrivateBus
from tests.conftest import wait_for
from tests.hostile import Service, connection, emit, error_name, panel_name

if TYPE_CHECKING:
    from reminderd.contracts import DaemonStatus


@pytest.fixture
def bus(private_bus: PrivateBus) -> Iterator[Bus]:
    connected = Bus(private_bus.address)
    connected.connect()
    try:
        yield connected
    finally:
        connected.disconnect()


@pytest.fixture
def client(private_bus: PrivateBus) -> Iterator[DBusConnection]:
    with connection(private_bus.address) as conn:
        yield conn


def take_all(bus: Bus, count: int) -> list[list[Any]]:
    """Take until ``count`` messages came from others than the bus itself (which greets a
    new connection with NameAcquired); those batches, as they came."""
    batches: list[list[Any]] = []
    while sum(len(batch) for batch in batches) < count:
        batch, _more = bus.take(PER_WAKE)
        assert len(batch) <= PER_WAKE
        batch = [m for m in batch if header_field(m, "sender") != "org.freedesktop.DBus"]
        if batch:
            batches.append(batch)
    return batches


def reply_to(client: DBusConnection) -> Any:
    """The next reply ``client`` receives (the bus's greeting signal skipped)."""
    while True:
        message = client.receive(timeout=5)
        if message.header.message_type != MessageType.signal:
            return message


def test_take_hands_out_at_most_its_limit_and_says_more_may_wait(
    bus: Bus, client: DBusConnection
) -> None:
    """A hundred signals sent at once come out in batches of at most PER_WAKE, each but
    the last saying more may wait, in the order they were sent."""
    assert bus.unique_name is not None
    for n in range(100):
        emit(client, "/x", "org.example.X", "Tick", "u", (n,), destination=bus.unique_name)
    batches = take_all(bus, 100)
    assert [m.body[0] for batch in batches for m in batch] == list(range(100))
    assert bus.take(PER_WAKE) == ([], False)


def test_a_message_too_large_is_answered_unread_and_the_stream_goes_on(
    bus: Bus, client: DBusConnection
) -> None:
    """A call of several megabytes comes as a TooLarge (its header only) and is answered
    LimitsExceeded; a large signal is dropped unread; the next message is read as usual."""
    name = bus.unique_name
    assert name is not None
    target = DBusAddress("/x", bus_name=name, interface="org.example.X")
    big = new_method_call(target, "Eat", "ay", (b"\x07" * 4_000_001,))
    client.send(big, serial=1000)
    emit(client, "/x", "org.example.X", "Big", "ay", (b"x" * (MAX_MESSAGE * 3),), destination=name)
    client.send(new_method_call(target, "Small", "s", ("after",)), serial=1001)
    first, second = [m for batch in take_all(bus, 2) for m in batch]
    assert isinstance(first, TooLarge)
    assert first.size > 4_000_000
    assert header_field(first, "member") == "Eat"
    assert (header_field(second, "member"), second.body) == ("Small", ("after",))
    bus.answer(first, lambda _message: ("", ()))
    reply = reply_to(client)
    assert error_name(reply) == LIMITS_EXCEEDED
    assert header_field(reply, "reply_serial") == 1000


def test_answer_turns_whatever_a_handler_raises_into_an_error_reply(
    bus: Bus, client: DBusConnection, caplog: pytest.LogCaptureFixture
) -> None:
    """A handler that refuses the arguments gives InvalidArgs; one with a bug gives Failed
    (and a log line); one that returns a body its signature cannot carry gives Failed too.
    Nothing reaches the caller of answer()."""
    name = bus.unique_name
    assert name is not None
    target = DBusAddress("/x", bus_name=name, interface="org.example.X")
    handlers: list[Any] = [
        lambda message: ("u", expect(message, "u")),
        lambda _message: ("u", (1 // 0,)),
        lambda _message: ("u", ("not a number",)),
        lambda _message: ("s", ("fine",)),
    ]
    for handler in handlers:
        client.send(new_method_call(target, "Call", "s", ("x",)))
        (message,) = take_all(bus, 1)[0]
        bus.answer(message, handler)
    replies = [reply_to(client) for _ in handlers]
    assert [error_name(reply) for reply in replies] == [INVALID_ARGS, FAILED, FAILED, None]
    assert replies[0].body == ("Call takes (u), not (s)",)
    assert replies[3].body == ("fine",)
    assert "ZeroDivisionError" in caplog.text


def test_a_reply_of_another_signature_is_a_bus_error(private_bus: PrivateBus) -> None:
    """A service that answers a string where a number is due: BusError naming both, and
    the connection stays usable."""
    service = Service(private_bus.address, ("org.example.Odd",), lambda *_: ("s", ("x",)))
    bus = Bus(private_bus.address)
    try:
        with pytest.raises(BusError, match=r"Get answered \(s\) where \(u\) was expected"):
            bus.call("org.example.Odd", "/", "org.example.Odd", "Get", returns="u")
        assert bus.call("org.example.Odd", "/", "org.example.Odd", "Get", returns="s") == ("x",)
    finally:
        bus.disconnect()
        service.close()


def test_expect_names_the_signature_wanted() -> None:
    """A call of the wrong signature is refused with InvalidArgs saying what it takes."""
    target = DBusAddress("/x", bus_name="org.example.X", interface="org.example.X")
    with pytest.raises(CallError) as raised:
        expect(new_method_call(target, "GetLayout", "s", ("abc",)), "iias")
    assert (raised.value.name, str(raised.value)) == (
        INVALID_ARGS,
        "GetLayout takes (iias), not (s)",
    )


def test_the_menu_is_built_once_however_often_it_is_asked_for(
    private_bus: PrivateBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two hundred GetLayout calls (a panel, or a flood) read the status and today's history
    once, not once each; a change builds the menu again."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_bus.address)
    asked: list[str] = []

    def stats() -> str:
        asked.append("stats")
        return "Today: nothing yet"

    item = panel.Panel(
        lambda _request: {},
        lambda: cast(
            "DaemonStatus",
            {
                "routines": [{"name": "neck", "title": "Neck", "next": None, "held": None}],
                **{"current": None, "asking": None, "paused": False},
            },
        ),
        stats=stats,
        now=lambda: datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc),
    )
    assert item.start()
    try:
        menu = DBusAddress(
            panel.MENU_PATH, bus_name=panel_name(os.getpid()), interface=panel.MENU_IFACE
        )
        with connection(private_bus.address) as conn:
            for _ in range(200):
                conn.send(new_method_call(menu, "GetLayout", "iias", (0, -1, [])))
            assert len(pump(item, conn, 200)) == 200
            assert asked == ["stats"]
            item.changed()
            conn.send(new_method_call(menu, "GetLayout", "iias", (0, -1, [])))
            assert len(pump(item, conn, 1)) == 1
            assert asked == ["stats", "stats"]
    finally:
        item.close()


def pump(item: panel.Panel, conn: DBusConnection, count: int) -> list[Any]:
    """Let the item answer (as the daemon's loop would) until ``count`` replies came."""
    replies: list[Any] = []
    while len(replies) < count:
        item.readable()
        while True:
            try:
                reply = conn.receive(timeout=0.002)
            except TimeoutError:
                break
            if reply.header.message_type == MessageType.signal:
                continue  # the bus greeting the new connection
            assert reply.header.message_type == MessageType.method_return, reply.body
            replies.append(reply)
    return replies


def test_a_client_that_sends_many_requests_at_once_is_answered_a_few_at_a_time(
    short_tmp: Path,
) -> None:
    """A control client that pipelines a hundred requests: each turn of the loop answers at
    least one and at most PER_WAKE of them (fewer once the turn's share of time is used),
    and says more are waiting until all are answered."""
    answered: list[str] = []

    def handler(request: dict[str, Any], _client: Client) -> dict[str, Any]:
        answered.append(request["cmd"])
        return {}

    server = Server(short_tmp / "control.sock", handler)
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(short_tmp / "control.sock"))
            sock.sendall(b'{"v": 1, "cmd": "status"}\n' * 100)
            server.accept()
            (client,) = server.clients.values()
            wait_for(lambda: _readable(client.sock))
            server.readable(client)
            assert 1 <= len(answered) <= PER_WAKE
            turns = 1
            while server.backlog():
                server.new_turn()
                before = len(answered)
                server.catch_up()
                turns += 1
                assert 1 <= len(answered) - before <= PER_WAKE
            assert len(answered) == 100
            assert turns >= 100 / PER_WAKE
    finally:
        server.close()


def _readable(sock: socket.socket) -> bool:
    import select

    return bool(select.select([sock], [], [], 0)[0])


def test_a_signal_read_with_a_reply_is_kept_for_the_loop(
    private_bus: PrivateBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service that answers a call and at once sends a signal: when the reader is slow
    (a loaded machine), both come in one read. The call returns the reply; the signal waits
    (``holding`` says so, for the loop not to sleep on a socket it was already read from)
    and the next take hands it out."""
    service = open_dbus_connection(private_bus.address)
    owned = service.send_and_get_reply(
        new_method_call(
            DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus"),
            "RequestName",
            "su",
            ("org.example.Chatty", 4),
        ),
        timeout=5,
    ).body
    assert owned == (1,)

    def serve() -> None:
        while True:
            message = service.receive(timeout=5)
            if message.header.message_type == MessageType.method_call:
                break
        service.send(new_method_return(message, "s", ("answer",)))
        emit(service, "/x", "org.example.Chatty", "Changed", "u", (7,))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    bus = Bus(private_bus.address)
    bus.connect()
    bus.subscribe("type='signal',interface='org.example.Chatty'")
    read = Bus._read
    slow = [True]

    def slow_read(self: Bus, conn: Any, wait: bool = True) -> bool:
        if slow[0]:
            slow[0] = False
            time.sleep(0.5)  # the reply and the signal both arrive before the first read
        return read(self, conn, wait)

    monkeypatch.setattr(Bus, "_read", slow_read)
    try:
        assert bus.call("org.example.Chatty", "/", "org.example.Chatty", "Get", returns="s") == (
            "answer",
        )
        thread.join(5)
        assert bus.holding
        messages, _more = bus.take(PER_WAKE)
        from_service = [m for m in messages if header_field(m, "sender") != "org.freedesktop.DBus"]
        assert [(header_field(m, "member"), m.body) for m in from_service] == [("Changed", (7,))]
        assert not bus.holding
    finally:
        bus.disconnect()
        service.close()
