"""The data that flows through reminderd: frozen, typed, and free of I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, get_args

from reminderd.contracts import SOURCE_REASONS, EventKind, SourceReason
from reminderd.errors import Problem
from reminderd.i18n import N_, _
from reminderd.pictures.pose import Pose

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS: frozenset[int] = frozenset(range(7))
ALL_DAY: tuple[tuple[time, time], ...] = ((time(0, 0), time.max),)

# Everything the core reports, by name: for hooks, `reminderd events` and the history.
EVENT_NAMES: tuple[EventKind, ...] = get_args(EventKind)
# What a guide reports of its routine, as the core's events.
GUIDE_EVENTS: Mapping[str, EventKind] = MappingProxyType(
    {
        "started": "routine.started",
        "step": "routine.step",
        "completed": "routine.completed",
        "cancelled": "routine.cancelled",
    }
)
StartPolicy = Literal["auto", "ask"]
# What a step is: "step" a movement, "hold" a position kept for its seconds (announced by
# a lead-in), "rest" a pause between sets; "intro", "lead-in" and "done" are the guide's own.
StepKind = Literal["step", "hold"]
CueKind = Literal["intro", "lead-in", "step", "hold", "rest", "done"]
EXERCISE_KINDS = frozenset({"step", "hold", "rest"})  # what counts as time spent exercising
# Characters of a notification's body that every desktop shows on its first line (GNOME
# Shell cuts a banner's body after about 50): a step's action, side and length fit in it.
BANNER = 45


class StepSpec(NamedTuple):
    """One step as written in an exercise file; ``seconds`` None means "use the hold time".

    ``text`` is the short action line (what to do, the side); ``detail`` is optional longer
    advice shown after it; ``say`` optionally replaces the words spoken for the step;
    ``pose`` is what its picture shows, or ``image`` a picture file of the person's own
    (an absolute path).
    """

    text: str
    seconds: float | None = None
    detail: str = ""
    say: str = ""
    kind: StepKind = "step"
    pose: Pose | None = None
    image: str = ""


class Exercise(NamedTuple):
    """An exercise as written: steps plus the sides, sets, reps, hold and rest that expand them."""

    id: str
    title: str
    steps: tuple[StepSpec, ...]
    summary: str = ""
    sources: tuple[str, ...] = ()
    sides: tuple[str, ...] = ()
    sets: int = 1
    reps: int = 1
    hold: float | None = None
    rest: float = 0.0
    rep_label: str = "rep"
    setup: StepSpec | None = None
    origin: str = ""


class Step(NamedTuple):
    """One timed step after expansion: what to do now and for how long.

    ``text`` is the action line with the side filled in; ``progress`` says where the step
    stands among its repetitions ("squeeze 4 of 10 · set 2 of 3"), kept apart from the text
    so that each output can place it where it fits (a notification's title, a terminal
    line, a spoken count).
    """

    exercise_id: str
    title: str
    text: str
    seconds: float
    kind: CueKind = "step"
    detail: str = ""
    say: str = ""
    progress: str = ""
    side: str = ""
    # What a person counts, as numbers: (repetition, of how many) and (set, of how many),
    # (0, 0) where the exercise does not repeat; ``spec`` is the index of the written step
    # it comes from (-1: the exercise's setup; None: the guide's own intro, lead-in, done).
    rep_of: tuple[int, int] = (0, 0)
    set_of: tuple[int, int] = (0, 0)
    spec: int | None = None
    pose: Pose | None = None  # what its picture shows, the side filled in
    image: str = ""  # or a picture file of the person's own

    @property
    def exercising(self) -> bool:
        """A step of the exercises themselves, not the guide's intro, lead-in or closing."""
        return self.kind in EXERCISE_KINDS

    @property
    def position(self) -> str:
        """Where the step stands, as the person counts it: "squeeze 4 of 10 · set 1 of 3",
        else the side ("right side"); "" for a step that does not repeat. The one numbering
        that the note, ``status``, ``events`` and the panel show."""
        return self.progress or side_text(self.side)

    @property
    def labelled(self) -> str:
        """The progress and the action on one line: "squeeze 4 of 10 · set 2 of 3: Squeeze..."."""
        if not self.progress:
            return self.text
        return _("{position}: {action}").format(position=self.progress, action=self.text)

    @property
    def counted(self) -> str:
        """Where the step stands and its action, as `status`, `events` and the panel say it:
        "squeeze 4 of 10 · set 2 of 3: Squeeze...", "right side: Hands behind your head"."""
        where = self.position
        return (
            _("{position}: {action}").format(position=where, action=self.text)
            if where
            else self.text
        )


