"""A whole config: the file read, the exercise library and the user's own exercises
merged, every section validated, and every problem reported at once."""

from __future__ import annotations

from pathlib import Path

from reminderd.config import schedule as sections
from reminderd.config import settings
from reminderd.config.discovery import ConfigSource, find_config
from reminderd.config.exercises import load_exercise_dir, load_library, parse_exercise
from reminderd.config.keys import TOP_KEYS
from reminderd.config.layers import read_layers
from reminderd.config.limits import STRICT, Limits
from reminderd.config.reader import Reader
from reminderd.errors import ConfigError, Problem
from reminderd.model import Config, Exercise

# Stands in for an [[exercises]] entry that had problems: a routine naming it is not also
# told that it is unknown.
BROKEN = Exercise(id="", title="", steps=())


def load_config(source: ConfigSource | Path | str | None = None, limits: Limits = STRICT) -> Config:
    """Read and validate a config; raise ConfigError listing every problem found.

    ``limits`` are the bounds that depend on who runs reminderd (see ``Limits``): made
    once at the program's edge, never read from the environment here."""
    if not isinstance(source, ConfigSource):
        source = find_config(source)
    path = source.path
    layered = read_layers(source)  # system-wide files under the person's, key by key
    data = layered.data
    reader = Reader(path, layered.top.where, layered)
    reader.known_keys(data, (), TOP_KEYS)
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
                library.setdefault(broken, BROKEN)
            continue
        if exercise.id in inline_ids:
            reader.problem(
                ("exercises", index, "id"),
                f'exercise "{exercise.id}" is defined twice',
                "give each [[exercises]] its own id",
            )
        inline_ids.add(exercise.id)
        library[exercise.id] = exercise
    schedule = sections.schedule(reader.table(data, (), "schedule"), reader, limits)
    routines = sections.routines(data, reader, library, schedule, limits)
    backend = settings.backend(data, reader)
    guidance = settings.guidance(reader.table(data, (), "guidance"), reader)
    history_days = reader.count(
        data, (), "history_days", default=365, most=(3660, "at most 3660 days (ten years)")
    )
    hooks = settings.hooks(data, reader)
    panel_icon = settings.panel_icon(data, reader)
    sync = settings.sync(data, reader)
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
