"""Every reminder's fate, in a SQLite file: fired, started, each step, completed, snoozed,
skipped, ignored, and why.

WAL mode and one commit per event: a crash or ``kill -9`` loses nothing already recorded,
and ``reminderd stats`` can read while the daemon writes. The schema carries a version
(``PRAGMA user_version``) and is migrated forward at open.

Another program may hold the file (a database browser, a backup), or damage it. SQLite itself is
loaded on the first write (the idle daemon does without it until a routine has an event to
record; old rows are forgotten then too). The daemon never waits on it for longer than
BUSY_TIMEOUT: a row that cannot be written waits in
memory, in order, and is written at the next retry (1 s, then twice as long each time, at
most a minute); the daemon's loop learns when from ``next_retry``. A file removed, replaced
or cut short under the daemon, or one SQLite finds damaged, is said once and opened again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reminderd.errors import StateError
from reminderd.i18n.said import said
from reminderd.model import EVENT_NAMES, Event

if TYPE_CHECKING:
    import sqlite3

log = logging.getLogger("reminderd")

SCHEMA_VERSION = 2
BUSY_TIMEOUT = 0.1  # seconds the daemon waits for another program's lock, then queues
MAX_QUEUED = 5000  # rows kept while the file cannot be written: days of routines
RETRY_FIRST, RETRY_MOST = 1.0, 60.0  # seconds between tries while rows wait
DEFAULT_TIMEOUT = 5.0  # seconds a command (stats, history) waits for a lock
# Every fate of a reminder, and the pauses around them; not returns from idle or reloads.
# A routine done on another machine is in that machine's history (and in `stats` through
# the sync folder), not recorded twice.
RECORDED = frozenset(EVENT_NAMES) - {"presence.back", "daemon.reloaded", "sync.done"}


def _v1(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE events (
            id      INTEGER PRIMARY KEY,
            ts      REAL NOT NULL,   -- Unix time
            day     TEXT NOT NULL,   -- the local date when it happened, YYYY-MM-DD
            kind    TEXT NOT NULL,   -- routine.fired, routine.completed, ...
            routine TEXT,
            reason  TEXT,
            seconds REAL,            -- a step's length; a completed routine's exercise time
            data    TEXT NOT NULL DEFAULT '{}'
        )""")
    db.execute("CREATE INDEX events_day ON events (day, kind)")


def _v2(db: sqlite3.Connection) -> None:
    """A routine played to its end has an outcome: completed (no input during its holds),
    worked-through (input during them) or played (not known). Routines recorded before
    were counted as completed, and keep that."""
    db.execute("ALTER TABLE events ADD COLUMN outcome TEXT")
    db.execute("UPDATE events SET outcome = 'completed' WHERE kind = 'routine.completed'")


_INSERT = (
    "INSERT INTO events (ts, day, kind, routine, reason, seconds, data, outcome)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)

OUTCOMES = ("completed", "worked-through", "played")
# Done pressed on the closing note: the routine's latest unknown outcome becomes completed.
_CONFIRM = """UPDATE events SET outcome = 'completed' WHERE id = (
    SELECT MAX(id) FROM events WHERE kind = 'routine.completed' AND routine = ?)
    AND outcome = 'played'"""

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2]  # MIGRATIONS[n] takes n -> n+1


def connect(
    path: Path, *, readonly: bool = False, timeout: float = DEFAULT_TIMEOUT
) -> sqlite3.Connection:
    """Open (and for writing, create and migrate) the history database; ``timeout``: the
    seconds any statement waits for another program's lock."""
    import sqlite3  # noqa: PLC0415 - loaded on the first write

    try:
        if readonly:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout)
        else:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if path.is_symlink():
                msg = "it is a symbolic link: move it aside (history is not written through one)"
                raise sqlite3.OperationalError(msg)
            db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable at each commit's checkpoint
            migrate(db)
    except (sqlite3.Error, OSError) as error:
        msg = said("cannot open the history at {path}: {error}", path=str(path), error=str(error))
        raise StateError(msg) from error
    return db


def migrate(db: sqlite3.Connection) -> None:
    import sqlite3  # noqa: PLC0415 - loaded on the first write

    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        msg = f"the history was written by a newer reminderd (schema {version} > {SCHEMA_VERSION})"
        raise sqlite3.DatabaseError(msg)
    for step in MIGRATIONS[version:]:
        db.execute("BEGIN IMMEDIATE")
        try:
            step(db)
            version += 1
            db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


