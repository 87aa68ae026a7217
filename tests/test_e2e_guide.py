"""End to end: the real CLI and daemon as subprocesses, notifications over a private bus."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reminderd.config import load_config
from reminderd.exercises import routine_for, routine_steps
from reminderd.guide import notes_for
from tests.conftest import (
    TEST_EXERCISES,
    TEST_LIMITS,
    Recorder,
    reminderd,
    running_dunst,
    slack,
    virtual_screen,
    wait_for,
)

pytestmark = pytest.mark.e2e


def test_run_sends_each_step_in_place_and_on_time(
    notification_server: Recorder, user_env: dict[str, str], short_config: Path
) -> None:
    """`reminderd run` sends one notification per step, in order, each replacing the last,
    spaced by the step lengths."""
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    result = reminderd("run", "quick", "--config", str(short_config), env=env)
    assert result.returncode == 0, result.stderr

    config = load_config(short_config, TEST_LIMITS)
    routine = routine_for("quick", config.routines, config.exercises)
    steps = routine_steps(routine, config.exercises, config.guidance)
    expected = notes_for(steps)
    sent = notification_server.notifications()
    assert [(n["summary"], n["body"]) for n in sent] == [(e.summary, e.body) for e in expected]
    assert sent[0]["body"].startswith("Stop on pain, tingling, numbness or dizziness\n")
    assert sent[1]["body"] == "Lean right. (0.5s)"
    assert sent[3]["body"] == "Lean left. (0.5s)"
    assert sent[-1]["body"] == "Done. Well done."
    assert all(n["app_name"] == "reminderd" for n in sent)
    assert sent[0]["replaces_id"] == 0
    for previous, current in itertools.pairwise(sent):
        assert current["replaces_id"] == previous["id"]
    for (previous, current), step in zip(itertools.pairwise(sent), steps, strict=False):
        assert current["mono"] - previous["mono"] == pytest.approx(step.seconds, abs=slack(0.3))
    assert sent[1]["expire_timeout"] == 1500  # the step's half second plus one of grace


def test_run_without_a_session_bus_guides_in_the_terminal(
    user_env: dict[str, str], short_config: Path
) -> None:
    """With no session bus, `run` guides on the terminal and says why."""
    result = reminderd("run", "quick", "--config", str(short_config), env=user_env)
    assert result.returncode == 0, result.stderr
    assert "guiding in this terminal only" in result.stderr
    assert "no session bus" in result.stderr
    lines = result.stdout.splitlines()
    # The terminal says what the banner says: the same titles and numbering.
    assert lines[0] == "[Quick] Stop on pain, tingling, numbness or dizziness"
    assert lines[1] == "[Tick stretch · right side] Lean right. (0.5s)"
    assert lines[-1] == "[Quick] Done. Well done."


def test_start_guides_a_due_routine_and_stops_on_sigterm(
    notification_server: Recorder, user_env: dict[str, str], short_config: Path
) -> None:
    """The daemon guides a routine when it is due, and SIGTERM ends it with exit 0 within
    a second."""
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    process = subprocess.Popen(
        [sys.executable, "-m", "reminderd", "start", "--config", str(short_config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = time.monotonic()
        first = wait_for(notification_server.notifications, timeout=15)
        assert (
            first[0]["summary"] == "Quick · “reminderd safety”"
        )  # the day's first routine, no backtick shown
        # Due one interval (3 s) after the start, not at once; start-up under load adds some.
        assert 2.5 <= time.monotonic() - started < slack(10)
        wait_for(lambda: len(notification_server.notifications()) >= 3, timeout=10)
        process.send_signal(signal.SIGTERM)
        sent_at = time.monotonic()
        assert process.wait(timeout=5) == 0
        assert time.monotonic() - sent_at < slack(1.0)
    finally:
        if process.poll() is None:
            process.kill()
    out, err = process.communicate()
    assert "notifications: freedesktop" in err
    assert "First reminder: quick at " in out  # and how to try one now
    assert "Try one now: `reminderd run quick`." in out
    assert "Traceback" not in err
    closed = [e for e in notification_server.entries() if e["method"] == "CloseNotification"]
    assert closed, "stopping mid-routine withdraws the notification on screen"


def test_run_stops_cleanly_on_sigterm(
    notification_server: Recorder, user_env: dict[str, str], short_config: Path
) -> None:
    """`run` stopped with SIGTERM withdraws its notification and says so."""
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    process = subprocess.Popen(
        [sys.executable, "-m", "reminderd", "run", "quick", "--config", str(short_config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(notification_server.notifications)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=5)
    assert process.returncode == 130
    assert out.splitlines()[-1] == "Stopped."
    assert "Traceback" not in err
    closed = [e for e in notification_server.entries() if e["method"] == "CloseNotification"]
    assert [e["id"] for e in closed] == [notification_server.notifications()[-1]["id"]]


@pytest.fixture
def dunst(private_bus: Any, tmp_path: Path) -> Iterator[dict[str, str]]:
    """dunst, a notification server people use, on the private bus and a virtual screen."""
    if not (shutil.which("dunst") and shutil.which("dunstctl") and shutil.which("Xvfb")):
        pytest.skip("dunst and Xvfb are not installed (apt-get install dunst xvfb)")
    with virtual_screen() as display:
        env = {**os.environ, "DISPLAY": display, "DBUS_SESSION_BUS_ADDRESS": private_bus.address}
        (tmp_path / "dunstrc").write_text("[global]\n")
        with running_dunst(env, tmp_path / "dunstrc"):
            yield env


def test_run_under_dunst_keeps_one_notification_on_screen(
    dunst: dict[str, str], user_env: dict[str, str], short_config: Path
) -> None:
    """With dunst as the server, a whole routine occupies one notification, replaced in place."""
    env = {
        **user_env,
        "DISPLAY": dunst["DISPLAY"],
        "DBUS_SESSION_BUS_ADDRESS": dunst["DBUS_SESSION_BUS_ADDRESS"],
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "reminderd", "run", "quick", "--config", str(short_config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def displayed() -> int:
        done = subprocess.run(
            ["dunstctl", "count", "displayed"],
            env=dunst,
            capture_output=True,
            text=True,
            check=True,
        )
        return int(done.stdout)

    samples: list[tuple[float, int]] = []
    while process.poll() is None:
        samples.append((time.monotonic(), displayed()))
        time.sleep(0.2)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    counts = [count for _, count in samples]
    assert max(counts) == 1
    # From the first step to the last it stays on screen: once shown, never gone between
    # steps (the samples before the process had started, and after it ends, do not count).
    shown = samples[counts.index(1) :]
    while shown and shown[-1][1] == 0:
        shown.pop()
    assert [count for _, count in shown].count(0) == 0
    # The routine (intro 1 s, steps 3 s, closing note) was watched on screen throughout.
    assert shown[-1][0] - shown[0][0] >= 3.0, samples
    assert "guiding in this terminal only" not in (process.stderr.read() if process.stderr else "")


def dunstctl(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        ["dunstctl", *args], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_dunst_paused_holds_reminders_and_withdraws_the_routine_on_screen(
    dunst: dict[str, str], user_env: dict[str, str], tmp_path: Path
) -> None:
    """With dunst paused (`dunstctl set-paused true`) a due reminder is held and nothing is
    shown; a routine on screen when the pause begins is withdrawn, not completed; after
    the pause each held routine runs once."""
    from tests.test_e2e_control import RunningDaemon

    config = tmp_path / "dnd.toml"
    config.write_text(
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "4s"\n' + TEST_EXERCISES
    )
    env = {
        **user_env,
        "DISPLAY": dunst["DISPLAY"],
        "DBUS_SESSION_BUS_ADDRESS": dunst["DBUS_SESSION_BUS_ADDRESS"],
    }
    dunstctl(dunst, "set-paused", "true")
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        assert "dunst-paused" in daemon.log.read_text()
        wait_for(lambda: daemon.status()["routines"][0]["held"] == "dnd", timeout=15)
        assert daemon.status()["current"] is None
        dunstctl(dunst, "set-paused", "false")
        wait_for(lambda: daemon.status()["current"] is not None, timeout=10)
        dunstctl(dunst, "set-paused", "true")  # mid-routine
        wait_for(lambda: daemon.status()["current"] is None, timeout=10)
        assert daemon.status()["routines"][0]["held"] == "dnd"
        log = daemon.log.read_text()
        assert "routine.cancelled quick reason=dnd" in log
        assert "routine.completed" not in log
        dunstctl(dunst, "set-paused", "false")
        wait_for(lambda: "routine.completed quick" in daemon.log.read_text(), timeout=30)
    finally:
        dunstctl(dunst, "set-paused", "false")
        daemon.stop()


def test_ask_on_dunst_without_its_menu_names_the_commands_that_answer(
    dunst: dict[str, str], user_env: dict[str, str], tmp_path: Path
) -> None:
    """dunst without dmenu cannot show buttons: an "ask" routine's prompt names the commands
    instead (status says why), and `reminderd run NAME` answers it: the routine starts in
    the prompt's place and runs to the end. A middle click on the prompt starts it too."""
    from tests.test_e2e_control import RunningDaemon

    if shutil.which("dmenu", path=user_env["PATH"]):
        pytest.skip("dmenu is installed: dunst's buttons can be reached here")
    config = tmp_path / "ask.toml"
    config.write_text(
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "2s"\nstart = "ask"\n'
        + TEST_EXERCISES
    )
    env = {**user_env, **{k: dunst[k] for k in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}}
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        status = daemon.status()
        assert (
            "no buttons: dunst shows buttons only through its menu program /usr/bin/dmenu"
            in (status["backend_reason"])
        )
        wait_for(lambda: daemon.status()["asking"] is not None, timeout=10)
        wait_for(lambda: dunstctl(dunst, "count", "displayed") == "1", timeout=5)
        if shutil.which("import"):
            shot = tmp_path / "prompt.png"
            subprocess.run(["import", "-window", "root", str(shot)], env=dunst, check=True)
            assert shot.stat().st_size > 0
        answered = daemon.cli("run", "quick")
        assert answered.returncode == 0, answered.stderr
        assert answered.stdout == "quick: started, in place of the prompt that asked for it.\n"
        current = daemon.status()["current"]
        assert current is not None
        assert current["routine"] == "quick"
        wait_for(lambda: "routine.completed quick" in daemon.log.read_text(), timeout=15)
        log = daemon.log.read_text()
        assert "routine.ignored" not in log
        assert log.count("routine.started quick") == 1
        # The next prompt: dunst's middle click (do_action) runs its default action, which
        # starts the routine; no menu program needed.
        wait_for(lambda: daemon.status()["asking"] is not None, timeout=10)

        def windows() -> list[str]:
            return subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--class", "Dunst"],
                env=dunst,
                capture_output=True,
                text=True,
                check=False,
            ).stdout.split()

        window = wait_for(windows)[0]
        subprocess.run(
            ["xdotool", "mousemove", "--window", window, "20", "20", "click", "2"],
            env=dunst,
            check=True,
        )
        wait_for(lambda: daemon.log.read_text().count("routine.started quick") == 2, timeout=10)
    finally:
        daemon.stop()


def test_dunst_shows_each_steps_picture(dunst: dict[str, str], tmp_path: Path) -> None:
    """dunst shows a step's picture (image-path) at its max_icon_size (32 pixels when its
    config does not set one; Debian's /etc/xdg/dunst/dunstrc sets 128): the figure is there,
    changes with the step, and the right and left holds are mirror images. dunst shows a
    picture sent as image-data, image-path or app_icon alike."""
    from tests.pictures_on_screen import Screen, pictures_on

    def shoot(path: Path) -> Screen:
        subprocess.run(
            ["import", "-window", "root", "-depth", "8", f"ppm:{path}"], env=dunst, check=True
        )
        return Screen.read(path)

    seen = pictures_on("dunst", dunst["DBUS_SESSION_BUS_ADDRESS"], shoot, tmp_path)
    print("dunst:", seen)
    assert 30 <= seen.size <= 32
    assert seen.honoured == {"image-path": True, "image-data": True, "app_icon": True}
