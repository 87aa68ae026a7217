"""What the history adds up to: every routine offered, and what became of it, day by day;
the streak; one line of advice; and the calendar picture.

An *offer* is one routine put before the person: a reminder the schedule fired, or a run
asked for by hand (`reminderd run`, the panel's menu). Each offer has exactly one fate,
so the fates of a day add up to what was offered that day:

    reminders + by hand == completed + worked through + played + snoozed + skipped
                           + ignored + cancelled + unfinished

A snoozed reminder that comes back is offered again (and counted again). Skips and
snoozes of an occurrence that had not come yet, held reminders that a natural break took
the place of, and held ones dropped at the end of working hours were never offered: they
are counted apart, and add to no column.

The history's events are read in order, routine by routine (and machine by machine, in
the history of every machine that reminderd/sync/stats.py gathers): a ``routine.fired``
opens a reminder, a ``routine.started`` with nothing open opens a run by hand, and the
next completed, snoozed, skipped, ignored or cancelled closes what is open.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, get_args

from reminderd.i18n import _
from reminderd.i18n.formats import month as month_name
from reminderd.i18n.formats import weekday
from reminderd.markup import escape
from reminderd.plural import plural

if TYPE_CHECKING:
    import sqlite3

Fate = Literal[
    "completed",
    "worked-through",
    "played",
    "snoozed",
    "skipped",
    "ignored",
    "cancelled",
    "unfinished",
]
FATES: tuple[Fate, ...] = get_args(Fate)  # in the order of the table's columns
PLAYED_TO_THE_END = frozenset({"completed", "worked-through", "played"})
PUT_OFF = frozenset({"snoozed", "skipped", "ignored"})
# A routine on screen withdrawn by these is cancelled first, then snoozed or skipped: the
# second event is its fate.
WITHDRAWN = frozenset({"snoozed", "skipped"})
# Counted apart: never offered, so in no fate.
Apart = Literal["ahead", "natural_break", "missed"]

_KINDS = (
    "routine.fired",
    "routine.started",
    "routine.completed",
    "routine.snoozed",
    "routine.skipped",
    "routine.ignored",
    "routine.cancelled",
)


class Offer(NamedTuple):
    """One routine put before the person, and its fate."""

    routine: str
    day: date  # the local day it was offered
    at: float  # Unix time it was offered
    by_hand: bool  # asked for by hand, not fired by the schedule
    fate: Fate
    seconds: float = 0.0  # exercise time, when played to its end


class Reading(NamedTuple):
    """The offers made in some days, and what was counted apart, per day."""

    offers: tuple[Offer, ...]
    apart: dict[date, dict[Apart, int]]


def read(db: sqlite3.Connection, first: date, last: date) -> Reading:
    """The offers made from ``first`` to ``last`` (local days), each with its fate. A day
    before and after is read too, so that an offer made just before midnight keeps the
    fate it met after it."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
    machine = "machine" if "machine" in columns else "''"
    marks = ", ".join("?" for _ in _KINDS)
    query = (
        f"SELECT {machine}, routine, kind, ts, day, reason, seconds, outcome FROM events"  # noqa: S608 - fixed text
        f" WHERE day BETWEEN ? AND ? AND kind IN ({marks}) ORDER BY ts, id"
    )
    before, after = first - timedelta(days=1), last + timedelta(days=1)
    rows = db.execute(query, (before.isoformat(), after.isoformat(), *_KINDS))
    offers: list[Offer] = []
    apart: dict[date, dict[Apart, int]] = {}
    for offer in _walk(rows, apart):
        if first <= offer.day <= last:
            offers.append(offer)
    kept = {day: counts for day, counts in apart.items() if first <= day <= last}
    return Reading(tuple(offers), kept)


class _Open(NamedTuple):
    """An offer read from history whose fate is not known yet: its day, its time, and
    whether it was started by hand."""

    day: date
    at: float
    by_hand: bool


