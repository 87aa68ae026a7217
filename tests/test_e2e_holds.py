"""Hold sources against the real software they read: a headless PipeWire with pw-record
and GStreamer streams, openbox with xclock under Xvfb, a headless sway with foot; and,
where the real service cannot run here, stand-ins named as such (a camera file, and the
GNOME, KDE and logind inhibitor services on a private bus)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reminderd.bus import Bus as DBus
from reminderd.holds.gnome import GnomeInhibitors
from reminderd.holds.kde import KdeInhibitions
from reminderd.holds.logind import LogindInhibitors
from reminderd.holds.pipewire import PipeWireStreams
from reminderd.holds.port import BOUND, Hold, HoldSource, HoldUnknown
from reminderd.holds.runner import Runner
from reminderd.holds.sway import SwayTree
from reminderd.holds.v4l2 import V4l2Camera
from reminderd.holds.wayland import ForeignToplevel
from reminderd.holds.x11 import X11Fullscreen
from tests.conftest import TESTS, Bus, wait_for
from tests.openbox import Openbox
from tests.pipewire import PipeWire
from tests.sway import Sway

pytestmark = pytest.mark.e2e


def holds(source: HoldSource) -> tuple[Hold, ...]:
    source.start()
    return source.answer(BOUND * 10)  # generous: several test servers share two cores


def reasons(source: HoldSource) -> set[tuple[str, str, str]]:
    return {(h.reason, h.who, h.detail) for h in holds(source)}


# -- PipeWire ------------------------------------------------------------------------------


def test_pipewire_recording_is_a_call_until_it_stops(pipewire: PipeWire, tmp_path: Path) -> None:
    """pw-record recording (a running Stream/Input/Audio node) holds for "call: microphone
    in use by pw-record"; when it stops, nothing holds."""
    source = PipeWireStreams(pipewire.env)
    assert holds(source) == ()
    recording = pipewire.record(tmp_path / "call.wav", target="nul")
    try:
        found = wait_for(lambda: holds(source))
        assert found == (Hold("call", "pw-record", "microphone in use", "pipewire"),)
        assert str(found[0]) == "call: microphone in use by pw-record"
    finally:
        pipewire.stop_recording(recording)
    wait_for(lambda: holds(source) == ())


