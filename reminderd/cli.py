"""The command line: the only module that prints, and the only one that imports click.

Library errors become messages here: a config mistake lists every problem and exits 2,
anything else reminderd raises on purpose is "Error: ..." and exit 1. No traceback reaches
a person for a mistake they made.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reminderd import __version__
from reminderd.durations import format_duration, format_range, parse_clock, parse_duration
from reminderd.errors import ConfigError, DurationError, NotRunningError, ReminderError
from reminderd.lock import is_locked, read_pid
from reminderd.paths import private_log, user_paths

if TYPE_CHECKING:
    import sqlite3

    from reminderd.clock import SystemClock
    from reminderd.config import ConfigSource
    from reminderd.guide import Guide
    from reminderd.model import Config, Step

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Turns reminderd's own errors into clean messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            for line in error.report():
                click.echo(line, err=True)
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
    from reminderd.config import find_config  # noqa: PLC0415

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


def _socket() -> Path:
    return user_paths().socket


def _ask(cmd: str, **args: Any) -> dict[str, Any]:
    """One round trip to the running daemon; a warning in the reply goes to stderr."""
    from reminderd import control  # noqa: PLC0415

    reply = control.request(_socket(), cmd, **args)
    if reply.get("warning"):
        click.echo(f"Warning: {reply['warning']}", err=True)
    return reply


def log_options(func: F) -> F:
    func = click.option(
        "--log-file", type=click.Path(dir_okay=False), help="Also log to this file."
    )(func)
    return click.option(
        "--log-level",
        type=click.Choice(["debug", "info", "warning", "error"]),
        default="info",
        show_default=True,
        help="How much to log (to stderr, which journald collects under systemd).",
    )(func)


@cli.command()
@config_option
@click.option("--detach", is_flag=True, help="Run in the background; return once it answers.")
@log_options
def start(config_path: Path | None, detach: bool, log_level: str, log_file: str | None) -> None:
    """Run the reminder daemon (in the foreground, until Ctrl-C or SIGTERM).

    It loads the config, sleeps until the next routine is due and guides it through
    notifications, and answers `status`, `pause` and the other commands on a socket in
    your runtime folder. Only one runs per user: a second `start` names the first.
    """
    from reminderd.config import load_config  # noqa: PLC0415

    paths = user_paths()
    if is_locked(paths.lock):
        pid = read_pid(paths.lock)
        raise click.ClickException(
            f"reminderd is already running (pid {pid}); stop it with `reminderd stop`"
        )
    load_config(_source(config_path))  # a broken config is reported here, with exit 2
    _show_safety_once()
    # -P (3.11+): the daemon imports reminderd as installed, never a copy in the folder
    # it happens to be started from (a clone of the repository, say).
    safe = ["-P"] if sys.version_info >= (3, 11) else []
    argv = [sys.executable, *safe, "-m", "reminderd.daemon", "--log-level", log_level]
    if config_path:
        argv += ["--config", str(config_path.resolve())]
    if detach:
        _start_detached(argv, Path(log_file) if log_file else paths.log_file, paths.socket)
        return
    if log_file:
        argv += ["--log-file", log_file]
    if os.name == "posix":
        # Become the lean daemon process (same pid, same terminal): what stays in memory
        # for hours need not carry the command line.
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - a fixed argument list, no shell
    from reminderd.daemon.__main__ import main  # noqa: PLC0415

    sys.exit(main(argv[argv.index("reminderd.daemon") + 1 :]))


def _start_detached(argv: list[str], log_path: Path, socket_path: Path) -> None:
    import subprocess  # noqa: PLC0415

    from reminderd import control  # noqa: PLC0415
    from reminderd.statusline import first_reminder  # noqa: PLC0415

    log_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with private_log(str(log_path)) as log:
        offset = log.tell()
        child = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
        )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if child.poll() is not None:
            with log_path.open("rb") as log:
                log.seek(offset)
                said = log.read().decode(errors="replace").rstrip()
            if said:
                click.echo(said, err=True)
            code = child.returncode or 1
            click.echo(
                f"Error: reminderd exited at once (exit status {child.returncode}); "
                f"its log: {log_path}",
                err=True,
            )
            sys.exit(code)
        try:
            reply = control.request(socket_path, "status", timeout=1)
        except ReminderError:
            time.sleep(0.05)
            continue
        if reply.get("pid") == child.pid:
            click.echo(f"reminderd started (pid {child.pid}); log: {log_path}")
            click.echo(first_reminder(reply["routines"], datetime.now().astimezone()))
            return
        time.sleep(0.05)
    raise click.ClickException(
        f"reminderd (pid {child.pid}) did not answer within 15 s; see {log_path}"
    )


@cli.command()
def stop() -> None:
    """Stop the running daemon; returns once the process is gone."""
    from reminderd import control  # noqa: PLC0415

    paths = user_paths()
    reply = control.request(paths.socket, "stop")
    deadline = time.monotonic() + 10
    while is_locked(paths.lock):
        if time.monotonic() > deadline:
            raise click.ClickException(
                f"reminderd (pid {reply['pid']}) is still running after 10 s"
            )
        time.sleep(0.02)
    click.echo(f"reminderd stopped (pid {reply['pid']}).")


@cli.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Print the status as one JSON object (see README)."
)
def status(as_json: bool) -> None:
    """Is reminderd running, is it paused, what is it guiding, and what comes next."""
    from reminderd.statusline import status as print_status  # noqa: PLC0415

    sys.exit(print_status(as_json))


def _duration(value: str, name: str = "DURATION") -> float:
    try:
        return parse_duration(value)
    except DurationError as error:
        raise click.BadParameter(str(error), param_hint=name) from None


@cli.command()
@click.argument("duration", required=False)
@click.option(
    "--until",
    "until",
    metavar="HH:MM|tomorrow",
    help="Pause until this time, or until tomorrow's working hours.",
)
@click.option(
    "--everywhere", is_flag=True, help="Pause your other machines too (through the sync folder)."
)
def pause(duration: str | None, until: str | None, everywhere: bool) -> None:
    """Pause reminders: for DURATION ("1h"), --until a time, or until `reminderd resume`.

    A routine on screen stops. When a timed pause ends, reminders start again by
    themselves, counted from then: no burst of the ones that were missed. With
    --everywhere the pause goes into the sync folder and your other machines pause too;
    `reminderd resume` on any of them ends it on all.
    """
    from reminderd.statusline import clock_text  # noqa: PLC0415

    if duration and until:
        raise click.UsageError("give a DURATION or --until, not both")
    args: dict[str, Any] = {}
    if duration:
        args["seconds"] = _duration(duration)
    elif until:
        if until not in ("tomorrow", "24:00"):
            try:
                parse_clock(until)
            except DurationError as error:
                raise click.BadParameter(str(error), param_hint="--until") from None
        args["until"] = until
    reply = _ask("pause", **args, **({"everywhere": True} if everywhere else {}))
    end = reply.get("paused_until")
    now = datetime.now().astimezone()
    click.echo(
        (f"Paused until {clock_text(end, now)}." if end else "Paused until `reminderd resume`.")
        + (" Your other machines pause too." if everywhere else "")
    )


@cli.command()
def resume() -> None:
    """Resume reminders after a pause; intervals start counting again from now."""
    reply = _ask("resume")
    click.echo("Resumed." if reply["was_paused"] else "reminderd was not paused.")


@cli.command()
@click.argument("args", nargs=-1, metavar="[ROUTINE] [DURATION]")
def snooze(args: tuple[str, ...]) -> None:
    """Postpone the current or next reminder by DURATION (default 10m).

    With ROUTINE, that routine's next reminder. A routine on screen stops and comes back
    after DURATION; one that is not due yet moves back by DURATION.
    """
    from reminderd.statusline import clock_text  # noqa: PLC0415

    if len(args) > 2:
        raise click.UsageError("give at most a ROUTINE and a DURATION")
    routine, duration = None, "10m"
    if len(args) == 2:
        routine, duration = args
    elif len(args) == 1:
        try:
            parse_duration(args[0])
            duration = args[0]
        except DurationError:
            routine = args[0]
    reply = _ask("snooze", routine=routine, seconds=_duration(duration))
    now = datetime.now().astimezone()
    click.echo(f"Snoozed {reply['routine']} until {clock_text(reply['next'], now)}.")


@cli.command()
@click.argument("routine", required=False)
@click.option(
    "--force", is_flag=True, help="Skip even when max_skips_per_day is spent (recorded so)."
)
def skip(routine: str | None, force: bool) -> None:
    """Skip the routine on screen, or the next occurrence of ROUTINE (default: the next due).

    Once the routine's max_skips_per_day is spent, it is refused (exit 1) unless --force.
    """
    from reminderd.statusline import clock_text  # noqa: PLC0415

    reply = _ask("skip", routine=routine, **({"force": True} if force else {}))
    now = datetime.now().astimezone()
    after = f" Next: {clock_text(reply['next'], now)}." if reply.get("next") else ""
    click.echo(f"Skipped {reply['routine']}.{after}")


@cli.command()
def reload() -> None:
    """Re-read the config. If it has mistakes, the running config stays and they are listed."""
    reply = _ask("reload")
    click.echo(f"Reloaded {reply['config']}: " + ", ".join(reply["routines"]))


# -- routines and exercises ---------------------------------------------------------------


@cli.command()
@click.argument("name")
@config_option
@click.option("--here", is_flag=True, help="Guide in this terminal even if the daemon runs.")
@click.option("--voice", is_flag=True, help="Speak each step aloud (this run only).")
def run(name: str, config_path: Path | None, here: bool, voice: bool) -> None:
    """Guide routine or exercise NAME now.

    With the daemon running, the daemon guides it (so a pause applies); otherwise, or
    with --here, --config (the daemon has a config of its own) or --voice, it runs here
    with a countdown in this terminal, and notifications too when a notification server
    is available. Ctrl-C stops. Either way it is recorded in the history; finishing the
    countdown here counts as completed.
    """
    if (config_path or voice) and not here and is_locked(user_paths().lock):
        why = "--config" if config_path else "--voice"
        click.echo(f"Guiding here: with {why} the daemon's own config would not apply.", err=True)
    if not here and not config_path and not voice:
        try:
            reply = _ask("run", name=name)
        except NotRunningError:
            pass
        else:
            ahead = reply["ahead"]
            if reply.get("answered"):
                click.echo(f"{name}: started, in place of the prompt that asked for it.")
            else:
                click.echo(
                    f"{name}: the daemon guides it "
                    + (f"after {ahead} other routine(s)." if ahead else "now.")
                )
            return
    _run_here(name, config_path, voice)


def _run_here(name: str, config_path: Path | None, voice: bool = False) -> None:
    import signal  # noqa: PLC0415
    import threading  # noqa: PLC0415

    from reminderd import cues, speech  # noqa: PLC0415
    from reminderd.clock import SystemClock  # noqa: PLC0415
    from reminderd.config import load_config  # noqa: PLC0415
    from reminderd.exercises import routine_for, routine_steps  # noqa: PLC0415
    from reminderd.guide import Guide, run_blocking  # noqa: PLC0415
    from reminderd.notify import NullNotifier, choose  # noqa: PLC0415

    config = load_config(_source(config_path))
    routine = routine_for(name, config.routines, config.exercises)
    steps = routine_steps(routine, config.exercises, config.guidance)
    choice = choose(config.backend, write=lambda _line: None)
    spoken = speech.choose(True if voice else config.guidance.voice)
    if voice and spoken.speaker.name == "off":
        click.echo(f"No voice: {spoken.reason}.", err=True)
    sounds = cues.choose(
        config.guidance.sounds, choice.server.capabilities if choice.server else frozenset()
    )
    notifier = choice.notifier
    if choice.backend == "console" or notifier.failing:
        click.echo(
            f"No desktop notifications ({choice.reason}): guiding in this terminal only.", err=True
        )
    if choice.backend == "console":
        notifier = NullNotifier()
    clock = SystemClock()
    record = _terminal_record(routine.name, clock)
    guide = Guide(
        routine.name,
        steps,
        notifier,
        clock,
        on_event=record,
        speaker=spoken.speaker,
        cues=sounds,
    )
    display = _Countdown(sys.stdout.isatty())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        outcome = run_blocking(
            guide, clock, stop, on_tick=display.tick, linger=config.guidance.done
        )
    except KeyboardInterrupt:
        guide.cancel("interrupted")
        outcome = "cancelled"
    display.end()
    if outcome != "completed":
        click.echo("Stopped.")
        sys.exit(130)


def _terminal_record(name: str, clock: SystemClock) -> Callable[[str, dict[str, Any]], None]:
    """Record a routine guided in this terminal in the same history as the daemon's, with
    the reason ``cli``; the person watched the countdown to its end, so it is completed."""
    from reminderd.history import History  # noqa: PLC0415
    from reminderd.model import Event  # noqa: PLC0415

    store = History(user_paths().history, clock.zone)

    def record(kind: str, data: dict[str, Any]) -> None:
        data = dict(data)
        if kind in ("started", "completed"):
            data["reason"] = "cli"
        if kind == "completed":
            data["outcome"] = "completed"
        store.record(Event(f"routine.{kind}", clock.now().astimezone(clock.zone()), name, data))
        if kind in ("completed", "cancelled"):
            store.close()

    return record


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
            note = guide.notes[guide.index]  # the terminal says what the banner says
            click.echo(f"[{note.summary}] {note.body.splitlines()[0]}")
        if self.live and step.seconds > 0:
            click.echo(f"\r  {round(remaining):>3d} s left ", nl=False)

    def end(self) -> None:
        if self.live and self.shown >= 0:
            click.echo("\r" + " " * 16 + "\r", nl=False)


@cli.command(name="list")
@config_option
def list_(config_path: Path | None) -> None:
    """List the routines with their next due time, and the exercises with their length."""
    from reminderd.config import load_config  # noqa: PLC0415
    from reminderd.exercises import expand, total_seconds, with_lead_ins  # noqa: PLC0415

    config = load_config(_source(config_path))
    click.echo(f"Config: {config.path}")
    click.echo("\nRoutines:")
    for line in _routine_lines(config):
        click.echo(f"  {line}")
    click.echo("\nExercises:")
    width = max(len(exercise_id) for exercise_id in config.exercises)
    for exercise_id, exercise in sorted(config.exercises.items()):
        steps = with_lead_ins(expand(exercise), config.guidance.lead_in)
        length = format_duration(total_seconds(steps))
        click.echo(f"  {exercise_id:<{width}}  {length:>6}  {exercise.title}")


def _live_schedule(config: Config) -> dict[str, dict[str, Any]] | None:
    """The running daemon's routines (next due times, what other machines did), when it
    runs this same config."""
    from reminderd import control  # noqa: PLC0415

    try:
        status = control.request(_socket(), "status", timeout=2)
    except ReminderError:
        return None
    if status.get("config") != str(config.path):
        return None
    return {
        r["name"]: {**r, "next": "paused" if status["paused"] else r["next"]}
        for r in status["routines"]
    }


def _routine_lines(config: Config) -> list[str]:
    """Each routine's trigger and length, and its next time: the running daemon's if it runs
    this config, else as a daemon started now would have it."""
    from reminderd.clock import SystemClock  # noqa: PLC0415
    from reminderd.core import Core  # noqa: PLC0415
    from reminderd.exercises import routine_steps, total_seconds  # noqa: PLC0415
    from reminderd.notify import NullNotifier  # noqa: PLC0415
    from reminderd.statusline import elsewhere_text  # noqa: PLC0415

    clock = SystemClock()
    now = clock.now()
    live = _live_schedule(config)
    core = None if live is not None else Core(config, clock=clock, notifier=NullNotifier())
    width = max((len(r.name) for r in config.routines), default=0)
    lines = []
    for routine in config.routines:
        if core is not None:
            when_next = _when(core.timers[routine.name].due, now, clock.zone())
        else:
            entry = (live or {}).get(routine.name) or {}
            next_time = entry.get("next")
            due = datetime.fromisoformat(next_time) if next_time and next_time != "paused" else None
            when_next = "paused" if next_time == "paused" else _when(due, now, clock.zone())
            if elsewhere := elsewhere_text(entry, now.astimezone(clock.zone()), with_next=False):
                when_next = (
                    f"{when_next}: {elsewhere}"  # "next 11:55 (in 1h50m): done on laptop at 10:05"
                )
        trigger = routine.trigger
        when = [f"every {format_duration(trigger.every)}"] if trigger.every else []
        if trigger.at:
            when.append("at " + ", ".join(f"{t:%H:%M}" for t in trigger.at))
        length = format_duration(
            total_seconds(routine_steps(routine, config.exercises, config.guidance))
        )
        lines.append(f"{routine.name:<{width}}  {' and '.join(when)}; {length}; next {when_next}")
    return lines


def _when(moment: datetime | None, now: datetime, zone: Any) -> str:
    from reminderd.statusline import when_text  # noqa: PLC0415

    if moment is None:
        return "never (no working time in the next two weeks)"
    return when_text(moment, now.astimezone(zone))


@cli.command()
@click.argument("name")
@config_option
def show(name: str, config_path: Path | None) -> None:
    """Show the expanded steps of exercise NAME (or routine NAME) and the total time."""
    from reminderd.config import library_dir, load_config  # noqa: PLC0415
    from reminderd.exercises import expand, routine_for, routine_steps, total_seconds, with_lead_ins  # noqa: PLC0415
    from reminderd.sources import describe  # noqa: PLC0415

    config = load_config(_source(config_path))
    if name in config.exercises:
        exercise = config.exercises[name]
        steps = with_lead_ins(expand(exercise), config.guidance.lead_in)
        click.echo(f"{exercise.title} ({exercise.id})")
        if exercise.summary:
            click.echo(exercise.summary)
        for source in exercise.sources or ("not given",):
            click.echo(f"Source: {describe(source)}")
        if exercise.origin and not Path(exercise.origin).is_relative_to(library_dir()):
            click.echo(f"Defined in: {exercise.origin}")
    else:
        routine = routine_for(name, config.routines, config.exercises)
        steps = routine_steps(routine, config.exercises, config.guidance)
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
            f"  {minutes:2d}:{seconds:02d}  {format_duration(step.seconds):>4}  {step.labelled}"
        )
        elapsed += step.seconds
    return lines


@cli.command()
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day to plan (default: today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan as one JSON object.")
@config_option
def plan(day: datetime | None, as_json: bool, config_path: Path | None) -> None:
    """The exact timeline of one day for the current config, computed offline.

    It runs the same scheduler the daemon runs, on a simulated clock, as if reminderd had
    been running since the day began and nobody paused, snoozed or stepped away.
    """
    from reminderd.clock import SystemClock  # noqa: PLC0415
    from reminderd.config import load_config  # noqa: PLC0415
    from reminderd.core import plan_day  # noqa: PLC0415
    from reminderd.exercises import daily_doses, exercise_seconds, routine_steps, total_seconds  # noqa: PLC0415

    config = load_config(_source(config_path))
    zone = SystemClock().zone()
    date = day.date() if day else datetime.now(zone).date()
    if not 1971 <= date.year <= 9998:
        raise click.BadParameter("give a date between 1971 and 9998", param_hint="--date")
    firings = plan_day(config, date, zone)
    hours = [format_range(start, end) for start, end in config.schedule.ranges_on(date.weekday())]
    rows = []
    for event in firings:
        routine = config.routine(event.routine or "")
        steps = routine_steps(routine, config.exercises, config.guidance) if routine else ()
        rows.append((event, routine, steps))
    doses = daily_doses([steps for _, _, steps in rows], config.exercises)
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
    click.echo(f"{date:%A %d %B %Y}: {config.path}")
    click.echo("Working hours: " + (", ".join(hours) if hours else "none (a day off)"))
    width = max((len(event.routine or "") for event, _, _ in rows), default=0)
    for event, routine, steps in rows:
        title = routine.label if routine else ""
        length = format_duration(total_seconds(steps))
        click.echo(f"  {event.at:%H:%M}  {event.routine:<{width}}  {length:>6}  {title}")
    guided = format_duration(sum(total_seconds(steps) for _, _, steps in rows)) or "0s"
    exercise = format_duration(sum(exercise_seconds(steps) for _, _, steps in rows)) or "0s"
    click.echo(f"{len(rows)} reminders, {guided} guided, {exercise} of exercise.")
    if doses:
        click.echo("Each exercise today:")
        for dose in doses:
            click.echo(f"  {dose}")


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def check(path: Path | None) -> None:
    """Check a config file (default: the one reminderd would use) and list every mistake.

    Exits 0 when the file is fine, 2 when it has problems.
    """
    from reminderd.config import find_config, load_config  # noqa: PLC0415

    try:
        config = load_config(find_config(path))
    except ConfigError as error:
        # The problems on stdout, for `check | less`; the count on stderr, as elsewhere.
        *problems, count = error.report()
        for line in problems:
            click.echo(line)
        click.echo(count, err=True)
        sys.exit(2)
    for warning in config.warnings:
        click.echo(f"warning: {warning}")
    click.echo(
        f"{config.path}: OK, {len(config.routines)} routines, {len(config.exercises)} exercises."
    )
    for line in _layer_lines(find_config(path)):
        click.echo(line)


@cli.command(name="safety")
def safety_() -> None:
    """When to stop an exercise, and when to see a doctor."""
    from reminderd import safety  # noqa: PLC0415

    click.echo(safety.TEXT)


@cli.command()
def tips() -> None:
    """What the articles advise while a neck spasm is happening."""
    from reminderd import safety  # noqa: PLC0415

    click.echo(safety.tips_text())


def _show_safety_once() -> None:
    """The safety note, the first time reminderd starts and whenever the note changes;
    that it was shown is kept in the state folder."""
    import hashlib  # noqa: PLC0415

    from reminderd import safety  # noqa: PLC0415

    mark = user_paths().state / "safety-shown"
    digest = hashlib.sha256(safety.TEXT.encode()).hexdigest()
    try:
        if mark.read_text().strip() == digest:
            return
    except OSError:
        pass
    click.echo(safety.TEXT + "\n\n(shown once; `reminderd safety` shows it again)\n")
    try:
        mark.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        mark.write_text(digest + "\n")
    except OSError as error:
        click.echo(f"Warning: cannot record that the safety note was shown: {error}", err=True)


@cli.group(cls=_Group)
def config() -> None:
    """Where your config file lives, and a starting point for it."""


@config.command(name="path")
@config_option
def config_path_(config_path: Path | None) -> None:
    """Print the config file reminderd uses, and why that one; with system-wide files
    (/etc/xdg/reminderd/config.toml, $XDG_CONFIG_DIRS), the file and line of each setting."""
    source = _source(config_path)
    click.echo(f"{source.path} ({source.origin})")
    for line in _layer_lines(source):
        click.echo(line)


def _layer_lines(source: ConfigSource) -> list[str]:
    from reminderd.config import read_layers  # noqa: PLC0415
    from reminderd.layers import describe  # noqa: PLC0415

    return describe(read_layers(source))


@config.command(name="init")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
def config_init(force: bool) -> None:
    """Copy the built-in routines to your config folder, to edit them."""
    from reminderd import safety  # noqa: PLC0415
    from reminderd.config import default_config_path, user_config_path  # noqa: PLC0415

    target = user_config_path()
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists already (use --force to overwrite it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(default_config_path(), target)
    click.echo(f"Wrote {target}. Edit it, then check it with `reminderd check`.\n")
    click.echo(safety.TEXT)


# -- history ------------------------------------------------------------------------------


def _history_db() -> sqlite3.Connection:
    from reminderd import history  # noqa: PLC0415

    path = user_paths().history
    if not path.exists():
        raise click.ClickException(
            f"no history yet ({path} does not exist): it starts with `reminderd start`"
        )
    return history.connect(path, readonly=True)


@contextlib.contextmanager
def _reading_history(
    config_path: Path | None = None, machine: str | None = None
) -> Iterator[sqlite3.Connection]:
    """The history, read only; a damaged file is one line, not a traceback. With a
    ``[sync]`` folder in the config, every machine's (see reminderd/sync/stats.py)."""
    import sqlite3  # noqa: PLC0415

    from reminderd.sync.settings import configured  # noqa: PLC0415

    settings = configured(_source(config_path))
    if settings is None and machine:
        raise click.UsageError("--machine needs a [sync] folder in the config (see docs/sync.md)")
    try:
        if settings is None:
            with contextlib.closing(_history_db()) as db:
                yield db
            return
        from reminderd.sync import stats as sync_stats  # noqa: PLC0415

        now = datetime.now().astimezone()
        try:
            merged = sync_stats.gather(user_paths().history, settings, machine, now)
        except LookupError as error:
            raise click.ClickException(str(error)) from None
        with contextlib.closing(merged) as db:
            yield db
    except sqlite3.DatabaseError as error:
        path = user_paths().history
        msg = f"cannot read the history at {path}: {error} (move the file aside to start anew)"
        raise click.ClickException(msg) from None


