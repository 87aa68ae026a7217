"""The notification servers people use, for real, each on the test's private bus and a
virtual X screen: xfce4-notifyd and notification-daemon here (dunst has its own tests in
test_e2e_guide.py, GNOME Shell in test_e2e_gnome.py, mako in test_e2e_mako.py). For each:
what it says it can do, a routine's steps replacing one another in one window, the
closing note withdrawn, and where the server has them, buttons pressed with a real click
and do-not-disturb holding a reminder. The README's table of desktops comes from these.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reminderd.bus import Bus as Session
from reminderd.notify import BUS_NAME, DONE_EXPIRY
from tests.conftest import ROOT, TEST_EXERCISES, Bus, virtual_screen, wait_for
from tests.test_e2e_control import RunningDaemon

pytestmark = pytest.mark.e2e

XFCONFD = "/usr/lib/x86_64-linux-gnu/xfce4/xfconf/xfconfd"


@dataclass(frozen=True)
class Server:
    name: str  # as the matrix and the README call it
    binary: str
    server_name: str  # what GetServerInformation says
    package: str
    closes: bool  # whether CloseNotification takes the note off the screen


SERVERS = (
    Server(
        "xfce4-notifyd",
        "/usr/lib/x86_64-linux-gnu/xfce4/notifyd/xfce4-notifyd",
        "Xfce Notify Daemon",
        "xfce4-notifyd",
        closes=True,
    ),
    Server(
        "notification-daemon",
        "/usr/lib/notification-daemon/notification-daemon",
        "Notification Daemon",
        "notification-daemon",
        closes=False,  # 3.20 answers CloseNotification and leaves the window up
    ),
)


class Running:
    """A server on a virtual screen, and what a person would see of it."""

    def __init__(self, server: Server, env: dict[str, str], process: subprocess.Popen[bytes]):
        self.server = server
        self.env = env
        self.process = process

    def xdotool(self, *args: str) -> str:
        return subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, text=True, check=False
        ).stdout

    def windows(self) -> list[tuple[str, int, int, int, int]]:
        """The server's visible notification windows: (id, x, y, width, height)."""
        found = []
        for wid in self.xdotool("search", "--onlyvisible", "--pid", str(self.process.pid)).split():
            shape = dict(
                line.split("=", 1)
                for line in self.xdotool("getwindowgeometry", "--shell", wid).splitlines()
                if "=" in line
            )
            width, height = int(shape.get("WIDTH", 0)), int(shape.get("HEIGHT", 0))
            if width > 20 and height > 20:  # not the 1x1 helper windows
                found.append((wid, int(shape["X"]), int(shape["Y"]), width, height))
        return found

    def screenshot(self, path: Path) -> None:
        subprocess.run(["import", "-window", "root", str(path)], env=self.env, check=True)


