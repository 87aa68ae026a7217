"""Notes printed to the terminal, where there is no notification server."""

from __future__ import annotations

import logging
from collections.abc import Callable

from reminderd.errors import NotifyError
from reminderd.notify.port import Note

log = logging.getLogger("reminderd")


class ConsoleNotifier:
    """Writes each step as a line of text, for a terminal or a log."""

    name = "console"
    capabilities: frozenset[str] = frozenset()
    failing = False

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        if note.refresh:
            return None
        length = f" [{note.seconds:g} s]" if note.seconds > 0 else ""
        try:
            self._write(f"{note.summary}: {note.body}{length}")
        except (OSError, ValueError) as error:  # a closed or broken stdout
            raise NotifyError(f"cannot write to the console: {error}") from error
        return None

    def close(self, notification_id: int | None) -> None:
        return None
