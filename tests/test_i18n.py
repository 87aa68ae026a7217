"""The catalogues: complete in every language, in step with the sources and compiled; the
language chosen the way gettext chooses it; texts said again in the reader's language;
every step's banner line within what a banner shows, in every language."""

from __future__ import annotations

import functools
import gettext
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from reminderd import i18n
from reminderd.config import default_config_path, load_config
from reminderd.config.files import read_toml
from reminderd.exercises import routine_for, routine_steps, shown_and_said
from reminderd.guide import first_line, notes_for
from reminderd.i18n import _, po, speaking, text
from reminderd.i18n.__main__ import (
    TRANSLATED,
    back,
    back_file,
    compiled,
    health,
    problems,
    read_back,
)
from reminderd.i18n.extract import shadowed, template
from reminderd.i18n.formats import day_text, decimal, duration, long_date, width
from reminderd.i18n.languages import (
    NAMES,
    available,
    catalogue_file,
    from_environment,
    locale_dir,
)
from reminderd.i18n.mo import Catalogue
from reminderd.i18n.said import gather, restore, said, said_join, said_plural, unwire, wire
from reminderd.speech import words

ROOT = Path(__file__).resolve().parent.parent
# Columns of a step's first line that every desktop shows (GNOME Shell's banner, the
# narrowest, shows 53 to 58 of a hold's body: tests/test_e2e_gnome.py); the intro's first
# line, the stop rule, may take up to INTRO.
BANNER = 45
INTRO = 53


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    """Each test leaves the process speaking English, as it found it."""
    yield
    i18n.use("en")


@functools.cache
def _template() -> tuple[po.Entry, ...]:
    return tuple(template(ROOT))


def _catalogue(code: str) -> list[po.Entry]:
    path = ROOT / "po" / f"{code}.po"
    return po.parse(path.read_text(encoding="utf-8"), str(path))


def test_the_template_is_made_from_the_sources_as_they_are() -> None:
    """po/reminderd.pot is what `python -m reminderd.i18n extract` makes of the sources now:
    a sentence added or changed in the code is in it."""
    made = po.render(list(_template()))
    assert (ROOT / "po" / "reminderd.pot").read_text(encoding="utf-8") == made, (
        "run `python -m reminderd.i18n update` and translate what it marks"
    )


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(code: str) -> None:
    """Every message of the sources has a translation that is neither missing, empty nor
    fuzzy, with the same named placeholders as the English ({side}, {seconds}, ...)."""
    assert problems(code, _catalogue(code), list(_template())) == []


@pytest.mark.parametrize("code", ["en", *TRANSLATED])
def test_the_compiled_catalogues_are_those_of_the_sources(code: str) -> None:
    """reminderd/locale/*/LC_MESSAGES/reminderd.mo is what `python -m reminderd.i18n compile`
    makes of po/ now (so an editable install and a wheel carry the same)."""
    assert Path(catalogue_file(code)).read_bytes() == compiled(ROOT, code), (
        "run `python -m reminderd.i18n compile`"
    )


def test_no_function_calls_the_translation_under_a_variable_of_its_name() -> None:
    """No function both binds `_` (a loop's throwaway) and calls `_()`: the call would find
    the variable."""
    found = [place for path in (ROOT / "reminderd").rglob("*.py") for place in shadowed(path)]
    assert found == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_catalogue_reader_finds_what_gettext_finds(code: str) -> None:
    """Looking a message up in place (binary search over the .mo) gives what the standard
    library's gettext gives for every message, its plural forms and contexts included."""
    mine = Catalogue(Path(catalogue_file(code)).read_bytes())
    with open(catalogue_file(code), "rb") as file:
        theirs = gettext.GNUTranslations(file)
    for entry in _catalogue(code):
        if entry.obsolete or not entry.msgid:
            continue
        if entry.plural is not None:
            for count in (0, 1, 2, 5, 21):
                got = mine.ngettext(entry.msgid, entry.plural, count)
                assert got == theirs.ngettext(entry.msgid, entry.plural, count)
        elif entry.context is not None:
            assert mine.pgettext(entry.context, entry.msgid) == theirs.pgettext(
                entry.context, entry.msgid
            )
        else:
            assert mine.gettext(entry.msgid) == theirs.gettext(entry.msgid)
    assert mine.gettext("not a message of reminderd") == "not a message of reminderd"


