"""Read, merge and validate config and exercise files.

Every mistake is collected, not just the first, and each names the file, the line, the key
and the fix. Nothing here prints; ``ConfigError`` carries the problems to whoever asks.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
import stat
import string
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

from reminderd import layers
from reminderd.durations import (
    CLOCK_HINT,
    DAY,
    DURATION_HINT,
    format_duration,
    parse_clock,
    parse_duration,
    parse_range,
)
from reminderd.errors import ConfigError, DurationError, Problem
from reminderd.exercises import expand, total_seconds
from reminderd.layers import Layered
from reminderd.model import (
    ALL_DAY,
    ALL_DAYS,
    BANNER,
    EVENT_NAMES,
    WEEKDAYS,
    Config,
    Exercise,
    Guidance,
    Hook,
    Routine,
    StepKind,
    StepSpec,
    Trigger,
    WorkSchedule,
)
from reminderd.sync import settings as sync_settings
from reminderd.tomlmap import KeyPath, TomlMap

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

ENV_VAR = "REMINDERD_CONFIG"

# Bounds on what a file can ask for: (shortest, longest, why), so that a config that passes
# `check` is known to run, and a typo (100000 reps) is caught rather than obeyed.
Bounds = tuple[float, float, str]
MAX_TEXT = 300  # characters in one text; a notification shows a line or two
# The test suite lowers the shortest `every`, `pause_when_idle` and `natural_break` with it,
# so that routines fall due and people count as away within seconds.
MIN_EVERY_ENV = "REMINDERD_MIN_EVERY"
EVERY_BOUNDS: Bounds = (
    300.0,
    DAY,
    "a reminder more often than every 5 minutes interrupts every task; at most once a day",
)
STEP_BOUNDS: Bounds = (0.0, 600.0, "a step lasts at most 10 minutes: split a longer one")
IDLE_BOUNDS: Bounds = (60.0, DAY, "between a minute and a day")
HOOK_BOUNDS: Bounds = (0.0, 3600.0, "a hook is stopped after at most an hour")
MAX_STEPS = 1000  # expanded steps in one exercise: the 30 squeezes make 63
MAX_ROUTINE = 3600.0  # seconds of guiding in one routine
BACKENDS = ("auto", "freedesktop", "plyer", "console")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ALIASES = {
    "weekdays": WEEKDAYS[:5],
    "weekend": WEEKDAYS[5:],
    "weekends": WEEKDAYS[5:],
    "daily": WEEKDAYS,
    "every day": WEEKDAYS,
}
_EXERCISE_KEYS = (
    "id",
    "title",
    "summary",
    "source",
    "sides",
    "sets",
    "reps",
    "hold",
    "rest",
    "rep_label",
    "setup",
    "steps",
)
_SECTION_KEYS = {
    "": (
        "schedule",
        "notifications",
        "guidance",
        "routines",
        "exercises",
        "history_days",
        "hooks",
        "panel",
        "sync",
    ),
    "panel": ("icon",),
    "sync": ("folder", "machine"),
    "guidance": ("voice", "sounds", "intro", "lead_in", "done"),
    "schedule": (
        "working_hours",
        "days",
        "hours",
        "pause_when_idle",
        "natural_break",
        "max_skips_per_day",
    ),
    "notifications": ("backend",),
    "routines": ("name", "title", "exercises", "every", "at", "days", "start", "max_skips_per_day"),
    "hooks": ("event", "command", "timeout"),
    "steps": ("text", "seconds", "detail", "say", "kind"),
}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_BROKEN = Exercise(id="", title="", steps=())
_formatter = string.Formatter()  # stands in for an exercise that had problems


def did_you_mean(word: str, choices: Iterable[str], otherwise: str) -> str:
    """'did you mean "days"?' for the closest choice, or ``otherwise`` when none is close."""
    import difflib  # noqa: PLC0415 - only a config with mistakes needs it

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f'did you mean "{close[0]}"?' if close else otherwise


def _type_name(value: object) -> str:
    names = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def key_text(path: KeyPath) -> str:
    """``("routines", 1, "every")`` -> ``routines[1].every``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class _Reader:
    """Typed access to a parsed TOML document that records problems instead of raising."""

    def __init__(
        self, file: Path | str | None, where: TomlMap | None, layered: Layered | None = None
    ) -> None:
        self.file = file
        self.where = where
        self.layered = layered  # several files: each value's own file and line
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def _at(self, path: KeyPath, message: str, fix: str) -> Problem:
        if self.layered is not None:
            file, line = self.layered.locate(path)
            return Problem(file, line, key_text(path), message, fix)
        line = self.where.line(path) if self.where else None
        return Problem(self.file, line, key_text(path), message, fix)

    def problem(self, path: KeyPath, message: str, fix: str = "") -> None:
        self.problems.append(self._at(path, message, fix))

    def warn(self, path: KeyPath, message: str, fix: str = "") -> None:
        """Something that works but will not read well; `check` says so and passes."""
        self.warnings.append(self._at(path, message, fix))

    def known_keys(self, table: Mapping[str, Any], path: KeyPath, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key in allowed:
                continue
            fix = did_you_mean(key, allowed, "allowed: " + ", ".join(allowed))
            self.problem((*path, key), f'unknown key "{key}"', fix)

    def table(self, data: Mapping[str, Any], path: KeyPath, key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if isinstance(value, dict):
            return value
        self.problem(
            (*path, key),
            f"expected a table, got {_type_name(value)}",
            f"write it as a [{key_text((*path, key))}] section",
        )
        return {}

    def tables(self, data: Mapping[str, Any], path: KeyPath, key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if isinstance(value, list) and all(isinstance(item, dict) for item in value):
            return value
        self.problem(
            (*path, key),
            f"expected a list of tables, got {_type_name(value)}",
            f"write each one as a [[{key_text((*path, key))}]] section",
        )
        return []

    def text(
        self,
        data: Mapping[str, Any],
        path: KeyPath,
        key: str,
        *,
        required: bool = False,
        default: str = "",
        longest: int = MAX_TEXT,
    ) -> str:
        if key not in data:
            if required:
                self.problem(path, f'missing "{key}"', f'add {key} = "..."')
            return default
        value = data[key]
        if isinstance(value, str) and len(value.strip()) > longest:
            self.problem(
                (*path, key),
                f"{len(value.strip())} characters is too long (at most {longest})",
                "say it in fewer words: a notification shows only a line or two",
            )
            return default
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.problem(
            (*path, key),
            f"expected some text, got {_type_name(value)} {value!r}",
            f'write {key} = "..."',
        )
        return default

    def name(self, data: Mapping[str, Any], path: KeyPath, key: str) -> str:
        value = self.text(data, path, key, required=True)
        if value and not _NAME.fullmatch(value):
            self.problem(
                (*path, key),
                f'"{value}" is not a usable name',
                "use letters, digits, '-', '_' or '.', starting with a letter or digit",
            )
            return ""
        return value

    def texts(self, data: Mapping[str, Any], path: KeyPath, key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(
                (*path, key),
                f"expected a list of strings, got {_type_name(value)}",
                f'write {key} = ["...", "..."]',
            )
            return ()
        result = []
        for index, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                result.append(item.strip())
            else:
                self.problem(
                    (*path, key, index),
                    f"expected a string, got {_type_name(item)}",
                    'put it in quotes: "..."',
                )
        return tuple(result)

    def duration(
        self, data: Mapping[str, Any], path: KeyPath, key: str, bounds: Bounds = (0, DAY, "")
    ) -> float | None:
        """A duration string, within ``bounds`` (shortest, longest, and why)."""
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(
                (*path, key),
                f"expected a duration, got {_type_name(value)}",
                f"{DURATION_HINT}, in quotes",
            )
            return None
        if not isinstance(value, str):
            self.problem(
                (*path, key), f"{value} has no unit", f'write {key} = "{value}m" or "{value}s"'
            )
            return None
        try:
            seconds = parse_duration(value)
        except DurationError as error:
            self.problem((*path, key), *_split(error))
            return None
        return self._within(path, key, value, seconds, bounds)

    def _within(
        self, path: KeyPath, key: str, value: object, seconds: float, bounds: Bounds
    ) -> float | None:
        shortest, longest, why = bounds
        if seconds < shortest:
            self.problem(
                (*path, key), f"{value!r} is shorter than {format_duration(shortest)}", why
            )
            return None
        if seconds > longest:
            self.problem((*path, key), f"{value!r} is longer than {format_duration(longest)}", why)
            return None
        return seconds

    def seconds(self, data: Mapping[str, Any], path: KeyPath, key: str) -> float | None:
        """A step length: a positive number of seconds, or a duration string, at most
        MAX_STEP."""
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(
                (*path, key),
                f"expected a number of seconds, got {_type_name(value)}",
                f"write {key} = 10",
            )
            return None
        if isinstance(value, str):
            return self.duration(data, path, key, STEP_BOUNDS)
        if not value > 0:  # NaN too
            self.problem(
                (*path, key),
                f"{value} is not longer than zero",
                "give a positive number of seconds",
            )
            return None
        return self._within(path, key, value, float(value), STEP_BOUNDS)

    def count(
        self,
        data: Mapping[str, Any],
        path: KeyPath,
        key: str,
        default: int = 1,
        most: tuple[int, str] = (100, ""),
    ) -> int:
        """A whole number from 1 to ``most[0]`` (``most[1]`` says why that is the limit)."""
        value = data.get(key, default)
        largest, why = most
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= largest:
            return value
        too_many = isinstance(value, int) and not isinstance(value, bool) and value > largest
        self.problem(
            (*path, key),
            f"expected a whole number from 1 to {largest}, got {value!r}",
            why if too_many and why else f"write {key} = 3",
        )
        return default

    def choice(
        self, data: Mapping[str, Any], path: KeyPath, key: str, choices: tuple[str, ...]
    ) -> str:
        value = data.get(key, choices[0])
        if value in choices:
            return str(value)
        fix = did_you_mean(str(value), choices, "use one of: " + ", ".join(choices))
        self.problem((*path, key), f'"{value}" is not one of {", ".join(choices)}', fix)
        return choices[0]

    def days(self, data: Mapping[str, Any], path: KeyPath, key: str) -> frozenset[int]:
        if key not in data:
            return ALL_DAYS
        value = data[key]
        if isinstance(value, str):
            value = list(_DAY_ALIASES.get(value.strip().lower(), [value]))
        if not isinstance(value, list) or not value:
            self.problem(
                (*path, key),
                f"expected a list of weekdays, got {value!r}",
                'write days = ["mon", "tue", "wed", "thu", "fri"]',
            )
            return ALL_DAYS
        days = set()
        for index, item in enumerate(value):
            day = _weekday(item)
            if day is None:
                fix = did_you_mean(str(item).lower()[:3], WEEKDAYS, "use mon, tue, ... sun")
                self.problem((*path, key, index), f'"{item}" is not a weekday', fix)
            else:
                days.add(day)
        return frozenset(days) or ALL_DAYS

    def clocks(self, data: Mapping[str, Any], path: KeyPath, key: str) -> tuple[time, ...]:
        result = []
        for index, item in enumerate(self.texts(data, path, key)):
            try:
                result.append(parse_clock(item))
            except DurationError:
                self.problem((*path, key, index), f'"{item}" is not a time of day', CLOCK_HINT)
        return tuple(sorted(set(result)))

    def ranges(self, value: object, path: KeyPath) -> tuple[tuple[time, time], ...] | None:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(
                path,
                f"expected a list of time ranges, got {_type_name(value)}",
                'write ["09:00-12:30", "13:30-18:00"]',
            )
            return None
        ranges = []
        for index, item in enumerate(value):
            try:
                ranges.append(parse_range(item))
            except DurationError as error:
                self.problem((*path, index), *_split(error))
        ranges.sort()
        for (first_start, first_end), (start, _end) in itertools.pairwise(ranges):
            across_midnight = first_end < first_start  # it runs on to the end of the day
            if start < first_end or across_midnight:
                self.problem(path, "two time ranges overlap", "merge them into one range")
        return tuple(ranges)


def _split(error: Exception) -> tuple[str, str]:
    """A DurationError's text is "what is wrong: how to fix it"; return both halves."""
    message, _, fix = str(error).partition(": ")
    return message, fix


def _weekday(value: object) -> int | None:
    if not isinstance(value, str):
        return None
    word = value.strip().lower()
    for index, full in enumerate(_FULL_DAYS):
        if word == WEEKDAYS[index] or (len(word) >= 3 and full.startswith(word)):
            return index
    return None


MAX_FILE = 1024 * 1024  # bytes: a config is a few kilobytes


def _read_text(path: Path) -> str:
    """The text of a regular file of at most MAX_FILE bytes; never blocks on a FIFO."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if info.st_size > MAX_FILE:
            raise OSError(errno.EFBIG, f"larger than {MAX_FILE // 1024} KiB")
        # A UTF-8 byte-order mark (some Windows editors write one) is not part of the TOML.
        return file.read().decode("utf-8").removeprefix("\ufeff")


def read_toml(path: Path) -> tuple[dict[str, Any], TomlMap]:
    """Parse one TOML file; a syntax error becomes a ConfigError with line and column."""
    try:
        text = _read_text(path)
    except FileNotFoundError:
        raise ConfigError(
            [
                Problem(
                    path,
                    None,
                    "",
                    "file not found",
                    "check the path, or run `reminderd config init`",
                )
            ]
        ) from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            [Problem(path, None, "", f"not UTF-8 text ({error.reason})", "save the file as UTF-8")]
        ) from None
    except OSError as error:
        raise ConfigError(
            [
                Problem(
                    path,
                    None,
                    "",
                    f"cannot read: {error.strerror}",
                    "give the path of a TOML file you can read",
                )
            ]
        ) from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError(
            [Problem(path, None, "", "nested too deeply to read", "flatten the tables and lists")]
        ) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(match.group(1)) if match else None
        column = int(match.group(2)) if match else None
        if match is None and "end of document" in message:
            line = text.count("\n") + (0 if text.endswith("\n") else 1)  # the last line
        detail = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        raise ConfigError(
            [
                Problem(
                    path,
                    line,
                    "",
                    f"TOML syntax: {detail}",
                    "check the quotes, brackets and '=' on that line",
                    column=column,
                )
            ]
        ) from None
    return data, TomlMap(text)


def parse_exercise(
    data: Mapping[str, Any], path: KeyPath, reader: _Reader, default_id: str = "", origin: str = ""
) -> Exercise | None:
    """Validate one exercise table (a library file, or a [[exercises]] entry)."""
    reader.known_keys(data, path, _EXERCISE_KEYS)
    before = len(reader.problems)
    if default_id and "id" not in data:
        exercise_id = default_id
    else:
        exercise_id = reader.name(data, path, "id")
        if default_id and exercise_id and exercise_id != default_id:
            reader.problem(
                (*path, "id"),
                f'"{exercise_id}" does not match the file name',
                f'rename the file to {exercise_id}.toml or write id = "{default_id}"',
            )
    title = reader.text(data, path, "title", required=True, longest=80)
    sides = reader.texts(data, path, "sides")
    hold = reader.seconds(data, path, "hold")
    steps = []
    for index, step in enumerate(reader.tables(data, path, "steps")):
        spec = _step(step, (*path, "steps", index), reader, hold, sides)
        if spec:
            steps.append(spec)
    if not data.get("steps"):
        reader.problem(path, "no steps", "add at least one [[steps]] with text and seconds")
    setup = None
    if "setup" in data:
        setup_table = reader.table(data, path, "setup")
        setup = _step(setup_table, (*path, "setup"), reader, None, ())
    rest = reader.seconds(data, path, "rest") or 0.0
    exercise = Exercise(
        id=exercise_id,
        title=title,
        steps=tuple(steps),
        summary=reader.text(data, path, "summary"),
        sources=reader.texts(data, path, "source"),
        sides=sides,
        sets=reader.count(data, path, "sets", most=(20, "at most 20 sets")),
        reps=reader.count(data, path, "reps", most=(100, "at most 100 repetitions a set")),
        hold=hold,
        rest=rest,
        rep_label=reader.text(data, path, "rep_label", default="rep", longest=30),
        setup=setup,
        origin=origin,
    )
    if len(reader.problems) != before:
        return None
    _check_size(exercise, path, reader)
    return exercise if len(reader.problems) == before else None


def _check_size(exercise: Exercise, path: KeyPath, reader: _Reader) -> None:
    """The whole expanded exercise stays within MAX_STEPS steps and MAX_ROUTINE seconds."""
    sides = max(1, len(exercise.sides))
    per_set = exercise.reps * len(exercise.steps)
    count = (exercise.setup is not None) + sides * (exercise.sets * per_set + exercise.sets - 1)
    if count > MAX_STEPS:
        reader.problem(
            path,
            f"expands to {count} steps (at most {MAX_STEPS})",
            "use fewer sets, repetitions or sides",
        )
        return
    seconds = total_seconds(expand(exercise))
    if seconds > MAX_ROUTINE:
        reader.problem(
            path,
            f"lasts {format_duration(seconds)} (at most {format_duration(MAX_ROUTINE)})",
            "split it into shorter exercises",
        )


def _step(
    data: Mapping[str, Any],
    path: KeyPath,
    reader: _Reader,
    hold: float | None,
    sides: tuple[str, ...],
) -> StepSpec | None:
    reader.known_keys(data, path, _SECTION_KEYS["steps"])
    text = reader.text(data, path, "text", required=True)
    seconds = reader.seconds(data, path, "seconds")
    if seconds is None and "seconds" not in data:
        if hold is None:
            reader.problem(path, "no seconds", "add seconds = 10, or a hold time for the exercise")
        seconds = hold
    detail = reader.text(data, path, "detail")
    say = reader.text(data, path, "say")
    held = reader.choice(data, path, "kind", ("step", "hold")) == "hold"
    kind: StepKind = "hold" if held else "step"
    # Every field is checked (no short-circuit), so that every mistake is reported.
    checked = [
        _placeholders(reader, (*path, key), value, sides)
        for key, value in (("text", text), ("detail", detail), ("say", say))
        if value
    ]
    placeholders_ok = all(checked)
    if not text or seconds is None or not placeholders_ok:
        return None
    _check_banner(reader, (*path, "text"), text, seconds, sides)
    return StepSpec(text, seconds, detail, say, kind)


def _check_banner(
    reader: _Reader, path: KeyPath, text: str, seconds: float, sides: tuple[str, ...]
) -> None:
    """A step's action, side and length should fit the first line of a banner."""
    for side in sides or ("",):
        line = f"{text.format(side=side) if side else text} ({format_duration(seconds)})"
        if len(line) > BANNER:
            reader.warn(
                path,
                f'"{line}" is {len(line)} characters: a banner shows about {BANNER}, so it '
                "would be cut before its end",
                "keep the action and the side in the text, and put the rest in detail",
            )
            return


def _placeholders(reader: _Reader, path: KeyPath, text: str, sides: tuple[str, ...]) -> bool:
    """Only ``{side}`` is filled in, and only in an exercise that has sides."""
    try:
        parts = [(name, spec, conversion) for _, name, spec, conversion in _formatter.parse(text)]
    except ValueError:  # "{Squeeze {side}", a lone "}"
        reader.problem(
            path,
            "has a brace that does not close",
            "write {side} for the side, and {{ and }} for literal braces",
        )
        return False
    fields = {name for name, _, _ in parts if name is not None}
    if any(spec or conversion for name, spec, conversion in parts if name is not None):
        reader.problem(
            path,
            "a placeholder has a format (like {side:>10} or {side!r})",
            "write {side} alone: the side is filled in as it is",
        )
        return False
    if fields - {"side"}:
        reader.problem(
            path,
            f"unknown placeholder {{{sorted(fields - {'side'})[0]}}}",
            "only {side} is filled in; write {{ and }} for literal braces",
        )
        return False
    if "side" in fields and not sides:
        reader.problem(
            path,
            "uses {side} but the exercise has no sides",
            'add sides = ["right", "left"] or remove {side}',
        )
        return False
    return True


def library_dir() -> Path:
    """The built-in exercise library: inside the installed package, or beside it in a checkout."""
    return data_dir("exercises")


def data_dir(name: str) -> Path:
    package = Path(__file__).resolve().parent
    for candidate in (package / "_data" / name, package.parent / name):
        if candidate.is_dir():
            return candidate
    msg = f"reminderd's {name}/ folder is missing from the installation: reinstall reminderd"
    raise ConfigError([Problem(package, None, "", msg)])


def default_config_path() -> Path:
    return data_dir("config") / "default.toml"


def load_exercise_dir(
    folder: Path, problems: list[Problem], warnings: list[Problem] | None = None
) -> dict[str, Exercise]:
    """Every ``*.toml`` in ``folder`` as an exercise, by id; problems are appended."""
    exercises: dict[str, Exercise] = {}
    for file in sorted(folder.glob("*.toml")):
        try:
            data, where = read_toml(file)
        except ConfigError as error:
            problems.extend(error.problems)
            continue
        reader = _Reader(file, where)
        exercise = parse_exercise(data, (), reader, default_id=file.stem, origin=str(file))
        problems.extend(reader.problems)
        if warnings is not None:
            warnings.extend(reader.warnings)
        if exercise:
            exercises[exercise.id] = exercise
    return exercises


def load_library() -> dict[str, Exercise]:
    """The built-in exercises by id; a broken built-in file is a ConfigError naming it."""
    problems: list[Problem] = []
    exercises = load_exercise_dir(library_dir(), problems)
    if problems:
        raise ConfigError(problems)
    return exercises


@dataclass(frozen=True, slots=True)
class ConfigSource:
    """Which file the config comes from, and why that one."""

    path: Path
    origin: str  # "--config", "REMINDERD_CONFIG", "user" or "default"

    @property
    def is_default(self) -> bool:
        return self.origin == "default"


def user_config_path() -> Path:
    from reminderd.paths import user_dir  # noqa: PLC0415

    return user_dir("config") / "config.toml"


def find_config(
    explicit: Path | str | None = None, environ: Mapping[str, str] | None = None
) -> ConfigSource:
    """``--config`` beats ``REMINDERD_CONFIG`` beats the user's file beats the built-in default."""
    environ = os.environ if environ is None else environ
    if explicit:
        return ConfigSource(Path(explicit).expanduser(), "--config")
    if environ.get(ENV_VAR):
        return ConfigSource(Path(environ[ENV_VAR]).expanduser(), ENV_VAR)
    user = user_config_path()
    if user.is_file():
        return ConfigSource(user, "user")
    return ConfigSource(default_config_path(), "default")


def load_config(source: ConfigSource | Path | str | None = None) -> Config:
    """Read and validate a config; raise ConfigError listing every problem found."""
    if not isinstance(source, ConfigSource):
        source = find_config(source)
    path = source.path
    layered = read_layers(source)  # system-wide files under the person's, key by key
    data = layered.data
    reader = _Reader(path, layered.top.where, layered)
    reader.known_keys(data, (), _SECTION_KEYS[""])
    library = load_library()
    problems: list[Problem] = list(layered.problems)
    warnings: list[Problem] = list(layered.warnings)
    for folder in layered.exercise_dirs():
        library.update(load_exercise_dir(folder, problems, warnings))
    inline_ids: set[str] = set()
    for index, table in enumerate(reader.tables(data, (), "exercises")):
        exercise = parse_exercise(table, ("exercises", index), reader, origin=str(path))
        if exercise is None:
            # Already reported; a routine that names it need not be told it is unknown.
            broken = table.get("id")
            if isinstance(broken, str):
                library.setdefault(broken, _BROKEN)
            continue
        if exercise.id in inline_ids:
            reader.problem(
                ("exercises", index, "id"),
                f'exercise "{exercise.id}" is defined twice',
                "give each [[exercises]] its own id",
            )
        inline_ids.add(exercise.id)
        library[exercise.id] = exercise
    schedule = _schedule(reader.table(data, (), "schedule"), reader)
    routines = _routines(data, reader, library, schedule)
    notifications = reader.table(data, (), "notifications")
    reader.known_keys(notifications, ("notifications",), _SECTION_KEYS["notifications"])
    backend = reader.choice(notifications, ("notifications",), "backend", BACKENDS)
    guidance = _guidance(reader.table(data, (), "guidance"), reader)
    history_days = reader.count(
        data, (), "history_days", default=365, most=(3660, "at most 3660 days (ten years)")
    )
    hooks = _hooks(data, reader)
    panel = reader.table(data, (), "panel")
    reader.known_keys(panel, ("panel",), _SECTION_KEYS["panel"])
    panel_icon = panel.get("icon", True)
    if not isinstance(panel_icon, bool):
        reader.problem(
            ("panel", "icon"),
            f"expected true or false, got {_type_name(panel_icon)}",
            "write icon = true to show the panel icon, icon = false to hide it",
        )
        panel_icon = True
    sync_table = reader.table(data, (), "sync")
    reader.known_keys(sync_table, ("sync",), _SECTION_KEYS["sync"])
    sync = sync_settings.parse(sync_table, reader.problem)
    problems.extend(reader.problems)
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: (str(p.file), p.line or 0)))
    return Config(
        routines=routines,
        exercises=library,
        warnings=(*warnings, *reader.warnings),
        schedule=schedule,
        backend=backend,
        guidance=guidance,
        history_days=history_days,
        hooks=hooks,
        panel_icon=panel_icon,
        path=path,
        sync=sync,
    )


def read_layers(source: ConfigSource) -> Layered:
    """The config files of ``source`` read and merged, lowest first (see reminderd/layers.py)."""
    stack = layers.stack(source.path, source.origin, default_config_path())
    return layers.merge(
        [layers.Layer(file, kind, *read_toml(file)) for file, kind in stack], _SECTION_KEYS
    )


def _schedule(data: Mapping[str, Any], reader: _Reader) -> WorkSchedule:
    path: KeyPath = ("schedule",)
    reader.known_keys(data, path, _SECTION_KEYS["schedule"])
    base = ALL_DAY
    if "working_hours" in data:
        base = reader.ranges(data["working_hours"], (*path, "working_hours")) or ALL_DAY
    days = reader.days(data, path, "days")
    hours = [base if day in days else () for day in range(7)]
    overrides = reader.table(data, path, "hours")
    for key, value in overrides.items():
        day = _weekday(key)
        if day is None:
            fix = did_you_mean(key.lower()[:3], WEEKDAYS, "use mon, tue, ... sun")
            reader.problem((*path, "hours", key), f'"{key}" is not a weekday', fix)
            continue
        ranges = reader.ranges(value, (*path, "hours", key))
        if ranges is not None:
            hours[day] = ranges
    return WorkSchedule(
        hours=tuple(hours),
        pause_when_idle=reader.duration(data, path, "pause_when_idle", _every_bounds(IDLE_BOUNDS)),
        natural_break=reader.duration(data, path, "natural_break", _every_bounds(IDLE_BOUNDS)),
        max_skips_per_day=_skip_budget(data, path, reader),
    )


def _skip_budget(data: Mapping[str, Any], path: KeyPath, reader: _Reader) -> int | None:
    """``max_skips_per_day``: how many times a routine may be skipped in a day (1 to 50)."""
    if "max_skips_per_day" not in data:
        return None
    why = "at most 50: to skip without limit, leave max_skips_per_day out"
    return reader.count(data, path, "max_skips_per_day", default=1, most=(50, why))


def _routines(
    data: Mapping[str, Any],
    reader: _Reader,
    library: Mapping[str, Exercise],
    schedule: WorkSchedule,
) -> tuple[Routine, ...]:
    tables = reader.tables(data, (), "routines")
    if not tables and "routines" not in data:
        reader.problem(
            (), "no routines", 'add a [[routines]] section with name, exercises and every = "45m"'
        )
    routines: list[Routine] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables):
        path: KeyPath = ("routines", index)
        reader.known_keys(table, path, _SECTION_KEYS["routines"])
        name = reader.name(table, path, "name")
        if name in seen:
            reader.problem(
                (*path, "name"),
                f'routine "{name}" is defined twice (first as routines[{seen[name]}])',
                "give each routine its own name",
            )
        elif name:
            seen[name] = index
        exercises = reader.texts(table, path, "exercises")
        if "exercises" in table and not exercises and isinstance(table["exercises"], list):
            reader.problem((*path, "exercises"), "the list is empty", "name at least one exercise")
        elif "exercises" not in table:
            reader.problem(path, 'missing "exercises"', 'add exercises = ["posture-check"]')
        for position, exercise_id in enumerate(exercises):
            if exercise_id not in library:
                fix = did_you_mean(exercise_id, list(library), "see `reminderd list` for the ids")
                reader.problem(
                    (*path, "exercises", position), f'unknown exercise "{exercise_id}"', fix
                )
        every = reader.duration(table, path, "every", _every_bounds())
        at = reader.clocks(table, path, "at")
        if "every" not in table and "at" not in table:
            reader.problem(path, "no trigger", 'add every = "45m" or at = ["10:30"]')
        days = reader.days(table, path, "days")
        _check_reachable(reader, path, at, days, schedule)
        start = reader.choice(table, path, "start", ("auto", "ask"))
        routines.append(
            Routine(
                name=name,
                exercises=exercises,
                trigger=Trigger(every, at, days),
                title=reader.text(table, path, "title", longest=80),
                start="ask" if start == "ask" else "auto",
                max_skips_per_day=_skip_budget(table, path, reader) or schedule.max_skips_per_day,
            )
        )
    return tuple(routines)


def _every_bounds(bounds: Bounds = EVERY_BOUNDS) -> Bounds:
    """EVERY_BOUNDS (or IDLE_BOUNDS), with the shortest lowered where the test suite asks."""
    shortest, longest, why = bounds
    lowered = os.environ.get(MIN_EVERY_ENV)
    with contextlib.suppress(ValueError):
        shortest = min(shortest, float(lowered or shortest))
    return shortest, longest, why


def _check_reachable(
    reader: _Reader,
    path: KeyPath,
    at: tuple[time, ...],
    days: frozenset[int],
    schedule: WorkSchedule,
) -> None:
    """An ``at`` time outside working hours on every one of its days would never fire."""
    if not schedule.restricted:
        return
    if not any(schedule.ranges_on(day) for day in days):
        reader.problem(
            (*path, "days"),
            "none of these days has working hours",
            "add one of them to [schedule] days, or change the routine's days",
        )
        return

    def inside(moment: time, start: time, end: time) -> bool:
        return start <= moment < end if start < end else moment >= start or moment < end

    for index, moment in enumerate(at):
        if not any(
            inside(moment, start, end)
            for day in range(7)
            for start, end in schedule.ranges_on(day)
            if day in days or (day + 1) % 7 in days
        ):
            reader.problem(
                (*path, "at", index),
                f"{moment:%H:%M} is outside working hours on every day",
                "move it into working_hours, or widen working_hours",
            )


def _guidance(data: Mapping[str, Any], reader: _Reader) -> Guidance:
    path: KeyPath = ("guidance",)
    reader.known_keys(data, path, _SECTION_KEYS["guidance"])
    default = Guidance()
    voice: bool | tuple[str, ...] = default.voice
    value = data.get("voice", default.voice)
    if isinstance(value, bool):
        voice = value
    elif isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        voice = tuple(value)
    else:
        reader.problem(
            (*path, "voice"),
            f"expected true, false or a command as a list, got {_type_name(value)}",
            'write voice = true, or voice = ["espeak-ng", "-s", "150"]',
        )
    sounds = data.get("sounds", default.sounds)
    if not isinstance(sounds, bool):
        reader.problem((*path, "sounds"), f"expected true or false, got {sounds!r}", "")
        sounds = default.sounds
    pace = {
        "intro": (1.0, 30.0, "between 1 second and 30 seconds"),
        "lead_in": (1.0, 15.0, "between 1 second and 15 seconds: the time to read or hear a step"),
        "done": (0.5, 30.0, "between half a second and 30 seconds"),
    }
    seconds = {key: reader.duration(data, path, key, bounds) for key, bounds in pace.items()}
    return Guidance(
        voice=voice,
        sounds=sounds,
        intro=seconds["intro"] or default.intro,
        lead_in=seconds["lead_in"] or default.lead_in,
        done=seconds["done"] or default.done,
    )


def _hooks(data: Mapping[str, Any], reader: _Reader) -> tuple[Hook, ...]:
    hooks = []
    for index, table in enumerate(reader.tables(data, (), "hooks")):
        path: KeyPath = ("hooks", index)
        reader.known_keys(table, path, _SECTION_KEYS["hooks"])
        event = (
            reader.choice(table, path, "event", ("*", *EVENT_NAMES)) if "event" in table else "*"
        )
        command = table.get("command")
        if not (
            isinstance(command, list) and command and all(isinstance(c, str) and c for c in command)
        ):
            reader.problem(
                (*path, "command"),
                "expected a list of strings: the program and its arguments",
                'write command = ["notify-send", "done"]; no shell string',
            )
            command = None
        timeout = reader.duration(table, path, "timeout", HOOK_BOUNDS) or 10.0
        if command:
            hooks.append(Hook(event=event, command=tuple(command), timeout=timeout))
    return tuple(hooks)
