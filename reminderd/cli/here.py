"""`run` guiding here: a routine or an exercise in this terminal, with a countdown (and
notifications, voice and sounds where there are some), recorded in the same history as
the daemon's; and the list of what `run` can guide."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from reminderd.children import Children
from reminderd.cli.base import load
from reminderd.clock import SystemClock
from reminderd.exercises import (
    closing_seconds,
    expand,
    routine_for,
    routine_steps,
    shown_and_said,
    total_seconds,
    with_lead_ins,
)
from reminderd.guide import Guide, run_blocking
from reminderd.history import History
from reminderd.i18n import _, language, speaking, text
from reminderd.i18n.formats import duration, width
from reminderd.model import GUIDE_EVENTS, Config, Event, Routine, Step
from reminderd.notify import NullNotifier
from reminderd.pace import Tempo
from reminderd.paths import user_paths
from reminderd.pictures import show
from reminderd.pictures.cache import Pictures
from reminderd.ports import choose_ports
from reminderd.speech import Speaker, beats, words

MEASURE_TIMEOUT = 10.0  # seconds `run --voice` waits for the engine to time its lines


def names(config: Config) -> list[str]:
    """What `run` can guide: every routine and every exercise, with its title and length."""
    routines = [
        (r.name, _(r.label), routine_steps(r, config.exercises, config.guidance))
        for r in config.routines
    ]
    exercises = [
        (i, _(e.title), with_lead_ins(expand(e), config.guidance.lead_in))
        for i, e in sorted(config.exercises.items())
    ]
    width = max(len(row[0]) for row in [*routines, *exercises])
    lines = [_("Routines:")]
    for heading, rows in (("", routines), (_("Exercises:"), exercises)):
        if heading:
            lines.append(heading)
        for name, title, steps in rows:
            lines.append(f"  {name:<{width}}  {title}, {duration(total_seconds(steps))}")
    return [*lines, _("Guide one now with `reminderd run NAME`.")]


def run_here(name: str, config_path: Path | None, voice: bool = False) -> None:
    config = load(config_path)
    routine = routine_for(name, config.routines, config.exercises)
    children = Children()
    tempo = Tempo.from_env(os.environ)  # the test suite's pace; a person's is 1
    # The notes and the voice in [guidance] language, as the daemon would; this
    # terminal's messages in its own.
    shown_in = config.guidance.language or language()
    with speaking(shown_in):
        # The same choice of ports as the daemon makes (its reasons go to the log, not here).
        rate = 1 / tempo.pace
        ports = choose_ports(config, lambda _line: None, children, voice=voice, rate=rate)
        steps, said, linger = _voiced_steps(routine, config, ports.voice.speaker, tempo.pace)
    choice, spoken = ports.backend, ports.voice
    if voice and spoken.speaker.name == "off":
        click.echo(_("No voice: {reason}.").format(reason=text(spoken.reason)), err=True)
    notifier = choice.notifier
    if choice.backend == "console" or notifier.failing:
        click.echo(
            _("No desktop notifications ({reason}): guiding in this terminal only.").format(
                reason=text(choice.reason)
            ),
            err=True,
        )
    if choice.backend == "console":
        notifier = NullNotifier()
    Pictures().draw_now(steps)  # for the countdown's pictures, before the first step
    clock = SystemClock()
    record = _terminal_record(routine.name, clock)
    with speaking(shown_in):
        guide = Guide(
            routine.name,
            steps,
            notifier,
            clock,
            on_event=record,
            speaker=spoken.speaker,
            cues=ports.sounds,
            countdown=config.guidance.countdown,
            linger=linger,
            said=said,
        )
    display = _Countdown(sys.stdout.isatty())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        with speaking(shown_in):  # the notes' words, made at each step
            outcome = run_blocking(guide, clock, stop, on_tick=display.tick, linger=linger)
    except KeyboardInterrupt:
        guide.cancel("interrupted")
        outcome = "cancelled"
    finally:
        children.end_all()  # no voice or sound outlives the run
    display.end()
    if outcome != "completed":
        click.echo(_("Stopped."))
        sys.exit(130)


def _voiced_steps(
    routine: Routine, config: Config, speaker: Speaker, pace: float
) -> tuple[tuple[Step, ...], tuple[Step, ...], float]:
    """The routine's steps as shown and as said, and how long its closing note stays,
    planned from how long its lines take to say; lines the engine has not timed yet are
    timed first (a second or so, once: the lengths are kept)."""
    voice = speaker.language or language()
    with speaking(voice):
        plain = routine_steps(routine, config.exercises, config.guidance, pace=pace)
        lines = [words(plain, i) for i in range(len(plain))]
        lines += [b.words for step in plain for b in beats(step, config.guidance.countdown)]
    measuring = speaker.prepare(lines)
    if measuring is not None:
        try:
            measuring.wait(MEASURE_TIMEOUT)
        except subprocess.TimeoutExpired:
            measuring.kill()  # the estimates serve instead
    timing = speaker.seconds
    steps, said = shown_and_said(
        routine, config.exercises, config.guidance, voice=voice, timing=timing, pace=pace
    )
    with speaking(voice):
        linger = closing_seconds(said, config.guidance, timing, pace)
    return steps, said, linger


def _terminal_record(name: str, clock: SystemClock) -> Callable[[str, dict[str, Any]], None]:
    """Record a routine guided in this terminal in the same history as the daemon's, with
    the reason ``cli``; the person watched the countdown to its end, so it is completed."""
    store = History(user_paths().history, clock.zone)

    def record(kind: str, data: dict[str, Any]) -> None:
        data = dict(data)
        if kind in ("started", "completed"):
            data["reason"] = "cli"
        if kind == "completed":
            data["outcome"] = "completed"
        at = clock.now().astimezone(clock.zone())
        store.record(Event(GUIDE_EVENTS[kind], at, name, data))
        if kind in ("completed", "cancelled"):
            store.close()

    return record


class _Countdown:
    """Prints each step once, and on a terminal counts its seconds down in place."""

    def __init__(self, live: bool) -> None:
        self.live = live
        self.shown = -1
        self.pictured = ""  # the last picture shown
        self.drawn = 0  # columns the countdown's line took
        self.width = shutil.get_terminal_size((80, 20)).columns

    def tick(self, guide: Guide, remaining: float) -> None:
        step = guide.step
        if step is None:
            return
        if guide.index != self.shown:
            self.end()
            self.shown = guide.index
            note = guide.notes[guide.index]  # the terminal says what the banner says
            click.echo(f"[{note.summary}] {note.body.splitlines()[0]}")
            if note.image != self.pictured and os.path.exists(note.image):
                self.pictured = note.image  # a lead-in and its hold: one picture
                click.echo(show.in_terminal(note.image, os.environ, self.live), nl=False)
        if self.live and step.seconds > 0:
            left = _("{seconds} s left").format(seconds=f"{round(remaining):>3d}")
            self.drawn = max(self.drawn, width(left) + 3)
            click.echo(f"\r  {left} ", nl=False)

    def end(self) -> None:
        if self.live and self.shown >= 0:
            click.echo("\r" + " " * max(16, self.drawn) + "\r", nl=False)
