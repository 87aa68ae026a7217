"""Config and exercise files: every mistake found, each with file, line, key and fix."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from reminderd.config import (
    ConfigSource,
    find_config,
    load_config,
    load_library,
    user_config_path,
)
from reminderd.errors import ConfigError
from reminderd.model import ALL_DAY
from reminderd.sources import ARTICLES, OWN
from reminderd.tomlmap import TomlMap

SEEDS = {
    "000_91de0cbf5c0d124c.txt",
    "001_ca2fbe79079b621f.txt",
    "002_a39b60545ab819be.txt",
    "003_8ca7b13792458e4d.txt",
    "004_8e9ddecb5037ed4d.txt",
}


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [str(p).removeprefix(f"{path}:").lstrip() for p in caught.value.problems]


def test_built_in_library_loads_and_names_its_sources() -> None:
    """Every built-in exercise is valid and names the source article(s) it comes from."""
    library = load_library()
    assert set(library) == {
        "chin-to-collarbone",
        "shoulder-blade-squeeze",
        "posture-check",
        "breathing-break",
        "neck-range-of-motion",
    }
    for exercise in library.values():
        assert exercise.sources, exercise.id
        # An article by its file name, or "reminderd" for a movement the articles lack.
        assert set(exercise.sources) <= SEEDS | {OWN}, exercise.id
        assert set(exercise.sources) <= set(ARTICLES) | {OWN}, exercise.id
        assert exercise.title, exercise.id
        assert exercise.summary, exercise.id


def test_default_config_loads() -> None:
    """The built-in default config is valid and every routine has a trigger."""
    source = find_config(environ={})
    config = load_config(ConfigSource(source.path, "default") if source.is_default else source)
    assert config.routines
    for routine in config.routines:
        assert routine.trigger.every or routine.trigger.at


def test_full_config_is_read(tmp_path: Path) -> None:
    """Working hours, per-day overrides, idle settings, routines and user exercises."""
    path = tmp_path / "config.toml"
    path.write_text("""
[schedule]
working_hours = ["09:00-12:30", "13:30-18:00"]
days = "weekdays"
pause_when_idle = "5m"
natural_break = "10m"
[schedule.hours]
friday = ["09:00-13:00"]

[notifications]
backend = "console"

[[routines]]
name = "neck"
exercises = ["chin-to-collarbone", "wall-angel"]
every = "45m"
at = ["15:00", "10:30"]
days = ["mon", "wed"]
start = "ask"

[[exercises]]
id = "wall-angel"
title = "Wall angel"
hold = "4s"
[[exercises.steps]]
text = "Slide up."
""")
    config = load_config(path)
    schedule = config.schedule
    assert schedule.hours[0] == ((time(9), time(12, 30)), (time(13, 30), time(18)))
    assert schedule.hours[4] == ((time(9), time(13)),)
    assert schedule.hours[5] == schedule.hours[6] == ()
    assert (schedule.pause_when_idle, schedule.natural_break) == (300, 600)
    assert config.backend == "console"
    (neck,) = config.routines
    assert neck.trigger.every == 2700
    assert neck.trigger.at == (time(10, 30), time(15))
    assert neck.trigger.days == frozenset({0, 2})
    assert neck.start == "ask"
    assert config.exercises["wall-angel"].steps[0].seconds == 4  # the hold time


def test_one_of_each_mistake_is_reported_line_by_line(tmp_path: Path) -> None:
    """A config with one of each mistake lists them all, in file order, with line, key and fix."""
    problems = problems_of(
        tmp_path,
        """\
[schedule]
working_hours = ["09:00-12:30", "13:30-25:00"]
dayz = ["mon"]
pause_when_idle = "5 minutes"

[[routines]]
name = "neck"
exercises = ["chin-to-colarbone", "posture-check"]
every = 45

[[routines]]
name = "neck"
exercises = ["posture-check"]
every = "0m"

[[routines]]
name = "lonely"
exercises = ["posture-check"]
days = ["mon", "funday"]
start = "asap"