# The sides of the built-in exercises, each said whole (an adjective agrees with "side").
SIDES = {"right": N_("right side"), "left": N_("left side")}


def side_text(side: str) -> str:
    """ "right side", in the language in use; "" for no side."""
    if not side:
        return ""
    known = SIDES.get(side)
    return _(known) if known else _("{side} side").format(side=_(side))


class Trigger(NamedTuple):
    """When a routine is due: every so long (in working time) and/or at fixed times of day."""

    every: float | None = None
    at: tuple[time, ...] = ()
    days: frozenset[int] = ALL_DAYS


class Routine(NamedTuple):
    """A named list of exercises and the trigger that makes it due."""

    name: str
    exercises: tuple[str, ...]
    trigger: Trigger
    title: str = ""
    start: StartPolicy = "auto"
    max_skips_per_day: int | None = None  # the routine's own, or the schedule's; None: no limit

    @property
    def label(self) -> str:
        return self.title or self.name.replace("-", " ").replace("_", " ").capitalize()


class WorkSchedule(NamedTuple):
    """When reminders may fire at all: working hours per weekday, and idle handling."""

    hours: tuple[tuple[tuple[time, time], ...], ...] = (ALL_DAY,) * 7
    pause_when_idle: float | None = None
    natural_break: float | None = None
    max_skips_per_day: int | None = None  # for every routine without one of its own
    # What holds a due routine back (calls, screen shares, full screen, idle inhibitors),
    # and how long it may wait for a pause in typing (None: the default, 0: not at all).
    hold_during: frozenset[SourceReason] = frozenset(SOURCE_REASONS)
    soft_start: float | None = None

    def ranges_on(self, weekday: int) -> tuple[tuple[time, time], ...]:
        return self.hours[weekday]

    @property
    def restricted(self) -> bool:
        return any(day != ALL_DAY for day in self.hours)


class Guidance(NamedTuple):
    """How a routine is guided: the voice, the sound cues and the pace of the guide's own
    steps (the intro, the lead-in before each hold, how long the closing note stays). The
    intro, lead-ins and closing note are floors: with a voice they last as long as their
    words take (and a lead-in 1.5 s more, to get into position)."""

    voice: bool | tuple[str, ...] = False  # off, the system's voice, or a command
    sounds: bool = True
    intro: float = 5.0
    lead_in: float = 3.0
    done: float = 3.0
    countdown: bool = False  # say "three, two, one" at the end of each long enough hold
    pictures: bool = True  # a picture in each step's notification
    language: str = ""  # the notes' and the voice's language ("de"); "": the environment's


class Hook(NamedTuple):
    """A command to run on an event, given the event as JSON on stdin."""

    event: str
    command: tuple[str, ...]
    timeout: float = 10.0


class SyncSettings(NamedTuple):
    """``[sync]``: the folder a sync engine keeps between a person's machines, and this
    machine's name in it (see reminderd/sync/)."""

    folder: Path
    machine: str


class Config(NamedTuple):
    """Everything the daemon needs, validated. Its ``exercises`` are read-only once
    loaded (``config.load`` hands them over as a mapping proxy)."""

    routines: tuple[Routine, ...]
    exercises: Mapping[str, Exercise]
    warnings: tuple[Problem, ...] = ()  # what `check` points out without refusing it
    schedule: WorkSchedule = WorkSchedule()
    backend: str = "auto"
    guidance: Guidance = Guidance()
    history_days: int = 365
    hooks: tuple[Hook, ...] = ()
    panel_icon: bool = True  # [panel] icon: show a StatusNotifierItem where a panel hosts one
    path: Path | None = None
    sync: SyncSettings | None = None  # [sync]: history and presence shared with other machines

    def routine(self, name: str) -> Routine | None:
        return next((r for r in self.routines if r.name == name), None)


class Event(NamedTuple):
    """Something that happened to a routine or to the daemon."""

    kind: EventKind
    at: datetime
    routine: str | None = None
    data: Mapping[str, Any] = MappingProxyType({})

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.kind,
            "at": self.at.isoformat(timespec="milliseconds"),
            "routine": self.routine,
            **self.data,
        }
