"""A picture shown in the terminal itself, where the terminal can: kitty's graphics
protocol, iTerm2's inline images (WezTerm speaks it too) or sixels (foot, mlterm, xterm
as a VT340). Terminals do not all answer a query for this, so it is read from the
environment; ``REMINDERD_TERMINAL_IMAGES`` (kitty, iterm, sixel or none) says it outright.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from reminderd.pictures.raster import read_png

PROTOCOLS = ("kitty", "iterm", "sixel", "none")
ROWS = 8  # terminal lines a picture takes, where the terminal scales it
SIXEL_TERMS = ("foot", "foot-extra", "mlterm", "yaft-256color", "contour")


def protocol(environ: Mapping[str, str]) -> str:
    """Which way this terminal shows pictures; "none" when it does not (or in tmux and
    screen, which pass none of these through by default)."""
    chosen = environ.get("REMINDERD_TERMINAL_IMAGES", "").lower()
    if chosen in PROTOCOLS:
        return chosen
    if environ.get("TMUX") or environ.get("STY"):
        return "none"
    term = environ.get("TERM", "")
    program = environ.get("TERM_PROGRAM", "")
    if environ.get("KITTY_WINDOW_ID") or term == "xterm-kitty" or program == "ghostty":
        return "kitty"
    if program in ("iTerm.app", "WezTerm") or environ.get("LC_TERMINAL") == "iTerm2":
        return "iterm"
    if term in SIXEL_TERMS or "sixel" in term:
        return "sixel"
    return "none"


def inline(data: bytes, how: str) -> str:
    """The escape sequence that shows the PNG ``data`` in a terminal speaking ``how``."""
    if how == "kitty":
        encoded = base64.b64encode(data).decode()
        chunks = [encoded[i : i + 4096] for i in range(0, len(encoded), 4096)]
        parts = []
        for index, chunk in enumerate(chunks):
            more = 1 if index < len(chunks) - 1 else 0
            keys = f"a=T,f=100,r={ROWS},m={more}" if index == 0 else f"m={more}"
            parts.append(f"\x1b_G{keys};{chunk}\x1b\\")
        return "".join(parts) + "\n"
    if how == "iterm":
        encoded = base64.b64encode(data).decode()
        return f"\x1b]1337;File=inline=1;size={len(data)};height={ROWS}:{encoded}\x07\n"
    if how == "sixel":
        return sixel(*read_png(data))
    msg = f"not a terminal picture protocol: {how!r}"
    raise ValueError(msg)


def sixel(width: int, height: int, rgba: bytes) -> str:
    """The picture as sixels: each colour rounded to one of 216 (six levels a channel),
    and transparent pixels left to the terminal's background."""
    levels = [[0] * width for _ in range(height)]  # colour number + 1; 0 is transparent
    for y in range(height):
        for x in range(width):
            i = (y * width + x) * 4
            if rgba[i + 3] >= 128:
                r, g, b = (round(rgba[i + k] * 5 / 255) for k in range(3))
                levels[y][x] = 1 + r * 36 + g * 6 + b
    used = sorted({c for row in levels for c in row if c})
    out = ['\x1bP0;1;0q"1;1;' + f"{width};{height}"]
    for colour in used:
        n = colour - 1
        r, g, b = n // 36, n // 6 % 6, n % 6
        out.append(f"#{n};2;{r * 20};{g * 20};{b * 20}")
    for top in range(0, height, 6):
        band = levels[top : top + 6]
        colours = sorted({c for row in band for c in row if c})
        for number, colour in enumerate(colours):
            line = []
            for x in range(width):
                bits = sum(1 << dy for dy, row in enumerate(band) if row[x] == colour)
                line.append(chr(63 + bits))
            out.append(
                f"#{colour - 1}" + _runs("".join(line)) + ("$" if number < len(colours) - 1 else "")
            )
        out.append("-")
    out.append("\x1b\\\n")
    return "".join(out)


def _runs(line: str) -> str:
    """Sixel run-length encoding: "!12~" for twelve of "~"."""
    out = []
    i = 0
    while i < len(line):
        j = i
        while j < len(line) and line[j] == line[i]:
            j += 1
        count = j - i
        out.append(f"!{count}{line[i]}" if count > 3 else line[i] * count)
        i = j
    return "".join(out)
