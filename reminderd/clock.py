"""Clocks: the one place that reads the time.

The core never calls ``time.time()`` or ``datetime.now()``: it is handed a Clock. The system
clock is used by the daemon and the CLI; ``SimClock`` runs a day or a month of schedule in
a blink, for ``reminderd plan`` and for tests.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger("reminderd")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current wall-clock time, timezone-aware (UTC)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps; stops while the machine sleeps."""

    def zone(self) -> tzinfo:
        """The local time zone, for working hours and times of day."""

    def wait(self, seconds: float, stop: threading.Event | None = None) -> bool:
        """Sleep up to ``seconds``; return True at once if ``stop`` is set."""


_zone_cache: dict[str, tzinfo] = {}


def local_zone() -> tzinfo:
    """The local time zone with its daylight-saving rules (not just today's UTC offset).

    Read from ``TZ`` or ``/etc/localtime``; where neither names a zone (Windows without the
    tzdata package), today's fixed offset is the best there is, and that is logged once.
    """
    key = os.environ.get("TZ", "")
    if key in _zone_cache:
        return _zone_cache[key]
    zone: tzinfo | None = None
    candidates = [key.lstrip(":")] if key else []
    candidates.append("/etc/localtime")
    for candidate in candidates:
        try:
            if candidate.startswith("/"):
                with Path(candidate).open("rb") as handle:
                    zone = ZoneInfo.from_file(handle, key=candidate)
            else:
                zone = ZoneInfo(candidate)
            break
        except (OSError, ValueError, ZoneInfoNotFoundError):
            continue
    if zone is None:
        zone = datetime.now().astimezone().tzinfo or timezone.utc
        log.info("local time zone unknown; using the fixed offset %s", zone)
    _zone_cache[key] = zone
    return zone


class SystemClock:
    """The real clocks of this machine."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        return time.monotonic()

    def zone(self) -> tzinfo:
        return local_zone()

    def wait(self, seconds: float, stop: threading.Event | None = None) -> bool:
        if stop is None:
            time.sleep(max(0.0, seconds))
            return False
        return stop.wait(max(0.0, seconds))


class SimClock:
    """A clock that moves only when told to: ``wait`` returns at once, the time jumped ahead.

    ``suspend`` moves the wall clock but not the monotonic one, as a laptop's sleep does.
    """

    def __init__(self, start: datetime, zone: tzinfo | None = None) -> None:
        if start.tzinfo is None:
            msg = "SimClock needs a timezone-aware start time"
            raise ValueError(msg)
        self._now = start.astimezone(timezone.utc)
        self._mono = 1000.0
        self._zone = zone or start.tzinfo

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def zone(self) -> tzinfo:
        return self._zone

    def wait(self, seconds: float, stop: threading.Event | None = None) -> bool:
        if stop is not None and stop.is_set():
            return True
        self.advance(max(0.0, seconds))
        return False

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def advance_to(self, moment: datetime) -> None:
        self.advance(max(0.0, (moment - self._now).total_seconds()))

    def suspend(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)

    def set_wall(self, moment: datetime) -> None:
        """Set the wall clock (a manual clock change or an NTP step)."""
        self._now = moment.astimezone(timezone.utc)


def local_iso(moment: datetime, zone: tzinfo) -> str:
    """Local time with its UTC offset, to the second: how the daemon writes a moment for
    people and status bars alike (events, `status --json`, the history)."""
    return moment.astimezone(zone).isoformat(timespec="seconds")
