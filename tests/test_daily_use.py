"""The small things people expect: the closing note's real length, undoing a skip or a
snooze, the times routines come after a pause, a failed reload named in status."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from click.testing import CliRunner

from reminderd.cli import cli
from reminderd.errors import NothingToUndoError
from reminderd.model import Guidance, Routine, Trigger
from tests.test_core import MONDAY, Harness, make_config, routine


def test_show_gives_the_closing_note_its_real_length(monkeypatch: pytest.MonkeyPatch) -> None:
    """`show` lists the closing note with the seconds it stays ([guidance] done), not 0s."""
    monkeypatch.delenv("REMINDERD_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["show", "posture"])
    assert result.exit_code == 0, result.output
    closing = [line for line in result.stdout.splitlines() if "Done. Well done." in line]
    assert closing == ["   0:42    3s  Done. Well done."]


def test_the_closing_step_event_says_how_long_the_note_stays() -> None:
    """The closing step's event carries [guidance] done as its seconds."""
    config = make_config(routine("r", every=600))._replace(guidance=Guidance(done=4.5))
    h = Harness(config)
    h.core.run_now("r")
    while h.core.guide:
        h.clock.advance(h.core.next_wakeup() or 0)
        h.core.tick()
    steps = [e.data for e in h.events if e.kind == "routine.step"]
    assert (steps[-1]["kind"], steps[-1]["seconds"]) == ("done", 4.5)


def test_unskip_brings_back_a_skipped_occurrence() -> None:
    """`unskip` after skipping the next occurrence: it comes when it would have, and the
    skip is given back to max_skips_per_day."""
    p = routine("p", every=1200)._replace(max_skips_per_day=1)
    h = Harness(make_config(p))
    assert h.core.skip("p") == ("p", MONDAY + timedelta(minutes=40))
    assert h.core.skips_left("p") == 0
    assert h.core.unskip("p") == MONDAY + timedelta(minutes=20)
    assert h.core.skips_left("p") == 1
    h.run_until(MONDAY + timedelta(minutes=21))
    assert h.fired() == [("p", "09:20:00")]
    assert h.kinds("p")[:3] == ["routine.skipped", "routine.unskipped", "routine.fired"]
    with pytest.raises(NothingToUndoError, match="p has no skip to undo"):
        h.core.unskip("p")


def test_unskip_of_a_routine_skipped_on_screen_brings_it_back_at_once() -> None:
    """A routine skipped while it was guided comes back at once when the skip is undone."""
    h = Harness(make_config(routine("p", every=1200)))
    h.run_until(MONDAY + timedelta(minutes=20, seconds=1))
    h.core.skip(None)
    assert h.core.unskip("p") == MONDAY + timedelta(minutes=20, seconds=1)
    h.core.tick()
    assert h.core.guide is not None
    assert h.fired() == [("p", "09:20:00"), ("p", "09:20:01")]


def test_snooze_zero_undoes_a_snooze() -> None:
    """Undoing the snooze of a reminder not due yet puts it back at its own time; of one
    snoozed on screen, brings it back at once; of one not snoozed, says so."""
    h = Harness(make_config(routine("p", every=1200), routine("q", every=3600)))
    h.core.snooze("q", 300)
    assert h.core.unsnooze("q") == MONDAY + timedelta(hours=1)
    h.run_until(MONDAY + timedelta(minutes=20, seconds=2))
    h.core.snooze(None, 600)
    assert h.core.guide is None
    assert h.core.unsnooze("p") == MONDAY + timedelta(minutes=20, seconds=2)
    h.core.tick()
    assert h.core.guide is not None
    assert [e.kind for e in h.events if e.kind.endswith("snoozed")] == [
        "routine.snoozed",
        "routine.unsnoozed",
        "routine.snoozed",
        "routine.unsnoozed",
    ]
    with pytest.raises(NothingToUndoError, match="q is not snoozed"):
        h.core.unsnooze("q")


def test_while_paused_status_says_when_each_routine_comes_after() -> None:
    """While paused until 10:00 each routine's next time is empty and its time after the
    pause is when it fires once the pause ends; paused until resumed, if resumed now."""
    h = Harness(make_config(routine("p", every=1200), routine("t", at=(time(9, 30), time(11)))))
    h.core.pause(MONDAY + timedelta(hours=1))
    h.clock.advance(60)
    after = {r["name"]: (r["next"], r["after_pause"]) for r in h.core.status()["routines"]}
    assert after == {
        "p": (None, "2026-11-23T10:20:00+01:00"),
        "t": (None, "2026-11-23T11:00:00+01:00"),
    }
    h.run_until(MONDAY + timedelta(hours=2))
    assert h.fired() == [("p", "10:20:00"), ("p", "10:40:00"), ("p", "11:00:00"), ("t", "11:00:00")]
    h.core.pause()
    again = {r["name"]: r["after_pause"] for r in h.core.status()["routines"]}
    assert again == {"p": "2026-11-23T11:20:00+01:00", "t": "2026-11-24T09:30:00+01:00"}
    h.core.resume()
    assert [r["after_pause"] for r in h.core.status()["routines"]] == [None, None]