@pytest.fixture(params=SERVERS, ids=[s.name for s in SERVERS])
def server(
    request: pytest.FixtureRequest, private_bus: Bus, user_env: dict[str, str]
) -> Iterator[Running]:
    chosen: Server = request.param
    if not Path(chosen.binary).exists():
        pytest.skip(f"{chosen.name} is not installed (apt-get install {chosen.package})")
    if not shutil.which("xdotool"):
        pytest.skip("xdotool is not installed")
    with virtual_screen() as display:
        env = {**user_env, "DISPLAY": display, "DBUS_SESSION_BUS_ADDRESS": private_bus.address}
        helpers = []
        if chosen.name == "xfce4-notifyd" and Path(XFCONFD).exists():
            # xfconf's daemon, which the private bus cannot start by itself: do-not-disturb
            # lives there.
            helpers.append(subprocess.Popen([XFCONFD], env=env, stderr=subprocess.DEVNULL))
        process = subprocess.Popen(
            [chosen.binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        session = Session(private_bus.address)
        try:
            wait_for(lambda: session.name_has_owner(BUS_NAME), timeout=10)
            yield Running(chosen, env, process)
        finally:
            session.disconnect()
            for running in (process, *helpers):
                running.terminate()
                running.wait(5)


def start_daemon(running: Running, tmp_path: Path, routines: str) -> RunningDaemon:
    config = tmp_path / "config.toml"
    config.write_text(routines + TEST_EXERCISES)
    daemon = RunningDaemon(running.env, config)
    daemon.start()
    return daemon


# Idle awareness on (the X server's own counter), so that a routine nobody interrupted is
# completed and its closing note withdrawn after [guidance] done; a "played" one keeps it
# for its Done button.
QUICK = (
    '[schedule]\npause_when_idle = "1m"\n'
    '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "1h"\n'
)


def test_steps_replace_one_another_and_the_closing_note_goes(
    server: Running, tmp_path: Path
) -> None:
    """The server is what it says it is; a routine run through the daemon keeps one window
    on screen from the first step to the last, and none once the closing note is
    withdrawn (or, where the server ignores CloseNotification, once it expires)."""
    daemon = start_daemon(server, tmp_path, QUICK)
    try:
        status = daemon.status()
        assert server.server.server_name in status["backend_reason"]
        assert daemon.cli("run", "quick").returncode == 0
        seen = []
        deadline = time.monotonic() + 30
        while "routine.completed quick" not in daemon.log.read_text():
            seen.append(len(server.windows()))
            if len(seen) == 10:
                server.screenshot(tmp_path / "step.png")
                if os.environ.get("WRITE_SERVER_PICTURES"):
                    picture = ROOT / "docs" / f"{server.server.name}-step.png"
                    shutil.copy(tmp_path / "step.png", picture)
            assert time.monotonic() < deadline, "the routine did not end"
            time.sleep(0.1)
        assert max(seen) == 1  # one window, replaced step by step
        assert seen.count(1) >= len(seen) // 2
        if server.server.closes:
            wait_for(lambda: server.windows() == [], timeout=5)  # the closing note, withdrawn
        else:  # still there after the withdrawal; gone when it expires (DONE_EXPIRY)
            time.sleep(1)
            assert len(server.windows()) == 1
            wait_for(lambda: server.windows() == [], timeout=DONE_EXPIRY + 2)
    finally:
        daemon.stop()


def test_buttons_and_do_not_disturb_where_the_server_has_them(
    server: Running, tmp_path: Path
) -> None:
    """xfce4-notifyd: a real click on Skip of a "Start?" prompt skips the routine, and with
    xfconf's /do-not-disturb on, a due reminder is held, shown nothing, and runs once it is
    off. notification-daemon has no do-not-disturb and its prompt is not clicked here."""
    if server.server.name != "xfce4-notifyd":
        pytest.skip(f"{server.server.name}: no do-not-disturb switch; buttons not exercised")
    if not shutil.which("xfconf-query") or not Path(XFCONFD).exists():
        pytest.skip("xfconf is not installed (apt-get install xfconf)")
    daemon = start_daemon(
        server,
        tmp_path,
        '[[routines]]\nname = "asked"\nexercises = ["tick"]\nevery = "2s"\nstart = "ask"\n',
    )

    def xfconf(value: str) -> None:
        subprocess.run(
            [
                *("xfconf-query", "-c", "xfce4-notifyd", "-p", "/do-not-disturb"),
                *("-n", "-t", "bool", "-s", value),
            ],
            env=server.env,
            check=True,
        )

    try:
        assert daemon.status()["dnd"] == "xfce-do-not-disturb"
        prompt = wait_for(server.windows, timeout=10)[0]
        server.screenshot(tmp_path / "prompt.png")
        if os.environ.get("WRITE_SERVER_PICTURES"):
            shutil.copy(tmp_path / "prompt.png", ROOT / "docs" / "xfce4-notifyd-prompt.png")
        _wid, x, y, width, height = prompt
        # Start, Snooze 10 min and Skip share the bottom row, Skip on the right.
        server.xdotool("mousemove", str(x + width - width // 6), str(y + height - 30), "click", "1")
        wait_for(lambda: "routine.skipped asked reason=action" in daemon.log.read_text(), timeout=5)

        xfconf("true")
        wait_for(lambda: daemon.status()["routines"][0]["held"] == "dnd", timeout=10)
        assert server.windows() == []
        xfconf("false")
        wait_for(
            lambda: "routine.fired asked reason=dnd-over" in daemon.log.read_text(), timeout=10
        )
    finally:
        daemon.stop()


# What each server showed of a step's picture, measured by test_each_steps_picture_is_shown:
# pixels across (of the card's flat colour: the picture is 48, its edge is blended), and which ways of sending it (the spec's image-data and image-path hints,
# and app_icon) it honours.
PICTURES = {
    "xfce4-notifyd": (46, {"image-path": True, "image-data": True, "app_icon": True}),
    "notification-daemon": (46, {"image-path": True, "image-data": True, "app_icon": True}),
}


def test_each_steps_picture_is_shown(server: Running, tmp_path: Path) -> None:
    """The server shows a step's picture (image-path): the figure is there, changes with
    the step, and the right and left holds are mirror images; its size and the ways of
    sending a picture it honours are as PICTURES says."""
    from tests.pictures_on_screen import Screen, pictures_on

    def shoot(path: Path) -> Screen:
        subprocess.run(
            ["import", "-window", "root", "-depth", "8", f"ppm:{path}"], env=server.env, check=True
        )
        return Screen.read(path)

    name = server.server.name
    address = server.env["DBUS_SESSION_BUS_ADDRESS"]
    seen = pictures_on(name, address, shoot, tmp_path, closes=server.server.closes)
    print(f"{name}:", seen)
    assert (seen.size, seen.honoured) == PICTURES[name], seen
