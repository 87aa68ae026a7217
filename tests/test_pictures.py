"""Step pictures: a pose for every built-in step that agrees with its text, mirrored by
side; poses and images checked in the config; drawn small, in a subprocess, into the
cache; shown by the guide only once drawn; and the command line's ways to see them."""

from __future__ import annotations

import os
import re
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from reminderd.cli import cli
from reminderd.clock import SimClock
from reminderd.config import load_config, load_library
from reminderd.errors import ConfigError
from reminderd.exercises import expand, routine_for, routine_steps
from reminderd.guide import Guide
from reminderd.model import Step
from reminderd.notify import NullNotifier, file_uri
from reminderd.pictures import terminal
from reminderd.pictures.cache import SIZE, Pictures
from reminderd.pictures.draw import gallery_entries, picture
from reminderd.pictures.figure import paints
from reminderd.pictures.pose import SIDED, Pose, file_name
from reminderd.pictures.raster import Disc, Union, read_png
from tests.conftest import Recorder, wait_for
from tests.test_e2e_control import RunningDaemon

SIDE_WORDS = re.compile(r"\b(right|left)\b")


def built_in_steps() -> list[Step]:
    return [step for exercise in load_library().values() for step in expand(exercise)]


def head_side(pose: Pose) -> str:
    """Where the drawn figure's head has gone, as the person's side: "right", "left" or ""
    (upright). Read from the shapes: seen from the front, the person's right is the
    picture's left; a turned head has its eye on the side it faces."""
    drawn = paints(pose)
    head = next(p.shape for p in drawn if p.part == "head")
    assert isinstance(head, Union)
    disc = head.shapes[0]
    assert isinstance(disc, Disc)
    offset = disc.x - 0.5
    eyes = [p.shape for p in drawn if p.part == "eye"]
    if eyes:
        eye = eyes[0]
        assert isinstance(eye, Disc)
        offset = eye.x - disc.x
    if abs(offset) < 0.02:
        return ""
    picture_left = offset < 0
    facing_us = pose.view == "front"
    return "right" if picture_left == facing_us else "left"


def test_every_built_in_step_has_a_picture() -> None:
    """Each step of every built-in exercise, the setup and the rests included, has a pose,
    so that every notification of a built-in routine shows a picture."""
    for step in built_in_steps():
        assert step.pose is not None, (step.exercise_id, step.text)


def test_each_pose_agrees_with_its_step_text() -> None:
    """A step whose text says "right" (or "left") has a pose towards that side, and its
    picture moves the head to the person's right (or left); a head movement made towards
    a side is named in the text or, going back to the centre, drawn faint on that side;
    and the letter in the corner names the side."""
    checked = 0
    for step in built_in_steps():
        pose = step.pose
        assert pose is not None
        said = set(SIDE_WORDS.findall(step.text.lower()))
        if said:
            assert said == {pose.toward}, (step.text, pose)
        if pose.head in SIDED:
            assert said == {pose.toward}, (step.text, pose)
            assert head_side(pose) == pose.toward, (step.text, pose)
            checked += 1
        elif pose.from_ in SIDED:
            assert head_side(pose) == "", (step.text, pose)  # back in the middle
            ghost = Pose(view=pose.view, head=pose.from_, toward=pose.toward, arms=pose.arms)
            assert head_side(ghost) == pose.toward, (step.text, pose)
        else:
            assert not pose.toward, (step.text, pose)
        labels = [p for p in paints(pose) if p.part == "label"]
        assert len(labels) == (1 if pose.toward else 0), (step.text, pose)
    assert checked == 6  # two sides of a chin-down, a turn and a tilt


@pytest.mark.parametrize("head", sorted(SIDED))
def test_the_left_picture_is_the_right_one_mirrored(head: str) -> None:
    """The left side's picture is the right side's, mirrored pixel for pixel, except the
    letter that names the side (R, L), which reads the right way round in both."""
    size = 64
    right = read_png(picture(Pose(head=head, toward="right"), size))[2]
    left = read_png(picture(Pose(head=head, toward="left"), size))[2]
    differ = 0
    for y in range(size):
        for x in range(size):
            a = right[(y * size + x) * 4 : (y * size + x) * 4 + 4]
            b = left[(y * size + size - 1 - x) * 4 : (y * size + size - 1 - x) * 4 + 4]
            if max(abs(i - j) for i, j in zip(a, b, strict=True)) > 2:
                differ += 1
                assert y < size * 0.25, (x, y)  # only where the letter is
    assert 0 < differ < size * size * 0.03


