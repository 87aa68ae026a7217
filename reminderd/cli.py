"""The command line: the only module that prints, and the only one that imports click.

Library errors become messages here: a config mistake lists every problem and exits 2,
anything else reminderd raises on purpose is "Error: ..." and exit 1. No traceback reaches
a person for a mistake they made.
"""

from __future__ import annotations

import logging
import shutil
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from reminderd import __version__, safety
from reminderd.clock import SystemClock
from reminderd.config import ConfigSource, find_config, load_config, user_config_path
from reminderd.durations import format_duration
from reminderd.errors import ConfigError, ReminderError
from reminderd.exercises import expand, routine_for, routine_steps, total_seconds
from reminderd.guide import Guide, run_blocking
from reminderd.model import Config, Step
from reminderd.notify import NullNotifier, choose

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Turns reminderd's own errors into clean messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            count = len(error.problems)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found.", err=True)
            ctx.exit(2)
        except ReminderError as error:
            raise click.ClickException(str(error)) from None


def config_option(func: F) -> F:
    """``--config PATH``, shared by every command that reads the config."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Config file to use (default: $REMINDERD_CONFIG, else the one in your config folder).",
    )(func)


def _source(config_path: Path | None) -> ConfigSource:
    return find_config(config_path)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reminderd")
def cli() -> None:
    """Guided neck exercises and posture breaks, one timed step at a time.

    reminderd reads routines from a TOML file, and when one is due walks you through it
    with desktop notifications. Start with `reminderd start`; see what it will do with
    `reminderd list`; try a routine now with `reminderd run neck`.
    """


# -- the daemon ---------------------------------------------------------------------------


@cli.command()
@config_option
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
    help="How much to log to stderr.",
)
@click.option("--log-file", type=click.Path(dir_okay=False), help="Also log to this file.")
def start(config_path: Path | None, log_level: str, log_file: str | None) -> None:
    """Run the reminder daemon in the foreground until Ctrl-C or SIGTERM.

    It loads the config, sleeps until the next routine is due and then guides it through
    notifications. It logs to stderr which notification backend it uses and why.
    """
    from reminderd.daemon import Daemon, configure_logging  # noqa: PLC0415

    configure_logging(log_level, log_file)
    daemon = Daemon(_source(config_path), write=click.echo)
    sys.exit(daemon.run())


# -- routines and exercises ---------------------------------------------------------------


@cli.command()
@click.argument("name")
@config_option
def run(name: str, config_path: Path | None) -> None:
    """Guide routine or exercise NAME now, here, with a countdown in this terminal.

    Notifications are sent as well when a notification server is available. Ctrl-C stops.
    """
    config = load_config(_source(config_path))
    routine = routine_for(name, config.routines, config.exercises)
    steps = routine_steps(routine, config.exercises)
    choice = choose(config.backend, write=lambda _line: None)
    notifier = choice.notifier
    if choice.backend == "console":
        click.echo(
            f"No desktop notifications ({choice.reason}): guiding in this terminal only.", err=True
        )
        notifier = NullNotifier()
    clock = SystemClock()
    guide = Guide(routine.name, steps, notifier, clock)
    display = _Countdown(sys.stdout.isatty())
    stop = threading.Event()
    try:
        outcome = run_blocking(guide, clock, stop, on_tick=display.tick)
    except KeyboardInterrupt:
        guide.cancel("interrupted")
        display.end()
        click.echo("Stopped.")
        sys.exit(130)
    display.end()
    if outcome != "completed":
        sys.exit(1)


class _Countdown:
    """Prints each step once, and on a terminal counts its seconds down in place."""

    def __init__(self, live: bool) -> None:
        self.live = live
        self.shown = -1
        self.width = shutil.get_terminal_size((80, 20)).columns

    def tick(self, guide: Guide, remaining: float) -> None:
        step = guide.step
        if step is None:
            return
        if guide.index != self.shown:
            self.end()
            self.shown = guide.index
            click.echo(f"[{guide.index + 1}/{len(guide.steps)}] {step.title}: {step.text}")
        if self.live and step.seconds > 0:
            click.echo(f"\r  {round(remaining):>3d} s left ", nl=False)

    def end(self) -> None:
        if self.live and self.shown >= 0:
            click.echo("\r" + " " * 16 + "\r", nl=False)


@cli.command(name="list")
@config_option
def list_(config_path: Path | None) -> None:
    """List the routines with their next due time, and the exercises with their length."""
    config = load_config(_source(config_path))
    click.echo(f"Config: {config.path}")
    click.echo("\nRoutines:")
    for line in _routine_lines(config):
        click.echo(f"  {line}")
    click.echo("\nExercises:")
    width = max(len(exercise_id) for exercise_id in config.exercises)
    for exercise_id, exercise in sorted(config.exercises.items()):
        length = format_duration(total_seconds(expand(exercise)))
        click.echo(f"  {exercise_id:<{width}}  {length:>6}  {exercise.title}")


def _routine_lines(config: Config) -> list[str]:
    from reminderd.core import Core  # noqa: PLC0415

    clock = SystemClock()
    core = Core(config, clock=clock, notifier=NullNotifier())
    now = clock.now()
    width = max((len(r.name) for r in config.routines), default=0)
    lines = []
    for routine in config.routines:
        due = core.timers[routine.name].due
        trigger = routine.trigger
        when = [f"every {format_duration(trigger.every)}"] if trigger.every else []
        if trigger.at:
            when.append("at " + ", ".join(f"{t:%H:%M}" for t in trigger.at))
        length = format_duration(total_seconds(routine_steps(routine, config.exercises)))
        lines.append(
            f"{routine.name:<{width}}  {' and '.join(when)}; {length}; "
            f"next {_when(due, now, clock.zone())}"
        )
    return lines


def _when(moment: datetime | None, now: datetime, zone: Any) -> str:
    if moment is None:
        return "never (no working time in the next two weeks)"
    local = moment.astimezone(zone)
    minutes = round((moment - now).total_seconds() / 60)
    day = "" if local.date() == now.astimezone(zone).date() else local.strftime("%a ")
    return f"{day}{local:%H:%M} (in {format_duration(max(minutes, 0) * 60) or '0m'})"


@cli.command()
@click.argument("name")
@config_option
def show(name: str, config_path: Path | None) -> None:
    """Show the expanded steps of exercise NAME (or routine NAME) and the total time."""
    config = load_config(_source(config_path))
    if name in config.exercises:
        exercise = config.exercises[name]
        steps = expand(exercise)
        click.echo(f"{exercise.title} ({exercise.id})")
        if exercise.summary:
            click.echo(exercise.summary)
        if exercise.sources:
            click.echo("Source: " + ", ".join(exercise.sources))
    else:
        routine = routine_for(name, config.routines, config.exercises)
        steps = routine_steps(routine, config.exercises)
        click.echo(f"{routine.label} (routine {routine.name}): " + ", ".join(routine.exercises))
    click.echo()
    for line in _step_lines(steps):
        click.echo(line)
    click.echo(f"\n{len(steps)} steps, {format_duration(total_seconds(steps))} in all.")


def _step_lines(steps: tuple[Step, ...]) -> list[str]:
    lines = []
    elapsed = 0.0
    for step in steps:
        minutes, seconds = divmod(round(elapsed), 60)
        lines.append(
            f"  {minutes:2d}:{seconds:02d}  {format_duration(step.seconds):>4}  {step.text}"
        )
        elapsed += step.seconds
    return lines


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def check(path: Path | None) -> None:
    """Check a config file (default: the one reminderd would use) and list every mistake.

    Exits 0 when the file is fine, 2 when it has problems.
    """
    config = load_config(find_config(path))
    click.echo(
        f"{config.path}: OK, {len(config.routines)} routines, {len(config.exercises)} exercises."
    )


@cli.command(name="safety")
def safety_() -> None:
    """When to stop an exercise, and when to see a doctor."""
    click.echo(safety.TEXT)


@cli.group(cls=_Group)
def config() -> None:
    """Where your config file lives, and a starting point for it."""


@config.command(name="path")
@config_option
def config_path_(config_path: Path | None) -> None:
    """Print the config file reminderd uses, and why that one."""
    source = _source(config_path)
    click.echo(f"{source.path} ({source.origin})")


@config.command(name="init")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
def config_init(force: bool) -> None:
    """Copy the built-in routines to your config folder, to edit them."""
    from reminderd.config import default_config_path  # noqa: PLC0415

    target = user_config_path()
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists already (use --force to overwrite it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(default_config_path(), target)
    click.echo(f"Wrote {target}. Edit it, then check it with `reminderd check`.")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="reminderd: %(message)s")
    cli(prog_name="reminderd")


__all__ = ["cli", "main"]
