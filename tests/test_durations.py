"""Durations and times of day: one parser, clear refusals."""

from __future__ import annotations

from datetime import time

import pytest

from reminderd.durations import format_duration, parse_clock, parse_duration, parse_range
from reminderd.errors import DurationError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("45m", 2700),
        ("1h30m", 5400),
        ("1h 30m", 5400),
        ("2h", 7200),
        ("1m30s", 90),
        ("0.5s", 0.5),
        (" 10M ", 600),
        ("1h0m5s", 3605),
        ("90m", 5400),
        ("1h30", 5400),
        ("1h 30", 5400),
        ("2m30", 150),
        ("1h0m30", 3630),
    ],
)
def test_parse_duration_reads_units(text: str, seconds: float) -> None:
    """Hours, minutes and seconds combine, largest first, spaces and case ignored; the last
    unit may be left out after a larger one ("1h30" is 1h30m, as people write it)."""
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10", '"10" has no unit: write "10s" or "10m"'),
        ("45 minutes", '"45 minutes" is not a duration: write it like "90s", "45m" or "1h30m"'),
        ("0m", '"0m" must be longer than zero: write it like "90s", "45m" or "1h30m"'),
        ("30m1h", '"30m1h" repeats or mixes up its units: write it like "90s", "45m" or "1h30m"'),
        ("5m5m", '"5m5m" repeats or mixes up its units: write it like "90s", "45m" or "1h30m"'),
        ("", '"" is not a duration: write it like "90s", "45m" or "1h30m"'),
        ("-5m", '"-5m" is not a duration: write it like "90s", "45m" or "1h30m"'),
        ("1s30", '"1s30" is not a duration: write it like "90s", "45m" or "1h30m"'),
        ("30m1h5", '"30m1h5" repeats or mixes up its units: write it like "90s", "45m" or "1h30m"'),
    ],
)
def test_parse_duration_refuses_with_the_fix(text: str, message: str) -> None:
    """A duration that cannot be read says how to write it instead."""
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(5400, "1h30m"), (42, "42s"), (3600, "1h"), (61, "1m1s"), (0, "0s"), (0.5, "0.5s")],
)
def test_format_duration_round_trips(seconds: float, text: str) -> None:
    """format_duration writes what parse_duration reads."""
    assert format_duration(seconds) == text
    if seconds >= 1:
        assert parse_duration(text) == seconds


def test_parse_clock_and_range() -> None:
    """Times of day are 24-hour HH:MM; a range may end at 24:00, or run across midnight."""
    assert parse_clock("09:05") == time(9, 5)
    assert parse_clock("7:30") == time(7, 30)
    assert parse_range("13:30-18:00") == (time(13, 30), time(18, 0))
    assert parse_range("22:00-24:00") == (time(22, 0), time.max)
    for bad in ("24:00", "7pm", "12:60", "noon"):
        with pytest.raises(DurationError, match="is not a time of day"):
            parse_clock(bad)
    assert parse_range("22:00-06:00") == (time(22, 0), time(6, 0))  # a night shift
    with pytest.raises(DurationError, match="is empty"):
        parse_range("09:00-09:00")
    with pytest.raises(DurationError, match="is not a time range"):
        parse_range("09:00")
