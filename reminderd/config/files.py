"""Read one TOML file safely: a regular file of bounded size, UTF-8, parsed by tomllib, with
a syntax error turned into a Problem that names the line and column."""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

from reminderd.config.limits import MAX_FILE
from reminderd.errors import ConfigError, Problem
from reminderd.i18n.said import said
from reminderd.tomlmap import TomlMap

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


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
                    said("file not found"),
                    said("check the path, or run `reminderd config init`"),
                )
            ]
        ) from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            [
                Problem(
                    path,
                    None,
                    "",
                    said("not UTF-8 text ({reason})", reason=error.reason),
                    said("save the file as UTF-8"),
                )
            ]
        ) from None
    except OSError as error:
        raise ConfigError(
            [
                Problem(
                    path,
                    None,
                    "",
                    said("cannot read: {error}", error=error.strerror or str(error)),
                    said("give the path of a TOML file you can read"),
                )
            ]
        ) from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError(
            [
                Problem(
                    path,
                    None,
                    "",
                    said("nested too deeply to read"),
                    said("flatten the tables and lists"),
                )
            ]
        ) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(match.group(1)) if match else None
        column = int(match.group(2)) if match else None
        if match is None and "end of document" in message:
            line = text.count("\n") + (0 if text.endswith("\n") else 1)  # the last line
        detail = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        fix = said("check the quotes, brackets and '=' on that line")
        if twice := re.fullmatch(r"Cannot declare \('([\w.-]+)',?.*\) twice", detail):
            # The commented file `config init` writes has every section already: a section
            # added again from an example is the likely slip.
            fix = said(
                "the file has a [{section}] section already: put these keys in it",
                section=twice.group(1),
            )
        raise ConfigError(
            [
                Problem(
                    path, line, "", said("TOML syntax: {detail}", detail=detail), fix, column=column
                )
            ]
        ) from None
    return data, TomlMap(text)
