"""Exercises as written in TOML (a library file, or an [[exercises]] entry of a config):
validated into ``Exercise`` values, with every mistake reported and the bounds that keep
an exercise runnable (steps, length, texts that fit a banner)."""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reminderd.config.discovery import library_dir
from reminderd.config.files import read_toml
from reminderd.config.keys import EXERCISE_KEYS, STEP_KEYS
from reminderd.config.limits import MAX_ROUTINE, MAX_STEPS
from reminderd.config.reader import Reader
from reminderd.durations import format_duration
from reminderd.errors import ConfigError, Problem
from reminderd.exercises import expand, total_seconds
from reminderd.i18n.said import said
from reminderd.model import BANNER, Exercise, StepKind, StepSpec
from reminderd.tomlmap import KeyPath

if TYPE_CHECKING:
    from reminderd.pictures.pose import Pose

_formatter = string.Formatter()


def parse_exercise(
    data: Mapping[str, Any], path: KeyPath, reader: Reader, default_id: str = "", origin: str = ""
) -> Exercise | None:
    """Validate one exercise table (a library file, or a [[exercises]] entry)."""
    reader.known_keys(data, path, EXERCISE_KEYS)
    before = len(reader.problems)
    if default_id and "id" not in data:
        exercise_id = default_id
    else:
        exercise_id = reader.name(data, path, "id")
        if default_id and exercise_id and exercise_id != default_id:
            reader.problem(
                (*path, "id"),
                said('"{id}" does not match the file name', id=exercise_id),
                said(
                    'rename the file to {id}.toml or write id = "{file}"',
                    id=exercise_id,
                    file=default_id,
                ),
            )
    title = reader.text(data, path, "title", required=True, longest=80)
    sides = reader.texts(data, path, "sides")
    hold = reader.seconds(data, path, "hold")
    steps = []
    for index, step in enumerate(reader.tables(data, path, "steps")):
        spec = _step(step, (*path, "steps", index), reader, hold, sides)
        if spec:
            steps.append(spec)
    if not data.get("steps"):
        reader.problem(
            path, said("no steps"), said("add at least one [[steps]] with text and seconds")
        )
    setup = None
    if "setup" in data:
        setup_table = reader.table(data, path, "setup")
        setup = _step(setup_table, (*path, "setup"), reader, None, ())
    rest = reader.seconds(data, path, "rest") or 0.0
    exercise = Exercise(
        id=exercise_id,
        title=title,
        steps=tuple(steps),
        summary=reader.text(data, path, "summary"),
        sources=reader.texts(data, path, "source"),
        sides=sides,
        sets=reader.count(data, path, "sets", most=(20, said("at most 20 sets"))),
        reps=reader.count(data, path, "reps", most=(100, said("at most 100 repetitions a set"))),
        hold=hold,
        rest=rest,
        rep_label=reader.text(data, path, "rep_label", default="rep", longest=30),
        setup=setup,
        origin=origin,
    )
    if len(reader.problems) != before:
        return None
    _check_size(exercise, path, reader)
    return exercise if len(reader.problems) == before else None


def _check_size(exercise: Exercise, path: KeyPath, reader: Reader) -> None:
    """The whole expanded exercise stays within MAX_STEPS steps and MAX_ROUTINE seconds."""
    sides = max(1, len(exercise.sides))
    per_set = exercise.reps * len(exercise.steps)
    count = (exercise.setup is not None) + sides * (exercise.sets * per_set + exercise.sets - 1)
    if count > MAX_STEPS:
        reader.problem(
            path,
            said("expands to {count} steps (at most {most})", count=count, most=MAX_STEPS),
            said("use fewer sets, repetitions or sides"),
        )
        return
    seconds = total_seconds(expand(exercise))
    if seconds > MAX_ROUTINE:
        reader.problem(
            path,
            said(
                "lasts {length} (at most {most})",
                length=format_duration(seconds),
                most=format_duration(MAX_ROUTINE),
            ),
            said("split it into shorter exercises"),
        )


def _step(
    data: Mapping[str, Any],
    path: KeyPath,
    reader: Reader,
    hold: float | None,
    sides: tuple[str, ...],
) -> StepSpec | None:
    reader.known_keys(data, path, STEP_KEYS)
    text = reader.text(data, path, "text", required=True)
    seconds = reader.seconds(data, path, "seconds")
    if seconds is None and "seconds" not in data:
        if hold is None:
            reader.problem(
                path,
                said("no seconds"),
                said("add seconds = 10, or a hold time for the exercise"),
            )
        seconds = hold
    detail = reader.text(data, path, "detail")
    say = reader.text(data, path, "say")
    held = reader.choice(data, path, "kind", ("step", "hold")) == "hold"
    kind: StepKind = "hold" if held else "step"
    # Every field is checked (no short-circuit), so that every mistake is reported.
    checked = [
        _placeholders(reader, (*path, key), value, sides)
        for key, value in (("text", text), ("detail", detail), ("say", say))
        if value
    ]
    placeholders_ok = all(checked)
    pose, image = _picture(data, path, reader, sides, kind)
    if not text or seconds is None or not placeholders_ok:
        return None
    _check_banner(reader, (*path, "text"), text, seconds, sides)
    return StepSpec(text, seconds, detail, say, kind, pose, image)


