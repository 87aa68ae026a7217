"""Shared fixtures: a private D-Bus session bus, a recording notification server, and an
environment in which the real reminderd runs as a subprocess without touching the home
folder of whoever runs the tests."""

from __future__ import annotations

import contextlib
import gc
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

from reminderd import safety_notice
from reminderd.config import Limits
from tests.buses import start_dbus
from tests.dbus_service import own, serve

if TYPE_CHECKING:
    from tests.openbox import Openbox
    from tests.pipewire import PipeWire
    from tests.sway import Sway

# Routines in the tests fall due every few seconds: below the 5-minute minimum of `every`.
MIN_EVERY = ("REMINDERD_MIN_EVERY", "1")
# The same, for tests that load a config in their own process.
TEST_LIMITS = Limits.from_env(dict([MIN_EVERY]))
# Held reminders and absences are looked at again every second instead of every 30 or 60.
POLL = ("REMINDERD_POLL", "1")
# Back-to-back routines wait half a second for each other instead of a 10 s breath.
BREATH = ("REMINDERD_BREATH", "0.5")


# Property-based tests try a bounded number of examples in the everyday run (the suite stays
# under a minute); HYPOTHESIS_PROFILE=thorough tries many more, for a fuzzing session.
settings.register_profile(
    "default", max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None
)
settings.register_profile(
    "thorough", max_examples=2000, suppress_health_check=[HealthCheck.too_slow], deadline=None
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# Bounds on how long something may take, in the few tests that check one, are multiplied
# by this (REMINDERD_TEST_SLACK, 1 to 20): a slow or loaded CI machine sets it higher
# rather than the bounds being loose for everyone.
def _slack(environ: dict[str, str]) -> float:
    try:
        factor = float(environ.get("REMINDERD_TEST_SLACK", "1"))
    except ValueError:
        return 1.0
    if math.isnan(factor):
        return 1.0
    return min(max(factor, 1.0), 20.0)


SLACK = _slack(dict(os.environ))


def slack(seconds: float) -> float:
    """A time bound of a test, scaled for the machine it runs on (see SLACK)."""
    return seconds * SLACK


TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def wait_for(predicate: Any, timeout: float = 20.0, interval: float | None = None) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``.

    Quickly at first (most waits end within a few hundredths of a second), then every
    tenth of a second: a dozen test processes each polling fifty times a second for
    seconds at a time take CPU from the daemons and servers under test. A fixed
    ``interval`` polls at that, for a state that lasts only a moment."""
    deadline = time.monotonic() + timeout
    pause = interval or 0.01
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {predicate}")
        time.sleep(pause)
        if interval is None:
            pause = min(0.1, pause * 1.5)


@dataclass
class Bus:
    address: str
    process: subprocess.Popen[bytes]


def start_bus(folder: Path, name: str = "bus") -> Bus:
    """A dbus-daemon of our own, with no service folders, so that nothing auto-starts."""
    if not shutil.which("dbus-daemon"):
        pytest.skip("dbus-daemon is not installed (apt-get install dbus-daemon)")
    return Bus(*start_dbus(folder, name))


def stop_bus(bus: Bus) -> None:
    bus.process.terminate()
    bus.process.wait(5)


# The test processes look for garbage cycles less often than Python's default (every 700
# new objects): collecting the suite makes hundreds of thousands of objects that live to
# the end, and the default had the collector walk them again and again, a third of the
# collection's CPU in each of the twelve processes. What is collected is the same; it is
# only asked for later.
gc.set_threshold(20_000, 20, 20)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection made lives until the end of the run: the collector need not walk
    it again (``gc.freeze``)."""
    gc.freeze()


def pytest_configure(config: pytest.Config) -> None:
    """The run caches compiled modules (in ``__pycache__``, which git ignores) even where
    the environment sets PYTHONDONTWRITEBYTECODE, as some images do: the suite starts the
    daemon, the CLI and their helpers as new processes hundreds of times, and each test
    process rewrites every test module: without the cache each of them compiles the
    package again, a sixth of the suite's CPU time (188 s against 158 s on two cores).
    Set here, before the test processes start, so that they and every subprocess inherit
    it. The first run compiles the package here, once, before the test processes start:
    otherwise each of the twelve compiles it as it first imports it, all at the same time
    (later runs find it compiled and this only compares dates)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
    if "PYTEST_XDIST_WORKER" not in os.environ:
        import compileall

        compileall.compile_dir(str(ROOT / "reminderd"), quiet=1)


def _daemon_logs(item: pytest.Item) -> list[Path]:
    """The logs of the daemons a test used: ``daemon.log`` in the HOME of each environment
    among its fixtures, and each fixture's own ``log`` (a RunningDaemon of a module)."""
    found: list[Path] = []
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, dict) and isinstance(value.get("HOME"), str):
            found.append(Path(value["HOME"]) / "daemon.log")
        elif isinstance(getattr(value, "log", None), Path):
            found.append(value.log)
    return [path for path in dict.fromkeys(found) if path.is_file()]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test's report ends with the last lines of each daemon log it used: what the
    daemon did while a wait timed out is what tells a slow machine from a fault."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not report.failed:
        return
    for path in _daemon_logs(item):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        report.sections.append((f"{path} (its last 80 lines)", "\n".join(lines[-80:])))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each worker's share starts with end-to-end tests: they wait on real time (steps,
    servers) for seconds each, so every worker starts some at once and the short unit tests
    fill in behind them, instead of one long test starting last and the rest waiting for
    it. `--dist worksteal` first hands each worker one run of consecutive tests (the n-th
    of n), so the order is n such runs, each with about an n-th of the end-to-end tests
    (the ``long`` ones first), then unit tests up to the run's length, in order (see
    below). End-to-end tests
    marked with one ``xdist_group`` go into one run together, so that the server they share
    (a module-scoped fixture: GNOME Shell takes seconds of CPU to start) starts once rather
    than on every worker; worksteal takes work from the end of a run, so they stay
    together unless a worker runs out of everything else."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    units: dict[str, list[pytest.Item]] = {}
    for item in items:
        if item.get_closest_marker("e2e"):
            group = item.get_closest_marker("xdist_group")
            key = f"group {group.args[0]}" if group else item.nodeid
            units.setdefault(key, []).append(item)
    # The longest (a minute of recorded guidance) first of all, each on a worker of its own,
    # so that the rest of the suite runs beside them; then groups, largest first.
    ordered = sorted(units.values(), key=lambda u: (not u[0].get_closest_marker("long"), -len(u)))
    runs: list[list[pytest.Item]] = [[] for _ in range(workers)]
    for unit in ordered:
        min(runs, key=len).extend(unit)
    # The runs' lengths as worksteal cuts them: each an equal share of what is left.
    lengths, left = [], len(items)
    for n in range(workers):
        lengths.append(left // (workers - n))
        left -= lengths[-1]
    # Unit tests fill the runs in their order, each run up to its length: a module's tests
    # stay together on one worker, so that what they compute once (functools.cache, a
    # module's fixtures: the message template, a simulated year) is computed on one
    # worker, not on every one.
    n = 0
    for item in items:
        if not item.get_closest_marker("e2e"):
            while n < workers - 1 and len(runs[n]) >= lengths[n]:
                n += 1
            runs[n].append(item)
    items[:] = [item for run in runs for item in run]


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A private folder with a short path: a Unix socket's path must fit in 108 bytes, and
    pytest's own temporary paths (longer still under pytest-xdist) do not always."""
    folder = Path(tempfile.mkdtemp(prefix="rd-", dir="/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def _private_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test, in-process ones included, reads and writes only inside folders of its
    own: the XDG folders point into a temporary home, and no session bus or config from
    the environment of whoever runs the tests is reached. The cache (the step pictures,
    drawn the same by whoever draws them, each written whole under its name) is one for
    the whole run, shared by the test processes: each would otherwise draw the built-in
    routines' pictures again, a drawing process of half a second each time."""
    home = tmp_path_factory.mktemp("home")
    base = tmp_path_factory.getbasetemp()
    run = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    runtime = Path(tempfile.mkdtemp(prefix="rd-", dir="/tmp"))
    values = {
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_STATE_HOME": home / ".local" / "state",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CACHE_HOME": run / "cache",
        "XDG_RUNTIME_DIR": runtime,
        # No system-wide config of the machine running the tests (/etc/xdg/reminderd).
        "XDG_CONFIG_DIRS": home / "etc-xdg",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, folder in values.items():
            patch.setenv(name, str(folder))
        for name in list(os.environ):
            if name.startswith(("DBUS_", "REMINDERD_")):
                patch.delenv(name)
        patch.setenv(*MIN_EVERY)
        patch.setenv(*POLL)
        patch.setenv(*BREATH)
        yield
    shutil.rmtree(runtime, ignore_errors=True)


@contextmanager
def virtual_screen(size: str = "1024x768x24", *options: str) -> Iterator[str]:
    """An Xvfb screen on a display number the X server picks itself (no clash between
    tests running at once); yields its DISPLAY. ``options`` go to Xvfb (``-noreset``)."""
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read, write = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0", size, *options],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as numbers:
            number = numbers.readline().strip()
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(5)


@contextmanager
def running_dunst(env: dict[str, str], config: Path) -> Iterator[None]:
    """dunst with ``config`` on the bus and screen of ``env``, answering, until the end."""
    server = subprocess.Popen(
        ["dunst", "-conf", str(config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: (
                subprocess.run(
                    ["dunstctl", "is-paused"], env=env, capture_output=True, check=False
                ).returncode
                == 0
            )
        )
        yield
    finally:
        server.terminate()
        server.wait(5)


@pytest.fixture
def private_bus(short_tmp: Path) -> Iterator[Bus]:
    bus = start_bus(short_tmp)
    try:
        yield bus
    finally:
        stop_bus(bus)


class Recorder:
    """The recording notification server (tests/notification_server.py) on a private bus.

    It answers on a connection of its own from a thread of the test's process: a process
    of its own per test would cost a Python start each time (a twentieth of a second of
    CPU, a hundred and forty times in the suite). ``apart`` runs it as that process, for
    a test that freezes it (SIGSTOP)."""

    def __init__(self, bus: Bus, record: Path, capabilities: str, *, apart: bool = False) -> None:
        self.bus = bus
        self.record = record
        self.capabilities = capabilities
        self.apart = apart
        self.process: subprocess.Popen[bytes] | None = None
        self.thread: threading.Thread | None = None
        self.conn: Any = None
        self.stopping = False

    def start(self) -> None:
        ready = sum(1 for entry in self.entries() if entry["method"] == "ready")
        if self.apart:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(TESTS / "notification_server.py"),
                    "--address",
                    self.bus.address,
                    "--record",
                    str(self.record),
                    "--capabilities",
                    self.capabilities,
                ],
            )
        else:
            from tests.notification_server import NAME, Server

            self.stopping = False
            self.conn = own(self.bus.address, NAME)
            server = Server(self.conn, self.record, [c for c in self.capabilities.split(",") if c])
            server.log({"method": "ready"})
            self.thread = threading.Thread(target=self._serve, args=(server,), daemon=True)
            self.thread.start()
        wait_for(lambda: sum(1 for e in self.entries() if e["method"] == "ready") > ready)

    def _serve(self, server: Any) -> None:
        try:
            serve(self.conn, server.handle, lambda: server.running)
        except Exception:
            if not self.stopping:  # a fault of the server's own: said, as its process would
                raise
        finally:
            server.log.file.close()
            # However it ended (stopped, told to quit, or a fault), its name goes, as it
            # would with its process.
            with contextlib.suppress(OSError):
                self.conn.sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(5)
        if self.thread is not None:
            self.stopping = True
            # Shut down, not only closed: that wakes the thread where it waits to read.
            with contextlib.suppress(OSError):
                self.conn.sock.shutdown(socket.SHUT_RDWR)
            self.thread.join(5)
            self.conn.close()
            self.thread = None

    def entries(self) -> list[dict[str, Any]]:
        if not self.record.exists():
            return []
        lines = self.record.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def notifications(self) -> list[dict[str, Any]]:
        return [entry for entry in self.entries() if entry["method"] == "Notify"]

    def call(self, member: str, signature: str = "", body: tuple[Any, ...] = ()) -> None:
        """Call the server's test interface (emit an action, change Inhibited, ...)."""
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        target = DBusAddress(
            "/org/freedesktop/Notifications",
            bus_name="org.freedesktop.Notifications",
            interface="org.reminderd.Test",
        )
        with open_dbus_connection(self.bus.address) as conn:
            conn.send_and_get_reply(
                new_method_call(target, member, signature or None, body), timeout=5
            )


@pytest.fixture
def notification_server(private_bus: Bus, tmp_path: Path) -> Iterator[Recorder]:
    recorder = Recorder(private_bus, tmp_path / "notifications.jsonl", "body,actions,persistence")
    recorder.start()
    try:
        yield recorder
    finally:
        recorder.stop()


@pytest.fixture
def user_env(tmp_path: Path, short_tmp: Path) -> Iterator[dict[str, str]]:
    """Environment for reminderd subprocesses: private config, state, data and runtime
    folders, and no session bus unless a test adds one."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DBUS_", "XDG_", "REMINDERD_"))
    }
    home = tmp_path / "home"
    runtime = short_tmp / "runtime"
    for folder in (home, runtime):
        folder.mkdir(exist_ok=True)
    runtime.chmod(0o700)
    # Someone who has read the safety note: its notification at the first start would come
    # before each test's own (tests/test_e2e_safety.py starts without this mark).
    state = home / ".local" / "state" / "reminderd"
    state.mkdir(parents=True, mode=0o700)
    safety_notice.record(state)
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_CONFIG_DIRS": str(home / "etc-xdg"),
            "PYTHONUNBUFFERED": "1",
            "TZ": "UTC",
            MIN_EVERY[0]: MIN_EVERY[1],
            POLL[0]: POLL[1],
            BREATH[0]: BREATH[1],
        }
    )
    yield env
    # A daemon a test started in the background (start --detach) and did not stop, because
    # the test failed before it could: stop it, so that no test leaves one running.
    if (runtime / "reminderd" / "control.sock").exists():
        subprocess.run(
            [sys.executable, "-m", "reminderd", "stop"],
            env=env,
            capture_output=True,
            timeout=30,
            check=False,
        )


def reminderd(
    *args: str, env: dict[str, str], timeout: float = 60, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI as a subprocess and wait for it."""
    return subprocess.run(
        [sys.executable, "-m", "reminderd", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )


# Exercises of a second or less, for configs that set their own [guidance].
EXERCISES_ONLY = """
[[exercises]]
id = "tick"
title = "Tick stretch"
sides = ["right", "left"]

[[exercises.steps]]
text = "Lean {side}."
seconds = 0.5

[[exercises.steps]]
text = "Back to the middle."
seconds = 1
"""

# Short guidance, so that an end-to-end routine takes seconds: an intro of one second
# instead of five, and the closing note withdrawn after half a second.
FAST_GUIDANCE = """
[guidance]
intro = "1s"
done = "0.5s"
"""

TEST_EXERCISES = FAST_GUIDANCE + EXERCISES_ONLY


@pytest.fixture
def short_config(tmp_path: Path) -> Path:
    """A config with one short routine made of a tiny test exercise."""
    path = tmp_path / "short.toml"
    path.write_text(
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "3s"\n' + TEST_EXERCISES
    )
    return path


@pytest.fixture
def sway(private_bus: Bus) -> Iterator[Sway]:
    """A headless sway (tests/sway.py) on the test's private session bus."""
    from tests.sway import Sway

    missing = [tool for tool in ("sway", "swaymsg") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install sway)")
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("sway refuses to run as root, and setpriv (util-linux) is missing")
    folder = Path(tempfile.mkdtemp(prefix="rd-sway-", dir="/tmp"))
    folder.chmod(0o711)
    session = Sway(folder, private_bus)
    try:
        session.start()
        yield session
    finally:
        session.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pipewire(private_bus: Bus) -> Iterator[PipeWire]:
    """A headless PipeWire (tests/pipewire.py) with a null sink, on the test's private bus."""
    from tests.pipewire import PipeWire

    folder = Path(tempfile.mkdtemp(prefix="rd-pw-", dir="/tmp"))
    server = PipeWire(folder, private_bus)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def openbox() -> Iterator[Openbox]:
    """openbox on a private Xvfb screen (tests/openbox.py), with EWMH as a desktop has it."""
    from tests.openbox import openbox_desktop

    with openbox_desktop() as desktop:
        yield desktop
