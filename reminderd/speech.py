"""Spoken steps: what a person hears, and the desktop's speech service that says it.

A person whose chin is on their collarbone cannot read a notification: each step's words
are spoken as it starts. Speech runs in a separate process, one per line and leading a
process group of its own (``children``), started without waiting (the loop never blocks
on it): speech-dispatcher's ``spd-say`` on Linux, ``espeak-ng`` where that is all there
is, ``say`` on macOS, the built-in SAPI voice through PowerShell on Windows, or a command
the person names. A new line interrupts the previous
one if it is still speaking, so the words always match the step on screen. A command that
is missing or fails is logged once; guidance goes on silently.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import Protocol

from reminderd.children import Children
from reminderd.model import Step
from reminderd.paths import on_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess

log = logging.getLogger("reminderd")

_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(number: float) -> str:
    """10 -> "ten", 45 -> "forty-five", 2.5 -> "2.5" (halves are rare and read well)."""
    if number != int(number) or not 0 <= number < 100:
        return f"{number:g}"
    whole = int(number)
    if whole < 20:
        return _SMALL[whole]
    tens, ones = divmod(whole, 10)
    return _TENS[tens - 2] + (f"-{_SMALL[ones]}" if ones else "")


def seconds_words(seconds: float) -> str:
    """How long, as spoken: "ten seconds", "one minute", "a minute and a half"."""
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return "one minute" if minutes == 1 else f"{number_words(minutes)} minutes"
    return "one second" if seconds == 1 else f"{number_words(seconds)} seconds"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def words(steps: tuple[Step, ...], index: int) -> str:
    """The words spoken when step ``index`` starts: its own ``say`` if it has one, else made
    from its text, side and seconds. A hold announced by a lead-in is only "Hold." (the
    lead-in said what to do); the step after a hold begins with "And release."."""
    step = steps[index]
    previous = steps[index - 1] if index > 0 else None
    if step.kind == "lead-in" and index + 1 < len(steps):
        hold = steps[index + 1]
        if hold.say:
            return hold.say
        return f"{_sentence(hold.text)} Hold for {seconds_words(hold.seconds)}."
    if step.kind == "hold" and previous is not None and previous.kind == "lead-in":
        return "Hold."
    said = step.say or _sentence(step.text)
    if step.kind == "hold":
        return f"{said} Hold for {seconds_words(step.seconds)}."
    if previous is not None and previous.kind == "hold":
        return f"And release. {said}"
    return said


class Speaker(Protocol):
    """The port that speaks a step's words."""

    @property
    def name(self) -> str: ...

    def say(self, text: str) -> None:
        """Start speaking ``text`` (interrupting what is still being said); never waits."""

    def stop(self) -> None:
        """Stop speaking now (the routine was withdrawn)."""


class Silent:
    """No voice: the default, since a desk in an open office must not talk unasked."""

    name = "off"

    def say(self, text: str) -> None:
        return None

    def stop(self) -> None:
        return None


class CommandSpeaker:
    """Speaks by running ``argv`` with the words as its last argument, one process a line."""

    def __init__(self, name: str, argv: tuple[str, ...], children: Children) -> None:
        self.name = name
        self.argv = argv
        self._children = children
        self._current: subprocess.Popen[bytes] | None = None
        self._broken = False

    def say(self, text: str) -> None:
        if self._broken or not text:
            return
        self.stop()
        try:
            self._current = self._children.spawn([*self.argv, text], f"voice {self.argv[0]}")
        except OSError as error:
            log.warning("speech: %s cannot run (%s); guiding without a voice", self.argv[0], error)
            self._broken = True

    def stop(self) -> None:
        current, self._current = self._current, None
        if current is None:
            return
        if current.poll() is None:
            self._children.end(current)  # its group: SIGTERM, then SIGKILL if it lingers
        elif current.returncode not in (0, -15) and not self._broken:
            log.warning(
                "speech: %s exited with %d; guiding without a voice",
                self.argv[0],
                current.returncode,
            )
            self._broken = True


@dataclass(frozen=True, slots=True)
class VoiceChoice:
    """The speaker in use and why, for the log and for ``status``."""

    speaker: Speaker
    reason: str


POWERSHELL_SAY = (
    "Add-Type -AssemblyName System.Speech; "
    "(New-Object System.Speech.Synthesis.SpeechSynthesizer).Speak($args[0])"
)


def choose(
    voice: bool | tuple[str, ...], children: Children, platform: str = sys.platform
) -> VoiceChoice:
    """The speech service: off unless asked for; a named command; else the system's own."""
    if voice is False:
        return VoiceChoice(Silent(), "off ([guidance] voice = false)")
    if isinstance(voice, tuple):
        return VoiceChoice(
            CommandSpeaker(voice[0], voice, children), "the command in [guidance] voice"
        )
    candidates: list[tuple[str, tuple[str, ...], str]]
    if platform == "darwin":
        candidates = [("say", ("say",), "macOS's own voice")]
    elif platform == "win32":
        powershell = ("powershell", "-NoProfile", "-NonInteractive", "-Command", POWERSHELL_SAY)
        candidates = [("sapi", powershell, "Windows' built-in SAPI voice, through PowerShell")]
    else:
        candidates = [
            ("speech-dispatcher", ("spd-say", "-N", "reminderd"), "the desktop's speech service"),
            ("espeak-ng", ("espeak-ng",), "no speech-dispatcher; espeak-ng is installed"),
            ("espeak", ("espeak",), "no speech-dispatcher; espeak is installed"),
        ]
    for name, argv, why in candidates:
        if on_path(argv[0]):
            return VoiceChoice(CommandSpeaker(name, argv, children), why)
    missing = ", ".join(argv[0] for _, argv, _ in candidates)
    return VoiceChoice(Silent(), f"off: no speech command found ({missing})")
