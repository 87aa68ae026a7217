"""The cue sounds tell the truth: reminderd's own, each distinct to the ear (measured: length
and pitch), played by a player that really plays here, and when that player fails, the
next one, or off with the reason `status` shows."""

from __future__ import annotations

import array
import itertools
import math
import re
import wave
from pathlib import Path

import pytest

from reminderd.children import Children
from reminderd.cues import FOLDER, SOUNDS, CueChoice
from reminderd.cues import make as making
from reminderd.cues.choose import choose, players
from reminderd.cues.players import PlayerCues
from tests.conftest import wait_for
from tests.pipewire import PipeWire


def notes(path: Path, window: float = 0.03) -> tuple[float, list[float]]:
    """A sound's audible length and the pitch of each loud ``window`` of it, in Hz, from
    its zero crossings (the cues are pure tones)."""
    with wave.open(str(path), "rb") as sound:
        rate = sound.getframerate()
        samples = array.array("h", sound.readframes(sound.getnframes()))
    loud = [i for i, v in enumerate(samples) if abs(v) > 300]
    length = (loud[-1] - loud[0]) / rate
    size = round(rate * window)
    pitches = []
    for start in range(loud[0], loud[-1] - size, size):
        part = samples[start : start + size]
        if max(map(abs, part)) < 1000:
            continue  # the decaying tail: too quiet to hear a pitch in
        crossings = sum(1 for a, b in itertools.pairwise(part) if (a < 0) != (b < 0))
        pitches.append(crossings / 2 / window)
    return length, pitches


def semitones(a: float, b: float) -> float:
    return abs(12 * math.log2(a / b))


def test_each_cue_is_distinct_by_ear_in_length_and_pitch() -> None:
    """Measured from the files: hold is one low tone of half a second, release two falling
    notes, switch one short high tick, done four rising notes; any two differ by at least
    three semitones where they start or end, or by half their length."""
    measured = {}
    for cue, path in SOUNDS.items():
        length, pitches = notes(path)
        measured[cue] = (length, pitches[0], pitches[-1])
        print(f"{cue}: {length:.2f} s, {pitches[0]:.0f} Hz to {pitches[-1]:.0f} Hz")
    hold, release, switch, done = (measured[c] for c in ("hold", "release", "switch", "done"))
    assert semitones(hold[1], 440) < 0.5
    assert semitones(hold[2], 440) < 0.5
    assert release[1] > release[2] * 1.4  # falling: G5 to C5
    assert switch[0] < 0.1
    assert switch[1] > 1400
    assert done[2] > done[1] * 1.8  # rising an octave: C5 to C6
    cues = list(measured.items())
    for index, (name, (length, first, last)) in enumerate(cues):
        for other, (length2, first2, last2) in cues[index + 1 :]:
            apart = max(semitones(first, first2), semitones(last, last2))
            longer = max(length, length2) / min(length, length2)
            assert apart >= 3 or longer >= 1.5, (name, other)


def test_the_sound_files_are_what_make_writes(tmp_path: Path) -> None:
    """The committed files are exactly the tones ``reminderd.cues.make`` describes, so that
    what the test measures is what the code says; none is a file of a desktop theme."""
    for cue, path in SOUNDS.items():
        made = making.write(cue, tmp_path)
        assert made.read_bytes() == path.read_bytes(), cue
        assert path.parent == FOLDER
        assert "freedesktop" not in str(path)


def test_a_failing_player_hands_over_and_status_says_what_stopped_it() -> None:
    """A player that exits with an error is dropped at the next look: the next player takes
    over and `status` says why; with none left, cues are off and `status` says "off" and
    which player failed when. Real programs stand for players here: false fails, true
    plays nothing."""
    children = Children()
    cues = PlayerCues([("false", ("false",)), ("true", ("true",))], children)
    choice = CueChoice(cues, False, "a PipeWire server is here")
    cues.play("hold")
    wait_for(lambda: cues.name != "false", timeout=5)  # false has ended, and was judged
    name, why = choice.state
    assert name == "true"
    assert re.fullmatch(r"a PipeWire server is here; false exited 1 at \d\d:\d\d", why), why
    alone = PlayerCues([("false", ("false",))], children)
    alone.play("done")
    wait_for(lambda: alone.name == "off", timeout=5)
    state = CueChoice(alone, False, "a PipeWire server is here").state
    assert state[0] == "off"
    assert re.fullmatch(r"false exited 1 at \d\d:\d\d", state[1]), state
    before = len(children)
    alone.play("done")  # off: nothing more is started
    assert len(children) <= before
    children.end_all()


def test_no_player_is_chosen_without_a_server_to_play_on(tmp_path: Path) -> None:
    """pw-play and paplay are installed here, but with no PipeWire or PulseAudio server in
    the runtime folder neither is chosen: cues are off and the reason names both."""
    empty = tmp_path / "runtime"
    empty.mkdir()
    found, why_not = players({"XDG_RUNTIME_DIR": str(empty), "PATH": "/usr/bin"})
    if any(n.startswith("no ") for n in why_not):
        pytest.skip(f"a player is not installed: {why_not}")
    assert found == []
    assert why_not == ["pw-play: no PipeWire server here", "paplay: no PulseAudio server here"]
    choice = choose(True, frozenset(), Children(), {"XDG_RUNTIME_DIR": str(empty)})
    assert choice.state[0] == "off"


@pytest.mark.e2e
def test_the_player_is_the_one_whose_server_listens(pipewire: PipeWire) -> None:
    """With a real PipeWire (and its pulse server) pw-play is chosen; where only a
    PulseAudio server answers (PipeWire's own socket named away) paplay is; where the
    notification server plays sounds, neither: the file travels with the note."""
    env = {**pipewire.env}
    choice = choose(True, frozenset(), Children(), env)
    assert choice.state == ("pw-play", "a PipeWire server is here")
    only_pulse = {**env, "PIPEWIRE_REMOTE": "no-such-socket"}
    choice = choose(True, frozenset(), Children(), only_pulse)
    assert choice.state == (
        "paplay",
        "a PulseAudio server is here (pw-play: no PipeWire server here)",
    )
    by_server = choose(True, frozenset({"sound"}), Children(), env)
    assert by_server.by_server
    assert by_server.state[0] == "notification server"
