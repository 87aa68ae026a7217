"""Ask every chosen hold source, each within its bound, and never raise.

Sources that ask a subprocess start together, so that their waits overlap; the others
ask in-process one after the other. A source that fails or takes longer than its bound
answers "cannot answer" (it holds nothing), logged once until it answers again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from reminderd.contracts import HoldState, SourceStatus
from reminderd.holds.choose import Offer
from reminderd.holds.port import BOUND, SOURCE_REASONS, Answer, HoldSource, HoldUnknown
from reminderd.i18n.said import said, said_join

log = logging.getLogger("reminderd")


class Runner:
    """Asks the sources when the core wants to know; keeps the last answers for status."""

    def __init__(
        self,
        sources: Sequence[HoldSource],
        bound: float = BOUND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sources = tuple(sources)
        self.bound = bound
        self.clock = clock
        self.last: tuple[Answer, ...] = ()
        self._failing: dict[str, str] = {}  # source -> the failure that was logged

    def ask(self) -> tuple[Answer, ...]:
        """Every source's answer now, in the sources' order."""
        started: dict[int, float] = {}
        for index, source in enumerate(self.sources):
            started[index] = self.clock()
            try:
                source.start()
            except Exception as error:  # a source's bug holds nothing, and never stops the daemon
                log.debug("hold source %s did not start: %s", source.name, error)
        # In-process questions first, while the subprocesses run; then the subprocesses'.
        spawning = self._spawning()
        order = [i for i in started if i not in spawning] + [i for i in started if i in spawning]
        answers = {i: self._answer(i, self.sources[i], started[i]) for i in order}
        self.last = tuple(answers[i] for i in range(len(self.sources)))
        return self.last

    def _answer(self, index: int, source: HoldSource, started: float) -> Answer:
        began = self.clock()
        # A subprocess has run since ``start``; an in-process question starts now.
        left = self.bound - (began - started) if index in self._spawning() else self.bound
        try:
            holds = source.answer(max(left, 0.001))
            unknown = None
        except HoldUnknown as error:
            holds, unknown = (), str(error)
        except Exception as error:  # a source's bug holds nothing, and never stops the daemon
            holds, unknown = (), f"{source.name}: {type(error).__name__}: {error}"
        took = self.clock() - began
        if unknown is None and took > self.bound:
            holds, unknown = (
                (),
                f"{source.name}: took {took * 1000:.0f} ms (bound {self.bound * 1000:.0f} ms)",
            )
        self._log(source.name, unknown)
        return Answer(source.name, tuple(holds), unknown, took)

    def _spawning(self) -> set[int]:
        return {i for i, s in enumerate(self.sources) if s.spawns}

    def _log(self, name: str, unknown: str | None) -> None:
        if unknown is None:
            if self._failing.pop(name, None) is not None:
                log.info("hold source %s answers again", name)
            return
        if name not in self._failing:
            log.warning("hold source cannot answer (%s); routines are not held for it", unknown)
        self._failing[name] = unknown


def describe(answers: Sequence[Answer]) -> list[str]:
    """One line per source for ``status``: holding what, clear, or cannot answer and why."""
    lines: list[str] = []
    for answer in answers:
        if answer.unknown is not None:
            lines.append(
                said("{source}: cannot answer ({why})", source=answer.source, why=answer.unknown)
            )
        elif answer.holds:
            holds = said_join("; ", [h.said() for h in answer.holds])
            lines.append(said("{source}: on ({holds})", source=answer.source, holds=holds))
        else:
            lines.append(said("{source}: off", source=answer.source))
    return lines


def status(offers: Sequence[Offer], answers: Sequence[Answer]) -> list[SourceStatus]:
    """Every source considered, with its last answer: what ``status`` shows."""
    last = {answer.source: answer for answer in answers}
    entries: list[SourceStatus] = []
    for offer in offers:
        answer = last.get(offer.name)
        state: HoldState
        if not offer.used:
            state = "not used"
        elif answer is None:
            state = "not asked"
        elif answer.unknown is not None:
            state = "cannot answer"
        else:
            state = "on" if answer.holds else "off"
        entries.append(
            {
                "source": offer.name,
                "reasons": [r for r in SOURCE_REASONS if r in offer.reasons],
                "used": offer.used,
                "why": offer.why,
                "state": state,
                "holds": [h.said() for h in answer.holds] if answer else [],
                "unknown": answer.unknown if answer else None,
            }
        )
    return entries