def test_pose_keys_name_poses_and_each_pose_once() -> None:
    """A pose's key gives the same pose back, and different poses have different keys (and
    so different picture files)."""
    poses = {step.pose for step in built_in_steps() if step.pose}
    assert {Pose.from_key(pose.key) for pose in poses} == poses
    assert len({pose.key for pose in poses}) == len(poses)
    with pytest.raises(ValueError, match="not a pose"):
        Pose.from_key("view-front_head-somersault")


BUILT_IN_POSES = sorted(
    {step.pose for step in built_in_steps() if step.pose}, key=lambda pose: pose.key
)


@pytest.mark.parametrize("pose", BUILT_IN_POSES, ids=lambda pose: pose.key)
def test_built_in_pictures_are_small_pngs(pose: Pose) -> None:
    """Every built-in picture is a PNG of at most 30 KB at the notification's 128 pixels
    (the gallery's 200 are checked with the gallery)."""
    data = picture(pose, 128)
    assert data.startswith(b"\x89PNG")
    assert len(data) <= 30_000, (pose.key, len(data))
    assert read_png(data)[:2] == (128, 128)


# -- poses and images in a config ---------------------------------------------------------

EXERCISE = """
[[routines]]
name = "r"
exercises = ["mine"]
every = "1h"

[[exercises]]
id = "mine"
title = "Mine"
sides = ["right", "left"]

[[exercises.steps]]
text = "Tilt {{side}}"
seconds = 5
kind = "hold"
{picture}
"""


def problems_of(tmp_path: Path, picture_line: str) -> list[str]:
    path = tmp_path / "config.toml"
    path.write_text(EXERCISE.format(picture=picture_line))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [str(p).removeprefix(f"{path}:") for p in caught.value.problems]


def test_a_pose_with_mistakes_names_each_one(tmp_path: Path) -> None:
    """Every mistake in a pose is reported with line, key and fix: an unknown key, a value
    that is not a choice, and a movement the view cannot show."""
    assert problems_of(tmp_path, 'pose = { head = "nod", elbows = "up" }') == [
        "16: exercises[0].steps[0].pose.head: 'nod' is not a head (choose one of: upright, tilt, turn, chin-down, forward)",
        '16: exercises[0].steps[0].pose.elbows: unknown pose key "elbows" (allowed: view, head, toward, arms, shoulders, body, breath, screen, from)',
    ]
    assert problems_of(tmp_path, 'pose = { view = "side", head = "tilt", toward = "{side}" }') == [
        '16: exercises[0].steps[0].pose.head: "tilt" cannot be seen from the side (use view = "front")',
    ]
    assert problems_of(tmp_path, 'pose = { head = "turn" }') == [
        '16: exercises[0].steps[0].pose.toward: "turn" is made towards a side (add toward = "{side}")',
    ]


def test_an_image_is_found_beside_the_config(tmp_path: Path) -> None:
    """``image`` is a path relative to the config file; the step carries it absolute."""
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "tilt.png").write_bytes(picture(Pose(), 32))
    path = tmp_path / "config.toml"
    path.write_text(EXERCISE.format(picture='image = "pics/tilt.png"'))
    config = load_config(path)
    step = expand(config.exercises["mine"])[0]
    assert step.image == str(tmp_path / "pics" / "tilt.png")
    assert step.pose is None
    assert Pictures(str(tmp_path / "cache")).file(step) == step.image


def test_check_says_an_image_is_missing_or_not_an_image(tmp_path: Path, runner: CliRunner) -> None:
    """`check` names a missing image file and one that is not an image, with the fix."""
    (tmp_path / "notes.png").write_text("not a picture")
    assert problems_of(tmp_path, 'image = "gone.png"') == [
        f"16: exercises[0].steps[0].image: {tmp_path}/gone.png: file not found (give a path relative to the config file, or an absolute one)"
    ]
    assert problems_of(tmp_path, 'image = "notes.png"') == [
        f"16: exercises[0].steps[0].image: {tmp_path}/notes.png: not an image (PNG, JPEG, GIF or SVG) (save the picture as PNG)"
    ]
    result = runner.invoke(cli, ["check", str(tmp_path / "config.toml")])
    assert result.exit_code == 2
    assert "notes.png: not an image" in result.stdout


