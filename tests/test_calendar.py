"""The adherence calendar and advice, from a history made by the real core over 12 weeks."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner

from reminderd import figures, history
from reminderd.cli import cli
from reminderd.clock import SimClock
from reminderd.core import Core, Outputs
from reminderd.history import History
from reminderd.model import Config, Routine, Trigger, WorkSchedule
from reminderd.notify import NullNotifier
from reminderd.presence import Presence
from tests.test_adherence import HOLDING
from tests.test_core import BERLIN
from tests.test_figures import Person

PICTURE = Path(__file__).parent.parent / "docs" / "adherence.svg"
START = datetime(2026, 8, 31, 7, 0, tzinfo=BERLIN)  # a Monday; twelve weeks to 22 November
END = datetime(2026, 11, 22, 23, 0, tzinfo=BERLIN)


def twelve_weeks(path: Path) -> None:
    """Three neck routines a working day; a seeded person skips some (more often at 11),
    types through some, and gets better at it as the weeks go by."""
    clock = SimClock(START)
    person = Person()
    config = Config(
        routines=(Routine("neck", ("holding",), Trigger(at=(time(9), time(11), time(15)))),),
        exercises={"holding": HOLDING},
        schedule=WorkSchedule(hours=(((time(8), time(18)),),) * 5 + ((),) * 2),
    )
    store = History(path, clock.zone)
    core = Core(
        config,
        clock=clock,
        outputs=Outputs(NullNotifier()),
        listeners=(store.record,),
        presence=Presence(person, None, None, "scripted"),
    )
    rng = random.Random(7)  # noqa: S311 - a repeatable simulated person, not a secret
    while clock.now() < END:
        wait = core.next_wakeup()
        clock.advance(min(wait if wait is not None else 3600, 3600))
        before = core.guide
        core.tick()
        if core.guide is not None and core.guide is not before:
            now = clock.now().astimezone(BERLIN)
            progress = (now - START).days / 84  # 0 in the first week, 1 in the last
            if rng.random() < (0.6 if now.hour == 11 else 0.25) * (1.2 - progress):
                core.skip("neck")
            else:
                person.typing = rng.random() < 0.3 * (1 - progress)
    store.close()


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("calendar") / "history.sqlite3"
    twelve_weeks(path)
    return path


def test_the_readme_picture_is_drawn_from_the_simulated_history(
    made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stats --svg` over the simulated history writes exactly docs/adherence.svg, one
    square a day for twelve weeks (regenerate it with WRITE_ADHERENCE_PICTURE=1)."""
    data = tmp_path / "data" / "reminderd"
    data.mkdir(parents=True)
    (data / "history.sqlite3").write_bytes(made.read_bytes())
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("TZ", "Europe/Berlin")
    out = tmp_path / "calendar.svg"
    with time_machine.travel(END, tick=False):
        result = CliRunner().invoke(cli, ["stats", "--week", "--svg", str(out)])
    assert result.exit_code == 0, result.output
    drawn = out.read_text()
    assert drawn.count("<rect x=") == 84 + 5  # the days, and the five shades of the legend
    assert "2026-11-20: " in drawn
    if os.environ.get("WRITE_ADHERENCE_PICTURE"):
        PICTURE.write_text(drawn)
    assert drawn == PICTURE.read_text()


def test_advice_names_the_hour_most_put_off(made: Path) -> None:
    """The first weeks skip the 11:00 routine most: the advice says so and suggests 10:30."""
    db = history.connect(made, readonly=True)
    reading = figures.read(db, START.date(), START.date() + timedelta(days=27))
    line = figures.advice(reading, BERLIN, running=True)
    assert line.startswith("Advice: neck is put off ")
    assert 'at 11:00-12:00; try at = ["10:30"] for it.' in line
    rows = figures.daily(db, START.date(), END.date())
    assert sum(r.completed for r in rows) > sum(r.worked_through for r in rows) > 0
    assert sum(r.skipped for r in rows) > 0
    db.close()


def test_the_picture_renders(made: Path, tmp_path: Path) -> None:
    """rsvg-convert reads the SVG (it is well formed) and renders it to a PNG; without it
    the test is skipped, naming the package that has it."""
    if shutil.which("rsvg-convert") is None:
        pytest.skip("rsvg-convert is not installed (Debian package librsvg2-bin)")
    svg = tmp_path / "c.svg"
    db = history.connect(made, readonly=True)
    svg.write_text(figures.calendar_svg(figures.daily(db, START.date(), END.date())))
    db.close()
    convert = subprocess.run(
        ["rsvg-convert", str(svg), "-o", str(tmp_path / "c.png")], capture_output=True, check=False
    )
    assert convert.returncode == 0, convert.stderr
    assert (tmp_path / "c.png").stat().st_size > 500
