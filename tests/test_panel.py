"""The panel icon: a StatusNotifierItem and its dbusmenu menu on a private session bus, a test
StatusNotifierWatcher that registers it, and clicks checked against `reminderd status`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest
from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call, new_signal
from jeepney.io.blocking import open_dbus_connection

from reminderd import panel
from reminderd.config import ConfigSource, load_config
from reminderd.errors import ConfigError
from tests.conftest import TEST_EXERCISES, TESTS, Bus, Recorder, start_bus, stop_bus, wait_for
from tests.test_e2e_control import QUICK, SLOW, RunningDaemon, write_config

if TYPE_CHECKING:
    from reminderd.contracts import DaemonStatus

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


class Watcher:
    """tests/sni_watcher.py as a subprocess on the private bus."""

    def __init__(self, bus: Bus, record: Path) -> None:
        self.bus = bus
        self.record = record
        self.process: subprocess.Popen[bytes] | None = None

    def entries(self) -> list[dict[str, Any]]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines() if line]

    def registrations(self) -> list[dict[str, Any]]:
        return [e for e in self.entries() if e["method"] == "RegisterStatusNotifierItem"]

    def start(self, *, host: bool = True) -> None:
        """Start the watcher; ``host=False``: one whose panel has not registered yet."""
        ready = sum(1 for e in self.entries() if e["method"] == "ready")
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(TESTS / "sni_watcher.py"),
                "--address",
                self.bus.address,
                "--record",
                str(self.record),
                *(() if host else ("--no-host",)),
            ]
        )
        wait_for(lambda: sum(1 for e in self.entries() if e["method"] == "ready") > ready)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(5)


@pytest.fixture
def watcher(notification_server: Recorder, tmp_path: Path) -> Iterator[Watcher]:
    handle = Watcher(notification_server.bus, tmp_path / "watcher.jsonl")
    handle.start()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def shown(
    watcher: Watcher, user_env: dict[str, str], tmp_path: Path
) -> Iterator[tuple[RunningDaemon, Watcher]]:
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": watcher.bus.address}
    config = write_config(tmp_path / "config.toml", SLOW + QUICK.replace("3s", "1h"))
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        yield daemon, watcher
    finally:
        daemon.stop()


def call(
    bus: Bus,
    service: str,
    path: str,
    member: str,
    *,
    sig: str = "",
    body: tuple[Any, ...] = (),
    interface: str = "",
) -> tuple[Any, ...]:
    """One method call; to the item, the interface is the one its path exports."""
    interface = interface or (panel.MENU_IFACE if path == panel.MENU_PATH else panel.PROPS)
    with open_dbus_connection(bus.address) as conn:
        target = DBusAddress(path, bus_name=service, interface=interface)
        message = new_method_call(target, member, sig or None, body)
        reply = conn.send_and_get_reply(message, timeout=5)
    assert reply.header.message_type == MessageType.method_return, reply.body
    return tuple(reply.body)


def labels(node: tuple[Any, ...]) -> dict[str, tuple[int, Any]]:
    """Every entry of a GetLayout tree by its label: (id, its children's labels)."""
    found: dict[str, tuple[int, Any]] = {}
    _ident, _props, children = node
    for _sig, child in children:
        cid, cprops, grand = child
        label = cprops["label"][1]
        found[label] = (cid, [g[1][1]["label"][1] for g in grand])
        found.update(labels(child))
    return found


def click(bus: Bus, service: str, ident: int) -> None:
    call(
        bus,
        service,
        panel.MENU_PATH,
        "Event",
        sig="isvu",
        body=(ident, "clicked", ("s", ""), 0),
    )


@pytest.mark.e2e
def test_the_item_registers_and_the_menu_drives_the_daemon(
    shown: tuple[RunningDaemon, Watcher],
) -> None:
    """With a watcher on the bus the item registers; its tooltip names the next routine and
    its menu pauses for an hour, resumes and runs a routine, as `status --json` then says."""
    daemon, watcher = shown
    wait_for(watcher.registrations)
    service = watcher.registrations()[0]["service"]
    wait_for(lambda: daemon.status()["panel"])
    assert daemon.status()["panel_reason"] == "shown: registered with the StatusNotifierWatcher"
    lines = daemon.cli("status").stdout.splitlines()
    assert "Panel icon: shown: registered with the StatusNotifierWatcher" in lines
    bus = watcher.bus
    (props,) = call(
        bus,
        service,
        panel.ITEM_PATH,
        "GetAll",
        sig="s",
        body=(panel.ITEM_IFACE,),
    )
    assert props["Id"] == ("s", "reminderd")
    assert props["IconName"] == ("s", "appointment-soon")
    assert props["Menu"] == ("o", panel.MENU_PATH)
    tip = props["ToolTip"][1]
    assert tip[3].startswith("Next: Slow at "), tip
    assert "(in 59m)" in tip[3] or "(in 1h)" in tip[3], tip
    _revision, layout = call(
        bus, service, panel.MENU_PATH, "GetLayout", sig="iias", body=(0, -1, [])
    )
    menu = labels(layout)
    assert menu["Run now"][1] == ["Slow", "Quick"]
    assert menu["Pause"][1] == ["30 minutes", "1 hour", "Until tomorrow", "Until resumed"]
    assert "Today: nothing yet" in menu  # no history yet: the daemon writes it at the first event
    for entry in ("Resume", "Snooze the next routine", "Skip the next routine", "Quit"):
        assert entry in menu

    click(bus, service, menu["1 hour"][0])
    status = wait_for(lambda: (s := daemon.status())["paused"] and s)
    assert status["paused_until"] is not None
    (icon,) = call(
        bus,
        service,
        panel.ITEM_PATH,
        "Get",
        sig="ss",
        body=(panel.ITEM_IFACE, "IconName"),
    )
    assert icon == ("s", "media-playback-pause")

    click(bus, service, menu["Resume"][0])
    wait_for(lambda: not daemon.status()["paused"])

    click(bus, service, menu["Quick"][0])
    status = wait_for(lambda: (s := daemon.status())["current"] and s)
    assert status["current"]["routine"] == "quick"


@pytest.mark.e2e
def test_the_icon_comes_back_when_the_panel_restarts(
    shown: tuple[RunningDaemon, Watcher],
) -> None:
    """Killing the watcher hides the icon; a new watcher gets it registered again."""
    daemon, watcher = shown
    wait_for(lambda: len(watcher.registrations()) == 1)
    watcher.stop()
    wait_for(lambda: not daemon.status()["panel"])
    assert daemon.status()["panel_reason"] == "not shown: the StatusNotifierWatcher left the bus"
    watcher.start()
    wait_for(lambda: len(watcher.registrations()) == 2)
    wait_for(lambda: daemon.status()["panel"])


@pytest.mark.e2e
def test_the_icon_waits_for_a_panel_behind_the_watcher(
    watcher: Watcher, user_env: dict[str, str], tmp_path: Path
) -> None:
    """A watcher whose panel (host) has not registered yet: the item waits, says so, and
    registers when the host's StatusNotifierHostRegistered comes, not before."""
    watcher.stop()
    watcher.start(host=False)
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": watcher.bus.address}
    daemon = RunningDaemon(env, write_config(tmp_path / "config.toml", SLOW))
    daemon.start()
    try:
        waiting = "waiting for a panel: the StatusNotifierWatcher has no host yet"
        wait_for(lambda: daemon.status()["panel_reason"] == waiting)
        assert watcher.registrations() == []
        call(
            watcher.bus,
            "org.kde.StatusNotifierWatcher",
            "/StatusNotifierWatcher",
            "RegisterStatusNotifierHost",
            sig="s",
            body=("org.kde.StatusNotifierHost-1",),
            interface="org.kde.StatusNotifierWatcher",
        )
        wait_for(lambda: len(watcher.registrations()) == 1)
        wait_for(lambda: daemon.status()["panel"])
        assert daemon.status()["panel_reason"] == "shown: registered with the StatusNotifierWatcher"
    finally:
        daemon.stop()


def test_panel_icon_must_be_true_or_false(tmp_path: Path) -> None:
    """[panel] icon takes true or false; anything else names the file, line and key."""
    path = tmp_path / "c.toml"
    path.write_text('[panel]\nicon = "yes"\n' + SLOW + TEST_EXERCISES)
    with pytest.raises(ConfigError) as caught:
        load_config(ConfigSource(path, "--config"))
    assert "c.toml:2: panel.icon: expected true or false" in str(caught.value)
    path.write_text("[panel]\nicon = false\n" + SLOW + TEST_EXERCISES)
    assert load_config(ConfigSource(path, "--config")).panel_icon is False


def typed(fields: dict[str, Any]) -> DaemonStatus:
    """A status reply with only the fields a test needs (the rest are not read)."""
    return cast("DaemonStatus", fields)


def test_the_tooltip_says_what_the_daemon_is_doing() -> None:
    """Waiting, guiding, paused and held each get their own icon and words, "in" counted now."""
    slow = {"name": "slow", "title": "Slow", "next": "2026-03-02T10:12:00+00:00", "held": None}
    waiting = {"paused": False, "current": None, "asking": None, "routines": [slow]}
    assert panel.state_of(typed(waiting)) == "waiting"
    assert panel.tooltip(typed(waiting), NOW) == "Next: Slow at 10:12 (in 12m)"
    paused = {**waiting, "paused": True, "paused_until": "2026-03-02T11:00:00+00:00"}
    assert (panel.state_of(typed(paused)), panel.tooltip(typed(paused), NOW)) == (
        "paused",
        "Paused until 11:00 (in 1h)",
    )
    forever = {**paused, "paused_until": None}
    assert panel.tooltip(typed(forever), NOW) == "Paused until resumed"
    text = "squeeze 4 of 10 · set 1 of 3: Squeeze."  # as the note and `status` number it
    current = {"routine": "slow", "step": 9, "of": 70, "text": text, "position": text[:28]}
    guiding = {**waiting, "current": current}
    assert (panel.state_of(typed(guiding)), panel.tooltip(typed(guiding), NOW)) == (
        "guiding",
        f"slow\n{text}",
    )
    held = {**waiting, "routines": [{**slow, "held": "dnd"}]}
    assert (panel.state_of(typed(held)), panel.tooltip(typed(held), NOW)) == (
        "held",
        "Slow is due, waiting: do not disturb is on",
    )


@pytest.mark.e2e
def test_every_other_menu_entry_does_what_its_command_does(
    shown: tuple[RunningDaemon, Watcher],
) -> None:
    """Snooze and Skip act on the next routine, Until tomorrow pauses to tomorrow's working
    hours, Until resumed pauses with no end, and Quit stops the daemon; the history then
    holds each as the CLI command would have recorded it."""
    daemon, watcher = shown
    wait_for(watcher.registrations)
    service = watcher.registrations()[0]["service"]
    bus = watcher.bus
    _revision, layout = call(
        bus, service, panel.MENU_PATH, "GetLayout", sig="iias", body=(0, -1, [])
    )
    menu = labels(layout)
    first = {r["name"]: r["next"] for r in daemon.status()["routines"]}

    click(bus, service, menu["Snooze the next routine"][0])
    snoozed = wait_for(
        lambda: [r for r in daemon.status()["routines"] if r["next"] != first[r["name"]]]
    )
    assert [r["name"] for r in snoozed] == ["slow"]  # the next due of the two
    assert snoozed[0]["snoozed_until"] is not None

    click(bus, service, menu["Skip the next routine"][0])
    wait_for(lambda: "routine.skipped" in daemon.log.read_text())

    click(bus, service, menu["Until tomorrow"][0])
    status = wait_for(lambda: (s := daemon.status())["paused"] and s)
    until = datetime.fromisoformat(status["paused_until"])
    assert until.date() > datetime.fromisoformat(status["started"]).date()

    click(bus, service, menu["Until resumed"][0])
    wait_for(lambda: daemon.status()["paused_until"] is None)
    assert daemon.status()["paused"] is True

    click(bus, service, menu["Quit"][0])
    assert daemon.process is not None
    assert daemon.process.wait(10) == 0
    log = daemon.log.read_text()
    assert "panel: {'cmd': 'stop'}" in log
    assert "stopped" in log


@pytest.mark.e2e
def test_the_icon_is_drawn_for_panels_without_an_icon_theme(
    shown: tuple[RunningDaemon, Watcher],
) -> None:
    """IconPixmap carries reminderd's own icon in four sizes, ARGB32, for panels whose icon
    theme lacks the named icons; its colour follows the state."""
    _daemon, watcher = shown
    wait_for(watcher.registrations)
    service = watcher.registrations()[0]["service"]
    (value,) = call(
        watcher.bus,
        service,
        panel.ITEM_PATH,
        "Get",
        sig="ss",
        body=(panel.ITEM_IFACE, "IconPixmap"),
    )
    signature, pixmaps = value
    assert signature == "a(iiay)"
    assert [(w, h) for w, h, _ in pixmaps] == [(16, 16), (22, 22), (32, 32), (48, 48)]
    for width, height, data in pixmaps:
        assert len(data) == width * height * 4
    width, _height, data = pixmaps[-1]
    corner, centre_left = data[0:4], data[(24 * width + 4) * 4 : (24 * width + 5) * 4]
    assert corner[0] == 0  # transparent outside the disc
    assert tuple(centre_left) == (255, *panel.COLOURS["waiting"])  # opaque, the state's colour


def test_pixmaps_are_small_and_differ_by_state() -> None:
    """Each state has its own colour; the four sizes of one state take about 16 KB."""
    drawn = {state: panel.pixmaps(state) for state in panel.COLOURS}
    assert len({maps[-1][2] for maps in drawn.values()}) == len(panel.COLOURS)
    assert sum(len(data) for _w, _h, data in drawn["waiting"]) == 4 * (
        16**2 + 22**2 + 32**2 + 48**2
    )


@pytest.mark.e2e
def test_losing_the_session_bus_leaves_the_daemon_running(
    user_env: dict[str, str], short_tmp: Path, tmp_path: Path
) -> None:
    """The session bus dies under a shown icon: the daemon notes it, stops watching the dead
    connection (no busy loop: its CPU time stays flat), and answers on its socket."""
    import psutil

    bus = start_bus(short_tmp, "lost")
    watcher = Watcher(bus, tmp_path / "watcher.jsonl")
    watcher.start()
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": bus.address}
    daemon = RunningDaemon(env, write_config(tmp_path / "config.toml", SLOW))
    daemon.start()
    try:
        wait_for(lambda: daemon.status()["panel"])
        watcher.stop()
        stop_bus(bus)
        wait_for(lambda: "panel: the bus connection closed" in daemon.log.read_text())
        assert daemon.process is not None
        process = psutil.Process(daemon.process.pid)
        before = process.cpu_times()
        time.sleep(1.0)
        after = process.cpu_times()
        assert (after.user + after.system) - (before.user + before.system) < 0.2
        status = daemon.status()
        assert status["running"] is True
        assert status["panel"] is False
        assert status["panel_reason"].startswith("not shown: lost the session bus")
    finally:
        daemon.stop()


def unconnected_panel() -> panel.Panel:
    """A panel item whose daemon answers nothing, for what it does with the bus alone."""
    return panel.Panel(
        lambda request: {"ok": True}, lambda: typed({}), stats=lambda: "", now=lambda: NOW
    )


def test_without_a_session_bus_the_reason_says_why_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no session bus, the icon is not shown and the reason is the bus's own words,
    not "no session bus" twice."""
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    item = unconnected_panel()
    assert item.start() is False
    assert item.reason == "not shown: no session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
    item.close()


def test_a_watcher_that_takes_over_the_name_is_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The watcher's name passes straight to a new owner (one NameOwnerChanged, old to new):
    the icon no longer counts as shown, and the new watcher is asked for its panel."""
    item = unconnected_panel()
    item.watcher.registered = True
    asked: list[str] = []
    monkeypatch.setattr(item.watcher, "ask_for_a_panel", lambda: asked.append("asked"))
    bus = DBusAddress("/org/freedesktop/DBus", interface="org.freedesktop.DBus")
    owner = new_signal(bus, "NameOwnerChanged", "sss", (panel.WATCHER, ":1.5", ":1.9"))
    owner.header.fields[HeaderFields.sender] = "org.freedesktop.DBus"  # as the bus sends it
    monkeypatch.setattr(item.bus, "conn", object())  # connected, as far as readable() asks
    waiting = [owner]
    monkeypatch.setattr(
        item.bus, "take", lambda _limit: ([waiting.pop()] if waiting else [], False)
    )
    item.readable()
    assert asked == ["asked"]
    assert item.registered is False


# Run in a process of its own, so that no other test has imported the panel's modules: an
# item on a bus with no watcher, left until it has the watcher's answer, then asked once.
WITHOUT_A_PANEL = """
import select, sys
from datetime import datetime, timezone
from reminderd import panel

def loaded():
    return sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("reminderd.panel."))

item = panel.Panel(lambda _r: {}, lambda: {}, stats=str, now=lambda: datetime.now(timezone.utc))
assert item.start()
for _ in range(100):
    if item.reason.startswith("no panel"):
        break
    select.select([item.fileno()], [], [], 5)
    item.readable()
print(item.reason)
print(*loaded())
"""


def test_an_item_that_no_panel_asks_holds_no_menu_tooltip_or_pixels(private_bus: Bus) -> None:
    """With no StatusNotifierWatcher on the bus, the item takes its name and says why it is
    not shown, and has imported only its connection, the registration and the names: the
    exported objects, the menu, the tooltip's words and the pixels wait for a panel's call."""
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_A_PANEL],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": private_bus.address},
    )
    reason, modules = done.stdout.splitlines()
    assert reason == "no panel: no StatusNotifierWatcher on the session bus"
    assert modules.split() == ["item", "names", "watcher"]