def _walk(rows: Iterator[Any], apart: dict[date, dict[Apart, int]]) -> Iterator[Offer]:
    """The offers in ``rows`` (oldest first), each with its fate; what closes nothing
    is counted into ``apart``."""
    open_: dict[tuple[str, str], _Open] = {}

    def close(key: tuple[str, str], what: _Open, fate: Fate, seconds: float = 0.0) -> Offer:
        return Offer(key[1], what.day, what.at, what.by_hand, fate, seconds)

    days: dict[str, date] = {}  # a year has 365 of them, and tens of thousands of rows
    for machine, routine, kind, ts, day_text, reason, seconds, outcome in rows:
        key = (machine or "", routine or "")
        day = days.get(day_text) or days.setdefault(day_text, date.fromisoformat(day_text))
        if kind == "routine.fired":
            if key in open_:  # fired again before the last one ended: it never did
                yield close(key, open_.pop(key), "unfinished")
            open_[key] = _Open(day, ts, by_hand=False)
        elif kind == "routine.started":
            open_.setdefault(key, _Open(day, ts, by_hand=True))
        elif kind == "routine.completed":
            what = open_.pop(key, None) or _Open(day, ts, by_hand=True)
            fate: Fate = outcome if outcome in PLAYED_TO_THE_END else "played"
            yield close(key, what, fate, float(seconds or 0.0))
        elif kind == "routine.cancelled" and reason in WITHDRAWN:
            continue  # the snooze or skip that withdrew it follows, and closes it
        elif key in open_:
            yield close(key, open_.pop(key), _FATE_OF[kind])
        elif kind in ("routine.skipped", "routine.snoozed"):
            side = _apart(reason)
            counts = apart.setdefault(day, {})
            counts[side] = counts.get(side, 0) + 1
    for key, what in open_.items():  # on screen now, or the daemon ended without a word
        yield close(key, what, "unfinished")


_FATE_OF: dict[str, Fate] = {
    "routine.snoozed": "snoozed",
    "routine.skipped": "skipped",
    "routine.ignored": "ignored",
    "routine.cancelled": "cancelled",
}


def _apart(reason: str | None) -> Apart:
    """A skip or snooze of a routine that was not before the person: why."""
    if reason == "natural-break":
        return "natural_break"
    if reason and reason.startswith("missed"):
        return "missed"
    return "ahead"


# -- a day's figures ---------------------------------------------------------------------


class DayStats(NamedTuple):
    """One day's offers and their fates. ``reminders + by_hand`` (``offered``) equals the
    sum of the fates; ``ahead``, ``natural_breaks`` and ``missed`` are apart from both."""

    day: date
    reminders: int = 0  # fired by the schedule
    by_hand: int = 0  # asked for by hand
    completed: int = 0  # played to the end with no input during the holds
    worked_through: int = 0  # played to the end, with input during the holds
    played: int = 0  # played to the end, unknown whether anyone exercised
    snoozed: int = 0
    skipped: int = 0
    ignored: int = 0  # a "Start?" prompt nobody answered
    cancelled: int = 0  # stopped: a pause, a suspend, do-not-disturb, the daemon stopping
    unfinished: int = 0  # on screen now, or the daemon ended without a word
    minutes: float = 0.0  # exercise time of the routines played to their end
    ahead: int = 0  # skips and snoozes of an occurrence before it came
    natural_breaks: int = 0  # held reminders a natural break took the place of
    missed: int = 0  # held reminders dropped at the end of working hours

    @property
    def offered(self) -> int:
        return self.reminders + self.by_hand

    @property
    def fates(self) -> int:
        """The sum of the fates: always ``offered``."""
        return sum(getattr(self, _FIELD[fate]) for fate in FATES)

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            **{column: getattr(self, column) for column in CSV_COLUMNS[1:]},
            "minutes": round(self.minutes, 1),
        }


_FIELD: dict[Fate, str] = {fate: fate.replace("-", "_") for fate in FATES}

# The columns of `stats --csv` (and the keys of each day in `stats --json`): those of
# earlier versions first, in their order, then the newer ones.
CSV_COLUMNS = (
    "date",
    "reminders",
    "completed",
    "skipped",
    "snoozed",
    "minutes",
    "worked_through",
    "played",
    "ignored",
    "by_hand",
    "cancelled",
    "unfinished",
    "ahead",
    "natural_breaks",
    "missed",
)


