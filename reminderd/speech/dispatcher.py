"""speech-dispatcher, the desktop's speech service, through ``ssip.py``: a short process
per line that speaks at the ``message`` priority (a late line waits instead of cutting the
one before), cancels only its own words when ended, and notes each line's length from the
service's begin- and end-of-speech events."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable

from reminderd.children import Children
from reminderd.speech.command import CommandSpeaker
from reminderd.speech.timing import Lengths, Voice, estimate
from reminderd.speech.voices import CLIENT, ssip_language

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess

SCRIPT = CLIENT  # the client each line is said through (speech-dispatcher's protocol)
# speech-dispatcher's espeak-ng module (its default) speaks at espeak-ng's own pace: the
# same line measured 5.91 s through it and 5.80 s from espeak-ng itself. Until the service
# has said a line once, its length is espeak-ng's measured one with this margin.
LIKE_ESPEAK = 1.1


class DispatcherSpeaker(CommandSpeaker):
    """Each line through ``python -I -S ssip.py``; ends by cancelling its own message."""

    def __init__(
        self,
        children: Children,
        lengths: Lengths,
        language: str = "en",
        rate: float = 1.0,
        espeak: Voice | None = None,
    ) -> None:
        argv = (sys.executable, "-I", "-S", str(SCRIPT))
        voice = Voice("speech-dispatcher", language, rate)
        super().__init__("speech-dispatcher", argv, children, voice, lengths)
        self._espeak = espeak  # where espeak-ng is installed, it measures ahead for us
        self._lines: list[subprocess.Popen[bytes]] = []  # said or waiting in the service

    def command(self, text: str) -> list[str]:
        cache = str(self._lengths.path or "")
        voice = self.voice
        tag = ssip_language(voice.language)
        return [*self.argv, tag, f"{voice.rate:g}", voice.key, cache, text]

    def say(self, text: str) -> None:
        if self.trouble or not text:
            return
        self._collect()
        # Lines queue in the service (priority "message"): none is ended to make room.
        try:
            self._lines.append(self._children.spawn(self.command(text), "voice ssip"))
        except OSError as error:
            self._failed(f"{self.argv[0]} cannot run ({error})")

    def seconds(self, text: str) -> float:
        heard = self._lengths.get(self.voice, text)
        if heard is not None:
            return heard
        if self._espeak is not None:
            measured = self._lengths.get(self._espeak, text)
            if measured is not None:
                return measured * LIKE_ESPEAK
        return estimate(text, self.voice.rate)

    def stop(self) -> None:
        """End every line still waiting or being said: each cancels its own message."""
        self._collect()
        for process in self._lines:
            self._children.end(process)
        self._lines = []

    def _collect(self) -> None:
        for process in list(self._lines):
            if process.poll() is not None:
                self._lines.remove(process)
                if process.returncode == 1 and not self.trouble:
                    self._failed(f"speech-dispatcher failed at {time.strftime('%H:%M')}")

    def prepare(self, lines: Iterable[str]) -> subprocess.Popen[bytes] | None:
        if self._espeak is None:
            return None
        from reminderd.speech.espeak import EspeakSpeaker  # noqa: PLC0415

        espeak = self._espeak
        measurer = EspeakSpeaker(
            espeak.engine, self._children, self._lengths, espeak.language, espeak.rate
        )
        return measurer.prepare(lines)
