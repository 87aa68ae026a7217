"""Every reminder's fate, in a SQLite file: fired, started, each step, completed, snoozed,
skipped, ignored, and why.

WAL mode and one commit per event: a crash or ``kill -9`` loses nothing already recorded,
and ``reminderd stats`` can read while the daemon writes. The schema carries a version
(``PRAGMA user_version``) and is migrated forward at open.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from reminderd.errors import StateError
from reminderd.model import EVENT_NAMES, Event

log = logging.getLogger("reminderd")

SCHEMA_VERSION = 2
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


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open (and for writing, create and migrate) the history database."""
    try:
        if readonly:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        else:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if path.is_symlink():
                msg = "it is a symbolic link: move it aside (history is not written through one)"
                raise sqlite3.OperationalError(msg)
            db = sqlite3.connect(path, timeout=5, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable at each commit's checkpoint
            migrate(db)
    except (sqlite3.Error, OSError) as error:
        msg = f"cannot open the history at {path}: {error}"
        raise StateError(msg) from error
    return db


def migrate(db: sqlite3.Connection) -> None:
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


class History:
    """Appends events as they happen; logs (once) instead of failing when it cannot."""

    def __init__(self, path: Path, zone: Callable[[], tzinfo]) -> None:
        self.path = path
        self.zone = zone
        self._db: sqlite3.Connection | None = None
        self._error: str | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = connect(self.path)
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
        row = (
            event.at.timestamp(),
            local.date().isoformat(),
            event.kind,
            event.routine,
            reason,
            seconds,
            json.dumps(data, default=str),
            outcome,
        )
        try:
            db = self._connection()
            db.execute(_INSERT, row)
            if event.kind == "routine.confirmed":
                db.execute(_CONFIRM, (event.routine,))
        except (sqlite3.Error, StateError) as error:
            self._failed(error)
            return
        if self._error:
            log.warning("history works again (%s)", self.path)
            self._error = None

    def _failed(self, error: Exception) -> None:
        if str(error) != self._error:
            log.error("history not recorded (%s); reminders go on", error)
            self._error = str(error)
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def exported(
        self, after: int, since: float | None = None, limit: int = 5000
    ) -> list[tuple[Any, ...]]:
        """Recorded events after row ``after`` (or, with ``since``, after that Unix time),
        steps left out, oldest first, in the order of the table's columns: what the sync
        folder carries of this machine (reminderd/sync/writer.py). [] when it cannot be read."""
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
        try:
            return int(
                self._connection().execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
            )
        except (sqlite3.Error, StateError) as error:
            self._failed(error)
            return 0

    def prune(self, days: int, now: datetime) -> int:
        """Forget events older than ``days``; return how many."""
        cutoff = (now - timedelta(days=days)).timestamp()
        try:
            cursor = self._connection().execute("DELETE FROM events WHERE ts < ?", (cutoff,))
        except (sqlite3.Error, StateError) as error:
            self._failed(error)
            return 0
        return cursor.rowcount

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None


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
