"""Guidance you can follow without looking: spoken words, sound cues, lead-ins and a
routine that leaves nothing behind, on the simulated clock."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest

from reminderd import cues, speech
from reminderd.children import Children
from reminderd.clock import SimClock
from reminderd.config import load_library
from reminderd.core import Core, Outputs
from reminderd.cues import SOUNDS, Cue, cue_for
from reminderd.exercises import routine_for, routine_steps
from reminderd.guide import Guide
from reminderd.model import Config, Guidance, Routine, Step, Trigger
from reminderd.notify import Note, NullNotifier
from reminderd.speech import CommandSpeaker, number_words, words

START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


class Said:
    """A Speaker that records what it was asked to say, and when."""

    name = "recorded"

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.lines: list[tuple[float, str]] = []
        self.stopped = 0

    def say(self, text: str) -> None:
        self.lines.append((self.clock.monotonic(), text))

    def stop(self) -> None:
        self.stopped += 1


class Played:
    """Cues that record which sound was played, and when."""

    name = "recorded"

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.sounds: list[tuple[float, Cue]] = []

    def play(self, cue: Cue) -> None:
        self.sounds.append((self.clock.monotonic(), cue))

    def stop(self) -> None:
        return None


def drive(guide: Guide, clock: SimClock) -> None:
    """Run a guide to its end, the clock jumping from one step's deadline to the next."""
    guide.start()
    while not guide.finished:
        deadline = guide.next_deadline()
        assert deadline is not None
        clock.advance(deadline - clock.monotonic())
        guide.advance()


def chin_steps() -> tuple[Step, ...]:
    library = load_library()
    return routine_steps(routine_for("chin-to-collarbone", (), library), library)


def test_numbers_are_spoken_as_words() -> None:
    """Seconds and counts are read as words: "ten", "forty-five"."""
    assert [number_words(n) for n in (0, 5, 10, 19, 20, 45, 99)] == [
        "zero",
        "five",
        "ten",
        "nineteen",
        "twenty",
        "forty-five",
        "ninety-nine",
    ]
    assert number_words(2.5) == "2.5"


def test_each_step_has_its_spoken_words() -> None:
    """The lead-in says what to do, the side and the seconds; the hold says "Hold."; the
    step after it begins "And release."."""
    library = load_library()
    steps = routine_steps(routine_for("chin-to-collarbone", (), library), library)
    spoken = [words(steps, i) for i in range(len(steps))]
    kinds = [s.kind for s in steps]
    lead_in = kinds.index("lead-in")
    assert spoken[lead_in] == (
        "right side. Let your arms guide your chin gently towards the right collarbone. "
        "Stay relaxed. Hold for ten seconds."
    )
    assert spoken[lead_in + 1] == "Hold."
    assert spoken[lead_in + 2] == "And release. Slowly back to the start."
    assert spoken[0] == "Chin-to-collarbone stretch. Stop if pain increases."
    assert spoken[-1] == "Done. Well done."


def test_cues_tell_hold_switch_release_and_done_apart() -> None:
    """A hold starts with its own sound, the step after it with another, a new side or set
    with a third, and the end with a fourth; four different theme sounds."""
    library = load_library()
    steps = routine_steps(routine_for("chin-to-collarbone", (), library), library)
    sequence = [(s.kind, cue_for(steps, i)) for i, s in enumerate(steps)]
    assert sequence == [
        ("intro", None),
        ("step", None),
        ("lead-in", None),
        ("hold", "hold"),
        ("step", "release"),
        ("step", "switch"),  # the left side begins
        ("lead-in", None),
        ("hold", "hold"),
        ("step", "release"),
        ("done", "done"),
    ]
    assert len(set(SOUNDS.values())) == 4


def test_the_guide_speaks_and_sounds_at_each_step_start_and_holds_last_their_seconds() -> None:
    """Words and sounds go out at the step's deadline (same instant as its notification),
    and each hold lasts its full seconds after its lead-in."""
    clock = SimClock(START)
    said, played = Said(clock), Played(clock)
    notifier = NullNotifier()
    steps = chin_steps()
    guide = Guide(
        "chin",
        steps,
        notifier,
        clock,
        speaker=said,
        cues=cues.CueChoice(played, False, "test"),
    )
    drive(guide, clock)
    starts = [t for t, _ in said.lines]
    assert len(starts) == len(steps)
    offsets = [0.0]
    for step in steps[:-1]:
        offsets.append(offsets[-1] + step.seconds)
    assert [round(t - starts[0], 6) for t in starts] == offsets
    holds = [i for i, s in enumerate(steps) if s.kind == "hold"]
    for i in holds:
        assert steps[i - 1].kind == "lead-in"
        assert starts[i + 1] - starts[i] == 10
    assert [c for _, c in played.sounds] == ["hold", "release", "switch", "hold", "release", "done"]


