"""A whole config: the file read, the exercise library and the user's own exercises
merged, every section validated, and every problem reported at once."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from reminderd.config import schedule as sections
from reminderd.config import settings
from reminderd.config.discovery import ConfigSource, find_config
from reminderd.config.exercises import load_exercise_dir, load_library, parse_exercise
from reminderd.config.keys import TOP_KEYS
from reminderd.config.layers import read_layers
from reminderd.config.limits import STRICT, Limits
from reminderd.config.reader import Reader, key_text
from reminderd.errors import ConfigError, Problem
from reminderd.i18n.said import said
from reminderd.model import Config, Exercise, Guidance, Routine
from reminderd.tomlmap import KeyPath

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
                said('exercise "{id}" is defined twice', id=exercise.id),
                said("give each [[exercises]] its own id"),
            )
        inline_ids.add(exercise.id)
        library[exercise.id] = exercise
    schedule = sections.schedule(reader.table(data, (), "schedule"), reader, limits)
    routines = sections.routines(data, reader, library, schedule, limits)
    backend = settings.backend(data, reader)
    guidance = settings.guidance(reader.table(data, (), "guidance"), reader)
    history_days = reader.count(
        data,
        (),
        "history_days",
        default=365,
        most=(3660, said("at most 3660 days (ten years)")),
    )
    hooks = settings.hooks(data, reader)
    panel_icon = settings.panel_icon(data, reader)
    sync = settings.sync(data, reader)
    if not problems and not reader.problems:  # a config that reads well: do its words fit?
        inline = {t.get("id"): i for i, t in enumerate(reader.tables(data, (), "exercises"))}
        words_fit(routines, library, guidance, reader, inline, problems, warnings)
    problems.extend(reader.problems)
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: (str(p.file), p.line or 0)))
    return Config(
        routines=routines,
        exercises=MappingProxyType(dict(library)),
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


def words_fit(  # noqa: PLR0917 - the loader's parts, passed as they are
    routines: tuple[Routine, ...],
    library: Mapping[str, Exercise],
    guidance: Guidance,
    reader: Reader,
    inline: Mapping[object, int],
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    """Holds whose opening words cannot end in time for the hold to be held in silence:
    refused with the system's voice (whose pace the lengths are measured on), pointed out
    with the voice off (the day it is turned on) or with a command of the person's own
    (whose pace is not known). Every other step lasts as long as its words."""
    from reminderd.speech.fit import check  # noqa: PLC0415

    refuse = guidance.voice is True
    for misfit in check(routines, library, guidance):
        step = misfit.step
        said = "say" if step.say else "text"  # the words that do not fit
        key: KeyPath = ("setup", said) if step.spec == -1 else ("steps", step.spec or 0, said)
        if step.exercise_id in inline:  # an [[exercises]] table of this file
            where = ("exercises", inline[step.exercise_id], *key)
            (reader.problem if refuse else reader.warn)(where, misfit.message, misfit.fix)
            continue
        origin = library[step.exercise_id].origin or ""
        found = Problem(origin, None, key_text(key), misfit.message, misfit.fix)
        (problems if refuse else warnings).append(found)
