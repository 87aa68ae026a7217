"""Numbers, lengths of time, days and dates as each language writes them, and the width
a text takes on screen (a Chinese character takes two columns).

The forms come from the catalogues like every other sentence ("{minutes} min",
"{weekday}, {day}. {month}"), so a translator decides them, and English keeps reminderd's
compact forms ("1h30m", "Tue 09:00", "Mon 14 Dec"). Times of day are 24-hour "HH:MM" in
every language reminderd has. Durations a person types into the config ("45m") are
never translated: ``reminderd.durations`` writes those.
"""

from __future__ import annotations

from reminderd.i18n import NC_, language, pgettext
from reminderd.i18n.languages import SOURCE

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `reminderd status` need not import typing
if TYPE_CHECKING:
    from datetime import date, datetime

WEEKDAYS = (
    NC_("weekday", "Mon"),
    NC_("weekday", "Tue"),
    NC_("weekday", "Wed"),
    NC_("weekday", "Thu"),
    NC_("weekday", "Fri"),
    NC_("weekday", "Sat"),
    NC_("weekday", "Sun"),
)
WEEKDAYS_FULL = (
    NC_("weekday, in full", "Monday"),
    NC_("weekday, in full", "Tuesday"),
    NC_("weekday, in full", "Wednesday"),
    NC_("weekday, in full", "Thursday"),
    NC_("weekday, in full", "Friday"),
    NC_("weekday, in full", "Saturday"),
    NC_("weekday, in full", "Sunday"),
)
MONTHS = (
    NC_("month", "Jan"),
    NC_("month", "Feb"),
    NC_("month", "Mar"),
    NC_("month", "Apr"),
    NC_("month", "May"),
    NC_("month", "Jun"),
    NC_("month", "Jul"),
    NC_("month", "Aug"),
    NC_("month", "Sep"),
    NC_("month", "Oct"),
    NC_("month", "Nov"),
    NC_("month", "Dec"),
)
MONTHS_FULL = (
    NC_("month, in full", "January"),
    NC_("month, in full", "February"),
    NC_("month, in full", "March"),
    NC_("month, in full", "April"),
    NC_("month, in full", "May"),
    NC_("month, in full", "June"),
    NC_("month, in full", "July"),
    NC_("month, in full", "August"),
    NC_("month, in full", "September"),
    NC_("month, in full", "October"),
    NC_("month, in full", "November"),
    NC_("month, in full", "December"),
)
# The contexts the names above are translated in (pgettext): "May" is a month in both.
WEEKDAY, WEEKDAY_FULL, MONTH, MONTH_FULL = "weekday", "weekday, in full", "month", "month, in full"
DURATION = "duration"  # the context of the lengths of time below


def decimal(number: float, places: int = 1) -> str:
    """``number`` with ``places`` decimals and the language's decimal mark: "1.5", "1,5"."""
    shown = f"{number:.{places}f}"
    if language() == SOURCE:
        return shown
    # Translators: the decimal mark of your language: "," in German, "." in English.
    return shown.replace(".", pgettext("decimal mark", "."))


def number(value: float) -> str:
    """A number as short as it goes (10, 2.5), with the language's decimal mark."""
    shown = f"{value:g}"
    if language() == SOURCE or "." not in shown:
        return shown
    return shown.replace(".", pgettext("decimal mark", "."))


def duration(seconds: float) -> str:
    """A length of time for reading: "1h30m", "42s", "2.5s" in English; "1 h 30 min",
    "1小时30分钟" as the catalogue writes it."""
    if language() == SOURCE:
        from reminderd.durations import format_duration  # noqa: PLC0415

        return format_duration(seconds)
    if seconds <= 0:
        return pgettext(DURATION, "{seconds}s").format(seconds=0)
    if seconds < 60 and seconds != int(seconds):
        return pgettext(DURATION, "{seconds}s").format(seconds=number(seconds))
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = {"hours": hours, "minutes": minutes, "seconds": secs}
    # The units present, largest first: each combination is a whole entry of the catalogue.
    shape = "".join(
        unit for unit, value in zip("hms", (hours, minutes, secs), strict=True) if value
    )
    template = {
        "hms": NC_("duration", "{hours}h{minutes}m{seconds}s"),
        "hm": NC_("duration", "{hours}h{minutes}m"),
        "hs": NC_("duration", "{hours}h{seconds}s"),
        "h": NC_("duration", "{hours}h"),
        "ms": NC_("duration", "{minutes}m{seconds}s"),
        "m": NC_("duration", "{minutes}m"),
        "s": NC_("duration", "{seconds}s"),
    }[shape]
    return pgettext(DURATION, template).format(**parts)


def days(count: int) -> str:
    """A number of days, as short as a duration: "22d"."""
    if language() == SOURCE:
        return f"{count}d"
    return pgettext(DURATION, NC_("duration", "{days}d")).format(days=count)


def weekday(day: date | datetime, full: bool = False) -> str:
    """ "Tue", "Di.", "周二"; ``full``: "Tuesday"."""
    index = day.weekday()
    if full:
        return pgettext(WEEKDAY_FULL, WEEKDAYS_FULL[index])
    return pgettext(WEEKDAY, WEEKDAYS[index])


def month(day: date | datetime, full: bool = False) -> str:
    if full:
        return pgettext(MONTH_FULL, MONTHS_FULL[day.month - 1])
    return pgettext(MONTH, MONTHS[day.month - 1])


def day_text(day: date | datetime) -> str:
    """A day of this week or this year, short: "Mon 14 Dec", "Mo., 14. Dez.", "12月14日 周一"."""
    template = pgettext("date", NC_("date", "{weekday} {day} {month}"))
    return template.format(weekday=weekday(day), day=f"{day.day:02d}", month=month(day))


def long_date(day: date | datetime) -> str:
    """A whole date, in full: "Monday 23 November 2026"."""
    template = pgettext("date", NC_("date", "{weekday} {day} {month} {year}"))
    return template.format(
        weekday=weekday(day, True), day=f"{day.day:02d}", month=month(day, True), year=day.year
    )


def width(text: str) -> int:
    """The columns ``text`` takes in a terminal or a banner: two for each wide East Asian
    character (Chinese, full-width forms), none for a combining mark, one for the rest."""
    if text.isascii():
        return len(text)
    import unicodedata  # noqa: PLC0415 - only text beyond ASCII needs it

    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


def pad(text: str, columns: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``columns`` columns (``>``: on the left)."""
    fill = " " * max(0, columns - width(text))
    return fill + text if align == ">" else text + fill
