"""The hold runner, the chooser and pw-dump's reading, without a desktop (the sources
themselves are tested against real software in test_e2e_holds.py)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

import pytest

from reminderd.holds._command import Command
from reminderd.holds.choose import Offer, choose
from reminderd.holds.pipewire import holds_in
from reminderd.holds.port import Answer, Hold, HoldUnknown, SourceReason
from reminderd.holds.runner import Runner, describe, status

MIC = Hold("call", "zoom", "microphone in use", "pipewire")


class Slow:
    """A stand-in source that asks a command which takes too long (``sleep``)."""

    name = "slow"
    reasons: frozenset[SourceReason] = frozenset({"call"})
    spawns = True

    def __init__(self, seconds: str) -> None:
        self.command = Command(self.name, ["sleep", seconds], None)

    def start(self) -> None:
        self.command.start()

    def answer(self, timeout: float) -> tuple[Hold, ...]:
        self.command.output(timeout)
        return (MIC,)


class Scripted:
    """A stand-in source that answers from a list: holds, an exception, or a delay."""

    reasons: frozenset[SourceReason] = frozenset({"call"})
    spawns = False

    def __init__(self, name: str, script: list[object], tick: Callable[[float], None]) -> None:
        self.name = name
        self.script = script
        self.tick = tick

    def start(self) -> None:
        pass

    def answer(self, timeout: float) -> tuple[Hold, ...]:
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        if isinstance(step, float):
            self.tick(step)  # the question took this long, on the runner's clock
            return ()
        assert isinstance(step, tuple)
        return step


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_a_subprocess_past_its_bound_is_given_up() -> None:
    """A source whose command outlives the bound cannot answer, and holds nothing."""
    (answer,) = Runner([Slow("10")], bound=0.05).ask()
    assert answer.holds == ()
    assert answer.unknown == "slow: sleep did not finish within the bound"


def test_a_source_that_raises_anything_cannot_answer() -> None:
    """A bug in a source (any exception) is "cannot answer", never raised."""
    clock = Clock()
    source = Scripted("buggy", [RuntimeError("boom"), (MIC,)], clock.advance)
    runner = Runner([source], clock=clock)
    assert runner.ask() == (Answer("buggy", (), "buggy: RuntimeError: boom"),)
    assert runner.ask() == (Answer("buggy", (MIC,)),)


def test_an_in_process_answer_past_the_bound_is_not_believed() -> None:
    """An answer that came after the bound counts as "cannot answer" (it held the core)."""
    clock = Clock()
    runner = Runner([Scripted("late", [0.5], clock.advance)], bound=0.2, clock=clock)
    (answer,) = runner.ask()
    assert answer.unknown == "late: took 500 ms (bound 200 ms)"


def test_failures_are_logged_once_until_the_source_answers_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A source that keeps failing is logged once; answering again is logged once too."""
    clock = Clock()
    failing = [HoldUnknown("gnome: no session"), HoldUnknown("gnome: still none"), ()]
    runner = Runner([Scripted("gnome", [*failing, HoldUnknown("gnome: gone")], clock.advance)])
    with caplog.at_level(logging.INFO, logger="reminderd"):
        for _ in range(4):
            runner.ask()
    assert [r.getMessage() for r in caplog.records] == [
        "hold source cannot answer (gnome: no session); routines are not held for it",
        "hold source gnome answers again",
        "hold source cannot answer (gnome: gone); routines are not held for it",
    ]


def test_describe_says_on_off_or_cannot_answer() -> None:
    """status's lines: what a source holds for, that it is off, or why it cannot answer."""
    answers = (
        Answer("pipewire", (MIC,)),
        Answer("x11", ()),
        Answer("gnome", (), "gnome: no session bus"),
    )
    assert describe(answers) == [
        "pipewire: on (call: microphone in use by zoom)",
        "x11: off",
        "gnome: cannot answer (gnome: no session bus)",
    ]