[[routines]]
name = "typo"
exercise = ["posture-check"]
at = ["10:30", "7pm"]
""",
    )
    assert problems == [
        '2: schedule.working_hours[1]: "25:00" is not a time of day (write it as 24-hour HH:MM, like "09:00" or "14:30")',
        '3: schedule.dayz: unknown key "dayz" (did you mean "days"?)',
        '4: schedule.pause_when_idle: "5 minutes" is not a duration (write it like "90s", "45m" or "1h30m")',
        '8: routines[0].exercises[0]: unknown exercise "chin-to-colarbone" (did you mean "chin-to-collarbone"?)',
        '9: routines[0].every: 45 has no unit (write every = "45m" or "45s")',
        '12: routines[1].name: routine "neck" is defined twice (first as routines[0]) (give each routine its own name)',
        '14: routines[1].every: "0m" must be longer than zero (write it like "90s", "45m" or "1h30m")',
        '16: routines[2]: no trigger (add every = "45m" or at = ["10:30"])',
        '19: routines[2].days[1]: "funday" is not a weekday (did you mean "sun"?)',
        '20: routines[2].start: "asap" is not one of auto, ask (use one of: auto, ask)',
        '22: routines[3]: missing "exercises" (add exercises = ["posture-check"])',
        '24: routines[3].exercise: unknown key "exercise" (did you mean "exercises"?)',
        '25: routines[3].at[1]: "7pm" is not a time of day (write it as 24-hour HH:MM, like "09:00" or "14:30")',
    ]


def test_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    """A TOML syntax error is one problem with its line and column, not a traceback."""
    assert problems_of(tmp_path, '[[routines]\nname = "x"\n') == [
        "1:11: TOML syntax: Expected ']]' at the end of an array declaration "
        "(check the quotes, brackets and '=' on that line)"
    ]


def test_wrong_types_say_what_was_expected(tmp_path: Path) -> None:
    """Wrong types name what was found and how to write it."""
    problems = problems_of(
        tmp_path,
        """\
routines = "neck"
[schedule]
working_hours = 9
""",
    )
    assert problems == [
        "1: routines: expected a list of tables, got a string (write each one as a [[routines]] section)",
        '3: schedule.working_hours: expected a list of time ranges, got a number (write ["09:00-12:30", "13:30-18:00"])',
    ]


def test_exercise_mistakes(tmp_path: Path) -> None:
    """User exercises are checked like the built-in ones: steps, seconds, placeholders, ids."""
    problems = problems_of(
        tmp_path,
        """\
[[routines]]
name = "r"
exercises = ["a"]
every = "1h"

[[exercises]]
id = "a"
title = "A"
sets = 0
[[exercises.steps]]
text = "Turn {side}"
seconds = 5
[[exercises.steps]]
text = "Hold {arms}"
detail = "Slowly {"
[[exercises]]
id = "a"
title = "A again"
[[exercises.steps]]
text = "x"
seconds = -2
say = "Go {side}"
""",
    )
    assert problems == [
        "9: exercises[0].sets: expected a whole number from 1 to 20, got 0 (write sets = 3)",
        '11: exercises[0].steps[0].text: uses {side} but the exercise has no sides (add sides = ["right", "left"] or remove {side})',
        "13: exercises[0].steps[1]: no seconds (add seconds = 10, or a hold time for the exercise)",
        "14: exercises[0].steps[1].text: unknown placeholder {arms} (only {side} is filled in; write {{ and }} for literal braces)",
        "15: exercises[0].steps[1].detail: has a brace that does not close (write {side} for the side, and {{ and }} for literal braces)",
        "21: exercises[1].steps[0].seconds: -2 is not longer than zero (give a positive number of seconds)",
        '22: exercises[1].steps[0].say: uses {side} but the exercise has no sides (add sides = ["right", "left"] or remove {side})',
    ]


def test_duplicate_user_exercise_ids_are_refused(tmp_path: Path) -> None:
    """Two [[exercises]] with one id is a mistake; the second names the first."""
    problems = problems_of(
        tmp_path,
        """\
[[routines]]
name = "r"
exercises = ["a"]
every = "1h"
[[exercises]]
id = "a"
title = "A"
steps = [{text = "x", seconds = 1}]
[[exercises]]
id = "a"
title = "B"
steps = [{text = "y", seconds = 1}]
""",
    )
    assert problems == [
        '10: exercises[1].id: exercise "a" is defined twice (give each [[exercises]] its own id)'
    ]


def test_at_time_outside_working_hours_is_a_mistake(tmp_path: Path) -> None:
    """An `at` time that can never fire (outside working hours on all its days) is reported."""
    problems = problems_of(
        tmp_path,
        """\
[schedule]
working_hours = ["09:00-17:00"]
[[routines]]
name = "early"
exercises = ["posture-check"]
at = ["08:00", "10:00"]
""",
    )
    assert problems == [
        "6: routines[0].at[0]: 08:00 is outside working hours on every day "
        "(move it into working_hours, or widen working_hours)"
    ]


def test_empty_config_needs_a_routine(tmp_path: Path) -> None:
    """A config without routines says how to add one."""
    assert problems_of(tmp_path, "") == [
        'no routines (add a [[routines]] section with name, exercises and every = "45m")'
    ]


def test_user_exercise_overrides_a_built_in_one(tmp_path: Path) -> None:
    """An exercise of the user's with a built-in id replaces the built-in one."""
    path = tmp_path / "config.toml"
    path.write_text("""
[[routines]]
name = "p"
exercises = ["posture-check"]
every = "20m"
[[exercises]]
id = "posture-check"
title = "My posture check"
[[exercises.steps]]
text = "Sit up."
seconds = 3
""")
    assert load_config(path).exercises["posture-check"].title == "My posture check"


