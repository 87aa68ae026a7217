"""The two kinds of file in the sync folder, written and read with bounds.

**The presence file** (``NAME.presence.json``), rewritten whole and atomically whenever it
changes: what this machine did last and is doing now.

    {"reminderd": 1, "machine": "laptop", "written": "2026-11-23T10:05:12+00:00",
     "active": "2026-11-23T10:05:09+00:00",
     "done": {"neck": "2026-11-23T10:05:09+00:00"},
     "running": {"routine": "posture", "since": "...", "until": "..."},
     "pause": {"at": "2026-11-23T10:06:00+00:00", "until": "2026-11-23T11:06:00+00:00"}}

``done`` holds each routine's last end (completed, worked through or played); ``running``
the routine being guided, with the time by which it will surely be over; ``pause`` the
last shared pause or resume (``until``: a time, ``"forever"``, or null for a resume).

**The history** (``NAME.history.YYYY-MM.jsonl``): one event a line, the columns of the
local history (reminderd/history.py), steps left out. A file only ever grows (each new
version is the old one plus lines), so a sync engine moves only its end, and a reader
that finds a line cut short knows that the rest is still on its way.

Why JSON lines and not a SQLite file per machine: a sync engine copies a file while it
is written and carries files one at a time. A SQLite database lives in up to three files
(the database, its WAL and its shared memory) that are only consistent together, changes
pages in place anywhere in the file, and a copy taken mid-write or a WAL carried without
its database is a corrupt database that cannot be opened at all. A line-per-event text
file that only grows has none of that: a copy cut short loses its last line, which the
reader skips, and every line before it stands on its own.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple

from reminderd.history import OUTCOMES
from reminderd.model import EVENT_NAMES

FORMAT = 1  # the "reminderd" field; a reader skips files of a format it does not know
MAX_PRESENCE = 64 * 1024  # bytes: a presence file holds a few hundred
MAX_DONE = 200  # routines in one presence file
MAX_LINE = 4096  # bytes in one history line
MAX_HISTORY = 16 * 1024 * 1024  # bytes in one month's history file (a busy month is 0.5 MB)
MAX_ROUTINE = timedelta(hours=2)  # "running" longer than this is not believed
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")  # a routine's name, as the config allows
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class FormatError(ValueError):
    """A file, or a line of one, that is not what reminderd writes."""


class Running(NamedTuple):
    """A routine being guided on a machine, and by when it will surely be over."""

    routine: str
    since: datetime
    until: datetime


class Statement(NamedTuple):
    """``pause --everywhere`` (until a time, or forever) or the resume that ends it."""

    at: datetime  # when it was said
    until: datetime | None  # None: resumed, or paused forever (see ``forever``)
    forever: bool = False

    @property
    def resumed(self) -> bool:
        return self.until is None and not self.forever


class Presence(NamedTuple):
    """One machine's presence file."""

    machine: str
    written: datetime
    active: datetime | None = None
    done: Mapping[str, datetime] = MappingProxyType({})
    running: Running | None = None
    pause: Statement | None = None
    dropped: int = 0  # entries read but not usable (bad names, times)


