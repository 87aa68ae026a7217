"""What the config holds and what it will do: `list`, `show`, `plan` and `check`."""

from __future__ import annotations

import json
import sys
from datetime import datetime, time, tzinfo
from pathlib import Path

import click

from reminderd import control, scheduler
from reminderd.cli.base import config_option, layer_lines, load, socket, source
from reminderd.clock import SystemClock
from reminderd.config import library_dir
from reminderd.contracts import RoutineStatus
from reminderd.core import plan_day
from reminderd.durations import format_range
from reminderd.errors import ConfigError, ReminderError
from reminderd.exercises import (
    closing_seconds,
    daily_doses,
    exercise_seconds,
    expand,
    routine_for,
    routine_steps,
    total_seconds,
    with_lead_ins,
)
from reminderd.i18n import _, text
from reminderd.i18n.formats import duration, long_date, pad
from reminderd.model import Config, Step
from reminderd.pictures.cache import Pictures
from reminderd.pictures.show import open_pictures, step_pictures
from reminderd.plural import plural
from reminderd.sources import describe
from reminderd.statusline import elsewhere_text
from reminderd.when import when_text


@click.command(name="list")
@config_option
def list_(config_path: Path | None) -> None:
    """List the routines with their next time, and the exercises.

    Each routine with its trigger, its length and when it comes next; each exercise with
    its length.
    """
    config = load(config_path)
    click.echo(_("Config: {path}").format(path=config.path))
    click.echo("\n" + _("Routines:"))
    for line in _routine_lines(config):
        click.echo(f"  {line}")
    click.echo("\n" + _("Exercises:"))
    width = max(len(exercise_id) for exercise_id in config.exercises)
    rows = []
    for exercise_id, exercise in sorted(config.exercises.items()):
        steps = with_lead_ins(expand(exercise), config.guidance.lead_in)
        rows.append((exercise_id, duration(total_seconds(steps)), _(exercise.title)))
    lengths = max(6, *(len(length) for _id, length, _title in rows))
    for exercise_id, length, title in rows:
        click.echo(f"  {exercise_id:<{width}}  {pad(length, lengths, '>')}  {title}")


def _live_schedule(config: Config) -> tuple[dict[str, RoutineStatus] | None, bool]:
    """The running daemon's routines (next due times, what other machines did) when it
    runs this same config, and whether it is paused: then each "next" is when the routine
    comes once the pause ends (a pause until resumed: if resumed now)."""
    try:
        status = control.status(socket(), timeout=2)
    except ReminderError:
        return None, False
    if status.get("config") != str(config.path):
        return None, False
    paused = status["paused"]
    if paused:
        return {r["name"]: {**r, "next": r.get("after_pause")} for r in status["routines"]}, True
    return {r["name"]: r for r in status["routines"]}, False


def _routine_lines(config: Config) -> list[str]:
    """Each routine's trigger and length, and its next time: the running daemon's if it runs
    this config, else as a daemon started now would have it."""
    clock = SystemClock()
    now = clock.now()
    zone = clock.zone()
    live, paused = _live_schedule(config)
    width = max((len(r.name) for r in config.routines), default=0)
    lines = []
    for routine in config.routines:
        if live is None:
            due = scheduler.next_due(config.schedule, routine.trigger, now, now, zone)
            when_next = _when(due, now, zone)
        else:
            entry = live.get(routine.name)
            next_time = entry["next"] if entry else None
            due = datetime.fromisoformat(next_time) if next_time else None
            when_next = _when(due, now, zone)
            if paused:
                when_next = _("{when}, after the pause").format(when=when_next)
            if entry and (
                elsewhere := elsewhere_text(entry, now.astimezone(zone), with_next=False)
            ):
                when_next = f"{when_next}: {elsewhere}"  # "next 11:55 ...: done on laptop at 10:05"
        length = duration(total_seconds(routine_steps(routine, config.exercises, config.guidance)))
        when = _("{trigger}; {length}; next {when}").format(
            trigger=trigger_text(routine.trigger.every, routine.trigger.at),
            length=length,
            when=when_next,
        )
        lines.append(f"{routine.name:<{width}}  {when}")
    return lines


def trigger_text(every: float | None, at: tuple[time, ...]) -> str:
    """ "every 30m", "at 11:15, 16:15", or both."""
    times = ", ".join(f"{t:%H:%M}" for t in at)
    if every and at:
        return _("every {every} and at {times}").format(every=duration(every), times=times)
    if every:
        return _("every {every}").format(every=duration(every))
    return _("at {times}").format(times=times)


def _when(moment: datetime | None, now: datetime, zone: tzinfo) -> str:
    if moment is None:
        return _("never (no working time in the next two weeks)")
    return when_text(moment, now.astimezone(zone))


@click.command()
@click.argument("name")
@config_option
@click.option("--open", "open_", is_flag=True, help="Open the steps' pictures in a viewer.")
def show(name: str, config_path: Path | None, open_: bool) -> None:
    """Show the steps of an exercise or routine, with their times.

    The expanded steps of exercise NAME (or routine NAME), each with its start and length,
    the total time, and the files of the steps' pictures.
    """
    config = load(config_path)
    if name in config.exercises:
        exercise = config.exercises[name]
        steps = with_lead_ins(expand(exercise), config.guidance.lead_in)
        click.echo(f"{_(exercise.title)} ({exercise.id})")
        if exercise.summary:
            click.echo(_(exercise.summary))
        for source in exercise.sources or ("",):
            click.echo(_("Source: {source}").format(source=describe(source) or _("not given")))
        if exercise.origin and not Path(exercise.origin).is_relative_to(library_dir()):
            click.echo(_("Defined in: {file}").format(file=exercise.origin))
    else:
        routine = routine_for(name, config.routines, config.exercises)
        steps = routine_steps(routine, config.exercises, config.guidance)
        click.echo(
            _("{title} (routine {name}): {exercises}").format(
                title=_(routine.label), name=routine.name, exercises=", ".join(routine.exercises)
            )
        )
    click.echo()
    for line in _step_lines(steps, closing_seconds(steps, config.guidance, None)):
        click.echo(line)
    length = duration(total_seconds(steps))
    click.echo(
        "\n"
        + plural(
            len(steps),
            "{count} step, {length} in all.",
            "{count} steps, {length} in all.",
            length=length,
        )
    )
    _show_pictures(name, steps, open_)


