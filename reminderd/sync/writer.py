"""This machine's files in the sync folder, and nobody else's.

One writer per file: a sync engine never sees two machines change one file, so it never
has a conflict to resolve. Every write is atomic: a temporary file in the folder, fsync,
rename over the old one, fsync of the folder; a sync engine (or a crash) sees the old
version or the new one, never half of one.

The history in the folder is an export of the local history (reminderd/history.py), which
stays the record of this machine: each export appends the rows recorded since the last
one, found by the id of the last line already in the folder. So nothing is lost while the
folder cannot be written (a network home away, a full disk): the next export catches up,
and a folder emptied by mistake is filled again from the local history at the next start.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from reminderd.errors import StateError
from reminderd.history import History
from reminderd.i18n.said import message, said
from reminderd.state import write_atomic
from reminderd.sync import formats, layout

log = logging.getLogger("reminderd")

CHUNK = 64 * 1024  # bytes copied at a time: no month's file is held in memory whole
MARGIN = timedelta(seconds=60)  # "running ... until" is the routine's length and this much


class Writer:
    """Writes this machine's presence file and exports its history, month by month."""

    def __init__(self, folder: Path, machine: str, history: History) -> None:
        self.folder = folder
        self.machine = machine
        self.history = history
        self.presence: formats.Presence | None = None
        self.error: str | None = None  # the last write error, until a write works again
        self._mark = 0  # the id of the last row exported
        self._mark_ts = 0.0

    @property
    def presence_path(self) -> Path:
        return self.folder / layout.presence_name(self.machine)

    # -- presence --------------------------------------------------------------------------

    def start(self, now: datetime, previous: formats.Presence | None) -> None:
        """Carry on from this machine's last presence file (its done routines and shared
        pause stay known to the others), write it anew, and export the history since."""
        if previous is None:
            previous = formats.Presence(self.machine, now)
        self.presence = previous._replace(written=now, running=None, dropped=0)
        self.write_presence(now)
        self._find_mark()
        self.export()

    def change(self, now: datetime, **fields: Any) -> None:
        """Change some fields of the presence file and write it, if they did change."""
        assert self.presence is not None
        changed = self.presence._replace(**fields)
        if changed != self.presence:
            self.presence = changed
            self.write_presence(now)

    def write_presence(self, now: datetime) -> bool:
        assert self.presence is not None
        self.presence = self.presence._replace(written=now)
        text = formats.dump_presence(self.presence)
        return self._write(self.presence_path, partial(write_atomic, self.presence_path, text))

    def _write(self, path: Path, action: Callable[[], None]) -> bool:
        """Run a write; log a failure once (per distinct error) and go on."""
        try:
            action()
        except (StateError, OSError) as error:
            text = (
                message(error)
                if isinstance(error, StateError)
                else said("cannot write {path}: {error}", path=str(path), error=str(error))
            )
            if text != self.error:
                log.warning("sync: %s; reminders go on, and it is tried again", text)
            self.error = text
            return False
        if self.error:
            log.info("sync: the folder %s can be written again", self.folder)
            self.error = None
        return True

    # -- history ---------------------------------------------------------------------------

    def _own_segments(self) -> list[tuple[str, Path]]:
        """This machine's history files in the folder, oldest month first."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return []
        found = []
        for name in names:
            entry = layout.classify(name)
            if entry.kind == "history" and entry.machine == self.machine:
                found.append((entry.month, self.folder / name))
        return sorted(found)

    def _find_mark(self) -> None:
        """The last row already in the folder: the newest month's last whole line."""
        for _month, path in reversed(self._own_segments()):
            last = _last_line(path)
            if last is None:
                continue
            try:
                row = formats.load_row(last)
            except formats.FormatError:
                continue
            self._mark, self._mark_ts = row[0], row[1]
            break
        if self._mark > self.history.last_id():
            # The local history was started anew (its ids count from 1 again): go by time.
            log.info("sync: the local history is newer than the folder's; exporting by time")
            self._mark = -1

    def export(self) -> int:
        """Append the rows recorded since the last export to their month's file; return how
        many were written."""
        written = 0
        while True:
            if self._mark < 0:
                rows = self.history.exported(0, since=self._mark_ts)
            else:
                rows = self.history.exported(self._mark)
            if not rows:
                return written
            by_month: dict[str, list[tuple[Any, ...]]] = {}
            for row in rows:
                by_month.setdefault(str(row[2])[:7], []).append(row)
            for month, chunk in sorted(by_month.items()):
                path = self.folder / layout.history_name(self.machine, month)
                lines = "".join(formats.dump_row(row) for row in chunk)
                if not self._write(path, partial(_append_atomic, path, lines)):
                    return written
                written += len(chunk)
            self._mark, self._mark_ts = int(rows[-1][0]), float(rows[-1][1])

    def prune(self, days: int, now: datetime) -> None:
        """Remove this machine's months that lie wholly before the history's horizon."""
        horizon = (now - timedelta(days=days)).strftime("%Y-%m")
        for month, path in self._own_segments():
            if month < horizon:
                with contextlib.suppress(OSError):
                    path.unlink()
                    log.info("sync: removed %s (older than %d days)", path.name, days)


def _last_line(path: Path) -> bytes | None:
    """The last whole line of a file (None if it has none), read from its end."""
    try:
        with path.open("rb") as file:
            size = file.seek(0, os.SEEK_END)
            start = max(0, size - formats.MAX_LINE * 2)
            file.seek(start)
            tail = file.read()
    except OSError:
        return None
    lines = tail.split(b"\n")
    whole = lines[:-1] if tail.endswith(b"\n") or len(lines) > 1 else []
    for line in reversed(whole[1:] if start > 0 else whole):  # a first line may be cut
        if line.strip():
            return line
    return None


def _append_atomic(path: Path, text: str) -> None:
    """``path`` with ``text`` added at its end, replaced in one step: a copy of the old file
    plus the new lines, fsync, rename."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as out:
            ends_clean = True
            with contextlib.suppress(FileNotFoundError), path.open("rb") as old:
                last = b""
                while chunk := old.read(CHUNK):
                    out.write(chunk)
                    last = chunk
                ends_clean = not last or last.endswith(b"\n")
            if not ends_clean:
                out.write(b"\n")  # a line cut short by someone else stays apart from ours
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError, AttributeError):
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
