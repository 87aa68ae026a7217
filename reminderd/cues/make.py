"""reminderd's own cue sounds, made from tones: ``python -m reminderd.cues.make`` writes
them into ``reminderd/cues/sounds/`` (the files there are its output, kept in the
repository; a test holds them to it).

Each cue differs from the others by ear in pitch, length and shape, and none is a sound
that other programs use (the freedesktop theme's ``message``, which chat programs play,
would sound like "release" during a hold):

- hold: one low, round bell tone (A4, 440 Hz) that dies away over half a second: be still;
- release: two notes falling (G5 then C5): let go;
- switch: one short, high tick (G6, 1568 Hz, 60 ms): the side or the repetition changes;
- done: four notes rising (C5, E5, G5, C6): the end.
"""

from __future__ import annotations

import math
import sys
import wave
from pathlib import Path

RATE = 22050
LEVEL = 0.3  # of full scale: heard beside speech, not over it
FOLDER = Path(__file__).with_name("sounds")

# name -> notes as (frequency in Hz, seconds, decay time constant in seconds)
TUNES: dict[str, tuple[tuple[float, float, float], ...]] = {
    "hold": ((440.0, 0.5, 0.18),),
    "release": ((784.0, 0.14, 0.1), (523.25, 0.22, 0.1)),
    "switch": ((1568.0, 0.06, 0.03),),
    "done": ((523.25, 0.12, 0.2), (659.25, 0.12, 0.2), (784.0, 0.12, 0.2), (1046.5, 0.34, 0.15)),
}
ATTACK = 0.004  # seconds: a soft start, so that no note clicks


def samples(tune: tuple[tuple[float, float, float], ...]) -> list[int]:
    """16-bit samples of ``tune``: each note a sine with a soft start and an exponential
    decay, ending at zero."""
    out: list[int] = []
    for frequency, seconds, decay in tune:
        count = round(seconds * RATE)
        for n in range(count):
            t = n / RATE
            envelope = min(1.0, t / ATTACK) * math.exp(-t / decay)
            envelope *= min(1.0, (count - n) / (ATTACK * RATE))  # and a soft end
            out.append(round(32767 * LEVEL * envelope * math.sin(2 * math.pi * frequency * t)))
    return out


def write(name: str, folder: Path = FOLDER) -> Path:
    path = folder / f"{name}.wav"
    data = b"".join(v.to_bytes(2, "little", signed=True) for v in samples(TUNES[name]))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(data)
    return path


def main() -> int:
    FOLDER.mkdir(exist_ok=True)
    for name in TUNES:
        print(write(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
