"""Times to come, as people read them: the one formatter of upcoming times ("10:45 (in
12m)"), for `status` and every other command, and the line that says when the first
reminder comes after a start. Light on purpose: the daemon says that line when it starts.
"""

from __future__ import annotations

from datetime import datetime

from reminderd.i18n import _
from reminderd.i18n.formats import day_text, days, duration, weekday

TYPE_CHECKING = False  # not typing.TYPE_CHECKING, which would import typing
if TYPE_CHECKING:
    from reminderd.contracts import RoutineStatus

__all__ = ["clock_of", "clock_text", "first_reminder", "when_text"]


def when_text(moment: datetime, now: datetime) -> str:
    """A moment as people read it, in ``now``'s time zone: "10:45 (in 12m)", "10:45 (in 40s)"
    under a minute, "Tue 09:00 (in 18h50m)" within a week, "Mon 14 Dec 06:56 (in 22d)"
    beyond. The one formatter of times to come, for `status` and every other command."""
    moment = moment.astimezone(now.tzinfo)
    seconds = (moment - now).total_seconds()
    if seconds < 59.5:
        ahead = duration(max(0, round(seconds)))
    elif seconds < 7 * 86400:
        ahead = duration(round(seconds / 60) * 60)
    else:
        ahead = days(round(seconds / 86400))
    return _("{clock} (in {ahead})").format(clock=clock_of(moment, now), ahead=ahead)


def clock_of(moment: datetime, now: datetime) -> str:
    """The time of day of ``moment``, with its day when that is not ``now``'s: "10:45",
    "Tue 10:45" within a week, "Mon 14 Dec 06:56" beyond."""
    moment = moment.astimezone(now.tzinfo)
    if moment.date() == now.date():
        return f"{moment:%H:%M}"
    if (moment - now).total_seconds() < 6.5 * 86400:
        return f"{weekday(moment)} {moment:%H:%M}"
    return f"{day_text(moment)} {moment:%H:%M}"


def clock_text(iso: str, now: datetime) -> str:
    """``when_text`` of an ISO 8601 time, as the daemon sends them."""
    return when_text(datetime.fromisoformat(iso), now)


def first_reminder(routines: list[RoutineStatus], now: datetime) -> str:
    """What a person needs right after `start`: when the first reminder comes, and how to
    see a routine now rather than in half an hour."""
    due = [(r["name"], r["next"]) for r in routines if r["next"]]
    if not due:
        return _("No reminder is due in the next two weeks. Try one now: `reminderd run NAME`.")
    name, first = min(due, key=lambda pair: datetime.fromisoformat(pair[1]))
    when = clock_text(first, now)
    return _("First reminder: {name} at {when}. Try one now: `reminderd run {name}`.").format(
        name=name, when=when
    )
