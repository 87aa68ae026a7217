"""How often the core looks again at what nobody tells it about, while something waits on
it (never while idle)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

AWAY_POLL = 30.0  # seconds between idle reads while the person is away
DND_POLL = 60.0  # seconds between do-not-disturb reads while a reminder is held
POLL_ENV = "REMINDERD_POLL"


class Polls(NamedTuple):
    """A person away, and a do-not-disturb state that is only read (not announced)."""

    away: float = AWAY_POLL
    dnd: float = DND_POLL

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Polls:
        """The test suite shortens both with REMINDERD_POLL (seconds, 0.1 up to the default)."""
        try:
            seconds = float(environ.get(POLL_ENV, ""))
        except ValueError:
            return cls()
        if not seconds >= 0.1:  # also refuses NaN
            return cls()
        return cls(min(seconds, AWAY_POLL), min(seconds, DND_POLL))