def _show_pictures(name: str, steps: tuple[Step, ...], open_: bool) -> None:
    pictures = Pictures()
    found = step_pictures(steps, pictures)
    if found:
        click.echo(_("Pictures:"))
    for step, path in found:
        click.echo(f"  {step.text}: {path}")
    if open_ and found:
        for path in open_pictures(name, [path for _step, path in found], pictures):
            click.echo(_("Opened {path}").format(path=path), err=True)
    elif open_:
        click.echo(_("{name}: no step has a picture.").format(name=name), err=True)


def _step_lines(steps: tuple[Step, ...], linger: float) -> list[str]:
    """Each step with its start and length; the closing note with how long it stays
    (``linger``), though the routine ends when it appears."""
    lines = []
    elapsed = 0.0
    lengths = [duration(linger if step.kind == "done" else step.seconds) for step in steps]
    columns = max(4, *(len(length) for length in lengths)) if lengths else 4
    for step, length in zip(steps, lengths, strict=True):
        minutes, seconds = divmod(round(elapsed), 60)
        lines.append(f"  {minutes:2d}:{seconds:02d}  {pad(length, columns, '>')}  {step.labelled}")
        elapsed += step.seconds
    return lines


@click.command()
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day to plan (default: today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan as one JSON object.")
@config_option
def plan(day: datetime | None, as_json: bool, config_path: Path | None) -> None:
    """Print the exact timeline of one day for the current config.

    It runs the same scheduler the daemon runs, on a simulated clock, as if reminderd had
    been running since the day began and nobody paused, snoozed or stepped away.
    """
    config = load(config_path)
    zone = SystemClock().zone()
    date = day.date() if day else datetime.now(zone).date()
    if not 1971 <= date.year <= 9998:
        raise click.BadParameter(_("give a date between 1971 and 9998"), param_hint="--date")
    firings = plan_day(config, date, zone)
    hours = [format_range(start, end) for start, end in config.schedule.ranges_on(date.weekday())]
    rows = []
    for event in firings:
        routine = config.routine(event.routine or "")
        steps = routine_steps(routine, config.exercises, config.guidance) if routine else ()
        rows.append((event, routine, steps))
    doses = daily_doses([row[2] for row in rows], config.exercises)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "date": date.isoformat(),
                    "config": str(config.path),
                    "working_hours": hours,
                    "firings": [
                        {
                            "at": e.at.isoformat(timespec="seconds"),
                            "routine": e.routine,
                            "title": r.label if r else e.routine,
                            "seconds": total_seconds(steps),
                            "exercise_seconds": exercise_seconds(steps),
                            "exercises": list(r.exercises) if r else [],
                        }
                        for e, r, steps in rows
                    ],
                    "exercises": [dose.to_json() for dose in doses],
                }
            )
        )
        return
    click.echo(f"{long_date(date)}: {config.path}")
    click.echo(
        _("Working hours: {hours}").format(
            hours=", ".join(hours) if hours else _("none (a day off)")
        )
    )
    width = max((len(row[0].routine or "") for row in rows), default=0)
    shown = [(event, _(r.label) if r else "", duration(total_seconds(s))) for event, r, s in rows]
    columns = max(6, *(len(length) for _e, _t, length in shown)) if shown else 6
    for event, title, length in shown:
        name = event.routine or ""
        click.echo(f"  {event.at:%H:%M}  {name:<{width}}  {pad(length, columns, '>')}  {title}")
    guided = duration(sum(total_seconds(row[2]) for row in rows))
    exercise = duration(sum(exercise_seconds(row[2]) for row in rows))
    click.echo(
        plural(
            len(rows),
            "{count} reminder, {guided} guided, {exercise} of exercise.",
            "{count} reminders, {guided} guided, {exercise} of exercise.",
            guided=guided,
            exercise=exercise,
        )
    )
    if doses:
        click.echo(_("Each exercise today:"))
        for dose in doses:
            click.echo(f"  {dose}")


@click.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def check(path: Path | None) -> None:
    """Check a config file and list every mistake in it.

    PATH defaults to the file reminderd would use. Exits 0 when the file is fine, 2 when
    it has problems.
    """
    try:
        config = load(path)
    except ConfigError as error:
        # The problems on stdout, for `check | less`; the count on stderr, as elsewhere.
        *problems, count = error.report()
        for line in problems:
            click.echo(line)
        click.echo(count, err=True)
        sys.exit(2)
    for warning in config.warnings:
        click.echo(_("warning: {problem}").format(problem=text(warning.said())))
    click.echo(
        _("{path}: OK, {routines}, {exercises}.").format(
            path=config.path,
            routines=plural(len(config.routines), "{count} routine", "{count} routines"),
            exercises=plural(len(config.exercises), "{count} exercise", "{count} exercises"),
        )
    )
    for line in layer_lines(source(path)):
        click.echo(line)
    from reminderd.holds.choose import choose  # noqa: PLC0415 - it looks at this desktop

    click.echo(_("What holds a routine back on this desktop ([schedule] hold_during):"))
    for offer in choose(config.schedule.hold_during).offers:
        click.echo(f"  {text(offer.said())}")
