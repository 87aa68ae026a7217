"""Cue sounds played by a desktop player, a process per cue; when a player fails, the next
one that can play here takes over, and when none is left the cues are off."""

from __future__ import annotations

import logging
import time

from reminderd.children import Children
from reminderd.cues import SOUNDS, Cue
from reminderd.i18n.said import said

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess

log = logging.getLogger("reminderd")

FINE = frozenset({0, -15, -9})  # done, or ended by reminderd


class PlayerCues:
    """Plays reminderd's sound files with the first of ``players`` that works."""

    def __init__(self, players: list[tuple[str, tuple[str, ...]]], children: Children) -> None:
        self._players = list(players)  # (name, argv without the file), best first
        self._children = children
        self._playing: list[tuple[str, subprocess.Popen[bytes]]] = []
        self._trouble: str | None = None

    @property
    def name(self) -> str:
        self._collect()
        return self._players[0][0] if self._players else "off"

    @property
    def trouble(self) -> str | None:
        self._collect()
        return self._trouble

    def play(self, cue: Cue) -> None:
        self._collect()
        while self._players:
            name, argv = self._players[0]
            try:
                process = self._children.spawn([*argv, str(SOUNDS[cue])], f"sound {cue}")
            except OSError as error:
                self._give_up(
                    name, said("{player} cannot run ({error})", player=name, error=str(error))
                )
                continue
            self._playing.append((name, process))
            return

    def stop(self) -> None:
        for _, process in self._playing:
            if process.poll() is None:
                self._children.end(process)
        self._playing = []

    def _collect(self) -> None:
        """Players that have ended, judged without waiting: one that failed is dropped."""
        for name, process in list(self._playing):
            if process.poll() is None:
                continue
            self._playing.remove((name, process))
            if process.returncode not in FINE:
                at = time.strftime("%H:%M")
                why = said(
                    "{player} exited {status} at {time}",
                    player=name,
                    status=process.returncode,
                    time=at,
                )
                self._give_up(name, why)

    def _give_up(self, name: str, why: str) -> None:
        if not self._players or self._players[0][0] != name:
            return  # already dropped
        self._players.pop(0)
        self._trouble = why
        then = (
            f"{self._players[0][0]} plays them now" if self._players else "guiding without sounds"
        )
        log.warning("sounds: %s; %s", why, then)
