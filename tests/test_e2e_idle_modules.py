"""What an idle daemon holds: the modules a real daemon has loaded while it waits for its
next routine, asked over its control socket. Everything else (the config's reader, the
guide, the words, the pictures, the panel's drawing, the history's database) comes when it
is first needed; bench/run.py measures what this costs in memory (figure 1)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from reminderd import control
from tests.conftest import Recorder
from tests.test_e2e_control import SLOW, RunningDaemon, write_config

pytestmark = pytest.mark.e2e

# Every module of reminderd an idle daemon holds, with the default settings (sounds on,
# idle awareness on, the panel icon wanted) on a session bus with a notification server
# and no panel, no display and no [sync]. A module that joins this list is loaded into a
# process that waits for hours: add it here only if waiting needs it.
IDLE = {
    "reminderd",
    "reminderd.alerts",
    "reminderd.bus",
    "reminderd.children",
    "reminderd.clock",
    "reminderd.config",
    "reminderd.config.apart",
    "reminderd.config.discovery",
    "reminderd.config.limits",
    "reminderd.contracts",
    "reminderd.control",
    "reminderd.control.server",
    "reminderd.core",
    "reminderd.core.absences",
    "reminderd.core.adherence",
    "reminderd.core.closing",
    "reminderd.core.elsewhere",
    "reminderd.core.engine",
    "reminderd.core.firing",
    "reminderd.core.gate",
    "reminderd.core.held",
    "reminderd.core.jumps",
    "reminderd.core.outputs",
    "reminderd.core.pause",
    "reminderd.core.polls",
    "reminderd.core.postpone",
    "reminderd.core.prompt",
    "reminderd.core.saved",
    "reminderd.core.skips",
    "reminderd.core.stage",
    "reminderd.core.starter",
    "reminderd.core.timers",
    "reminderd.core.waiting",
    "reminderd.cues",
    "reminderd.cues.choose",
    "reminderd.cues.players",
    "reminderd.daemon",
    "reminderd.daemon.chosen",
    "reminderd.daemon.clients",
    "reminderd.daemon.commands",
    "reminderd.daemon.holds",
    "reminderd.daemon.icon",
    "reminderd.daemon.kept",
    "reminderd.daemon.logs",
    "reminderd.daemon.loop",
    "reminderd.daemon.memory",
    "reminderd.daemon.reload",
    "reminderd.daemon.server_signals",
    "reminderd.daemon.service",
    "reminderd.daemon.sleep",
    "reminderd.dnd",
    "reminderd.durations",
    "reminderd.errors",
    "reminderd.history",
    "reminderd.hooks",
    "reminderd.i18n",
    "reminderd.i18n.formats",
    "reminderd.i18n.languages",
    "reminderd.i18n.said",
    "reminderd.idle",
    "reminderd.lazy",
    "reminderd.lock",
    "reminderd.markup",
    "reminderd.model",
    "reminderd.notify",
    "reminderd.notify.buttons",
    "reminderd.notify.choose",
    "reminderd.notify.console",
    "reminderd.notify.fallback",
    "reminderd.notify.freedesktop",
    "reminderd.notify.port",
    "reminderd.notify.signals",
    "reminderd.pace",
    "reminderd.panel",
    "reminderd.panel.item",
    "reminderd.panel.names",
    "reminderd.panel.watcher",
    "reminderd.paths",
    "reminderd.peers",
    "reminderd.pictures",
    "reminderd.pictures.pose",
    "reminderd.ports",
    "reminderd.presence",
    "reminderd.safety",
    "reminderd.safety_notice",
    "reminderd.scheduler",
    "reminderd.speech",
    "reminderd.speech.port",
    "reminderd.state",
    "reminderd.wake",
    "reminderd.when",
}
# What the standard library would bring that waiting never uses: dataclasses with inspect,
# ast and dis; the TOML parser; SQLite; the interpreter's build variables (zoneinfo reads
# them unless `start` names the time-zone path); compression and hashing.
NEVER = re.compile(
    r"^(dataclasses|inspect|ast|dis|tomllib|sqlite3|_sqlite3|_sysconfigdata.*|platform"
    r"|_bz2|_lzma|zlib|_hashlib|_sha512|_random|gettext|email|http)$"
)


@pytest.fixture
def idle_daemon(
    user_env: dict[str, str], notification_server: Recorder, tmp_path: Path
) -> Iterator[RunningDaemon]:
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    # No display, a path `start` names itself, and no coverage measuring this daemon (it
    # would load what the daemon does not: SQLite for its data, inspect, ...).
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHONTZPATH"):
        env.pop(name, None)
    for name in ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START"):
        env.pop(name, None)
    handle = RunningDaemon(env, write_config(tmp_path / "config.toml", SLOW))
    handle.start()
    try:
        yield handle
    finally:
        handle.stop()


def test_an_idle_daemon_holds_only_what_waiting_needs(idle_daemon: RunningDaemon) -> None:
    """The idle daemon's modules of reminderd are exactly the waiting ones listed here, and
    none of the standard library's that waiting never uses; `start` named the time-zone
    path for it."""
    loaded = set(control.request(idle_daemon.socket, "modules", timeout=5.0)["modules"])
    ours = {name for name in loaded if name == "reminderd" or name.startswith("reminderd.")}
    assert ours - IDLE == set(), "loaded while idle, and not listed"
    assert IDLE - ours == set(), "listed, and no longer loaded while idle"
    assert sorted(name for name in loaded if NEVER.match(name)) == []
    assert idle_daemon.process is not None
    environ = Path(f"/proc/{idle_daemon.process.pid}/environ").read_bytes().split(b"\0")
    assert any(entry.startswith(b"PYTHONTZPATH=/") for entry in environ)


def test_a_routine_brings_the_guide_and_the_idle_daemon_answers_as_before(
    idle_daemon: RunningDaemon,
) -> None:
    """What idle leaves out is loaded when it is first needed: a routine run by hand brings
    the guide, its exercises and its words."""
    done = idle_daemon.cli("run", "slow")
    assert done.returncode == 0, done.stderr
    loaded = set(control.request(idle_daemon.socket, "modules", timeout=5.0)["modules"])
    assert {"reminderd.guide", "reminderd.exercises", "reminderd.speech.lines"} <= loaded
