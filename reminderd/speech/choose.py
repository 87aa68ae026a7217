"""Which speech service speaks, and why: chosen once, logged, and shown in ``status``."""

from __future__ import annotations

import sys

from reminderd.children import Children
from reminderd.paths import on_path
from reminderd.speech.port import Silent, VoiceChoice
from reminderd.speech.timing import Lengths, Voice, cache_file

POWERSHELL_SAY = (
    "Add-Type -AssemblyName System.Speech; "
    "(New-Object System.Speech.Synthesis.SpeechSynthesizer).Speak($args[0])"
)


def choose(
    voice: bool | tuple[str, ...],
    children: Children,
    platform: str = sys.platform,
    *,
    language: str = "en",
    rate: float = 1.0,
    lengths: Lengths | None = None,
) -> VoiceChoice:
    """The speech service: off unless asked for; a named command; else the system's own:
    speech-dispatcher (the desktop's service, shared with screen readers), else espeak-ng
    or espeak themselves."""
    from reminderd.speech.command import CommandSpeaker  # noqa: PLC0415

    if voice is False:
        return VoiceChoice(Silent(), "off ([guidance] voice = false)")
    if isinstance(voice, tuple):
        # Its pace is not known: its lines are estimated at espeak-ng's (times ``rate``).
        own = CommandSpeaker(voice[0], voice, children, Voice(voice[0], language, rate))
        return VoiceChoice(own, "the command in [guidance] voice")
    if platform in ("darwin", "win32"):
        powershell = ("powershell", "-NoProfile", "-NonInteractive", "-Command", POWERSHELL_SAY)
        name, argv, why = {
            "darwin": ("say", ("say",), "macOS's own voice"),
            "win32": ("sapi", powershell, "Windows' built-in SAPI voice, through PowerShell"),
        }[platform]
        if on_path(argv[0]):
            system = CommandSpeaker(name, argv, children, Voice(name, language, rate))
            return VoiceChoice(system, why)
        return VoiceChoice(Silent(), f"off: no speech command found ({argv[0]})")
    return _linux(children, lengths or Lengths(cache_file()), language, rate)


def _linux(children: Children, lengths: Lengths, language: str, rate: float) -> VoiceChoice:
    from reminderd.speech.dispatcher import DispatcherSpeaker  # noqa: PLC0415
    from reminderd.speech.espeak import EspeakSpeaker  # noqa: PLC0415

    espeak = next((p for p in ("espeak-ng", "espeak") if on_path(p)), None)
    if on_path("speech-dispatcher"):
        measurer = Voice(espeak, language, rate) if espeak else None
        speaker = DispatcherSpeaker(children, lengths, language, rate, measurer)
        return VoiceChoice(speaker, "the desktop's speech service")
    if espeak:
        why = f"no speech-dispatcher; {espeak} is installed"
        return VoiceChoice(EspeakSpeaker(espeak, children, lengths, language, rate), why)
    return VoiceChoice(
        Silent(), "off: no speech command found (speech-dispatcher, espeak-ng, espeak)"
    )
