"""The headless PipeWire the sound, voice and call tests stand on: it plays and records."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import pytest

from tests.pipewire import PipeWire

pytestmark = pytest.mark.e2e


def test_what_is_played_into_the_null_sink_is_heard_on_its_monitor(
    pipewire: PipeWire, tmp_path: Path
) -> None:
    """A second of tone played into the default sink shows up, loud, in a recording of the
    sink's monitor: the harness hears what the speakers would play."""
    tone = tmp_path / "tone.wav"
    rate = 48000
    with wave.open(str(tone), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        # A square wave at 440 Hz, a quarter of full scale.
        period = rate // 440
        frame = [8000 if (i % period) < period // 2 else -8000 for i in range(rate)]
        out.writeframes(b"".join(v.to_bytes(2, "little", signed=True) for v in frame))
    recording = tmp_path / "heard.wav"
    recorder = pipewire.record(recording)
    subprocess.run(["pw-play", str(tone)], env=pipewire.env, check=True, timeout=10)
    pipewire.stop_recording(recorder)
    with wave.open(str(recording), "rb") as heard:
        width, frames = heard.getsampwidth(), heard.readframes(heard.getnframes())
    samples = [
        abs(int.from_bytes(frames[i : i + width], "little", signed=True))
        for i in range(0, len(frames), width)
    ]
    loud = sum(1 for s in samples if s > 4000)
    assert loud > rate  # about a second of tone, on both channels
