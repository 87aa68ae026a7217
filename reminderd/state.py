"""What must survive a restart (a pause, snoozes, skips), in one small JSON file.

Writes are atomic: a temporary file in the same folder, fsync, rename, fsync of the folder.
A crash leaves the old file or the new one, never half of one. A file that cannot be read
is set aside with a warning and reminderd starts fresh; it never stops the daemon.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import stat
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reminderd.errors import StateError
from reminderd.i18n.said import message, said

log = logging.getLogger("reminderd")

VERSION = 1
MAX_STATE = 1024 * 1024  # bytes: the state is a few hundred; anything bigger is not ours


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step; raise StateError if that is impossible."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        msg = said("cannot write {path}: {error}", path=str(path), error=str(error.strerror))
        raise StateError(msg) from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        msg = said("cannot write {path}: {error}", path=str(path), error=str(error.strerror))
        raise StateError(msg) from error
    if hasattr(os, "O_DIRECTORY"):
        with contextlib.suppress(OSError):
            folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)


class StateStore:
    """Load and save the daemon's persistent state."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.last_error: str | None = None

    def load(self) -> dict[str, Any]:
        """The saved state, or {} if there is none or it is unreadable (then set aside)."""
        self._remove_leftovers()
        try:
            raw = self._read()
        except FileNotFoundError:
            return {}
        except OSError as error:
            log.warning(
                "cannot read %s (%s); starting with no saved state", self.path, error.strerror
            )
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError("not a reminderd state file of this version")
        except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
            aside = self.path.with_name(
                f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
            )
            with contextlib.suppress(OSError):
                self.path.rename(aside)
            log.warning(
                "%s is unreadable (%s); set aside as %s, starting fresh",
                self.path,
                error,
                aside.name,
            )
            return {}
        return data

    def keep_aside(self, why: str) -> str | None:
        """Copy the file as it is to ``state.json.<why>-<time>`` beside it (before it is
        written again without what could not be used); the copy's name, None if the copy
        failed (said in the log)."""
        aside = self.path.with_name(f"{self.path.name}.{why}-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            write_atomic(aside, self._read().decode("utf-8", errors="replace"))
        except (OSError, StateError) as error:
            log.warning("could not keep %s aside as %s: %s", self.path, aside.name, error)
            return None
        return aside.name

    def _read(self) -> bytes:
        """The file's bytes, at most MAX_STATE of them; a symlink or a non-file is refused."""
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.EINVAL, "not a regular file")
            return file.read(MAX_STATE + 1)

    def _remove_leftovers(self) -> None:
        """Temporary files of a write that a crash (kill -9) interrupted."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()
                log.info("removed %s, left by an interrupted write", leftover.name)

    def save(self, state: Mapping[str, object]) -> bool:
        """Write ``state``; on failure log it (once per distinct error) and return False."""
        try:
            write_atomic(self.path, json.dumps({"version": VERSION, **state}, indent=2) + "\n")
        except StateError as error:
            if str(error) != self.last_error:
                log.error("%s; the pause, snoozes and skips will not survive a restart", error)
            self.last_error = message(error)
            return False
        self.last_error = None
        return True
