"""Sound cues: a short sound that says "hold", "switch", "release" or "done" to a person who
is not looking at the screen.

The sounds are the freedesktop sound theme's, by name. Where the notification server
plays sounds itself (it lists the ``sound`` capability, as GNOME Shell does) the name
travels with the notification as its ``sound-name`` hint; elsewhere it is played by the
desktop's player, in a process of its own: ``canberra-gtk-play`` (which finds the theme by
name), else ``pw-play`` or ``paplay`` with the theme's file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from reminderd.children import Children
from reminderd.model import Step
from reminderd.paths import on_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess

log = logging.getLogger("reminderd")

Cue = Literal["hold", "switch", "release", "done"]
# Four sounds of the freedesktop theme that differ by ear: a bell to hold still, a tick when
# the side or the repetition changes, a soft chime to let go, and the "complete" fanfare.
SOUNDS: dict[Cue, str] = {
    "hold": "bell",
    "switch": "audio-volume-change",
    "release": "message",
    "done": "complete",
}
THEME = Path("/usr/share/sounds/freedesktop/stereo")


def cue_for(steps: tuple[Step, ...], index: int) -> Cue | None:
    """The cue when step ``index`` starts: the end, a hold, the release after a hold, a
    change of side or repetition; None for the intro, lead-ins and plain movements."""
    step = steps[index]
    if step.kind == "done":
        return "done"
    if step.kind == "hold":
        return "hold"
    previous = steps[index - 1] if index > 0 else None
    if previous is not None and previous.kind == "hold" and step.exercising:
        return "release"
    before = next((s for s in reversed(steps[:index]) if s.exercising), None)
    if (
        step.exercising
        and before is not None
        and (before.side, before.progress)
        != (
            step.side,
            step.progress,
        )
    ):
        return "switch"
    return None


class Cues(Protocol):
    """The port that plays a cue's sound."""

    @property
    def name(self) -> str: ...

    def play(self, cue: Cue) -> None:
        """Start the sound of ``cue``; never waits for it."""

    def stop(self) -> None:
        """End every sound still playing (the routine was withdrawn); never waits."""


class NoCues:
    name = "off"

    def play(self, cue: Cue) -> None:
        return None

    def stop(self) -> None:
        return None


class PlayerCues:
    """Plays the theme's sounds with a desktop player, a process per cue."""

    def __init__(self, name: str, argv: tuple[str, ...], by_file: bool, children: Children) -> None:
        self.name = name
        self.argv = argv
        self._children = children
        self.by_file = by_file  # the player takes a file, not a theme name
        self._playing: list[subprocess.Popen[bytes]] = []
        self._broken = False

    def play(self, cue: Cue) -> None:
        if self._broken:
            return
        sound = SOUNDS[cue]
        target = str(THEME / f"{sound}.oga") if self.by_file else sound
        self._reap()
        try:
            self._playing.append(self._children.spawn([*self.argv, target], f"sound {sound}"))
        except OSError as error:
            log.warning("sounds: %s cannot run (%s); guiding without sounds", self.argv[0], error)
            self._broken = True

    def stop(self) -> None:
        for process in self._playing:
            if process.poll() is None:
                self._children.end(process)
        self._playing = []

    def _reap(self) -> None:
        """Collect players that have ended, without waiting; log once if one failed."""
        for process in list(self._playing):
            if process.poll() is None:
                continue
            self._playing.remove(process)
            if process.returncode != 0 and not self._broken:
                log.warning(
                    "sounds: %s exited with %d; guiding without sounds",
                    self.argv[0],
                    process.returncode,
                )
                self._broken = True


@dataclass(frozen=True, slots=True)
class CueChoice:
    """How cues are played and why, for the log and for ``status``."""

    cues: Cues
    by_server: bool  # the notification server plays them (sound-name hint)
    reason: str


def choose(enabled: bool, server_capabilities: frozenset[str], children: Children) -> CueChoice:
    """Cues through the notification server where it plays sounds, else a desktop player."""
    if not enabled:
        return CueChoice(NoCues(), False, "off ([guidance] sounds = false)")
    if "sound" in server_capabilities:
        return CueChoice(NoCues(), True, "the notification server plays them (sound-name hint)")
    if on_path("canberra-gtk-play"):
        return CueChoice(
            PlayerCues("canberra", ("canberra-gtk-play", "-i"), False, children),
            False,
            "canberra-gtk-play",
        )
    if THEME.is_dir():
        for player in ("pw-play", "paplay"):
            if on_path(player):
                return CueChoice(PlayerCues(player, (player,), True, children), False, player)
        return CueChoice(NoCues(), False, "off: no sound player (pw-play, paplay)")
    return CueChoice(NoCues(), False, f"off: no sound theme in {THEME} (sound-theme-freedesktop)")
