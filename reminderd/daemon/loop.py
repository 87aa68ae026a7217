"""The daemon's event loop: a selector, and a wake-up socket that signal handlers write to.

Nothing in it polls: ``run_once`` blocks until a watched file is readable (a client, the
notification server's connection, the wall-clock alarm, the panel's bus) or a signal
arrives, or the timeout the daemon computed from its next deadline passes.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import signal
import socket
from collections.abc import Callable, Sequence
from typing import Any

log = logging.getLogger("reminderd")

Handler = Callable[[int], None]


class Loop:
    """A selector, plus a wake-up socket that signal handlers write to."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        for end in (self._wake_r, self._wake_w):
            end.setblocking(False)
        self.selector.register(self._wake_r, selectors.EVENT_READ, self._drain)
        self.signals: list[int] = []
        self._previous: dict[int, Any] = {}

    def watch(self, fileobj: Any, handler: Handler, write: bool = False) -> None:
        """Call ``handler`` when ``fileobj`` is readable (and writable, with ``write``).

        Registered afresh each time, never changed in place: a connection closed before it
        was removed (a bus call that failed) leaves its number in the selector, the kernel
        gives that number to the next file opened, and changing the old entry would leave
        the new file out of the kernel's list, never woken for."""
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if write else 0)
        self.remove(fileobj)
        self.selector.register(fileobj, events, handler)

    def remove(self, fileobj: Any) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(fileobj)

    def catch_signals(self, numbers: Sequence[int]) -> None:
        """Turn signals into events of this loop: the handler only notes the number."""
        signal.set_wakeup_fd(self._wake_w.fileno(), warn_on_full_buffer=False)
        for number in numbers:
            self._previous[number] = signal.signal(
                number, lambda signum, _frame: self.signals.append(signum)
            )

    def _drain(self, _mask: int) -> None:
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while self._wake_r.recv(4096):
                pass

    def run_once(self, timeout: float | None) -> None:
        for key, mask in self.selector.select(timeout):
            try:
                key.data(mask)
            except Exception:  # the last guard: no handler takes the loop down with it
                log.exception("the handler of file %s failed", key.fd)

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            signal.set_wakeup_fd(-1)
            for number, handler in self._previous.items():
                signal.signal(number, handler)
        self.selector.close()
        self._wake_r.close()
        self._wake_w.close()
