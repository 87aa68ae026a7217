"""A config that teaches itself: the commented default file kept in step with the config
reader, `config init` (and --example), `config examples`, and `config edit` with a real
editor process."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from reminderd.cli import cli
from reminderd.config import default_config_path, load_config
from reminderd.config.examples import examples
from reminderd.config.keys import SECTIONS
from reminderd.model import ALL_DAY, Config, Guidance

DEFAULT = default_config_path()
# "# key = value": a setting shown at its default. "#   ...": an example, with no default.
AT_DEFAULT = re.compile(r"^# ([a-z_]+ = .*)$", re.MULTILINE)
EXAMPLE = re.compile(r"^#   (.*)$", re.MULTILINE)


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
    for name in ("REMINDERD_CONFIG", "VISUAL", "EDITOR", "DBUS_SESSION_BUS_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def same(config: Config) -> Config:
    """The config without the file it came from, to compare two files' configs."""
    return config._replace(path=None)


def test_the_commented_default_names_every_key_the_reader_accepts() -> None:
    """Every section and every key the config reader accepts is in the commented default
    file, set, shown at its default, or in an example."""
    text = DEFAULT.read_text(encoding="utf-8")
    headers = set(re.findall(r"^(?:#   )?\[\[?([a-z_.]+)\]\]?", text, re.MULTILINE))
    assigned = set(re.findall(r"\b([a-z_]+)(?:\.[a-z]+)? = ", text))
    assert {"schedule", "guidance", "notifications", "panel", "routines"} <= headers
    assert {"exercises", "exercises.steps", "hooks", "sync"} <= headers
    for section, keys in SECTIONS.items():
        for key in keys:
            table = key in ("schedule", "notifications", "guidance", "panel", "sync")
            arrays = key in ("routines", "exercises", "hooks", "steps")
            if (section == "" and (table or arrays)) or (section, key) == ("exercises", "steps"):
                continue  # a section of its own, named by its header above
            assert key in assigned, f"{section or 'the top level'}: {key} is not in {DEFAULT}"


def test_the_defaults_shown_are_the_readers_defaults() -> None:
    """Every "# key = value" line states the default: uncommented, they change nothing, and
    the file reads as the built-in default (the one used without a config file)."""
    text = DEFAULT.read_text(encoding="utf-8")
    shown = AT_DEFAULT.findall(text)
    assert len(shown) >= 12
    uncommented = AT_DEFAULT.sub(r"\1", text)
    assert same(load_config_text(uncommented)) == same(load_config(DEFAULT))
    config = load_config(DEFAULT)
    assert config.guidance == Guidance()
    assert (config.backend, config.panel_icon, config.history_days) == ("auto", True, 365)
    assert (config.hooks, config.sync) == ((), None)


def test_the_built_in_days_are_monday_to_friday() -> None:
    """The built-in routines fire Monday to Friday, 08:00-19:00, not at the weekend."""
    hours = load_config(DEFAULT).schedule.hours
    assert all(day and day != ALL_DAY for day in hours[:5])
    assert hours[5:] == ((), ())


def test_the_examples_in_the_default_work_when_uncommented(tmp_path: Path) -> None:
    """The commented examples (an exercise of one's own with every exercise and step key,
    start = "ask", a hook, a sync folder) are valid as written."""
    text = DEFAULT.read_text(encoding="utf-8")
    assert '#   start = "ask"' in text
    every = EXAMPLE.sub(r"\1", AT_DEFAULT.sub(r"\1", text))
    every = every.replace("~/Sync/reminderd", str(tmp_path / "sync"))
    config = load_config_text(every, tmp_path)
    assert config.routine("breathe") is not None
    assert config.routine("breathe").start == "ask"  # type: ignore[union-attr]
    assert config.routine("rolls") is not None
    rolls = config.exercises["shoulder-rolls"]
    assert (rolls.sides, rolls.sets, rolls.reps, rolls.rep_label) == (
        ("back", "forward"),
        2,
        3,
        "roll",
    )
    assert [hook.event for hook in config.hooks] == ["routine.completed"]
    assert config.sync is not None