def _time(value: object) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise FormatError(f"not a time: {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FormatError(f"not a time: {value!r}") from None
    if moment.tzinfo is None:
        raise FormatError(f"a time without its UTC offset: {value!r}")
    return moment


def _iso(moment: datetime) -> str:
    # Milliseconds: a pause and the resume that ends it may come within one second.
    return moment.isoformat(timespec="milliseconds")


def dump_presence(presence: Presence) -> str:
    data: dict[str, Any] = {
        "reminderd": FORMAT,
        "machine": presence.machine,
        "written": _iso(presence.written),
        "active": _iso(presence.active) if presence.active else None,
        "done": {name: _iso(at) for name, at in sorted(presence.done.items())},
        "running": None,
        "pause": None,
    }
    if presence.running:
        running = presence.running
        data["running"] = {
            "routine": running.routine,
            "since": _iso(running.since),
            "until": _iso(running.until),
        }
    if presence.pause:
        pause = presence.pause
        until = "forever" if pause.forever else _iso(pause.until) if pause.until else None
        data["pause"] = {"at": _iso(pause.at), "until": until}
    return json.dumps(data, indent=1) + "\n"


def load_presence(raw: bytes, machine: str) -> Presence:
    """A presence file's contents; FormatError when the file as a whole is unusable. Single
    entries that are not usable are left out and counted in ``dropped``."""
    if not raw.strip():
        raise FormatError("empty (still arriving?)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise FormatError(f"not JSON ({error})") from None
    if not isinstance(data, dict):
        raise FormatError("not a JSON object")
    if data.get("reminderd") != FORMAT:
        raise FormatError(f"format {data.get('reminderd')!r}, not {FORMAT}: a newer reminderd?")
    if data.get("machine") != machine:
        raise FormatError(f"it names the machine {data.get('machine')!r}")
    written = _time(data.get("written"))
    dropped = 0
    done: dict[str, datetime] = {}
    entries = data.get("done")
    if not isinstance(entries, dict):
        raise FormatError('"done" is not an object')
    for name, value in list(entries.items())[:MAX_DONE]:
        try:
            if not _NAME.fullmatch(name):
                raise FormatError(name)
            done[name] = _time(value)
        except FormatError:
            dropped += 1
    dropped += max(0, len(entries) - MAX_DONE)
    active = running = pause = None
    try:
        active = _time(data["active"]) if data.get("active") is not None else None
    except FormatError:
        dropped += 1
    try:
        running = _running(data.get("running"))
    except FormatError:
        dropped += 1
    try:
        pause = _statement(data.get("pause"))
    except FormatError:
        dropped += 1
    return Presence(machine, written, active, done, running, pause, dropped)


def _running(value: object) -> Running | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FormatError("running")
    routine = value.get("routine")
    if not isinstance(routine, str) or not _NAME.fullmatch(routine):
        raise FormatError("running")
    since, until = _time(value.get("since")), _time(value.get("until"))
    if not since <= until <= since + MAX_ROUTINE:
        raise FormatError("running")
    return Running(routine, since, until)


def _statement(value: object) -> Statement | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FormatError("pause")
    at = _time(value.get("at"))
    until = value.get("until")
    if until is None:
        return Statement(at, None)
    if until == "forever":
        return Statement(at, None, forever=True)
    return Statement(at, _time(until))


# -- history lines ---------------------------------------------------------------------------

# The columns of the local history's events table, in its order (reminderd/history.py).
COLUMNS = ("id", "ts", "day", "kind", "routine", "reason", "seconds", "data", "outcome")
Row = tuple[int, float, str, str, "str | None", "str | None", "float | None", str, "str | None"]
_KINDS = frozenset(EVENT_NAMES)


def dump_row(row: tuple[Any, ...]) -> str:
    """One history row (the columns above) as one line; ``data`` stays JSON text, as in the
    local history, so that reading a year of lines back costs one parse each."""
    record = dict(zip(COLUMNS, row, strict=True))
    record["data"] = str(record["data"] or "{}")
    return json.dumps(record, separators=(",", ":"), default=str) + "\n"


def load_rows(lines: list[bytes]) -> tuple[list[Row], int]:
    """Many history lines at once (one parse for all of them, which is what makes a year
    of another machine's history quick to read), and how many were damaged: a line that
    does not parse is found by reading the lines one by one."""
    try:
        records = json.loads(b"[" + b",".join(lines) + b"]")
    except (ValueError, RecursionError):
        records = None
    rows: list[Row] = []
    damaged = 0
    days: set[str] = set()
    for index, line in enumerate(lines):
        try:
            if records is None or len(line) > MAX_LINE:
                rows.append(load_row(line))
            else:
                rows.append(_row(records[index], days))
        except FormatError:
            damaged += 1
    return rows, damaged


def load_row(line: bytes) -> Row:
    """A history line back as a row; FormatError when it is not one reminderd writes."""
    if len(line) > MAX_LINE:
        raise FormatError("line too long")
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        raise FormatError("not JSON") from None
    return _row(record)


def _row(record: object, days: set[str] | None = None) -> Row:
    """One record checked field by field. ``days``: the day texts already found good (a
    year of lines has a few hundred of them), so that each is matched once."""
    if type(record) is not dict:
        raise FormatError("not a JSON object")
    get = record.get
    ident, ts, day, kind = get("id"), get("ts"), get("day"), get("kind")
    routine, reason = get("routine"), get("reason")
    seconds, outcome, data = get("seconds"), get("outcome"), get("data", "{}")
    # ``type(...) is`` rather than isinstance: JSON makes exact ints, floats and strings,
    # and a bool (an int) is refused with it.
    if not (type(ident) is int and ident > 0):
        raise FormatError("id")
    if not ((type(ts) is float or type(ts) is int) and math.isfinite(ts)):
        raise FormatError("ts")
    if kind not in _KINDS or type(day) is not str:
        raise FormatError("day or kind")
    if days is None or day not in days:
        if not _DAY.fullmatch(day):
            raise FormatError("day or kind")
        if days is not None:
            days.add(day)
    if routine is not None and not (type(routine) is str and len(routine) <= 80):
        raise FormatError("routine")
    if reason is not None and not (type(reason) is str and len(reason) <= 40):
        raise FormatError("reason")
    if seconds is not None and not (
        (type(seconds) is float or type(seconds) is int)
        and math.isfinite(seconds)
        and 0 <= seconds <= 86400
    ):
        raise FormatError("seconds")
    if outcome is not None and outcome not in OUTCOMES:
        raise FormatError("outcome")
    if not (type(data) is str and data.startswith("{") and len(data) <= MAX_LINE):
        raise FormatError("data")
    return (ident, float(ts), day, str(kind), routine, reason, seconds, data, outcome)
