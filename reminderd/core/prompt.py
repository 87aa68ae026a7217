"""The "Start?" prompt of a routine with ``start = "ask"``, and the buttons reminderd puts
on its notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reminderd.exercises import SAFETY_LINE
from reminderd.model import Routine
from reminderd.notify import Note

ACTIONS = (("start", "Start"), ("snooze", "Snooze 10 min"), ("skip", "Skip"))
NO_SKIP = ACTIONS[:2]  # once the day's skips are used up
DONE = (("done", "Done"),)  # on the closing note: "I did it"
# A prompt's default action: a click on the notification itself starts the routine, where
# the server invokes it (dunst's middle click does).
CLICK_TO_START = (("default", "Start"),)
ACTION_SNOOZE = 600.0  # seconds: the Snooze button's
ASK_TIMEOUT = 60.0  # seconds a "Start?" prompt waits (and holds others) before it counts as ignored


@dataclass(frozen=True, slots=True)
class Ask:
    """A routine waiting for the person to press Start."""

    name: str
    reason: str
    notification_id: int | None
    deadline: datetime


def prompt_note(routine: Routine, length: str, buttons: tuple[tuple[str, str], ...]) -> Note:
    """The prompt: Start, Snooze and Skip buttons where the server's buttons can be pressed,
    otherwise the commands that answer it (``reminderd run`` and ``skip``, which work on any
    desktop)."""
    body = f"Time for {routine.label.lower()} ({length}). {SAFETY_LINE}."
    if not buttons:
        name = routine.name
        body += f" Start: reminderd run {name} · skip: reminderd skip {name}"
    return Note(routine.label, body, ASK_TIMEOUT, actions=CLICK_TO_START + buttons, urgency=1)
