"""`service`: start reminderd at login (a systemd user unit, a launchd agent, or the
Startup folder)."""

from __future__ import annotations

from pathlib import Path

import click

from reminderd import safety
from reminderd import service as service_module
from reminderd.cli.base import Group, config_option
from reminderd.i18n import _, text


@click.group(cls=Group)
def service() -> None:
    """Start reminderd at login, and stop doing so.

    With a systemd user unit (Linux), a launchd agent (macOS) or the Startup folder
    (Windows).
    """


@service.command(name="install")
@config_option
def service_install(config_path: Path | None) -> None:
    """Install and enable the login service for this user.

    It prints the safety note: when to stop an exercise, and when to see a doctor.
    """
    outcome = service_module.install(config_path)
    click.echo(_("Wrote {path}").format(path=outcome.path))
    for line in outcome.lines:
        click.echo(text(line))
    # Started at login, reminderd prints to a journal nobody reads: the note is read here
    # (the first start shows it as a notification too).
    again = _("(`reminderd safety` shows it again)")
    click.echo(f"\n{safety.text()}\n\n{again}")


@service.command(name="uninstall")
def service_uninstall() -> None:
    """Disable and remove the login service."""
    for line in service_module.uninstall().lines:
        click.echo(text(line))


@service.command(name="status")
def service_status() -> None:
    """Say whether the login service is installed and running."""
    for line in service_module.status().lines:
        click.echo(text(line))
