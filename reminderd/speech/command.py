"""A voice that runs a command per line: the base of every backend, and the one for macOS's
``say``, Windows' SAPI and a command the person names, whose lengths are estimated."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from reminderd.children import Children
from reminderd.speech.timing import Lengths, Voice, estimate

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess

log = logging.getLogger("reminderd")

# Exit statuses that are not a failure: done, and ended by reminderd (SIGTERM, SIGKILL).
FINE = frozenset({0, -15, -9})


class CommandSpeaker:
    """Speaks by running ``argv`` with the words as its last argument, one process a line.

    A new line while the last one is still being said ends the last one: the guide plans
    each step to outlast its words, so that happens only when a step was skipped (Start
    pressed during the intro) or the engine took longer than it said; it is logged.
    """

    def __init__(
        self,
        name: str,
        argv: tuple[str, ...],
        children: Children,
        voice: Voice | None = None,
        lengths: Lengths | None = None,
        *,
        suffix: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.argv = argv
        self.suffix = suffix  # arguments after the words (SAPI's culture)
        self.voice = voice or Voice(name)
        self._children = children
        self._lengths = lengths or Lengths(None)
        self._current: subprocess.Popen[bytes] | None = None
        self.trouble: str | None = None

    @property
    def language(self) -> str:
        return self.voice.language

    def seconds(self, text: str) -> float:
        measured = self._lengths.get(self.voice, text)
        return measured if measured is not None else estimate(text, self.voice.rate)

    def command(self, text: str) -> list[str]:
        """The process that says ``text``."""
        return [*self.argv, text, *self.suffix]

    def say(self, text: str) -> None:
        if self.trouble or not text:
            return
        self._check()
        if self._current is not None and self._current.poll() is None:
            log.info("speech: a line was still being said when the next began; ended it")
            self._children.end(self._current)
        try:
            self._current = self._children.spawn(self.command(text), f"voice {self.name}")
        except OSError as error:
            self._failed(f"{self.argv[0]} cannot run ({error})")

    def stop(self) -> None:
        current, self._current = self._current, None
        if current is not None and current.poll() is None:
            self._children.end(current)  # its group: SIGTERM, then SIGKILL if it lingers
        elif current is not None:
            self._judge(current)

    def prepare(self, lines: Iterable[str]) -> subprocess.Popen[bytes] | None:
        return None

    def _check(self) -> None:
        """The last line's process, if it has ended, judged (without waiting)."""
        if self._current is not None and self._current.poll() is not None:
            self._judge(self._current)
            self._current = None

    def _judge(self, process: subprocess.Popen[bytes]) -> None:
        if process.returncode not in FINE and not self.trouble:
            self._failed(f"{self.argv[0]} exited {process.returncode} at {time.strftime('%H:%M')}")

    def _failed(self, why: str) -> None:
        log.warning("speech: %s; guiding without a voice", why)
        self.trouble = why
