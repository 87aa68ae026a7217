"""The bounds on what a config can ask for, so that a config that passes `check` is known to
run, and a typo (100000 reps) is caught rather than obeyed.

Each bound is (shortest, longest, why). ``Limits`` holds the few that depend on who runs
reminderd: the test suite lowers the shortest interval and idle times so that routines fall
due within seconds. It is made once at the program's edge (``Limits.from_env``) and passed
in; nothing reads the environment while a file is parsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from reminderd.durations import DAY
from reminderd.i18n.said import said

Bounds = tuple[float, float, str]
MAX_TEXT = 300  # characters in one text; a notification shows a line or two
MAX_FILE = 1024 * 1024  # bytes: a config is a few kilobytes
EVERY_BOUNDS: Bounds = (
    300.0,
    DAY,
    said(
        "a reminder more often than every 5 minutes interrupts every task, and every is at"
        ' most 24 hours: for once a day, write at = ["10:30"]'
    ),
)
STEP_BOUNDS: Bounds = (0.0, 600.0, said("a step lasts at most 10 minutes: split a longer one"))
IDLE_BOUNDS: Bounds = (60.0, DAY, said("between a minute and a day"))
SOFT_START_BOUNDS: Bounds = (
    0.0,
    600.0,
    said(
        "at most 10 minutes: a routine that waits longer for a pause in typing comes late;"
        ' "0s" turns the wait off'
    ),
)
HOOK_BOUNDS: Bounds = (0.0, 3600.0, said("a hook is stopped after at most an hour"))
MAX_STEPS = 1000  # expanded steps in one exercise: the 30 squeezes make 63
MAX_ROUTINE = 3600.0  # seconds of guiding in one routine
MIN_EVERY_ENV = "REMINDERD_MIN_EVERY"


class Limits(NamedTuple):
    """The shortest ``every``, and the shortest ``pause_when_idle`` and ``natural_break``."""

    shortest_every: float = EVERY_BOUNDS[0]
    shortest_idle: float = IDLE_BOUNDS[0]

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Limits:
        """REMINDERD_MIN_EVERY (seconds) lowers both, for the test suite; never raises them."""
        try:
            lowered = float(environ.get(MIN_EVERY_ENV, ""))
        except ValueError:
            return STRICT
        if not lowered > 0:  # also refuses NaN
            return STRICT
        return cls(min(EVERY_BOUNDS[0], lowered), min(IDLE_BOUNDS[0], lowered))

    @property
    def every(self) -> Bounds:
        return (self.shortest_every, EVERY_BOUNDS[1], EVERY_BOUNDS[2])

    @property
    def idle(self) -> Bounds:
        return (self.shortest_idle, IDLE_BOUNDS[1], IDLE_BOUNDS[2])


STRICT = Limits()
