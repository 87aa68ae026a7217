"""The command line: the only package that prints, and the only one that imports click.

Library errors become messages here: a config mistake lists every problem and exits 2,
anything else reminderd raises on purpose is "Error: ..." and exit 1. No traceback reaches
a person for a mistake they made.

One module per family of commands, each loaded only when one of its commands runs:
``daemon`` (start, stop, status), ``control`` (pause, resume, snooze, skip, unskip, reload),
``run`` (and ``here``, its guiding in the terminal), ``routines`` (list, show, plan,
check), ``health`` (safety, tips), ``configfile`` (config path, config init), ``history``
(stats, history, events) and ``service``; ``base`` holds what they share.
"""

from __future__ import annotations

import click

from reminderd import __version__
from reminderd.cli.base import Group, localized

COMMANDS = {
    "start": "reminderd.cli.daemon:start",
    "stop": "reminderd.cli.daemon:stop",
    "status": "reminderd.cli.daemon:status",
    "pause": "reminderd.cli.control:pause",
    "resume": "reminderd.cli.control:resume",
    "snooze": "reminderd.cli.control:snooze",
    "skip": "reminderd.cli.control:skip",
    "unskip": "reminderd.cli.control:unskip",
    "reload": "reminderd.cli.control:reload",
    "run": "reminderd.cli.run:run",
    "list": "reminderd.cli.routines:list_",
    "show": "reminderd.cli.routines:show",
    "plan": "reminderd.cli.routines:plan",
    "check": "reminderd.cli.routines:check",
    "safety": "reminderd.cli.health:safety_",
    "tips": "reminderd.cli.health:tips",
    "config": "reminderd.cli.configfile:config",
    "stats": "reminderd.cli.history:stats",
    "history": "reminderd.cli.history:history_",
    "events": "reminderd.cli.history:events",
    "service": "reminderd.cli.service:service",
}


@click.group(cls=Group, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reminderd")
def cli() -> None:
    """Guided neck exercises and posture breaks, one timed step at a time.

    reminderd reads routines from a TOML file, and when one is due walks you through it
    with desktop notifications. Start with `reminderd start`; see what it will do with
    `reminderd list`; try a routine now with `reminderd run neck`.
    """


def main() -> None:
    import logging  # noqa: PLC0415 - only the full command line configures logging

    logging.basicConfig(level=logging.WARNING, format="reminderd: %(message)s")
    speak_the_environments_language()
    cli(prog_name="reminderd")


def speak_the_environments_language() -> None:
    """The command line speaks the language the environment asks for (LANGUAGE, LC_ALL,
    LC_MESSAGES, LANG); click's own sentences ("Usage:", "Show this message and exit.")
    come from the same catalogue, through the standard library's gettext, which reads
    the same variables."""
    import gettext  # noqa: PLC0415

    from reminderd.i18n import use  # noqa: PLC0415
    from reminderd.i18n.languages import DOMAIN, from_environment, locale_dir  # noqa: PLC0415

    use(from_environment()[0])
    gettext.bindtextdomain(DOMAIN, locale_dir())
    gettext.textdomain(DOMAIN)
    localized(cli)


__all__ = ["cli", "main"]