def load_config_text(text: str, folder: Path | None = None) -> Config:
    import tempfile

    where = Path(folder or tempfile.mkdtemp())
    path = where / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_config_init_writes_the_commented_default(runner: CliRunner, tmp_path: Path) -> None:
    """`config init` writes the commented file, which reads as the built-in default."""
    result = runner.invoke(cli, ["config", "init"])
    assert result.exit_code == 0, result.output
    target = tmp_path / "xdg" / "reminderd" / "config.toml"
    assert target.read_text() == DEFAULT.read_text()
    assert same(load_config(target)) == same(load_config(DEFAULT))


def test_every_shipped_example_has_working_hours_and_days() -> None:
    """No example fires round the clock or at the weekend."""
    found = examples()
    assert {item.name for item in found} >= {"minimal", "office-week"}
    for item in found:
        config = load_config(item.path)
        assert config.schedule.restricted, item.name
        assert config.schedule.hours[5:] == ((), ()), item.name


def test_config_examples_lists_them_and_init_writes_one(runner: CliRunner, tmp_path: Path) -> None:
    """`config examples` names each example with its opening comment; `config init
    --example NAME` writes that file; an unknown name says which there are."""
    listed = runner.invoke(cli, ["config", "examples"])
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[:2] == [
        "minimal      The smallest useful config: a posture check every 25 minutes, on working"
        " days only.",
        "office-week  An office week: split working hours, a short Friday, idle-aware pauses,"
        " and one exercise of your own.",
    ]
    written = runner.invoke(cli, ["config", "init", "--example", "office-week"])
    assert written.exit_code == 0, written.output
    target = tmp_path / "xdg" / "reminderd" / "config.toml"
    assert target.read_text() == (DEFAULT.parent / "examples" / "office-week.toml").read_text()
    unknown = runner.invoke(cli, ["config", "init", "--example", "ofice-week", "--force"])
    assert unknown.exit_code == 1
    assert unknown.stderr == (
        'Error: no example config called "ofice-week" (did you mean "office-week"?;'
        " known: minimal, office-week)\n"
    )


def editor(path: Path, script: str) -> str:
    """A real editor for the test: a shell script that edits the file it is given."""
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_config_edit_opens_the_editor_then_checks(runner: CliRunner, tmp_path: Path) -> None:
    """Without a file of one's own, `config edit` writes the commented default, opens
    $EDITOR on it, and checks it once the editor exits."""
    turn_on_voice = editor(tmp_path / "ed", "sed -i 's/^# voice = false/voice = true/' \"$1\"")
    result = runner.invoke(cli, ["config", "edit"], env={"EDITOR": turn_on_voice})
    assert result.exit_code == 0, result.output
    target = tmp_path / "xdg" / "reminderd" / "config.toml"
    assert result.stdout.splitlines()[0] == (
        f"Wrote {target} (the built-in routines, commented), to edit."
    )
    assert f"{target}: OK, 4 routines, " in result.stdout
    assert load_config(target).guidance.voice is True


def test_config_edit_reports_a_mistake_and_prefers_visual(
    runner: CliRunner, tmp_path: Path
) -> None:
    """$VISUAL wins over $EDITOR; a mistake saved is reported by line, with exit 2."""
    target = tmp_path / "xdg" / "reminderd" / "config.toml"
    runner.invoke(cli, ["config", "init"])
    broken = editor(tmp_path / "vis", 'sed -i \'s/^every = "30m"/every = "30"/\' "$1"')
    unused = editor(tmp_path / "ed", "exit 1")
    result = runner.invoke(cli, ["config", "edit"], env={"VISUAL": broken, "EDITOR": unused})
    assert result.exit_code == 2
    line = target.read_text().splitlines().index('every = "30"') + 1
    assert f'{target}:{line}: routines[0].every: "30" has no unit' in result.stdout


def test_config_edit_without_an_editor_says_what_to_set(runner: CliRunner) -> None:
    """No $VISUAL nor $EDITOR: a message that says what to set, exit 1."""
    result = runner.invoke(cli, ["config", "edit"])
    assert result.exit_code == 1
    assert "set $VISUAL or $EDITOR to your editor" in result.stderr


def test_a_section_added_again_says_where_its_keys_go(tmp_path: Path) -> None:
    """The commented file has every section: a [guidance] pasted again from an example is
    refused with its line, and the fix says to put the keys in the section already there."""
    from reminderd.errors import ConfigError

    text = DEFAULT.read_text() + "\n[guidance]\nvoice = true\n"
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert problem.line == len(text.splitlines()) - 1
    assert problem.fix == "the file has a [guidance] section already: put these keys in it"
