"""Which player plays the cues, chosen by what really plays here: a PipeWire server for
``pw-play``, a PulseAudio server (PulseAudio itself, or PipeWire's pulse server) for
``paplay``; ``afplay`` on macOS. An installed player with no server to play on would fail
on every cue, so it is not chosen."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from reminderd.children import Children
from reminderd.cues import FOLDER, CueChoice, NoCues
from reminderd.cues.players import PlayerCues
from reminderd.i18n.said import said, said_join
from reminderd.paths import on_path


def pipewire_server(env: Mapping[str, str]) -> str | None:
    """The PipeWire server's socket, if one is listening here (as libpipewire finds it)."""
    folder = env.get("PIPEWIRE_RUNTIME_DIR") or env.get("XDG_RUNTIME_DIR") or ""
    remote = env.get("PIPEWIRE_REMOTE") or "pipewire-0"
    path = remote if remote.startswith("/") else os.path.join(folder, remote)
    return path if folder and _socket(path) else None


def pulse_server(env: Mapping[str, str]) -> str | None:
    """The PulseAudio server, if one is here: ``PULSE_SERVER``, or the socket in the
    runtime folder."""
    if env.get("PULSE_SERVER"):
        return env["PULSE_SERVER"]
    runtime = env.get("XDG_RUNTIME_DIR", "")
    folder = env.get("PULSE_RUNTIME_PATH") or (os.path.join(runtime, "pulse") if runtime else "")
    path = os.path.join(folder, "native")
    return path if folder and _socket(path) else None


def _socket(path: str) -> bool:
    import stat  # noqa: PLC0415 - only a daemon with sounds on asks

    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False


Players = list[tuple[str, tuple[str, ...]]]


def players(env: Mapping[str, str], platform: str = sys.platform) -> tuple[Players, list[str]]:
    """The players that can play here, best first, and why each other one cannot."""
    found: Players = []
    why_not: list[str] = []
    candidates: list[tuple[str, str | None]]
    if platform == "darwin":
        candidates = [("afplay", None)]
    else:
        candidates = [("pw-play", pipewire_server(env)), ("paplay", pulse_server(env))]
    for name, server in candidates:
        if not on_path(name):
            why_not.append(said("no {player}", player=name))
        elif platform != "darwin" and server is None:
            what = "PipeWire" if name == "pw-play" else "PulseAudio"
            why_not.append(said("{player}: no {server} server here", player=name, server=what))
        else:
            found.append((name, (name,)))
    return found, why_not


def choose(
    enabled: bool,
    server_capabilities: frozenset[str],
    children: Children,
    env: Mapping[str, str] | None = None,
    platform: str = sys.platform,
) -> CueChoice:
    """Cues through the notification server where it plays sounds, else a player that can
    play here."""
    if not enabled:
        return CueChoice(NoCues(), False, said("off ([guidance] sounds = false)"))
    if not Path(FOLDER).is_dir():
        missing = said("off: the sound files are missing from {folder}", folder=str(FOLDER))
        return CueChoice(NoCues(), False, missing)
    if "sound" in server_capabilities:
        by_server = said("the notification server plays them (sound-file hint)")
        return CueChoice(NoCues(), True, by_server)
    found, why_not = players(os.environ if env is None else env, platform)
    if not found:
        return CueChoice(NoCues(), False, said("off: {why}", why=said_join("; ", why_not)))
    name = found[0][0]
    server = {
        "pw-play": said("a PipeWire server is here"),
        "paplay": said("a PulseAudio server is here"),
    }
    why = server.get(name) or said("macOS's own player")
    if why_not:
        why = said("{why} ({others})", why=why, others=said_join("; ", why_not))
    return CueChoice(PlayerCues(found, children), False, why)