def test_exercise_folder_beside_the_config_is_read(tmp_path: Path) -> None:
    """Files in exercises/ next to the config add exercises; their mistakes name the file."""
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "wall-angel.toml").write_text(
        'title = "Wall angel"\n[[steps]]\ntext = "Slide up."\nseconds = 4\n'
    )
    (tmp_path / "exercises" / "broken.toml").write_text('title = "B"\n[[steps]]\ntext = "x"\n')
    path = tmp_path / "config.toml"
    path.write_text('[[routines]]\nname = "w"\nexercises = ["wall-angel"]\nevery = "1h"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'exercises' / 'broken.toml'}:2: steps[0]: no seconds "
        "(add seconds = 10, or a hold time for the exercise)"
    ]
    (tmp_path / "exercises" / "broken.toml").unlink()
    assert load_config(path).exercises["wall-angel"].steps[0].seconds == 4


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    """A missing file or one that is not UTF-8 is a problem with a fix, not a traceback."""
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'title = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_config(bad)


def test_config_location_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--config beats REMINDERD_CONFIG beats the user's file beats the built-in default."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    explicit, from_env = tmp_path / "a.toml", tmp_path / "b.toml"
    assert find_config(explicit, {"REMINDERD_CONFIG": str(from_env)}).path == explicit
    assert find_config(None, {"REMINDERD_CONFIG": str(from_env)}).origin == "REMINDERD_CONFIG"
    assert find_config(None, {}).origin == "default"
    user = user_config_path()
    assert user == tmp_path / "xdg" / "reminderd" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text("")
    assert find_config(None, {}) == ConfigSource(user, "user")


def test_no_working_hours_means_all_day(tmp_path: Path) -> None:
    """Without working_hours every day is working time from midnight to midnight."""
    path = tmp_path / "config.toml"
    path.write_text('[[routines]]\nname = "p"\nexercises = ["posture-check"]\nevery = "20m"\n')
    schedule = load_config(path).schedule
    assert schedule.hours == (ALL_DAY,) * 7
    assert not schedule.restricted


def test_toml_map_finds_lines_of_keys_tables_and_elements() -> None:
    """The line map knows table headers, dotted keys, arrays of tables and multi-line arrays."""
    text = """\
# comment
title = "x"
[schedule]
working_hours = [
  "09:00-12:00",  # morning
  "13:00-17:00",
]
a.b = 1
[[routines]]
name = "one"
[[routines]]
name = '''two
lines'''
at = ["10:00", "11:00"]
[[routines.extra]]
k = 1
"""
    where = TomlMap(text)
    assert where.line(("title",)) == 2
    assert where.line(("schedule",)) == 3
    assert where.line(("schedule", "working_hours")) == 4
    assert where.line(("schedule", "working_hours", 0)) == 5
    assert where.line(("schedule", "working_hours", 1)) == 6
    assert where.line(("schedule", "a", "b")) == 8
    assert where.line(("routines", 0, "name")) == 10
    assert where.line(("routines", 1)) == 11
    assert where.line(("routines", 1, "at", 1)) == 14
    assert where.line(("routines", 1, "extra", 0, "k")) == 16
    assert where.line(("routines", 1, "missing")) == 11


def test_a_line_separator_in_a_comment_does_not_shift_line_numbers(tmp_path: Path) -> None:
    """TOML ends lines at newlines only: U+2028 inside a comment leaves later lines where
    they are in the error messages."""
    problems = problems_of(
        tmp_path,
        '# a comment\u2028with a line separator\n[[routines]]\nname = "r"\n'
        'exercises = ["posture-check"]\nevery = "5"\n',
    )
    assert problems == ['5: routines[0].every: "5" has no unit (write "5s" or "5m")']


def test_a_syntax_error_at_the_end_of_the_document_names_the_last_line(tmp_path: Path) -> None:
    """A TOML error found only at the end of the file (an unclosed array) still gets a line."""
    problems = problems_of(tmp_path, '[[routines]]\nname = "r"\nexercises = ["a",\n')
    assert len(problems) == 1
    assert problems[0].startswith("3: TOML syntax: ")
