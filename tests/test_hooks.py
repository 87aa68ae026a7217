"""Hooks: commands on events, in process groups of their own, with bounded output."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import psutil
import pytest

from reminderd.hooks import MAX_OUTPUT, Hooks
from reminderd.model import Event, Hook
from tests.conftest import slack

EVENT = Event("daemon.paused", datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))


def children_named(marker: str) -> list[psutil.Process]:
    return [
        p for p in psutil.process_iter(["cmdline"]) if marker in " ".join(p.info["cmdline"] or [])
    ]


def wait_until(predicate: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_timeout_ends_the_hook_and_what_it_started(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A hook that outlives its timeout is stopped together with the processes it started."""
    marker = f"{tmp_path.name}-{uuid.uuid4().hex}-grandchild"
    hooks = Hooks((Hook("*", ("sh", "-c", f"sleep 63 & sleep 64; : {marker}", marker), 0.3),))
    with caplog.at_level(logging.WARNING, logger="reminderd"):
        hooks(EVENT)
        wait_until(lambda: "was stopped after 0.3 s" in caplog.text)
    wait_until(lambda: not children_named("sleep 63"))
    assert not children_named(marker)


def test_a_flood_of_output_is_cut_to_a_few_kilobytes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A hook that prints a hundred megabytes and fails is logged with a short excerpt; the
    output is read and dropped as it comes, never kept whole."""
    script = "head -c 100000000 /dev/zero | tr '\\0' x >&2; exit 3"
    hooks = Hooks((Hook("*", ("sh", "-c", script), 30.0),))
    before = psutil.Process().memory_info().rss
    with caplog.at_level(logging.WARNING, logger="reminderd"):
        hooks(EVENT)
        wait_until(lambda: "exited with 3" in caplog.text, timeout=30)
    grown = psutil.Process().memory_info().rss - before
    assert grown < 20 * 1024 * 1024
    line = next(r.getMessage() for r in caplog.records if "exited with 3" in r.getMessage())
    assert len(line) < 300
    assert MAX_OUTPUT <= 65536


def test_the_event_arrives_on_stdin_and_a_hook_may_ignore_it(tmp_path: Path) -> None:
    """The event is the hook's stdin as one JSON line; a hook that never reads it is fine."""
    out = tmp_path / "event.json"
    hooks = Hooks(
        (
            Hook("daemon.paused", ("sh", "-c", f"cat > {out}"), 5.0),
            Hook("daemon.paused", ("true",), 5.0),
        )
    )
    hooks(EVENT)
    wait_until(lambda: out.exists() and out.read_text().endswith("\n"))
    assert '"event": "daemon.paused"' in out.read_text()


def test_shutdown_ends_running_hooks_within_half_a_second(tmp_path: Path) -> None:
    """At shutdown every running hook is ended at once, not waited for."""
    marker = f"{tmp_path.name}-{uuid.uuid4().hex}-long"
    hooks = Hooks(
        tuple(Hook("*", ("sh", "-c", f"sleep 65; : {marker}", marker), 3600.0) for _ in range(4))
    )
    hooks(EVENT)
    wait_until(lambda: len(children_named(marker)) == 4)
    began = time.monotonic()
    hooks.end_all()
    assert time.monotonic() - began < slack(1.0)
    wait_until(lambda: not children_named(marker), timeout=2)


# A hook that cleans up when asked to end (SIGTERM), and one that will not end when asked;
# the helpers they start carry a marker of the test in their command line.
CLEANS_UP = "trap 'echo cleaned > {out}; exit 0' TERM; sh -c 'sleep 66; : {marker}' & wait"
STUBBORN = "trap '' TERM; sh -c 'sleep 67; : {marker}' & while :; do sleep 0.05; done"


def stubborn_pair(tmp_path: Path, timeout: float) -> tuple[Hooks, Path, str]:
    """Both hooks, the file the first writes when it cleans up, and the test's marker."""
    out, marker = tmp_path / "cleaned", f"{tmp_path.name}-{uuid.uuid4().hex}"
    hooks = Hooks(
        (
            Hook("*", ("sh", "-c", CLEANS_UP.format(out=out, marker=marker)), timeout),
            Hook("*", ("sh", "-c", STUBBORN.format(marker=marker)), timeout),
        )
    )
    return hooks, out, marker


def test_a_hook_past_its_timeout_is_asked_to_end_before_it_is_killed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """At its timeout a hook gets SIGTERM first, so that it can clean up; one that ignores
    it is killed, with everything it started, half a second later."""
    hooks, out, marker = stubborn_pair(tmp_path, 0.3)
    with caplog.at_level(logging.WARNING, logger="reminderd"):
        hooks(EVENT)
        wait_until(lambda: caplog.text.count("was stopped after 0.3 s") == 2)
    assert out.read_text() == "cleaned\n"
    wait_until(lambda: not children_named(marker))


def test_shutdown_asks_hooks_to_end_then_kills_the_stubborn(tmp_path: Path) -> None:
    """end_all sends every hook SIGTERM (one that cleans up does), and kills what is left
    of any group after half a second."""
    hooks, out, marker = stubborn_pair(tmp_path, 3600.0)
    hooks(EVENT)
    wait_until(lambda: len(children_named(marker)) == 4)  # each hook's helper: sh and sleep
    hooks.end_all()
    assert out.read_text() == "cleaned\n"
    wait_until(lambda: not children_named(marker))
