"""Draw poses into PNG files: what ``python -m reminderd.pictures`` and the CLI run."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable

from reminderd.exercises import expand
from reminderd.model import Exercise, Step
from reminderd.pictures.figure import paints
from reminderd.pictures.pose import Pose, file_name
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


def gallery_entries(exercises: Iterable[Exercise]) -> list[tuple[Exercise, Step, str]]:
    """Each exercise's steps that show a picture of their own, once per pose, in order,
    with the gallery's file name for it ("chin-to-collarbone-2.png")."""
    entries = []
    for exercise in exercises:
        seen: list[str] = []
        for step in expand(exercise):
            if step.pose and step.pose.key not in seen and step.kind != "rest":
                seen.append(step.pose.key)
                entries.append((exercise, step, f"{exercise.id}-{len(seen)}.png"))
    return entries


def gallery(exercises: Iterable[Exercise], folder: str, size: int) -> list[str]:
    """Draw the gallery of ``exercises`` into ``folder``; its Markdown, one line a step."""
    os.makedirs(folder, exist_ok=True)
    lines = []
    for exercise, step, name in gallery_entries(exercises):
        assert step.pose is not None
        with open(os.path.join(folder, name), "wb") as file:
            file.write(picture(step.pose, size))
        lines.append(f"{exercise.title}: {step.text} -> {name}")
    return lines
