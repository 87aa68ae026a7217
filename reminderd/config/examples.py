"""The example configs shipped with reminderd (config/examples/): their names, what each
is for, and the file of one, for `config examples` and `config init --example NAME`."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from reminderd.config.discovery import data_dir
from reminderd.config.reader import did_you_mean
from reminderd.errors import UnknownNameError


class Example(NamedTuple):
    """An example config shipped with reminderd."""

    name: str  # the file name without .toml: "office-week"
    path: Path
    about: str  # the file's opening comment, in one line


def examples() -> list[Example]:
    """Every example config, by name."""
    found = []
    for path in sorted((data_dir("config") / "examples").glob("*.toml")):
        found.append(Example(path.stem, path, about(path)))
    return found


def example(name: str) -> Example:
    """The example called ``name``; UnknownNameError (with the names there are) if none."""
    known = examples()
    for candidate in known:
        if candidate.name == name:
            return candidate
    names = [candidate.name for candidate in known]
    fix = did_you_mean(name, names, "`reminderd config examples` lists them")
    msg = f'no example config called "{name}" ({fix}; known: {", ".join(names)})'
    raise UnknownNameError(msg)


def about(path: Path) -> str:
    """The comment lines the file opens with, as one line."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(line for line in lines if line)
