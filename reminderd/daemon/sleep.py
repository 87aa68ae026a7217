"""Suspend, as logind announces it on the system bus."""

from __future__ import annotations

import logging
from typing import Any

from reminderd.bus import Bus, BusError, system_bus_address

log = logging.getLogger("reminderd")


class SleepWatch:
    """logind's PrepareForSleep signal on the system bus, where there is one: the routine
    on screen is withdrawn before the machine sleeps rather than found stale after."""

    RULE = (
        "type='signal',sender='org.freedesktop.login1',interface='org.freedesktop.login1.Manager',"
        "member='PrepareForSleep',path='/org/freedesktop/login1'"
    )

    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    @classmethod
    def connect(cls) -> SleepWatch | None:
        if not system_bus_address():
            return None
        bus = Bus(system=True)
        try:
            bus.subscribe(cls.RULE)
        except BusError as error:
            log.debug("no sleep notices from logind: %s", error)
            bus.disconnect()
            return None
        log.debug("watching logind for suspend and resume")
        return cls(bus)

    def fileno(self) -> int:
        return int(self.bus.connect().sock.fileno())

    def signals(self) -> list[bool]:
        """The PrepareForSleep values that arrived (True: going to sleep, False: awake)."""
        messages = self.bus.pending()
        return [bool(m.body[0]) for m in messages if m.body and _member(m) == "PrepareForSleep"]

    def close(self) -> None:
        self.bus.disconnect()


def _member(message: Any) -> str | None:
    from jeepney import HeaderFields  # noqa: PLC0415

    member = message.header.fields.get(HeaderFields.member)
    return str(member) if member else None
