"""A reload: the config read again from where it was found, and, when that fails, what the
daemon says and keeps (the running config always stays in use).
"""

from __future__ import annotations

import logging

from reminderd.config.apart import Read
from reminderd.config.discovery import ConfigSource, find_config
from reminderd.config.limits import Limits
from reminderd.errors import ConfigError
from reminderd.i18n.said import said, said_join
from reminderd.model import Config
from reminderd.notify import Note

log = logging.getLogger("reminderd")


def read_again(source: ConfigSource, limits: Limits, read: Read) -> tuple[ConfigSource, Config]:
    """The config read again: from the same file where it was named (``--config``,
    ``REMINDERD_CONFIG``), else from wherever the search finds one now."""
    explicit = source.path if source.origin in ("--config", "REMINDERD_CONFIG") else None
    found = ConfigSource(explicit, source.origin) if explicit else find_config(None, {})
    return found, read(found, limits)


class Refusal:
    """Why a reload was refused, logged once: the first problem and how many there were,
    the reply to whoever asked, and the note that tells the person (a config error)."""

    def __init__(self, error: Exception) -> None:
        self.note: Note | None = None
        self.first: str  # the first problem, as said
        self.count: int
        if isinstance(error, ConfigError):
            log.error("config not reloaded; the old one stays in use:\n%s", error)
            self.first, self.count = error.problems[0].said(), len(error.problems)
            self.note = _not_reloaded(error)
            problems = said_join("\n", [problem.said() for problem in error.problems])
            self.message = said(
                "config not reloaded; the old one stays in use:\n{problems}", problems=problems
            )
            return
        log.error("config not reloaded; the old one stays in use", exc_info=error)
        self.first, self.count = repr(error), 1
        self.message = said(
            "config not reloaded; the old one stays in use: {error}", error=repr(error)
        )


def _not_reloaded(error: ConfigError) -> Note:
    """The note that says a reload was refused, and its first problem, in the notes'
    language."""
    from reminderd.i18n import _, text  # noqa: PLC0415
    from reminderd.plural import plural  # noqa: PLC0415

    body = text(error.problems[0].said())
    more = len(error.problems) - 1
    if more:
        body += " " + plural(more, "(and {count} more)", "(and {count} more)")
    return Note(_("reminderd: config not reloaded"), body, final=True)
