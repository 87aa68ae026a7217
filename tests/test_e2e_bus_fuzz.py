"""End to end: fuzzing a running daemon over D-Bus with random signatures and values
(hypothesis), on a private session bus and a private bus standing in for the system bus:
calls to its panel item and menu, signals to every connection it has (as the notification
server, as logind, and as anyone else), and a notification server that answers with
anything. After every attack the daemon is alive and answers `status`; its log has no
traceback. The everyday profile tries a bounded number of examples; HYPOTHESIS_PROFILE=
thorough tries many more."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from reminderd import control, panel
from reminderd.errors import ControlError
from tests.conftest import Bus, start_bus, stop_bus, wait_for
from tests.dbus_values import bodies
from tests.hostile import (
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
from tests.test_bus_fuzz import INTERFACES, MEMBERS, PANEL_SIGNATURES, REFUSALS, REPLIES
from tests.test_e2e_control import RunningDaemon
from tests.test_e2e_hostile_bus import LONG

pytestmark = pytest.mark.e2e


@dataclass
class Target:
    """A running daemon and what surrounds it."""

    daemon: RunningDaemon
    session: Bus
    system: Bus
    server: NotificationServer
    logind: Service

    @property
    def pid(self) -> int:
        assert self.daemon.process is not None
        return self.daemon.process.pid

    def still_standing(self) -> None:
        """The daemon is alive and answers `status`."""
        assert self.daemon.process is not None
        assert self.daemon.process.poll() is None, self.daemon.log.read_text()[-3000:]
        assert control.request(self.daemon.socket, "status", timeout=10)["running"] is True


@pytest.fixture
def target(user_env: dict[str, str], short_tmp: Path, tmp_path: Path) -> Iterator[Target]:
    session = start_bus(short_tmp, "session-bus")
    system = start_bus(short_tmp, "system-bus")  # standing in for the system bus
    server = NotificationServer(session.address)
    logind = Service(system.address, (LOGIND,), lambda *_: "org.freedesktop.DBus.Error.Failed")
    config = tmp_path / "config.toml"
    config.write_text(LONG)
    env = {
        **user_env,
        "DBUS_SESSION_BUS_ADDRESS": session.address,
        "DBUS_SYSTEM_BUS_ADDRESS": system.address,
    }
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        yield Target(daemon, session, system, server, logind)
        assert "Traceback" not in daemon.log.read_text()
    finally:
        daemon.stop()
        server.close()
        logind.close()
        stop_bus(session)
        stop_bus(system)


def test_the_panel_of_a_running_daemon_answers_any_call(target: Target) -> None:
    """Random calls to the item and its menu: each gets a reply or a refusal, and the daemon
    stands. (Clicks are left out: the menu's Quit would stop it, as it should.)"""
    name = panel_name(target.pid)
    with connection(target.session.address) as conn:

        @given(
            path=st.sampled_from([panel.MENU_PATH, panel.ITEM_PATH, "/"]),
            interface=INTERFACES,
            member=MEMBERS,
            body=bodies(*PANEL_SIGNATURES),
        )
        def attack(path: str, interface: str | None, member: str, body: tuple[str, Any]) -> None:
            assume("clicked" not in repr(body[1]))
            reply = call(conn, name, path, interface, member, *body, timeout=10)
            assert error_name(reply) in (None, *REFUSALS), (member, body, reply.body)
            target.still_standing()

        attack()


SIGNALS = st.sampled_from(
    [
        (NOTIFICATIONS_PATH, NOTIFICATIONS, "ActionInvoked"),
        (NOTIFICATIONS_PATH, NOTIFICATIONS, "NotificationClosed"),
        (NOTIFICATIONS_PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged"),
        (LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep"),
        ("/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged"),
        (panel.ITEM_PATH, "org.kde.StatusNotifierWatcher", "StatusNotifierHostRegistered"),
    ]
)


def test_signals_of_any_shape_from_anyone(target: Target) -> None:
    """Random signals to each of the daemon's connections and to everyone, from the server
    or logind themselves and from another program: the daemon stands."""
    with connection(target.session.address) as session, connection(target.system.address) as system:
        inboxes = {
            "session": [None, *connections_of(session, target.pid)],
            "system": [None, *connections_of(system, target.pid)],
        }

        @given(
            signal=SIGNALS,
            body=bodies("us", "uu", "sa{sv}as", "b", "sss", ""),
            sender=st.sampled_from(["owner", "anyone"]),
            to=st.integers(0, 5),
        )
        def attack(
            signal: tuple[str, str, str], body: tuple[str, Any], sender: str, to: int
        ) -> None:
            path, interface, member = signal
            on_system = member == "PrepareForSleep"
            if sender == "owner":
                owner = target.logind if on_system else target.server
                owner.signal(path, interface, member, *body)
            else:
                conn = system if on_system else session
                boxes = inboxes["system" if on_system else "session"]
                emit(conn, path, interface, member, *body, destination=boxes[to % len(boxes)])
            target.still_standing()

        attack()


def test_a_notification_server_that_answers_anything(target: Target) -> None:
    """The server answers Notify, CloseNotification and the Inhibited property with
    anything, while routines start and are skipped: the daemon stands, and goes on to the
    console when the server's answers make no sense."""

    @given(notify=REPLIES, close=REPLIES, inhibited=REPLIES)
    def attack(notify: tuple[str, Any], close: tuple[str, Any], inhibited: tuple[str, Any]) -> None:
        target.server.replies.update(Notify=notify, CloseNotification=close, Get=inhibited)
        asked = target.server.notified()
        with contextlib.suppress(ControlError):
            control.request(target.daemon.socket, "skip", timeout=10)
        control.request(target.daemon.socket, "run", name="long", timeout=10)
        wait_for(lambda: target.server.notified() > asked, timeout=10)
        target.still_standing()

    attack()
