"""A routine heard from the speakers: `reminderd run NAME --voice` played into a headless
PipeWire and recorded, then taken apart step by step. For the recording tests and the
benchmark, which ask the same questions of it: was any line cut, how long before its hold
did each lead-in's words end, how soon after each step change did the voice begin."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reminderd.config import default_config_path, load_config
from reminderd.cues import SOUNDS, cue_for
from reminderd.exercises import routine_for, routine_steps
from reminderd.i18n import speaking
from reminderd.model import Step
from reminderd.speech import words
from tests.audio import Envelope, picture, read_envelope
from tests.pipewire import PipeWire

LATENCY = 0.35  # seconds a line or cue may take to start sounding after its step began
# How far the recording's timeline may be off the monotonic clock at a moment: the clicks
# that set it are placed to within the player's start (13-29 ms measured on a quiet
# machine, up to a tenth of a second on one whose two cores are busy with the rest of the
# suite), and the null sink's clock wanders a few hundredths of a second between them.
# The checks compare sounds with sounds (a line's end with the next step's first sound, a
# lead-in's words with its hold's bell), so this only finds each step's sound.
SLACK = 0.15


@dataclass(frozen=True, slots=True)
class Line:
    """One step's spoken line as heard: the step, its words, and when they sounded."""

    index: int
    words: str
    begin: float
    end: float


@dataclass(frozen=True, slots=True)
class Heard:
    """A recorded run: the plan, when each step began (seconds into the recording), and
    the loudness of what the speakers played; ``bridge`` is the longest pause inside one
    line (between its sentences) at the run's pace."""

    steps: tuple[Step, ...]
    starts: list[float]
    envelope: Envelope
    bridge: float

    def line(self, index: int) -> tuple[float, float] | None:
        """When step ``index``'s spoken line sounded: its onset and its end."""
        start = self.starts[index]
        begin = self.envelope.onset(start - SLACK, start + LATENCY)
        if begin is None:
            return None
        return begin, self.envelope.sound_until(begin, self.bridge)

    def lines(self) -> list[Line]:
        """Every step's spoken line that was heard."""
        heard = []
        for index in range(len(self.steps)):
            said = words(self.steps, index)
            sounded = self.line(index) if said else None
            if sounded:
                heard.append(Line(index, said, *sounded))
        return heard

    def sounded(self, index: int) -> float | None:
        """Where step ``index``'s first sound (its cue or its words) was heard, if any."""
        if not (words(self.steps, index) or cue_for(self.steps, index)):
            return None
        start = self.starts[index]
        return self.envelope.onset(start - SLACK, start + LATENCY)

    def next_sound(self, index: int) -> float | None:
        """Where the first sound of a step after step ``index`` was heard."""
        after = (self.sounded(i) for i in range(index + 1, len(self.steps)))
        return next((moment for moment in after if moment is not None), None)

    def cut(self, reference: dict[str, float], tolerance: float) -> list[str]:
        """Lines not heard whole: silent, shorter than the engine's audio for them, or
        running on into the next step's sound (no silence between them)."""
        heard = {line.index: line for line in self.lines()}
        cut = []
        for index in range(len(self.steps)):
            said = words(self.steps, index)
            if not said:
                continue
            line = heard.get(index)
            following = self.next_sound(index)
            if (
                line is None
                or line.end - line.begin < reference.get(said, 0) - tolerance
                or (following is not None and line.end >= following)
            ):
                cut.append(said)
        return cut

    def gaps(self) -> list[float]:
        """For each hold after a lead-in: seconds from the end of the lead-in's words to the
        hold's bell, as heard."""
        heard = {line.index: line for line in self.lines()}
        found = []
        for index, step in enumerate(self.steps):
            bell = self.sounded(index + 1) if step.kind == "lead-in" else None
            if index in heard and bell is not None:
                found.append(bell - heard[index].end)
        return found

    def latencies(self) -> list[float]:
        """Seconds from each step change to the voice, where no cue sounds with it."""
        return [
            line.begin - self.starts[line.index]
            for line in self.lines()
            if not cue_for(self.steps, line.index)
        ]

    def noise_in_holds(self) -> list[float]:
        """Moments of sound inside a hold, between the end of its bell (and, on a
        repetition, its count) and the next step's first sound: a hold is held in silence."""
        found = []
        for index, step in enumerate(self.steps):
            bell = self.sounded(index) if step.kind == "hold" else None
            following = self.next_sound(index)
            if bell is None or following is None:
                continue
            quiet = self.envelope.sound_until(bell, self.bridge) + self.envelope.window
            sound = self.envelope.onset(quiet, following - self.envelope.window)
            if sound is not None:
                found.append(sound)
        return found

    def transcript(self, reference: dict[str, float]) -> list[str]:
        """What was heard, step by step: when the step began, when its line sounded and
        for how long against the engine's audio for it; "(silent)" without words."""
        heard = {line.index: line for line in self.lines()}
        out = []
        for index, step in enumerate(self.steps):
            said = words(self.steps, index)
            line = heard.get(index)
            when = (
                f"{line.begin:6.2f}-{line.end:6.2f} {line.end - line.begin:5.2f}s"
                if line
                else " " * 20
            )
            audio = f" of {reference[said]:.2f}s" if said in reference else ""
            out.append(
                f"{self.starts[index]:6.2f} {step.kind:7} {when}{audio} {said or '(silent)'}"
            )
        return out


