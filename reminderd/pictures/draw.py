"""Draw poses into PNG files: what ``python -m reminderd.pictures`` and the CLI run."""

from __future__ import annotations

import os
import tempfile

from reminderd.pictures.cache import file_name
from reminderd.pictures.figure import paints
from reminderd.pictures.pose import Pose
from reminderd.pictures.raster import draw, png


def picture(pose: Pose, size: int) -> bytes:
    """The PNG of ``pose``, ``size`` pixels square."""
    canvas = draw(paints(pose), size)
    return png(size, size, canvas.rgba())


def draw_file(pose: Pose, size: int, folder: str) -> str:
    """Draw ``pose`` into ``folder`` under its cache name; written beside and renamed, so
    that nobody sees half a file. Returns the path."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, file_name(pose, size))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".drawing-", suffix=".png")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(picture(pose, size))
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path
