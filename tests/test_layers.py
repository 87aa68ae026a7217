"""System-wide defaults (/etc/xdg/reminderd/config.toml and $XDG_CONFIG_DIRS) read under
the person's own file, key by key, with the file and line of every value; `[locked]`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reminderd.cli import cli
from reminderd.config import find_config, load_config
from reminderd.errors import ConfigError

ORG = """\
[schedule]
working_hours = ["09:00-17:00"]
days = ["mon", "tue", "wed", "thu", "fri"]

[[routines]]
name = "neck"
exercises = ["chin-to-collarbone"]
every = "1h30m"

[[exercises]]
id = "desk-stretch"
title = "Desk stretch"
steps = [{text = "Stretch", seconds = 5}]

[sync]
folder = "/srv/sync/reminderd"

[locked]
keys = ["schedule.working_hours", "sync.folder"]
"""

MINE = """\
[schedule]
working_hours = ["08:00-18:00"]
pause_when_idle = "5m"

[sync]
machine = "desk"
"""


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An organisation's file in a folder of XDG_CONFIG_DIRS, and a person's file."""
    system = tmp_path / "xdg" / "reminderd"
    system.mkdir(parents=True)
    (system / "config.toml").write_text(ORG)
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{tmp_path / 'none'}:{tmp_path / 'xdg'}")
    mine = tmp_path / "mine.toml"
    mine.write_text(MINE)
    return mine


def test_system_defaults_are_read_under_the_persons_file_key_by_key(org: Path) -> None:
    """Tables merge key by key: the organisation's days and routines, the person's
    pause_when_idle and machine; a locked key keeps the organisation's value."""
    config = load_config(find_config(org))
    assert config.schedule.ranges_on(0)[0][0].hour == 9  # locked: 09:00, not 08:00
    assert config.schedule.ranges_on(5) == ()  # the organisation's days
    assert config.schedule.pause_when_idle == 300
    assert [r.name for r in config.routines] == ["neck"]
    assert "desk-stretch" in config.exercises
    assert config.sync is not None
    assert (str(config.sync.folder), config.sync.machine) == ("/srv/sync/reminderd", "desk")
    system = org.parent / "xdg" / "reminderd" / "config.toml"
    assert [str(w) for w in config.warnings] == [
        f"{org}:2: schedule.working_hours: locked by the system-wide file {system}:19"
        " ([locked] schedule.working_hours); the value from there stays in force"
        " (remove it from this file, or ask whoever looks after the system-wide file)"
    ]


def test_config_path_and_check_name_the_file_of_each_setting(org: Path) -> None:
    """`config path` and `check` list each setting with its file and line, locked ones
    marked; `check` says that the person's file tries to change a locked key."""
    system = org.parent / "xdg" / "reminderd" / "config.toml"
    runner = CliRunner()
    shown = runner.invoke(cli, ["config", "path", "--config", str(org)])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines() == [
        f"{org} (--config)",
        "Read in this order, each over the one before:",
        f"  {system} (system)",
        f"  {org} (--config)",
        "Settings, and where each comes from:",
        f"  exercises.desk-stretch    {system}:10",
        f"  routines                  {system}:5",
        f"  schedule.days             {system}:3",
        f"  schedule.pause_when_idle  {org}:3",
        f"  schedule.working_hours    {system}:2 (locked)",
        f"  sync.folder               {system}:16 (locked)",
        f"  sync.machine              {org}:6",
    ]
    checked = runner.invoke(cli, ["check", str(org)])
    assert checked.exit_code == 0, checked.output
    lines = checked.stdout.splitlines()
    assert lines[0].startswith(f"warning: {org}:2: schedule.working_hours: locked by")
    assert lines[1] == f"{org}: OK, 1 routine, 6 exercises."
    settings = shown.stdout.splitlines()[1:]
    assert lines[2 : 2 + len(settings)] == settings


def test_a_broken_system_file_names_its_file_line_key_and_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistake in the organisation's file is reported there, not in the person's."""
    system = tmp_path / "xdg" / "reminderd" / "config.toml"
    system.parent.mkdir(parents=True)
    system.write_text(
        '[schedule]\ndayz = ["mon"]\n\n[[routines]]\nname = "neck"\n'
        'exercises = ["chin-to-collarbone"]\nevery = 45\n\n[locked]\nkeys = ["schedule.workinghours"]\n'
    )
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))
    mine = tmp_path / "mine.toml"
    mine.write_text("[guidance]\nvoice = false\n")
    with pytest.raises(ConfigError) as caught:
        load_config(find_config(mine))
    assert [str(p) for p in caught.value.problems] == [
        f'{system}:2: schedule.dayz: unknown key "dayz" (did you mean "days"?)',
        f'{system}:7: routines[0].every: 45 has no unit (write every = "45m" or "45s")',
        f'{system}:10: locked.keys[0]: "schedule.workinghours": no such key in [schedule] (did you mean "working_hours"?)',
    ]


def test_a_system_file_with_a_syntax_error_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TOML that does not parse in the system file: its path, line and column."""
    system = tmp_path / "xdg" / "reminderd" / "config.toml"
    system.parent.mkdir(parents=True)
    system.write_text('[schedule]\ndays = ["mon"\n')
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 2
    assert result.stdout.startswith(f"{system}:2: TOML syntax: Unclosed array")


def test_only_a_system_file_can_lock(tmp_path: Path) -> None:
    """[locked] in a person's own file is a mistake, with the fix."""
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[routines]]\nname = "n"\nexercises = ["posture-check"]\nevery = "1h"\n[locked]\nkeys = ["routines"]\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(find_config(mine))
    assert [str(p) for p in caught.value.problems] == [
        f"{mine}:5: locked: only a system-wide file (in $XDG_CONFIG_DIRS, /etc/xdg by default) can lock keys (remove [locked] from this file)"
    ]


def test_the_most_important_system_folder_wins_and_lower_locks_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first folder of XDG_CONFIG_DIRS is read over the later ones, but cannot change
    what a later one locked; with no file of the person's, the built-in routines stay
    under them."""
    for name, text in (
        ("site", '[schedule]\ndays = ["mon"]\nworking_hours = ["07:00-17:00"]\n'),
        (
            "base",
            '[schedule]\ndays = ["tue"]\nworking_hours = ["10:00-12:00"]\n[locked]\nkeys = ["schedule.days"]\n',
        ),
    ):
        folder = tmp_path / name / "reminderd"
        folder.mkdir(parents=True)
        (folder / "config.toml").write_text(text)
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{tmp_path / 'site'}:{tmp_path / 'base'}")
    config = load_config(find_config())  # no file of the person's: the built-in default
    assert config.schedule.ranges_on(1)[0][0].hour == 7  # site's hours, base's locked days
    assert config.schedule.ranges_on(0) == ()
    assert [r.name for r in config.routines] == ["posture", "neck", "shoulders", "breathe"]