Row = tuple[float, str, str, "str | None", "str | None", "float | None", str, "str | None"]


class History:
    """Appends events as they happen; never waits on the file for more than BUSY_TIMEOUT,
    and logs (once) instead of failing when it cannot write."""

    def __init__(
        self, path: Path, zone: Callable[[], tzinfo], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.path = path
        self.zone = zone
        self._clock = clock  # monotonic: when to try again
        self._db: sqlite3.Connection | None = None
        # (device, inode, size) of the file opened, the size as of the last write
        self._opened: tuple[int, int, int] | None = None
        self._error: str | None = None
        # Rows not written yet, each with the routine whose outcome it confirms (if any).
        self._queue: deque[tuple[Row, str | None]] = deque()
        self._retry_at: float | None = None
        self._delay = RETRY_FIRST
        self._dropping = False
        self._forget: int | None = None  # days to keep, forgotten at the first open

    def forget_older_than(self, days: int) -> None:
        """Forget events older than ``days`` when the file is first opened (not now: an
        idle daemon loads nothing of SQLite until it has something to record)."""
        self._forget = days

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = connect(self.path, timeout=BUSY_TIMEOUT)
            self._opened = _identity(self.path)
            if self._forget is not None:
                days, self._forget = self._forget, None
                cutoff = (datetime.now().astimezone() - timedelta(days=days)).timestamp()
                cursor = self._db.execute("DELETE FROM events WHERE ts < ?", (cutoff,))
                if cursor.rowcount:
                    log.info("history: forgot %d events older than %d days", cursor.rowcount, days)
        return self._db

    def record(self, event: Event) -> None:
        if event.kind not in RECORDED:
            return
        data = dict(event.data)
        reason = data.pop("reason", None)
        outcome = data.pop("outcome", "played") if event.kind == "routine.completed" else None
        seconds = (
            data.pop("exercise_seconds", None)
            if event.kind == "routine.completed"
            else data.get("seconds")
        )
        local = event.at.astimezone(self.zone())
        row: Row = (
            event.at.timestamp(),
            local.date().isoformat(),
            event.kind,
            event.routine,
            reason,
            seconds,
            json.dumps(data, default=str),
            outcome,
        )
        self._queue.append((row, event.routine if event.kind == "routine.confirmed" else None))
        self._bound()
        if self._retry_at is None:  # else it waits behind the rows already waiting
            self._flush()

    def queued(self) -> int:
        """How many rows wait to be written."""
        return len(self._queue)

    def next_retry(self) -> float | None:
        """The monotonic time of the next try to write waiting rows; None if none wait."""
        return self._retry_at

    def retry(self) -> None:
        """Try to write the waiting rows, if a try is due (the loop calls it when it wakes)."""
        if self._retry_at is not None and self._clock() >= self._retry_at:
            self._flush()

    def _flush(self) -> None:
        """Write every waiting row in one transaction; on failure they wait on, in order."""
        import sqlite3  # noqa: PLC0415 - loaded on the first write

        try:
            self._check_file()
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                for row, confirms in self._queue:
                    db.execute(_INSERT, row)
                    if confirms is not None:
                        db.execute(_CONFIRM, (confirms,))
                db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, StateError) as error:
            self._failed(error)
            self._retry_at = self._clock() + self._delay
            self._delay = min(self._delay * 2, RETRY_MOST)
            return
        self._queue.clear()
        self._opened = _identity(self.path)  # the size it has grown to, to tell a cut
        self._retry_at, self._delay, self._dropping = None, RETRY_FIRST, False
        if self._error:
            log.warning("history works again (%s)", self.path)
            self._error = None

    def _check_file(self) -> None:
        """Whether the file opened is still the one at the path, and no shorter than it was;
        if not, say so once and open the path again. Only stat() looks: opening the file
        here, even to read a byte, would drop SQLite's locks on it (POSIX locks belong to
        the process and go with the first of its descriptors closed)."""
        if self._db is None:
            return
        now = _identity(self.path)
        if now is None or self._opened is None or now[:2] != self._opened[:2]:
            why = "was removed or replaced"
        elif now[2] < self._opened[2]:
            why = f"is damaged: it was cut short ({now[2]} bytes, from {self._opened[2]})"
        else:
            return
        if why != self._error:
            log.error("the history file %s %s; opening it again", self.path, why)
            self._error = why
        self._close()

    def _bound(self) -> None:
        """At most MAX_QUEUED rows wait: past that the oldest go (said once)."""
        excess = len(self._queue) - MAX_QUEUED
        if excess <= 0:
            return
        if not self._dropping:
            log.error(
                "history: %d rows have waited too long to be written; the oldest dropped",
                len(self._queue),
            )
            self._dropping = True
        for _ in range(excess):
            self._queue.popleft()

    def _failed(self, error: Exception) -> None:
        import sqlite3  # noqa: PLC0415 - loaded on the first write

        if str(error) != self._error:
            waiting = f"; {len(self._queue)} events wait" if self._queue else ""
            log.error("history not recorded (%s)%s; reminders go on", error, waiting)
            self._error = str(error)
        if not isinstance(error, sqlite3.OperationalError) or "locked" not in str(error):
            self._close()  # locked: the connection is fine, the file only busy

    def exported(
        self, after: int, since: float | None = None, limit: int = 5000
    ) -> list[tuple[Any, ...]]:
        """Recorded events after row ``after`` (or, with ``since``, after that Unix time),
        steps left out, oldest first, in the order of the table's columns: what the sync
        folder carries of this machine (reminderd/sync/writer.py). [] when it cannot be read."""
        import sqlite3  # noqa: PLC0415 - loaded on the first write

        # One of two fixed conditions, never text from outside.
        where = "id > ?" if since is None else "ts > ?"
        columns = "id, ts, day, kind, routine, reason, seconds, data, outcome"
        query = f"SELECT {columns} FROM events WHERE {where} AND kind != 'routine.step' ORDER BY id LIMIT ?"  # noqa: S608, E501
        try:
            db = self._connection()
            return db.execute(query, (after if since is None else since, limit)).fetchall()
        except (sqlite3.Error, StateError) as error:
            self._failed(error)
            return []

    def last_id(self) -> int:
        """The newest row's id (0 for none, or when it cannot be read)."""
        import sqlite3  # noqa: PLC0415 - loaded on the first write

        try:
            return int(
                self._connection().execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
            )
        except (sqlite3.Error, StateError) as error:
            self._failed(error)
            return 0

    def prune(self, days: int, now: datetime) -> int:
        """Forget events older than ``days``; return how many."""
        import sqlite3  # noqa: PLC0415 - loaded on the first write

        cutoff = (now - timedelta(days=days)).timestamp()
        try:
            cursor = self._connection().execute("DELETE FROM events WHERE ts < ?", (cutoff,))
        except (sqlite3.Error, StateError) as error:
            self._failed(error)
            return 0
        return cursor.rowcount

    def close(self) -> None:
        """Write what waits (one last try), then close; what still cannot be written is
        said."""
        if self._queue:
            self._flush()
            if self._queue:
                log.error("history: %d events could not be recorded", len(self._queue))
        self._close()

    def _close(self) -> None:
        import sqlite3  # noqa: PLC0415 - loaded on the first write

        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
            self._opened = None


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino, info.st_size


# -- reading ---------------------------------------------------------------------------------


def recent(
    db: sqlite3.Connection, limit: int, with_steps: bool = False
) -> Iterator[dict[str, Any]]:
    """The latest events, oldest first (with the machine of each, in the history of every
    machine that `reminderd/sync/stats.py` gathers)."""
    where = "" if with_steps else "WHERE kind != 'routine.step'"
    columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
    machine = "machine" if "machine" in columns else "NULL"
    rows = db.execute(
        f"SELECT ts, kind, routine, reason, seconds, data, outcome, {machine} FROM events {where} "  # noqa: S608
        "ORDER BY ts DESC, id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    for ts, kind, routine, reason, seconds, data, outcome, source in reversed(rows):
        extra = {"outcome": outcome} if outcome else {}
        yield {
            "ts": ts,
            "event": kind,
            "routine": routine,
            "reason": reason,
            "seconds": seconds,
            **json.loads(data),
            **extra,
            **({"machine": source} if source else {}),
        }
