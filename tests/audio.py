"""What a recording of the speakers holds: loudness over time, the stretches of sound in it,
and a picture of it with a routine's step boundaries drawn on. For the recording tests and
the benchmark; standard library only (16-bit WAV, as pw-record and espeak-ng write it)."""

from __future__ import annotations

import array
import wave
from dataclasses import dataclass
from pathlib import Path

WINDOW = 0.01  # seconds of sound per loudness value
LOUD = 0.02  # of full scale: quieter is silence (the null sink's silence is exact zeros)


@dataclass(frozen=True, slots=True)
class Envelope:
    """Peak loudness (0 to 1) of each WINDOW-second stretch of a recording."""

    peaks: tuple[float, ...]
    window: float = WINDOW

    @property
    def seconds(self) -> float:
        return len(self.peaks) * self.window

    def loud(self, at: float) -> bool:
        index = int(at / self.window)
        return 0 <= index < len(self.peaks) and self.peaks[index] > LOUD

    def onset(self, start: float, end: float) -> float | None:
        """The first moment of sound in [start, end), or None if all is silent."""
        first = max(0, int(start / self.window))
        last = min(len(self.peaks), int(end / self.window) + 1)
        for index in range(first, last):
            if self.peaks[index] > LOUD:
                return index * self.window
        return None

    def sound_until(self, start: float, bridge: float) -> float:
        """Where the sound that begins at ``start`` ends: the first silence longer than
        ``bridge`` seconds (the pauses between a line's sentences are shorter)."""
        index = int(start / self.window)
        quiet = 0
        span = max(1, round(bridge / self.window))
        last_loud = index
        while index < len(self.peaks):
            if self.peaks[index] > LOUD:
                last_loud, quiet = index, 0
            else:
                quiet += 1
                if quiet > span:
                    break
            index += 1
        return (last_loud + 1) * self.window

    def segments(self, bridge: float) -> list[tuple[float, float]]:
        """Every stretch of sound, pauses up to ``bridge`` seconds bridged."""
        found: list[tuple[float, float]] = []
        at = 0.0
        while (begin := self.onset(at, self.seconds)) is not None:
            end = self.sound_until(begin, bridge)
            found.append((begin, end))
            at = end + self.window
        return found


def read_envelope(path: Path, window: float = WINDOW) -> tuple[Envelope, float]:
    """The envelope of a 16-bit WAV (its first channel), and its length in seconds."""
    with wave.open(str(path), "rb") as sound:
        channels, rate = sound.getnchannels(), sound.getframerate()
        assert sound.getsampwidth() == 2, "a 16-bit recording"
        frames = sound.readframes(sound.getnframes())
    samples = array.array("h")
    samples.frombytes(frames[: len(frames) // 2 * 2])
    if channels > 1:
        samples = samples[::channels]
    size = max(1, round(rate * window))
    peaks = tuple(
        max(map(abs, samples[i : i + size]), default=0) / 32768
        for i in range(0, len(samples), size)
    )
    return Envelope(peaks, window), len(samples) / rate


def audible(path: Path) -> float:
    """Seconds from the first to the last sound of a WAV (an engine's audio for a line)."""
    envelope, _ = read_envelope(path)
    begin = envelope.onset(0, envelope.seconds)
    if begin is None:
        return 0.0
    last = max(i for i, peak in enumerate(envelope.peaks) if peak > LOUD)
    return (last + 1) * envelope.window - begin


def picture(
    envelope: Envelope,
    marks: list[tuple[float, str]],
    path: Path,
    title: str,
    *,
    shaded: tuple[str, ...] = ("hold",),
    width: int = 1400,
) -> Path:
    """An SVG of the loudness over time, with a line and a label at each mark (a step's
    start, labelled by its kind or text); the stretches whose label is in ``shaded`` (the
    holds, to be held in silence) are tinted. Drawn by hand: it needs nothing installed."""
    middle, half, height = 120, 80, 290
    scale = (width - 20) / max(envelope.seconds, 1)
    step = max(1, round(0.05 / envelope.window))  # one bar per 50 ms

    def x(seconds: float) -> float:
        return 10 + seconds * scale

    parts = ['<rect width="100%" height="100%" fill="white"/>']
    ends = [at for at, _ in marks[1:]] + [envelope.seconds]
    for (at, label), end in zip(marks, ends, strict=False):
        if label in shaded:
            parts.append(
                f'<rect x="{x(at):.1f}" y="{middle - half - 4}" width="{x(end) - x(at):.1f}"'
                f' height="{2 * half + 8}" fill="#e3f2e1"/>'
            )
    for second in range(0, int(envelope.seconds) + 1, 10):
        parts.append(
            f'<text x="{x(second):.1f}" y="30" font-size="11" fill="#777">{second} s</text>'
        )
    bar = max(1.0, step * envelope.window * scale - 0.5)
    for index in range(0, len(envelope.peaks), step):
        peak = max(envelope.peaks[index : index + step])
        if peak > LOUD:
            h = max(1.0, peak * half)
            parts.append(
                f'<rect x="{x(index * envelope.window):.1f}" y="{middle - h:.1f}"'
                f' width="{bar:.1f}" height="{2 * h:.1f}" fill="#2a6fb0"/>'
            )
    for index, (at, label) in enumerate(marks):
        y = middle + half + 22 + (index % 4) * 14
        parts.append(
            f'<line x1="{x(at):.1f}" y1="{middle - half - 4}" x2="{x(at):.1f}" y2="{y - 9}"'
            ' stroke="#c0392b" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x(at) + 2:.1f}" y="{y}" font-size="10" fill="#333">{_escape(label)}</text>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">\n'
        f'<text x="10" y="14" font-size="12" fill="#111">{_escape(title)}</text>\n'
        + "\n".join(parts)
        + "\n</svg>\n"
    )
    path.write_text(svg, encoding="utf-8")
    return path


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
