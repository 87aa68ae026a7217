"""The other machines' files, read defensively.

A file in a synced folder may be half-synced (a sync engine that writes in place, a
network home), a sync engine's partial download or conflict copy, written by a machine
whose clock is far ahead, or simply garbage. Each such file is skipped with one log line
(one per file and reason, not one per look), and never stops anything: reading changes
nothing here, so no local row can be lost by it.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from reminderd.durations import format_duration
from reminderd.i18n.said import said_plural
from reminderd.sync import formats, layout
from reminderd.sync.merge import SKEW_LIMIT

log = logging.getLogger("reminderd")

MAX_NOTES = 1000  # (file, reason) pairs remembered as already logged


class Reader:
    """Reads the presence files of the other machines when they change, and the history
    of any machine."""

    def __init__(self, folder: Path, me: str) -> None:
        self.folder = folder
        self.me = me
        self._stamps: dict[str, tuple[int, int]] = {}  # name -> (mtime_ns, size) last read
        self._said: set[tuple[str, str]] = set()
        self.known: dict[str, formats.Presence] = {}  # the last usable presence of each machine

    def note(self, name: str, why: str, level: int = logging.WARNING) -> None:
        """Log that ``name`` is skipped and why: once, however often it is looked at."""
        if (name, why) in self._said:
            return
        if len(self._said) >= MAX_NOTES:
            self._said.clear()
        self._said.add((name, why))
        log.log(level, "sync: skipped %s in %s: %s", name, self.folder, why)

    def presences(
        self, now: datetime, names: Iterable[str] | None = None
    ) -> list[formats.Presence]:
        """The presence files of other machines that changed since they were last read:
        those among ``names`` (what the folder watch reported), or all (None)."""
        if names is None:
            try:
                names = sorted(os.listdir(self.folder))
            except OSError as error:
                self.note(".", f"cannot read the folder ({error.strerror})")
                return []
        found = []
        for name in names:
            entry = layout.classify(name)
            if entry.kind == "conflict":
                self.note(
                    name,
                    "a sync engine's conflict copy (two machines with one [sync] machine name?)",
                )
            elif entry.kind == "partial":
                self.note(name, "a partial download, still arriving", logging.INFO)
            elif entry.kind == "presence" and entry.machine != self.me:
                presence = self._presence(name, entry.machine, now)
                if presence is not None:
                    self.known[presence.machine] = presence
                    found.append(presence)
        return found

    def own(self) -> formats.Presence | None:
        """This machine's presence file as it last wrote it, if it can be read."""
        name = layout.presence_name(self.me)
        try:
            return formats.load_presence(
                self._read(self.folder / name, formats.MAX_PRESENCE), self.me
            )
        except FileNotFoundError:
            return None
        except (OSError, formats.FormatError) as error:
            self.note(name, f"{error}; this machine's presence starts anew")
            return None

    def _presence(self, name: str, machine: str, now: datetime) -> formats.Presence | None:
        path = self.folder / name
        try:
            info = os.lstat(path)
        except OSError:
            self._stamps.pop(name, None)
            return None  # gone meanwhile (a rename by the sync engine)
        stamp = (info.st_mtime_ns, info.st_size)
        if self._stamps.get(name) == stamp:
            return None
        self._stamps[name] = stamp
        try:
            presence = formats.load_presence(self._read(path, formats.MAX_PRESENCE), machine)
        except (OSError, formats.FormatError) as error:
            why = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            self.note(name, why)
            return None
        ahead = (presence.written - now).total_seconds()
        if ahead >= SKEW_LIMIT:
            self.note(
                name,
                f"written {format_duration(ahead)} ahead of this machine's clock"
                " (set the clocks right)",
            )
            return None
        if presence.dropped:
            self.note(name, f"{presence.dropped} unusable entries left out")
        self._said = {said for said in self._said if said[0] != name or presence.dropped}
        return presence

    @staticmethod
    def _read(path: Path, limit: int) -> bytes:
        """A regular file's bytes, at most ``limit``; a symbolic link or a FIFO is refused."""
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise OSError(errno.EINVAL, "not a regular file")
            if info.st_size > limit:
                raise OSError(errno.EFBIG, f"larger than {limit // 1024} KiB")
            return file.read(limit + 1)

    # -- history ---------------------------------------------------------------------------

    def history_files(self) -> list[tuple[str, str, Path]]:
        """(machine, month, path) of every history file, oldest month first."""
        try:
            names = os.listdir(self.folder)
        except OSError as error:
            self.note(".", f"cannot read the folder ({error.strerror})")
            return []
        found = []
        for name in names:
            entry = layout.classify(name)
            if entry.kind == "history":
                found.append((entry.machine, entry.month, self.folder / name))
            elif entry.kind == "conflict":
                self.note(name, "a sync engine's conflict copy")
        return sorted(found, key=lambda item: (item[1], item[0]))

    def history(self, path: Path, now: datetime) -> Iterator[formats.Row]:
        """The rows of one history file; damaged lines, a last line cut short and rows from
        the future are skipped, and counted in one log line for the file."""
        name = path.name
        try:
            raw = self._read(path, formats.MAX_HISTORY)
        except OSError as error:
            self.note(name, error.strerror or str(error))
            return
        horizon = (now + timedelta(seconds=SKEW_LIMIT)).timestamp()
        lines = raw.split(b"\n")
        cut = lines.pop() != b""  # the last line had no end: still arriving
        rows, damaged = formats.load_rows([line for line in lines if line.strip()])
        future = 0
        for row in rows:
            if row[1] >= horizon:
                future += 1
                continue
            yield row
        said = []
        if cut:
            said.append("its last line is cut short (still arriving?)")
        if damaged:
            said.append(said_plural(damaged, "{count} damaged line", "{count} damaged lines"))
        if future:
            said.append(
                said_plural(
                    future,
                    "{count} event an hour or more ahead of this machine's clock",
                    "{count} events an hour or more ahead of this machine's clock",
                )
            )
        if said:
            self.note(name, ", ".join(said) + ": skipped; the rest is read")
