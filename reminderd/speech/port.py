"""The Speaker port: says a line in a language, knows how long a line takes, never blocks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Protocol

from reminderd.i18n.said import said

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess


class Speaker(Protocol):
    """Speaks the guide's lines, each in a process of its own, and says how long one takes."""

    @property
    def name(self) -> str: ...

    @property
    def language(self) -> str:
        """The language it speaks ("de"); "" for no voice. The words it is given are in
        this language (reminderd.exercises.shown_and_said)."""

    @property
    def trouble(self) -> str | None:
        """Why it has stopped speaking ("espeak-ng exited 1 at 10:31"); None while it works."""

    def seconds(self, text: str) -> float:
        """How long ``text`` takes to say: what the engine told (its audio's length, or the
        time from its start to its end of speech), else an estimate on the safe side; 0 for
        no voice. Never waits."""

    def say(self, text: str) -> None:
        """Start speaking ``text``; never waits. An empty line says nothing."""

    def stop(self) -> None:
        """Stop speaking now (the routine was withdrawn); never waits."""

    def prepare(self, lines: Iterable[str]) -> subprocess.Popen[bytes] | None:
        """Ask the engine, in a process of its own, how long each line it has not told yet
        takes; return that process (a command-line run may wait for it), or None when
        there is nothing to ask."""


class Silent:
    """No voice: the default, since a desk in an open office must not talk unasked."""

    name = "off"
    language = ""
    trouble = None

    def seconds(self, text: str) -> float:
        return 0.0

    def say(self, text: str) -> None:
        return None

    def stop(self) -> None:
        return None

    def prepare(self, lines: Iterable[str]) -> subprocess.Popen[bytes] | None:
        return None


def voice_off() -> VoiceChoice:
    """No voice, as the config asks."""
    return VoiceChoice(Silent(), said("off ([guidance] voice = false)"))


class VoiceChoice(NamedTuple):
    """The speaker in use and why, for the log and for ``status``."""

    speaker: Speaker
    reason: str

    @property
    def state(self) -> tuple[str, str]:
        """What ``status`` shows: the speaker that works now and why, or ``off`` and what
        stopped it."""
        trouble = self.speaker.trouble
        return ("off", trouble) if trouble else (self.speaker.name, self.reason)