def test_check_warns_when_a_hold_has_no_picture(tmp_path: Path, runner: CliRunner) -> None:
    """A hold without a pose or an image passes `check` with a warning that says how to
    give it a picture; the built-in exercises have none."""
    path = tmp_path / "config.toml"
    path.write_text(EXERCISE.format(picture=""))
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"warning: {path}:12: exercises[0].steps[0]: a hold without a picture: its notification "
        'shows only text (add pose = { ... } (see docs/pictures.md) or image = "file.png")'
    )
    builtin = runner.invoke(cli, ["check"])
    assert "without a picture" not in builtin.stdout


def test_pictures_can_be_turned_off(tmp_path: Path) -> None:
    """With ``[guidance] pictures = false`` no step of a routine has a picture."""
    path = tmp_path / "config.toml"
    path.write_text(
        "[guidance]\npictures = false\n"
        + EXERCISE.format(picture='pose = { head = "tilt", toward = "{side}" }')
    )
    config = load_config(path)
    steps = routine_steps(config.routines[0], config.exercises, config.guidance)
    assert all(step.pose is None and not step.image for step in steps)


# -- drawing, and the guide ------------------------------------------------------------------


def test_prepare_draws_the_missing_pictures_in_a_subprocess(tmp_path: Path) -> None:
    """``prepare`` starts `python -m reminderd.pictures` for the poses not drawn yet and
    returns; the files appear under names made of the style, the size and the pose; a
    second ``prepare`` finds nothing to draw."""
    pictures = Pictures(str(tmp_path))
    steps = expand(load_library()["neck-range-of-motion"])
    wanted = {pictures.file(step) for step in steps}
    pictures.prepare(steps)
    assert pictures.drawing()
    wait_for(lambda: not pictures.drawing(), timeout=60)  # ended, and reaped
    assert all(os.path.exists(path) for path in wanted)
    assert pictures.missing(steps) == []
    assert sorted(os.listdir(tmp_path)) == sorted(
        [*(os.path.basename(path) for path in wanted), "drawing.log"]
    )
    pictures.prepare(steps)
    assert str(tmp_path) not in Pictures._drawing


class NotDrawn(Pictures):
    """Stands in for a drawing that has not finished yet: ``prepare`` starts nothing."""

    def prepare(self, steps: object) -> None:
        return None


def test_the_guide_shows_a_picture_once_it_is_drawn(tmp_path: Path) -> None:
    """A step whose picture is not drawn yet is shown without one; once the file is there
    the next step carries it (the daemon never waits for a drawing)."""
    library = load_library()
    steps = routine_steps(routine_for("neck-range-of-motion", (), library), library)
    pictures = NotDrawn(str(tmp_path))
    notifier = NullNotifier()
    clock = SimClock(datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc))
    guide = Guide("neck", steps, notifier, clock, pictures=pictures)
    guide.start()
    assert notifier.shown[-1].image == ""
    pictures.draw_now(steps[1:2])  # the next step's picture is drawn, the rest are not
    clock.advance(guide.next_deadline() - clock.monotonic())  # type: ignore[operator]
    guide.advance()
    shown = notifier.shown[-1]
    assert shown.image == pictures.file(steps[1])
    assert os.path.exists(shown.image)


