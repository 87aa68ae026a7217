"""Snooze and skip, and their undoing: a person moving one routine's next time, by a
command or a button. Which routine a bare ``snooze`` or ``skip`` means, the skip budget a
person's own skips spend, and the buttons that follow from it.

Acts on the timers and the stage, and reports each change through ``emit``; the engine
passes its commands on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from reminderd.clock import Clock
from reminderd.core.outputs import Emit
from reminderd.core.prompt import ACTION_SNOOZE, ACTIONS, NO_SKIP
from reminderd.core.skips import SkipBudget, today
from reminderd.core.stage import Request, Stage
from reminderd.core.timers import Timers
from reminderd.errors import NothingToUndoError, SkipBudgetError
from reminderd.i18n.said import said

log = logging.getLogger("reminderd")

# Skips that spend the budget: the person's own, not natural breaks nor forced ones.
SPENDING = frozenset({"cli", "action"})


class Postpone:
    """Snoozes, skips and their undoing, on one routine at a time."""

    def __init__(
        self,
        timers: Timers,
        stage: Stage,
        skips: SkipBudget,
        *,
        clock: Clock,
        emit: Emit,
        iso: Callable[[datetime | None], str | None],
    ) -> None:
        self._timers = timers
        self._stage = stage
        self._skips = skips
        self._clock = clock
        self._emit = emit
        self._iso = iso

    def target(self, name: str | None) -> str:
        """The routine a snooze or skip applies to: the named one, else the one on screen,
        else the next queued, else the next due. LookupError if there is none."""
        stage = self._stage
        if name:
            if name not in self._timers and stage.on_screen() != name:
                raise LookupError(name)
            return name
        if (current := stage.on_screen()) is not None:
            return current
        if stage.queue:
            return stage.queue[0]
        upcoming = self._timers.upcoming()
        if upcoming is None:
            raise LookupError("")
        return upcoming.routine.name

    def obey(self, request: Request) -> None:
        """A Snooze or Skip button was pressed on a routine's notification."""
        if request.action == "snooze":
            self.snooze(request.routine, ACTION_SNOOZE, reason="action")
        elif request.action == "skip":
            try:
                self.skip(request.routine, reason="action")
            except SkipBudgetError as error:
                log.info("%s", error)

    def snooze(
        self, name: str | None, seconds: float, reason: str = "cli"
    ) -> tuple[str, datetime | None]:
        """Postpone a reminder: the one on screen or queued by ``seconds`` from now, a future
        one by ``seconds`` from its due time. Return the routine and its new due time."""
        name = self.target(name)
        now = self._clock.now()
        delay = timedelta(seconds=seconds)  # raises before anything is withdrawn
        active = self._stage.withdraw(name, "snoozed")
        timer = self._timers.get(name)
        if timer is None:
            return name, None
        base = now if active or not timer.due else max(now, timer.due)
        self._timers.snooze(timer, base + delay, running=now if active else None)
        self._emit(
            "routine.snoozed", name, reason=reason, until=self._iso(timer.due), seconds=seconds
        )
        return name, timer.due

    def skips_left(self, name: str) -> int | None:
        """How many more times ``name`` may be skipped today; None: no limit."""
        timer = self._timers.get(name)
        budget = timer.routine.max_skips_per_day if timer else None
        return self._skips.left(name, budget, today(self._clock))

    def buttons(self, name: str) -> tuple[tuple[str, str], ...]:
        """Start, Snooze and Skip; no Skip once the day's skips are used up."""
        return NO_SKIP if self.skips_left(name) == 0 else ACTIONS

    def skip(
        self, name: str | None, reason: str = "cli", force: bool = False
    ) -> tuple[str, datetime | None]:
        """Skip the routine on screen, or the next occurrence of one. Return the routine and
        when it is due next. SkipBudgetError once the day's skips are used up, unless
        ``force`` (then recorded with the reason "forced")."""
        name = self.target(name)
        if reason in SPENDING:
            if force:
                reason = "forced"
            elif self.skips_left(name) == 0:
                budget = self._timers[name].routine.max_skips_per_day
                msg = said(
                    "{name}: no skips left today ({budget} a day, max_skips_per_day);"
                    " snooze it, or skip --force",
                    name=name,
                    budget=budget,
                )
                raise SkipBudgetError(msg)
            else:
                self._skips.spend(name, today(self._clock))
        now = self._clock.now()
        active = self._stage.withdraw(name, "skipped")
        timer = self._timers.get(name)
        if timer is None:
            return name, None
        self._timers.skip(timer, now, running=active)
        self._emit("routine.skipped", name, reason=reason, next=self._iso(timer.due))
        return name, timer.due

    def unskip(self, name: str) -> datetime | None:
        """Undo the last skip of ``name`` (its skip is given back): it comes when it would
        have, at once if it was skipped on screen. Return when it is due. LookupError for
        an unknown routine; NothingToUndoError when it has no skip to undo."""
        timer = self._timers.get(name)
        if timer is None:
            raise LookupError(name)
        if not self._timers.unskip(timer, self._clock.now()):
            msg = said(
                "{name} has no skip to undo (a skip can be undone until it comes round again)",
                name=name,
            )
            raise NothingToUndoError(msg)
        self._skips.refund(name, today(self._clock))
        self._emit("routine.unskipped", name, next=self._iso(timer.due))
        return timer.due

    def unsnooze(self, name: str) -> datetime | None:
        """Undo the snooze of ``name``: it comes when it would have, at once if that time has
        passed. Return when it is due. LookupError for an unknown routine;
        NothingToUndoError when it is not snoozed."""
        timer = self._timers.get(name)
        if timer is None:
            raise LookupError(name)
        if not self._timers.unsnooze(timer, self._clock.now()):
            msg = said("{name} is not snoozed", name=name)
            raise NothingToUndoError(msg)
        self._emit("routine.unsnoozed", name, next=self._iso(timer.due))
        return timer.due