def test_sound_names_travel_as_hints_where_the_server_plays_sounds() -> None:
    """Where the server lists the sound capability, the cue's theme name goes with the
    notification and no player is started."""
    clock = SimClock(START)
    played = Played(clock)
    notifier = NullNotifier()
    guide = Guide(
        "chin",
        chin_steps(),
        notifier,
        clock,
        cues=cues.CueChoice(played, True, "server"),
    )
    drive(guide, clock)
    assert played.sounds == []
    assert [n.sound for n in notifier.shown if n.sound] == [
        "bell",
        "message",
        "audio-volume-change",
        "bell",
        "message",
        "complete",
    ]


class Journal(NullNotifier):
    """Shows and closes in one ordered journal."""

    def __init__(self) -> None:
        super().__init__()
        self.journal: list[tuple[str, int | None]] = []

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        shown = super().show(note, replaces)
        self.journal.append(("show", shown))
        return shown

    def close(self, notification_id: int | None) -> None:
        super().close(notification_id)
        self.journal.append(("close", notification_id))


def test_a_finished_routine_leaves_nothing_and_the_next_gets_its_own_banner() -> None:
    """The closing note is withdrawn a few seconds after the end (a deadline the loop
    wakes for); a routine that starts before that closes it first, then opens a new
    notification of its own."""
    library = load_library()
    clock = SimClock(START)
    notifier = Journal()
    routine = Routine("r", ("posture-check",), Trigger(every=3600))
    config = Config(routines=(routine,), exercises=library, guidance=Guidance(done=3.0))
    core = Core(config, clock=clock, outputs=Outputs(notifier))

    def finish() -> None:
        while core.guide is not None:
            wait = core.next_wakeup()
            assert wait is not None
            clock.advance(wait)
            core.tick()

    core.run_now("r")
    finish()
    final = notifier.journal[-1]
    assert final[0] == "show"
    assert notifier.shown[-1].final
    assert core.next_wakeup() == pytest.approx(3.0)
    clock.advance(3.0)
    core.tick()
    assert notifier.journal[-1] == ("close", final[1])

    core.run_now("r")
    finish()
    second_final = notifier.journal[-1]
    assert second_final[1] is not None
    clock.advance(1.0)  # the closing note is still up
    core.run_now("r")
    assert notifier.journal[-2:] == [("close", second_final[1]), ("show", second_final[1] + 1)]
    assert notifier.shown[-1].summary == "R"  # the new routine's intro, in a new notification


def test_a_missing_speech_command_is_logged_once_and_guidance_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A speech command that cannot run is logged once; later lines are skipped silently."""
    speaker = CommandSpeaker("nothing", ("/nonexistent/speak",), Children())
    with caplog.at_level(logging.WARNING, logger="reminderd"):
        speaker.say("one")
        speaker.say("two")
    assert caplog.text.count("cannot run") == 1


def test_voice_is_off_unless_asked_for_and_a_command_can_be_named() -> None:
    """No voice by default; a command list is used as it is, with the words last."""
    assert speech.choose(False, Children()).speaker.name == "off"
    named = speech.choose(("my-tts", "--fast"), Children())
    assert isinstance(named.speaker, CommandSpeaker)
    assert named.speaker.argv == ("my-tts", "--fast")


def test_each_system_speaks_with_its_own_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-ins for macOS and Windows, which cannot run here: `say` on macOS, the SAPI
    voice through PowerShell on Windows (the words passed as an argument, never pasted into
    the script); speech-dispatcher first on Linux, espeak-ng where it is all there is."""
    present: set[str] = set()
    monkeypatch.setattr(speech, "on_path", lambda program: program in present)
    present.update({"say", "powershell", "espeak-ng"})
    mac = speech.choose(True, Children(), platform="darwin")
    assert isinstance(mac.speaker, CommandSpeaker)
    assert mac.speaker.argv == ("say",)
    windows = speech.choose(True, Children(), platform="win32")
    assert isinstance(windows.speaker, CommandSpeaker)
    assert windows.speaker.argv[0] == "powershell"
    assert "$args[0]" in windows.speaker.argv[-1]
    linux = speech.choose(True, Children(), platform="linux")
    assert linux.speaker.name == "espeak-ng"
    present.add("spd-say")
    assert speech.choose(True, Children(), platform="linux").speaker.name == "speech-dispatcher"
    present.clear()
    assert speech.choose(True, Children(), platform="linux").speaker.name == "off"