def machine_option(func: F) -> F:
    """``--machine NAME``, for `stats` and `history` with a sync folder."""
    return click.option(
        "--machine", metavar="NAME", help="Only this machine's (with a [sync] folder)."
    )(func)


@cli.command()
@click.option(
    "--days", default=7, show_default=True, type=click.IntRange(1, 3660), help="How many days."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: days and streak.")
@click.option(
    "--csv",
    "as_csv",
    is_flag=True,
    help="CSV with the columns date, reminders, completed, skipped, snoozed, minutes,"
    " worked_through, played, ignored.",
)
@click.option("--week", is_flag=True, help="The last 7 days, and one line of advice.")
@click.option(
    "--svg",
    "svg_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a calendar of the last 12 weeks (or --days) to this SVG file.",
)
@machine_option
@config_option
def stats(
    *,
    days: int,
    as_json: bool,
    as_csv: bool,
    week: bool,
    svg_path: Path | None,
    machine: str | None,
    config_path: Path | None,
) -> None:
    """Reminders, routines completed (no input during the holds), worked through (input
    during them), played (unknown: no idle source), snoozed, skipped and ignored, and
    minutes of exercise per day, the current streak (completed only), and a bar chart of
    the last days. With a [sync] folder: every machine's, and each machine's apart."""
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415

    from reminderd import history  # noqa: PLC0415

    if as_json and as_csv:
        raise click.UsageError("choose --json or --csv, not both")
    now = datetime.now().astimezone()
    today = now.date()
    if week:
        days = 7
    with _reading_history(config_path, machine) as db:
        rows = history.daily(db, today - timedelta(days=days - 1), today)
        streak = history.streak(db, today)
        each = {} if machine else _by_machine(db, today - timedelta(days=days - 1), today)
        zone = now.tzinfo or timezone.utc
        tip = history.advice(db, today - timedelta(days=days - 1), today, zone) if week else ""
        if svg_path:
            span = max(days, 12 * 7)
            drawn = history.calendar_svg(history.daily(db, today - timedelta(days=span - 1), today))
            try:
                svg_path.write_text(drawn, encoding="utf-8")
            except OSError as error:
                raise click.ClickException(f"cannot write {svg_path}: {error}") from None
    if as_json:
        click.echo(json.dumps(_stats_json(rows, streak, tip, machine, each)))
        return
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(history.CSV_COLUMNS)
        for row in rows:
            data = row.to_json()
            writer.writerow([data[column] for column in history.CSV_COLUMNS])
        click.echo(out.getvalue(), nl=False)
        return
    for line in _stats_lines(rows, streak):
        click.echo(line)
    if len(each) > 1:
        for line in _machine_lines(each):
            click.echo(line)
    if tip:
        click.echo(tip)
    if svg_path:
        click.echo(f"Calendar written to {svg_path}.")


def _stats_json(
    rows: list[Any], streak: int, tip: str, machine: str | None, each: dict[str, Any]
) -> dict[str, Any]:
    """`stats --json`: the days and streak (every machine's, or --machine's); with a sync
    folder, each machine's too under "machines"."""
    shown: dict[str, Any] = {"days": [row.to_json() for row in rows], "streak": streak}
    if tip:
        shown["advice"] = tip
    if machine:
        shown["machine"] = machine
    if each:
        shown["machines"] = {
            name: {"days": [row.to_json() for row in rows_of], "streak": streak_of}
            for name, (rows_of, streak_of) in each.items()
        }
    return shown


def _by_machine(db: sqlite3.Connection, first: Any, last: Any) -> dict[str, Any]:
    from reminderd.sync import stats as sync_stats  # noqa: PLC0415

    return sync_stats.by_machine(db, first, last) if sync_stats.machines(db) else {}


def _machine_lines(each: dict[str, Any]) -> list[str]:
    """Each machine's totals over the days shown, and its own streak."""
    width = max(7, *(len(name) for name in each))
    lines = [
        "By machine:",
        f"  {'machine':<{width}} {'reminders':>9} {'completed':>9} {'worked':>6} {'played':>6} "
        f"{'snoozed':>7} {'skipped':>7} {'ignored':>7} {'minutes':>7} {'streak':>6}",
    ]
    for name, (rows, streak) in each.items():
        total = {
            key: sum(getattr(row, key) for row in rows)
            for key in (
                *("reminders", "completed", "worked_through", "played"),
                *("snoozed", "skipped", "ignored", "minutes"),
            )
        }
        lines.append(
            f"  {name:<{width}} {total['reminders']:>9} {total['completed']:>9} "
            f"{total['worked_through']:>6} {total['played']:>6} {total['snoozed']:>7} "
            f"{total['skipped']:>7} {total['ignored']:>7} {total['minutes']:>7.1f} {streak:>6}"
        )
    return lines


def _stats_lines(rows: list[Any], streak: int) -> list[str]:
    width = 20
    most = max((max(row.reminders, row.completed) for row in rows), default=0) or 1
    lines = [
        f"{'':10} {'reminders':>9} {'completed':>9} {'worked':>6} {'played':>6} "
        f"{'snoozed':>7} {'skipped':>7} {'ignored':>7} {'minutes':>7}"
    ]
    for row in rows:
        done = round(width * row.completed / most)
        missed = max(0, round(width * row.reminders / most) - done)
        bar = "█" * done + "░" * missed
        lines.append(
            f"{row.day:%a %d %b} {row.reminders:>9} {row.completed:>9} "
            f"{row.worked_through:>6} {row.played:>6} {row.snoozed:>7} {row.skipped:>7} "
            f"{row.ignored:>7} {row.minutes:>7.1f}  {bar}".rstrip()
        )
    lines.append(f"Current streak: {streak} day{'' if streak == 1 else 's'} (completed only)")
    if any(row.played for row in rows):
        lines.append("played: shown to the end with no idle source, so nobody knows if done.")
    return lines


@cli.command(name="history")
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(1), help="How many events."
)
@click.option("--steps", is_flag=True, help="Include every step shown.")
@machine_option
@config_option
def history_(limit: int, steps: bool, machine: str | None, config_path: Path | None) -> None:
    """The latest events: each reminder's fate, and why. With a [sync] folder: every
    machine's, with a machine column (steps only of this one)."""
    from reminderd import history  # noqa: PLC0415

    with _reading_history(config_path, machine) as db:
        for entry in history.recent(db, limit, with_steps=steps):
            when = datetime.fromtimestamp(entry["ts"]).astimezone()
            kind = entry.get("outcome") or entry["event"].removeprefix("routine.")
            why = f" ({entry['reason']})" if entry.get("reason") else ""
            text = f": {entry['text']}" if entry.get("text") else ""
            source = f"{entry['machine']:<10} " if entry.get("machine") else ""
            click.echo(
                f"{when:%Y-%m-%d %H:%M:%S}  {source}{entry['routine'] or '-':<12} {kind}{why}{text}"
            )


