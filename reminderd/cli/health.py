"""The health content: `safety` (when to stop, when to see a doctor), `tips`, and the
safety note shown the first time reminderd starts."""

from __future__ import annotations

import sys

import click

from reminderd import safety, safety_notice
from reminderd.bus import session_bus_address
from reminderd.i18n import _
from reminderd.paths import user_paths


@click.command(name="safety")
def safety_() -> None:
    """Say when to stop an exercise, and when to see a doctor."""
    click.echo(safety.text())


@click.command()
def tips() -> None:
    """Say what the articles advise while a neck spasm is happening."""
    click.echo(safety.tips_text())


def show_safety_once() -> None:
    """The safety note, printed by `start` until it has been shown (and whenever it
    changes). The daemon shows it as a notification and records it then (see
    reminderd/safety_notice.py); with no session bus, nothing else can show it, and a
    terminal that printed it is where it was read."""
    state = user_paths().state
    if not safety_notice.due(state):
        return
    click.echo(safety.text() + "\n\n" + _("(`reminderd safety` shows it again)") + "\n")
    if sys.stdout.isatty() and sys.platform.startswith("linux") and not session_bus_address():
        try:
            safety_notice.record(state)
        except OSError as error:
            click.echo(
                _("Warning: cannot record that the safety note was shown: {error}").format(
                    error=error
                ),
                err=True,
            )
