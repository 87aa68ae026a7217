"""Nothing takes the daemon down: far-off wake-ups through the real loop, a state file that
cannot be read, configs that would explode when they fire, and reloads of them."""

from __future__ import annotations

import json
import os
import signal
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_EXERCISES, Bus, Recorder, reminderd, slack, wait_for
from tests.test_e2e_control import RunningDaemon

pytestmark = pytest.mark.e2e

WEEKLY = (
    '[[routines]]\nname = "weekly"\nexercises = ["tick"]\nat = ["10:00"]\ndays = ["mon"]\n'
    '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "1h"\n' + TEST_EXERCISES
)


@pytest.fixture
def weekly(user_env: dict[str, str], tmp_path: Path) -> Iterator[RunningDaemon]:
    config = tmp_path / "weekly.toml"
    config.write_text(WEEKLY)
    daemon = RunningDaemon(user_env, config)
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


def alive(daemon: RunningDaemon) -> bool:
    return daemon.process is not None and daemon.process.poll() is None


def test_far_off_wake_ups_leave_the_daemon_running_and_restartable(
    weekly: RunningDaemon,
) -> None:
    """A month's pause, a week's snooze and a weekly routine skipped four times put the next
    wake-up weeks away; the real loop keeps running, and a restart resumes that state."""
    assert weekly.cli("snooze", "quick", "150h").returncode == 0
    for _ in range(4):
        assert weekly.cli("skip", "weekly").returncode == 0
    assert weekly.cli("pause", "720h").returncode == 0
    assert weekly.status()["paused_until"] is not None
    assert alive(weekly)
    weekly.stop()
    weekly.start()  # the saved far pause, snooze and skips are read back
    status = weekly.status()
    assert status["paused"] is True
    assert "Traceback" not in weekly.log.read_text()
    assert weekly.cli("resume").returncode == 0
    routines = {r["name"]: r for r in weekly.status()["routines"]}
    assert routines["quick"]["snoozed_until"] is not None
    assert alive(weekly)


def test_absurd_lengths_are_refused_with_their_limit(weekly: RunningDaemon) -> None:
    """A pause past a year or a snooze past a week is refused in one line that says the
    limit and what to do instead; the daemon carries on."""
    result = weekly.cli("pause", "100000h")
    assert result.returncode == 1
    assert result.stderr == (
        "Error: a pause must be longer than zero and at most 366 days: `reminderd pause` "
        "with no duration pauses until `reminderd resume`\n"
    )
    result = weekly.cli("snooze", "quick", "700h")
    assert result.returncode == 1
    assert "a snooze must be longer than zero and at most 7 days" in result.stderr
    assert weekly.status()["paused"] is False
    assert alive(weekly)


def test_unreadable_state_file_is_set_aside_and_the_daemon_starts(
    user_env: dict[str, str], tmp_path: Path
) -> None:
    """A state file of invalid UTF-8, or nested too deeply, is set aside with a warning;
    the start goes on. Leftovers of an interrupted write are removed."""
    config = tmp_path / "weekly.toml"
    config.write_text(WEEKLY)
    state = Path(user_env["XDG_STATE_HOME"]) / "reminderd"
    state.mkdir(parents=True, exist_ok=True)
    leftover = state / ".state.json.123.abcd.tmp"
    for content in (b"\xff", b"[" * 100_000 + b"]" * 100_000):
        (state / "state.json").write_bytes(content)
        leftover.write_text("{}")
        daemon = RunningDaemon(user_env, config)
        daemon.start()
        try:
            assert daemon.status()["paused"] is False
        finally:
            daemon.stop()
        log = daemon.log.read_text()
        assert "is unreadable" in log
        assert "Traceback" not in log
        assert not leftover.exists()
    assert len(list(state.glob("state.json.corrupt-*"))) >= 1


EXPLOSIVE = {
    "sets": ("sets = 100000", "sets: expected a whole number from 1 to 20, got 100000"),
    "reps": ("reps = 100000", "reps: expected a whole number from 1 to 100, got 100000"),
    "spec": (
        'sides = ["right"]\n[[exercises.steps]]\ntext = "{side:>300000000}"\nseconds = 1',
        "text: a placeholder has a format (like {side:>10} or {side!r})",
    ),
    "empty": ("steps = []", "exercises[0]: no steps"),
}


def explosive(name: str) -> str:
    extra, _ = EXPLOSIVE[name]
    steps = "" if name in ("spec", "empty") else '[[exercises.steps]]\ntext = "Go."\nseconds = 1\n'
    return (
        '[[routines]]\nname = "boom"\nexercises = ["x"]\nevery = "1h"\n'
        f'[[exercises]]\nid = "x"\ntitle = "X"\n{extra}\n{steps}'
    )


