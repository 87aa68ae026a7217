"""Routines that are due, or asked for by hand, but may not start yet: what holds each,
when to look again, and the runs asked for during a hold (they start once it ends).

The gate decides; this keeps the bookkeeping of a hold and reports each change as an
event. A hold that lasts past working hours drops the routine as missed, counted so (a
call or a film that runs into the evening does not bring it back at night).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from reminderd.core.outputs import Emit
from reminderd.core.polls import Polls
from reminderd.core.timers import Timer, Timers

if TYPE_CHECKING:
    from reminderd.contracts import Requested
    from reminderd.holds.decide import Held


class Waiting:
    """The holds on due routines and on runs asked for by hand."""

    def __init__(self, timers: Timers, emit: Emit, polls: Polls) -> None:
        self._timers = timers
        self._emit = emit
        self._polls = polls
        self.recheck: datetime | None = None  # when held routines are looked at again
        # Asked for by hand while something held them (routine -> why it runs), and what.
        self._requested: dict[str, str] = {}
        self._requested_hold: Held | None = None

    @property
    def any(self) -> bool:
        """Whether something waits to be looked at again."""
        return bool(self._timers.held() or self._requested)

    def hold(self, due: list[Timer], held: Held, now: datetime, *, working: bool) -> None:
        """Hold due routines and look again soon; outside working time a held routine is
        dropped as missed, whatever held it (a person who left at closing time is not
        reminded when they come back at night), but for one another machine is guiding."""
        for timer in due:
            if not working and held.reason != "elsewhere":
                self._emit(
                    "routine.skipped",
                    timer.routine.name,
                    reason=f"missed ({held.reason})",
                    text=held.said(),
                )
                self._timers.restart_one(timer, now)
                continue
            text = held.said()
            if held.reason != "typing":  # the soft start is not what a routine waited for
                timer.waited = held.reason
            if timer.held != held.reason or timer.hold_text != text:
                timer.held, timer.hold_text = held.reason, text
                self._emit(
                    "routine.held",
                    timer.routine.name,
                    reason=held.reason,
                    who=held.who or None,
                    detail=held.detail or None,
                    text=text,
                )
        self.look_again_after(held, now)

    def look_again_after(self, held: Held, now: datetime) -> None:
        """Ask the gate again after the decision's wait, no later than the polls (the test
        suite shortens those), and never in a tight loop."""
        poll = self._polls.away if held.reason == "idle" else self._polls.dnd
        self.recheck = now + timedelta(seconds=max(0.1, min(held.look_again, poll)))

    def released(self) -> None:
        """The due routines fire: nothing to look at again for them."""
        if not self._requested:
            self.recheck = None

    # -- asked for by hand ----------------------------------------------------------------

    def request(self, name: str, reason: str, held: Held, now: datetime) -> None:
        """``name`` was asked for while ``held`` holds it: it starts once that ends."""
        self._requested[name] = reason
        self._requested_hold = held
        self.look_again_after(held, now)
        self._emit("routine.held", name, reason=held.reason, text=held.said(), by_hand=True)

    def forget(self, name: str) -> None:
        self._requested.pop(name, None)

    @property
    def requested(self) -> bool:
        return bool(self._requested)

    def still_held(self, held: Held, now: datetime) -> None:
        self._requested_hold = held
        self.look_again_after(held, now)

    def let_in(self) -> dict[str, str]:
        """The runs asked for by hand, now free to start (routine -> why it runs)."""
        requested, self._requested = self._requested, {}
        self._requested_hold = None
        return requested

    def status(self) -> Requested | None:
        if not self._requested:
            return None
        hold = self._requested_hold.said() if self._requested_hold else None
        return {"routines": list(self._requested), "hold": hold}