@pytest.mark.parametrize(
    ("environ", "code"),
    [
        ({"LANGUAGE": "de", "LANG": "fr_FR.UTF-8"}, "de"),
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}, "fr"),
        ({"LC_MESSAGES": "es_ES.UTF-8", "LANG": "de_DE.UTF-8"}, "es"),
        ({"LANG": "pt_BR.UTF-8"}, "pt_BR"),
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "de_AT.UTF-8@euro"}, "de"),
        ({"LANGUAGE": "ja:fr", "LANG": "de_DE.UTF-8"}, "fr"),
        ({"LANGUAGE": "en:de"}, "en"),
        ({"LANGUAGE": "", "LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "ja_JP.UTF-8"}, "en"),
        ({"LANG": "zh_TW.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_is_found_as_gettext_finds_it(
    environ: dict[str, str], code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LANGUAGE, LC_ALL, LC_MESSAGES, LANG in that order, the first set decides; LANGUAGE
    may list several; a language reminderd lacks, and C, mean English. The standard
    library's gettext (which click's own sentences go through) finds the same catalogue."""
    assert from_environment(environ)[0] == code
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    theirs = gettext.find("reminderd", locale_dir())
    assert (Path(theirs).parent.parent.name if theirs else "en") == code


def test_each_language_has_a_catalogue_and_a_name_in_itself() -> None:
    """The languages `status` and `check` name are the ones with catalogues."""
    assert available() == tuple(NAMES)
    for code in available():
        assert Path(catalogue_file(code)).is_file()
    assert NAMES["zh_CN"][0] == "简体中文"


def test_guidance_language_is_read_and_checked(tmp_path: Path) -> None:
    """[guidance] language takes a language reminderd has ("pt-BR" is pt_BR); another is a
    problem that names the ones there are."""
    from reminderd.errors import ConfigError
    from tests.test_configfile import load_config_text

    base = '[[routines]]\nname = "p"\nexercises = ["posture-check"]\nevery = "30m"\n'
    read = load_config_text(base + '[guidance]\nlanguage = "pt-BR"\n', tmp_path)
    assert read.guidance.language == "pt_BR"
    assert load_config_text(base, tmp_path).guidance.language == ""
    with pytest.raises(ConfigError) as raised:
        load_config_text(base + '[guidance]\nlanguage = "ja"\n', tmp_path)
    (problem,) = raised.value.problems
    assert str(problem.message) == "no translation for 'ja'"
    assert '"de", "es", "fr", "pt_BR", "zh_CN"' in str(problem.fix)


def test_a_said_text_is_english_and_said_again_in_another_language() -> None:
    """A Said is its English sentence wherever a str goes (logs, JSON); it travels between
    processes beside the reply and is said again in the reader's language, values,
    plurals and lists included."""
    reason = said(
        "{why}; {missing}",
        why=said("no speech-dispatcher; {engine} is installed", engine="espeak-ng"),
        missing=said_plural(2, "{count} damaged line", "{count} damaged lines"),
    )
    assert reason == "no speech-dispatcher; espeak-ng is installed; 2 damaged lines"
    reply = {"voice_reason": reason, "holds": [said_join(", ", [said("call"), "x11"])]}
    again = restore({"voice_reason": str(reason), "holds": ["call, x11"]}, gather(reply))
    i18n.use("de")
    assert text(again["voice_reason"]) == (
        "kein speech-dispatcher; espeak-ng ist installiert; 2 beschädigte Zeilen"
    )
    assert text(again["holds"][0]) == "Anruf, x11"
    assert text(unwire(wire(reason))) == text(reason)


def test_a_translation_that_lost_a_placeholder_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A catalogue whose translation cannot be filled in with the values says the English."""
    i18n.use("de")
    monkeypatch.setattr(i18n, "_", lambda _message: "kaputt {nirgends}")
    assert text(said("{path} is unchanged.", path="x")) == "x is unchanged."


@pytest.mark.parametrize(
    ("code", "seconds", "shown"),
    [
        ("en", 5400, "1h30m"),
        ("de", 5400, "1 h 30 min"),
        ("fr", 110, "1 min 50 s"),
        ("zh_CN", 42, "42秒"),
        ("zh_CN", 2.5, "2.5秒"),
        ("de", 2.5, "2,5 s"),
        ("pt_BR", 3600, "1 h"),
    ],
)
def test_lengths_of_time_as_each_language_writes_them(
    code: str, seconds: float, shown: str
) -> None:
    """Durations for reading in each language's units and decimal mark; English keeps its
    compact ones."""
    with speaking(code):
        assert duration(seconds) == shown


def test_dates_and_numbers_as_each_language_writes_them() -> None:
    """Days, dates and decimals in each language's order and names."""
    day = date(2026, 11, 23)
    expected = {
        "en": ("Mon 23 Nov", "Monday 23 November 2026", "1.5"),
        "de": ("Mo., 23. Nov.", "Montag, 23. November 2026", "1,5"),
        "fr": ("lun. 23 nov.", "lundi 23 novembre 2026", "1,5"),
        "zh_CN": ("11月23日 周一", "2026年11月23日 星期一", "1.5"),
    }
    for code, (short, full, number) in expected.items():
        with speaking(code):
            assert (day_text(day), long_date(day), decimal(1.5)) == (short, full, number)


def test_a_wide_character_takes_two_columns() -> None:
    """Chinese characters and full-width punctuation count double, as a banner draws them."""
    assert width("Hold 10s") == 8
    assert width("保持10秒：") == 10


@pytest.mark.parametrize("code", ["en", *TRANSLATED])
def test_every_step_line_fits_a_banner_in_every_language(code: str) -> None:
    """Each step's first line (the action, the side and the seconds) of every built-in
    exercise and routine takes at most 45 columns in every language, a Chinese character
    two; the intro's (the stop rule) at most 53."""
    config = load_config(default_config_path())
    names = [*config.exercises, *(r.name for r in config.routines)]
    too_long = []
    with speaking(code):
        for name in names:
            routine = routine_for(name, config.routines, config.exercises)
            for step in routine_steps(routine, config.exercises, config.guidance):
                line = notes_for((step,))[0].body.splitlines()[0] if step.kind == "intro" else ""
                limit = INTRO if step.kind == "intro" else BANNER
                line = line or first_line(step)
                if step.kind != "done" and width(line) > limit:
                    too_long.append(f"{width(line)}: {line}")
    assert too_long == []


def test_the_steps_are_shown_and_said_in_the_language() -> None:
    """In German the notes and the words are German: the hold's length and count in words
    a German voice reads ("Halte 10 Sekunden."), the side agreeing with its noun."""
    config = load_config(default_config_path())
    neck = routine_for("neck", config.routines, config.exercises)
    with speaking("de"):
        steps = routine_steps(neck, config.exercises, config.guidance)
        said = [words(steps, index) for index in range(len(steps))]
        assert first_line(steps[3]) == "Halte 10 s: Kinn zum rechten Schlüsselbein"
        assert steps[0].text == "Stopp bei Schmerz, Kribbeln, Taubheit, Schwindel"
        assert said[1] == "Kinn zum Schlüsselbein. Rechte Seite. Hände hinter den Kopf."
        assert said[2] == (
            "Lass deine Arme dein Kinn sanft zum rechten Schlüsselbein führen. Halte 10 Sekunden."
        )
        assert said[-1] == "Fertig. Gut gemacht."
        assert steps[1].position == "rechte Seite"


def test_a_voice_without_the_language_says_the_english_words_in_step() -> None:
    """With no voice for the notes' language, the notes stay German and the words are the
    English ones, each step as long in both (the voice's words set the lengths)."""
    config = load_config(default_config_path())
    neck = routine_for("neck", config.routines, config.exercises)
    with speaking("de"):
        shown, spoken = shown_and_said(
            neck, config.exercises, config.guidance, voice="en", timing=lambda line: 2.0
        )
        assert shown[0].text.startswith("Stopp bei Schmerz")
    assert spoken[0].text.startswith("Stop on pain")
    assert [s.seconds for s in shown] == [s.seconds for s in spoken]
    with speaking("en"):
        assert words(spoken, 2).endswith("Hold 10 seconds.")


def test_status_in_german_names_the_language_and_says_the_reasons_in_german() -> None:
    """`reminderd status` says what the daemon found (in English, in the reply) in the
    reader's language, and which language the notes and the voice speak."""
    from reminderd.statusline import status_lines

    reply = {
        "reminderd": "0.1.0",
        "pid": 7,
        "uptime": 600,
        "config": "/c.toml",
        "config_origin": "user",
        "backend": "freedesktop",
        "backend_reason": said("asked for in the config"),
        "voice": "off",
        "voice_reason": said("off ([guidance] voice = false)"),
        "sounds": "off",
        "sounds_reason": said("off ([guidance] sounds = false)"),
        "dnd": None,
        "dnd_reason": said("no notification server to ask"),
        "idle": {"note": said("{source} answers", source="x11")},
        "holds": [],
        "panel_reason": said("off: [panel] icon = false"),
        "language": "de",
        "language_reason": said("[guidance] language"),
        "paused": False,
        "paused_until": None,
        "routines": [],
    }
    now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    i18n.use("de")
    lines = status_lines(reply, now)  # type: ignore[arg-type]
    assert lines[:3] == [
        "reminderd 0.1.0 läuft (PID 7, seit 10 min)",
        "Konfiguration: /c.toml (Benutzer)",
        "Benachrichtigungen: freedesktop (in der Konfiguration verlangt)",
    ]
    assert "Stimme: aus ([guidance] voice = false)" in lines
    assert "Sprache: Deutsch (de: [guidance] language)" in lines


def test_status_in_another_language_loads_neither_typing_nor_gettext(
    user_env: dict[str, str],
) -> None:
    """`reminderd status` in German reads its catalogue in place: neither typing nor the
    standard library's gettext is imported (status bars run it every few seconds)."""
    # What was loaded before reminderd does not count (a coverage run loads typing itself).
    probe = (
        "import sys; before = set(sys.modules); from reminderd import i18n;"
        " import reminderd.statusline; from reminderd.when import when_text;"
        " from datetime import datetime, timedelta; i18n.use('de'); n = datetime.now().astimezone();"
        " print(when_text(n + timedelta(minutes=12), n));"
        " print(*(name in sys.modules and name not in before for name in ('typing', 'gettext')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**user_env, "LANGUAGE": "de"},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert done.stdout.splitlines()[1] == "False False"
    assert done.stdout.splitlines()[0].endswith("(in 12 min)")


def test_every_command_has_its_help_in_each_language() -> None:
    """Each command's --help and each option's help come from the catalogue, whichever
    language was asked for before: none is left in English."""
    import inspect

    import click

    from reminderd.cli import cli
    from reminderd.cli.base import localized

    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    english: dict[str, list[str]] = {}
    for name in names:
        command = cli.get_command(ctx, name)
        assert command is not None
        assert command.help
        options = [p.help for p in command.params if isinstance(p, click.Option) and p.help]
        english[name] = [inspect.cleandoc(command.help), *options]
    for code in TRANSLATED:
        i18n.use(code)
        for name in names:
            command = localized(cli.get_command(ctx, name))  # type: ignore[arg-type]
            options = [p.help for p in command.params if isinstance(p, click.Option) and p.help]
            shown = [command.help, *options]
            assert shown == [_(text) for text in english[name]], f"{code}: {name}"
            assert not set(shown) & set(english[name]), f"{code}: {name}"


def test_the_exercise_files_texts_are_all_in_the_template() -> None:
    """Every text of every built-in exercise is a message of the catalogues, once per side
    where it names the side: a translator meets each whole."""
    ids = {entry.msgid for entry in _template()}
    for path in (ROOT / "exercises").glob("*.toml"):
        data, _where = read_toml(path)
        sides = data.get("sides", [])
        specs = [data.get("setup") or {}, *data.get("steps", [])]
        for spec in specs:
            for key in ("text", "detail", "say"):
                value = spec.get(key)
                if not value:
                    continue
                expanded = [value.format(side=s) for s in sides] if "{side}" in value else [value]
                assert set(expanded) <= ids, (path.name, key, value)


def test_the_language_variables_reach_the_command_line(user_env: dict[str, str]) -> None:
    """`LANGUAGE=zh_CN reminderd --help` is Chinese, click's own words included."""
    done = subprocess.run(
        [sys.executable, "-m", "reminderd", "--help"],
        env={**user_env, "LANGUAGE": "zh_CN", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert done.stdout.startswith("用法: reminderd [OPTIONS] COMMAND [ARGS]...")
    assert "显示此帮助并退出。" in done.stdout
    assert "引导式颈部练习" in done.stdout


def test_an_english_catalogue_stops_gettext_at_english() -> None:
    """LANGUAGE=en:de is English for click's sentences too: the English catalogue (a header
    only) is found first."""
    with open(catalogue_file("en"), "rb") as file:
        english = gettext.GNUTranslations(file)
    assert english.gettext("Usage:") == "Usage:"
    assert _("Usage:") == "Usage:"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_health_message_is_read_back_into_english(code: str) -> None:
    """po/back/<code>.toml holds each health message (exercises, safety text, the guide's
    lines) with its translation as the catalogue has it now, read back into English: a
    translation changed since it was read back, or one never read back, fails."""
    pot = list(_template())
    path = back_file(ROOT, code)
    assert path.read_text(encoding="utf-8") == back(ROOT, code), (
        f"run `python -m reminderd.i18n back {code}` and read back what it empties"
    )
    messages = read_back(path)
    assert [m["english"] for m in messages] == [e.msgid for e in health(pot)]
    unread = []
    for message in messages:
        readings = message["back"]
        if not (isinstance(readings, list) and readings and all(readings)):
            unread.append(message["english"])
    assert unread == []


@pytest.mark.parametrize("code", ["en", *TRANSLATED])
def test_the_built_in_routines_with_the_voice_on_check_clean_in_every_language(
    code: str, tmp_path: Path
) -> None:
    """The built-in config with `voice = true`, read in each language: no problem and no
    warning (every step's words are timed in the words said, and the steps last as long
    as them; every hold's opening words end in time)."""
    config = tmp_path / "voiced.toml"
    default = default_config_path().read_text(encoding="utf-8")
    config.write_text(default.replace("[guidance]\n", "[guidance]\nvoice = true\n", 1))
    i18n.use(code)
    loaded = load_config(config)  # a problem raises ConfigError, with every one listed
    assert loaded.guidance.voice is True
    assert [str(warning) for warning in loaded.warnings] == []
