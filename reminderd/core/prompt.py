"""The "Start?" prompt of a routine with ``start = "ask"``, and the buttons reminderd puts
on its notifications."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from reminderd.i18n import N_, _, language
from reminderd.i18n.languages import SOURCE
from reminderd.model import Routine
from reminderd.notify import Note

# The buttons, with their labels in English; ``buttons`` says them in the language in use.
ACTIONS = (("start", N_("Start")), ("snooze", N_("Snooze 10 min")), ("skip", N_("Skip")))
NO_SKIP = ACTIONS[:2]  # once the day's skips are used up
DONE = (("done", N_("Done")),)  # on the closing note: "I did it"
# A prompt's default action: a click on the notification itself starts the routine, where
# the server invokes it (dunst's middle click does).
CLICK_TO_START = (("default", N_("Start")),)
ACTION_SNOOZE = 600.0  # seconds: the Snooze button's
ASK_TIMEOUT = 60.0  # seconds a "Start?" prompt waits (and holds others) before it counts as ignored


class Ask(NamedTuple):
    """A routine waiting for the person to press Start."""

    name: str
    reason: str
    notification_id: int | None
    deadline: datetime


def prompt_note(routine: Routine, length: str, buttons: tuple[tuple[str, str], ...]) -> Note:
    """The prompt: Start, Snooze and Skip buttons where the server's buttons can be pressed,
    otherwise the commands that answer it (``reminderd run`` and ``skip``, which work on any
    desktop)."""
    from reminderd.exercises import SAFETY_LINE  # noqa: PLC0415 - when a routine is due

    title = _(routine.label)
    # English says "Time for neck stretches"; a language that keeps a title's capitals
    # (German nouns) gets it as it is.
    shown = title.lower() if language() == SOURCE else title
    body = _("Time for {routine} ({length}). {stop}.").format(
        routine=shown, length=length, stop=_(SAFETY_LINE)
    )
    if not buttons:
        name = routine.name
        body += " " + _("Start: reminderd run {name} · skip: reminderd skip {name}").format(
            name=name
        )
    actions = said_buttons(CLICK_TO_START + buttons)
    return Note(title, body, ASK_TIMEOUT, actions=actions, urgency=1)


def said_buttons(buttons: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Buttons with their labels in the language in use."""
    return tuple((key, _(label)) for key, label in buttons)
