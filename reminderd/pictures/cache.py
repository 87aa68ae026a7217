"""Where each step's picture is, and the short subprocess that draws the missing ones.

The daemon only names files and looks whether they exist: drawing happens in
``python -m reminderd.pictures``, started without waiting when a routine begins (the
intro gives it a few seconds). A step whose picture is not there yet is shown without it.
A file's name holds the drawing's version, its size and the pose, so that a changed pose
or a new drawing makes a new file, and a drawing is never half-written where the daemon
looks (it is written beside, then renamed).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable

from reminderd.pictures.pose import Pose, file_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import ClassVar

    from reminderd.model import Step

log = logging.getLogger("reminderd")

# Pixels across a notification's picture: the largest that the servers tested show it
# (dunst draws it at up to 128), so that no server has to scale it up.
SIZE = 128
GALLERY_SIZE = 200


def cache_folder() -> Path:
    """The folder of drawn pictures, in the user's cache folder."""
    from reminderd.paths import user_dir  # noqa: PLC0415

    return user_dir("cache") / "pictures"


class Pictures:
    """The pictures of steps in one folder: their files, and drawing those missing."""

    # The drawing under way (its process id), per folder: shared by every routine's guide,
    # so that a routine that begins while the last one's pictures are drawn does not draw
    # them again.
    _drawing: ClassVar[dict[str, int]] = {}

    def __init__(self, folder: str | None = None, size: int = SIZE) -> None:
        self.folder = folder if folder is not None else str(cache_folder())
        self.size = size

    def file(self, step: Step) -> str:
        """The picture a step shows: its own image, the drawing of its pose, or ""."""
        if step.image:
            return step.image
        if step.pose is None:
            return ""
        return os.path.join(self.folder, file_name(step.pose, self.size))

    def ready(self, path: str) -> bool:
        return bool(path) and os.path.exists(path)

    def missing(self, steps: Iterable[Step]) -> list[Pose]:
        """The poses of ``steps`` not drawn yet, in the order the steps need them (so that
        the first steps' pictures come first)."""
        poses = {step.pose.key: step.pose for step in steps if step.pose and not step.image}
        return [
            pose
            for pose in poses.values()
            if not os.path.exists(os.path.join(self.folder, file_name(pose, self.size)))
        ]

    def prepare(self, steps: Iterable[Step]) -> None:
        """Start drawing the pictures these steps need and nobody has drawn yet; never
        waits. At most one drawing runs at a time: the next routine asks again."""
        if self.drawing():
            return
        poses = self.missing(steps)
        if not poses:
            return
        command = [sys.executable, "-m", "reminderd.pictures", "--folder", self.folder]
        command += ["--size", str(self.size), *(pose.key for pose in poses)]
        try:
            os.makedirs(self.folder, exist_ok=True)
            self._drawing[self.folder] = _spawn(command, os.path.join(self.folder, "drawing.log"))
        except OSError as error:
            log.warning("cannot draw step pictures: %s", error)
            return
        log.info("step pictures to draw into %s: %d", self.folder, len(poses))

    def drawing(self) -> bool:
        """Whether a drawing started here is still under way; one that has ended is
        reaped, and a failure logged."""
        pid = self._drawing.get(self.folder)
        if pid is None:
            return False
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere
            done, status = pid, 0
        if not done:
            return True
        del self._drawing[self.folder]
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            log.warning(
                "drawing step pictures failed (exit status %s): see %s",
                code,
                os.path.join(self.folder, "drawing.log"),
            )
        return False

    def draw_now(self, steps: Iterable[Step]) -> None:
        """Draw what is missing, here and now: for the command line, not the daemon."""
        from reminderd.pictures.draw import draw_file  # noqa: PLC0415

        for pose in self.missing(steps):
            draw_file(pose, self.size, self.folder)


def _spawn(command: list[str], errors: str) -> int:
    """Start ``command`` in a session of its own (a Ctrl-C meant for the daemon is not for
    it), its output to ``errors``; its process id. os.posix_spawn, so that the daemon loads
    no subprocess module for it; Popen where there is none (Windows)."""
    if hasattr(os, "posix_spawn"):
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, errors, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
        ]
        return os.posix_spawn(command[0], command, os.environ, file_actions=actions, setsid=True)
    import subprocess  # noqa: PLC0415  # pragma: no cover - Windows only

    with open(errors, "ab") as log_file:  # pragma: no cover - Windows only
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log_file
        )
    return process.pid  # pragma: no cover - Windows only
