"""End to end on a real GNOME Shell (headless): what its banners really show of each step,
and that a routine leaves nothing behind. GNOME Shell 43 shows a banner's title and one
line of its body, cut with "…", and ignores expiry times."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reminderd.config import load_library
from reminderd.exercises import routine_for, routine_steps
from reminderd.guide import first_line, notes_for
from reminderd.i18n import speaking
from reminderd.i18n.formats import width
from reminderd.model import BANNER, Step
from reminderd.notify import FreedesktopNotifier, Note
from tests.conftest import EXERCISES_ONLY, wait_for
from tests.gnome import GnomeShell, missing
from tests.test_e2e_control import RunningDaemon

# One worker runs them all, so that GNOME Shell starts once (see tests/conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("gnome-shell")]


@pytest.fixture(scope="module")
def gnome() -> Iterator[GnomeShell]:
    why = missing()
    if why:
        pytest.skip(why)
    shell = GnomeShell()
    try:
        shell.start()
    except RuntimeError:
        shell.stop()
        raise
    try:
        yield shell
    finally:
        shell.stop()


def settle(gnome: GnomeShell, title: str) -> dict[str, Any]:
    banner: dict[str, Any] = wait_for(
        lambda: (b := gnome.banner()) and b["title"] == title and b["shown_fully"] and b,
        timeout=10,
    )
    return banner


def test_every_hold_banner_shows_its_side_and_seconds_uncut(
    gnome: GnomeShell, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each hold of the built-in library, sent through reminderd's notifier, shows its
    action, side and seconds in GNOME's banner before any "…"; counted on the real
    label, and seen in a screenshot."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", gnome.address)
    notifier = FreedesktopNotifier()
    assert notifier.probe() is None
    assert notifier.server_name == "gnome-shell"
    assert "sound" in notifier.capabilities
    library = load_library()
    seen: list[tuple[str, str, int]] = []
    for exercise_id in sorted(library):
        steps = routine_steps(routine_for(exercise_id, (), library), library)
        notes = notes_for(steps)
        shown_id = None
        for step, note in zip(steps, notes, strict=True):
            if step.kind != "hold" or any(s[1] == step.text for s in seen):
                continue
            shown_id = notifier.show(note, shown_id)
            banner = settle(gnome, note.summary)
            wanted = first_line(step)
            assert banner["visible"].startswith(wanted), (banner, wanted)
            assert len(wanted) <= BANNER
            assert not banner["title_cut"], banner
            seen.append((exercise_id, step.text, banner["shown"]))
            if exercise_id == "chin-to-collarbone" and step.side == "right":
                picture = gnome.screenshot(tmp_path / "gnome-hold-banner.png")
                assert picture.stat().st_size > 10_000
                print(f"screenshot of the banner: {picture}")
        notifier.close(shown_id)
    print("characters a GNOME banner showed of each hold's body:", seen)
    assert len(seen) >= 6
    wait_for(lambda: gnome.banner() is None and not gnome.listed(), timeout=10)


CONFIG = (
    """
[guidance]
intro = "1s"
lead_in = "1s"
done = "1s"

[[routines]]
name = "first"
exercises = ["tick"]
every = "1h"