def _picture(
    data: Mapping[str, Any], path: KeyPath, reader: Reader, sides: tuple[str, ...], kind: str
) -> tuple[Pose | None, str]:
    """A step's ``pose`` (drawn by reminderd) or ``image`` (a file relative to the file it
    is written in)."""
    from reminderd.pictures.files import image_problem  # noqa: PLC0415
    from reminderd.pictures.pose import read_pose  # noqa: PLC0415

    def report(key: str, message: str, fix: str) -> None:
        reader.problem((*path, "pose", key) if key else (*path, "pose"), message, fix)

    pose = read_pose(data["pose"], sides, report) if "pose" in data else None
    image = reader.text(data, path, "image", longest=4096)
    if image:
        folder = Path(reader.file).parent if reader.file else Path.cwd()
        image = str((folder / Path(image).expanduser()).resolve())
        why = image_problem(image)
        if why:
            reader.problem((*path, "image"), said("{file}: {why}", file=image, why=why[0]), why[1])
            image = ""
        elif "pose" in data:
            reader.problem((*path, "image"), said("a step has a pose or an image, not both"), "")
    if kind == "hold" and "pose" not in data and "image" not in data:
        reader.warn(
            path,
            said("a hold without a picture: its notification shows only text"),
            said('add pose = { ... } (see docs/pictures.md) or image = "file.png"'),
        )
    return pose, image


def _check_banner(
    reader: Reader, path: KeyPath, text: str, seconds: float, sides: tuple[str, ...]
) -> None:
    """A step's action, side and length should fit the first line of a banner."""
    for side in sides or ("",):
        line = f"{text.format(side=side) if side else text} ({format_duration(seconds)})"
        if len(line) > BANNER:
            reader.warn(
                path,
                said(
                    '"{line}" is {length} characters: a banner shows about {banner}, so it '
                    "would be cut before its end",
                    line=line,
                    length=len(line),
                    banner=BANNER,
                ),
                said("keep the action and the side in the text, and put the rest in detail"),
            )
            return


def _placeholders(reader: Reader, path: KeyPath, text: str, sides: tuple[str, ...]) -> bool:
    """Only ``{side}`` is filled in, and only in an exercise that has sides."""
    try:
        parts = [(name, spec, conversion) for _, name, spec, conversion in _formatter.parse(text)]
    except ValueError:  # "{Squeeze {side}", a lone "}"
        reader.problem(
            path,
            said("has a brace that does not close"),
            said("write {side} for the side, and {{ and }} for literal braces"),
        )
        return False
    fields = {name for name, _, _ in parts if name is not None}
    if any(spec or conversion for name, spec, conversion in parts if name is not None):
        reader.problem(
            path,
            said("a placeholder has a format (like {side:>10} or {side!r})"),
            said("write {side} alone: the side is filled in as it is"),
        )
        return False
    if fields - {"side"}:
        reader.problem(
            path,
            said("unknown placeholder {{{name}}}", name=sorted(fields - {"side"})[0]),
            said("only {side} is filled in; write {{ and }} for literal braces"),
        )
        return False
    if "side" in fields and not sides:
        reader.problem(
            path,
            said("uses {side} but the exercise has no sides"),
            said('add sides = ["right", "left"] or remove {side}'),
        )
        return False
    return True


def load_exercise_dir(
    folder: Path, problems: list[Problem], warnings: list[Problem] | None = None
) -> dict[str, Exercise]:
    """Every ``*.toml`` in ``folder`` as an exercise, by id; problems are appended."""
    exercises: dict[str, Exercise] = {}
    for file in sorted(folder.glob("*.toml")):
        try:
            data, where = read_toml(file)
        except ConfigError as error:
            problems.extend(error.problems)
            continue
        reader = Reader(file, where)
        exercise = parse_exercise(data, (), reader, default_id=file.stem, origin=str(file))
        problems.extend(reader.problems)
        if warnings is not None:
            warnings.extend(reader.warnings)
        if exercise:
            exercises[exercise.id] = exercise
    return exercises


def load_library() -> dict[str, Exercise]:
    """The built-in exercises by id; a broken built-in file is a ConfigError naming it."""
    problems: list[Problem] = []
    exercises = load_exercise_dir(library_dir(), problems)
    if problems:
        raise ConfigError(problems)
    return exercises
