"""Typed access to a parsed TOML document that records every problem instead of raising.

Each reading method takes the table, the key path that leads to it (for the message's
line and key) and the key, and returns the value in its Python type, or a default after
noting a Problem that says what is wrong and how to fix it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from datetime import time
from pathlib import Path
from typing import Any, Protocol

from reminderd.config.limits import MAX_TEXT, STEP_BOUNDS, Bounds
from reminderd.durations import (
    CLOCK_HINT,
    DAY,
    DURATION_HINT,
    format_duration,
    parse_clock,
    parse_duration,
    parse_range,
)
from reminderd.errors import DurationError, Problem
from reminderd.i18n.said import Said, said
from reminderd.model import ALL_DAYS, WEEKDAYS
from reminderd.tomlmap import KeyPath, TomlMap


class Locates(Protocol):
    """Where a value of several merged files was written (reminderd.config.layers.Layered)."""

    def locate(self, path: KeyPath) -> tuple[Path, int | None]: ...


_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ALIASES = {
    "weekdays": WEEKDAYS[:5],
    "weekend": WEEKDAYS[5:],
    "weekends": WEEKDAYS[5:],
    "daily": WEEKDAYS,
    "every day": WEEKDAYS,
}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def did_you_mean(word: str, choices: Iterable[str], otherwise: str) -> str:
    """'did you mean "days"?' for the closest choice, or ``otherwise`` when none is close."""
    import difflib  # noqa: PLC0415 - only a config with mistakes needs it

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return said('did you mean "{name}"?', name=close[0]) if close else otherwise


def type_name(value: object) -> str:
    names = {
        bool: said("true/false"),
        int: said("a number"),
        float: said("a number"),
        str: said("a string"),
        list: said("a list"),
        dict: said("a table"),
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


class Reader:
    """Typed access to a parsed TOML document that records problems instead of raising."""

    def __init__(
        self, file: Path | str | None, where: TomlMap | None, layered: Locates | None = None
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
            fix = did_you_mean(key, allowed, said("allowed: {keys}", keys=", ".join(allowed)))
            self.problem((*path, key), said('unknown key "{key}"', key=key), fix)

    def table(self, data: Mapping[str, Any], path: KeyPath, key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if isinstance(value, dict):
            return value
        self.problem(
            (*path, key),
            said("expected a table, got {type}", type=type_name(value)),
            said("write it as a [{key}] section", key=key_text((*path, key))),
        )
        return {}

    def tables(self, data: Mapping[str, Any], path: KeyPath, key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if isinstance(value, list) and all(isinstance(item, dict) for item in value):
            return value
        self.problem(
            (*path, key),
            said("expected a list of tables, got {type}", type=type_name(value)),
            said("write each one as a [[{key}]] section", key=key_text((*path, key))),
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
                self.problem(
                    path, said('missing "{key}"', key=key), said('add {key} = "..."', key=key)
                )
            return default
        value = data[key]
        if isinstance(value, str) and len(value.strip()) > longest:
            self.problem(
                (*path, key),
                said(
                    "{length} characters is too long (at most {longest})",
                    length=len(value.strip()),
                    longest=longest,
                ),
                said("say it in fewer words: a notification shows only a line or two"),
            )
            return default
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.problem(
            (*path, key),
            said(
                "expected some text, got {type} {value}", type=type_name(value), value=repr(value)
            ),
            said('write {key} = "..."', key=key),
        )
        return default

    def name(self, data: Mapping[str, Any], path: KeyPath, key: str) -> str:
        value = self.text(data, path, key, required=True)
        if value and not _NAME.fullmatch(value):
            self.problem(
                (*path, key),
                said('"{value}" is not a usable name', value=value),
                said("use letters, digits, '-', '_' or '.', starting with a letter or digit"),
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
                said("expected a list of strings, got {type}", type=type_name(value)),
                said('write {key} = ["...", "..."]', key=key),
            )
            return ()
        result = []
        for index, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                result.append(item.strip())
            else:
                self.problem(
                    (*path, key, index),
                    said("expected a string, got {type}", type=type_name(item)),
                    said('put it in quotes: "..."'),
                )
        return tuple(result)

    def duration(
        self,
        data: Mapping[str, Any],
        path: KeyPath,
        key: str,
        bounds: Bounds = (0, DAY, ""),
        *,
        bare_seconds: bool = False,
        zero: bool = False,
    ) -> float | None:
        """A length within ``bounds`` (shortest, longest, and why): a duration string such
        as "10s" or "1h30m", or, where ``bare_seconds`` (a step's length), a plain positive
        number of seconds too."""
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            got = type_name(value)
            if bare_seconds:
                message = said("expected a number of seconds, got {type}", type=got)
                fix = said("write {key} = 10", key=key)
            else:
                message = said("expected a duration, got {type}", type=got)
                fix = said("{hint}, in quotes", hint=DURATION_HINT)
            self.problem((*path, key), message, fix)
            return None
        if not isinstance(value, str):
            return self._number(path, key, value, bounds, bare_seconds)
        try:
            seconds = parse_duration(value, zero=zero)
        except DurationError as error:
            self.problem((*path, key), *split_fix(error))
            return None
        return self._within(path, key, value, seconds, bounds)

    def _number(
        self, path: KeyPath, key: str, value: float, bounds: Bounds, bare_seconds: bool
    ) -> float | None:
        """A length written as a plain number: seconds where allowed, else a missing unit."""
        if not bare_seconds:
            self.problem(
                (*path, key),
                said("{value} has no unit", value=value),
                said('write {key} = "{value}m" or "{value}s"', key=key, value=value),
            )
            return None
        if not value > 0:  # NaN too
            fix = said("give a positive number of seconds")
            self.problem((*path, key), said("{value} is not longer than zero", value=value), fix)
            return None
        return self._within(path, key, value, float(value), bounds)

    def _within(
        self, path: KeyPath, key: str, value: object, seconds: float, bounds: Bounds
    ) -> float | None:
        shortest, longest, why = bounds
        # Quoted as the other messages quote what was written ("1s"), a number as it is.
        shown = f'"{value}"' if isinstance(value, str) else str(value)
        if seconds < shortest:
            message = said(
                "{value} is shorter than {limit}", value=shown, limit=format_duration(shortest)
            )
            self.problem((*path, key), message, why)
            return None
        if seconds > longest:
            message = said(
                "{value} is longer than {limit}", value=shown, limit=format_duration(longest)
            )
            self.problem((*path, key), message, why)
            return None
        return seconds

    def seconds(self, data: Mapping[str, Any], path: KeyPath, key: str) -> float | None:
        """A step's length: seconds as a number or a duration string, within STEP_BOUNDS."""
        return self.duration(data, path, key, STEP_BOUNDS, bare_seconds=True)

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
            said(
                "expected a whole number from 1 to {largest}, got {value}",
                largest=largest,
                value=repr(value),
            ),
            why if too_many and why else said("write {key} = 3", key=key),
        )
        return default

    def choice(
        self, data: Mapping[str, Any], path: KeyPath, key: str, choices: tuple[str, ...]
    ) -> str:
        value = data.get(key, choices[0])
        if value in choices:
            return str(value)
        fix = did_you_mean(
            str(value), choices, said("use one of: {choices}", choices=", ".join(choices))
        )
        message = said('"{value}" is not one of {choices}', value=value, choices=", ".join(choices))
        self.problem((*path, key), message, fix)
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
                said("expected a list of weekdays, got {value}", value=repr(value)),
                said('write days = ["mon", "tue", "wed", "thu", "fri"]'),
            )
            return ALL_DAYS
        days = set()
        for index, item in enumerate(value):
            day = weekday(item)
            if day is None:
                fix = did_you_mean(str(item).lower()[:3], WEEKDAYS, said("use mon, tue, ... sun"))
                self.problem((*path, key, index), said('"{item}" is not a weekday', item=item), fix)
            else:
                days.add(day)
        return frozenset(days) or ALL_DAYS

    def clocks(self, data: Mapping[str, Any], path: KeyPath, key: str) -> tuple[time, ...]:
        result = []
        for index, item in enumerate(self.texts(data, path, key)):
            try:
                result.append(parse_clock(item))
            except DurationError:
                message = said('"{item}" is not a time of day', item=item)
                self.problem((*path, key, index), message, CLOCK_HINT)
        return tuple(sorted(set(result)))

    def ranges(self, value: object, path: KeyPath) -> tuple[tuple[time, time], ...] | None:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(
                path,
                said("expected a list of time ranges, got {type}", type=type_name(value)),
                said('write ["09:00-12:30", "13:30-18:00"]'),
            )
            return None
        ranges = []
        for index, item in enumerate(value):
            try:
                ranges.append(parse_range(item))
            except DurationError as error:
                self.problem((*path, index), *split_fix(error))
        ranges.sort()
        for (first_start, first_end), (start, _end) in itertools.pairwise(ranges):
            across_midnight = first_end < first_start  # it runs on to the end of the day
            if start < first_end or across_midnight:
                self.problem(
                    path, said("two time ranges overlap"), said("merge them into one range")
                )
        return tuple(ranges)


def split_fix(error: Exception) -> tuple[str, str]:
    """A DurationError's text is "what is wrong: how to fix it"; return both halves."""
    from reminderd.i18n.said import message as message_of  # noqa: PLC0415

    whole = message_of(error)
    if isinstance(whole, Said) and whole.template == "{problem}: {fix}":
        problem, fix = whole.values["problem"], whole.values["fix"]
        if isinstance(problem, str) and isinstance(fix, str):
            return problem, fix
    message, _, fix = str(error).partition(": ")
    return message, fix


def weekday(value: object) -> int | None:
    if not isinstance(value, str):
        return None
    word = value.strip().lower()
    for index, full in enumerate(_FULL_DAYS):
        if word == WEEKDAYS[index] or (len(word) >= 3 and full.startswith(word)):
            return index
    return None
