"""The core and other machines (the sync folder), on a simulated clock: a routine done
elsewhere restarts the interval here; one in progress elsewhere is not started here."""

from __future__ import annotations

from datetime import timedelta

from tests.test_core import MONDAY, Harness, make_config, routine


def test_done_elsewhere_restarts_the_interval_from_then() -> None:
    """neck every 1h50m, done on laptop at 10:05: next here at 11:55, as if done here."""
    h = Harness(make_config(routine("neck", every=6600)))
    h.run_until(MONDAY.replace(hour=10, minute=6))
    assert h.core.done_elsewhere("neck", "laptop", MONDAY.replace(hour=10, minute=5))
    status = h.core.status()["routines"][0]
    assert status["next"] == "2026-11-23T11:55:00+01:00"
    assert status["done_elsewhere"] == {"machine": "laptop", "at": "2026-11-23T10:05:00+01:00"}
    h.run_until(MONDAY.replace(hour=11, minute=56))
    assert h.fired() == [("neck", "11:55:00")]
    assert h.core.status()["routines"][0]["done_elsewhere"] is None  # counted from here now


def test_done_elsewhere_earlier_than_here_changes_nothing() -> None:
    """A routine done elsewhere before it last fired here does not move it back."""
    h = Harness(make_config(routine("neck", every=1200)))
    h.run_until(MONDAY.replace(hour=9, minute=21))  # fired here at 09:20
    assert not h.core.done_elsewhere("neck", "laptop", MONDAY.replace(hour=9, minute=10))
    assert h.core.status()["routines"][0]["next"] == "2026-11-23T09:40:00+01:00"
    assert not h.core.done_elsewhere("nope", "laptop", MONDAY)  # not a routine here


def test_done_elsewhere_withdraws_a_queued_reminder() -> None:
    """A reminder queued behind another, done on another machine meanwhile, is not guided."""
    h = Harness(make_config(routine("a", every=600), routine("b", every=600)))
    h.run_until(MONDAY + timedelta(minutes=10, seconds=1))  # a on screen, b queued
    assert h.core.status()["queue"] == ["b"]
    h.core.done_elsewhere("b", "laptop", h.clock.now())
    assert h.core.status()["queue"] == []
    assert any(e.kind == "sync.done" and e.routine == "b" for e in h.events)
    # The reminder that fired has a fate in the history: cancelled, because done elsewhere.
    cancelled = [e for e in h.events if e.kind == "routine.cancelled" and e.routine == "b"]
    assert [e.data.get("reason") for e in cancelled] == ["elsewhere"]


def test_in_progress_elsewhere_is_not_started_here() -> None:
    """Due while in progress on another machine: held, not fired; fired once it ends
    there without being done (cancelled)."""
    h = Harness(make_config(routine("neck", every=1200)))
    h.run_until(MONDAY + timedelta(minutes=19))
    h.core.running_elsewhere("neck", "laptop", MONDAY + timedelta(minutes=25))
    h.run_until(MONDAY + timedelta(minutes=21))
    assert h.fired() == []
    assert h.core.status()["routines"][0]["held"] == "elsewhere"
    running = h.core.status()["routines"][0]["running_elsewhere"]
    assert running is not None
    assert running["machine"] == "laptop"
    held = [e for e in h.events if e.kind == "routine.held"]
    assert held[0].data == {"reason": "elsewhere", "machine": "laptop"}
    h.core.running_elsewhere("neck", "laptop", None)  # stopped there, not done
    h.run_until(MONDAY + timedelta(minutes=21, seconds=1))
    assert h.fired() == [("neck", "09:21:00")]  # at once


def test_in_progress_elsewhere_is_believed_only_until_its_time() -> None:
    """A machine that went silent mid-routine holds nothing past the time it gave."""
    h = Harness(make_config(routine("neck", every=1200)))
    h.run_until(MONDAY + timedelta(minutes=19))
    h.core.running_elsewhere("neck", "laptop", MONDAY + timedelta(minutes=22))
    assert h.core.next_wakeup() == 60.0  # the due time itself
    h.run_until(MONDAY + timedelta(minutes=21))
    assert h.core.next_wakeup() == 60.0  # then the end of the time given there
    h.run_until(MONDAY + timedelta(minutes=23))
    assert h.fired() == [("neck", "09:22:00")]


def test_in_progress_then_done_elsewhere_moves_the_next_time() -> None:
    """Held while the other machine guides it, then done there: not fired here, and the
    interval counts from its end there."""
    h = Harness(make_config(routine("neck", every=1200)))
    h.run_until(MONDAY + timedelta(minutes=19))
    h.core.running_elsewhere("neck", "laptop", MONDAY + timedelta(minutes=30))
    h.run_until(MONDAY + timedelta(minutes=22))
    h.core.done_elsewhere("neck", "laptop", MONDAY + timedelta(minutes=22))
    h.run_until(MONDAY + timedelta(minutes=41))
    assert h.fired() == []
    assert h.core.status()["routines"][0]["next"] == "2026-11-23T09:42:00+01:00"
