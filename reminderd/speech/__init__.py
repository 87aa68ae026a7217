"""Spoken steps: what a person hears, and the speech services that say it.

The port and its data are in ``port``; what is said at each step in ``lines``; how long a
line takes in ``timing``; one file per service (``espeak``, ``dispatcher`` with its
protocol client ``ssip``, ``command`` for ``say``, SAPI and a command of the person's own);
and the chooser in ``choose``. Every service speaks in processes of its own
(``children``), started without waiting: the loop never blocks on a voice, and nothing of
it is loaded into the idle daemon. A service that is missing or fails is logged once;
guidance goes on silently.
"""

from __future__ import annotations

from reminderd.speech.lines import Beat, beats, intro_words, words
from reminderd.speech.port import Silent, Speaker, VoiceChoice

__all__ = ["Beat", "Silent", "Speaker", "VoiceChoice", "beats", "intro_words", "words"]