@pytest.mark.parametrize("name", sorted(EXPLOSIVE))
def test_explosive_configs_fail_check(name: str, user_env: dict[str, str], tmp_path: Path) -> None:
    """Configs that would exhaust memory or time when they fire fail `check` with exit 2 and
    a line that names the key."""
    config = tmp_path / "boom.toml"
    config.write_text(explosive(name))
    result = reminderd("check", str(config), env=user_env)
    assert result.returncode == 2
    assert EXPLOSIVE[name][1] in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_every_below_five_minutes_is_refused_with_the_reason(
    user_env: dict[str, str], tmp_path: Path
) -> None:
    """`every = "1s"` (thousands of reminders a day) fails `check`, saying why."""
    env = {key: value for key, value in user_env.items() if key != "REMINDERD_MIN_EVERY"}
    config = tmp_path / "often.toml"
    config.write_text('[[routines]]\nname = "r"\nexercises = ["posture-check"]\nevery = "1s"\n')
    result = reminderd("check", str(config), env=env)
    assert result.returncode == 2
    assert (
        'routines[0].every: "1s" is shorter than 5m (a reminder more often than every 5 '
        "minutes interrupts every task, and every is at most 24 hours: for once a day, write"
        ' at = ["10:30"])'
    ) in result.stdout + result.stderr


def test_deep_nesting_and_a_fifo_are_config_errors(
    user_env: dict[str, str], tmp_path: Path
) -> None:
    """A config nested too deeply, or a FIFO in place of a file, is refused at once with one
    line and exit 2: no traceback, no hang."""
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    for path, message in ((deep, "nested too deeply"), (fifo, "not a regular file")):
        result = reminderd("check", str(path), env=user_env, timeout=10)
        assert result.returncode == 2
        assert message in result.stdout + result.stderr
        assert "Traceback" not in result.stderr


def test_sighup_with_an_explosive_or_nested_config_keeps_the_old_one(
    weekly: RunningDaemon,
) -> None:
    """SIGHUP (systemd's ExecReload) with a config that cannot run keeps the daemon and its
    old config, and the log says why."""
    assert weekly.process is not None
    for content in (explosive("sets"), "x = " + "[" * 100_000 + "]" * 100_000 + "\n"):
        weekly.config.write_text(content)
        weekly.process.send_signal(signal.SIGHUP)
        wait_for(lambda: "config not reloaded" in weekly.log.read_text())
        assert alive(weekly)
        assert [r["name"] for r in weekly.status()["routines"]] == ["weekly", "quick"]
        result = weekly.cli("reload")
        assert result.returncode == 1
        assert "config not reloaded; the old one stays in use" in result.stderr
    assert "Traceback" not in weekly.log.read_text()


def test_status_json_reports_an_unusable_runtime_folder(
    user_env: dict[str, str], tmp_path: Path
) -> None:
    """With a runtime folder that cannot be used, `status --json` still prints JSON, with an
    `error` field, and `status` prints one line."""
    runtime, temporary = Path(user_env["XDG_RUNTIME_DIR"]), tmp_path / "tmp"
    temporary.mkdir()
    (runtime / "reminderd").write_text("")  # a file where the folder should be
    (temporary / f"reminderd-{os.getuid()}").write_text("")  # and where the fallback goes
    env = {**user_env, "TMPDIR": str(temporary)}
    result = reminderd("status", "--json", env=env)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["running"] is False
    assert data["error"]
    plain = reminderd("status", env=env)
    assert plain.returncode == 1
    assert plain.stderr.splitlines()[-1].startswith("Error: cannot create ")
    assert "Traceback" not in plain.stderr


