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
from reminderd.paths import user_paths
from reminderd.plural import plural
from reminderd.sync.settings import configured


def _history_db() -> sqlite3.Connection:
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
    settings = configured(source(config_path))
    if settings is None and machine:
        raise click.UsageError("--machine needs a [sync] folder in the config (see docs/sync.md)")
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
        raise click.UsageError("choose --json or --csv, not both")
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
                raise click.ClickException(f"cannot write {svg_path}: {error}") from None
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
        click.echo(f"Calendar written to {svg_path}.")


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


# The table's columns after the date: (header, width, what each cell shows).
_COLUMNS: tuple[tuple[str, int, Callable[[figures.DayStats], str]], ...] = (
    ("reminders", 9, lambda row: str(row.reminders)),
    ("by hand", 7, lambda row: str(row.by_hand)),
    ("completed", 9, lambda row: str(row.completed)),
    ("worked", 6, lambda row: str(row.worked_through)),
    ("played", 6, lambda row: str(row.played)),
    ("snoozed", 7, lambda row: str(row.snoozed)),
    ("skipped", 7, lambda row: str(row.skipped)),
    ("ignored", 7, lambda row: str(row.ignored)),
    # Routines that did not end are stopped too, and counted here: the columns add up.
    ("cancelled", 9, lambda row: str(row.cancelled + row.unfinished)),
    ("minutes", 7, lambda row: f"{row.minutes:.1f}"),
)


def _cells(row: figures.DayStats) -> str:
    return " ".join(f"{show(row):>{width}}" for _header, width, show in _COLUMNS)


def _header() -> str:
    return " ".join(f"{header:>{width}}" for header, width, _show in _COLUMNS)


def _machine_lines(each: dict[str, Any]) -> list[str]:
    """Each machine's totals over the days shown, and its own streak."""
    width = max(7, *(len(name) for name in each))
    lines = ["By machine:", f"  {'machine':<{width}} {_header()} {'streak':>6}"]
    for name, (rows, streak) in each.items():
        lines.append(f"  {name:<{width}} {_cells(figures.total(rows))} {streak:>6}")
    return lines


def _stats_lines(rows: list[figures.DayStats], streak: int) -> list[str]:
    width = 20
    most = max((row.offered for row in rows), default=0) or 1
    lines = [f"{'':10} {_header()}"]
    for row in rows:
        done = round(width * row.completed / most)
        rest = max(0, round(width * row.offered / most) - done)
        bar = "█" * done + "░" * rest
        lines.append(f"{row.day:%a %d %b} {_cells(row)}  {bar}".rstrip())
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
        notes.append("played: shown to the end with no idle source, so nobody knows if done.")
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
            why = f" ({entry['reason']})" if entry.get("reason") else ""
            text = f": {entry['text']}" if entry.get("text") else ""
            source = f"{entry['machine']:<10} " if entry.get("machine") else ""
            routine = entry["routine"] or "-"
            click.echo(f"{when:%Y-%m-%d %H:%M:%S}  {source}{routine:<12} {kind}{why}{text}")


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
