"""`run`: a routine now, by the daemon when it runs, else guided in this terminal with a
countdown (and notifications, voice and sounds where there are some: ``here``)."""

from __future__ import annotations

from pathlib import Path

import click

from reminderd.cli.base import ask, config_option, load
from reminderd.errors import NotRunningError
from reminderd.i18n import _, text
from reminderd.lock import is_locked
from reminderd.paths import user_paths
from reminderd.plural import plural


@click.command()
@click.argument("name", required=False)
@config_option
@click.option("--here", is_flag=True, help="Guide in this terminal even if the daemon runs.")
@click.option("--voice", is_flag=True, help="Speak each step aloud (this run only).")
@click.option(
    "--now", "at_once", is_flag=True, help="Start even during a call, a screen share or a film."
)
def run(name: str | None, config_path: Path | None, here: bool, voice: bool, at_once: bool) -> None:
    """Guide a routine or an exercise now (no NAME: list them).

    With the daemon running, the daemon guides it (so a pause applies, and a call, a screen
    share or a full-screen film holds it until it ends, unless --now); otherwise, or with
    --here, --config (the daemon has a config of its own) or --voice, it runs here with a
    countdown in this terminal, and notifications too when a notification server is
    available. Ctrl-C stops. Either way it is recorded in the history; finishing the
    countdown here counts as completed.
    """
    if name is None:
        from reminderd.cli.here import names  # noqa: PLC0415 - as below

        for line in names(load(config_path)):
            click.echo(line)
        return
    if (config_path or voice) and not here and is_locked(user_paths().lock):
        why = "--config" if config_path else "--voice"
        click.echo(
            _("Guiding here: with {option} the daemon's own config would not apply.").format(
                option=why
            ),
            err=True,
        )
    if not here and not config_path and not voice:
        try:
            reply = ask("run", name=name, **({"now": True} if at_once else {}))
        except NotRunningError:
            pass
        else:
            ahead = reply["ahead"]
            if reply.get("held"):
                click.echo(
                    _(
                        "{name}: held: {hold}; it runs when that ends,"
                        " or `reminderd run --now` to override."
                    ).format(name=name, hold=text(reply["held"]))
                )
            elif reply.get("answered"):
                click.echo(
                    _("{name}: started, in place of the prompt that asked for it.").format(
                        name=name
                    )
                )
            else:
                click.echo(
                    plural(
                        ahead,
                        "{name}: the daemon guides it after {count} other routine.",
                        "{name}: the daemon guides it after {count} other routines.",
                        name=name,
                    )
                    if ahead
                    else _("{name}: the daemon guides it now.").format(name=name)
                )
            return
    # Guiding here loads the guide, the history, the voice and the pictures, which asking
    # the daemon needs none of.
    from reminderd.cli.here import run_here  # noqa: PLC0415

    run_here(name, config_path, voice)