[[routines]]
name = "second"
exercises = ["tick"]
every = "1h"
"""
    + EXERCISES_ONLY
)


def test_a_routine_leaves_nothing_and_the_next_shows_at_once(
    gnome: GnomeShell, user_env: dict[str, str], tmp_path: Path
) -> None:
    """Two routines run back to back through the daemon: the second's banner comes up as
    soon as the first ends (not queued behind its closing note), and when both are done
    nothing of reminderd is left, neither on screen nor in the list."""
    config = tmp_path / "gnome.toml"
    config.write_text(CONFIG)
    env = {**user_env, "DBUS_SESSION_BUS_ADDRESS": gnome.address}
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        status = daemon.status()
        assert status["backend_reason"].startswith("a notification server answers")
        assert "gnome-shell" in status["backend_reason"]
        assert status["dnd"] == "gnome-show-banners"
        assert status["sounds"] == "notification server"
        assert daemon.cli("run", "first").returncode == 0
        assert daemon.cli("run", "second").returncode == 0
        titles: list[tuple[float, str]] = []
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            banner = gnome.banner()
            titles.append((time.monotonic(), banner["title"] if banner else ""))
            if "routine.completed second" in daemon.log.read_text():
                break
            time.sleep(0.1)
        first_last = max(t for t, title in titles if title.startswith("First"))
        second_first = min(t for t, title in titles if title.startswith("Second"))
        # The second routine's banner replaced the first's closing note at once, instead of
        # waiting behind it in GNOME's queue.
        assert 0 < second_first - first_last < 1.0, titles
        wait_for(lambda: gnome.banner() is None, timeout=10)
        wait_for(lambda: not gnome.listed(), timeout=10)
        assert gnome.queue() == []
    finally:
        daemon.stop()


def test_gnome_shows_each_steps_picture(gnome: GnomeShell, tmp_path: Path) -> None:
    """GNOME Shell 43's banner shows a step's picture (image-path) at 32 pixels: the figure is
    there, changes with the step, and the right and left holds are mirror images; it shows
    a picture sent as image-data, image-path or app_icon alike."""
    from tests.pictures_on_screen import Screen, pictures_on

    def shoot(path: Path) -> Screen:
        # The banner's top-middle of the 1280-pixel screen: a picture of all of it would
        # take seconds to decode here.
        return Screen.read(gnome.screenshot_area(path.with_suffix(".png"), 360, 0, 520, 160))

    seen = pictures_on("gnome-shell", gnome.address, shoot, tmp_path)
    print("gnome-shell:", seen)
    assert 28 <= seen.size <= 32, seen
    assert seen.honoured == {"image-path": True, "image-data": True, "app_icon": True}, seen
    wait_for(lambda: gnome.banner() is None, timeout=10)


def test_gnome_shell_shows_the_body_as_written(
    gnome: GnomeShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GNOME Shell reads the body as markup (it declares body-markup): its banner shows the
    text as written, the command in quotes, no entity and no backtick left raw."""
    from tests.test_e2e_markup import BODY, SEEN, SUMMARY

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", gnome.address)
    gnome.clear()
    notifier = FreedesktopNotifier()
    assert notifier.probe() is None
    assert "body-markup" in notifier.capabilities
    shown = notifier.show(Note(SUMMARY, BODY, seconds=30))
    banner = settle(gnome, SUMMARY)
    assert banner["body"] == SEEN.replace("\n", " ")  # a banner's body is one line
    notifier.close(shown)
    notifier.bus.disconnect()


@pytest.mark.parametrize("code", ["zh_CN", "de", "fr", "es", "pt_BR"])
def test_a_hold_banner_in_each_language_shows_its_side_and_seconds_uncut(
    gnome: GnomeShell, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, code: str
) -> None:
    """In each language, the holds of the built-in library (Chinese: every one; the others:
    the widest) show their action, side and seconds in GNOME's banner before any "…", with
    no glyph missing from the installed fonts (no boxes; Chinese needs fonts-noto-cjk): the
    45-column rule, a Chinese character two columns, holds on the real label."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", gnome.address)
    notifier = FreedesktopNotifier()
    assert notifier.probe() is None
    library = load_library()
    holds: list[tuple[Step, Note, str]] = []
    with speaking(code):
        for exercise_id in sorted(library):
            steps = routine_steps(routine_for(exercise_id, (), library), library)
            for step, note in zip(steps, notes_for(steps), strict=True):
                if step.kind == "hold" and all(h[0].text != step.text for h in holds):
                    holds.append((step, note, first_line(step)))
    if code != "zh_CN":
        holds = [max(holds, key=lambda hold: width(hold[2]))]
    shown_id = None
    for step, note, wanted in holds:
        shown_id = notifier.show(note, shown_id)
        banner = settle(gnome, note.summary)
        assert banner["visible"].startswith(wanted), (banner, wanted)
        assert banner["unknown"] == 0, banner
        assert not banner["title_cut"], banner
        if step.exercise_id == "chin-to-collarbone" and step.side == "right":
            picture = gnome.screenshot(tmp_path / f"gnome-hold-banner-{code}.png")
            assert picture.stat().st_size > 10_000
            print(picture)
    notifier.close(shown_id)
    notifier.bus.disconnect()
    wait_for(lambda: gnome.banner() is None, timeout=10)
