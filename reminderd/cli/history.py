"""What happened: `stats`, `history`, and `events` as they happen."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click

from reminderd import control, figures, history
from reminderd.cli.base import F, config_option, socket, source
from reminderd.i18n import NC_, _, pgettext, text
from reminderd.i18n.formats import day_text, decimal, pad, width
from reminderd.paths import user_paths
from reminderd.plural import plural
from reminderd.sync.settings import configured


def _history_db() -> sqlite3.Connection:
    path = user_paths().history
    if not path.exists():
        raise click.ClickException(
            _("no history yet ({path} does not exist): it starts with `reminderd start`").format(
                path=path
            )
        )
    return history.connect(path, readonly=True)


@contextlib.contextmanager
def _reading_history(
    config_path: Path | None = None, machine: str | None = None
) -> Iterator[sqlite3.Connection]:
    """The history, read only; a damaged file is one line, not a traceback. With a
    ``[sync]`` folder in the config, every machine's (see reminderd/sync/stats.py)."""
    settings = configured(source(config_path))
    if settings is None and machine:
        raise click.UsageError(
            _("--machine needs a [sync] folder in the config (see docs/sync.md)")
        )
    try:
        if settings is None:
            with contextlib.closing(_history_db()) as db:
                yield db
            return
        from reminderd.sync import stats as sync_stats  # noqa: PLC0415 - with [sync] only

        now = datetime.now().astimezone()
        try:
            merged = sync_stats.gather(user_paths().history, settings, machine, now)
        except LookupError as error:
            raise click.ClickException(text(error.args[0] if error.args else error)) from None
        with contextlib.closing(merged) as db:
            yield db
    except sqlite3.DatabaseError as error:
        path = user_paths().history
        msg = _("cannot read the history at {path}: {error} (move the file aside to start anew)")
        raise click.ClickException(msg.format(path=path, error=error)) from None


def machine_option(func: F) -> F:
    """``--machine NAME``, for `stats` and `history` with a sync folder."""
    return click.option(
        "--machine", metavar="NAME", help="Only this machine's (with a [sync] folder)."
    )(func)


