"""The history never holds up the daemon: another program holding a write lock on it (a
database browser, a backup) delays rows, never loses them; damage to the file, or the file
removed or replaced under the daemon, is said once and the file opened again. A real
SQLite file, locked by a second connection as another program would."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from reminderd import history
from reminderd.history import BUSY_TIMEOUT, MAX_QUEUED, History
from reminderd.model import Event

AT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def event(n: int) -> Event:
    return Event("routine.fired", AT, f"r{n}", {"reason": "due"})


def rows(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return [r for (r,) in db.execute("SELECT routine FROM events ORDER BY id")]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another program's write transaction on the file, held until the block ends."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture
def store(tmp_path: Path) -> tuple[History, Ticks]:
    ticks = Ticks()
    written = History(tmp_path / "history.sqlite3", lambda: timezone.utc, clock=ticks)
    written.record(event(0))
    return written, ticks


def test_writes_wait_at_most_a_tenth_of_a_second_for_a_lock(store: tuple[History, Ticks]) -> None:
    """The daemon's connection gives up on another program's lock after BUSY_TIMEOUT (at
    most 100 ms), where SQLite's own default would hold the loop for five seconds."""
    written, _ = store
    assert BUSY_TIMEOUT <= 0.1
    db = written._connection()
    (milliseconds,) = db.execute("PRAGMA busy_timeout").fetchone()
    assert milliseconds == round(BUSY_TIMEOUT * 1000)


def test_a_locked_history_delays_rows_and_loses_none(
    store: tuple[History, Ticks], caplog: pytest.LogCaptureFixture
) -> None:
    """Rows recorded while the file is locked wait in memory, in order; once the lock is
    gone the next retry writes them all. The lock is said once, and its end once."""
    written, ticks = store
    with caplog.at_level(logging.WARNING, logger="reminderd"), locked(written.path):
        for n in range(1, 6):
            written.record(event(n))
        assert written.queued() == 5
        retry = written.next_retry()
        assert retry is not None
        ticks.now = retry
        written.retry()  # still locked: they wait on
        assert written.queued() == 5
    assert rows(written.path) == ["r0"]
    retry = written.next_retry()
    assert retry is not None
    ticks.now = retry
    written.retry()
    assert written.queued() == 0
    assert written.next_retry() is None
    assert rows(written.path) == ["r0", "r1", "r2", "r3", "r4", "r5"]
    assert caplog.text.count("database is locked") == 1
    assert caplog.text.count("history works again") == 1


def test_a_new_row_while_rows_wait_waits_behind_them(store: tuple[History, Ticks]) -> None:
    """While a retry is due, a new row joins the queue instead of trying the file again at
    once: one try per retry, not one per event."""
    written, ticks = store
    with locked(written.path):
        written.record(event(1))
    written.record(event(2))  # the lock is gone, but the retry is not due yet
    assert written.queued() == 2
    ticks.now = written.next_retry() or 0.0
    written.retry()
    assert rows(written.path) == ["r0", "r1", "r2"]


def test_the_queue_is_bounded_and_says_what_it_drops(
    store: tuple[History, Ticks], caplog: pytest.LogCaptureFixture
) -> None:
    """Past MAX_QUEUED waiting rows the oldest go, said once."""
    written, _ = store
    with caplog.at_level(logging.WARNING, logger="reminderd"), locked(written.path):
        for n in range(MAX_QUEUED + 3):
            written._queue.append(((0.0, "", "x", f"r{n}", None, None, "{}", None), None))
        written.record(event(1))
        written.record(event(2))
    assert written.queued() == MAX_QUEUED
    assert caplog.text.count("oldest dropped") == 1


def test_a_file_removed_under_the_daemon_is_said_and_made_again(
    store: tuple[History, Ticks], caplog: pytest.LogCaptureFixture
) -> None:
    """The file deleted (or replaced) while open: rows would go to a file nobody sees; the
    next write says so once and opens the path again."""
    written, _ = store
    for suffix in ("", "-wal", "-shm"):
        Path(f"{written.path}{suffix}").unlink(missing_ok=True)
    with caplog.at_level(logging.WARNING, logger="reminderd"):
        written.record(event(1))
        written.record(event(2))
    assert rows(written.path) == ["r1", "r2"]
    assert caplog.text.count("was removed or replaced") == 1


