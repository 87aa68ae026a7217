"""A headless PipeWire for tests: pipewire, wireplumber and pipewire-pulse with a private
``XDG_RUNTIME_DIR`` and the test's private session bus, and a null sink named ``nul`` that
everything plays into by default. Record its monitor to hear what the speakers would
play; a running ``pw-record`` is what a call's microphone looks like to PipeWire.

No sound card is involved: the null sink is a real PipeWire node that consumes audio at
the real rate, so players and speech take as long as they would on a desk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import BinaryIO

import pytest

from tests.conftest import Bus, wait_for

PROGRAMS = ("pipewire", "wireplumber", "pipewire-pulse", "pactl", "pw-record", "pw-dump")
SINK = "nul"


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
        self.processes.append(self._spawn(["pipewire-pulse"], log))
        wait_for(lambda: self.pactl("info").returncode == 0, timeout=15, interval=0.1)
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

    def record(self, path: Path, target: str = f"{SINK}.monitor") -> subprocess.Popen[bytes]:
        """Start recording ``target`` (by default what the speakers play) into a WAV file;
        stop it with ``stop_recording``. While it runs it is also a microphone in use."""
        process = subprocess.Popen(
            ["pw-record", "--target", target, str(path)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: path.exists() and path.stat().st_size > 44, timeout=10)
        return process

    def stop_recording(self, process: subprocess.Popen[bytes]) -> None:
        process.terminate()  # pw-record finishes the WAV header on SIGTERM
        process.wait(5)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 5
        for process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log:
            self._log.close()
