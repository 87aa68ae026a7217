"""A headless PipeWire for tests: pipewire, wireplumber and pipewire-pulse with a private
``XDG_RUNTIME_DIR`` and the test's private session bus, and a null sink named ``nul`` that
everything plays into by default. Record its monitor to hear what the speakers would
play; a running ``pw-record`` is what a call's microphone looks like to PipeWire.

No sound card is involved: the null sink is a real PipeWire node that consumes audio at
the real rate, so players and speech take as long as they would on a desk. ``start_speech``
adds the desktop's speech service, speech-dispatcher, playing into the same sink.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from tests.conftest import Bus, wait_for

PROGRAMS = ("pipewire", "wireplumber", "pipewire-pulse", "pactl", "parec", "pw-record", "pw-dump")
SINK = "nul"


PLAYER_START = 0.02  # seconds from starting pw-play to its sound on the monitor (13-29 ms)


class PipeWire:
    """A private PipeWire server, its session manager and its PulseAudio front end."""

    def __init__(self, folder: Path, bus: Bus) -> None:
        self.folder = folder
        self.runtime = folder / "pw"
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(folder),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_CONFIG_HOME": str(folder / "config"),
            "XDG_STATE_HOME": str(folder / "state"),
            "DBUS_SESSION_BUS_ADDRESS": bus.address,
            # No real devices: wireplumber must not look for ALSA, Bluetooth or cameras.
            "PIPEWIRE_LOG_SYSTEMD": "false",
            "DISABLE_RTKIT": "1",
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self._log: BinaryIO | None = None
        self.speech_socket = self.runtime / "speech-dispatcher" / "speechd.sock"

    def start(self) -> None:
        missing = [p for p in PROGRAMS if not shutil.which(p)]
        if missing:
            pytest.skip(
                f"{', '.join(missing)} not installed (apt-get install pipewire pipewire-bin"
                " wireplumber pipewire-pulse pulseaudio-utils)"
            )
        self.runtime.mkdir(mode=0o700)
        # The servers' own log, for a test that fails; open for as long as they run.
        self._log = log = (self.folder / "pipewire.log").open("ab")
        self.processes.append(self._spawn(["pipewire"], log))
        wait_for((self.runtime / "pipewire-0").exists, timeout=10)
        self.processes.append(self._spawn(["wireplumber"], log))
        # pipewire-pulse makes its folder unless it is there (stat, then mkdir), and gives
        # up if another makes it in between: the first `pactl info` below, whose client
        # library makes the same folder. Made here first, nobody races for it.
        (self.runtime / "pulse").mkdir(mode=0o700)
        self.processes.append(self._spawn(["pipewire-pulse"], log))
        try:
            wait_for(lambda: self.pactl("info").returncode == 0, timeout=15, interval=0.1)
        except pytest.fail.Exception:
            log.flush()
            said = (self.folder / "pipewire.log").read_text(errors="replace")[-3000:]
            info = self.pactl("info")
            running = [p.args for p in self.processes if p.poll() is None]
            pytest.fail(
                f"pipewire-pulse did not answer in 15 s; running: {running};"
                f" pactl info: {info.returncode} {info.stderr.strip()}; the servers' log:\n{said}"
            )
        loaded = self.pactl("load-module", "module-null-sink", f"sink_name={SINK}")
        assert loaded.returncode == 0, loaded.stderr
        self.pactl("set-default-sink", SINK)
        wait_for(lambda: SINK in self.pactl("list", "short", "sinks").stdout, timeout=10)

    def _spawn(self, argv: list[str], log: BinaryIO) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def pactl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", *args], check=False, env=self.env, capture_output=True, text=True, timeout=10
        )

    def record(
        self, path: Path, target: str = f"{SINK}.monitor", rate: int = 48000, channels: int = 2
    ) -> subprocess.Popen[bytes]:
        """Start recording ``target`` (by default what the speakers play) into a 16-bit WAV
        file; stop it with ``stop_recording``. While it runs it is also a microphone in use."""
        argv = ["pw-record", "--target", target, "--rate", str(rate), "--channels", str(channels)]
        return self._recording([*argv, str(path)], path)

    def _recording(self, argv: list[str], path: Path) -> subprocess.Popen[bytes]:
        """``argv`` started, once its file has sound in it (more than a WAV header); if none
        comes in 15 s, a failure that says what the recorder and the servers said."""
        said = path.with_suffix(".log")
        with said.open("wb") as out:
            process = subprocess.Popen(argv, env=self.env, stdout=out, stderr=out)
        try:
            wait_for(lambda: path.exists() and path.stat().st_size > 44, timeout=15)
        except pytest.fail.Exception:
            if self._log:
                self._log.flush()
            servers = (self.folder / "pipewire.log").read_text(errors="replace")[-3000:]
            exited = process.poll()
            process.kill()
            process.wait()
            pytest.fail(
                f"{argv[0]} recorded nothing in 15 s (exit {exited}, file"
                f" {path.stat().st_size if path.exists() else 'missing'}); it said:"
                f" {said.read_text(errors='replace')[-2000:]!r}; sinks:"
                f" {self.pactl('list', 'short', 'sinks').stdout!r}; the servers' log:\n{servers}"
            )
        return process

    def record_synced(self, path: Path, click: Path, rate: int = 16000) -> SyncedRecording:
        """Record what the speakers play, in mono, beginning with ``click`` played at a
        known moment, by which the recording's times are set against the monotonic clock
        (to within the player's start, about 20 ms, measured: see ``PLAYER_START``)."""
        # parec, through the pulse server, not pw-record: under load (three busy processes
        # on two cores) pw-record dropped buffers and its recording lost 3.6 % of the time
        # (1.8 s in 50), while parec's server-side buffer kept it to within 12 ms.
        argv = ["parec", "--device", f"{SINK}.monitor", "--rate", str(rate), "--channels", "1"]
        argv += ["--format", "s16le", "--file-format=wav", "--latency-msec", "200", str(path)]
        process = self._recording(argv, path)
        time.sleep(0.3)  # the recorder's stream settles: its first buffers come late
        began = time.monotonic()
        subprocess.run(["pw-play", str(click)], env=self.env, check=True, timeout=10)
        return SyncedRecording(self, process, path, began, click)

    def start_speech(self) -> None:
        """speech-dispatcher on this server's runtime folder, where its clients look for it,
        with its espeak-ng module; it plays into the null sink like everything else."""
        if not shutil.which("speech-dispatcher"):
            pytest.skip(
                "speech-dispatcher is not installed"
                " (apt-get install speech-dispatcher speech-dispatcher-espeak-ng)"
            )
        assert self._log is not None
        self.speech_socket.parent.mkdir(mode=0o700, exist_ok=True)
        argv = ["speech-dispatcher", "--run-single", "--timeout", "0"]
        argv += ["--communication-method", "unix_socket", "--socket-path", str(self.speech_socket)]
        self.processes.append(self._spawn(argv, self._log))
        wait_for(self.speech_socket.exists, timeout=10)

    def stop_recording(self, process: subprocess.Popen[bytes]) -> None:
        process.terminate()  # pw-record finishes the WAV header on SIGTERM
        process.wait(5)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                # Its group: speech-dispatcher's modules (sd_espeak-ng) with it.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self._log:
            self._log.close()


class SyncedRecording:
    """A recording that began with a click played at ``clicked`` (monotonic)."""

    def __init__(
        self,
        server: PipeWire,
        process: subprocess.Popen[bytes],
        path: Path,
        clicked: float,
        click: Path,
    ) -> None:
        self.server, self.process, self.path = server, process, path
        self.clicked, self.click, self.clicked_last = clicked, click, clicked

    def stop(self) -> None:
        """Play the click again, then stop: the two clicks set the recording's timeline."""
        self.clicked_last = time.monotonic()
        subprocess.run(["pw-play", str(self.click)], env=self.server.env, check=True, timeout=10)
        time.sleep(0.3)  # the click reaches the file through the recorder's buffer
        self.server.stop_recording(self.process)

    def timeline(self, first_heard: float, last_heard: float) -> Callable[[float], float]:
        """Where in the recording (seconds) a monotonic moment falls, from where the two
        clicks were heard in it. Under load the null sink's clock runs a little slow (it
        lost 0.3 to 0.5 s in 55 s on a busy 2-core machine, evenly), so the recording is
        mapped onto the monotonic clock by both clicks, not by its start alone."""
        scale = (last_heard - first_heard) / (self.clicked_last - self.clicked)
        # A clock a few per cent off is what load does, and the mapping corrects it (two
        # suites on the same two cores gave 1.038); a click found in the wrong place
        # gives a scale far from 1.
        assert abs(scale - 1) < 0.06, f"the recording ran {scale:.3f} times as fast as time"
        return lambda moment: first_heard + (moment - self.clicked - PLAYER_START) * scale