def test_a_damaged_file_is_said_once_and_its_rows_wait(
    store: tuple[History, Ticks], caplog: pytest.LogCaptureFixture
) -> None:
    """Garbage written over the file while open: said once (the file is not an SQLite file
    any more), the rows wait; once the file is whole again (here: removed, and so made
    anew) they are written."""
    written, ticks = store
    written.close()
    written.path.write_bytes(b"garbage" * 2000)
    for suffix in ("-wal", "-shm"):
        Path(f"{written.path}{suffix}").unlink(missing_ok=True)
    with caplog.at_level(logging.WARNING, logger="reminderd"):
        written.record(event(1))
        ticks.now = written.next_retry() or 0.0
        written.retry()
        written.record(event(2))
        assert written.queued() == 2
    assert caplog.text.count("file is not a database") == 1
    written.path.unlink()
    ticks.now = written.next_retry() or 0.0
    written.retry()
    assert rows(written.path) == ["r1", "r2"]


def test_a_file_cut_short_under_the_daemon_is_noticed(
    store: tuple[History, Ticks], caplog: pytest.LogCaptureFixture
) -> None:
    """The file truncated in place while the daemon has it open (same file, fewer bytes):
    the next write says once that it is damaged, opens it again, and loses no row."""
    written, _ = store
    written.close()  # written out of the write-ahead log, so that the file has its rows
    written.record(event(1))
    size = written.path.stat().st_size
    with written.path.open("r+b") as file:
        file.truncate(size // 2)
    with caplog.at_level(logging.WARNING, logger="reminderd"):
        written.record(event(2))
        written.record(event(3))
    assert caplog.text.count("is damaged: it was cut short") == 1
    assert written.queued() + len(rows(written.path)) >= 2


def test_the_panel_reads_today_without_waiting_for_a_lock(tmp_path: Path) -> None:
    """The panel's "Today" line opens the history with the same short busy timeout."""
    path = tmp_path / "history.sqlite3"
    History(path, lambda: timezone.utc).record(event(0))
    with contextlib.closing(history.connect(path, readonly=True, timeout=BUSY_TIMEOUT)) as db:
        (milliseconds,) = db.execute("PRAGMA busy_timeout").fetchone()
    assert milliseconds == round(BUSY_TIMEOUT * 1000)


@pytest.mark.e2e
def test_a_daemon_whose_history_is_locked_guides_answers_and_records_later(
    user_env: dict[str, str], tmp_path: Path
) -> None:
    """Another program holds a write transaction on the history while a routine runs: the
    daemon guides it and answers `status` and `run` as usual, and once the lock is gone
    every event of the routine is in the file."""
    from tests.conftest import wait_for
    from tests.test_e2e_control import RunningDaemon, write_config

    config = write_config(
        tmp_path / "config.toml",
        '[[routines]]\nname = "quick"\nexercises = ["tick"]\nevery = "1h"\n',
    )
    path = Path(user_env["XDG_DATA_HOME"]) / "reminderd" / "history.sqlite3"
    path.parent.mkdir(parents=True, mode=0o700)
    history.connect(path).close()  # the history of an earlier run
    daemon = RunningDaemon(user_env, config)
    daemon.start()
    try:
        with locked(path):
            assert daemon.cli("run", "quick").returncode == 0
            wait_for(lambda: "routine.completed quick" in daemon.log.read_text())
            assert daemon.status()["running"] is True
            assert rows(path) == []
            assert "database is locked" in daemon.log.read_text()
        wait_for(lambda: "history works again" in daemon.log.read_text())
        with contextlib.closing(sqlite3.connect(path)) as db:
            kinds = [kind for (kind,) in db.execute("SELECT kind FROM events ORDER BY id")]
        assert kinds[0] == "routine.started"
        assert kinds[-1] == "routine.completed"
        assert kinds.count("routine.step") >= 5
    finally:
        daemon.stop()
