"""A routine held at its step while reminderd is paused (the phone rang): what its
notification says meanwhile, and how long it waits for `resume`.

`pause` during a routine does not throw it away: the guide stops where it is, and
`resume` (or the end of a short pause) goes on from the beginning of that step (a hold,
from its lead-in). After HOLD_LIMIT it is cancelled, and recorded so: a routine left for
longer is better started afresh than finished cold.
"""

from __future__ import annotations

from reminderd.i18n import _
from reminderd.model import Step
from reminderd.notify import Note

HOLD_LIMIT = 600.0  # seconds a routine waits at its step for `resume`


def held_note(title: str, step: Step, position: int, of: int) -> Note:
    """The notification of a routine held at ``step`` (``position`` of ``of``)."""
    body = (
        _("Paused at step {step} of {of}: {action}").format(
            step=position, of=of, action=step.labelled
        )
        + "\n"
        + _("`reminderd resume` goes on from there, within 10 minutes.")
    )
    return Note(_("{routine} · paused").format(routine=title), body, HOLD_LIMIT, final=True)
