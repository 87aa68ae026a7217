"""``[sync]``: the folder and this machine's name, checked like every other config key.

[sync]
folder = "~/Sync/reminderd"   # a folder a sync engine keeps on each machine
machine = "laptop"            # default: this computer's host name
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reminderd.errors import ConfigError, Problem
from reminderd.i18n.said import said
from reminderd.model import SyncSettings
from reminderd.sync.layout import MACHINE, MACHINE_HINT, default_machine
from reminderd.tomlmap import KeyPath

if TYPE_CHECKING:
    from reminderd.config.discovery import ConfigSource

MAX_PATH = 1024  # characters in the folder's path

Report = Callable[[KeyPath, str, str], None]  # (key path, problem, fix)


def parse(table: Mapping[str, Any], problem: Report) -> SyncSettings | None:
    """The settings of a ``[sync]`` table (None when there is none, or it has mistakes,
    which go to ``problem``)."""
    if not table:
        return None
    path: KeyPath = ("sync",)
    folder = table.get("folder")
    machine = table.get("machine", None)
    ok = True
    if folder is None:
        problem(
            path,
            said('missing "{key}"', key="folder"),
            said('add folder = "~/Sync/reminderd", a folder your sync engine keeps'),
        )
        ok = False
    elif not isinstance(folder, str) or not folder.strip() or len(folder) > MAX_PATH:
        problem(
            (*path, "folder"),
            said("expected the path of a folder, got {value}", value=repr(folder)),
            said('write folder = "~/Sync/reminderd"'),
        )
        ok = False
    elif not Path(folder.strip()).expanduser().is_absolute():
        problem(
            (*path, "folder"),
            said('"{folder}" is a relative path', folder=folder),
            said(
                'write the whole path, or start it with ~ for your home folder: "~/Sync/reminderd"'
            ),
        )
        ok = False
    if machine is not None and (not isinstance(machine, str) or not MACHINE.fullmatch(machine)):
        problem(
            (*path, "machine"),
            said("{value} is not a usable machine name", value=repr(machine)),
            said("use {hint}", hint=MACHINE_HINT),
        )
        ok = False
    if not ok or not isinstance(folder, str):
        return None
    return SyncSettings(Path(folder.strip()).expanduser(), machine or default_machine())


def configured(source: ConfigSource) -> SyncSettings | None:
    """The ``[sync]`` settings of a config, read without checking the rest of it (for
    `stats` and `history`); mistakes in ``[sync]`` itself are a ConfigError."""
    from reminderd.config.layers import read_layers  # noqa: PLC0415 - config imports this module
    from reminderd.config.reader import key_text  # noqa: PLC0415 - as above

    layered = read_layers(source)
    table = layered.data.get("sync")
    if not isinstance(table, dict):
        return None
    problems: list[Problem] = []

    def report(path: KeyPath, message: str, fix: str) -> None:
        problems.append(Problem(*layered.locate(path), key_text(path), message, fix))

    settings = parse(table, report)
    if problems:
        raise ConfigError(problems)
    return settings
