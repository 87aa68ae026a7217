"""The hold port: what a source answers to "may a routine start now?", and its data.

A source answers with the holds it sees now (none: nothing holds a routine for it), or
raises ``HoldUnknown`` when it cannot tell (its software is absent, slow or answers
nonsense). The runner turns that into an ``Answer`` and never lets an exception through.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from reminderd.contracts import SOURCE_REASONS, SourceReason
from reminderd.errors import ReminderError
from reminderd.i18n.said import Said, said

__all__ = ["BOUND", "SOURCE_REASONS", "Answer", "Hold", "HoldSource", "HoldUnknown", "SourceReason"]
BOUND = 0.2  # seconds one source may take to answer before it counts as "cannot answer"


class HoldUnknown(ReminderError):
    """A hold source cannot answer now; the message says which and why."""


class Hold(NamedTuple):
    """One thing that holds routines back now, as a source saw it."""

    reason: SourceReason
    who: str  # the application, as the source names it: "zoom", "firefox", "pw-record"
    detail: str  # what it does: "microphone in use", "screen cast", "idle inhibited"
    source: str  # the source that saw it: "pipewire", "x11", "gnome", ...

    def said(self) -> Said:
        """How status, events and history say it: ``call: microphone in use by zoom``."""
        if self.reason == "fullscreen":
            return said("fullscreen: {who}", who=self.who)
        return said(
            "{reason}: {detail} by {who}",
            reason=reason_word(self.reason),
            detail=self.detail,
            who=self.who,
        )

    def __str__(self) -> str:
        return str(self.said())


# What holds a routine, each said as a word of the person's language in `status`.
REASON_WORDS = {
    "call": said("call"),
    "screen-share": said("screen-share"),
    "fullscreen": said("fullscreen"),
    "inhibited": said("inhibited"),
    "dnd": said("dnd"),
    "idle": said("idle"),
    "typing": said("typing"),
    "elsewhere": said("elsewhere"),
}


def reason_word(reason: str) -> str:
    return REASON_WORDS.get(reason) or reason


class Answer(NamedTuple):
    """What one source said at one check: its holds, or why it could not answer."""

    source: str
    holds: tuple[Hold, ...] = ()
    unknown: str | None = None  # why it cannot answer; then ``holds`` is empty
    seconds: float = 0.0  # how long it took (wall)

    @property
    def known(self) -> bool:
        return self.unknown is None


class HoldSource(Protocol):
    """The port: one place that can tell whether something holds routines back."""

    @property
    def name(self) -> str:
        """Short and stable, for logs, status and config: "pipewire", "x11", ..."""

    @property
    def reasons(self) -> frozenset[SourceReason]:
        """The reasons it can give, so that ``hold_during`` can leave it out."""

    @property
    def spawns(self) -> bool:
        """True if ``start`` runs a subprocess: the runner starts those first, together."""

    def start(self) -> None:
        """Begin asking, without waiting (a subprocess starts here, so that several run
        at once); nothing for a source that asks in-process."""

    def answer(self, timeout: float) -> tuple[Hold, ...]:
        """The holds seen now, within ``timeout`` seconds; HoldUnknown if it cannot tell."""