def daily(db: sqlite3.Connection, first: date, last: date) -> list[DayStats]:
    """One row per day from ``first`` to ``last``, days without events included."""
    return days_of(read(db, first, last), first, last)


def days_of(reading: Reading, first: date, last: date) -> list[DayStats]:
    counts: dict[date, dict[str, float]] = {}
    for offer in reading.offers:
        entry = counts.setdefault(offer.day, {})
        kind = "by_hand" if offer.by_hand else "reminders"
        entry[kind] = entry.get(kind, 0) + 1
        field = _FIELD[offer.fate]
        entry[field] = entry.get(field, 0) + 1
        entry["minutes"] = entry.get("minutes", 0.0) + offer.seconds / 60
    result = []
    day = first
    while day <= last:
        entry = counts.get(day, {})
        apart = reading.apart.get(day, {})
        result.append(
            DayStats(
                day,
                **{name: int(value) for name, value in entry.items() if name != "minutes"},
                minutes=entry.get("minutes", 0.0),
                ahead=apart.get("ahead", 0),
                natural_breaks=apart.get("natural_break", 0),
                missed=apart.get("missed", 0),
            )
        )
        day += timedelta(days=1)
    return result


def total(rows: list[DayStats]) -> DayStats:
    """The days added up (dated the last day)."""
    names = [name for name in DayStats._fields if name != "day"]
    sums = {name: sum(getattr(row, name) for row in rows) for name in names}
    return DayStats(rows[-1].day if rows else date.min, **sums)


def streak(db: sqlite3.Connection, today: date) -> int:
    """Consecutive days with at least one completed routine (not one worked through or
    played to nobody knows whom), up to today. Days on which no
    reminder fired (a weekend, a holiday) neither count nor break it; today counts once it
    has a completed routine, and does not break it before the day is over."""
    rows = db.execute(
        """
        SELECT day, SUM(kind = 'routine.fired'),
            SUM(kind = 'routine.completed' AND outcome = 'completed') FROM events
        WHERE kind IN ('routine.fired', 'routine.completed') AND day <= ?
        GROUP BY day ORDER BY day DESC""",
        (today.isoformat(),),
    ).fetchall()
    count = 0
    for day, fired, completed in rows:
        if completed:
            count += 1
        elif fired and day != today.isoformat():
            break
    return count


# -- advice -----------------------------------------------------------------------------


def advice(reading: Reading, zone: tzinfo, *, running: bool) -> str:
    """One line of advice from the reminders the schedule fired (runs asked for by hand are
    the person's own doing, and never the ground for advice): the routine and hour most
    often put off, or holds worked through, or that all is well. ``running``: whether the
    daemon runs now. Advice only: the schedule is never changed."""
    reminders = [offer for offer in reading.offers if not offer.by_hand]
    if not reminders:
        return _no_reminders(reading, running=running)
    fired: dict[tuple[str, int], int] = {}
    put_off: dict[tuple[str, int], int] = {}
    for offer in reminders:
        slot = (offer.routine, datetime.fromtimestamp(offer.at, zone).hour)
        fired[slot] = fired.get(slot, 0) + 1
        if offer.fate in PUT_OFF:
            put_off[slot] = put_off.get(slot, 0) + 1
    often = [(put_off.get(slot, 0) / n, n, slot) for slot, n in fired.items() if n >= 3]
    worst = max(often, default=None)
    if worst and worst[0] >= 0.5:
        _ratio, count, (routine, hour) = worst
        return plural(
            put_off.get((routine, hour), 0),
            "Advice: {routine} is put off {count} time out of {fired} at {hours};"
            ' try at = ["{earlier}"] for it.',
            "Advice: {routine} is put off {count} times out of {fired} at {hours};"
            ' try at = ["{earlier}"] for it.',
            routine=routine,
            fired=count,
            hours=f"{hour:02d}:00-{(hour + 1) % 24:02d}:00",
            earlier=f"{(hour - 1) % 24:02d}:30",
        )
    ended = [offer.fate for offer in reminders if offer.fate in PLAYED_TO_THE_END]
    through = ended.count("worked-through")
    if ended and through * 3 >= len(ended):
        return plural(
            len(ended),
            "Advice: {through} of {count} reminder played to its end was worked through;"
            " take your hands off the keyboard and mouse during the holds.",
            "Advice: {through} of {count} reminders played to their end were worked through;"
            " take your hands off the keyboard and mouse during the holds.",
            through=through,
        )
    if ended and ended.count("played") * 2 >= len(ended):
        return _(
            "Advice: most reminders ended with no idle source to tell whether you did them;"
            " see `reminderd status` for why."
        )
    if not running:
        return _("Advice: nothing to change; but reminderd is not running now: `reminderd start`.")
    return _("Advice: nothing to change; keep it up.")