def test_status_lists_every_source_with_its_state() -> None:
    """status --json's holds: each source considered, used or not, with its last state."""
    offers = (
        Offer("pipewire", frozenset({"call", "screen-share"}), True, "PipeWire at /run/pw"),
        Offer("x11", frozenset({"fullscreen"}), False, "DISPLAY is not set"),
        Offer("gnome", frozenset({"inhibited"}), True, "InhibitedActions"),
        Offer("logind", frozenset({"inhibited"}), True, "ListInhibitors"),
    )
    answers = (Answer("pipewire", (MIC,)), Answer("gnome", (), "gnome: no session bus"))
    entries = status(offers, answers)
    assert [(e["source"], e["state"]) for e in entries] == [
        ("pipewire", "on"),
        ("x11", "not used"),
        ("gnome", "cannot answer"),
        ("logind", "not asked"),
    ]
    assert entries[0]["holds"] == ["call: microphone in use by zoom"]
    assert entries[0]["reasons"] == ["call", "screen-share"]
    assert entries[2]["unknown"] == "gnome: no session bus"


PATH = {"PATH": os.environ["PATH"]}


def test_choose_on_sway_uses_its_ipc_for_fullscreen_and_inhibitors() -> None:
    """On sway the tree answers full screen and inhibitors; GNOME and KDE are left out."""
    env = {**PATH, "SWAYSOCK": "/run/sway.sock", "WAYLAND_DISPLAY": "wayland-1"}
    choice = choose(environ=env)
    names = [s.name for s in choice.sources]
    assert "sway" in names
    assert "wayland-toplevel" not in names
    offered = {o.name: o for o in choice.offers}
    assert str(offered["gnome"]) == (
        "gnome (inhibited): not used, XDG_CURRENT_DESKTOP does not name GNOME"
    )
    assert offered["sway"].why.endswith(", and each window's inhibit_idle")


def test_choose_on_gnome_wayland_says_full_screen_cannot_be_told() -> None:
    """GNOME on Wayland has no full-screen source, and says so; its inhibitors are used."""
    env = {
        **PATH,
        "WAYLAND_DISPLAY": "wayland-0",
        "XDG_CURRENT_DESKTOP": "ubuntu:GNOME",
        "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent",
    }
    offered = {o.name: o for o in choose(environ=env).offers}
    assert offered["fullscreen"].used is False
    assert offered["fullscreen"].why.startswith("GNOME on Wayland tells no application")
    assert offered["gnome"].used is True


def test_choose_on_x11_and_hold_during_leaves_sources_out() -> None:
    """X11 full screen is used on X11, unless hold_during leaves full screen out."""
    env = {**PATH, "DISPLAY": ":0"}
    assert "x11" in [s.name for s in choose(environ=env).sources]
    choice = choose(frozenset({"call"}), environ=env)
    assert "x11" not in [s.name for s in choice.sources]
    offered = {o.name: o for o in choice.offers}
    assert offered["x11"].why == "hold_during leaves out fullscreen"
    assert choice.reasons() <= {"call", "screen-share"}


def test_choose_without_pw_dump_says_which_package() -> None:
    """No pw-dump on PATH: PipeWire is not used, and the package is named."""
    offered = {o.name: o for o in choose(environ={"PATH": "/nonexistent"}).offers}
    assert str(offered["pipewire"]) == (
        "pipewire (call, screen-share): not used, pw-dump is not installed (the pipewire-bin package)"
    )


def test_choose_off_linux_uses_nothing() -> None:
    """On macOS and Windows no source is chosen, and the reason points to the docs."""
    choice = choose(environ=PATH, platform="darwin")
    assert choice.sources == ()
    assert choice.offers[0].why == "holds are read from Linux desktops only (docs/holds.md)"


def node(ident: int, props: dict[str, object], state: str = "running") -> dict[str, object]:
    return {
        "id": ident,
        "type": "PipeWire:Interface:Node",
        "info": {"state": state, "props": props},
    }


