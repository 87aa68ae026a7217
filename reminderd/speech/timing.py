"""How long a line takes to say: what the engine told, kept in a small file, else an estimate.

The guide plans each step from these lengths (a lead-in lasts as long as its words and
1.5 s more), so they are wanted at the moment a routine starts, without waiting: the
engine is asked ahead, in a process of its own (``measure.py`` synthesises each line with
espeak-ng and reads its audio's length; ``ssip.py`` notes the time from speech-dispatcher's
begin to its end of speech each time it speaks), and both append what they learn to
``lengths.jsonl`` in reminderd's cache folder. A line nobody has timed yet is estimated
from its letters and pauses at a rate measured on espeak-ng (see ``estimate``), with a
margin that covers every line of the built-in routines.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import NamedTuple

log = logging.getLogger("reminderd")

FILE = "lengths.jsonl"
MAX_ENTRIES = 4000  # a cache of a few hundred KB at most; older lines are dropped
# Seconds per letter, per sentence end and per comma, measured on espeak-ng 1.51 at its
# normal pace (175 words a minute) over 38 lines, the built-in routines' and more (least
# squares; within 12 % of each line but the shortest); a number counts as four letters.
# For planning, the margin and the floor keep every measured line under its estimate (the
# worst was 1.25x below it, "Hold.").
PER_LETTER, PER_STOP, PER_COMMA = 0.062, 0.44, 0.16
# Chinese, measured the same way on espeak-ng 1.51's cmn-latn-pinyin voice over the 45
# lines the built-in routines speak in Chinese: a character is a syllable, 0.27 s; a
# full-width stop pauses 0.33 s and a full-width comma 0.21 s, and the stop that ends the
# line adds nothing (within 8 % of each line but the single counts, "3。", which the
# floor covers).
PER_HANZI, PER_WIDE_STOP, PER_WIDE_COMMA = 0.27, 0.33, 0.21
MARGIN, FLOOR = 1.15, 0.3


def estimate(text: str, rate: float = 1.0, *, safe: bool = True) -> float:
    """Seconds ``text`` takes at ``rate`` times the normal pace: on the safe side for
    planning, or (``safe=False``) the likeliest length, for telling what cannot fit."""
    if not text.strip():
        return 0.0
    hanzi = sum("\u4e00" <= c <= "\u9fff" for c in text)
    letters = sum(c.isalpha() for c in text) - hanzi + 4 * len(re.findall(r"\d+", text))
    stops = len(re.findall(r"[.!?:](?:\s|$)", text))
    wide_stops = len(re.findall(r"[。！？：]", text))
    if wide_stops:  # the last pauses no more than the end of the line
        pauses = PER_STOP * stops + PER_WIDE_STOP * (wide_stops - 1)
    else:
        pauses = PER_STOP * max(1, stops)
    pauses += PER_COMMA * len(re.findall(r"[,;](?:\s|$)", text))
    pauses += PER_WIDE_COMMA * len(re.findall(r"[，、；]", text))
    sounds = PER_LETTER * letters + PER_HANZI * hanzi
    spoken = (sounds + pauses) / max(rate, 0.1)
    return MARGIN * spoken + FLOOR if safe else spoken


class Voice(NamedTuple):
    """One engine speaking one language at one pace: what a measured length belongs to."""

    engine: str
    language: str = "en"
    rate: float = 1.0  # 1.0: the engine's normal pace

    @property
    def key(self) -> str:
        return f"{self.engine}/{self.language}/{self.rate:g}"


class Lengths:
    """Measured lengths of lines, by voice, read from the cache file when it has changed."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._known: dict[tuple[str, str], float] = {}
        self._stamp: tuple[int, int] | None = None

    def get(self, voice: Voice, text: str) -> float | None:
        """The measured length of ``text`` in ``voice``, if the engine has told it."""
        self._refresh()
        return self._known.get((voice.key, text))

    def missing(self, voice: Voice, lines: list[str]) -> list[str]:
        """The lines of ``lines`` not measured yet in ``voice``, each once."""
        self._refresh()
        return sorted({line for line in lines if line and (voice.key, line) not in self._known})

    def _refresh(self) -> None:
        if self.path is None:
            return
        try:
            info = self.path.stat()
        except OSError:
            return
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp == self._stamp:
            return
        self._stamp = stamp
        self._known = read(self.path)


def read(path: Path) -> dict[tuple[str, str], float]:
    """Every (voice, line) -> seconds in the file; a line that cannot be read is skipped."""
    known: dict[tuple[str, str], float] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        log.debug("speech lengths not read: %s", error)
        return known
    for line in text.splitlines()[-MAX_ENTRIES:]:
        try:
            entry = json.loads(line)
            seconds = float(entry["seconds"])
            if 0 < seconds < 600:
                known[(str(entry["voice"]), str(entry["text"]))] = seconds
        except (ValueError, KeyError, TypeError):
            continue
    return known


def cache_file() -> Path | None:
    """``lengths.jsonl`` in reminderd's cache folder, or None where there is none."""
    from reminderd.paths import user_dir  # noqa: PLC0415 - only a voice needs it

    try:
        folder = user_dir("cache")
    except (OSError, KeyError) as error:
        log.debug("no cache folder for speech lengths: %s", error)
        return None
    return folder / FILE


def append(path: Path, voice_key: str, text: str, seconds: float) -> None:
    """Add one measured length (one short write, so that writers never interleave)."""
    entry = json.dumps({"voice": voice_key, "text": text, "seconds": round(seconds, 3)})
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (entry + "\n").encode())
    finally:
        os.close(fd)