def programs(folder: Path, names: tuple[str, ...]) -> str:
    """A PATH of only ``names`` (symbolic links): what is not there, reminderd cannot
    choose. FileNotFoundError names a program that is not installed."""
    folder.mkdir(exist_ok=True)
    for name in names:
        found = shutil.which(name)
        if found is None:
            raise FileNotFoundError(name)
        if not (folder / name).exists():
            (folder / name).symlink_to(found)
    return str(folder)


def listen(
    pipewire: PipeWire,
    notes: Callable[[], list[dict[str, Any]]],
    env: dict[str, str],
    folder: Path,
    *,
    routine: str = "neck",
    pace: float = 1.0,
    language: str = "en",
) -> Heard:
    """Run `reminderd run ROUTINE --voice` (built-in config) into ``pipewire`` at ``pace``
    and take the recording apart by the notes the notification server received (``notes``
    lists every Notify it recorded, each with its monotonic ``mono``), in ``language``."""
    env = {
        **env,
        "LANGUAGE": language,
        "XDG_RUNTIME_DIR": str(pipewire.runtime),  # where PipeWire and its pulse server are
        "REMINDERD_PACE": str(pace),
    }
    seen = len(notes())
    recording = pipewire.record_synced(folder / f"{routine}.wav", SOUNDS["switch"])
    try:
        run = subprocess.run(
            [sys.executable, "-m", "reminderd", "run", routine, "--voice"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        recording.stop()
    if run.returncode != 0:
        msg = f"reminderd run {routine} --voice failed: {run.stderr}"
        raise RuntimeError(msg)
    config = load_config(default_config_path())  # the one the run used: it has none other
    plan = routine_for(routine, config.routines, config.exercises)
    with speaking(language):
        steps = routine_steps(plan, config.exercises, config.guidance, pace=pace)
    sent = [n for n in notes()[seen:] if n["method"] == "Notify" and not n["hints"].get("value")]
    if len(sent) != len(steps):
        msg = f"{len(sent)} notes for {len(steps)} steps"
        raise RuntimeError(msg)
    envelope, _ = read_envelope(recording.path)
    clicks = envelope.segments(0.05)  # the clicks stand apart even from speech after them
    at = recording.timeline(clicks[0][0], clicks[-1][0])
    starts = [at(note["mono"]) for note in sent]
    # Inside a line, espeak-ng pauses about 0.3 s between sentences at its normal pace.
    return Heard(steps, starts, envelope, bridge=max(0.2, 0.45 * pace))


def draw(heard: Heard, path: Path, title: str) -> Path:
    """The recording's loudness with each step's start drawn on it."""
    labels = {"lead-in": "get ready", "step": "", "rest": "rest"}
    marks = []
    for start, step in zip(heard.starts, heard.steps, strict=True):
        label = labels.get(step.kind, step.kind)
        marks.append((start, label or (step.text[:18])))
    return picture(heard.envelope, marks, path, title)
