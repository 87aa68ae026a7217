"""Which config file is in use and why (``--config``, ``$REMINDERD_CONFIG``, the user's
file, or the built-in default), and where the built-in data lives."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from reminderd.errors import ConfigError, Problem
from reminderd.i18n.said import said

ENV_VAR = "REMINDERD_CONFIG"


def library_dir() -> Path:
    """The built-in exercise library: inside the installed package, or beside it in a checkout."""
    return data_dir("exercises")


def data_dir(name: str) -> Path:
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_data" / name, package.parent / name):
        if candidate.is_dir():
            return candidate
    msg = said(
        "reminderd's {name}/ folder is missing from the installation: reinstall reminderd",
        name=name,
    )
    raise ConfigError([Problem(package, None, "", msg)])


def default_config_path() -> Path:
    return data_dir("config") / "default.toml"


class ConfigSource(NamedTuple):
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
