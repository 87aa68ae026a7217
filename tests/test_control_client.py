"""The control channel's client against real Unix sockets that misbehave: nobody there, a
daemon that hangs up, one that never answers, error replies, and an event stream."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reminderd import control
from reminderd.errors import ControlError, NotRunningError


@pytest.fixture
def serve(short_tmp: Path) -> Iterator[Callable[[Callable[[socket.socket], None]], Path]]:
    """Listen on a socket and answer one connection with the given function, in a thread."""
    threads: list[threading.Thread] = []
    listeners: list[socket.socket] = []

    def start(answer: Callable[[socket.socket], None]) -> Path:
        path = short_tmp / f"c{len(listeners)}.sock"
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(path))
        listener.listen(1)
        listeners.append(listener)

        def run() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)  # the request
                answer(conn)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)
        return path

    yield start
    for listener in listeners:
        listener.close()
    for thread in threads:
        thread.join(5)


def test_nobody_listening_is_not_running(short_tmp: Path) -> None:
    """No socket, or a socket file nobody listens on: the daemon is not running."""
    with pytest.raises(NotRunningError, match="reminderd is not running"):
        control.request(short_tmp / "none.sock", "status")
    stale = short_tmp / "stale.sock"
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(stale))
    dead.close()  # the file stays, nobody listens
    with pytest.raises(NotRunningError):
        control.request(stale, "status")


def test_a_path_that_is_no_socket_cannot_be_reached(short_tmp: Path) -> None:
    """A regular file where the socket should be: the reason, not a traceback."""
    path = short_tmp / "file.sock"
    path.write_text("")
    with pytest.raises(ControlError, match=r"cannot reach the daemon|not running"):
        control.request(path, "status")


def test_a_daemon_that_hangs_up_or_stays_silent(serve: Callable[..., Path]) -> None:
    """Closing without a reply, or not replying in time: a ControlError that says which."""
    with pytest.raises(ControlError, match="closed the connection without answering"):
        control.request(serve(lambda conn: None), "status")
    silent = threading.Event()
    path = serve(lambda conn: silent.wait(5))
    with pytest.raises(ControlError, match="did not answer in time"):
        control.request(path, "status", timeout=0.2)
    silent.set()


def test_replies_arrive_whole_and_errors_are_raised(serve: Callable[..., Path]) -> None:
    """A reply in two pieces is read whole; an error reply becomes ControlError with the
    daemon's words."""

    def in_two_pieces(conn: socket.socket) -> None:
        conn.sendall(b'{"v": 1, "ok": tr')
        conn.sendall(b'ue, "running": true}\n')

    assert control.request(serve(in_two_pieces), "status")["running"] is True

    def refuse(conn: socket.socket) -> None:
        conn.sendall(json.dumps({"v": 1, "ok": False, "error": "no such routine"}).encode() + b"\n")

    with pytest.raises(ControlError, match="no such routine"):
        control.request(serve(refuse), "skip", routine="x")


def test_an_event_stream_ends_when_the_daemon_closes_it(serve: Callable[..., Path]) -> None:
    """Each line is one message; the stream ends when the daemon goes; an error message
    in the stream is raised."""

    def two_events(conn: socket.socket) -> None:
        conn.sendall(b'{"v": 1, "ok": true, "subscribed": true}\n{"v": 1, "kind": "a"}\n')

    messages = list(control.stream(serve(two_events)))
    assert [m.get("kind") for m in messages] == [None, "a"]

    def refused(conn: socket.socket) -> None:
        conn.sendall(b'{"v": 1, "ok": false, "error": "too many event streams"}\n')

    with pytest.raises(ControlError, match="too many event streams"):
        list(control.stream(serve(refused)))
