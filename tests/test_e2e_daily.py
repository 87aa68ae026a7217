"""End to end, a real daemon and the real CLI: undoing a skip and a snooze, `pause 1h30`,
when routines come after a pause, and a failed reload named in `status`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import Recorder, wait_for
from tests.test_e2e_control import SLOW, RunningDaemon, write_config

pytestmark = pytest.mark.e2e

OTHER = SLOW.replace('"slow"', '"other"').replace('"1h"', '"2h"')


@pytest.fixture
def daemon(
    user_env: dict[str, str], notification_server: Recorder, tmp_path: Path
) -> Iterator[RunningDaemon]:
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    handle = RunningDaemon(env, write_config(tmp_path / "config.toml", SLOW + OTHER))
    handle.start()
    try:
        yield handle
    finally:
        handle.stop()


def next_of(daemon: RunningDaemon, name: str) -> str | None:
    routine = next(r for r in daemon.status()["routines"] if r["name"] == name)
    return routine["next"]  # type: ignore[no-any-return]


def said(result: object) -> str:
    assert getattr(result, "returncode", None) == 0, getattr(result, "stderr", "")
    return str(getattr(result, "stdout", ""))


def test_unskip_and_snooze_zero_undo_through_the_cli(daemon: RunningDaemon) -> None:
    """`skip` then `unskip`, `snooze` then `snooze NAME 0`: each routine is due again when
    it was before; undoing what was not done says so, exit 1."""
    due = next_of(daemon, "slow")
    assert said(daemon.cli("skip", "slow")).startswith("Skipped slow. Next: ")
    assert next_of(daemon, "slow") != due
    assert said(daemon.cli("unskip", "slow")).startswith("slow is no longer skipped. Next: ")
    assert next_of(daemon, "slow") == due
    again = daemon.cli("unskip", "slow")
    assert (again.returncode, again.stderr) == (
        1,
        "Error: slow has no skip to undo (a skip can be undone until it comes round again)\n",
    )
    said(daemon.cli("snooze", "other", "30m"))
    assert said(daemon.cli("snooze", "0")).startswith("other is no longer snoozed. Next: ")
    said(daemon.cli("snooze", "other", "1h30"))
    assert said(daemon.cli("snooze", "other", "0s")).startswith("other is no longer snoozed.")
    assert next_of(daemon, "other") is not None
    not_snoozed = daemon.cli("snooze", "other", "0")
    assert (not_snoozed.returncode, not_snoozed.stderr) == (1, "Error: other is not snoozed\n")


def test_while_paused_status_and_list_say_when_routines_come(daemon: RunningDaemon) -> None:
    """`pause 1h30` is read as 1h30m; meanwhile `status` and `list` show when each routine
    comes once the pause ends: an hour after it for the hourly one."""
    before = datetime.now().astimezone()
    assert said(daemon.cli("pause", "1h30")).startswith("Paused until ")
    after = datetime.now().astimezone()
    status = daemon.status()
    slow = next(r for r in status["routines"] if r["name"] == "slow")
    assert slow["next"] is None
    comes = datetime.fromisoformat(slow["after_pause"])
    assert before.replace(microsecond=0) + timedelta(hours=2, minutes=30) <= comes
    assert comes <= after + timedelta(hours=2, minutes=30, seconds=1)
    shown = said(daemon.cli("status")).splitlines()
    assert "Next, once the pause ends:" in shown
    assert f"  slow   {comes:%H:%M} (in 2h30m)" in shown
    listed = said(daemon.cli("list", "--config", str(daemon.config)))
    assert "  slow   every 1h; " in listed
    assert f"; next {comes:%H:%M} (in 2h30m), after the pause" in listed
    said(daemon.cli("pause"))
    assert "Next, if you resume now:" in said(daemon.cli("status")).splitlines()


def test_status_names_a_failed_reload_until_one_works(daemon: RunningDaemon) -> None:
    """A reload refused for a mistake is in `status`: when, the first problem by file and
    line, and that the config in use stays; a reload that works clears it."""
    good = daemon.config.read_text()
    daemon.config.write_text(good.replace('every = "1h"', 'every = "1"'))
    refused = daemon.cli("reload")
    assert refused.returncode == 1
    failed = daemon.status()["reload_failed"]
    line = daemon.config.read_text().splitlines().index('every = "1"') + 1
    problem = f'{daemon.config}:{line}: routines[0].every: "1" has no unit (write "1s" or "1m")'
    assert (failed["problem"], failed["problems"]) == (problem, 1)
    at = datetime.fromisoformat(failed["at"])
    shown = said(daemon.cli("status")).splitlines()
    assert (
        f"Config not reloaded at {at:%H:%M}: {problem}. The config in use stays; fix it, then"
        " `reminderd reload`." in shown
    )
    daemon.config.write_text(good)
    said(daemon.cli("reload"))
    assert json.loads(said(daemon.cli("status", "--json")))["reload_failed"] is None


SLOWER = """
[[routines]]
name = "steady"
exercises = ["steady"]
every = "1h"

[[exercises]]
id = "steady"
title = "Steady"

[[exercises.steps]]
text = "First, slowly."
seconds = 3

[[exercises.steps]]
text = "Second, slowly."
seconds = 3
"""


def test_pause_during_a_routine_holds_it_and_resume_goes_on(
    user_env: dict[str, str], notification_server: Recorder, tmp_path: Path
) -> None:
    """`pause` while a routine is guided: its notification says it is paused and how to go
    on, `status` shows it held at its step, and `resume` goes on from that step to the
    end."""
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address}
    daemon = RunningDaemon(env, write_config(tmp_path / "config.toml", SLOWER))
    daemon.start()
    try:
        assert said(daemon.cli("run", "steady")) == "steady: the daemon guides it now.\n"
        wait_for(lambda: (daemon.status()["current"] or {}).get("step") == 2, timeout=10)
        paused = said(daemon.cli("pause"))
        assert paused.splitlines() == [
            "Paused until `reminderd resume`.",
            "steady waits at its step: `reminderd resume` goes on from there, within 10 minutes.",
        ]
        note = notification_server.notifications()[-1]
        assert note["summary"] == "Steady · paused"
        assert note["body"].startswith("Paused at step 2 of 4: First, slowly.\n")
        assert "Held: steady, at step 2 of 4: First, slowly." in said(daemon.cli("status"))
        assert said(daemon.cli("resume")) == "Resumed.\n"
        wait_for(lambda: "routine.completed steady" in daemon.log.read_text(), timeout=15)
        bodies = [n["body"] for n in notification_server.notifications()]
        after = bodies[bodies.index(note["body"]) + 1 :]
        assert after[0].startswith("First, slowly. (3s)")
    finally:
        daemon.stop()
