"""Per-user folders: runtime (socket, lock), state (pause and snoozes), data (history).

platformdirs knows where each lives on Linux, macOS and Windows; this module adds the
owner-only permissions the control socket relies on, and a fallback when the runtime
folder is unusable (no XDG_RUNTIME_DIR in a container, a path too long for a socket).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from reminderd.errors import StateError

APP = "reminderd"
SOCKET_NAME = "control.sock"
_SOCKET_PATH_MAX = 100  # sun_path holds 108 bytes on Linux, 104 on macOS


@dataclass(frozen=True, slots=True)
class Paths:
    runtime: Path
    state: Path
    data: Path

    @property
    def socket(self) -> Path:
        return self.runtime / SOCKET_NAME

    @property
    def lock(self) -> Path:
        return self.runtime / "reminderd.lock"

    @property
    def state_file(self) -> Path:
        return self.state / "state.json"

    @property
    def log_file(self) -> Path:
        return self.state / "reminderd.log"

    @property
    def history(self) -> Path:
        return self.data / "history.sqlite3"


def private_dir(path: Path) -> Path:
    """Create ``path`` owner-only (0700), or check that an existing one is ours and private."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except OSError as error:
        msg = f"cannot create {path}: {error.strerror}"
        raise StateError(msg) from error
    if not stat.S_ISDIR(info.st_mode):
        msg = f"{path} is not a folder"
        raise StateError(msg)
    if hasattr(os, "getuid"):
        if info.st_uid != os.getuid():
            msg = f"{path} belongs to another user; remove it or set XDG_RUNTIME_DIR"
            raise StateError(msg)
        if info.st_mode & 0o077:
            path.chmod(0o700)
    return path


def runtime_dir() -> Path:
    """Where the socket and lock live: the user's runtime folder, owner-only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about fallbacks; we check ourselves
        try:
            candidate = platformdirs.user_runtime_path(APP, appauthor=False)
        except OSError:
            candidate = None
    uid = os.getuid() if hasattr(os, "getuid") else 0
    fallback = Path(tempfile.gettempdir()) / f"{APP}-{uid}"
    for path in (candidate, fallback):
        if path is None or len(str(path / SOCKET_NAME)) > _SOCKET_PATH_MAX:
            continue
        try:
            return private_dir(path)
        except StateError:
            continue
    return private_dir(fallback)


def user_paths() -> Paths:
    return Paths(
        runtime=runtime_dir(),
        state=platformdirs.user_state_path(APP, appauthor=False),
        data=platformdirs.user_data_path(APP, appauthor=False),
    )


def control_supported() -> bool:
    """The control socket needs Unix sockets with peer credentials; Windows has neither here."""
    return sys.platform != "win32" and hasattr(os, "getuid")
