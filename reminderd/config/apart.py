"""The config read in a process apart, for the daemon: ``read_apart`` runs
``python -m reminderd.config.apart``, which reads, merges and checks the config as
``load_config`` does and hands back the validated ``Config`` (or every problem found).

Why apart: the daemon holds the config for hours and reads it only at start and at a
reload, but the reading takes a TOML parser, the reader, the layers, the exercise tables
and the checks of every step's words, about half a megabyte of code that an idle daemon
would otherwise keep. A reader that fails or hangs takes only its own process with it;
the daemon keeps its config.

Between the two processes the config travels as JSON (the daemon has it loaded for its
control socket): each record as its class's name and fields, each class one of
``RECORDS``, so that nothing but a config can be made from what comes back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import time
from pathlib import Path, PurePath
from types import MappingProxyType
from typing import Any

from reminderd.config.discovery import ConfigSource
from reminderd.config.limits import Limits
from reminderd.errors import ConfigError, Problem, ReminderError
from reminderd.i18n.said import Said, said, unwire, wire
from reminderd.model import (
    Config,
    Exercise,
    Guidance,
    Hook,
    Routine,
    StepSpec,
    SyncSettings,
    Trigger,
    WorkSchedule,
)
from reminderd.pictures.pose import Pose

# The records a config is made of: the only classes decoding makes.
RECORDS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        Config,
        ConfigSource,
        Exercise,
        Guidance,
        Hook,
        Limits,
        Pose,
        Routine,
        StepSpec,
        SyncSettings,
        Trigger,
        WorkSchedule,
    )
}
TIMEOUT = 15.0  # seconds for the reader (the daemon waits): a config is read in a tenth of one


def encode(value: object) -> object:  # noqa: PLR0911 - one return per kind of value
    """``value`` as JSON data: plain text, numbers, booleans and None as they are; every
    other value a list whose first item says what it is."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Said):
        return ["said", str(value), wire(value)]
    if isinstance(value, str):
        return value
    if isinstance(value, tuple) and type(value).__name__ in RECORDS:
        return ["record", type(value).__name__, [encode(item) for item in value]]
    if isinstance(value, tuple):
        return ["tuple", [encode(item) for item in value]]
    if isinstance(value, list):
        return ["list", [encode(item) for item in value]]
    if isinstance(value, frozenset):
        return ["frozenset", [encode(item) for item in value]]
    if isinstance(value, (dict, MappingProxyType)):
        return ["mapping", [[encode(k), encode(v)] for k, v in value.items()]]
    if isinstance(value, time):
        return ["time", value.hour, value.minute, value.second, value.microsecond]
    if isinstance(value, PurePath):
        return ["path", str(value)]
    if isinstance(value, Problem):
        fields = (value.file, value.line, value.key, value.message, value.fix, value.column)
        return ["problem", [encode(item) for item in fields]]
    msg = f"a config holds no {type(value).__name__}"
    raise TypeError(msg)


def decode(data: object) -> Any:
    """The value ``encode`` made; ValueError for anything it cannot have made."""
    try:
        return _decode(data)
    except (IndexError, KeyError, TypeError) as error:  # a shape encode never makes
        msg = f"not a config value: {error}"
        raise ValueError(msg) from None


def _decode(data: object) -> Any:  # noqa: PLR0911 - one return per kind of value
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        msg = f"not a config value: {type(data).__name__}"
        raise ValueError(msg)
    kind, rest = data[0], data[1:]
    if kind == "said":
        english, shape = rest
        made = unwire(shape)
        return made if isinstance(made, Said) and str(made) == english else said(english)
    if kind == "record":
        name, items = rest
        cls = RECORDS.get(name)
        if cls is None:
            msg = f"not a record of a config: {name!r}"
            raise ValueError(msg)
        return cls(*(_decode(item) for item in items))
    if kind in ("tuple", "list", "frozenset"):
        items = [_decode(item) for item in rest[0]]
        return tuple(items) if kind == "tuple" else items if kind == "list" else frozenset(items)
    if kind == "mapping":  # read-only, as the loader hands a config's exercises over
        return MappingProxyType({_decode(k): _decode(v) for k, v in rest[0]})
    if kind == "time":
        hour, minute, second, micro = (int(part) for part in rest)
        return time(hour, minute, second, micro)
    if kind == "path":
        return Path(str(rest[0]))
    if kind == "problem":
        file, line, key, message, fix, column = (_decode(item) for item in rest[0])
        return Problem(file, line, key, message, fix, column=column)
    msg = f"not a config value: {kind!r}"
    raise ValueError(msg)


Read = Callable[[ConfigSource, Limits], Config]  # a config's source and bounds -> the config


def read_here(source: ConfigSource, limits: Limits) -> Config:
    """``load_config`` in this process (tests, `run --here`): the reader loaded here."""
    from reminderd.config.load import load_config  # noqa: PLC0415 - loaded only here

    return load_config(source, limits)


def read_apart(source: ConfigSource, limits: Limits, timeout: float = TIMEOUT) -> Config:
    """``load_config(source, limits)``, read in a process of its own; ConfigError with
    every problem found, as ``load_config`` raises it; ReminderError when the reader
    itself fails (it crashed, took too long, or said something that is not a config)."""
    argv = [sys.executable, *(["-P"] if sys.version_info >= (3, 11) else [])]
    argv += ["-m", "reminderd.config.apart"]
    request = json.dumps([encode(source), encode(limits)]).encode()
    try:
        done = subprocess.run(
            argv, input=request, capture_output=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ReminderError(said("the config reader failed: {error}", error=str(error))) from None
    try:
        kind, value = json.loads(done.stdout)
        result = decode(value)
    except (ValueError, TypeError):
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        why = lines[-1] if lines else f"exit status {done.returncode}"
        raise ReminderError(said("the config reader failed: {error}", error=why)) from None
    if kind == "problems":
        raise ConfigError(result)
    if kind != "config" or not isinstance(result, Config):
        raise ReminderError(said("the config reader failed: {error}", error="no config"))
    return result


def hand_over(config: Config) -> int:
    """``config`` in an unnamed file, its descriptor open and inheritable: what `start`
    read, handed to the daemon it becomes or starts (``--config-fd``), so that the
    daemon need not read it again."""
    import tempfile  # noqa: PLC0415 - the command line's, never the daemon's

    handed = tempfile.TemporaryFile()  # noqa: SIM115 - its descriptor outlives this call
    handed.write(json.dumps(encode(config)).encode())
    handed.flush()
    fd = os.dup(handed.fileno())
    handed.close()
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd


def taken_over(fd: int) -> Config:
    """The config `start` handed over on ``fd`` (closed once read); ReminderError if it is
    not one."""
    with os.fdopen(fd, "rb") as handed:
        data = handed.read()
    try:
        config = decode(json.loads(data))
    except ValueError:
        config = None
    if not isinstance(config, Config):
        raise ReminderError(said("the config handed over by `start` is not a config"))
    return config


def first_then_apart(first: Config) -> Read:
    """A daemon's way of reading: ``first`` at start, then each reload apart."""
    pending = [first]

    def read(source: ConfigSource, limits: Limits) -> Config:
        return pending.pop() if pending else read_apart(source, limits)

    return read


def main() -> int:
    """The reader's side: a source and limits on stdin, the config or its problems on
    stdout."""
    from reminderd.config.load import load_config  # noqa: PLC0415 - the reader's own process

    source, limits = (decode(item) for item in json.loads(sys.stdin.buffer.read()))
    try:
        answer = ["config", encode(load_config(source, limits))]
    except ConfigError as error:
        answer = ["problems", encode(error.problems)]
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
