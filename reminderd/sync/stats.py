"""`stats` and `history` over every machine.

This machine's own history (the local SQLite file, the record of this machine) and the
other machines' histories from the sync folder go into one in-memory SQLite database,
with a machine column. A view named ``events`` shows all of them, or one machine's, so
that the queries of one machine's history (reminderd/figures.py: days and streak;
reminderd/history.py: latest events) run unchanged: a day counts once in the streak
whichever machine had it.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

from reminderd import figures
from reminderd.i18n.said import said
from reminderd.model import SyncSettings
from reminderd.sync.layout import MACHINE
from reminderd.sync.reader import Reader

_TABLE = """CREATE TABLE all_events (
    id INTEGER, ts REAL, day TEXT, kind TEXT, routine TEXT, reason TEXT, seconds REAL,
    data TEXT, outcome TEXT, machine TEXT)"""


def gather(
    local: Path, settings: SyncSettings, machine: str | None, now: datetime
) -> sqlite3.Connection:
    """Every machine's history in one database; its ``events`` view shows ``machine``'s
    rows (None: all). LookupError for a machine that has no history."""
    db = sqlite3.connect("file::memory:", uri=True)  # uri: to attach the local file read-only
    db.execute(_TABLE)
    me = settings.machine
    if local.exists():
        db.execute("ATTACH DATABASE ? AS local", (f"file:{local}?mode=ro",))
        db.execute(
            "INSERT INTO all_events SELECT id, ts, day, kind, routine, reason, seconds, data,"
            " outcome, ? FROM local.events",
            (me,),
        )
        db.commit()
        db.execute("DETACH DATABASE local")
    reader = Reader(settings.folder, me)
    for owner, _month, path in reader.history_files():
        if owner == me:
            continue  # this machine's rows come from its own history, which has them all
        db.executemany(
            "INSERT INTO all_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row, owner) for row in reader.history(path, now)],
        )
    db.execute("CREATE INDEX all_events_day ON all_events (day, kind, machine)")
    if machine is not None and machine not in machines(db):
        known = ", ".join(machines(db)) or said("none yet")
        db.close()
        msg = said(
            'no history of a machine "{machine}" (machines: {known})', machine=machine, known=known
        )
        raise LookupError(msg)
    scope(db, machine)
    return db


def machines(db: sqlite3.Connection) -> list[str]:
    """The machines in a gathered database ([] for one machine's own history file)."""
    try:
        rows = db.execute("SELECT DISTINCT machine FROM all_events ORDER BY machine").fetchall()
    except sqlite3.OperationalError:
        return []
    return [row[0] for row in rows]


def scope(db: sqlite3.Connection, machine: str | None) -> None:
    """Point the ``events`` view at one machine's rows (None: every machine's)."""
    db.execute("DROP VIEW IF EXISTS events")
    if machine is None:
        db.execute("CREATE TEMP VIEW events AS SELECT * FROM all_events")
        return
    if not MACHINE.fullmatch(machine):  # also what makes it safe to write into the view
        msg = said('"{machine}" is not a machine name', machine=machine)
        raise LookupError(msg)
    # A view takes no parameters; the name was checked against MACHINE just above.
    view = f"CREATE TEMP VIEW events AS SELECT * FROM all_events WHERE machine = '{machine}'"  # noqa: S608
    db.execute(view)


def by_machine(
    db: sqlite3.Connection, first: date, last: date
) -> dict[str, tuple[list[figures.DayStats], int]]:
    """Each machine's days and streak, side by side with the merged ones."""
    found = {}
    for machine in machines(db):
        scope(db, machine)
        found[machine] = (figures.daily(db, first, last), figures.streak(db, last))
    scope(db, None)
    return found
