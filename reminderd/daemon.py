"""The service: one event loop that sleeps until something is due, and wires the Core to
the outside world (signals, notifications, the control socket, state and history).

There is no polling: the loop blocks in ``select`` until the Core's next deadline, a
signal, or a client. An idle daemon wakes once per reminder, not once per second.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any

from reminderd.clock import Clock, SystemClock
from reminderd.config import ConfigSource, find_config, load_config
from reminderd.core import Core, Event
from reminderd.notify import choose

log = logging.getLogger("reminderd")

MAX_SLEEP = 300.0  # seconds; bounds how late a deadline is noticed after a suspend

Handler = Callable[[int], None]


class Loop:
    """A selector, plus a wake-up socket that signal handlers (and other threads) poke."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        for end in (self._wake_r, self._wake_w):
            end.setblocking(False)
        self.selector.register(self._wake_r, selectors.EVENT_READ, self._drain)
        self.signals: list[int] = []

    def add_reader(self, fileobj: Any, handler: Handler) -> None:
        self.selector.register(fileobj, selectors.EVENT_READ, handler)

    def remove(self, fileobj: Any) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(fileobj)

    def catch_signals(self, numbers: Sequence[int]) -> None:
        """Turn signals into events of this loop: the handler only notes the number."""
        signal.set_wakeup_fd(self._wake_w.fileno(), warn_on_full_buffer=False)
        for number in numbers:
            signal.signal(number, lambda signum, _frame: self.signals.append(signum))

    def wake(self) -> None:
        with contextlib.suppress(OSError):  # a full buffer means a wake-up is pending anyway
            self._wake_w.send(b"\0")

    def _drain(self, _mask: int) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def run_once(self, timeout: float | None) -> None:
        for key, mask in self.selector.select(timeout):
            key.data(mask)

    def close(self) -> None:
        signal.set_wakeup_fd(-1)
        self.selector.close()
        self._wake_r.close()
        self._wake_w.close()


class Daemon:
    """``reminderd start``: load the config, pick a notifier, then guide routines when due."""

    def __init__(
        self,
        source: ConfigSource | None = None,
        *,
        clock: Clock | None = None,
        write: Callable[[str], None] = print,
    ) -> None:
        self.source = source or find_config()
        self.clock = clock or SystemClock()
        self.write = write
        self.loop = Loop()
        self.stopping = False
        config = load_config(self.source)
        choice = choose(config.backend, write)
        self.backend = choice
        log.info("config: %s (%s)", self.source.path, self.source.origin)
        log.info("notifications: %s, because %s", choice.backend, choice.reason)
        self.core = Core(
            config, clock=self.clock, notifier=choice.notifier, listeners=(self._log_event,)
        )

    def _log_event(self, event: Event) -> None:
        if event.kind == "routine.step":
            log.debug(
                "%s step %s/%s: %s",
                event.routine,
                event.data.get("index"),
                event.data.get("of"),
                event.data.get("text"),
            )
        else:
            details = " ".join(f"{k}={v}" for k, v in event.data.items() if v is not None)
            log.info("%s %s %s", event.kind, event.routine or "", details)

    def handle_signals(self) -> None:
        while self.loop.signals:
            number = self.loop.signals.pop(0)
            if number in (signal.SIGTERM, signal.SIGINT):
                log.info("stopping (%s)", signal.Signals(number).name)
                self.stopping = True

    def run(self) -> int:
        numbers = [signal.SIGTERM, signal.SIGINT]
        self.loop.catch_signals(numbers)
        log.info("reminderd %s started, pid %d", _version(), os.getpid())
        self._log_next()
        try:
            while not self.stopping:
                self.core.tick()
                wait = self.core.next_wakeup()
                self.loop.run_once(MAX_SLEEP if wait is None else min(wait, MAX_SLEEP))
                self.handle_signals()
        finally:
            if self.core.guide:
                self.core.guide.cancel("stopped")
            self.loop.close()
        log.info("stopped")
        return 0

    def _log_next(self) -> None:
        zone = self.clock.zone()
        for timer in self.core.timers.values():
            when = timer.due.astimezone(zone).strftime("%a %H:%M") if timer.due else "never"
            log.info("next %s: %s", timer.routine.name, when)


def _version() -> str:
    from reminderd import __version__  # noqa: PLC0415

    return __version__


def configure_logging(level: str = "info", file: str | None = None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if file:
        handlers.append(logging.FileHandler(file, encoding="utf-8"))
    logging.basicConfig(
        level=level.upper(),
        handlers=handlers,
        force=True,
        format="%(asctime)s reminderd[%(process)d] %(levelname)s: %(message)s",
    )
