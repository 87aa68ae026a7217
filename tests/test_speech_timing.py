"""How long a line takes: espeak-ng asked ahead in a process of its own, the answers kept in
the cache and read back; the estimate for lines not asked yet on the safe side of what
espeak-ng says; every step but a hold as long as its words, and `check` refusing a hold
whose opening words cannot end in time, with the numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reminderd.children import Children
from reminderd.config import load_config
from reminderd.exercises import spoken_lines
from reminderd.speech.espeak import EspeakSpeaker
from reminderd.speech.timing import Lengths, Voice, append, estimate, read
from tests.conftest import ROOT, reminderd

needs_espeak = pytest.mark.skipif(
    not shutil.which("espeak-ng"), reason="espeak-ng is not installed (apt-get install espeak-ng)"
)


@needs_espeak
def test_espeak_ng_is_asked_ahead_and_every_estimate_is_on_the_safe_side(tmp_path: Path) -> None:
    """Every line of the built-in routines is measured by espeak-ng without being played,
    kept in the lengths file, and read back by the speaker; the estimate used before that
    is longer than espeak-ng's length for each of them."""
    children = Children()
    lengths = Lengths(tmp_path / "lengths.jsonl")
    speaker = EspeakSpeaker("espeak-ng", children, lengths)
    lines = spoken_lines(load_config(ROOT / "config" / "default.toml"))
    assert len(lines) > 30
    measuring = speaker.prepare(lines)
    assert measuring is not None
    assert measuring.wait(60) == 0
    assert lengths.missing(speaker.voice, lines) == []
    assert speaker.prepare(lines) is None  # nothing left to ask
    for line in lines:
        measured = lengths.get(speaker.voice, line)
        assert measured is not None
        assert speaker.seconds(line) == measured
        assert estimate(line) > measured, (line, measured)
    children.end_all()


def test_the_lengths_file_keeps_what_it_is_told_and_skips_what_it_cannot_read(
    tmp_path: Path,
) -> None:
    """Each measured length is one line of JSON; a broken line, a length out of bounds or
    a missing file is skipped, never an error."""
    path = tmp_path / "cache" / "lengths.jsonl"
    lengths = Lengths(path)
    voice = Voice("espeak-ng", "en", 1.0)
    assert lengths.get(voice, "Hello.") is None  # no file yet
    append(path, voice.key, "Hello.", 0.8)
    with path.open("a") as out:
        out.write("not json\n")
        out.write('{"voice": "espeak-ng/en/1", "text": "Long.", "seconds": 9999}\n')
    append(path, "speech-dispatcher/en/1", "Hello.", 0.9)
    assert lengths.get(voice, "Hello.") == 0.8
    assert lengths.get(Voice("speech-dispatcher"), "Hello.") == 0.9
    assert read(path) == {
        ("espeak-ng/en/1", "Hello."): 0.8,
        ("speech-dispatcher/en/1", "Hello."): 0.9,
    }


CONFIG = """
[guidance]
voice = {voice}

[[routines]]
name = "quick"
exercises = ["wordy"]
every = "1h"

[[exercises]]
id = "wordy"
title = "Wordy"

[[exercises.steps]]
text = "Turn"
say = "Turn your head slowly all the way to the right and look over your shoulder."
seconds = 2

[[exercises.steps]]
text = "Back"
seconds = 2
"""


def test_a_step_lasts_as_long_as_its_words_and_check_accepts_it(
    tmp_path: Path, user_env: dict[str, str]
) -> None:
    """With the voice on, a step whose words take longer than its file says (4.2 s in a 2 s
    step) is accepted by `check`, and the guide lengthens it to its words and the 0.3 s
    between lines; with the voice off it lasts what its file says."""
    from reminderd.config import load_config as load
    from reminderd.exercises import GAP, routine_steps
    from reminderd.speech import words

    config = tmp_path / "wordy.toml"
    config.write_text(CONFIG.format(voice="true"))
    result = reminderd("check", str(config), env=user_env)
    assert result.returncode == 0, result.stdout
    assert not result.stdout.startswith("warning"), result.stdout
    loaded = load(config)
    routine = loaded.routines[0]
    timed = routine_steps(routine, loaded.exercises, loaded.guidance, timing=estimate)
    (index,) = [i for i, step in enumerate(timed) if step.text == "Turn"]
    said = words(timed, index)  # the exercise's name first, then the step's words
    assert said.endswith(
        "Turn your head slowly all the way to the right and look over your shoulder."
    )
    assert timed[index].seconds == pytest.approx(estimate(said) + GAP)
    assert timed[index].seconds > 4.2
    silent = routine_steps(routine, loaded.exercises, loaded.guidance)
    assert [step.seconds for step in silent if step.text == "Turn"] == [2.0]


def test_a_hold_whose_opening_words_run_long_is_refused() -> None:
    """A hold is held in silence: the words said as it begins (its count, when there is no
    lead-in before it) must end within 1.5 s."""
    from reminderd.model import Step
    from reminderd.speech.fit import misfits

    hold = Step("x", "X", "Squeeze", 5.0, "hold", rep_of=(2, 10))
    steps = (
        Step("", "R", "", 1.0, "intro"),
        Step("x", "X", "Squeeze", 5.0, "hold", rep_of=(1, 10)),
        hold,
    )
    assert misfits(steps, lambda text: 0.6) == []
    (found,) = misfits(steps, lambda text: 2.0)[1:]
    assert found.words == "2."
    assert (
        found.message
        == '"2." takes about 2.0 s to say as the hold begins; at most 1.5 s, to hold in silence'
    )


def test_the_countdown_is_asked_for_in_guidance(tmp_path: Path) -> None:
    """`[guidance] countdown = true` turns the spoken countdown on; it is off by default,
    and anything but true or false is a mistake with its line."""
    from reminderd.errors import ConfigError

    routine = '[[routines]]\nname = "n"\nexercises = ["posture-check"]\nevery = "1h"\n'
    config = tmp_path / "c.toml"
    config.write_text("[guidance]\ncountdown = true\n" + routine)
    assert load_config(config).guidance.countdown is True
    config.write_text("[guidance]\nvoice = true\n" + routine)
    assert load_config(config).guidance.countdown is False
    config.write_text("[guidance]\ncountdown = 3\n" + routine)
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert str(error.value.problems[0]) == (
        f"{config}:2: guidance.countdown: expected true or false, got 3"
    )