def _no_reminders(reading: Reading, *, running: bool) -> str:
    """No reminder fired in these days: say why that may be, from what is known."""
    if not running:
        return _(
            "Advice: no reminders in these days, and reminderd is not running:"
            " start it with `reminderd start` (or at login: `reminderd service install`)."
        )
    by_hand = len(reading.offers)
    if by_hand:
        return plural(
            by_hand,
            "Advice: no reminders fired in these days, only {count} routine run by hand;"
            " `reminderd plan` shows when reminders come.",
            "Advice: no reminders fired in these days, only {count} routines run by hand;"
            " `reminderd plan` shows when reminders come.",
        )
    return _(
        "Advice: no reminders fired in these days; `reminderd plan` shows when they come,"
        " and `reminderd status` what holds them."
    )


# -- the calendar picture ----------------------------------------------------------------


SHADES = ("#ebedf0", "#c6e48b", "#7bc96f", "#239a3b", "#196127")


def calendar_svg(rows: list[DayStats], title: str = "") -> str:
    """A calendar of ``rows`` (consecutive days), one square a day in a column per week
    (Monday on top), shaded by routines completed that day; its words in the language in
    use."""
    title = title or _("Completed routines")
    cell, gap, left, top = 14, 3, 34, 34
    most = max((row.completed for row in rows), default=0)
    first = rows[0].day - timedelta(days=rows[0].day.weekday()) if rows else date.today()
    weeks = ((rows[-1].day - first).days // 7 + 1) if rows else 1
    width = left + weeks * (cell + gap) + 10
    height = top + 7 * (cell + gap) + 34
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="14" font-size="12" fill="#24292e">{escape(title)}</text>',
    ]
    for index in (0, 2, 4, 6):
        y = top + index * (cell + gap) + cell - 3
        name = escape(weekday(first + timedelta(days=index)))
        out.append(f'<text x="4" y="{y}" fill="#586069">{name}</text>')
    month = None
    for row in rows:
        week = (row.day - first).days // 7
        x = left + week * (cell + gap)
        starts = row.day.weekday() == 0 or row is rows[0]
        if starts and row.day.month != month and (row is not rows[0] or row.day.day <= 21):
            month = row.day.month
            shown = escape(month_name(row.day))
            out.append(f'<text x="{x}" y="{top - 6}" fill="#586069">{shown}</text>')
        level = 0 if not row.completed else 1 + min(3, (row.completed - 1) * 4 // max(most, 1))
        y = top + row.day.weekday() * (cell + gap)
        said = _("{day}: {completed} completed, {worked} worked through, {skipped} skipped")
        tip = said.format(
            day=row.day.isoformat(),
            completed=row.completed,
            worked=row.worked_through,
            skipped=row.skipped,
        )
        out.append(
            f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2"'
            f' fill="{SHADES[level]}"><title>{escape(tip)}</title></rect>'
        )
    y = top + 7 * (cell + gap) + 12
    x = width - 10 - len(SHADES) * (cell + gap) - 60
    out.append(f'<text x="{x}" y="{y + 10}" fill="#586069">{escape(_("Fewer"))}</text>')
    for level, shade in enumerate(SHADES):
        lx = x + 32 + level * (cell + gap)
        out.append(f'<rect x="{lx}" y="{y}" width="{cell}" height="{cell}" rx="2" fill="{shade}"/>')
    lx = x + 36 + len(SHADES) * (cell + gap)
    out.append(f'<text x="{lx}" y="{y + 10}" fill="#586069">{escape(_("More"))}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
