"""The safety note at the first start, whichever way reminderd starts: in a terminal, with
`start --detach`, or at login as a service (where nobody reads what is printed).

The daemon shows it as a notification that stays until closed: the stop rule, the
emergency line and where the warning signs are (`reminderd safety`), with a button that
shows them all in its place. It counts as shown once a notification server took it, or,
with no notification server at all, once it went to a terminal; until then it is shown
again at the next routine and the next start. Shown again whenever the note changes:
the note itself is what is kept, and compared (a digest would load hashlib and OpenSSL's
library into the idle daemon for one comparison). `reminderd start` and `service install`
print it too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from reminderd import safety
from reminderd.errors import NotifyError
from reminderd.i18n import N_, _
from reminderd.model import Event
from reminderd.notify import Note, Notifier

log = logging.getLogger("reminderd")

MARK = "safety-shown"  # in the state folder: the note last shown
READ_ALL = ("safety", N_("When to see a doctor"))  # the button: (action key, label)
TITLE = N_("reminderd: before your first routine")
FULL_TITLE = N_("When to stop, and when to see a doctor")
# What a routine being offered brings: another try, if the first did not reach anyone.
RETRY_ON = frozenset({"routine.fired", "routine.started"})


def due(state: Path) -> bool:
    """Whether the note (as it is now) has not been shown yet."""
    try:
        return (state / MARK).read_text(encoding="utf-8").strip() != safety.TEXT
    except (OSError, UnicodeDecodeError):
        return True


def record(state: Path) -> None:
    """Remember that the note was shown; OSError if it cannot be written."""
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    (state / MARK).write_text(safety.TEXT + "\n", encoding="utf-8")


def first_note(buttons: bool) -> Note:
    """The note at the first start: the stop rule, the emergency line, where the rest is,
    in the language in use."""
    where = (
        _("When to see a doctor: `reminderd safety`, or the button below.")
        if buttons
        else _("When to see a doctor: `reminderd safety`.")
    )
    body = f"{_(safety.STOP)}\n{_(safety.EMERGENCY.text)}\n{where}"
    return Note(
        _(TITLE),
        body,
        actions=((READ_ALL[0], _(READ_ALL[1])),) if buttons else (),
        urgency=2,
        final=True,
        sticky=True,
    )


def full_note() -> Note:
    """Every warning sign, as `reminderd safety` prints them."""
    return Note(_(FULL_TITLE), safety.text(), urgency=2, final=True, sticky=True)


class SafetyNotice:
    """The daemon's part: show the note once, and the whole text when its button is pressed.

    ``notifier`` gives the notifier in use (it changes at a reload); ``terminal``: the
    daemon's output is a terminal, where a console notifier's line is read.
    """

    def __init__(self, state: Path, notifier: Callable[[], Notifier], *, terminal: bool) -> None:
        self._state = state
        self._notifier = notifier
        self._terminal = terminal
        self.pending = due(state)
        self.notification_id: int | None = None

    def show(self) -> bool:
        """Show the note if it has not reached anyone yet; True once it has."""
        if not self.pending:
            return True
        notifier = self._notifier()
        buttons = "actions" in notifier.capabilities and not notifier.failing
        try:
            shown = notifier.show(first_note(buttons))
        except NotifyError as error:
            log.warning("the safety note was not shown (%s); it comes again later", error)
            return False
        console = notifier.name == "console"
        if notifier.failing or (console and not self._terminal):
            log.info("the safety note reached no one yet; it comes again with the next routine")
            return False
        self.notification_id = shown
        self.pending = False
        try:
            record(self._state)
        except OSError as error:
            log.warning("cannot record that the safety note was shown: %s", error)
        return True

    def on_action(self, notification_id: int, key: str) -> bool:
        """A button pressed: the note's own ("safety", or a click on it) shows the whole
        text in its place. True if it was this note's."""
        if self.notification_id is None or notification_id != self.notification_id:
            return False
        if key in (READ_ALL[0], "default"):
            try:
                self._notifier().show(full_note(), self.notification_id)
            except NotifyError as error:
                log.warning("the safety text was not shown (%s)", error)
        return True

    def __call__(self, event: Event) -> None:
        """An event listener: a routine offered is another chance for a note not yet seen."""
        if self.pending and event.kind in RETRY_ON:
            self.show()
