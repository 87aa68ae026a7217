"""A picture file of the person's own (``image = "file.png"``): found, and an image."""

from __future__ import annotations

import os

from reminderd.i18n.said import said

# The first bytes of the formats that notification servers load (through GdkPixbuf).
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}
MAX_IMAGE = 4 * 1024 * 1024  # bytes: a notification's picture is tens of kilobytes


def image_problem(path: str) -> tuple[str, str] | None:  # noqa: PLR0911 - one per reason
    """Why ``path`` cannot be a step's picture, with the fix; None when it can."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as file:
            head = file.read(512)
    except FileNotFoundError:
        return (
            said("file not found"),
            said("give a path relative to the config file, or an absolute one"),
        )
    except IsADirectoryError:
        return (said("is a folder"), said("give the path of a PNG, JPEG, GIF or SVG file"))
    except OSError as error:
        return (
            said("cannot read it: {error}", error=error.strerror or str(error)),
            said("give a file you can read"),
        )
    if size > MAX_IMAGE:
        return (
            said(
                "{size} KiB is too large (at most {most} MiB)",
                size=size // 1024,
                most=MAX_IMAGE // 1024 // 1024,
            ),
            said("scale it down: servers show it at 48 to 128 pixels"),
        )
    if any(head.startswith(magic) for magic in SIGNATURES):
        return None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml")) and (b"<svg" in head.lower() or size > 512):
        return None
    return (said("not an image (PNG, JPEG, GIF or SVG)"), said("save the picture as PNG"))
