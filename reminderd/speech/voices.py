"""The voice that speaks a language on each speech service, and whether one is installed.

Each service names languages its own way, and none refuses a language it cannot speak
(espeak-ng falls back to its default voice, speech-dispatcher accepts any tag, SAPI and
``say`` keep their default voice), which would have German read by an English voice. So
the service is asked once, in a short process, which voices it has:

- espeak-ng: ``-v`` takes its voice name ("de", "fr", "es", "pt-br"). For Chinese it is
  "cmn-latn-pinyin": the "cmn" voice of espeak-ng 1.51 (Debian 12's) reads many
  characters as their pinyin spelled out with English tone numbers ("你好" as "ni three
  hao three"), while "cmn-latn-pinyin" reads the same characters in Mandarin (measured
  with ``espeak-ng -x``: tests/test_speech_language.py).
- speech-dispatcher: SSIP's ``LANGUAGE`` takes a language tag ("pt-BR"), and its
  ``LIST SYNTHESIS_VOICES`` tells which it has (``ssip.py --voices``).
- macOS ``say -v NAME``: the first voice ``say -v ?`` lists for the locale ("Anna
  de_DE").
- SAPI: the first installed voice of the culture ("de-DE"), chosen by the script that
  speaks (``choose.POWERSHELL_SAY``).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ESPEAK = {
    "en": "en",
    "de": "de",
    "es": "es",
    "fr": "fr",
    "pt_BR": "pt-br",
    "zh_CN": "cmn-latn-pinyin",
}
# speech-dispatcher's tags, as its espeak-ng module lists them (case aside).
SSIP = {
    "en": "en",
    "de": "de",
    "es": "es",
    "fr": "fr",
    "pt_BR": "pt-BR",
    "zh_CN": "cmn-latn-pinyin",
}
# macOS's and Windows' locales and cultures: a voice of the language (any "de_*", any
# "en-*"), or of the region where the language is written differently there.
SAY = {"en": "en_", "de": "de_", "es": "es_", "fr": "fr_", "pt_BR": "pt_BR", "zh_CN": "zh_CN"}
SAPI = {"en": "en-", "de": "de-", "es": "es-", "fr": "fr-", "pt_BR": "pt-BR", "zh_CN": "zh-CN"}
# speech-dispatcher's client: one line over its protocol, or its voices (``--voices``).
CLIENT = Path(__file__).with_name("ssip.py")
LIST_TIMEOUT = 10.0  # seconds a service has to list its voices (speech-dispatcher may start)

Run = Callable[[Sequence[str]], str]  # a command's output; OSError or SubprocessError if it fails


def _run(argv: Sequence[str]) -> str:
    done = subprocess.run(
        list(argv),
        capture_output=True,
        text=True,
        timeout=LIST_TIMEOUT,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return done.stdout


def espeak_voice(code: str) -> str:
    return ESPEAK.get(code, code.replace("_", "-").lower())


def ssip_language(code: str) -> str:
    return SSIP.get(code, code.replace("_", "-"))


_found: dict[tuple[str, str], str | None] = {}


def installed(engine: str, program: str, code: str, run: Run = _run) -> str | None:
    """The name by which ``engine`` (run as ``program``) speaks language ``code``, or None
    if it has no voice for it. A service that cannot list its voices is taken at its word
    (the language's usual name); asked once per process."""
    key = (engine, code)
    if key not in _found:
        _found[key] = _ask(engine, program, code, run)
    return _found[key]


def _ask(engine: str, program: str, code: str, run: Run) -> str | None:
    asking = {
        "espeak-ng": _espeak,
        "espeak": _espeak,
        "speech-dispatcher": _dispatcher,
        "say": _say,
        "sapi": _sapi,
    }.get(engine)
    if asking is None:
        return code
    try:
        return asking(program, code, run)
    except (OSError, subprocess.SubprocessError, IndexError, ValueError):
        # It cannot tell: its usual name for the language, and its word for it.
        return espeak_voice(code) if engine.startswith("espeak") else ssip_language(code)


def _espeak(program: str, code: str, run: Run) -> str | None:
    wanted = espeak_voice(code)
    names: set[str] = set()
    for line in run([program, "--voices"]).splitlines()[1:]:
        fields = line.split()
        if len(fields) > 1:
            names.add(fields[1].lower())
        # "fr-fr ... (fr 5)": the languages it also answers to, in parentheses
        names.update(part.strip("(").lower() for part in fields if part.startswith("("))
    return wanted if wanted in names else None


def _dispatcher(_program: str, code: str, run: Run) -> str | None:
    wanted = ssip_language(code)
    listed = run([sys.executable, "-I", "-S", str(CLIENT), "--voices"]).split()
    return wanted if wanted.lower() in {tag.lower() for tag in listed} else None


def _say(program: str, code: str, run: Run) -> str | None:
    """The name of the first voice ``say -v ?`` lists for the language's locale."""
    prefix = SAY.get(code, code)
    for line in run([program, "-v", "?"]).splitlines():
        parts = line.partition("#")[0].rstrip().rsplit(None, 1)
        if len(parts) == 2 and parts[1].startswith(prefix):
            return parts[0].strip()
    return None


def _sapi(program: str, code: str, run: Run) -> str | None:
    prefix = SAPI.get(code, code)
    cultures = run([program, "-NoProfile", "-NonInteractive", "-Command", LIST_SAPI]).split()
    return prefix if any(culture.startswith(prefix) for culture in cultures) else None


LIST_SAPI = (
    "Add-Type -AssemblyName System.Speech; "
    "(New-Object System.Speech.Synthesis.SpeechSynthesizer).GetInstalledVoices() | "
    "ForEach-Object { $_.VoiceInfo.Culture.Name }"
)
