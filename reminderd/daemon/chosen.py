"""The daemon's ports as chosen now: the notification backend, its do-not-disturb switch,
the voice and the sound cues, with the notes' language. Chosen for the config at start,
again on a reload, and again when another notification server takes the name over; the
voice is told each routine's lines ahead, so that the guide plans lead-ins from how long
they take.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from reminderd.children import Children
from reminderd.contracts import PortsStatus
from reminderd.i18n import use
from reminderd.i18n.languages import for_guidance
from reminderd.i18n.said import said
from reminderd.model import Config
from reminderd.notify import FallbackNotifier
from reminderd.pace import Tempo
from reminderd.ports import Ports, choose_ports

log = logging.getLogger("reminderd")


class Chosen:
    """The ports in use (``ports``), and the language the notes and the voice speak."""

    def __init__(
        self, config: Config, write: Callable[[str], None], children: Children, tempo: Tempo
    ) -> None:
        self._write, self._children, self._tempo = write, children, tempo
        self.language, self.language_reason = "", ""
        self.ports = self._choose(config)

    def again(self, config: Config) -> bool:
        """Chosen again for a reloaded ``config``; whether the notification backend
        changed (its signals are then listened to anew)."""
        before = self.ports.backend
        self.ports = self._choose(config, keep=self.ports)
        return self.ports.backend is not before

    def server_changed(self, config: Config) -> bool:
        """A notification server came, or another took the name over: ask it what it is
        and can do (buttons, markup, sounds), and choose its do-not-disturb switch; False
        while it does not answer yet."""
        server = self.ports.backend.server
        if server is None:
            return False
        why_not = server.probe()
        if why_not is not None:
            log.info("the new notification server does not answer yet: %s", why_not)
            return False
        if isinstance(self.ports.backend.notifier, FallbackNotifier):
            self.ports.backend.notifier.answers_again()
        self.ports = self._choose(config, self.ports, server_changed=True)
        return True

    def status(self) -> PortsStatus:
        """Each choice and why, as ``status`` says it; whether the backend delivers now."""
        backend, dnd, voice, sounds = self.ports
        reason = backend.reason
        if backend.notifier.failing:
            reason = said("{reason}; not delivering now, steps go to the console", reason=reason)
        return {
            "backend": backend.backend,
            "backend_reason": reason,
            "voice": voice.state[0],
            "voice_reason": voice.state[1],
            "sounds": sounds.state[0],
            "sounds_reason": sounds.state[1],
            "dnd": dnd.source.name if dnd.source else None,
            "dnd_reason": dnd.reason,
            "dnd_on": dnd.last,
            "language": self.language,
            "language_reason": self.language_reason,
        }

    def _choose(
        self, config: Config, keep: Ports | None = None, *, server_changed: bool = False
    ) -> Ports:
        """The ports for ``config``; the voice is asked, in a process of its own, how long
        each line of the routines takes (the guide plans lead-ins from it), unwaited."""
        # The notes' and the voice's language: its catalogue is read when something is
        # first shown, so an idle daemon holds none (log lines stay English).
        self.language, self.language_reason = for_guidance(config.guidance.language)
        use(self.language)
        rate = 1 / self._tempo.pace  # the test suite's pace: the voice as much faster
        ports = choose_ports(
            config, self._write, self._children, rate=rate, keep=keep, server_changed=server_changed
        )
        if config.guidance.voice is not False:
            from reminderd.exercises import spoken_lines  # noqa: PLC0415 - only with a voice

            speaker = ports.voice.speaker
            speaker.prepare(spoken_lines(config, self._tempo.pace, voice=speaker.language))
        return ports