@click.command()
@click.option(
    "--days", default=7, show_default=True, type=click.IntRange(1, 3660), help="How many days."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: days and streak.")
@click.option(
    "--csv",
    "as_csv",
    is_flag=True,
    help="CSV, one line a day, with the columns of docs/history.md.",
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
    """Show what became of each reminder and run by hand, day by day.

    Reminders (fired by the schedule) and routines run by hand, then the fate of each:
    completed (no input during the holds), worked through (input during them), played
    (unknown: no idle source), snoozed, skipped, ignored or cancelled; the fates of a day
    add up to what it offered. Then the minutes of exercise, the current streak
    (completed only) and a bar per day. With a [sync] folder: every machine's, and each
    machine's apart. docs/history.md says what each column counts.
    """
    if as_json and as_csv:
        raise click.UsageError(_("choose --json or --csv, not both"))
    now = datetime.now().astimezone()
    today = now.date()
    if week:
        days = 7
    first = today - timedelta(days=days - 1)
    with _reading_history(config_path, machine) as db:
        reading = figures.read(db, first, today)
        rows = figures.days_of(reading, first, today)
        streak = figures.streak(db, today)
        each = {} if machine else _by_machine(db, first, today)
        zone = now.tzinfo or timezone.utc
        tip = figures.advice(reading, zone, running=_running()) if week else ""
        if svg_path:
            span = max(days, 12 * 7)
            drawn = figures.calendar_svg(figures.daily(db, today - timedelta(days=span - 1), today))
            try:
                svg_path.write_text(drawn, encoding="utf-8")
            except OSError as error:
                raise click.ClickException(
                    _("cannot write {path}: {error}").format(path=svg_path, error=error)
                ) from None
    if as_json:
        click.echo(json.dumps(_stats_json(rows, streak, tip, machine, each)))
        return
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(figures.CSV_COLUMNS)
        for row in rows:
            data = row.to_json()
            writer.writerow([data[column] for column in figures.CSV_COLUMNS])
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
        click.echo(_("Calendar written to {path}.").format(path=svg_path))


def _running() -> bool:
    """Whether reminderd runs for this user now (its lock is held)."""
    from reminderd.lock import is_locked  # noqa: PLC0415 - only for the advice

    return is_locked(user_paths().lock)


def _stats_json(
    rows: list[figures.DayStats],
    streak: int,
    tip: str,
    machine: str | None,
    each: dict[str, Any],
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


def _by_machine(db: sqlite3.Connection, first: date, last: date) -> dict[str, Any]:
    from reminderd.sync import stats as sync_stats  # noqa: PLC0415 - with [sync] only

    return sync_stats.by_machine(db, first, last) if sync_stats.machines(db) else {}


# The table's columns after the date: (header, width, what each cell shows); a header in
# another language may be wider, and its column with it.
COLUMN = "a column of `reminderd stats`"  # the headers' context
_COLUMNS: tuple[tuple[str, int, Callable[[figures.DayStats], str]], ...] = (
    (NC_(COLUMN, "reminders"), 9, lambda row: str(row.reminders)),
    (NC_(COLUMN, "by hand"), 7, lambda row: str(row.by_hand)),
    (NC_(COLUMN, "completed"), 9, lambda row: str(row.completed)),
    (NC_(COLUMN, "worked"), 6, lambda row: str(row.worked_through)),
    (NC_(COLUMN, "played"), 6, lambda row: str(row.played)),
    (NC_(COLUMN, "snoozed"), 7, lambda row: str(row.snoozed)),
    (NC_(COLUMN, "skipped"), 7, lambda row: str(row.skipped)),
    (NC_(COLUMN, "ignored"), 7, lambda row: str(row.ignored)),
    # Routines that did not end are stopped too, and counted here: the columns add up.
    (NC_(COLUMN, "cancelled"), 9, lambda row: str(row.cancelled + row.unfinished)),
    (NC_(COLUMN, "minutes"), 7, lambda row: decimal(row.minutes)),
)


def _headers() -> list[tuple[str, int]]:
    """Each column's header in the language in use, and its width."""
    shown = [(pgettext(COLUMN, header), least) for header, least, _cell in _COLUMNS]
    return [(header, max(least, width(header))) for header, least in shown]


def _cells(row: figures.DayStats) -> str:
    widths = [columns for _header, columns in _headers()]
    cells = [show(row) for _header, _least, show in _COLUMNS]
    return " ".join(pad(cell, columns, ">") for cell, columns in zip(cells, widths, strict=True))


def _header() -> str:
    return " ".join(pad(header, columns, ">") for header, columns in _headers())


def _machine_lines(each: dict[str, Any]) -> list[str]:
    """Each machine's totals over the days shown, and its own streak."""
    machine, streak_header = pgettext(COLUMN, "machine"), pgettext(COLUMN, "streak")
    columns = max(7, width(machine), *(len(name) for name in each))
    streak_width = max(6, width(streak_header))
    lines = [
        _("By machine:"),
        f"  {pad(machine, columns)} {_header()} {pad(streak_header, streak_width, '>')}",
    ]
    for name, (rows, streak) in each.items():
        totals = _cells(figures.total(rows))
        lines.append(f"  {pad(name, columns)} {totals} {pad(str(streak), streak_width, '>')}")
    return lines


def _stats_lines(rows: list[figures.DayStats], streak: int) -> list[str]:
    bars = 20
    most = max((row.offered for row in rows), default=0) or 1
    days = [day_text(row.day) for row in rows]
    columns = max(10, *(width(day) for day in days)) if days else 10
    lines = [f"{pad('', columns)} {_header()}"]
    for row, day in zip(rows, days, strict=True):
        done = round(bars * row.completed / most)
        rest = max(0, round(bars * row.offered / most) - done)
        bar = "█" * done + "░" * rest
        lines.append(f"{pad(day, columns)} {_cells(row)}  {bar}".rstrip())
    lines.append(
        plural(
            streak,
            "Current streak: {count} day (completed only)",
            "Current streak: {count} days (completed only)",
        )
    )
    return lines + _notes(figures.total(rows))


def _notes(total: figures.DayStats) -> list[str]:
    """What the table cannot say in a number: what "played" means, and what was never
    offered (so in no column)."""
    notes = []
    if total.played:
        notes.append(_("played: shown to the end with no idle source, so nobody knows if done."))
    if total.unfinished:
        notes.append(
            plural(
                total.unfinished,
                "cancelled: {count} routine never ended (on screen now, or reminderd was killed).",
                "cancelled: {count} routines never ended (on screen now, or reminderd was killed).",
            )
        )
    if total.ahead:
        notes.append(
            plural(
                total.ahead,
                "Not offered: {count} reminder was skipped or snoozed before it came.",
                "Not offered: {count} reminders were skipped or snoozed before they came.",
            )
        )
    if total.natural_breaks:
        notes.append(
            plural(
                total.natural_breaks,
                "Not offered: {count} held reminder gave way to a natural break.",
                "Not offered: {count} held reminders gave way to natural breaks.",
            )
        )
    if total.missed:
        notes.append(
            plural(
                total.missed,
                "Not offered: {count} held reminder was dropped at the end of working hours.",
                "Not offered: {count} held reminders were dropped at the end of working hours.",
            )
        )
    return notes


@click.command(name="history")
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(1), help="How many events."
)
@click.option("--steps", is_flag=True, help="Include every step shown.")
@machine_option
@config_option
def history_(limit: int, steps: bool, machine: str | None, config_path: Path | None) -> None:
    """List the latest events: each reminder's fate, and why.

    With a [sync] folder: every machine's, with a machine column (steps only of this one).
    """
    with _reading_history(config_path, machine) as db:
        for entry in history.recent(db, limit, with_steps=steps):
            when = datetime.fromtimestamp(entry["ts"]).astimezone()
            kind = entry.get("outcome") or entry["event"].removeprefix("routine.")
            kind = pgettext(HAPPENED, WORDS[kind]) if kind in WORDS else kind
            reason = entry.get("reason")
            if reason:
                reason = pgettext(WHY, REASONS[reason]) if reason in REASONS else reason
            why = f" ({reason})" if reason else ""
            text = f": {entry['text']}" if entry.get("text") else ""
            source = f"{entry['machine']:<10} " if entry.get("machine") else ""
            routine = entry["routine"] or "-"
            click.echo(f"{when:%Y-%m-%d %H:%M:%S}  {source}{routine:<12} {kind}{why}{text}")


# What `history` says happened, and why, in the language in use (unknown words as they are).
HAPPENED = "what happened to a reminder, in `reminderd history`"
WORDS = {
    "fired": NC_(HAPPENED, "fired"),
    "asked": NC_(HAPPENED, "asked"),
    "started": NC_(HAPPENED, "started"),
    "step": NC_(HAPPENED, "step"),
    "completed": NC_(HAPPENED, "completed"),
    "confirmed": NC_(HAPPENED, "confirmed"),
    "snoozed": NC_(HAPPENED, "snoozed"),
    "unsnoozed": NC_(HAPPENED, "unsnoozed"),
    "skipped": NC_(HAPPENED, "skipped"),
    "unskipped": NC_(HAPPENED, "unskipped"),
    "cancelled": NC_(HAPPENED, "cancelled"),
    "ignored": NC_(HAPPENED, "ignored"),
    "held": NC_(HAPPENED, "held"),
    "worked-through": NC_(HAPPENED, "worked-through"),
    "played": NC_(HAPPENED, "played"),
}
WHY = "why it happened, in `reminderd history`"
REASONS = {
    "schedule": NC_(WHY, "schedule"),
    "cli": NC_(WHY, "cli"),
    "action": NC_(WHY, "action"),
    "idle": NC_(WHY, "idle"),
    "dnd": NC_(WHY, "dnd"),
    "natural-break": NC_(WHY, "natural-break"),
    "timeout": NC_(WHY, "timeout"),
    "dismissed": NC_(WHY, "dismissed"),
    "forced": NC_(WHY, "forced"),
    "paused": NC_(WHY, "paused"),
    "stopped": NC_(WHY, "stopped"),
    "interrupted": NC_(WHY, "interrupted"),
    "reloaded": NC_(WHY, "reloaded"),
    "suspend": NC_(WHY, "suspend"),
    "elsewhere": NC_(WHY, "elsewhere"),
}


@click.command()
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object per line, as the daemon sends them."
)
def events(as_json: bool) -> None:
    """Follow the daemon's events as they happen (Ctrl-C ends).

    One line each, or one JSON object each with --json.
    """
    try:
        for message in control.stream(socket(), "events"):
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