@cli.command()
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object per line, as the daemon sends them."
)
def events(as_json: bool) -> None:
    """Follow the daemon's events as they happen, one line each (Ctrl-C ends)."""
    from reminderd import control  # noqa: PLC0415

    try:
        for message in control.stream(_socket(), "events"):
            if message.get("subscribed"):
                continue
            message.pop("v", None)
            if as_json:
                click.echo(json.dumps(message))
                continue
            at = datetime.fromisoformat(message.pop("at"))
            kind, routine = message.pop("event"), message.pop("routine")
            details = " ".join(f"{k}={v}" for k, v in message.items() if v not in (None, ""))
            click.echo(f"{at:%H:%M:%S} {kind} {routine or ''} {details}".rstrip())
    except KeyboardInterrupt:
        return


@cli.group(cls=_Group)
def service() -> None:
    """Start reminderd at login (systemd user unit, launchd agent, or Startup folder)."""


@service.command(name="install")
@config_option
def service_install(config_path: Path | None) -> None:
    """Install and enable the login service for this user."""
    from reminderd import service as service_module  # noqa: PLC0415

    outcome = service_module.install(config_path)
    click.echo(f"Wrote {outcome.path}")
    for line in outcome.lines:
        click.echo(line)


@service.command(name="uninstall")
def service_uninstall() -> None:
    """Disable and remove the login service."""
    from reminderd import service as service_module  # noqa: PLC0415

    for line in service_module.uninstall().lines:
        click.echo(line)


@service.command(name="status")
def service_status() -> None:
    """Whether the login service is installed, enabled and active."""
    from reminderd import service as service_module  # noqa: PLC0415

    for line in service_module.status().lines:
        click.echo(line)


def main() -> None:
    import logging  # noqa: PLC0415

    logging.basicConfig(level=logging.WARNING, format="reminderd: %(message)s")
    cli(prog_name="reminderd")


__all__ = ["cli", "main"]
