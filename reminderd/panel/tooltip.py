"""What the panel says: the icon's state and its tooltip, from the status reply."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from reminderd.statusline import clock_text

if TYPE_CHECKING:
    from reminderd.contracts import DaemonStatus

# Why a due routine waits, for the reasons the status reply does not say whole.
WAITING = {
    "idle": "you are away",
    "dnd": "do not disturb is on",
    "typing": "a pause in typing",
    "elsewhere": "in progress on another machine",
}


def state_of(status: DaemonStatus) -> str:
    """waiting, guiding, paused or held, from the fields of ``reminderd status --json``."""
    if status["current"] or status["asking"]:
        return "guiding"
    if status["paused"]:
        return "paused"
    if any(r["held"] for r in status["routines"]):
        return "held"
    return "waiting"


def tooltip(status: DaemonStatus, now: datetime) -> str:
    """The tooltip's text, computed when the panel asks (so "in 12m" is never stale)."""
    state = state_of(status)
    current, asking = status["current"], status["asking"]
    if current:  # numbered as the note and `status` number it ("squeeze 4 of 10")
        return f"{current['routine']}\n{current['text']}"
    if asking:
        return f"{asking['routine']}: waiting for an answer"
    if state == "paused":
        until = status["paused_until"]
        return f"Paused until {clock_text(until, now)}" if until else "Paused until resumed"
    if state == "held":
        first = next(r for r in status["routines"] if r["held"])
        reason = first["held"] or ""
        why = WAITING.get(reason) or first.get("hold") or reason
        return f"{first['title']} is due, waiting: {why}"
    upcoming = sorted((r for r in status["routines"] if r["next"]), key=lambda r: str(r["next"]))
    if not upcoming:
        return "Nothing scheduled"
    first = upcoming[0]
    return f"Next: {first['title']} at {clock_text(str(first['next']), now)}"
