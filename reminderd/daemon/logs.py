"""The daemon's log: where it goes (stderr, which journald collects under systemd, and a
private file if asked), and one line per event."""

from __future__ import annotations

import logging
import sys

from reminderd.model import Event
from reminderd.paths import private_log

log = logging.getLogger("reminderd")


def configure_logging(level: str = "info", file: str | None = None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if file:
        handlers.append(logging.StreamHandler(private_log(file)))
    logging.basicConfig(
        level=level.upper(),
        handlers=handlers,
        force=True,
        format="%(asctime)s reminderd[%(process)d] %(levelname)s: %(message)s",
    )


def log_event(event: Event) -> None:
    """Steps at debug level (a routine has many), everything else at info, with its data."""
    if event.kind == "routine.step":
        log.debug(
            "%s step %s/%s: %s",
            event.routine,
            event.data.get("index"),
            event.data.get("of"),
            event.data.get("text"),
        )
        return
    details = " ".join(f"{k}={v}" for k, v in event.data.items() if v is not None)
    log.info("%s %s %s", event.kind, event.routine or "", details)
