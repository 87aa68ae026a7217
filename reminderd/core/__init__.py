"""The daemon's brain, without any I/O of its own: what is due, what is being guided, and
what every command does to that.

``Core`` (``engine``) is driven from outside: the daemon drives it with real sockets and the
system clock; ``simulate`` drives it with a SimClock to plan a day; tests drive it both
ways. Its parts, one job each: ``timers`` (the schedule's arithmetic), ``stage`` (what is on
screen and queued), ``starter`` (what comes on as a routine starts), ``firing`` (due
routines fire, or are held) with ``gate`` (may a due routine start now?), ``waiting`` and
``held`` (routines held back, and why), ``absences`` (returns and natural breaks),
``jumps`` (suspend, resume, clock changes), ``pause``, ``postpone`` (snooze and skip) with
``skips`` (the skip budget), ``prompt`` (the "Start?" prompt and the buttons), ``closing``
(closing notes), ``adherence`` (was it done?), ``elsewhere`` (what other machines did),
``saved`` (the state that survives a restart), ``outputs`` and ``polls`` (what it is given).
Every name below is read from its module on first use: the daemon never loads ``simulate``.
(``simulate`` and ``adherence`` are functions of modules of the same name: import them
from their modules, since a module's name hides a function of the same name.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reminderd.lazy import exports

if TYPE_CHECKING:
    from reminderd.core.adherence import HOLD_GRACE, judged_kinds
    from reminderd.core.engine import Core, Listener, RunOutcome
    from reminderd.core.outputs import Outputs
    from reminderd.core.polls import Polls
    from reminderd.core.prompt import ACTIONS, ASK_TIMEOUT, DONE, NO_SKIP, Ask
    from reminderd.core.simulate import plan_day
    from reminderd.core.timers import FOREVER, Timer

_HOMES = {
    "HOLD_GRACE": "adherence",
    "judged_kinds": "adherence",
    "Core": "engine",
    "Listener": "engine",
    "RunOutcome": "engine",
    "Outputs": "outputs",
    "Polls": "polls",
    "ACTIONS": "prompt",
    "ASK_TIMEOUT": "prompt",
    "DONE": "prompt",
    "NO_SKIP": "prompt",
    "Ask": "prompt",
    "plan_day": "simulate",
    "FOREVER": "timers",
    "Timer": "timers",
}

__all__ = [
    "ACTIONS",
    "ASK_TIMEOUT",
    "DONE",
    "FOREVER",
    "HOLD_GRACE",
    "NO_SKIP",
    "Ask",
    "Core",
    "Listener",
    "Outputs",
    "Polls",
    "RunOutcome",
    "Timer",
    "judged_kinds",
    "plan_day",
]

if not TYPE_CHECKING:  # mypy reads the imports above, and still finds a misspelt name
    __getattr__ = exports(__name__, _HOMES)
