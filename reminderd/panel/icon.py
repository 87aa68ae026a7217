"""reminderd's own panel icon, drawn as pixels for a panel whose icon theme lacks the
themed names: a leaning head on a disc in the state's colour, at the sizes panels ask."""

from __future__ import annotations

import logging

log = logging.getLogger("reminderd")


ICONS = {
    "waiting": "appointment-soon",
    "guiding": "media-playback-start",
    "paused": "media-playback-pause",
    "held": "user-away",
}


# reminderd's own icon, for panels without an icon theme that has the names above: a disc
# in the state's colour with a head and shoulders on it, drawn as ARGB32 in network byte
# order (the StatusNotifierItem's IconPixmap) when a panel first asks.
COLOURS = {
    "waiting": (0x2E, 0x7D, 0x32),  # green: all is well, the next break will come
    "guiding": (0x15, 0x65, 0xC0),  # blue: a routine is on screen
    "paused": (0x61, 0x61, 0x61),  # grey
    "held": (0xEF, 0x8F, 0x00),  # amber: due, waiting for the person
}


PIXMAP_SIZES = (16, 22, 32, 48)


def pixmap(state: str, size: int) -> tuple[int, int, bytes]:
    """One size of the icon: (width, height, ARGB32 bytes), with soft edges."""
    red, green, blue = COLOURS[state]
    pixels = bytearray()
    half = size / 2
    for row in range(size):
        for col in range(size):
            x, y = (col + 0.5) / size, (row + 0.5) / size  # 0..1, y downwards
            disc = _cover(half - 0.5 - ((col + 0.5 - half) ** 2 + (row + 0.5 - half) ** 2) ** 0.5)
            # The head leans to one side: a neck stretch.
            head = _cover(size * (0.15 - ((x - 0.43) ** 2 + (y - 0.37) ** 2) ** 0.5))
            shoulders = _cover(size * (0.3 - ((x - 0.5) ** 2 + ((y - 0.92) * 1.3) ** 2) ** 0.5))
            white = max(head, shoulders) * disc
            alpha = disc
            mix = [round(c * (1 - white) + 255 * white) for c in (red, green, blue)]
            pixels += bytes((round(alpha * 255), *mix))
    return size, size, bytes(pixels)


def _cover(distance: float) -> float:
    """How much of a pixel a shape covers, from its distance inside the edge, in pixels."""
    return min(1.0, max(0.0, distance + 0.5))


_PIXMAPS: dict[str, list[tuple[int, int, bytes]]] = {}


def pixmaps(state: str) -> list[tuple[int, int, bytes]]:
    if state not in _PIXMAPS:
        _PIXMAPS[state] = [pixmap(state, size) for size in PIXMAP_SIZES]
    return _PIXMAPS[state]
