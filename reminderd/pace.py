"""How fast guidance goes: the steps at their length for people, and as much shorter as
the test suite asks, so that a routine of minutes takes seconds. Light: the idle daemon
holds it, and loads the guide only when a routine starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

BREATH = 10.0  # seconds between the end of one routine and the start of the next queued one


class Tempo(NamedTuple):
    """The pace of guidance: ``pace`` times the steps' lengths (with the voice that much
    faster), and the ``breath`` between back-to-back routines. Only the test suite changes
    them (REMINDERD_PACE, REMINDERD_BREATH), so that a routine of minutes takes seconds."""

    pace: float = 1.0
    breath: float = BREATH

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Tempo:
        """The tempo the environment asks for: a pace from 0.1 to 1, a breath up to 10 s;
        anything else is the default."""
        return cls(
            _bounded(environ.get("REMINDERD_PACE", ""), 0.1, 1.0, 1.0),
            _bounded(environ.get("REMINDERD_BREATH", ""), 0.0, BREATH, BREATH),
        )


def _bounded(text: str, low: float, high: float, default: float) -> float:
    try:
        value = float(text)
    except ValueError:
        return default
    return value if low <= value <= high else default  # also refuses NaN
