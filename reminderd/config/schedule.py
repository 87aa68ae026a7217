"""The [schedule] section (working hours, idle handling, the skip budget) and the
[[routines]] that fall due inside it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from reminderd.config.keys import ROUTINE_KEYS, SCHEDULE_KEYS
from reminderd.config.limits import SOFT_START_BOUNDS, Limits
from reminderd.config.reader import Reader, did_you_mean, type_name, weekday
from reminderd.contracts import SOURCE_REASONS, SourceReason
from reminderd.i18n.said import said
from reminderd.model import ALL_DAY, WEEKDAYS, Exercise, Routine, Trigger, WorkSchedule
from reminderd.tomlmap import KeyPath


def schedule(data: Mapping[str, Any], reader: Reader, limits: Limits) -> WorkSchedule:
    path: KeyPath = ("schedule",)
    reader.known_keys(data, path, SCHEDULE_KEYS)
    base = ALL_DAY
    if "working_hours" in data:
        base = reader.ranges(data["working_hours"], (*path, "working_hours")) or ALL_DAY
    days = reader.days(data, path, "days")
    hours = [base if day in days else () for day in range(7)]
    overrides = reader.table(data, path, "hours")
    for key, value in overrides.items():
        day = weekday(key)
        if day is None:
            fix = did_you_mean(key.lower()[:3], WEEKDAYS, said("use mon, tue, ... sun"))
            reader.problem((*path, "hours", key), said('"{item}" is not a weekday', item=key), fix)
            continue
        ranges = reader.ranges(value, (*path, "hours", key))
        if ranges is not None:
            hours[day] = ranges
    return WorkSchedule(
        hours=tuple(hours),
        pause_when_idle=reader.duration(data, path, "pause_when_idle", limits.idle),
        natural_break=reader.duration(data, path, "natural_break", limits.idle),
        max_skips_per_day=_skip_budget(data, path, reader),
        hold_during=_hold_during(data, path, reader),
        soft_start=reader.duration(data, path, "soft_start", SOFT_START_BOUNDS, zero=True),
    )


def _hold_during(data: Mapping[str, Any], path: KeyPath, reader: Reader) -> frozenset[SourceReason]:
    """``hold_during``: what holds a due routine back; all four unless the config says."""
    if "hold_during" not in data:
        return frozenset(SOURCE_REASONS)
    value = data["hold_during"]
    every = ", ".join(f'"{r}"' for r in SOURCE_REASONS)
    if not isinstance(value, list):
        reader.problem(
            (*path, "hold_during"),
            said("expected a list of hold reasons, got {type}", type=type_name(value)),
            said("write hold_during = [{reasons}]", reasons=every),
        )
        return frozenset(SOURCE_REASONS)
    chosen: set[SourceReason] = set()
    for index, item in enumerate(value):
        reason = next((r for r in SOURCE_REASONS if r == item), None)
        if reason is None:
            otherwise = said(
                "use {reasons} or {last}",
                reasons=", ".join(SOURCE_REASONS[:-1]),
                last=SOURCE_REASONS[-1],
            )
            fix = did_you_mean(str(item), SOURCE_REASONS, otherwise)
            message = said('"{item}" is not a hold reason', item=item)
            reader.problem((*path, "hold_during", index), message, fix)
        else:
            chosen.add(reason)
    return frozenset(chosen)


def _skip_budget(data: Mapping[str, Any], path: KeyPath, reader: Reader) -> int | None:
    """``max_skips_per_day``: how many times a routine may be skipped in a day (1 to 50)."""
    if "max_skips_per_day" not in data:
        return None
    why = said("at most 50: to skip without limit, leave max_skips_per_day out")
    return reader.count(data, path, "max_skips_per_day", default=1, most=(50, why))


def routines(
    data: Mapping[str, Any],
    reader: Reader,
    library: Mapping[str, Exercise],
    schedule: WorkSchedule,
    limits: Limits,
) -> tuple[Routine, ...]:
    tables = reader.tables(data, (), "routines")
    if not tables and "routines" not in data:
        reader.problem(
            (),
            said("no routines"),
            said('add a [[routines]] section with name, exercises and every = "45m"'),
        )
    routines: list[Routine] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables):
        path: KeyPath = ("routines", index)
        reader.known_keys(table, path, ROUTINE_KEYS)
        name = reader.name(table, path, "name")
        if name in seen:
            reader.problem(
                (*path, "name"),
                said(
                    'routine "{name}" is defined twice (first as routines[{first}])',
                    name=name,
                    first=seen[name],
                ),
                said("give each routine its own name"),
            )
        elif name:
            seen[name] = index
        exercises = reader.texts(table, path, "exercises")
        if "exercises" in table and not exercises and isinstance(table["exercises"], list):
            reader.problem(
                (*path, "exercises"), said("the list is empty"), said("name at least one exercise")
            )
        elif "exercises" not in table:
            reader.problem(
                path,
                said('missing "{key}"', key="exercises"),
                said('add exercises = ["posture-check"]'),
            )
        for position, exercise_id in enumerate(exercises):
            if exercise_id not in library:
                fix = did_you_mean(
                    exercise_id, list(library), said("see `reminderd list` for the ids")
                )
                reader.problem(
                    (*path, "exercises", position),
                    said('unknown exercise "{exercise}"', exercise=exercise_id),
                    fix,
                )
        every = reader.duration(table, path, "every", limits.every)
        at = reader.clocks(table, path, "at")
        if "every" not in table and "at" not in table:
            reader.problem(path, said("no trigger"), said('add every = "45m" or at = ["10:30"]'))
        days = reader.days(table, path, "days")
        _check_reachable(reader, path, at, days, schedule)
        start = reader.choice(table, path, "start", ("auto", "ask"))
        routines.append(
            Routine(
                name=name,
                exercises=exercises,
                trigger=Trigger(every, at, days),
                title=reader.text(table, path, "title", longest=80),
                start="ask" if start == "ask" else "auto",
                max_skips_per_day=_skip_budget(table, path, reader) or schedule.max_skips_per_day,
            )
        )
    return tuple(routines)


def _check_reachable(
    reader: Reader,
    path: KeyPath,
    at: tuple[time, ...],
    days: frozenset[int],
    schedule: WorkSchedule,
) -> None:
    """An ``at`` time outside working hours on every one of its days would never fire."""
    if not schedule.restricted:
        return
    if not any(schedule.ranges_on(day) for day in days):
        reader.problem(
            (*path, "days"),
            said("none of these days has working hours"),
            said("add one of them to [schedule] days, or change the routine's days"),
        )
        return

    def inside(moment: time, start: time, end: time) -> bool:
        return start <= moment < end if start < end else moment >= start or moment < end

    for index, moment in enumerate(at):
        if not any(
            inside(moment, start, end)
            for day in range(7)
            for start, end in schedule.ranges_on(day)
            if day in days or (day + 1) % 7 in days
        ):
            reader.problem(
                (*path, "at", index),
                said("{time} is outside working hours on every day", time=f"{moment:%H:%M}"),
                said("move it into working_hours, or widen working_hours"),
            )
