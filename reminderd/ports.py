"""The ports chosen for this desktop, in one place for the daemon and `run --here`: the
notification backend and its server's do-not-disturb switch, the voice, the sound cues,
and idle awareness. Each choice is logged with its reason, which `status` shows too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple

from reminderd import dnd
from reminderd.children import Children
from reminderd.contracts import TYPING_PAUSE
from reminderd.core.outputs import HoldCheck, NoHolds, Outputs
from reminderd.cues import CueChoice
from reminderd.cues.choose import choose as choose_cues
from reminderd.dnd import Watch as DndWatch
from reminderd.i18n import language
from reminderd.i18n.said import said
from reminderd.model import Config
from reminderd.notify.choose import Choice, choose
from reminderd.presence import Presence
from reminderd.speech.port import VoiceChoice, voice_off

log = logging.getLogger("reminderd")


class Ports(NamedTuple):
    """Where a routine is shown, said and sounded, and the switch asked before it starts."""

    backend: Choice
    dnd: DndWatch
    voice: VoiceChoice
    sounds: CueChoice

    def outputs(self, holds: HoldCheck | None = None) -> Outputs:
        notifier = self.backend.notifier
        return Outputs(notifier, self.voice.speaker, self.sounds, self.dnd, holds or NoHolds())


def choose_ports(
    config: Config,
    write: Callable[[str], None],
    children: Children,
    *,
    voice: bool = False,
    rate: float = 1.0,
    keep: Ports | None = None,
    server_changed: bool = False,
) -> Ports:
    """The ports for ``config`` (``voice``: on for this run, whatever the config says;
    ``rate``: the voice that many times faster, as the test suite's pace asks).
    ``keep``: the ports in use, whose backend (and its do-not-disturb switch) stays when
    the config asks for the same one: a reload does not reconnect to the server.
    ``server_changed``: the kept backend's server was asked again what it is (a server
    that came after reminderd started): its do-not-disturb switch is chosen anew."""
    if keep is not None and keep.backend.backend == config.backend and server_changed:
        server = keep.backend.server
        described = server.describe() if server else keep.backend.reason
        backend = keep.backend._replace(reason=described)
        log.info("notifications: %s, because %s", backend.backend, backend.reason)
        watch = _dnd(backend)
    elif keep is not None and keep.backend.backend == config.backend:
        backend, watch = keep.backend, keep.dnd
    else:
        backend = choose(config.backend, write)
        log.info("notifications: %s, because %s", backend.backend, backend.reason)
        watch = _dnd(backend)
    wanted = True if voice else config.guidance.voice
    if wanted is False:
        spoken = voice_off()  # and the services' chooser is not loaded
    else:
        from reminderd.speech.choose import choose as choose_voice  # noqa: PLC0415

        spoken = choose_voice(wanted, children, language=language(), rate=rate)
    log.info("voice: %s, because %s", spoken.speaker.name, spoken.reason)
    server = backend.server
    capabilities = server.capabilities if server else frozenset()
    sounds = choose_cues(config.guidance.sounds, capabilities, children)
    log.info("sounds: %s, because %s", sounds.cues.name, sounds.reason)
    return Ports(backend, watch, spoken, sounds)


def _dnd(choice: Choice) -> DndWatch:
    """The do-not-disturb switch of the notification server in use, if there is one."""
    if choice.server is None:
        return DndWatch(None, said("no notification server to ask"))
    source, reason = dnd.choose(choice.server.server_name, choice.server.bus)
    log.info("do not disturb: %s, because %s", source.name, reason)
    return DndWatch(source, reason)


def choose_presence(config: Config, old: Presence | None = None) -> Presence:
    """Idle awareness, if the config asks for it (away, natural breaks, the soft start)
    and an idle source answers here; ``old``'s source is kept across a reload."""
    pause, natural = config.schedule.pause_when_idle, config.schedule.natural_break
    soft_start = config.schedule.soft_start != 0  # waiting for a pause in typing
    if not (pause or natural or soft_start):
        why = said("off: pause_when_idle, natural_break and soft_start are not set")
        return Presence(None, None, None, why)
    if old and old.source:
        return Presence(old.source, pause, natural, old.note)
    from reminderd import idle  # noqa: PLC0415 - only when idle awareness is asked for

    # The idle times the config compares against (a Wayland source tells only those):
    # away, natural breaks and their sampling, and the soft start's pause in typing.
    typing = TYPING_PAUSE if soft_start else None
    watched = tuple(t for t in (typing, pause, natural, natural / 2 if natural else None) if t)
    source, note = idle.detect(thresholds=watched)
    if source:
        log.info("idle awareness: %s", note)
    else:
        log.warning("idle awareness is off: %s", note)
    return Presence(source, pause, natural, note if source else said("off: {why}", why=note))
