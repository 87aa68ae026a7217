"""What the daemon keeps across restarts: the pause, snoozes and skips, restored at start
and written again whenever an event changes them (and only then)."""

from __future__ import annotations

import logging
from pathlib import Path

from reminderd.contracts import SavedState
from reminderd.core import Core
from reminderd.model import Event
from reminderd.state import StateStore

log = logging.getLogger("reminderd")

# The events after which the saved state may differ from the core's.
PERSISTED = frozenset(
    {
        "daemon.paused",
        "daemon.resumed",
        "routine.snoozed",
        "routine.skipped",
        "routine.unsnoozed",
        "routine.unskipped",
        "routine.fired",
    }
)


class Kept:
    """The core's state file: ``store`` says whether its last write failed."""

    def __init__(self, path: Path, core: Core) -> None:
        self.store = StateStore(path)
        self._core = core
        self._saved: SavedState | None = None

    def restore(self) -> None:
        """The pause, snoozes and skips of the last run; a file whose dates were out of
        range is kept aside as it was, and written again with what could be used."""
        if self._core.restore_state(self.store.load()):
            aside = self.store.keep_aside("out-of-range")
            if aside:
                log.warning("the state file as it was is kept as %s", aside)
            self.save()

    def after(self, event: Event) -> None:
        """Write the state again if ``event`` may have changed it."""
        if event.kind in PERSISTED:
            self.save()

    def save(self) -> None:
        state = self._core.export_state()
        if state != self._saved and self.store.save(state):
            self._saved = state
