"""One daemon per user: an advisory lock on a file in the runtime folder.

The kernel releases the lock when the process ends, however it ends (kill -9 included),
so a lock left by a dead daemon is never stale, and "is the daemon gone?" is answered
by trying to take the lock.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from reminderd.errors import AlreadyRunningError, StateError
from reminderd.i18n.said import said

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class PidLock:
    """Holds the lock for the life of the daemon and records its pid in the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> None:
        if fcntl is None:
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            msg = said(
                "cannot open {path}: {error}", path=str(self.path), error=str(error.strerror)
            )
            raise StateError(msg) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = read_pid(self.path)
            os.close(fd)
            msg = (
                said(
                    "reminderd is already running (pid {pid}); stop it with `reminderd stop`",
                    pid=pid,
                )
                if pid
                else said("reminderd is already running; stop it with `reminderd stop`")
            )
            raise AlreadyRunningError(msg) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, 0)
            os.close(self.fd)
            self.fd = None


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip() or 0) or None
    except (OSError, ValueError):
        return None


def is_locked(path: Path) -> bool:
    """True while a live process holds the lock."""
    if fcntl is None or not path.exists():
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
