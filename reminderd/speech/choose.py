"""Which speech service speaks, in which language, and why: chosen once, logged, and shown
in ``status``.

The voice speaks the language of the notes (``language``) when the service has a voice
for it (reminderd.speech.voices). When it has none, that is said once (in the log and in
`status`) and the voice speaks the words in English, the language they were written in,
rather than have an English voice read German words.
"""

from __future__ import annotations

import sys

from reminderd.children import Children
from reminderd.i18n.languages import SOURCE, native_name
from reminderd.i18n.said import Said, said
from reminderd.paths import on_path
from reminderd.speech import voices
from reminderd.speech.port import Silent, VoiceChoice, voice_off
from reminderd.speech.timing import Lengths, Voice, cache_file

# Windows' SAPI voice through PowerShell: the words and the culture are arguments (never
# pasted into the script); the first installed voice of the culture speaks, else the
# default one.
POWERSHELL_SAY = (
    "Add-Type -AssemblyName System.Speech; "
    "$s = New-Object System.Speech.Synthesis.SpeechSynthesizer; "
    "$v = $s.GetInstalledVoices() | "
    "Where-Object { $_.VoiceInfo.Culture.Name -like ($args[1] + '*') } | Select-Object -First 1; "
    "if ($v) { $s.SelectVoice($v.VoiceInfo.Name) }; "
    "$s.Speak($args[0])"
)


def choose(
    voice: bool | tuple[str, ...],
    children: Children,
    platform: str = sys.platform,
    *,
    language: str = SOURCE,
    rate: float = 1.0,
    lengths: Lengths | None = None,
    run: voices.Run | None = None,
) -> VoiceChoice:
    """The speech service: off unless asked for; a named command; else the system's own:
    speech-dispatcher (the desktop's service, shared with screen readers), else espeak-ng
    or espeak themselves; each speaking ``language`` if it has a voice for it, else
    English. ``run``: how a service is asked for its voices (a stand-in in tests)."""
    if voice is False:
        return voice_off()
    from reminderd.speech.command import CommandSpeaker  # noqa: PLC0415

    if isinstance(voice, tuple):
        # Its pace is not known: its lines are estimated at espeak-ng's (times ``rate``).
        own = CommandSpeaker(voice[0], voice, children, Voice(voice[0], language, rate))
        return VoiceChoice(own, said("the command in [guidance] voice"))
    asked = run or voices._run
    if platform in ("darwin", "win32"):
        return _system(platform, children, language, rate, asked)
    return _linux(children, lengths or Lengths(cache_file()), language, rate, asked)


def _spoken(
    engine: str, program: str, language: str, run: voices.Run
) -> tuple[str, str, Said | None]:
    """The language the service speaks, its name for it, and what to say when that is not
    ``language`` (no voice for it is installed)."""
    if language != SOURCE:
        name = voices.installed(engine, program, language, run)
        if name is not None:
            return language, name, None
    # English, the language the words are written in: every service has a voice for it.
    missing = None
    if language != SOURCE:
        missing = said(
            "no {language} voice is installed for {engine}: it speaks English",
            language=native_name(language),  # as the person who chose it reads it
            engine=engine,
        )
    return SOURCE, "", missing


def _with(why: Said, missing: Said | None) -> Said:
    return said("{why}; {missing}", why=why, missing=missing) if missing else why


def _system(
    platform: str, children: Children, language: str, rate: float, run: voices.Run
) -> VoiceChoice:
    from reminderd.speech.command import CommandSpeaker  # noqa: PLC0415

    if platform == "darwin":
        if not on_path("say"):
            return VoiceChoice(
                Silent(), said("off: no speech command found ({command})", command="say")
            )
        spoken, name, missing = _spoken("say", "say", language, run)
        argv: tuple[str, ...] = ("say", "-v", name) if name else ("say",)
        speaker = CommandSpeaker("say", argv, children, Voice("say", spoken, rate))
        return VoiceChoice(speaker, _with(said("macOS's own voice"), missing))
    if not on_path("powershell"):
        return VoiceChoice(
            Silent(), said("off: no speech command found ({command})", command="powershell")
        )
    spoken, culture, missing = _spoken("sapi", "powershell", language, run)
    culture = culture or voices.SAPI[SOURCE]
    powershell = ("powershell", "-NoProfile", "-NonInteractive", "-Command", POWERSHELL_SAY)
    voice = Voice("sapi", spoken, rate)
    speaker = CommandSpeaker("sapi", powershell, children, voice, suffix=(culture,))
    why = said("Windows' built-in SAPI voice, through PowerShell")
    return VoiceChoice(speaker, _with(why, missing))


def _linux(
    children: Children, lengths: Lengths, language: str, rate: float, run: voices.Run
) -> VoiceChoice:
    from reminderd.speech.dispatcher import DispatcherSpeaker  # noqa: PLC0415
    from reminderd.speech.espeak import EspeakSpeaker  # noqa: PLC0415

    espeak = next((p for p in ("espeak-ng", "espeak") if on_path(p)), None)
    if on_path("speech-dispatcher"):
        spoken, _tag, missing = _spoken("speech-dispatcher", "speech-dispatcher", language, run)
        measurer = Voice(espeak, spoken, rate) if espeak else None
        service = DispatcherSpeaker(children, lengths, spoken, rate, measurer)
        return VoiceChoice(service, _with(said("the desktop's speech service"), missing))
    if espeak:
        spoken, _name, missing = _spoken(espeak, espeak, language, run)
        why = said("no speech-dispatcher; {engine} is installed", engine=espeak)
        speaker = EspeakSpeaker(espeak, children, lengths, spoken, rate)
        return VoiceChoice(speaker, _with(why, missing))
    return VoiceChoice(
        Silent(),
        said(
            "off: no speech command found ({command})",
            command="speech-dispatcher, espeak-ng, espeak",
        ),
    )
