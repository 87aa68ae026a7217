"""Telling the running daemon what to do: pause, resume, snooze, skip, unskip, reload."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from reminderd.cli.base import ask, duration_arg
from reminderd.durations import parse_clock, parse_duration
from reminderd.errors import DurationError
from reminderd.i18n import _, text
from reminderd.when import clock_text


@click.command()
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
    """Pause reminders for a while, until a time, or until resumed.

    For DURATION ("1h", "1h30", "90m"), --until a time, or until `reminderd resume`.
    A routine on screen waits at its step: `reminderd resume` (or the end of a pause of
    less than 10 minutes) goes on from the beginning of that step; after 10 minutes it is
    cancelled. When a timed pause ends, reminders start again by themselves, counted from
    then: no burst of the ones that were missed. With
    --everywhere the pause goes into the sync folder and your other machines pause too;
    `reminderd resume` on any of them ends it on all.
    """
    if duration and until:
        raise click.UsageError(_("give a DURATION or --until, not both"))
    args: dict[str, Any] = {}
    if duration:
        args["seconds"] = duration_arg(duration)
    elif until:
        if until not in ("tomorrow", "24:00"):
            try:
                parse_clock(until)
            except DurationError as error:
                raise click.BadParameter(text(error.args[0]), param_hint="--until") from None
        args["until"] = until
    reply = ask("pause", **args, **({"everywhere": True} if everywhere else {}))
    end = reply.get("paused_until")
    now = datetime.now().astimezone()
    click.echo(
        (
            _("Paused until {when}.").format(when=clock_text(end, now))
            if end
            else _("Paused until `reminderd resume`.")
        )
        + (" " + _("Your other machines pause too.") if everywhere else "")
    )
    if reply.get("held"):
        click.echo(
            _(
                "{routine} waits at its step: `reminderd resume` goes on from there,"
                " within 10 minutes."
            ).format(routine=reply["held"])
        )


@click.command()
def resume() -> None:
    """Resume reminders after a pause.

    Intervals start counting again from now.
    """
    reply = ask("resume")
    click.echo(_("Resumed.") if reply["was_paused"] else _("reminderd was not paused."))


@click.command()
@click.argument("args", nargs=-1, metavar="[ROUTINE] [DURATION]")
def snooze(args: tuple[str, ...]) -> None:
    """Postpone the current or next reminder (by 10m unless told).

    By DURATION, and with ROUTINE, that routine's next reminder. A routine on screen stops
    and comes back after DURATION; one that is not due yet moves back by DURATION.
    `reminderd snooze ROUTINE 0` undoes a snooze: the routine comes when it would have.
    """
    if len(args) > 2:
        raise click.UsageError(_("give at most a ROUTINE and a DURATION"))
    routine, duration = None, "10m"
    if len(args) == 2:
        routine, duration = args
    elif len(args) == 1:
        if _zero(args[0]):
            duration = args[0]
        else:
            try:
                parse_duration(args[0])
                duration = args[0]
            except DurationError:
                routine = args[0]
    seconds = 0.0 if _zero(duration) else duration_arg(duration)
    reply = ask("snooze", routine=routine, seconds=seconds)
    now = datetime.now().astimezone()
    when = clock_text(reply["next"], now)
    if reply.get("undone"):
        click.echo(
            _("{routine} is no longer snoozed. Next: {when}.").format(
                routine=reply["routine"], when=when
            )
        )
    else:
        click.echo(_("Snoozed {routine} until {when}.").format(routine=reply["routine"], when=when))


def _zero(text: str) -> bool:
    """ "0", "0s", "0m": a snooze of nothing, which undoes one."""
    if text.strip() == "0":
        return True
    try:
        return parse_duration(text, zero=True) == 0
    except DurationError:
        return False


@click.command()
@click.argument("routine", required=False)
@click.option(
    "--force", is_flag=True, help="Skip even when max_skips_per_day is spent (recorded so)."
)
def skip(routine: str | None, force: bool) -> None:
    """Skip the routine on screen, or the next time of a routine.

    Without ROUTINE: the one on screen, else the next due. Once the routine's
    max_skips_per_day is spent, it is refused (exit 1) unless --force. `reminderd unskip
    ROUTINE` undoes a skip.
    """
    reply = ask("skip", routine=routine, **({"force": True} if force else {}))
    now = datetime.now().astimezone()
    if reply.get("next"):
        click.echo(
            _("Skipped {routine}. Next: {when}.").format(
                routine=reply["routine"], when=clock_text(reply["next"], now)
            )
        )
    else:
        click.echo(_("Skipped {routine}.").format(routine=reply["routine"]))


@click.command()
@click.argument("routine")
def unskip(routine: str) -> None:
    """Undo a skip: the routine comes when it would have.

    A routine skipped on screen comes back at once; a skipped occurrence that has not
    come yet is due again. A skip can be undone until the routine comes round again (and
    not after reminderd restarts). It gives the skip back to max_skips_per_day.
    """
    reply = ask("unskip", routine=routine)
    now = datetime.now().astimezone()
    click.echo(
        _("{routine} is no longer skipped. Next: {when}.").format(
            routine=reply["routine"], when=clock_text(reply["next"], now)
        )
    )


@click.command()
def reload() -> None:
    """Re-read the config file in the running daemon.

    If it has mistakes, the running config stays and they are listed.
    """
    reply = ask("reload")
    click.echo(
        _("Reloaded {config}: {routines}").format(
            config=reply["config"], routines=", ".join(reply["routines"])
        )
    )
