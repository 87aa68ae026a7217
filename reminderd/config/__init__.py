"""Read, merge and validate config and exercise files.

Every mistake is collected, not just the first, and each names the file, the line, the key
and the fix. Nothing here prints; ``ConfigError`` carries the problems to whoever asks.

One job per module: ``discovery`` (which file, and where the built-in data is), ``files``
(reading one TOML file safely), ``reader`` (typed access that records problems),
``limits`` (the bounds), ``exercises`` (exercise tables and the library), ``schedule``
([schedule] and [[routines]]), ``settings`` (the smaller sections) and ``load`` (a whole
config).
"""

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
