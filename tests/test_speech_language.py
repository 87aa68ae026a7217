"""The voice speaks the notes' language: each speech service is told it its own way, asked
whether it has a voice for it, and when it has none says so and speaks the words in
English (never German words in an English voice). macOS's `say` and Windows' SAPI cannot
run here: their voice lists come from stand-ins, named so below."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

import pytest

from reminderd.children import Children
from reminderd.i18n import text
from reminderd.speech import voices
from reminderd.speech.choose import choose as choose_voice
from reminderd.speech.command import CommandSpeaker
from reminderd.speech.dispatcher import DispatcherSpeaker
from reminderd.speech.timing import Lengths

ESPEAK_VOICES = {
    "de": "de",
    "fr": "fr",
    "es": "es",
    "pt_BR": "pt-br",
    "zh_CN": "cmn-latn-pinyin",
    "en": "en",
}


@pytest.fixture(autouse=True)
def _fresh_answers() -> None:
    """Each test asks the services anew (answers are kept per process)."""
    voices._found.clear()


def _only(monkeypatch: pytest.MonkeyPatch, *programs: str) -> None:
    import reminderd.speech.choose as chooser

    monkeypatch.setattr(chooser, "on_path", lambda program: program in programs)


@pytest.mark.parametrize(("code", "voice"), ESPEAK_VOICES.items())
def test_espeak_ng_is_told_the_voice_of_the_language(
    code: str, voice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """espeak-ng gets `-v` with its own voice for each language (Chinese: cmn-latn-pinyin),
    found installed by asking espeak-ng itself."""
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    _only(monkeypatch, "espeak-ng")
    chosen = choose_voice(True, Children(), platform="linux", language=code)
    assert isinstance(chosen.speaker, CommandSpeaker)
    assert chosen.speaker.argv[:3] == ("espeak-ng", "-v", voice)
    assert chosen.speaker.language == code
    assert str(chosen.reason) == "no speech-dispatcher; espeak-ng is installed"


def test_espeak_ngs_cmn_voice_spells_chinese_out_in_english_and_cmn_latn_pinyin_reads_it() -> None:
    """The measured reason for cmn-latn-pinyin: espeak-ng 1.51's "cmn" voice reads 你好 as
    its pinyin with English tone numbers (phonemes marked "(en)", "three" as Tr'i:), the
    "cmn-latn-pinyin" voice in Mandarin tones only."""
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")

    def phonemes(voice: str) -> str:
        done = subprocess.run(
            ["espeak-ng", "-v", voice, "-q", "-x", "你好，保持十秒。"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        return done.stdout

    assert "(en)" in phonemes("cmn")
    pinyin = phonemes("cmn-latn-pinyin")
    assert "(en)" not in pinyin
    assert "n'i35" in pinyin  # nǐ, read in its tone


def test_without_a_voice_for_the_language_it_says_so_and_speaks_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An espeak-ng that lists no German voice (a stand-in answer): the voice speaks the
    English words, and the reason says why, in the reader's language too."""
    _only(monkeypatch, "espeak-ng")

    def listed(argv: Sequence[str]) -> str:
        assert list(argv) == ["espeak-ng", "--voices"]
        return "Pty Language Age/Gender VoiceName File Other\n 5  en  --/M English gmw/en\n"

    chosen = choose_voice(True, Children(), platform="linux", language="de", run=listed)
    assert isinstance(chosen.speaker, CommandSpeaker)
    assert chosen.speaker.language == "en"
    assert chosen.speaker.argv[:3] == ("espeak-ng", "-v", "en")
    assert str(chosen.reason) == (
        "no speech-dispatcher; espeak-ng is installed;"
        " no Deutsch voice is installed for espeak-ng: it speaks English"
    )
    from reminderd.i18n import speaking

    with speaking("de"):
        assert text(chosen.reason).endswith(
            "für espeak-ng ist keine Stimme für Deutsch installiert: sie spricht Englisch"
        )


def test_speech_dispatcher_is_told_the_language_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    """speech-dispatcher gets SSIP's tag of the language (pt-BR, cmn-latn-pinyin), which it
    lists among its voices (a stand-in list here; tests/test_e2e_language.py asks a real
    one)."""
    _only(monkeypatch, "speech-dispatcher", "espeak-ng")

    def listed(argv: Sequence[str]) -> str:
        assert argv[-1] == "--voices"
        return "en\nde\npt-BR\ncmn-LATN-PINYIN\n"

    for code, tag in (("pt_BR", "pt-BR"), ("zh_CN", "cmn-latn-pinyin"), ("de", "de")):
        chosen = choose_voice(True, Children(), platform="linux", language=code, run=listed)
        assert isinstance(chosen.speaker, DispatcherSpeaker)
        assert chosen.speaker.language == code
        assert chosen.speaker.command("Hallo.")[4] == tag
    voices._found.clear()
    french = choose_voice(True, Children(), platform="linux", language="fr", run=listed)
    assert french.speaker.language == "en"
    assert str(french.reason).endswith(
        "no Français voice is installed for speech-dispatcher: it speaks English"
    )


def test_macos_say_speaks_with_a_voice_of_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for macOS (which cannot run here): `say -v ?` lists its voices by
    locale; the first of the language speaks, by name; none: `say` in English."""
    _only(monkeypatch, "say")

    def listed(argv: Sequence[str]) -> str:
        assert list(argv) == ["say", "-v", "?"]
        return (
            "Alex                en_US    # Most people recognize me by my voice.\n"
            "Anna                de_DE    # Hallo, ich heiße Anna.\n"
            "Good News           en_US    # Congratulations!\n"
            "Tingting            zh_CN    # 你好，我叫婷婷。\n"
        )

    german = choose_voice(True, Children(), platform="darwin", language="de", run=listed)
    assert isinstance(german.speaker, CommandSpeaker)
    assert german.speaker.argv == ("say", "-v", "Anna")
    chinese = choose_voice(True, Children(), platform="darwin", language="zh_CN", run=listed)
    assert isinstance(chinese.speaker, CommandSpeaker)
    assert chinese.speaker.argv == ("say", "-v", "Tingting")
    french = choose_voice(True, Children(), platform="darwin", language="fr", run=listed)
    assert isinstance(french.speaker, CommandSpeaker)
    assert (french.speaker.argv, french.speaker.language) == (("say",), "en")


def test_windows_sapi_chooses_a_voice_of_the_culture(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for Windows (which cannot run here): the installed voices' cultures are
    listed through PowerShell; the speaking script gets the culture as its second argument
    (the words the first, never pasted into the script)."""
    _only(monkeypatch, "powershell")

    def listed(argv: Sequence[str]) -> str:
        assert argv[0] == "powershell"
        assert "GetInstalledVoices" in argv[-1]
        return "en-US\r\nde-DE\r\npt-BR\r\n"

    german = choose_voice(True, Children(), platform="win32", language="de", run=listed)
    assert isinstance(german.speaker, CommandSpeaker)
    assert german.speaker.command("Hallo.")[-2:] == ["Hallo.", "de-"]
    assert "$args[1]" in german.speaker.argv[-1]
    chinese = choose_voice(True, Children(), platform="win32", language="zh_CN", run=listed)
    assert chinese.speaker.language == "en"
    assert isinstance(chinese.speaker, CommandSpeaker)
    assert chinese.speaker.command("Hello.")[-2:] == ["Hello.", "en-"]


def test_a_service_that_cannot_list_its_voices_is_taken_at_its_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A voice list that fails (the service did not answer) does not silence the voice:
    the language is asked for by its usual name."""
    _only(monkeypatch, "espeak-ng")

    def failing(argv: Sequence[str]) -> str:
        raise subprocess.TimeoutExpired(list(argv), 10)

    chosen = choose_voice(True, Children(), platform="linux", language="fr", run=failing)
    assert chosen.speaker.language == "fr"


def test_an_english_voice_is_not_asked_for_its_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """English needs no question: every service speaks it (no subprocess at start)."""
    _only(monkeypatch, "espeak-ng")

    def never(argv: Sequence[str]) -> str:
        raise AssertionError(argv)

    chosen = choose_voice(True, Children(), platform="linux", language="en", run=never)
    assert chosen.speaker.language == "en"
    assert isinstance(Lengths(None), Lengths)
