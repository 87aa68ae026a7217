"""Suspend, as logind announces it on the system bus.

Every user's programs share the system bus, so a PrepareForSleep counts only from the
connection that owns org.freedesktop.login1 (the match rule names its unique name, followed
when the name changes hands, and each message's sender is checked again: a signal sent to
the daemon alone passes no match rule), and only with its one boolean.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from reminderd.bus import (
    DBUS,
    Bus,
    BusError,
    Once,
    header_field,
    signature_of,
    system_bus_address,
)
from reminderd.control import PER_WAKE  # one peer's share of a wake-up

if TYPE_CHECKING:
    from reminderd.daemon.loop import Loop

log = logging.getLogger("reminderd")

LOGIND = "org.freedesktop.login1"
MANAGER = "org.freedesktop.login1.Manager"
LOGIND_PATH = "/org/freedesktop/login1"
OWNER_RULE = (
    f"type='signal',sender='{DBUS}',interface='{DBUS}',member='NameOwnerChanged',arg0='{LOGIND}'"
)


class SleepWatch:
    """logind's PrepareForSleep signal on the system bus, where there is one: the routine
    on screen is withdrawn before the machine sleeps rather than found stale after."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self._sock = bus.sock()  # the connection the loop watches
        self.owner: str | None = None  # logind's unique name
        self._rule: str | None = None
        self._more = False  # more messages may be waiting than one wake-up handles
        self._ignored = Once()

    @classmethod
    def connect(cls, address: str | None = None) -> SleepWatch | None:
        """Watch logind on the system bus; None (said at debug level) where that is not
        possible now."""
        bus = Bus(address, system=True)
        try:
            bus.subscribe(OWNER_RULE)
            watch = cls(bus)
            watch.follow(bus.name_owner(LOGIND))
        except BusError as error:
            log.debug("no sleep notices from logind: %s", error)
            bus.disconnect()
            return None
        log.debug("watching logind for suspend and resume")
        return watch

    def follow(self, owner: str | None) -> None:
        """Hear PrepareForSleep from ``owner`` (logind's unique name; None: none) only."""
        if self._rule:
            self.bus.unsubscribe(self._rule)
            self._rule = None
        self.owner = owner or None
        if self.owner:
            self._rule = (
                f"type='signal',sender='{self.owner}',interface='{MANAGER}',"
                f"member='PrepareForSleep',path='{LOGIND_PATH}'"
            )
            self.bus.subscribe(self._rule)

    @property
    def backlog(self) -> bool:
        """Messages not taken yet: more than one wake-up takes, or read during a call."""
        return self._more or self.bus.holding

    def fileno(self) -> int:
        """The watched socket's number; -1 once it is closed, so that the loop removes this
        watch found as itself, not whatever file has its old number by then."""
        if self._sock is None:
            raise BusError("not connected")
        return self._sock.fileno()

    def signals(self) -> list[bool]:
        """The PrepareForSleep values that arrived (True: going to sleep, False: awake), at
        most PER_WAKE messages' worth. BusError once the system bus is gone."""
        from jeepney import MessageType  # noqa: PLC0415

        messages, self._more = self.bus.take(PER_WAKE)
        found = []
        for message in messages:
            if message.header.message_type != MessageType.signal:
                continue
            sender, member = header_field(message, "sender"), header_field(message, "member")
            signature = signature_of(message)
            if member == "NameOwnerChanged" and sender == DBUS and signature == "sss":
                if message.body[0] == LOGIND:
                    self.follow(message.body[2])
                continue
            if sender != self.owner:
                why = f"not logind ({self.owner or 'none'})"
            elif member != "PrepareForSleep" or header_field(message, "path") != LOGIND_PATH:
                why = "not logind's PrepareForSleep"
            elif signature != "b":
                why = f"signature ({signature}), not (b)"
            else:
                found.append(message.body[0] is True)
                continue
            if self._ignored.first(f"{sender} {member}"):
                log.debug("ignored %s from %s: %s", member, sender, why)
        return found

    @property
    def connected(self) -> bool:
        """False once the connection the loop watches closed: following logind's name asks
        the bus (AddMatch, RemoveMatch), and a bus gone meanwhile fails that call, which
        closes it (and a call after it would connect again, on a socket nobody watches)."""
        return self._sock is not None and self.bus.sock() is self._sock

    def close(self) -> None:
        self.bus.disconnect()


class SleepListener:
    """The daemon's ear for suspend: a SleepWatch in the loop while there is a system bus,
    and, after the bus went away (a dbus restart on an upgrade), a look for it again after
    1 s, then twice as long each time, at most ``most`` seconds. Never while it is there,
    nor where there never was one."""

    def __init__(
        self,
        loop: Loop,
        monotonic: Callable[[], float],
        going_to_sleep: Callable[[], None],
        most: float,
    ) -> None:
        self._loop = loop
        self._monotonic = monotonic
        self._going_to_sleep = going_to_sleep
        self._most = most
        self.watch = self._connect()
        self._retry: tuple[float, float] | None = None  # (when, delay) after a loss

    def _connect(self) -> SleepWatch | None:
        watch = SleepWatch.connect() if system_bus_address() else None
        if watch:
            self._loop.watch(watch, lambda _mask: self.readable())
        return watch

    @property
    def backlog(self) -> bool:
        return self.watch is not None and self.watch.backlog

    def next_deadline(self) -> float | None:
        """When to look for a lost system bus again (monotonic), if it went away."""
        return self._retry[0] if self._retry else None

    def readable(self) -> None:
        if self.watch is None:
            return
        try:
            signals = self.watch.signals()
        except BusError as error:
            self._lost(error)
            return
        for going in signals:
            if going:
                log.info("the machine is going to sleep")
                self._going_to_sleep()
            else:
                log.info("the machine woke up")
        if not self.watch.connected:
            self._lost(BusError("the bus connection closed during a call"))

    def _lost(self, error: BusError) -> None:
        """The system bus went away: out of the loop, looked for again in a second."""
        assert self.watch is not None
        log.warning("lost the system bus (%s); suspend is still noticed from the clocks", error)
        watch, self.watch = self.watch, None
        self._loop.remove(watch)
        watch.close()
        self._retry = (self._monotonic() + 1.0, 1.0)

    def catch_up(self) -> None:
        """Messages left over from the last wake-up; the lost bus looked for when due."""
        if self.backlog:
            self.readable()
        if self._retry is None or self._monotonic() < self._retry[0]:
            return
        self.watch = self._connect()
        if self.watch:
            log.info("the system bus is back: suspend is heard from logind again")
            self._retry = None
            return
        delay = min(self._retry[1] * 2, self._most)
        self._retry = (self._monotonic() + delay, delay)

    def close(self) -> None:
        if self.watch:
            self.watch.close()
