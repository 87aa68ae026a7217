"""End to end: a real daemon subprocess, driven over its real control socket by the real CLI."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reminderd import control, safety
from reminderd.cli.daemon import daemon_command, time_zone_path
from reminderd.config import Limits, load_config
from reminderd.config.apart import hand_over
from reminderd.config.discovery import find_config
from reminderd.errors import ReminderError
from reminderd.model import Config
from tests.conftest import ROOT, TEST_EXERCISES, Recorder, reminderd, wait_for

pytestmark = pytest.mark.e2e


class RunningDaemon:
    """The daemon as a subprocess, and the CLI pointed at it.

    It starts as `reminderd start` starts it: the config read as `start` reads it (in this
    process, in the daemon's environment), handed over on a descriptor, and the daemon's
    own command line from ``daemon_command``. A `start` process per daemon would cost a
    tenth of a second of CPU more each time, a hundred times in the suite; ``through_start``
    runs the real `reminderd start` instead, for the tests of what it prints (the safety
    note), and ``test_start_and_the_harness_start_the_same_daemon`` checks that both start
    the same daemon."""

    def __init__(self, env: dict[str, str], config: Path, *, through_start: bool = False) -> None:
        self.env = env
        self.config = config
        self.through_start = through_start
        self.process: subprocess.Popen[str] | None = None
        self.log = Path(env["HOME"]) / "daemon.log"

    def start(self) -> None:
        with self.log.open("a") as log:
            if self.through_start:
                argv = [sys.executable, "-m", "reminderd", "start", "--config", str(self.config)]
                self.process = subprocess.Popen(
                    [*argv, "--log-level", "debug"],
                    env=self.env,
                    stdout=log,
                    stderr=log,
                    text=True,
                )
            else:
                handed = hand_over(read_as_start_does(self.config, self.env))
                try:
                    self.process = subprocess.Popen(
                        daemon_command(self.config, "debug", handed),
                        env={"PYTHONTZPATH": time_zone_path(), **self.env},
                        stdout=log,
                        stderr=log,
                        text=True,
                        pass_fds=(handed,),
                    )
                finally:
                    os.close(handed)
        wait_for(self.answers, timeout=15)

    def answers(self) -> bool:
        """Whether the daemon answers on its socket (asked in this process: a CLI subprocess
        per poll would cost a Python start each time)."""
        try:
            control.request(self.socket, "status", timeout=2.0)
        except ReminderError:
            return False
        return True

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return reminderd(*args, env=self.env)

    def status(self) -> dict[str, Any]:
        """What `status --json` prints, asked in this process through the same client."""
        reply = control.request(self.socket, "status", timeout=5.0)
        return {key: value for key, value in reply.items() if key not in ("ok", "v")}

    @property
    def socket(self) -> Path:
        return Path(self.env["XDG_RUNTIME_DIR"]) / "reminderd" / "control.sock"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def read_as_start_does(config: Path, env: dict[str, str]) -> Config:
    """The config as `reminderd start --config config` reads it with ``env`` for its
    environment: its bounds from env, and the system-wide layers from env's XDG folders
    (read from this process's environment, set to env's for the read)."""
    keys = ("HOME", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS")
    saved = {key: os.environ.get(key) for key in keys}
    try:
        for key in keys:
            os.environ.pop(key, None)
            if key in env:
                os.environ[key] = env[key]
        return load_config(find_config(config), Limits.from_env(env))
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value


def write_config(path: Path, routines: str) -> Path:
    path.write_text(routines + TEST_EXERCISES)
    return path


QUICK = '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "3s"\n'
SLOW = '[[routines]]\nname = "slow"\nexercises = ["tick"]\nevery = "1h"\n'


@pytest.fixture
def bus_env(user_env: dict[str, str], notification_server: Recorder) -> dict[str, str]:
    return {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}


@pytest.fixture
def daemon(bus_env: dict[str, str], tmp_path: Path) -> Iterator[RunningDaemon]:
    handle = RunningDaemon(
        bus_env, write_config(tmp_path / "config.toml", SLOW + QUICK.replace("3s", "1h"))
    )
    handle.start()
    try:
        yield handle
    finally:
        handle.stop()


def test_client_commands_without_a_daemon_say_it_is_not_running(user_env: dict[str, str]) -> None:
    """Every client command without a daemon: one clear line, exit 1, no traceback."""
    for command in (["status"], ["stop"], ["pause"], ["resume"], ["snooze"], ["skip"], ["reload"]):
        result = reminderd(*command, env=user_env)
        assert result.returncode == 1, command
        assert (
            result.stderr == "Error: reminderd is not running (start it with `reminderd start`)\n"
        )
    result = reminderd("status", "--json", env=user_env)
    assert (result.returncode, json.loads(result.stdout)) == (1, {"version": 1, "running": False})


def documented_status_fields() -> set[str]:
    """The fields docs/commands.md's `status --json` table documents."""
    readme = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    table = readme.split("`reminderd status --json` prints one JSON object", 1)[1]
    rows = [line for line in table.split("\n\n", 2)[1].splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`(\w+)`", row.split("|")[1])}


def test_status_json_has_every_documented_field(daemon: RunningDaemon) -> None:
    """`status --json` carries the documented fields with the right values."""
    status = daemon.status()
    assert daemon.process is not None
    assert set(status) == documented_status_fields()
    assert status["version"] == 1
    assert status["running"] is True
    assert status["pid"] == daemon.process.pid
    assert status["config"] == str(daemon.config)
    assert status["config_origin"] == "--config"
    assert status["backend"] == "freedesktop"
    assert (
        status["backend_reason"]
        == "a notification server answers on the session bus (recorder 1.0)"
    )
    assert (status["voice"], status["voice_reason"]) == ("off", "off ([guidance] voice = false)")
    assert status["dnd"] == "freedesktop-inhibited"
    assert (status["panel"], status["panel_reason"]) == (
        False,
        "no panel: no StatusNotifierWatcher on the session bus",
    )
    assert (status["paused"], status["paused_until"], status["current"], status["queue"]) == (
        False,
        None,
        None,
        [],
    )
    assert status["asking"] is None
    assert [r["name"] for r in status["routines"]] == ["slow", "quick"]
    assert status["routines"][0]["title"] == "Slow"
    assert status["routines"][0]["snoozed_until"] is None
    assert status["routines"][0]["held"] is None
    # No idle source on this bare bus: the soft start (on by default) looked for one.
    idle = status["idle"]
    assert idle["note"].startswith("off: no idle source answers (")
    assert (idle["source"], idle["pause_when_idle"], idle["natural_break"]) == (None, None, None)
    assert idle["away_since"] is None
    assert isinstance(status["uptime"], int)
    text = daemon.cli("status")
    assert text.stdout.startswith(f"reminderd 0.1.0 is running (pid {daemon.process.pid}, up ")


def settled(daemon: RunningDaemon) -> Callable[[], dict[str, Any] | None]:
    """The daemon's status once the panel's answer from the bus is in it, else None."""

    def status() -> dict[str, Any] | None:
        now = daemon.status()
        return None if "not started" in now["panel_reason"] else now

    return status


def test_start_and_the_harness_start_the_same_daemon(
    bus_env: dict[str, str], tmp_path: Path
) -> None:
    """The suite's way of starting the daemon (RunningDaemon) and `reminderd start` start
    the same daemon: the same command line and environment, the same config (with the
    test's lowered bounds and a system-wide layer from the test's XDG folders), the same
    modules loaded."""
    system = Path(bus_env["XDG_CONFIG_DIRS"]) / "reminderd"
    system.mkdir(parents=True)
    (system / "config.toml").write_text('[guidance]\nlanguage = "de"\n')
    config = write_config(tmp_path / "config.toml", QUICK.replace("3s", "10s") + SLOW)
    seen = []
    for through_start in (True, False):
        daemon = RunningDaemon(bus_env, config, through_start=through_start)
        daemon.start()
        try:
            assert daemon.process is not None
            # What the daemon learns from the bus a turn after it answers (whether a
            # panel is there) is settled before the two are compared.
            status = wait_for(settled(daemon))
            assert status["pid"] == daemon.process.pid
            modules = control.request(daemon.socket, "modules", timeout=5.0)["modules"]
            with open(f"/proc/{daemon.process.pid}/cmdline", "rb") as cmdline:
                argv = cmdline.read().split(b"\0")
            with open(f"/proc/{daemon.process.pid}/environ", "rb") as environ:
                names = sorted(environ.read().split(b"\0"))
        finally:
            daemon.stop()
        for key in ("pid", "uptime", "started"):
            del status[key]
        for routine in status["routines"]:
            for key in [key for key in routine if key.startswith("next")]:
                del routine[key]
        fd = argv.index(b"--config-fd") + 1
        argv[fd] = b"N"  # whichever descriptor was free
        seen.append((status, sorted(modules), argv, names))
    assert seen[0] == seen[1]
    status = seen[0][0]
    assert (status["language"], status["language_reason"]) == ("de", "[guidance] language")
    assert [r["name"] for r in status["routines"]] == ["quick", "slow"]  # every 10s: lowered


def test_pause_holds_reminders_and_they_come_back(
    bus_env: dict[str, str], tmp_path: Path, notification_server: Recorder
) -> None:
    """Paused for 2 s nothing fires; after the pause the reminder fires by itself."""
    handle = RunningDaemon(bus_env, write_config(tmp_path / "config.toml", QUICK))
    handle.start()
    try:
        result = handle.cli("pause", "2s")
        paused_at = time.time()
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Paused until ")
        status = handle.status()
        assert status["paused"] is True
        assert status["paused_until"] is not None
        first = wait_for(notification_server.notifications, timeout=15)[0]
        assert first["wall"] - paused_at >= 2.0  # nothing during the pause
        assert first["summary"].startswith("Quick")
        assert handle.status()["paused"] is False
    finally:
        handle.stop()


def test_pause_until_resumed_and_resume(daemon: RunningDaemon) -> None:
    """`pause` with no argument holds until `resume`; `resume` says whether it was paused."""
    assert daemon.cli("pause").stdout == "Paused until `reminderd resume`.\n"
    status = daemon.status()
    assert (status["paused"], status["paused_until"]) == (True, None)
    assert all(r["next"] is None for r in status["routines"])
    assert daemon.cli("resume").stdout == "Resumed.\n"
    assert daemon.cli("resume").stdout == "reminderd was not paused.\n"
    bad = daemon.cli("pause", "--until", "25:00")
    assert bad.returncode == 2
    assert "is not a time of day" in bad.stderr


def test_pause_survives_a_restart(daemon: RunningDaemon) -> None:
    """A timed pause is saved and still in force after the daemon restarts."""
    daemon.cli("pause", "1h")
    until = daemon.status()["paused_until"]
    daemon.stop()
    daemon.start()
    status = daemon.status()
    assert (status["paused"], status["paused_until"]) == (True, until)


def test_snooze_and_skip_the_routine_on_screen(
    daemon: RunningDaemon, notification_server: Recorder
) -> None:
    """Snooze or skip while a routine is guided: it stops and its notification is withdrawn."""
    assert daemon.cli("run", "quick").stdout == "quick: the daemon guides it now.\n"
    shown = wait_for(notification_server.notifications)
    assert daemon.status()["current"]["routine"] == "quick"
    result = daemon.cli("snooze", "5m")
    assert result.stdout.startswith("Snoozed quick until ")
    closed = wait_for(
        lambda: [e for e in notification_server.entries() if e["method"] == "CloseNotification"]
    )
    assert closed[0]["id"] == shown[0]["id"]
    status = daemon.status()
    assert status["current"] is None
    quick = next(r for r in status["routines"] if r["name"] == "quick")
    assert quick["snoozed_until"] is not None

    daemon.cli("run", "quick")
    wait_for(lambda: daemon.status()["current"])
    result = daemon.cli("skip")
    assert result.stdout.startswith("Skipped quick. Next: ")
    assert daemon.status()["current"] is None
    assert (
        len([e for e in notification_server.entries() if e["method"] == "CloseNotification"]) == 2
    )


def test_skip_and_snooze_the_next_occurrence(daemon: RunningDaemon) -> None:
    """Skipping a routine that is not due yet moves its next time by one occurrence."""
    before = {r["name"]: r["next"] for r in daemon.status()["routines"]}
    result = daemon.cli("skip", "slow")
    assert result.returncode == 0, result.stderr
    after = {r["name"]: r["next"] for r in daemon.status()["routines"]}
    gap = time.mktime(time.strptime(after["slow"][:19], "%Y-%m-%dT%H:%M:%S")) - time.mktime(
        time.strptime(before["slow"][:19], "%Y-%m-%dT%H:%M:%S")
    )
    assert gap == 3600
    assert daemon.cli("snooze", "slow", "10m").stdout.startswith("Snoozed slow until ")
    unknown = daemon.cli("skip", "nope")
    assert unknown.returncode == 1
    assert unknown.stderr == 'Error: no routine called "nope" (known: slow, quick)\n'


def test_run_through_the_daemon_is_refused_while_paused(daemon: RunningDaemon) -> None:
    """`run` goes to the daemon, so a pause applies; --here runs in the terminal anyway."""
    daemon.cli("pause")
    result = daemon.cli("run", "quick")
    assert result.returncode == 1
    assert "reminderd is paused" in result.stderr
    unknown = daemon.cli("resume") and daemon.cli("run", "nope")
    assert unknown.returncode == 1
    assert 'no routine or exercise called "nope"' in unknown.stderr


def test_reload_with_a_broken_file_keeps_the_old_routines(
    daemon: RunningDaemon, notification_server: Recorder
) -> None:
    """A broken config on reload: the CLI lists the problem, a notification says it, and the
    old routines keep running. A good one is then taken, by `reload` and by SIGHUP."""
    daemon.config.write_text(
        '[[routines]]\nname = "new"\nexercises = ["tick"]\nevery = 5\n' + TEST_EXERCISES
    )
    result = daemon.cli("reload")
    assert result.returncode == 1
    assert f"{daemon.config}:4: routines[0].every: 5 has no unit" in result.stderr
    assert [r["name"] for r in daemon.status()["routines"]] == ["slow", "quick"]
    note = wait_for(notification_server.notifications)[-1]
    assert note["summary"] == "reminderd: config not reloaded"
    assert note["body"].startswith(f"{daemon.config}:4: routines[0].every")

    daemon.config.write_text(
        '[[routines]]\nname = "new"\nexercises = ["tick"]\nevery = "5m"\n' + TEST_EXERCISES
    )
    assert daemon.cli("reload").stdout == f"Reloaded {daemon.config}: new\n"
    daemon.config.write_text(SLOW + TEST_EXERCISES)
    assert daemon.process is not None
    daemon.process.send_signal(signal.SIGHUP)
    wait_for(lambda: [r["name"] for r in daemon.status()["routines"]] == ["slow"])


def test_second_start_is_refused_and_names_the_first(daemon: RunningDaemon) -> None:
    """A second `start` (foreground or detached) names the running daemon and exits 1."""
    assert daemon.process is not None
    for extra in ([], ["--detach"]):
        result = daemon.cli("start", *extra, "--config", str(daemon.config))
        assert result.returncode == 1
        assert result.stderr == (
            f"Error: reminderd is already running (pid {daemon.process.pid}); "
            "stop it with `reminderd stop`\n"
        )


def test_kill_9_then_start_succeeds(daemon: RunningDaemon) -> None:
    """A daemon killed with SIGKILL leaves its socket behind; the next start replaces it."""
    assert daemon.process is not None
    daemon.process.kill()
    daemon.process.wait(5)
    assert daemon.socket.exists()
    assert daemon.cli("status").returncode == 1
    daemon.through_start = True  # the real `start`, whose lock check meets what was left
    daemon.start()
    assert daemon.status()["pid"] == daemon.process.pid


def test_detach_and_stop(bus_env: dict[str, str], tmp_path: Path) -> None:
    """`start --detach` returns once the daemon answers; `stop` returns once it is gone."""
    config = write_config(tmp_path / "config.toml", SLOW)
    (Path(bus_env["XDG_STATE_HOME"]) / "reminderd" / "safety-shown").unlink()  # a first start
    result = reminderd("start", "--detach", "--config", str(config), env=bus_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(safety.TEXT)  # a first start shows the safety note
    assert result.stdout.splitlines()[-2].startswith("reminderd started (pid ")
    assert result.stdout.splitlines()[-1].startswith("First reminder: ")
    pid = int(result.stdout.split("pid ")[1].split(")")[0])
    assert json.loads(reminderd("status", "--json", env=bus_env).stdout)["pid"] == pid
    stopped = reminderd("stop", env=bus_env)
    assert stopped.stdout == f"reminderd stopped (pid {pid}).\n"
    import psutil

    def ended() -> bool:
        """Gone, or a zombie until init reaps it. `stop` returns once the daemon has let go
        of its lock; the interpreter's own exit (a coverage run writes its data there)
        may take a moment more."""
        try:
            return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
        except psutil.NoSuchProcess:
            return True

    wait_for(ended, timeout=5)


def test_detach_with_a_broken_config_shows_why(user_env: dict[str, str], tmp_path: Path) -> None:
    """`start --detach` with a broken config shows the problems and exits 2."""
    config = tmp_path / "bad.toml"
    config.write_text("[[routines]]\nname = 'x'\n")
    result = reminderd("start", "--detach", "--config", str(config), env=user_env)
    assert result.returncode == 2
    assert f"{config}:1: routines[0]: no trigger" in result.stderr


PAUSE_LIMIT = "a pause must be longer than zero and at most 366 days: `reminderd pause` with no duration pauses until `reminderd resume`"


def test_malformed_control_messages_get_error_replies(daemon: RunningDaemon) -> None:
    """Garbage, wrong types and unknown commands get an error reply; the daemon carries on."""
    replies = []
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(daemon.socket))
        sock.settimeout(5)
        stream = sock.makefile("rwb")
        for line in (
            b"hello\n",
            b"[1,2]\n",
            b'{"cmd": "fly"}\n',
            b'{"v": 9, "cmd": "status"}\n',
            b'{"cmd": "pause", "seconds": -1}\n',
            b'{"cmd": "pause", "seconds": NaN}\n',
            b'{"cmd": "pause", "seconds": 1e300}\n',
            b'{"cmd": "snooze", "seconds": Infinity}\n',
            b'{"cmd": "snooze", "seconds": "10m"}\n',
            b'{"cmd": "snooze", "routine": 5}\n',
            b'{"cmd": "status"}\n',
        ):
            stream.write(line)
            stream.flush()
            replies.append(json.loads(stream.readline()))
    assert [r.get("error") for r in replies[:-1]] == [
        "not a JSON object",
        'expected {"v": 1, "cmd": "..."}',
        'unknown command "fly" (known: events, modules, pause, reload, resume, run, skip, snooze,'
        " status, stop, unskip)",
        "protocol version 9 is not 1",
        PAUSE_LIMIT,
        PAUSE_LIMIT,
        PAUSE_LIMIT,
        "a snooze must be longer than zero and at most 7 days: for longer, skip it or pause reminderd",
        "a snooze needs its length as a number of seconds",
        "routine must be a name",
    ]
    assert replies[-1]["ok"] is True
    assert replies[-1]["running"] is True


def test_abuse_leaves_the_daemon_answering_and_small(daemon: RunningDaemon) -> None:
    """1,000 malformed, oversized and half-finished messages and 50 clients at once: the
    daemon still answers status correctly, and its memory grew by less than 5 MB."""
    import psutil

    assert daemon.process is not None
    process = psutil.Process(daemon.process.pid)
    before = process.memory_info().rss
    path = str(daemon.socket)
    for index in range(1000):
        # The daemon may hang up on an abuser before it has sent everything: that is fine.
        with socket.socket(socket.AF_UNIX) as sock, contextlib.suppress(ConnectionError):
            sock.connect(path)
            kind = index % 4
            if kind == 0:
                sock.sendall(b"\x00\xff not json at all\n")
            elif kind == 1:
                sock.sendall(b"x" * 70_000)  # longer than a message may be, no newline
            elif kind == 2:
                sock.sendall(b'{"cmd": "stat')  # half a message, then gone
            else:
                sock.sendall(b'{"cmd": ' + b"[" * 5000 + b"\n")
    crowd = []
    for _ in range(50):
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(path)
        sock.sendall(b'{"cmd": "status"')  # hold the connection open, unfinished
        crowd.append(sock)
    # The abusers' sockets are closed, but the daemon may not have read their hang-ups yet.
    wait_for(daemon.answers, timeout=5)
    status = daemon.status()
    assert status["running"] is True
    assert [r["name"] for r in status["routines"]] == ["slow", "quick"]
    for sock in crowd:
        sock.close()
    grown = process.memory_info().rss - before
    assert grown < 5 * 1024 * 1024, f"RSS grew by {grown / 1e6:.1f} MB"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a client as another user")
def test_another_user_cannot_connect(daemon: RunningDaemon) -> None:
    """A client running as another user cannot connect: the folder is private, and even
    with the folder opened up, the daemon checks the peer's uid and hangs up."""
    runner = shutil.which("setpriv") or shutil.which("runuser")
    if runner is None:
        pytest.skip("neither setpriv nor runuser is installed")
    script = (
        "import socket, sys, time\n"
        "s = socket.socket(socket.AF_UNIX)\n"
        "try:\n"
        "    s.connect(sys.argv[1])\n"
        "except OSError as e:\n"
        "    sys.exit(f'refused: {e.errno}')\n"
        "time.sleep(0.2)\n"
        "try:\n"
        '    s.sendall(b\'{"cmd": "status"}\\n\')\n'
        "    print('reply:', s.recv(100))\n"
        "except OSError as e:\n"
        "    print('hung up:', e.errno)\n"
    )
    if runner.endswith("setpriv"):
        prefix = [runner, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    else:
        prefix = [runner, "-u", "nobody", "--"]

    def as_nobody() -> str:
        done = subprocess.run(
            [*prefix, sys.executable, "-c", script, str(daemon.socket)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return done.stdout + done.stderr

    assert "refused: 13" in as_nobody()  # EACCES: the runtime folder is 0700
    assert oct(daemon.socket.stat().st_mode & 0o777) == "0o600"
    assert oct(daemon.socket.parent.stat().st_mode & 0o777) == "0o700"
    opened = [p for p in daemon.socket.parents if not p.stat().st_mode & 0o001]
    modes = {p: p.stat().st_mode for p in opened}
    try:
        for folder in opened:
            folder.chmod(modes[folder] | 0o711)
        daemon.socket.chmod(0o666)
        answer = as_nobody()  # connects, and is hung up on: wrong uid
        assert answer.startswith(("reply: b''", "hung up:")), answer
    finally:
        for folder in opened:
            folder.chmod(modes[folder] & 0o7777)
        daemon.socket.chmod(0o600)
    assert daemon.status()["running"] is True


def test_list_shows_the_running_daemons_schedule(daemon: RunningDaemon) -> None:
    """`list` shows the running daemon's next times (a skip moves them), and while paused,
    when each comes after the pause (until resumed: if resumed now)."""
    daemon.cli("skip", "slow")
    skipped = next(r["next"] for r in daemon.status()["routines"] if r["name"] == "slow")
    listed = daemon.cli("list", "--config", str(daemon.config)).stdout
    assert f"next {skipped[11:16]} " in next(
        line for line in listed.splitlines() if "  slow " in line
    )
    daemon.cli("pause")
    listed = daemon.cli("list", "--config", str(daemon.config)).stdout
    ends = [
        line.rsplit("; ", 1)[1]
        for line in listed.splitlines()
        if line.startswith("  ") and "every" in line
    ]
    assert len(ends) == 2
    assert all(re.fullmatch(r"next \d\d:\d\d \(in 1h\), after the pause", end) for end in ends)


def test_slow_and_oversized_clients_are_cut_off(daemon: RunningDaemon) -> None:
    """A request longer than 64 KiB gets an error and the connection closes; a client that
    does not finish its request within five seconds is hung up on."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(daemon.socket))
        sock.settimeout(5)
        sock.sendall(b"x" * 70_000)
        reply = json.loads(sock.makefile("rb").readline())
        assert reply == {"v": 1, "ok": False, "error": "message longer than 65536 bytes"}
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(daemon.socket))
        sock.sendall(b'{"cmd": "sta')
        sock.settimeout(10)
        started = time.monotonic()
        assert sock.recv(100) == b""  # closed by the daemon
        assert 4.0 <= time.monotonic() - started <= 7.0
    assert daemon.status()["running"] is True


def test_log_file_gets_the_log(bus_env: dict[str, str], tmp_path: Path) -> None:
    """--log-file writes the daemon's log to that file."""
    config = write_config(tmp_path / "config.toml", SLOW)
    log = tmp_path / "reminderd.log"
    result = reminderd(
        "start", "--detach", "--log-file", str(log), "--config", str(config), env=bus_env
    )
    assert result.returncode == 0, result.stderr
    assert f"log: {log}\n" in result.stdout
    reminderd("stop", env=bus_env)
    text = log.read_text()
    assert "reminderd 0.1.0 started" in text
    assert "notifications: freedesktop, because a notification server answers" in text
    assert text.rstrip().endswith("INFO: stopped")


def test_detach_that_dies_at_once_says_why(user_env: dict[str, str]) -> None:
    """A daemon that dies right after `start --detach` (here: its socket's place is taken by
    a folder) is explained: its last words, then the exit status and the log path, exit 1."""
    taken = Path(user_env["XDG_RUNTIME_DIR"]) / "reminderd" / "control.sock"
    (taken / "inside").mkdir(parents=True)
    result = reminderd("start", "--detach", env=user_env)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert lines[-2] == f"Error: reminderd cannot start: Is a directory: {taken}"
    assert re.fullmatch(
        r"Error: reminderd exited at once \(exit status 1\); its log: .+/reminderd\.log",
        lines[-1],
    )