def test_a_picture_travels_as_a_file_uri() -> None:
    """The image-path hint is a file:// URI, with what a URI cannot hold escaped."""
    assert file_uri("/home/ada/my pics/tilt #1.png") == "file:///home/ada/my%20pics/tilt%20%231.png"


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_show_prints_each_pictures_file(runner: CliRunner) -> None:
    """`show` lists the picture of each step, once per picture, and has drawn them."""
    result = runner.invoke(cli, ["show", "chin-to-collarbone"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.split("Pictures:\n")[1].splitlines()
    assert [line.split(": ")[0].strip() for line in lines] == [
        "Hands behind your head",
        "Chin to right collarbone",
        "Slowly back to the start",
        "Chin to left collarbone",
        "Slowly back to the start",
    ]
    for line in lines:
        path = line.split(": ", 1)[1]
        assert os.path.exists(path)
        assert os.path.basename(path) == file_name(
            Pose.from_key(Path(path).stem.split("-", 2)[2]), SIZE
        )


def test_show_open_opens_one_strip_of_the_steps(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`show NAME --open` opens one picture of all the steps, side by side, in the
    desktop's viewer (xdg-open here: a stand-in records what it is asked to open, as no
    person looks at a viewer in the tests)."""
    opened = tmp_path / "opened"
    viewer = tmp_path / "bin" / "xdg-open"
    viewer.parent.mkdir()
    viewer.write_text(f'#!/bin/sh\necho "$@" >> {opened}\n')
    viewer.chmod(stat.S_IRWXU)
    monkeypatch.setenv("PATH", f"{viewer.parent}{os.pathsep}{os.environ['PATH']}")
    result = runner.invoke(cli, ["show", "neck-range-of-motion", "--open"])
    assert result.exit_code == 0, result.output
    strip = wait_for(lambda: opened.exists() and opened.read_text().strip())
    assert strip.endswith("steps-neck-range-of-motion.png")
    width, height, _ = read_png(Path(strip).read_bytes())
    assert (width, height) == (9 * 128 + 8 * 8, 128)  # nine pictures, 8 pixels apart
    assert result.stderr == f"Opened {strip}\n"


def test_run_here_shows_pictures_in_a_terminal_that_can(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run --here` shows each step's picture inline where the terminal says it can (kitty
    here) and prints its path where it cannot; a picture is not repeated."""
    path = tmp_path / "config.toml"
    path.write_text(
        '[guidance]\nintro = "1s"\nlead_in = "1s"\ndone = "0.5s"\n'
        + EXERCISE.format(picture='pose = { head = "tilt", toward = "{side}" }').replace(
            "seconds = 5", "seconds = 0.2"
        )
    )
    from reminderd.pictures import show

    # The CliRunner's output is no terminal: the countdown is told it is one.
    real = show.in_terminal
    monkeypatch.setattr(show, "in_terminal", lambda p, env, _tty: real(p, env, True))
    monkeypatch.setenv("REMINDERD_TERMINAL_IMAGES", "kitty")
    monkeypatch.setenv("REMINDERD_PACE", "0.2")  # the suite's pace: the same steps, shorter
    kitty = runner.invoke(cli, ["run", "mine", "--here", "--config", str(path)])
    assert kitty.exit_code == 0, kitty.output
    # Once per picture: the intro shows the right hold's, which its lead-in and the hold
    # do not repeat; then the left hold's.
    assert kitty.stdout.count("\x1b_Ga=T,f=100") == 2
    monkeypatch.setenv("REMINDERD_TERMINAL_IMAGES", "none")
    plain = runner.invoke(cli, ["run", "mine", "--here", "--config", str(path)])
    assert "  picture: " in plain.stdout
    assert "\x1b" not in plain.stdout


def test_terminals_are_told_apart_by_their_environment() -> None:
    """kitty, iTerm2 (and WezTerm) and sixel terminals are known by their variables; tmux
    passes none of them through; REMINDERD_TERMINAL_IMAGES decides outright."""
    assert terminal.protocol({"TERM": "xterm-kitty"}) == "kitty"
    assert terminal.protocol({"TERM_PROGRAM": "WezTerm"}) == "iterm"
    assert terminal.protocol({"TERM": "foot"}) == "sixel"
    assert terminal.protocol({"TERM": "xterm-kitty", "TMUX": "/tmp/t"}) == "none"
    assert terminal.protocol({"TERM": "xterm-256color"}) == "none"
    assert terminal.protocol({"TERM": "xterm", "REMINDERD_TERMINAL_IMAGES": "sixel"}) == "sixel"


def test_sixels_cover_the_whole_picture() -> None:
    """A picture as sixels: one band per six rows, each band's every colour as wide as the
    picture, inside the device control string."""
    data = picture(Pose(head="tilt", toward="right"), 36)
    text = terminal.inline(data, "sixel")
    assert text.startswith('\x1bP0;1;0q"1;1;36;36')
    assert text.endswith("\x1b\\\n")
    body = text[text.index("q") :]
    assert body.count("-") == 6
    for run in re.findall(r"#\d+((?:[?-~]|![0-9]+[?-~])+)", body):
        width = sum(int(n or 1) for n, _ in re.findall(r"(?:!([0-9]+))?([?-~])", run))
        assert width == 36


@pytest.mark.e2e
def test_the_daemon_sends_each_steps_picture_drawn_on_first_need(
    notification_server: Recorder, user_env: dict[str, str], tmp_path: Path
) -> None:
    """Through the real daemon: the first routine starts the drawing subprocess, whose
    pictures land in the cache folder; the steps of the next routine carry them as
    image-path (a file:// URI), a step with an image of the person's own carries that file,
    and the closing note has none. (How many steps of the first routine carry them depends
    on how fast the drawing is, so only the next routine is counted.)"""
    own = tmp_path / "mine.png"
    own.write_bytes(picture(Pose(view="side"), 64))
    config = tmp_path / "config.toml"
    config.write_text(
        '[guidance]\nintro = "1s"\nlead_in = "1s"\ndone = "0.5s"\n'
        + EXERCISE.format(picture='pose = { head = "tilt", toward = "{side}" }').replace(
            "seconds = 5", "seconds = 1"
        )
        + '\n[[exercises.steps]]\ntext = "Sit back"\nseconds = 1\nimage = "mine.png"\n'
    )
    # At a third of the pace: what is counted is which picture each note carries, not when.
    env = {
        **user_env,
        "DBUS_SESSION_BUS_ADDRESS": notification_server.bus.address,
        "REMINDERD_PACE": "0.3",
    }
    cache = Path(user_env["XDG_CACHE_HOME"]) / "reminderd" / "pictures"
    drawn = {
        str(cache / file_name(Pose(head="tilt", toward=side), SIZE)) for side in ("right", "left")
    }
    daemon = RunningDaemon(env, config)
    daemon.start()
    try:
        assert daemon.cli("run", "r").returncode == 0
        wait_for(lambda: daemon.log.read_text().count("routine.completed r") == 1, timeout=30)
        assert "step pictures to draw into " in daemon.log.read_text()
        wait_for(lambda: all(os.path.exists(path) for path in drawn), timeout=30)
        first = len(notification_server.notifications())
        assert daemon.cli("run", "r").returncode == 0
        wait_for(lambda: daemon.log.read_text().count("routine.completed r") == 2, timeout=30)
    finally:
        daemon.stop()
    assert daemon.log.read_text().count("step pictures to draw into ") == 1
    sent = [n["hints"].get("image-path", "") for n in notification_server.notifications()[first:]]
    assert sent[-1] == ""  # the closing note
    assert file_uri(str(own)) in sent
    assert {file_uri(path) for path in drawn} <= set(sent)


GALLERY = gallery_entries(load_library().values())


@pytest.mark.parametrize(("step", "name"), [pytest.param(s, n, id=n) for _e, s, n in GALLERY])
def test_the_docs_gallery_is_what_reminderd_draws_now(step: Step, name: str) -> None:
    """docs/pictures/ holds every built-in step's picture as reminderd draws it today (at
    most 30 KB at the gallery's 200 pixels), and docs/pictures.md shows each one (`python
    -m reminderd.pictures --gallery docs/pictures` draws them again after a change)."""
    from reminderd.pictures.cache import GALLERY_SIZE
    from tests.conftest import ROOT

    assert step.pose is not None
    drawn = picture(step.pose, GALLERY_SIZE)
    assert len(drawn) <= 30_000, (name, len(drawn))
    assert (ROOT / "docs" / "pictures" / name).read_bytes() == drawn, name
    page = (ROOT / "docs" / "pictures.md").read_text(encoding="utf-8")
    assert f"](pictures/{name})" in page, name


def test_the_docs_gallery_has_no_other_pictures() -> None:
    """Every picture in docs/pictures/ is one of the gallery's."""
    from tests.conftest import ROOT

    assert {name for _e, _s, name in GALLERY} == {
        path.name for path in (ROOT / "docs" / "pictures").glob("*.png")
    }
