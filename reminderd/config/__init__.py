"""Read, merge and validate config and exercise files.

Every mistake is collected, not just the first, and each names the file, the line, the key
and the fix. Nothing here prints; ``ConfigError`` carries the problems to whoever asks.

One job per module: ``discovery`` (which file, and where the built-in data is), ``files``
(reading one TOML file safely), ``reader`` (typed access that records problems),
``limits`` (the bounds), ``exercises`` (exercise tables and the library), ``schedule``
([schedule] and [[routines]]), ``settings`` (the smaller sections), ``load`` (a whole
config) and ``apart`` (a whole config read in a process of its own, for the daemon).

Every name below is read from its module on first use: the daemon imports ``discovery``
and ``limits`` and reads the config apart, so it never loads the reader itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reminderd.lazy import exports

if TYPE_CHECKING:
    from reminderd.config.discovery import (
        ENV_VAR,
        ConfigSource,
        data_dir,
        default_config_path,
        find_config,
        library_dir,
        user_config_path,
    )
    from reminderd.config.exercises import load_exercise_dir, load_library, parse_exercise
    from reminderd.config.files import read_toml
    from reminderd.config.limits import MAX_STEPS, STRICT, Limits
    from reminderd.config.load import load_config
    from reminderd.config.reader import Reader, did_you_mean, key_text

_HOMES = {
    "ENV_VAR": "discovery",
    "ConfigSource": "discovery",
    "data_dir": "discovery",
    "default_config_path": "discovery",
    "find_config": "discovery",
    "library_dir": "discovery",
    "user_config_path": "discovery",
    "load_exercise_dir": "exercises",
    "load_library": "exercises",
    "parse_exercise": "exercises",
    "read_toml": "files",
    "MAX_STEPS": "limits",
    "STRICT": "limits",
    "Limits": "limits",
    "load_config": "load",
    "Reader": "reader",
    "did_you_mean": "reader",
    "key_text": "reader",
}

__all__ = [
    "ENV_VAR",
    "MAX_STEPS",
    "STRICT",
    "ConfigSource",
    "Limits",
    "Reader",
    "data_dir",
    "default_config_path",
    "did_you_mean",
    "find_config",
    "key_text",
    "library_dir",
    "load_config",
    "load_exercise_dir",
    "load_library",
    "parse_exercise",
    "read_toml",
    "user_config_path",
]

if not TYPE_CHECKING:  # mypy reads the imports above, and still finds a misspelt name
    __getattr__ = exports(__name__, _HOMES)