def gstreamer(pipewire: PipeWire, *pipeline: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["gst-launch-1.0", "-q", *pipeline],
        env=pipewire.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def video_source(pipewire: PipeWire) -> Iterator[str]:
    """A PipeWire Video/Source node made by GStreamer (test pictures), named ``pictures``."""
    if not shutil.which("gst-launch-1.0"):
        pytest.skip("gst-launch-1.0 not installed (apt-get install gstreamer1.0-tools)")
    caps = "video/x-raw,format=RGBx,width=64,height=48,framerate=10/1"
    props = "props,media.class=Video/Source,node.name=pictures"
    process = gstreamer(
        pipewire,
        "videotestsrc",
        "is-live=true",
        "!",
        caps,
        "!",
        "pipewiresink",
        "mode=provide",
        f"stream-properties={props}",
    )
    try:
        wait_for(lambda: '"pictures"' in dump(pipewire), timeout=15)
        yield "pictures"
    finally:
        process.terminate()
        process.wait(5)


def dump(pipewire: PipeWire) -> str:
    done = subprocess.run(
        ["pw-dump"], env=pipewire.env, capture_output=True, text=True, check=False
    )
    return done.stdout


def watch(pipewire: PipeWire, source: str, extra: str = "") -> subprocess.Popen[bytes]:
    """A real Stream/Input/Video node consuming ``source``, linked by pw-link as a session
    manager links a capture stream (``node.autoconnect=false``: wireplumber here links no
    video); ``extra`` adds stream properties (a browser sharing a screen sets
    ``media.role=Screen``)."""
    props = "props,media.type=Video,media.category=Capture,node.autoconnect=false,node.name=watcher"
    viewer = gstreamer(
        pipewire,
        "pipewiresrc",
        f"target-object={source}",
        f"stream-properties={props}{extra}",
        "!",
        "fakesink",
    )
    wait_for(lambda: '"watcher"' in dump(pipewire), timeout=15)

    def linked() -> bool:
        """Link the stream (again, until it takes), then see it running as video capture."""
        subprocess.run(
            ["pw-link", f"{source}:out_0", "watcher:in_0"],
            env=pipewire.env,
            capture_output=True,
            check=False,
        )
        return '"Stream/Input/Video"' in dump(pipewire)

    wait_for(linked, timeout=15)
    return viewer


def test_pipewire_screen_cast_is_a_screen_share(pipewire: PipeWire, video_source: str) -> None:
    """A running Stream/Input/Video node with media.role Screen holds for "screen-share";
    when the viewer stops, nothing holds."""
    source = PipeWireStreams(pipewire.env)
    viewer = watch(pipewire, video_source, ",media.role=Screen")
    try:
        found = wait_for(lambda: holds(source))
        assert [(h.reason, h.detail) for h in found] == [("screen-share", "screen cast")]
        assert found[0].who == "gst-launch-1.0"
    finally:
        viewer.terminate()
        viewer.wait(5)
    wait_for(lambda: holds(source) == ())


def test_pipewire_video_that_says_nothing_is_camera_or_screen_share(
    pipewire: PipeWire, video_source: str
) -> None:
    """A video stream from a node that is no device and no portal holds for both "call" and
    "screen-share", as "camera or screen share" (PipeWire does not say which)."""
    source = PipeWireStreams(pipewire.env)
    viewer = watch(pipewire, video_source)
    try:
        found = wait_for(lambda: holds(source))
        assert {(h.reason, h.detail) for h in found} == {
            ("call", "camera or screen share"),
            ("screen-share", "camera or screen share"),
        }
    finally:
        viewer.terminate()
        viewer.wait(5)


def test_pipewire_absent_cannot_answer_and_is_logged_once(
    short_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Without PipeWire the source cannot answer; the runner reports it, holds nothing, and
    logs it once however often it asks."""
    source = PipeWireStreams({"XDG_RUNTIME_DIR": str(short_tmp), "PATH": os.environ["PATH"]})
    with pytest.raises(HoldUnknown, match=r"^pipewire: no PipeWire at .*/pipewire-0$"):
        holds(source)
    runner = Runner([source])
    with caplog.at_level(logging.INFO, logger="reminderd"):
        for _ in range(3):
            (answer,) = runner.ask()
            assert answer.holds == ()
            assert answer.unknown is not None
    said = [r.getMessage() for r in caplog.records if "pipewire" in r.getMessage()]
    assert said == [
        f"hold source cannot answer (pipewire: no PipeWire at {short_tmp}/pipewire-0); "
        "routines are not held for it"
    ]


# -- a camera opened directly --------------------------------------------------------------


def test_v4l2_stand_in_camera_held_open_is_a_call(tmp_path: Path) -> None:
    """A process of this user holding the camera open holds for "call"; when it closes it,
    nothing holds. Stand-in: this machine has no camera, so a file under a folder of the
    test's own takes /dev/video0's place through the source's device prefix."""
    camera = tmp_path / "video0"
    camera.write_bytes(b"")
    source = V4l2Camera(prefix=str(tmp_path / "video"))
    assert holds(source) == ()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"f = open({str(camera)!r}); print('open', flush=True); input()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == b"open\n"
        (found,) = holds(source)
        assert (found.reason, found.detail) == ("call", f"camera in use ({camera})")
        assert found.who == Path(f"/proc/{holder.pid}/comm").read_text().strip()
    finally:
        holder.communicate(b"\n", timeout=5)
    assert holds(source) == ()


# -- full screen on X11 --------------------------------------------------------------------


def test_x11_fullscreen_xclock_under_openbox(openbox: Openbox) -> None:
    """xclock made full screen with wmctrl (EWMH) holds for "fullscreen: XClock"; back to a
    window, nothing holds."""
    openbox.open(["xclock"], "xclock")
    source = X11Fullscreen(openbox.env)
    assert holds(source) == ()
    openbox.fullscreen("xclock")
    (found,) = wait_for(lambda: holds(source))
    assert (found.reason, found.who, str(found)) == ("fullscreen", "XClock", "fullscreen: XClock")
    openbox.fullscreen("xclock", on=False)
    wait_for(lambda: holds(source) == ())


def test_x11_with_a_cookie_connects_as_a_desktop_does(short_tmp: Path) -> None:
    """An X server that demands MIT-MAGIC-COOKIE-1 (as a desktop's does) lets the source in
    with the cookie from XAUTHORITY; without it, the source cannot answer and says why."""
    if not shutil.which("xauth") or not shutil.which("Xvfb"):
        pytest.skip("xauth or Xvfb not installed (apt-get install xauth xvfb)")
    server_file, authority = short_tmp / "server-auth", short_tmp / "Xauthority"
    cookie = os.urandom(16).hex()
    # The server takes every cookie in its -auth file; the display number it picks itself
    # (-displayfd: no clash with tests running at once) goes in the client's file after.
    subprocess.run(["xauth", "-f", str(server_file), "add", ":0", ".", cookie], check=True)
    # -noreset: a connection made while the server resets (its last client just left)
    # would be let in without a cookie.
    read, write = os.pipe()
    server = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write),
            "-auth",
            str(server_file),
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as numbers:
            number = numbers.readline().strip()
        subprocess.run(
            ["xauth", "-f", str(authority), "add", f":{number}", ".", cookie], check=True
        )
        good = X11Fullscreen({"DISPLAY": f":{number}", "XAUTHORITY": str(authority)})
        # Let in, it finds no window manager (none runs on this screen): asked and answered.
        with pytest.raises(HoldUnknown, match=r"^x11: the window manager does not speak EWMH$"):
            holds(good)
        bad = X11Fullscreen({"DISPLAY": f":{number}", "XAUTHORITY": str(short_tmp / "none")})
        with pytest.raises(HoldUnknown, match=r"^x11: the X server refused the connection"):
            holds(bad)
    finally:
        server.terminate()
        server.wait(5)


def test_x11_without_a_display_cannot_answer(short_tmp: Path) -> None:
    """No DISPLAY, or a display nobody serves: "cannot answer", naming it."""
    with pytest.raises(HoldUnknown, match=r"^x11: DISPLAY is not set$"):
        holds(X11Fullscreen({}))
    with pytest.raises(HoldUnknown, match=r"^x11: cannot connect to :4321: "):
        holds(X11Fullscreen({"DISPLAY": ":4321"}))


# -- full screen and inhibitors on sway ----------------------------------------------------


@pytest.fixture
def foot(sway: Sway) -> Iterator[Sway]:
    """A real Wayland client (the foot terminal, running ``sleep``) focused on the sway."""
    if not shutil.which("foot"):
        pytest.skip("foot not installed (apt-get install foot)")
    process = sway.client(["foot", "--app-id=film", "sleep", "600"])
    source = SwayTree(sway.env)
    wait_for(lambda: _focused(sway), timeout=15)
    assert holds(source) == ()
    yield sway
    process.terminate()
    process.wait(5)


def _focused(sway: Sway) -> bool:
    done = subprocess.run(
        ["swaymsg", "-t", "get_tree"], env=sway.env, capture_output=True, text=True, check=False
    )
    return '"app_id": "film"' in done.stdout and '"focused": true' in done.stdout


def test_sway_fullscreen_holds_then_releases(foot: Sway) -> None:
    """`swaymsg fullscreen` on foot holds for "fullscreen: film" through sway's IPC; turned
    off, nothing holds."""
    source = SwayTree(foot.env)
    foot.swaymsg("fullscreen", "enable")
    assert wait_for(lambda: reasons(source)) == {("fullscreen", "film", "full-screen window")}
    foot.swaymsg("fullscreen", "disable")
    wait_for(lambda: holds(source) == ())


def test_sway_inhibit_idle_is_an_inhibitor(foot: Sway) -> None:
    """A window that inhibits idle (here by sway's own `inhibit_idle open`) holds for
    "inhibited" with its app_id; `inhibit_idle none` releases it."""
    source = SwayTree(foot.env)
    foot.swaymsg("[app_id=film]", "inhibit_idle", "open")
    assert wait_for(lambda: reasons(source)) == {("inhibited", "film", "idle inhibited")}
    foot.swaymsg("[app_id=film]", "inhibit_idle", "none")
    wait_for(lambda: holds(source) == ())


def test_foreign_toplevel_fullscreen_on_sway(foot: Sway) -> None:
    """The wlroots foreign-toplevel list (as Hyprland, river or labwc offer it; sway 1.7
    offers version 3) says a window is full screen and activated: held, then released."""
    source = ForeignToplevel(Path(foot.display))
    assert holds(source) == ()
    foot.swaymsg("fullscreen", "enable")
    assert wait_for(lambda: reasons(source)) == {("fullscreen", "film", "full-screen window")}
    foot.swaymsg("fullscreen", "disable")
    wait_for(lambda: holds(source) == ())


def test_sway_absent_cannot_answer(short_tmp: Path) -> None:
    """No SWAYSOCK, or a socket nobody serves, or no Wayland display: "cannot answer"."""
    with pytest.raises(HoldUnknown, match=r"^sway: SWAYSOCK \(or I3SOCK\) is not set$"):
        holds(SwayTree({}))
    with pytest.raises(HoldUnknown, match=r"^sway: cannot ask .*/none.sock: "):
        holds(SwayTree({"SWAYSOCK": str(short_tmp / "none.sock")}))
    with pytest.raises(HoldUnknown, match=r"^wayland-toplevel: "):
        holds(ForeignToplevel(short_tmp / "wayland-9"))


# -- idle inhibitors: stand-ins for GNOME's, KDE's and logind's services ------------------


def inhibitor_services(bus: Bus, *flags: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, str(TESTS / "inhibitor_services.py"), "--address", bus.address, *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


@pytest.fixture
def stand_ins(private_bus: Bus) -> Iterator[Bus]:
    """Stand-ins for gnome-session, PowerDevil and logind (none runs here) on a private bus."""
    process = inhibitor_services(private_bus, "--gnome", "--kde", "--logind")
    yield private_bus
    process.terminate()
    process.wait(5)


def app_call(
    bus: Bus, target: tuple[str, str, str], method: str, signature: str, *args: Any
) -> Any:
    """What an application does to inhibit: one call, on a connection of its own."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    conn = open_dbus_connection(bus.address, enable_fds=True)
    name, path, interface = target
    address = DBusAddress(path, bus_name=name, interface=interface)
    reply = conn.send_and_get_reply(new_method_call(address, method, signature, args), timeout=5)
    conn.close()
    return reply.body[0] if reply.body else None


GNOME = ("org.gnome.SessionManager", "/org/gnome/SessionManager", "org.gnome.SessionManager")
KDE = (
    "org.kde.Solid.PowerManagement.PolicyAgent",
    "/org/kde/Solid/PowerManagement/PolicyAgent",
    "org.kde.Solid.PowerManagement.PolicyAgent",
)
LOGIND = ("org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager")


def test_gnome_stand_in_idle_inhibitor_holds_with_the_app(stand_ins: Bus) -> None:
    """An application's Inhibit with the idle flag (8) holds for "inhibited" by its app id;
    a suspend-only inhibitor (4) does not; Uninhibit releases. Stand-in for gnome-session."""
    source = GnomeInhibitors(DBus(stand_ins.address))
    assert holds(source) == ()
    suspend = app_call(stand_ins, GNOME, "Inhibit", "susu", "org.gnome.Nautilus", 0, "Copying", 4)
    assert holds(source) == ()
    film = app_call(stand_ins, GNOME, "Inhibit", "susu", "org.gnome.Totem", 0, "Playing", 8 | 4)
    assert reasons(source) == {("inhibited", "org.gnome.Totem", "idle inhibited")}
    app_call(stand_ins, GNOME, "Uninhibit", "u", film)
    app_call(stand_ins, GNOME, "Uninhibit", "u", suspend)
    assert holds(source) == ()


def test_kde_stand_in_screen_inhibition_holds_with_the_app(stand_ins: Bus) -> None:
    """PolicyAgent's AddInhibition of screen settings (4) holds for "inhibited" by the
    application; ReleaseInhibition releases. Stand-in for PowerDevil."""
    source = KdeInhibitions(DBus(stand_ins.address))
    assert holds(source) == ()
    cookie = app_call(stand_ins, KDE, "AddInhibition", "uss", 4, "vlc", "Playing a film")
    assert reasons(source) == {("inhibited", "vlc", "idle inhibited")}
    app_call(stand_ins, KDE, "ReleaseInhibition", "u", cookie)
    assert holds(source) == ()


def test_logind_stand_in_idle_block_inhibitor_holds_until_its_fd_closes(stand_ins: Bus) -> None:
    """A block inhibitor of "idle" taken by this user holds for "inhibited" by its who;
    closing the descriptor logind handed out releases it; a delay or sleep one never
    holds. Stand-in for logind, which hands out the same descriptor."""
    source = LogindInhibitors(DBus(stand_ins.address))
    assert holds(source) == ()
    sleep = app_call(stand_ins, LOGIND, "Inhibit", "ssss", "sleep", "backup", "Saving", "delay")
    fd = app_call(
        stand_ins, LOGIND, "Inhibit", "ssss", "idle:sleep", "mpv", "Playing video", "block"
    )
    assert reasons(source) == {("inhibited", "mpv", "idle inhibited (Playing video)")}
    fd.close()
    sleep.close()
    assert holds(source) == ()


@pytest.mark.parametrize(
    ("make", "flag"),
    [(GnomeInhibitors, "--gnome"), (KdeInhibitions, "--kde"), (LogindInhibitors, "--logind")],
)
def test_inhibitor_replies_of_the_wrong_type_cannot_answer(
    private_bus: Bus, make: Any, flag: str
) -> None:
    """A service that answers with values of the wrong type (a hostile bus) gives "cannot
    answer", never another exception; the runner holds nothing for it."""
    process = inhibitor_services(private_bus, flag, "--hostile")
    try:
        source = make(DBus(private_bus.address))
        with pytest.raises(HoldUnknown, match=r"expected (an unsigned number|a boolean|one list)"):
            holds(source)
        (answer,) = Runner([source]).ask()
        assert (answer.holds, answer.known) == ((), False)
    finally:
        process.terminate()
        process.wait(5)


@pytest.mark.parametrize("make", [GnomeInhibitors, KdeInhibitions, LogindInhibitors])
def test_inhibitor_service_absent_cannot_answer(private_bus: Bus, make: Any) -> None:
    """A bus without the desktop's service: "cannot answer", naming the source."""
    source = make(DBus(private_bus.address))
    with pytest.raises(HoldUnknown, match=rf"^{source.name}: .*ServiceUnknown"):
        holds(source)


# -- the daemon: held during a call, a film; then it comes --------------------------------

HELD_CONFIG = (
    '[schedule]\nsoft_start = "0s"\n'
    '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "3s"\n'
)


def held_daemon(env: dict[str, str], tmp_path: Path) -> Any:
    from tests.test_e2e_control import RunningDaemon, write_config

    daemon = RunningDaemon(env, write_config(tmp_path / "config.toml", HELD_CONFIG))
    daemon.start()
    return daemon


def routine_status(daemon: Any) -> dict[str, Any]:
    routines: list[dict[str, Any]] = daemon.status()["routines"]
    return routines[0]


def test_the_daemon_holds_a_routine_during_a_call_and_runs_it_after(
    pipewire: PipeWire, notification_server: Any, user_env: dict[str, str], tmp_path: Path
) -> None:
    """With pw-record recording (a call, as PipeWire sees it), a due routine is held with
    the call named in status, shows nothing, and `run` says it is held; once the recording
    stops it runs within the poll, once, and the history says why it waited."""
    env = {
        **user_env,
        "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address,
        "PIPEWIRE_REMOTE": str(pipewire.runtime / "pipewire-0"),
    }
    recording = pipewire.record(tmp_path / "call.wav", target="nul")
    daemon = held_daemon(env, tmp_path)
    try:
        wait_for(lambda: routine_status(daemon)["held"] == "call", timeout=15)
        assert routine_status(daemon)["hold"] == "call: microphone in use by pw-record"
        asked = daemon.cli("run", "quick")
        assert asked.stdout == (
            "quick: held: call: microphone in use by pw-record; it runs when that ends,"
            " or `reminderd run --now` to override.\n"
        )
        text = daemon.cli("status").stdout
        assert "  pipewire: on (call: microphone in use by pw-record)" in text
        assert "(waiting: call: microphone in use by pw-record)" in text
        assert notification_server.notifications() == []
        pipewire.stop_recording(recording)
        wait_for(notification_server.notifications, timeout=15)
        # Once: the run asked for by hand, which the due one joins (it is on screen).
        assert daemon.log.read_text().count("routine.started quick") == 1
        history = daemon.cli("history", "--limit", "40").stdout
        assert "held (call)" in history
    finally:
        if recording.poll() is None:
            pipewire.stop_recording(recording)
        daemon.stop()


def test_the_daemon_holds_a_routine_over_a_full_screen_window_on_openbox(
    openbox: Openbox, notification_server: Any, user_env: dict[str, str], tmp_path: Path
) -> None:
    """xclock full screen under openbox holds a due routine ("fullscreen: XClock"); back to
    a window, the routine runs."""
    env = {
        **user_env,
        "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address,
        "DISPLAY": openbox.display,
    }
    openbox.open(["xclock"], "xclock")
    openbox.fullscreen("xclock")
    daemon = held_daemon(env, tmp_path)
    try:
        wait_for(lambda: routine_status(daemon)["held"] == "fullscreen", timeout=15)
        assert routine_status(daemon)["hold"] == "fullscreen: XClock"
        assert notification_server.notifications() == []
        openbox.fullscreen("xclock", on=False)
        wait_for(notification_server.notifications, timeout=15)
        assert "routine.fired quick reason=fullscreen-over" in daemon.log.read_text()
    finally:
        daemon.stop()


def test_the_daemon_holds_a_routine_over_a_full_screen_window_on_sway(
    foot: Sway, notification_server: Any, user_env: dict[str, str], tmp_path: Path
) -> None:
    """On sway, a full-screen foot holds a due routine ("fullscreen: film"), through sway's
    IPC; out of full screen, the routine runs."""
    env = {**user_env, **{k: v for k, v in foot.env.items() if k in ("SWAYSOCK",)}}
    env["DBUS_SESSION_BUS_ADDRESS"] = notification_server.bus.address
    env["WAYLAND_DISPLAY"] = foot.display
    foot.swaymsg("fullscreen", "enable")
    daemon = held_daemon(env, tmp_path)
    try:
        wait_for(lambda: routine_status(daemon)["held"] == "fullscreen", timeout=15)
        assert routine_status(daemon)["hold"] == "fullscreen: film"
        foot.swaymsg("fullscreen", "disable")
        wait_for(notification_server.notifications, timeout=15)
        assert "routine.fired quick reason=fullscreen-over" in daemon.log.read_text()
    finally:
        daemon.stop()
