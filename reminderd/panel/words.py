"""What the panel says: the icon's state and its tooltip, from the status reply."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from reminderd.i18n import N_, _, text
from reminderd.when import clock_text

if TYPE_CHECKING:
    from reminderd.contracts import DaemonStatus

# Why a due routine waits, for the reasons the status reply does not say whole.
WAITING = {
    "idle": N_("you are away"),
    "dnd": N_("do not disturb is on"),
    "typing": N_("a pause in typing"),
    "elsewhere": N_("in progress on another machine"),
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
    """The tooltip's text, computed when the panel asks (so "in 12m" is never stale), in
    the language in use."""
    state = state_of(status)
    current, asking = status["current"], status["asking"]
    if current:  # numbered as the note and `status` number it ("squeeze 4 of 10")
        return f"{current['routine']}\n{current['text']}"
    if asking:
        return _("{routine}: waiting for an answer").format(routine=asking["routine"])
    if state == "paused":
        until = status["paused_until"]
        when = clock_text(until, now) if until else ""
        return _("Paused until {when}").format(when=when) if until else _("Paused until resumed")
    if state == "held":
        return _held(status)
    upcoming = sorted((r for r in status["routines"] if r["next"]), key=lambda r: str(r["next"]))
    if not upcoming:
        return _("Nothing scheduled")
    first = upcoming[0]
    when = clock_text(str(first["next"]), now)
    return _("Next: {routine} at {when}").format(routine=_(first["title"]), when=when)


def _held(status: DaemonStatus) -> str:
    """The first routine held back, and why it waits."""
    first = next(r for r in status["routines"] if r["held"])
    reason = first["held"] or ""
    why = _(WAITING[reason]) if reason in WAITING else text(first.get("hold") or reason)
    return _("{routine} is due, waiting: {why}").format(routine=_(first["title"]), why=why)