def test_a_failed_reload_is_said_with_its_first_problem_and_how_many_more() -> None:
    """`status` names the failed reload's time and first problem, with the number of the
    others in the right plural form."""
    from datetime import datetime, timezone

    from reminderd.statusline import reload_failed_text

    now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    failed = {"at": "2026-11-23T09:58:00+00:00", "problem": "c.toml:3: days: bad", "problems": 2}
    assert reload_failed_text(failed, now) == (  # type: ignore[arg-type]
        "Config not reloaded at 09:58: c.toml:3: days: bad, and 1 more problem. The config in"
        " use stays; `reminderd check` lists them."
    )
    failed["problems"] = 3
    assert reload_failed_text(failed, now).endswith(  # type: ignore[arg-type]
        "bad, and 2 more problems. The config in use stays; `reminderd check` lists them."
    )


def holding_harness() -> Harness:
    """A routine of one movement (4 s) and one hold (10 s), with a 3 s lead-in."""
    from tests.test_adherence import HOLDING

    config = make_config(Routine("r", ("holding",), Trigger(every=3600)))._replace(
        exercises={"holding": HOLDING},
    )
    return Harness(config)


def step_kinds(h: Harness) -> list[str]:
    return [str(e.data["kind"]) for e in h.events if e.kind == "routine.step"]


def test_pause_holds_a_routine_at_its_step_and_resume_goes_on_from_its_lead_in() -> None:
    """Paused during a hold, the routine waits (its notification says so, nothing more is
    shown); resumed, the hold comes again from its lead-in, and the routine ends completed."""
    h = holding_harness()
    h.core.run_now("r")
    while step_kinds(h)[-1] != "hold":
        h.clock.advance(h.core.next_wakeup() or 0)
        h.core.tick()
    h.clock.advance(2)  # two seconds into the hold
    h.core.tick()
    assert step_kinds(h) == ["intro", "step", "lead-in", "hold"]
    h.core.pause()
    paused = h.notifier.shown[-1]
    assert (paused.summary, paused.body.splitlines()) == (
        "R · paused",
        [
            "Paused at step 4 of 5: Hold.",
            "`reminderd resume` goes on from there, within 10 minutes.",
        ],
    )
    assert h.core.status()["current"] == {
        "routine": "r",
        "reason": "cli",
        "step": 4,
        "of": 5,
        "text": "Hold.",
        "position": "",
        "remaining": 10.0,
        "paused": True,
    }
    h.clock.advance(300)
    h.core.tick()
    assert step_kinds(h) == ["intro", "step", "lead-in", "hold"]
    h.core.resume()
    assert step_kinds(h)[4:] == ["lead-in"]
    while h.core.guide:
        h.clock.advance(h.core.next_wakeup() or 0)
        h.core.tick()
    assert step_kinds(h)[4:] == ["lead-in", "hold", "done"]
    assert h.kinds("r")[-1] == "routine.completed"


def test_a_short_pause_ends_and_the_routine_goes_on_by_itself() -> None:
    """A pause of two minutes during a movement: when it ends, that step comes again."""
    h = holding_harness()
    h.core.run_now("r")
    h.clock.advance(5)
    h.core.tick()
    h.clock.advance(1)
    h.core.tick()
    h.core.pause(h.clock.now() + timedelta(minutes=2))
    assert h.core.next_wakeup() == 120
    h.clock.advance(120)
    h.core.tick()
    assert step_kinds(h) == ["intro", "step", "step"]
    assert h.core.guide is not None
    assert h.core.guide.held_at is None


def test_pausing_again_keeps_the_routine_waiting_at_its_step() -> None:
    """A second pause (pause 1h, then pause 2h) does not throw away the routine held at
    its step: it still goes on from there when the pause ends."""
    h = holding_harness()
    h.core.run_now("r")
    h.clock.advance(5)
    h.core.tick()
    h.core.pause(h.clock.now() + timedelta(minutes=1))
    h.core.pause(h.clock.now() + timedelta(minutes=2))
    assert "routine.cancelled" not in h.kinds("r")
    assert h.core.status()["current"] is not None
    h.clock.advance(120)
    h.core.tick()
    assert h.core.guide is not None
    assert h.core.guide.held_at is None
