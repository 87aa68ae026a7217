"""The decision: may the due routines start now? A pure function of what the core knows.

No I/O and no clock: the core gathers the moment (idle times, do-not-disturb, the hold
sources' answers) and acts on what this returns. ``decide``'s docstring is the rule.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from reminderd.contracts import TYPING_PAUSE, Asked, HoldReason
from reminderd.holds.port import SOURCE_REASONS, Answer, SourceReason, reason_word
from reminderd.i18n.said import Said, said

Start = Literal["pause", "deadline", "at-once"]

PAUSE = TYPING_PAUSE  # seconds without input that make a pause in typing
SOFT_START = 120.0  # [schedule] soft_start when the config leaves it out: 2 minutes
LOOK_AGAIN = 30.0  # seconds between checks while a routine is held (as do-not-disturb)


class Moment(NamedTuple):
    """Everything the decision needs, gathered by the core when routines are due."""

    now: float  # monotonic seconds; only differences with ``typing_since`` matter
    asked: Asked = "schedule"  # by-hand: ``run NAME``; now: ``run --now``
    busy: bool = False  # a routine is on screen or asking: new ones queue behind it
    away_idle: float | None = None  # idle seconds as "away" counts them (0 under an inhibitor)
    input_idle: float | None = None  # seconds since the last key or pointer input
    pause_when_idle: float | None = None  # [schedule] pause_when_idle, in seconds
    dnd: str | None = None  # do-not-disturb is on: which switch ("dunst-paused"); None: off
    answers: tuple[Answer, ...] = ()  # the hold sources', in the chooser's order
    hold_during: frozenset[SourceReason] = frozenset(SOURCE_REASONS)
    soft_start: float | None = None  # seconds; 0: no wait for a pause; None: SOFT_START
    typing_since: float | None = None  # the last Held("typing")'s, while it goes on waiting


class Fire(NamedTuple):
    """Start now. ``start`` says how: at a pause in typing, at the soft start's deadline,
    or at once (no soft start: turned off, the input time unknown, asked for by hand)."""

    start: Start

    @property
    def started_at_pause(self) -> bool:
        return self.start == "pause"


class Held(NamedTuple):
    """Wait, for ``reason`` (by ``who``), and decide again in ``look_again`` seconds."""

    reason: HoldReason
    who: str = ""
    detail: str = ""
    source: str = ""  # the hold source that saw it, for status ("pipewire"); "" for the core's
    look_again: float = LOOK_AGAIN
    typing_since: float | None = None  # for reason "typing": pass back in the next Moment

    def said(self) -> Said:
        """``call: microphone in use by zoom``, ``fullscreen: firefox``, ``dnd: dunst-paused``,
        ``waiting for a pause in typing``."""
        word = reason_word(self.reason)
        if self.reason in ("fullscreen", "dnd") or not self.detail:
            return (
                said("{reason}: {who}", reason=word, who=self.who)
                if self.who
                else said("{reason}", reason=word)
            )
        if self.who:
            return said(
                "{reason}: {detail} by {who}", reason=word, detail=self.detail, who=self.who
            )
        return said("{detail}", detail=self.detail)

    def __str__(self) -> str:
        return str(self.said())


def decide(moment: Moment) -> Fire | Held:
    """May the due routines start now?

    In this order, the first rule that applies decides:

    1. ``run --now`` (``asked="now"``): fire at once. It overrides every hold. And while
       a routine is on screen or asking (``busy``), fire: the due ones queue behind it
       (the person is at the computer, doing one already), as the core has always done.
    2. On schedule, the person is away (``away_idle`` at least ``pause_when_idle``): held
       for "idle". Idle time under an idle inhibitor is not away (watching a film is not
       being away): the core passes the idle time as away counts it
       (``reminderd.idle.read(source).away_idle``).
    3. On schedule, do-not-disturb is on: held for "dnd", by the switch that is on.
    4. A hold source sees a call, a screen share, a full-screen window or an idle
       inhibitor whose reason is in ``hold_during``: held for the first of them in the
       order call, screen-share, fullscreen, inhibited (then in the sources' order), with
       its application as ``who``. This holds routines asked for by hand too (``run NAME``
       says why it waits); a source that cannot answer holds nothing.
    5. On schedule, the soft start: with ``soft_start`` (None: ``SOFT_START``) above 0 and
       the input time known,
       fire at the first ``PAUSE`` seconds without input ("pause"), or once the wait since
       ``typing_since`` (the first moment that only typing held it) reaches ``soft_start``
       ("deadline"); until then held for "typing", looking again when either can come.
    6. Otherwise fire at once.

    Held ``look_again`` is ``LOOK_AGAIN`` seconds for every reason but "typing". Nothing
    here reads a clock or a source: the same moment always gives the same answer.
    """
    if moment.asked == "now" or moment.busy:
        return Fire("at-once")
    scheduled = moment.asked == "schedule"
    if scheduled and _away(moment):
        return Held("idle", detail=said("away from the keyboard"))
    if scheduled and moment.dnd is not None:
        return Held("dnd", who=moment.dnd, detail=said("do not disturb"))
    found = _first_hold(moment)
    if found is not None:
        return found
    soft_start = SOFT_START if moment.soft_start is None else moment.soft_start
    if not scheduled or soft_start <= 0 or moment.input_idle is None:
        return Fire("at-once")
    return _soft_start(moment, moment.input_idle, soft_start)


def _away(moment: Moment) -> bool:
    limit, idle = moment.pause_when_idle, moment.away_idle
    return limit is not None and limit > 0 and idle is not None and idle >= limit


def _first_hold(moment: Moment) -> Held | None:
    for reason in SOURCE_REASONS:
        if reason not in moment.hold_during:
            continue
        for answer in moment.answers:
            for hold in answer.holds:
                if hold.reason == reason:
                    return Held(reason, hold.who, hold.detail, hold.source)
    return None


def _soft_start(moment: Moment, input_idle: float, soft_start: float) -> Fire | Held:
    if input_idle >= PAUSE:
        return Fire("pause")
    since = moment.now if moment.typing_since is None else min(moment.typing_since, moment.now)
    left = since + soft_start - moment.now
    if left <= 0:
        return Fire("deadline")
    return Held(
        "typing",
        detail=said("waiting for a pause in typing"),
        look_again=min(PAUSE - input_idle, left),
        typing_since=since,
    )