def test_plan_far_in_the_future_and_a_damaged_history_say_one_line(
    user_env: dict[str, str], tmp_path: Path
) -> None:
    """`plan --date 9999-12-31` and `stats`/`history` on a damaged database each print one
    line, never a traceback."""
    result = reminderd("plan", "--date", "9999-12-31", env=user_env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for --date: give a date between 1971 and 9998"
    )
    data = Path(user_env["XDG_DATA_HOME"]) / "reminderd"
    data.mkdir(parents=True)
    (data / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    for command in ("stats", "history"):
        result = reminderd(command, env=user_env)
        assert result.returncode == 1, command
        assert result.stderr.startswith("Error: "), command
        assert "Traceback" not in result.stderr


def test_daemon_entry_refuses_unknown_options_cleanly() -> None:
    """The daemon's own entry point is internal; an unknown option ends with one line."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "reminderd.daemon", "--bogus", "x"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr


def hook_processes(marker: str) -> list[int]:
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline"]):
        if marker in " ".join(process.info["cmdline"] or []):
            found.append(process.pid)
    return found


def test_stop_ends_four_running_hooks_at_once(user_env: dict[str, str], tmp_path: Path) -> None:
    """`stop` with four hooks running (each with a child of its own) returns in under a
    second and leaves none of them behind."""
    import time

    marker = f"{tmp_path.name}-{uuid.uuid4().hex}-hook"
    hook = (
        '[[hooks]]\nevent = "daemon.paused"\ntimeout = "1h"\n'
        f'command = ["sh", "-c", "sleep 61 & sleep 62; : {marker}", "{marker}"]\n'
    )
    config = tmp_path / "hooks.toml"
    config.write_text(WEEKLY + hook * 4)
    daemon = RunningDaemon(user_env, config)
    daemon.start()
    try:
        assert daemon.cli("pause").returncode == 0
        wait_for(lambda: len(hook_processes(marker)) >= 4)
        from reminderd import control

        assert daemon.process is not None
        began = time.monotonic()  # the daemon's own part: from the stop request to its exit
        control.request(daemon.socket, "stop", timeout=5)
        daemon.process.wait(5)
        took = time.monotonic() - began
        print(f"stop with four hooks running took {took * 1000:.0f} ms")
        assert took < slack(1.0)
        wait_for(lambda: not hook_processes(marker), timeout=2)
        wait_for(lambda: not hook_processes("sleep 61"), timeout=2)
    finally:
        daemon.stop()


def test_a_frozen_notification_server_does_not_stall_status(
    private_bus: Bus, user_env: dict[str, str], tmp_path: Path
) -> None:
    """With the notification server stopped (SIGSTOP) mid-routine, the daemon stops waiting
    for it: `status` answers within 100 ms, and notifications come back after SIGCONT."""
    import statistics
    import time

    from reminderd import control

    config = tmp_path / "long.toml"
    config.write_text(
        '[[routines]]\nname = "long"\nexercises = ["tock"]\nevery = "1h"\n'
        '[[exercises]]\nid = "tock"\ntitle = "Tock"\nreps = 60\n'
        '[[exercises.steps]]\ntext = "Tock."\nseconds = 1\n'
    )
    notification_server = Recorder(
        private_bus, tmp_path / "notifications.jsonl", "body,actions,persistence", apart=True
    )
    notification_server.start()
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": private_bus.address}
    daemon = RunningDaemon(env, config)
    daemon.start()
    server = notification_server.process
    assert server is not None
    try:
        assert daemon.cli("run", "long").returncode == 0
        wait_for(notification_server.notifications)
        server.send_signal(signal.SIGSTOP)
        time.sleep(2.5)  # a step or two falls on the frozen server
        took = []
        for _ in range(10):
            began = time.monotonic()
            reply = control.request(daemon.socket, "status", timeout=5)
            took.append((time.monotonic() - began) * 1000)
            assert reply["current"]["routine"] == "long"
            time.sleep(0.1)
        print(
            f"status with a frozen server: median {statistics.median(took):.1f} ms, max {max(took):.1f} ms"
        )
        assert statistics.median(took) < slack(0.1) * 1000
        assert max(took) < slack(1.2) * 1000  # at worst one call that times out (1 s)
        assert alive(daemon)
    finally:
        server.send_signal(signal.SIGCONT)
        daemon.stop()
        notification_server.stop()
    assert "Traceback" not in daemon.log.read_text()


def test_event_streams_that_never_read_leave_room_for_commands(weekly: RunningDaemon) -> None:
    """Forty `events` clients that never read: past half the slots the daemon refuses more
    streams, and `status` and `stop` still get through."""
    import socket

    streams = []
    replies = []
    try:
        for _ in range(40):
            sock = socket.socket(socket.AF_UNIX)
            sock.connect(str(weekly.socket))
            sock.sendall(b'{"v": 1, "cmd": "events"}\n')
            streams.append(sock)
            replies.append(json.loads(sock.makefile("rb").readline()))
        refused = [r for r in replies if r.get("ok") is False]
        assert len(refused) == 8
        assert refused[0]["error"] == "too many event streams (32); close one first"
        assert weekly.status()["running"] is True
        assert weekly.cli("stop").returncode == 0
    finally:
        for sock in streams:
            sock.close()


def test_detach_refuses_a_log_planted_as_a_symlink(
    user_env: dict[str, str], tmp_path: Path
) -> None:
    """`start --detach` never writes its log through a symbolic link: one line, exit 1."""
    target = tmp_path / "target"
    target.write_text("")
    planted = tmp_path / "planted.log"
    planted.symlink_to(target)
    result = reminderd("start", "--detach", "--log-file", str(planted), env=user_env)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot open the log")
    assert len(result.stderr.splitlines()) == 1
    assert target.read_text() == ""


def test_snooze_and_skip_offer_a_did_you_mean(weekly: RunningDaemon) -> None:
    """A mistyped routine name for snooze or skip gets the closest name in the reply."""
    for command in (("skip", "weekyl"), ("snooze", "weekyl", "10m")):
        result = weekly.cli(*command)
        assert result.returncode == 1
        assert 'no routine called "weekyl" (did you mean "weekly"?; known: weekly, quick)' in (
            result.stderr
        )
