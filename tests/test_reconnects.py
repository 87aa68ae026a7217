"""A connection closed and made again: the kernel gives the new socket the lowest free
number, which is most often the one the old socket had. The daemon's loop watches the new
one all the same, and a bus gone during a call is noticed, not kept as if it were there."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from reminderd.daemon.loop import Loop
from reminderd.daemon.server_signals import ServerSignals
from reminderd.daemon.sleep import SleepListener
from tests.conftest import start_bus, stop_bus
from tests.hostile import LOGIND, Service


def ready(loop: Loop) -> list[object]:
    """What the loop would wake for now."""
    return [key.fileobj for key, _mask in loop.selector.select(0)]


@pytest.fixture
def loop() -> Iterator[Loop]:
    loop = Loop()
    yield loop
    loop.close()


@pytest.fixture
def connection() -> Iterator[Connection]:
    """A connection (a socket pair), to be made again under the same number."""
    made = Connection()
    yield made
    for sock in made.ends:
        sock.close()


class Connection:
    def __init__(self) -> None:
        self.sock, peer = socket.socketpair()
        self.ends = [peer]

    def made_again(self) -> tuple[socket.socket, socket.socket]:
        """The socket closed, and a new connection with its number (the kernel's lowest
        free one, given here for certain); the new socket and its peer."""
        number = self.sock.fileno()
        other, peer = socket.socketpair()
        self.sock.close()
        os.dup2(other.fileno(), number)
        new = socket.socket(fileno=number)
        other.close()
        self.ends += [new, peer]
        return new, peer


def test_a_socket_closed_before_it_was_removed_hides_no_new_one_of_its_number(
    loop: Loop, connection: Connection
) -> None:
    """The old socket was in the loop when it was closed (a bus call failed); a new socket
    with its number is watched, and wakes the loop."""
    loop.watch(connection.sock, lambda _mask: None)
    new, peer = connection.made_again()
    loop.watch(new, lambda _mask: None)
    peer.send(b"x")
    assert ready(loop) == [new]


class Signals:
    """Stands in for the notification server's signals: only their connection matters."""

    def __init__(self, sock: socket.socket) -> None:
        self.socket = sock

    def sock(self) -> socket.socket:
        return self.socket


def test_the_servers_signals_are_watched_on_a_new_connection_of_the_old_number(
    loop: Loop, connection: Connection
) -> None:
    """The session-bus connection was made again after a failed call, and has the old
    one's number: the loop watches the new socket, so that a button pressed wakes it."""
    signals = ServerSignals(
        loop,
        action=lambda _id, _key: None,
        closed=lambda _id, _reason: None,
        look_again=lambda: None,
        server_changed=lambda: None,
    )
    signals.signals = Signals(connection.sock)  # type: ignore[assignment]
    signals.watch()
    new, peer = connection.made_again()
    signals.signals = Signals(new)  # type: ignore[assignment]
    signals.watch()
    peer.send(b"x")
    assert ready(loop) == [new]


def test_a_system_bus_gone_during_a_call_is_lost_and_looked_for_again(
    loop: Loop,
    short_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """logind leaves the system bus (a private bus standing in for it), and the bus goes
    away before the daemon has followed logind's name (RemoveMatch, a call): the call
    fails, the daemon says the bus is lost and looks for it again a second later."""
    caplog.set_level(logging.WARNING, "reminderd")
    system = start_bus(short_tmp, "system-bus")
    logind = Service(system.address, (LOGIND,), lambda *_: None)
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", system.address)
    listener = SleepListener(loop, lambda: 100.0, lambda: None, most=8.0)
    try:
        watch = listener.watch
        assert watch is not None
        assert watch.owner == logind.unique_name
        follow = watch.follow

        def follow_after_the_bus_went(owner: str | None) -> None:
            stop_bus(system)  # between the signal read and the call that follows it
            follow(owner)

        monkeypatch.setattr(watch, "follow", follow_after_the_bus_went)
        logind.close()  # NameOwnerChanged: logind's name has no owner now
        assert [key.fileobj for key, _mask in loop.selector.select(5)] == [watch]
        listener.readable()
        assert listener.watch is None
        assert listener.next_deadline() == 101.0
        assert ready(loop) == []
        assert "lost the system bus" in caplog.text
    finally:
        listener.close()
        if system.process.poll() is None:
            stop_bus(system)
