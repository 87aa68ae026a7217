"""Guidance you can follow without looking: what is said at each step and in what order,
how long the guide's own steps last with a voice, the sound cues, and the breath between
routines, on the simulated clock."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pytest

from reminderd.children import Children
from reminderd.clock import SimClock
from reminderd.config import load_library
from reminderd.core import Core, Outputs
from reminderd.cues import SOUNDS, Cue, CueChoice, cue_for
from reminderd.exercises import SETTLE, closing_seconds, routine_for, routine_steps
from reminderd.guide import Guide
from reminderd.model import Config, Guidance, Routine, Step, Trigger
from reminderd.notify import Note, NullNotifier
from reminderd.pace import Tempo
from reminderd.speech import Silent, words
from reminderd.speech.choose import choose as choose_voice
from reminderd.speech.command import CommandSpeaker
from reminderd.speech.lines import PHRASES, STOP_RULE, phrase
from reminderd.speech.timing import estimate

if TYPE_CHECKING:
    import subprocess

START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


class Said:
    """A Speaker that records what it was asked to say, and when; a line takes a second
    per four words (a stand-in for an engine's measured lengths)."""

    name = "recorded"
    language = ""
    trouble = None

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.lines: list[tuple[float, str]] = []
        self.stopped = 0

    def seconds(self, text: str) -> float:
        return len(text.split()) / 4

    def say(self, text: str) -> None:
        if text:  # as every speaker: an empty line says nothing
            self.lines.append((self.clock.monotonic(), text))

    def stop(self) -> None:
        self.stopped += 1

    def prepare(self, lines: Iterable[str]) -> subprocess.Popen[bytes] | None:
        return None


class Played:
    """Cues that record which sound was played, and when."""

    name = "recorded"
    trouble = None

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.sounds: list[tuple[float, Cue]] = []

    def play(self, cue: Cue) -> None:
        self.sounds.append((self.clock.monotonic(), cue))

    def stop(self) -> None:
        return None


def drive(guide: Guide, clock: SimClock) -> None:
    """Run a guide to its end, the clock jumping from one deadline to the next."""
    guide.start()
    while not guide.finished:
        deadline = guide.next_wake()
        assert deadline is not None
        clock.advance(deadline - clock.monotonic())
        guide.advance()


def neck() -> tuple[Step, ...]:
    library = load_library()
    routine = Routine(
        "neck", ("chin-to-collarbone", "neck-range-of-motion"), Trigger(), title="Neck stretches"
    )
    return routine_steps(routine, library)


def spoken(steps: tuple[Step, ...]) -> list[tuple[str, str]]:
    return [(s.kind, words(steps, i)) for i, s in enumerate(steps)]


def test_a_person_hears_the_neck_routine_in_order() -> None:
    """The routine and its whole stop rule; each exercise's name as it starts; the side and
    the action; the hold's length before the hold, which begins in silence; "And release."
    after it; "Done. Well done." at the end."""
    heard = spoken(neck())
    assert heard[:6] == [
        ("intro", f"Neck stretches. {STOP_RULE}"),
        ("step", "Chin-to-collarbone stretch. right side. Hands behind your head."),
        (
            "lead-in",
            "Let your arms guide your chin gently to the right collarbone. Hold 10 seconds.",
        ),
        ("hold", ""),
        ("step", "And release. Slowly back to the start."),
        ("step", "left side. Hands behind your head."),
    ]
    assert heard[9:12] == [
        ("step", "Gentle neck turns and tilts. Sit tall, shoulders relaxed."),
        ("lead-in", "right side. Turn your head to the right. Hold 8 seconds."),
        ("hold", ""),
    ]
    assert heard[-1] == ("done", "Done. Well done.")
    assert STOP_RULE == (
        "Stop if pain increases, or on tingling, numbness, pain into the arm, or dizziness."
    )


def test_repetitions_are_counted_aloud_with_their_set() -> None:
    """Each squeeze says its count as it begins ("4."), the lead-in of each set says "Set 2
    of 3." and the hold's length, and each release "And release." once (its own words)."""
    library = load_library()
    steps = routine_steps(routine_for("shoulder-blade-squeeze", (), library), library)
    heard = spoken(steps)
    assert heard[1] == ("step", "Hands on your sides.")  # the intro named the exercise
    assert heard[2] == (
        "lead-in",
        "Set 1 of 3. Squeeze shoulder blades together. Hold 5 seconds.",
    )
    assert heard[3:7] == [
        ("hold", "1."),
        ("step", "And release."),
        ("hold", "2."),
        ("step", "And release."),
    ]
    assert [w for k, w in heard if k == "hold"][:10] == [f"{n}." for n in range(1, 11)]
    second = [w for k, w in heard if k == "lead-in"][1]
    assert second.startswith("Set 2 of 3.")
    assert ("rest", "Rest. Next: set 2 of 3.") in heard


def test_the_days_first_intro_says_where_to_read_when_to_see_a_doctor() -> None:
    """On the day's first routine the intro also says where the doctor's signs are, spoken
    and in the banner's title, which GNOME shows whole."""
    library = load_library()
    routine = routine_for("posture-check", (), library)
    first = routine_steps(routine, library, point_to_safety=True)
    assert words(first, 0).endswith("When to see a doctor: reminderd safety.")
    assert "doctor" not in words(routine_steps(routine, library), 0)


def test_spoken_lines_are_whole_sentences_with_named_placeholders() -> None:
    """Every phrase is a sentence (or a pair of them, one and many) whose variable parts are
    named placeholders, so that a translation can order them as its language does."""
    for key, entry in PHRASES.items():
        for form in entry if isinstance(entry, tuple) else (entry,):
            assert form.rstrip().endswith("."), key
            assert "{}" not in form, key
    assert phrase("hold", seconds=1) == "Hold 1 second."
    assert phrase("hold", seconds=10) == "Hold 10 seconds."
    assert phrase("set", set=2, sets=3) == "Set 2 of 3."


def test_with_a_voice_lead_ins_last_their_words_and_time_to_settle() -> None:
    """A lead-in lasts its words plus 1.5 s when that is longer than the configured lead-in;
    the intro lasts its words; without a voice both keep their configured lengths."""
    library = load_library()
    routine = routine_for("chin-to-collarbone", (), library)
    timing = Said(SimClock(START)).seconds
    plain = routine_steps(routine, library)
    voiced = routine_steps(routine, library, timing=timing)
    for index, step in enumerate(voiced):
        if step.kind == "lead-in":
            said = timing(words(voiced, index))
            assert step.seconds == pytest.approx(max(3.0, said + SETTLE))
            assert step.seconds > plain[index].seconds
        elif step.kind != "intro":
            assert step.seconds == plain[index].seconds
    assert voiced[0].seconds >= timing(words(voiced, 0))
    assert closing_seconds(voiced, Guidance(done=0.5), timing) > 0.5  # "Done. Well done."
    quick = routine_steps(routine, library, timing=timing, pace=0.5)
    assert [s.seconds for s in quick if s.kind == "hold"] == [5.0, 5.0]


def test_the_estimate_is_on_the_safe_side_and_scales_with_the_pace() -> None:
    """An unmeasured line is estimated from its letters and pauses; twice the pace takes
    about half as long, and the likeliest length is shorter than the safe one."""
    line = "Let your arms guide your chin gently to the right collarbone. Hold 10 seconds."
    assert 4.5 < estimate(line, safe=False) < 5.5  # espeak-ng measured 4.75 s
    assert estimate(line) > estimate(line, safe=False)
    assert estimate(line, 2.0) < estimate(line) / 1.5
    assert estimate("") == 0


def test_cues_tell_hold_switch_release_and_done_apart() -> None:
    """A hold starts with its own sound, the step after it with another, a new side or set
    with a third, and the end with a fourth: four sound files of reminderd's own."""
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
    assert all(path.is_file() for path in SOUNDS.values())


def test_the_guide_speaks_and_sounds_at_each_step_start() -> None:
    """Words and sounds go out at the step's deadline (the same instant as its note); each
    hold lasts its full seconds after a lead-in that lasts its words and 1.5 s more."""
    clock = SimClock(START)
    said, played = Said(clock), Played(clock)
    library = load_library()
    steps = routine_steps(
        routine_for("chin-to-collarbone", (), library), library, timing=said.seconds
    )
    guide = Guide(
        "chin",
        steps,
        NullNotifier(),
        clock,
        speaker=said,
        cues=CueChoice(played, False, "test"),
    )
    drive(guide, clock)
    starts = [t for t, text in said.lines]
    offsets = [0.0]
    for step in steps[:-1]:
        offsets.append(offsets[-1] + step.seconds)
    spoken_at = [round(o, 6) for o, s in zip(offsets, steps, strict=True) if s.kind != "hold"]
    assert [round(t - starts[0], 6) for t in starts] == spoken_at  # holds begin in silence
    for index, step in enumerate(steps):
        if step.kind == "lead-in":
            words_end = offsets[index] + said.seconds(words(steps, index))
            assert offsets[index + 1] - words_end == pytest.approx(SETTLE)
    assert [c for _, c in played.sounds] == ["hold", "release", "switch", "hold", "release", "done"]


def test_sound_files_travel_as_hints_where_the_server_plays_sounds() -> None:
    """Where the server lists the sound capability, the cue's file goes with the
    notification and no player is started."""
    clock = SimClock(START)
    played = Played(clock)
    notifier = NullNotifier()
    library = load_library()
    steps = routine_steps(routine_for("chin-to-collarbone", (), library), library)
    guide = Guide("chin", steps, notifier, clock, cues=CueChoice(played, True, "server"))
    drive(guide, clock)
    assert played.sounds == []
    names = ["hold", "release", "switch", "hold", "release", "done"]
    assert [n.sound for n in notifier.shown if n.sound] == [str(SOUNDS[n]) for n in names]  # type: ignore[index]


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


def test_the_end_is_seen_and_heard_and_the_next_routine_waits_a_breath() -> None:
    """The closing note stays as long as "Done. Well done." takes to say (at least
    ``done``), then is withdrawn; a routine queued meanwhile starts 10 s after the end, in a
    notification of its own, with the closing words said whole before it."""
    library = load_library()
    clock = SimClock(START)
    notifier = Journal()
    said = Said(clock)
    routine = Routine("r", ("posture-check",), Trigger(every=3600))
    config = Config(routines=(routine,), exercises=library, guidance=Guidance(done=0.5))
    core = Core(config, clock=clock, outputs=Outputs(notifier, speaker=said))

    def finish() -> None:
        while core.guide is not None:
            wait = core.next_wakeup()
            assert wait is not None
            clock.advance(wait)
            core.tick()

    core.run_now("r")
    finish()
    ended = clock.monotonic()
    final = notifier.journal[-1]
    assert final[0] == "show"
    assert notifier.shown[-1].final
    assert said.lines[-1] == (ended, "Done. Well done.")
    linger = closing_seconds((Step("", "", "", 0, "done"),), Guidance(done=0.5), said.seconds)
    assert core.next_wakeup() == pytest.approx(linger)  # longer than done = 0.5 s
    core.run_now("r")  # asked for during the closing note: it waits
    assert core.guide is None
    while core.guide is None:
        clock.advance(core.next_wakeup() or 0)
        core.tick()
    assert clock.monotonic() - ended == pytest.approx(10.0)
    assert ("close", final[1]) in notifier.journal
    assert notifier.journal.index(("close", final[1])) < len(notifier.journal) - 1
    assert notifier.shown[-1].summary.startswith("R")  # the next intro, a note of its own
    assert notifier.journal[-1] == ("show", final[1] + 1 if final[1] else None)


def test_the_tempo_comes_from_the_environment_within_bounds() -> None:
    """Only a pace from 0.1 to 1 and a breath up to 10 s are taken; anything else is the
    default (full pace, a 10 s breath)."""
    assert Tempo.from_env({}) == Tempo(1.0, 10.0)
    assert Tempo.from_env({"REMINDERD_PACE": "0.4", "REMINDERD_BREATH": "1"}) == Tempo(0.4, 1.0)
    for pace, breath in (("0", "-1"), ("2", "11"), ("nan", "nan"), ("fast", "long")):
        assert Tempo.from_env({"REMINDERD_PACE": pace, "REMINDERD_BREATH": breath}) == Tempo()


def test_a_missing_speech_command_is_logged_once_and_guidance_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A speech command that cannot run is logged once and named in `status` as what
    stopped the voice; later lines are skipped silently."""
    speaker = CommandSpeaker("nothing", ("/nonexistent/speak",), Children())
    with caplog.at_level(logging.WARNING, logger="reminderd"):
        speaker.say("one")
        speaker.say("two")
    assert caplog.text.count("cannot run") == 1
    assert speaker.trouble is not None
    assert speaker.trouble.startswith("/nonexistent/speak cannot run")


def test_voice_is_off_unless_asked_for_and_a_command_can_be_named() -> None:
    """No voice by default; a command list is used as it is, with the words last."""
    assert choose_voice(False, Children()).speaker.name == "off"
    assert isinstance(choose_voice(False, Children()).speaker, Silent)
    named = choose_voice(("my-tts", "--fast"), Children())
    assert isinstance(named.speaker, CommandSpeaker)
    assert named.speaker.command("Hello.") == ["my-tts", "--fast", "Hello."]


def test_each_system_speaks_with_its_own_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-ins for macOS and Windows, which cannot run here: `say` on macOS, the SAPI
    voice through PowerShell on Windows (the words passed as an argument, never pasted into
    the script); speech-dispatcher first on Linux, espeak-ng itself where it is all there
    is, in the language it is told."""
    import reminderd.speech.choose as chooser

    present: set[str] = set()
    monkeypatch.setattr(chooser, "on_path", lambda program: program in present)
    present.update({"say", "powershell", "espeak-ng"})
    mac = choose_voice(True, Children(), platform="darwin")
    assert isinstance(mac.speaker, CommandSpeaker)
    assert mac.speaker.argv == ("say",)
    windows = choose_voice(True, Children(), platform="win32")
    assert isinstance(windows.speaker, CommandSpeaker)
    assert windows.speaker.argv[0] == "powershell"
    assert "$args[0]" in windows.speaker.argv[-1]
    linux = choose_voice(True, Children(), platform="linux", language="de", rate=2.0)
    assert linux.speaker.name == "espeak-ng"
    assert isinstance(linux.speaker, CommandSpeaker)
    assert linux.speaker.argv == ("espeak-ng", "-v", "de", "-s", "350")
    present.add("speech-dispatcher")
    assert choose_voice(True, Children(), platform="linux").speaker.name == "speech-dispatcher"
    present.clear()
    assert choose_voice(True, Children(), platform="linux").speaker.name == "off"
