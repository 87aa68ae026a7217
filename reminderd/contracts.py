"""The data that crosses modules, typed where it is defined: the status reply (what
`reminderd status --json`, the panel and status bars read), the saved state, and the
vocabularies of events, hold reasons and outcomes.

Below everything that uses it: it imports nothing of reminderd. The status reply's fields
are documented in docs/commands.md's table, which a test keeps in step with ``DaemonStatus``.
"""

from __future__ import annotations

from typing import Literal, TypedDict

# Everything the core reports, by name: for hooks, `reminderd events` and the history.
EventKind = Literal[
    "routine.fired",
    "routine.asked",
    "routine.started",
    "routine.step",
    "routine.completed",
    "routine.confirmed",
    "routine.snoozed",
    "routine.unsnoozed",
    "routine.skipped",
    "routine.unskipped",
    "routine.cancelled",
    "routine.ignored",
    "routine.held",
    "sync.done",
    "presence.back",
    "break.natural",
    "daemon.paused",
    "daemon.resumed",
    "daemon.reloaded",
]
# What a hold source (reminderd.holds) can see: a call, a shared screen, a full-screen
# window, an idle inhibitor; the names of [schedule] hold_during. In the order the decision
# prefers when several hold at once: the most private first.
# Who asked for a routine: its schedule, ``run NAME`` (by hand), or ``run --now``.
Asked = Literal["schedule", "by-hand", "now"]
TYPING_PAUSE = 5.0  # seconds without input that make a pause in typing (the soft start)
SourceReason = Literal["call", "screen-share", "fullscreen", "inhibited"]
SOURCE_REASONS: tuple[SourceReason, ...] = ("call", "screen-share", "fullscreen", "inhibited")
# Why a due routine waits instead of starting: the person is away, the desktop's
# do-not-disturb is on, a hold source's reason (a call, a shared screen, a full-screen
# window, an idle inhibitor), the person is typing (the soft start waits for a pause), or
# another of the person's machines is guiding it (the sync folder).
HoldReason = Literal[
    "idle", "dnd", "call", "screen-share", "fullscreen", "inhibited", "typing", "elsewhere"
]
# How a routine played to its end went, judged from the input during its holds.
Outcome = Literal["completed", "worked-through", "played"]


class CurrentStep(TypedDict):
    """The routine being guided, and its step."""

    routine: str
    reason: str
    step: int
    of: int
    text: str  # where the step stands and its action ("squeeze 4 of 10 · set 1 of 3: ...")
    position: str  # what the person counts: "squeeze 4 of 10 · set 1 of 3", "right side"
    remaining: float
    paused: bool  # held at this step while reminderd is paused; it comes again on resume


class Asking(TypedDict):
    """A "Start?" prompt waiting for an answer until ``until``."""

    routine: str
    until: str


class IdleStatus(TypedDict):
    source: str | None
    note: str
    pause_when_idle: float | None
    natural_break: float | None
    away_since: str | None


class DoneElsewhere(TypedDict):
    machine: str
    at: str


class RunningElsewhere(TypedDict):
    machine: str
    until: str


class RoutineStatus(TypedDict):
    name: str
    title: str
    next: str | None  # local time with its offset; None while paused or never due
    # While paused: when it comes once the pause ends (until resumed: if resumed now).
    after_pause: str | None
    snoozed_until: str | None
    held: HoldReason | None
    hold: str | None  # what holds it, as said: "call: microphone in use by zoom"
    # Other machines (the sync folder): the interval counts from a routine done there;
    # a routine in progress there is not started here until then.
    done_elsewhere: DoneElsewhere | None
    running_elsewhere: RunningElsewhere | None


class Requested(TypedDict):
    """Routines asked for by hand (`run NAME`) while something holds them back."""

    routines: list[str]
    hold: str | None


class CoreStatus(TypedDict):
    """What the core is doing."""

    paused: bool
    paused_until: str | None  # None while paused until resumed
    current: CurrentStep | None
    asking: Asking | None
    queue: list[str]
    requested: Requested | None
    idle: IdleStatus
    routines: list[RoutineStatus]


HoldState = Literal["on", "off", "cannot answer", "not asked", "not used"]


class SourceStatus(TypedDict):
    """One hold source: what it can tell, whether it is used and why, and its last answer."""

    source: str  # "pipewire", "x11", ...
    reasons: list[str]  # the reasons it can give, in SOURCE_REASONS order
    used: bool
    why: str  # the chooser's sentence
    state: HoldState  # at the last check; "not asked" before the first
    holds: list[str]  # what it holds for now: "call: microphone in use by zoom"
    unknown: str | None  # why it could not answer


class MachineSeen(TypedDict):
    machine: str
    written: str | None
    active: str | None


class SyncStatus(TypedDict):
    """The sync folder shared with the person's other machines (see docs/sync.md)."""

    folder: str
    machine: str  # this machine's name in it
    watching: bool
    reason: str
    machines: list[MachineSeen]
    paused_by: str | None  # the machine whose `pause --everywhere` holds this one
    error: str | None  # why this machine's files could not be written


class ReloadFailure(TypedDict):
    """The last reload that failed (the config in use stayed): when, and why."""

    at: str  # local time with its offset
    problem: str  # the first problem, as `check` says it: "file:line: key: message (fix)"
    problems: int  # how many there were


class PortsStatus(TypedDict):
    """How a routine is shown, said and sounded, and in which language, as ``status``
    says it: each choice with its reason."""

    backend: str
    backend_reason: str
    voice: str
    voice_reason: str
    sounds: str
    sounds_reason: str
    dnd: str | None
    dnd_reason: str
    dnd_on: bool | None  # at the last read (when a routine was due); None: not known
    language: str  # the notes' and the voice's language ("de"); "en" for English
    language_reason: str  # why: "[guidance] language", "LANGUAGE=de:en"


class DaemonStatus(CoreStatus, PortsStatus):
    """The whole status reply: the core's, the ports', and how the daemon is wired."""

    version: int
    running: bool
    pid: int
    reminderd: str
    started: str
    uptime: int
    config: str
    config_origin: str
    holds: list[SourceStatus]  # every hold source considered, with its last answer
    panel: bool
    panel_reason: str
    other_breaks: str | None
    sync: SyncStatus | None
    reload_failed: ReloadFailure | None  # since the last reload that worked


class SavedState(TypedDict, total=False):
    """What survives a restart (state.json): read back defensively, since the file may be
    old, edited or damaged."""

    paused_until: str | None  # ISO time, or "forever"
    config: str | None  # the config the snoozes and skips were made under
    snoozed: dict[str, str]
    skipped_through: dict[str, str]
    skips: dict[str, list[str | int]]  # routine -> [local day, skips that day]
