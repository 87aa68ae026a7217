"""What happened: `stats`, `history`, and `events` as they happen."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click

from reminderd import control, history
from reminderd.cli.base import F, config_option, socket, source
from reminderd.paths import user_paths
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


def _by_machine(db: sqlite3.Connection, first: date, last: date) -> dict[str, Any]:
    from reminderd.sync import stats as sync_stats  # noqa: PLC0415 - with [sync] only

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


@click.command(name="history")
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(1), help="How many events."
)
@click.option("--steps", is_flag=True, help="Include every step shown.")
@machine_option
@config_option
def history_(limit: int, steps: bool, machine: str | None, config_path: Path | None) -> None:
    """The latest events: each reminder's fate, and why. With a [sync] folder: every
    machine's, with a machine column (steps only of this one)."""
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
    """Follow the daemon's events as they happen, one line each (Ctrl-C ends)."""
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
