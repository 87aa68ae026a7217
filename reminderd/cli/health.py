"""The health content: `safety` (when to stop, when to see a doctor), `tips`, and the
safety note shown the first time reminderd starts."""

from __future__ import annotations

import hashlib

import click

from reminderd import safety
from reminderd.paths import user_paths


@click.command(name="safety")
def safety_() -> None:
    """Say when to stop an exercise, and when to see a doctor."""
    click.echo(safety.TEXT)


@click.command()
def tips() -> None:
    """Say what the articles advise while a neck spasm is happening."""
    click.echo(safety.tips_text())


def show_safety_once() -> None:
    """The safety note, the first time reminderd starts and whenever the note changes;
    that it was shown is kept in the state folder."""
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
