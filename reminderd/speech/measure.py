"""Ask espeak-ng how long each line takes: synthesise it without playing and read the length
of its audio. Run beside the daemon (``python -m reminderd.speech.measure REQUEST``), never
inside it; what it learns is appended to the lengths file that the guide plans from.

REQUEST is one JSON object: ``voice`` (the key the lengths are kept under), ``cache`` (the
file), ``command`` (espeak-ng and its voice and pace, to which ``--stdout`` and the line
are added) and ``lines``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reminderd.speech.timing import append

HEADER = 44  # bytes of a canonical WAV header, as espeak-ng writes it


def audio_seconds(command: list[str], line: str) -> float:
    """Seconds of audio ``command`` makes of ``line`` (16-bit mono WAV on its stdout).

    espeak-ng streams its WAV with the header's sizes unknown, so the length is counted from
    the bytes that came, at the rate the header gives."""
    out = subprocess.run(
        [*command, "--stdout", line], capture_output=True, check=True, timeout=60
    ).stdout
    if len(out) < HEADER or out[:4] != b"RIFF":
        msg = f"{command[0]} wrote no WAV for {line!r}"
        raise ValueError(msg)
    rate = int.from_bytes(out[24:28], "little")
    channels = int.from_bytes(out[22:24], "little") or 1
    width = int.from_bytes(out[34:36], "little") // 8 or 2
    return (len(out) - HEADER) / (rate * channels * width)


def main(argv: list[str]) -> int:
    request = json.loads(argv[1])
    cache = Path(request["cache"])
    failed = 0
    for line in request["lines"]:
        try:
            seconds = audio_seconds(list(request["command"]), line)
        except (OSError, ValueError, subprocess.SubprocessError) as error:
            print(f"reminderd: could not measure {line!r}: {error}", file=sys.stderr)
            failed += 1
            continue
        append(cache, request["voice"], line, seconds)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
