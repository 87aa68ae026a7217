"""The skip budget: how many times a routine may still be skipped today
(``max_skips_per_day``), counted per local day."""

from __future__ import annotations

from collections.abc import Mapping

from reminderd.clock import Clock


def today(clock: Clock) -> str:
    """The local day the budget counts in, as written in the saved state."""
    return clock.now().astimezone(clock.zone()).date().isoformat()


class SkipBudget:
    """Skips spent per routine on one local day."""

    def __init__(self) -> None:
        self._spent: dict[str, tuple[str, int]] = {}  # routine -> (local day, skips that day)

    def left(self, name: str, budget: int | None, today: str) -> int | None:
        """Skips left for ``name`` today; None: no limit."""
        if budget is None:
            return None
        day, used = self._spent.get(name, ("", 0))
        return max(0, budget - (used if day == today else 0))

    def spend(self, name: str, today: str) -> None:
        day, used = self._spent.get(name, ("", 0))
        self._spent[name] = (today, (used if day == today else 0) + 1)

    def refund(self, name: str, today: str) -> None:
        """A skip undone gives its skip back."""
        day, used = self._spent.get(name, ("", 0))
        if day == today and used > 0:
            self._spent[name] = (today, used - 1)

    def restore(self, name: str, day: str, used: int) -> None:
        self._spent[name] = (day, used)

    def export(self) -> Mapping[str, tuple[str, int]]:
        return dict(self._spent)
