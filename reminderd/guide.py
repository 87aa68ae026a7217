"""Walk a person through a routine: one notification per step, on monotonic deadlines.

Each step's deadline is the routine's start plus the lengths of the steps before it, so a
late wake-up never pushes the following steps back: nothing drifts.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from itertools import accumulate
from typing import Any

from reminderd.clock import Clock
from reminderd.cues import SOUNDS, CueChoice, NoCues, cue_for
from reminderd.errors import NotifyError
from reminderd.exercises import SAFETY_POINTER, SAFETY_TITLE, exercise_seconds
from reminderd.i18n import _, language, speaking
from reminderd.i18n.formats import duration, width
from reminderd.model import Step
from reminderd.notify import Note, Notifier
from reminderd.pictures.cache import Pictures
from reminderd.speech import Silent, Speaker, beats, words

log = logging.getLogger("reminderd")

EventSink = Callable[[str, dict[str, Any]], None]


def first_line(step: Step) -> str:
    """What a banner must show whole: the action (with its side) and how long. A hold says
    its length first ("Hold 10s: Chin to right collarbone"), a lead-in what comes ("Get
    ready: Chin to right collarbone"), a movement its length after ("Let go (2s)")."""
    if step.kind == "hold":
        return _("Hold {seconds}: {action}").format(
            seconds=duration(step.seconds), action=step.text
        )
    if step.kind == "lead-in":
        return step.text
    return _("{action} ({seconds})").format(action=step.text, seconds=duration(step.seconds))


# Columns of a title GNOME Shell shows whole in a banner (bold, beside the time): 40
# were shown, 54 were cut ("Shoulder-blade squeeze · squeeze 1 of 10 · set 1 of 3"); a
# Chinese character takes two (reminderd.i18n.formats.width).
TITLE = 44


def _title(step: Step) -> str:
    """The exercise and where the person is in it; the count alone where both would be cut
    ("Squeeze 4 of 10 · set 1 of 3": the count is what changes)."""
    where = step.position
    if not where:
        return step.title
    both = f"{step.title} · {where}"
    return both if width(both) <= TITLE else where[:1].upper() + where[1:]


def notes_for(
    steps: tuple[Step, ...], picture: Callable[[Step], str] = lambda _step: ""
) -> tuple[Note, ...]:
    """The notification for each step, made to fit a banner: the title carries the exercise
    and where the person is in it ("Chin-to-collarbone stretch · right side", "Squeeze 4 of
    10 · set 1 of 3"); the body's first line the action, the side and the seconds; the
    second line the detail. A hold carries a progress bar (the ``value`` hint). A lead-in
    shows the picture of the hold it announces. ``picture`` names each step's picture file."""
    notes = []
    for step in steps:
        if step.kind in ("intro", "done"):
            body = step.text + (f"\n{step.detail}" if step.detail else "")
            # The day's first intro points to the warning signs where a banner shows it.
            daily = step.kind == "intro" and step.detail.startswith(_(SAFETY_POINTER))
            title = f"{step.title} · {SAFETY_TITLE}" if daily else step.title
            final = step.kind == "done"
            notes.append(Note(title, body, step.seconds, final=final, image=picture(step)))
            continue
        title = _title(step)
        body = first_line(step) + (f"\n{step.detail}" if step.detail else "")
        value = 0 if step.kind == "hold" else None
        notes.append(Note(title, body, step.seconds, value=value, image=picture(step)))
    return tuple(notes)


class Guide:
    """A routine being guided. Drive it with ``start``, then ``advance`` at each deadline."""

    def __init__(
        self,
        name: str,
        steps: tuple[Step, ...],
        notifier: Notifier,
        clock: Clock,
        *,
        on_event: EventSink | None = None,
        first_actions: tuple[tuple[str, str], ...] = (),
        last_actions: tuple[tuple[str, str], ...] = (),
        replaces: int | None = None,
        speaker: Speaker | None = None,
        cues: CueChoice | None = None,
        countdown: bool = False,
        linger: float = 0.0,
        pictures: Pictures | None = None,
        said: tuple[Step, ...] | None = None,
    ) -> None:
        if not steps:
            msg = f"routine {name!r} has no steps"
            raise ValueError(msg)
        self.name = name
        self.steps = steps
        # The steps as the voice says them: in the voice's language, which is the notes'
        # unless no voice for that is installed (reminderd.exercises.shown_and_said).
        self.said = said if said is not None and len(said) == len(steps) else steps
        self._voice_language = language()
        self._pictures = pictures or Pictures()
        self.notes = notes_for(steps, self._pictures.file)
        if first_actions:
            self.notes = (
                self.notes[0]._replace(actions=first_actions),
                *self.notes[1:],
            )
        if last_actions and self.notes[-1].final:
            self.notes = (
                *self.notes[:-1],
                self.notes[-1]._replace(actions=last_actions),
            )
        self._notifier = notifier
        self._speaker = speaker or Silent()
        self._cues = cues or CueChoice(NoCues(), False, "")
        self._clock = clock
        self._emit = on_event or (lambda kind, data: None)
        self._offsets = [0.0, *accumulate(step.seconds for step in steps)]
        self._countdown = countdown
        self.linger = linger  # seconds the closing note stays (its words said whole)
        self._beats: list[tuple[float, str]] = []  # (monotonic, what) due in this step
        self.index = -1
        self.started_at: float | None = None
        self.outcome: str | None = None
        self.notification_id: int | None = replaces  # e.g. the "Start?" prompt it follows
        self.held_at: int | None = None  # the step it is held at (reminderd paused)

    @property
    def total(self) -> float:
        return self._offsets[-1]

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    @property
    def step(self) -> Step | None:
        return self.steps[self.index] if 0 <= self.index < len(self.steps) else None

    def start(self) -> None:
        self._pictures.prepare(self.steps)  # drawn by a subprocess while the intro shows
        self.started_at = self._clock.monotonic()
        self._emit("started", {"steps": len(self.steps), "seconds": self.total})
        self.advance()

    def next_deadline(self) -> float | None:
        """Monotonic time at which the next step is due; None once finished, or while held."""
        if self.started_at is None or self.finished or self.held_at is not None:
            return None
        return self.started_at + self._offsets[min(self.index + 1, len(self.steps))]

    def next_wake(self) -> float | None:
        """Monotonic time at which the guide has something to do: the next step, or a beat
        inside this one (a hold's progress bar, a countdown's number)."""
        deadline = self.next_deadline()
        if deadline is None or not self._beats:
            return deadline
        return min(deadline, self._beats[0][0])

    def remaining(self) -> float:
        """Seconds left in the current step."""
        deadline = self.next_deadline()
        return 0.0 if deadline is None else max(0.0, deadline - self._clock.monotonic())

    def advance(self) -> None:
        """Show the step that is due now; finish once the last one has been shown."""
        if self.started_at is None or self.finished or self.held_at is not None:
            return
        elapsed = self._clock.monotonic() - self.started_at
        due = max(i for i in range(len(self.steps)) if self._offsets[i] <= elapsed + 1e-9)
        if due == self.index:
            self._beat()
        if due > self.index:
            if due > self.index + 1 and self.index >= 0:
                log.info(
                    "%s: late by %.1f s, skipping to step %d",
                    self.name,
                    elapsed - self._offsets[self.index + 1],
                    due + 1,
                )
            self.index = due
            self._show()
        if self.index == len(self.steps) - 1 and elapsed + 1e-9 >= self._offsets[-1]:
            self.outcome = "completed"
            exercise = exercise_seconds(self.steps)
            self._emit("completed", {"seconds": self.total, "exercise_seconds": exercise})

    def skip_intro(self) -> None:
        """Begin the exercises now (the person pressed Start during the intro)."""
        if self.started_at is None or self.finished or self.index != 0 or len(self.steps) < 2:
            return
        self.started_at = self._clock.monotonic() - self._offsets[1]
        self.advance()

    def withdraw(self) -> None:
        """Take the closing note off the screen (the routine is over)."""
        self._notifier.close(self.notification_id)

    def cancel(self, reason: str) -> None:
        """Stop now and withdraw the notification on screen."""
        if self.finished:
            return
        self.outcome = "cancelled"
        self._speaker.stop()
        self._cues.cues.stop()
        self._notifier.close(self.notification_id)
        self._emit("cancelled", {"reason": reason, "step": self.index + 1})

    def hold(self, note: Note) -> None:
        """Stop where it is (reminderd was paused): the words and sounds stop, ``note``
        replaces the step on screen, and nothing more comes until ``carry_on``."""
        if self.started_at is None or self.finished or self.held_at is not None:
            return
        self.held_at = max(self.index, 0)
        self._speaker.stop()
        self._cues.cues.stop()
        try:
            self.notification_id = self._notifier.show(note, self.notification_id)
        except NotifyError as error:
            log.warning("%s: the pause not shown: %s", self.name, error)

    def carry_on(self) -> None:
        """Go on from the beginning of the step it was held at; a hold goes back to its
        lead-in, so that its seconds count again from a position taken anew."""
        if self.held_at is None or self.finished:
            return
        index = self.held_at
        if (
            self.steps[index].kind == "hold"
            and index > 0
            and self.steps[index - 1].kind == "lead-in"
        ):
            index -= 1
        self.held_at = None
        self.started_at = self._clock.monotonic() - self._offsets[index]
        self.index = index - 1
        self.advance()

    def _show(self) -> None:
        """One step, three outputs at one deadline: the notification, the words, the cue."""
        step = self.steps[self.index]
        note = self.notes[self.index]
        cue = cue_for(self.steps, self.index)
        if cue and self._cues.by_server:
            note = note._replace(sound=str(SOUNDS[cue]))
        if note.image and not self._pictures.ready(note.image):
            note = note._replace(image="")  # not drawn yet: shown without it
        self._notify(note)
        self._speaker.say(self._words(self.index))
        if cue and not self._cues.by_server:
            self._cues.cues.play(cue)
        self._plan_beats(step)
        self._emit(
            "step",
            {
                "index": self.index + 1,
                "of": len(self.steps),
                "kind": step.kind,
                "text": step.counted,
                "position": step.position,
                "seconds": step.seconds,
                "exercise": step.exercise_id,
            },
        )

    def _words(self, index: int) -> str:
        """What is said at step ``index``, in the voice's language."""
        with speaking(self._spoken_in()):
            return words(self.said, index)

    def _spoken_in(self) -> str:
        return self._speaker.language or self._voice_language

    def _notify(self, note: Note) -> None:
        try:
            self.notification_id = self._notifier.show(note, self.notification_id)
        except NotifyError as error:
            # The person can still follow along on the terminal or the next step; a
            # notification that failed is never a reason to stop the routine.
            log.warning("%s: step %d not shown: %s", self.name, self.index + 1, error)

    def _plan_beats(self, step: Step) -> None:
        """A hold's beats: its progress bar moved each second, and the countdown's words."""
        self._beats = []
        if step.kind != "hold" or self.started_at is None:
            return
        begun = self.started_at + self._offsets[self.index]
        whole = math.ceil(step.seconds - 1e-6)
        self._beats = [(begun + second, "bar") for second in range(1, whole)]
        with speaking(self._spoken_in()):
            counted = beats(self.said[self.index], self._countdown)
        self._beats += [(begun + b.after, b.words) for b in counted]
        self._beats.sort(key=lambda beat: (beat[0], beat[1] == "bar"))

    def _beat(self) -> None:
        """What is due inside the step: the bar redrawn in place, a countdown's number."""
        now = self._clock.monotonic()
        due = [beat for beat in self._beats if beat[0] <= now + 1e-9]
        if not due:
            return
        self._beats = self._beats[len(due) :]
        step, note = self.steps[self.index], self.notes[self.index]
        for _moment, what in due:
            if what != "bar":
                self._speaker.say(what)
        if any(what == "bar" for _moment, what in due) and self.started_at is not None:
            done = now - (self.started_at + self._offsets[self.index])
            value = max(0, min(100, round(100 * done / step.seconds)))
            if note.image and not self._pictures.ready(note.image):
                note = note._replace(image="")
            self._notify(note._replace(value=value, refresh=True))


TickHook = Callable[[Guide, float], None]


def run_blocking(
    guide: Guide,
    clock: Clock,
    stop: threading.Event | None = None,
    on_tick: TickHook | None = None,
    linger: float = 0.0,
) -> str:
    """Guide from start to finish in this thread; return "completed" or "cancelled".

    With ``on_tick`` it is called at every whole second left in a step (for a countdown);
    without it the thread sleeps from one deadline to the next (a step, or a beat inside a
    hold). The closing note stays ``linger`` seconds (at least the guide's own ``linger``:
    its words are said whole), then is withdrawn: nothing is left on screen.
    """
    stop = stop or threading.Event()
    guide.start()
    if on_tick:
        on_tick(guide, guide.remaining())
    while not guide.finished:
        deadline = guide.next_wake()
        if deadline is None:
            break
        left = deadline - clock.monotonic()
        pause = left if on_tick is None else min(left, left - math.ceil(left - 1e-6) + 1)
        if clock.wait(max(0.0, pause), stop):
            guide.cancel("stopped")
            break
        guide.advance()
        if on_tick:
            on_tick(guide, guide.remaining())
    if guide.outcome == "completed":
        clock.wait(max(linger, guide.linger), stop)
        guide.withdraw()
    return guide.outcome or "cancelled"
