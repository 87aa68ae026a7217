"""Every reminder's fate, in a SQLite file: fired, started, each step, completed, snoozed,
skipped, ignored, and why.

WAL mode and one commit per event: a crash or ``kill -9`` loses nothing already recorded,
and ``reminderd stats`` can read while the daemon writes. The schema carries a version
(``PRAGMA user_version``) and is migrated forward at open.

Another program may hold the file (a database browser, a backup), or damage it. The daemon
never waits on it for longer than BUSY_TIMEOUT: a row that cannot be written waits in
memory, in order, and is written at the next retry (1 s, then twice as long each time, at
most a minute); the daemon's loop learns when from ``next_retry``. A file removed, replaced
or cut short under the daemon, or one SQLite finds damaged, is said once and opened again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from reminderd.errors import StateError
from reminderd.model import EVENT_NAMES, Event

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

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = connect(self.path, timeout=BUSY_TIMEOUT)
            self._opened = _identity(self.path)
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
        """Write what waits (one last try), then close; what still cannot be written is
        said."""
        if self._queue:
            self._flush()
            if self._queue:
                log.error("history: %d events could not be recorded", len(self._queue))
        self._close()

    def _close(self) -> None:
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


@dataclass(frozen=True, slots=True)
class DayStats:
    day: date
    reminders: int
    completed: int  # played to the end with no input during the holds
    skipped: int
    snoozed: int
    minutes: float
    worked_through: int = 0  # played to the end, with input during the holds
    played: int = 0  # played to the end, unknown whether anyone exercised
    ignored: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "reminders": self.reminders,
            "completed": self.completed,
            "skipped": self.skipped,
            "snoozed": self.snoozed,
            "minutes": round(self.minutes, 1),
            "worked_through": self.worked_through,
            "played": self.played,
            "ignored": self.ignored,
        }


CSV_COLUMNS = (
    "date",
    "reminders",
    "completed",
    "skipped",
    "snoozed",
    "minutes",
    "worked_through",
    "played",
    "ignored",
)


def daily(db: sqlite3.Connection, first: date, last: date) -> list[DayStats]:
    """One row per day from ``first`` to ``last``, days without events included."""
    counts: dict[str, dict[str, float]] = {}
    query = """
        SELECT day, CASE kind WHEN 'routine.completed' THEN COALESCE(outcome, 'played')
            ELSE kind END AS what, COUNT(*), COALESCE(SUM(seconds), 0) FROM events
        WHERE day BETWEEN ? AND ? AND kind IN ('routine.fired', 'routine.completed',
            'routine.skipped', 'routine.snoozed', 'routine.ignored')
        GROUP BY day, what"""
    for day, what, count, seconds in db.execute(query, (first.isoformat(), last.isoformat())):
        entry = counts.setdefault(day, {})
        entry[what] = count
        if what in OUTCOMES:  # minutes guided, whatever the outcome
            entry["seconds"] = entry.get("seconds", 0.0) + seconds
    result = []
    day = first
    while day <= last:
        entry = counts.get(day.isoformat(), {})
        result.append(
            DayStats(
                day,
                int(entry.get("routine.fired", 0)),
                int(entry.get("completed", 0)),
                int(entry.get("routine.skipped", 0)),
                int(entry.get("routine.snoozed", 0)),
                entry.get("seconds", 0.0) / 60,
                worked_through=int(entry.get("worked-through", 0)),
                played=int(entry.get("played", 0)),
                ignored=int(entry.get("routine.ignored", 0)),
            )
        )
        day += timedelta(days=1)
    return result


def streak(db: sqlite3.Connection, today: date) -> int:
    """Consecutive days with at least one completed routine (not one worked through or
    played to nobody knows whom), up to today. Days on which no
    reminder fired (a weekend, a holiday) neither count nor break it; today counts once it
    has a completed routine, and does not break it before the day is over."""
    rows = db.execute(
        """
        SELECT day, SUM(kind = 'routine.fired'),
            SUM(kind = 'routine.completed' AND outcome = 'completed') FROM events
        WHERE kind IN ('routine.fired', 'routine.completed') AND day <= ?
        GROUP BY day ORDER BY day DESC""",
        (today.isoformat(),),
    ).fetchall()
    count = 0
    for day, fired, completed in rows:
        if completed:
            count += 1
        elif fired and day != today.isoformat():
            break
    return count


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


# -- advice and the calendar picture ---------------------------------------------------------


def advice(db: sqlite3.Connection, first: date, last: date, zone: tzinfo) -> str:
    """One line of advice from the days ``first`` to ``last``: the routine and hour most
    often skipped, snoozed or ignored, or holds worked through, or that all is well. Advice
    only: the schedule is never changed."""
    fired: dict[tuple[str, int], int] = {}
    missed: dict[tuple[str, int], int] = {}
    outcomes: dict[str, int] = {}
    rows = db.execute(
        """SELECT ts, kind, routine, outcome FROM events WHERE day BETWEEN ? AND ? AND kind IN
        ('routine.fired', 'routine.skipped', 'routine.snoozed', 'routine.ignored',
         'routine.completed')""",
        (first.isoformat(), last.isoformat()),
    )
    for ts, kind, routine, outcome in rows:
        slot = (routine or "", datetime.fromtimestamp(ts, zone).hour)
        if kind == "routine.fired":
            fired[slot] = fired.get(slot, 0) + 1
        elif kind == "routine.completed":
            outcomes[outcome or "played"] = outcomes.get(outcome or "played", 0) + 1
        elif not (kind == "routine.skipped" and outcome == "natural-break"):
            missed[slot] = missed.get(slot, 0) + 1
    worst = max(
        ((missed.get(slot, 0) / count, count, slot) for slot, count in fired.items() if count >= 3),
        default=None,
    )
    if worst and worst[0] >= 0.5:
        ratio, count, (routine, hour) = worst
        earlier = f"{(hour - 1) % 24:02d}:30"
        times = min(count, round(ratio * count))
        return (
            f"Advice: {routine} is put off {times} times out of {count} at "
            f'{hour:02d}:00-{(hour + 1) % 24:02d}:00; try at = ["{earlier}"] for it.'
        )
    done = sum(outcomes.values())
    through = outcomes.get("worked-through", 0)
    if done and through * 3 >= done:
        return (
            f"Advice: {through} of {done} routines were worked through; take your hands off"
            " the keyboard and mouse during the holds."
        )
    if done and outcomes.get("played", 0) * 2 >= done:
        return (
            "Advice: most routines ended with no idle source to tell whether you did them;"
            " see `reminderd status` for why."
        )
    if not fired:
        return "Advice: no reminders in these days; is the daemon running (`reminderd status`)?"
    return "Advice: nothing to change; keep it up."


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SHADES = ("#ebedf0", "#c6e48b", "#7bc96f", "#239a3b", "#196127")


def calendar_svg(rows: list[DayStats], title: str = "Completed routines") -> str:
    """A calendar of ``rows`` (consecutive days), one square a day in a column per week
    (Monday on top), shaded by routines completed that day."""
    cell, gap, left, top = 14, 3, 34, 34
    most = max((row.completed for row in rows), default=0)
    first = rows[0].day - timedelta(days=rows[0].day.weekday()) if rows else date.today()
    weeks = ((rows[-1].day - first).days // 7 + 1) if rows else 1
    width = left + weeks * (cell + gap) + 10
    height = top + 7 * (cell + gap) + 34
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="14" font-size="12" fill="#24292e">{_escape(title)}</text>',
    ]
    for index, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")):
        y = top + index * (cell + gap) + cell - 3
        out.append(f'<text x="4" y="{y}" fill="#586069">{name}</text>')
    month = None
    for row in rows:
        week = (row.day - first).days // 7
        x = left + week * (cell + gap)
        starts = row.day.weekday() == 0 or row is rows[0]
        if starts and row.day.month != month and (row is not rows[0] or row.day.day <= 21):
            month = row.day.month
            out.append(f'<text x="{x}" y="{top - 6}" fill="#586069">{row.day:%b}</text>')
        level = 0 if not row.completed else 1 + min(3, (row.completed - 1) * 4 // max(most, 1))
        y = top + row.day.weekday() * (cell + gap)
        out.append(
            f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2"'
            f' fill="{SHADES[level]}"><title>{row.day.isoformat()}: {row.completed} completed,'
            f" {row.worked_through} worked through, {row.skipped} skipped</title></rect>"
        )
    y = top + 7 * (cell + gap) + 12
    x = width - 10 - len(SHADES) * (cell + gap) - 60
    out.append(f'<text x="{x}" y="{y + 10}" fill="#586069">Fewer</text>')
    for level, shade in enumerate(SHADES):
        lx = x + 32 + level * (cell + gap)
        out.append(f'<rect x="{lx}" y="{y}" width="{cell}" height="{cell}" rx="2" fill="{shade}"/>')
    lx = x + 36 + len(SHADES) * (cell + gap)
    out.append(f'<text x="{lx}" y="{y + 10}" fill="#586069">More</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
