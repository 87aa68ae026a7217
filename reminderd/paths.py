"""Per-user folders: runtime (socket, lock), state (pause and snoozes), data (history).

On Linux and the BSDs they follow the XDG base directory rules; on macOS and Windows
platformdirs knows where each lives. This module adds the owner-only permissions the
control socket relies on, and a fallback when the runtime folder is unusable (no
XDG_RUNTIME_DIR in a container, a path too long for a socket).
"""

from __future__ import annotations

import os
import stat
import sys

from reminderd.errors import StateError
from reminderd.i18n.said import said

# pathlib and typing are imported only where needed: `reminderd status` uses this module
# to find the socket, and status bars run it every few seconds.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path
    from typing import TextIO

APP = "reminderd"
SOCKET_NAME = "control.sock"
_SOCKET_PATH_MAX = 100  # sun_path holds 108 bytes on Linux, 104 on macOS


class Paths:
    """The folders one daemon uses, and the files in them."""

    __slots__ = ("data", "runtime", "state")

    def __init__(self, runtime: Path, state: Path, data: Path) -> None:
        self.runtime = runtime
        self.state = state
        self.data = data

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


def private_dir(path: str) -> str:
    """Create ``path`` owner-only (0700), or check that an existing one is ours and private."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError as error:
        msg = said("cannot create {path}: {error}", path=str(path), error=str(error.strerror))
        raise StateError(msg) from error
    if not stat.S_ISDIR(info.st_mode):
        msg = said("{path} is not a folder", path=str(path))
        raise StateError(msg)
    if hasattr(os, "getuid"):
        if info.st_uid != os.getuid():
            msg = said(
                "{path} belongs to another user; remove it or set XDG_RUNTIME_DIR", path=str(path)
            )
            raise StateError(msg)
        if info.st_mode & 0o077:
            os.chmod(path, 0o700)
    return path


def private_log(path: str) -> TextIO:
    """Open ``path`` for appending, readable by its owner only (the log tells when someone
    is at their desk), and never through a symbolic link planted in its place."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as error:
        msg = said(
            "cannot open the log {path}: {error} (a symbolic link is refused)",
            path=str(path),
            error=str(error.strerror),
        )
        raise StateError(msg) from error
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8", buffering=1)


def _runtime_candidates() -> list[str]:
    """Where the runtime folder may be, best first.

    On Linux and the BSDs this follows the XDG rules directly ($XDG_RUNTIME_DIR, else
    /run/user/<uid>) instead of asking platformdirs, whose import costs more than the rest
    of `reminderd status` together, and whose fallbacks differ between its versions.
    """
    uid = os.getuid() if hasattr(os, "getuid") else 0
    if _xdg_platform():
        runtime = os.environ.get("XDG_RUNTIME_DIR", "")
        base = runtime if runtime.startswith("/") else f"/run/user/{uid}"
        return [os.path.join(base, APP)] if os.path.isdir(base) else []
    import warnings  # noqa: PLC0415

    import platformdirs  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about its fallbacks
        try:
            return [platformdirs.user_runtime_dir(APP, appauthor=False)]
        except OSError:
            return []


def runtime_folder() -> str:
    """Where the socket and lock live: the user's runtime folder, owner-only, or a private
    folder in the temporary directory when there is none (or its path is too long)."""
    for path in _runtime_candidates():
        if len(os.path.join(path, SOCKET_NAME)) > _SOCKET_PATH_MAX:
            continue
        try:
            return private_dir(path)
        except StateError:
            continue
    import logging  # noqa: PLC0415 - only for the fallback
    import tempfile  # noqa: PLC0415

    uid = os.getuid() if hasattr(os, "getuid") else 0
    fallback = os.path.join(tempfile.gettempdir(), f"{APP}-{uid}")
    # The daemon logs it (at info, which it shows); a command line run need not repeat it.
    logging.getLogger(APP).info(
        "no usable runtime folder (XDG_RUNTIME_DIR is unset, not a folder, or its path is too "
        "long for a socket); using %s",
        fallback,
    )
    return private_dir(fallback)


def socket_path() -> str:
    return os.path.join(runtime_folder(), SOCKET_NAME)


def runtime_dir() -> Path:
    from pathlib import Path  # noqa: PLC0415

    return Path(runtime_folder())


_XDG = {
    "config": ("XDG_CONFIG_HOME", ".config"),
    "state": ("XDG_STATE_HOME", ".local/state"),
    "data": ("XDG_DATA_HOME", ".local/share"),
    "cache": ("XDG_CACHE_HOME", ".cache"),
}


def xdg_base(kind: str) -> Path:
    """The XDG base folder of ``kind`` (``config``, ``state``, ``data`` or ``cache``): its
    variable when that holds an absolute path (the rules say to ignore a relative one), else
    the default under the home folder."""
    from pathlib import Path  # noqa: PLC0415

    variable, default = _XDG[kind]
    base = os.environ.get(variable, "")
    return Path(base) if base.startswith("/") else Path.home() / default


def system_config_dirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The system-wide config folders, most important first: ``$XDG_CONFIG_DIRS`` (its
    absolute entries; the rules say to ignore relative ones), else ``/etc/xdg`` on Linux and
    the BSDs. Elsewhere only an ``XDG_CONFIG_DIRS`` that is set counts."""
    from pathlib import Path  # noqa: PLC0415

    env = os.environ if environ is None else environ
    value = env.get("XDG_CONFIG_DIRS", "")
    if not value:
        return [Path("/etc/xdg")] if _xdg_platform() else []
    return [Path(entry) for entry in value.split(":") if entry.startswith("/")]


def user_dir(kind: str) -> Path:
    """The user's ``config``, ``state``, ``data`` or ``cache`` folder for reminderd.

    On Linux and the BSDs these are the XDG base directories, read directly; elsewhere
    platformdirs knows the conventions (~/Library/Application Support, %LOCALAPPDATA%).
    platformdirs is not imported on Linux because it brings tempfile, random and the
    compression modules with it: 2.7 MB in a daemon that otherwise needs about 20.
    """
    if _xdg_platform():
        return xdg_base(kind) / APP
    import platformdirs  # noqa: PLC0415

    finder = {
        "config": platformdirs.user_config_path,
        "state": platformdirs.user_state_path,
        "data": platformdirs.user_data_path,
        "cache": platformdirs.user_cache_path,
    }[kind]
    return finder(APP, appauthor=False)


def _xdg_platform() -> bool:
    return sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))


def user_paths() -> Paths:
    return Paths(runtime=runtime_dir(), state=user_dir("state"), data=user_dir("data"))


def control_supported() -> bool:
    """The control socket needs Unix sockets with peer credentials; Windows has neither here."""
    return sys.platform != "win32" and hasattr(os, "getuid")


def on_path(program: str, path: str | None = None) -> bool:
    """Like shutil.which, without importing shutil (and the compression modules it brings):
    whether ``program`` is an executable in a folder of ``path`` (default: $PATH)."""
    folders = (os.environ.get("PATH", "") if path is None else path).split(os.pathsep)
    return any(os.access(os.path.join(folder, program), os.X_OK) for folder in folders if folder)
