"""Spoken steps: what a person hears, and the speech services that say it.

The port and its data are in ``port``; what is said at each step in ``lines``; how long a
line takes in ``timing``; one file per service (``espeak``, ``dispatcher`` with its
protocol client ``ssip``, ``command`` for ``say``, SAPI and a command of the person's own);
and the chooser in ``choose``. Every service speaks in processes of its own
(``children``), started without waiting: the loop never blocks on a voice, and nothing of
it is loaded into the idle daemon. A service that is missing or fails is logged once;
guidance goes on silently.

Every name below is read from its module on first use: the idle daemon holds the port,
not the lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reminderd.lazy import exports

if TYPE_CHECKING:
    from reminderd.speech.lines import Beat, beats, intro_words, words
    from reminderd.speech.port import Silent, Speaker, VoiceChoice

_HOMES = {
    "Beat": "lines",
    "beats": "lines",
    "intro_words": "lines",
    "words": "lines",
    "Silent": "port",
    "Speaker": "port",
    "VoiceChoice": "port",
}

__all__ = ["Beat", "Silent", "Speaker", "VoiceChoice", "beats", "intro_words", "words"]

if not TYPE_CHECKING:  # mypy reads the imports above, and still finds a misspelt name
    __getattr__ = exports(__name__, _HOMES)
