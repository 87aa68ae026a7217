"""espeak-ng, run directly: it plays each line itself, and can tell ahead how long a line
takes (it writes the line's audio without playing it: ``measure.py``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from reminderd.children import Children
from reminderd.speech.command import CommandSpeaker
from reminderd.speech.timing import Lengths, Voice
from reminderd.speech.voices import espeak_voice

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess

NORMAL_WPM = 175  # espeak-ng's own default pace, words a minute


class EspeakSpeaker(CommandSpeaker):
    """``espeak-ng -v VOICE -s WPM LINE`` (VOICE: the language's, reminderd.speech.voices),
    and its lengths measured ahead."""

    def __init__(
        self,
        program: str,
        children: Children,
        lengths: Lengths,
        language: str = "en",
        rate: float = 1.0,
    ) -> None:
        wpm = max(80, min(450, round(NORMAL_WPM * rate)))
        argv = (program, "-v", espeak_voice(language), "-s", str(wpm))
        super().__init__(program, argv, children, Voice(program, language, rate), lengths)

    def prepare(self, lines: Iterable[str]) -> subprocess.Popen[bytes] | None:
        path = self._lengths.path
        todo = self._lengths.missing(self.voice, list(lines))
        if path is None or not todo:
            return None
        request = {"voice": self.voice.key, "cache": str(path), "command": self.argv, "lines": todo}
        try:
            return self._children.spawn(
                [sys.executable, "-m", "reminderd.speech.measure", json.dumps(request)],
                f"measure {self.name}",
            )
        except OSError as error:
            self._failed(f"cannot measure lines ({error})")
            return None