def test_pw_dump_reading_names_the_camera_device_and_skips_level_meters() -> None:
    """A video stream linked from a V4L2 device node is a camera; a level meter's
    (stream.monitor) capture stream, a suspended stream and malformed objects are not holds."""
    objects: list[object] = [
        node(40, {"media.class": "Video/Source", "device.api": "v4l2"}, "running"),
        node(41, {"media.class": "Stream/Input/Video", "application.name": "Firefox"}),
        {
            "id": 42,
            "type": "PipeWire:Interface:Link",
            "info": {"output-node-id": 40, "input-node-id": 41},
        },
        node(43, {"media.class": "Stream/Input/Audio", "stream.monitor": "true"}),
        node(44, {"media.class": "Stream/Input/Audio", "client.id": 45}, "suspended"),
        node(46, {"media.class": "Stream/Input/Audio", "client.id": 47}),
        {
            "id": 47,
            "type": "PipeWire:Interface:Client",
            "info": {"props": {"application.name": "Zoom"}},
        },
        {"id": "x", "type": 5},
        "nonsense",
        {"id": 48, "type": "PipeWire:Interface:Node", "info": {"props": "no"}},
    ]
    assert holds_in(objects) == (
        Hold("call", "Firefox", "camera in use", "pipewire"),
        Hold("call", "Zoom", "microphone in use", "pipewire"),
    )


def test_pw_dump_reading_knows_a_portal_screen_cast() -> None:
    """A video stream fed by the screen-cast portal's node is a screen share."""
    objects: list[object] = [
        node(50, {"media.class": "Video/Source", "node.name": "xdpw_stream"}),
        node(51, {"media.class": "Stream/Input/Video", "node.name": "obs"}),
        {
            "id": 52,
            "type": "PipeWire:Interface:Link",
            "info": {"output-node-id": 50, "input-node-id": 51},
        },
    ]
    assert holds_in(objects) == (Hold("screen-share", "obs", "screen cast", "pipewire"),)


def test_the_idle_daemon_does_not_load_the_holds_package() -> None:
    """Importing the daemon and the core loads nothing of reminderd.holds (it is imported
    when a routine is due, so the idle daemon's memory does not grow)."""
    import subprocess
    import sys

    code = (
        "import sys, reminderd.daemon, reminderd.core, reminderd.idle, reminderd.presence; "
        "print([m for m in sys.modules if m.startswith('reminderd.holds')])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_command_prints_its_answer_or_says_why_not() -> None:
    """A source's command: its output; or, when it fails or is missing, why, as "cannot
    answer" naming the source and the command."""
    done = Command("probe", ["sh", "-c", "echo '[1]'; echo note >&2"], None)
    done.start()
    assert done.output(5) == b"[1]\n"
    failed = Command("probe", ["sh", "-c", "echo 'no PipeWire' >&2; exit 3"], None)
    failed.start()
    with pytest.raises(HoldUnknown, match=r"^probe: sh failed \(no PipeWire\)$"):
        failed.output(5)
    missing = Command("probe", ["no-such-command-here"], None)
    missing.start()
    with pytest.raises(HoldUnknown, match=r"^probe: cannot run no-such-command-here: "):
        missing.output(5)


def test_a_command_given_up_leaves_no_process_behind() -> None:
    """A command past its bound is killed and reaped, and its pipes closed."""
    slow = Command("probe", ["sleep", "30"], None)
    slow.start()
    pid = slow._pid
    assert pid is not None
    with pytest.raises(HoldUnknown, match=r"did not finish within the bound"):
        slow.output(0.01)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    assert slow._fds == []


def test_a_pw_dump_that_saw_changes_while_it_dumped_is_read_whole() -> None:
    """pw-dump prints a second list when objects change during the dump (a sound ending, a
    call starting): a removed object ({"info": null}) goes, a changed one takes its update."""
    from reminderd.holds.pipewire import dumped_objects

    text = (
        '[\n  {"id": 30, "type": "PipeWire:Interface:Node", "info": {"state": "idle"}},\n'
        '  {"id": 85, "type": "PipeWire:Interface:Node", "info": {"state": "running"}}\n]\n'
        '[\n  {"id": 85, "info": null},\n  {"id": 30, "info": {"state": "running"}}\n]\n'
    )
    assert dumped_objects(text) == [
        {"id": 30, "type": "PipeWire:Interface:Node", "info": {"state": "running"}}
    ]
    with pytest.raises(ValueError, match="nothing printed"):
        dumped_objects("  \n")
    with pytest.raises(ValueError, match="not a list"):
        dumped_objects('{"id": 1}')
