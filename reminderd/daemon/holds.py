"""The daemon's handle on the hold sources (reminderd.holds): chosen and asked on the first
check, when a routine is first due, never before (the idle daemon loads none of them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from reminderd.contracts import SOURCE_REASONS, SourceReason

if TYPE_CHECKING:
    from reminderd.contracts import SourceStatus
    from reminderd.holds.port import Answer
    from reminderd.holds.runner import Runner


class DeferredHolds:
    """Asks the sources ``hold_during`` needs on this desktop; keeps their last answers."""

    def __init__(
        self,
        hold_during: frozenset[SourceReason] = frozenset(SOURCE_REASONS),
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.hold_during = hold_during
        self._environ = environ
        self._runner: Runner | None = None
        self._status: list[SourceStatus] = []

    def ask(self) -> tuple[Answer, ...]:
        """Every chosen source's answer now; never raises (see ``holds.runner``)."""
        from reminderd.holds.choose import choose  # noqa: PLC0415 - when a routine is due
        from reminderd.holds.runner import Runner, status  # noqa: PLC0415 - as above

        if self._runner is None:
            choice = choose(self.hold_during, self._environ)
            self._offers = choice.offers
            self._runner = Runner(choice.sources)
        answers = self._runner.ask()
        self._status = status(self._offers, answers)
        return answers

    def status(self) -> list[SourceStatus]:
        """Every source considered and its last answer; [] before the first check."""
        return list(self._status)
