"""Two real Syncthing instances on this machine, sharing one folder: the harness the
end-to-end tests use, and the setup docs/sync.md describes step by step.

Each instance has a home of its own (its keys, its config.xml, its database) and listens
on a localhost port; global discovery, local discovery, relays, NAT traversal, usage
reports and upgrades are off, so nothing leaves the machine. Each knows the other's
device ID; instance A has B's address (tcp://127.0.0.1:PORT) and B waits for A to call
(two instances dialling each other at the same moment can stall their handshake for 20
seconds in Syncthing 1.19). The folder is shared with both and watched by Syncthing's own
file watcher with a delay of one second (the default is ten), so a file crosses in about
a second. Everything the instances are asked goes through the REST API with its key.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

FOLDER_ID = "reminderd"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Instance:
    """One Syncthing: its home, its shared folder, its ports and API key, its process."""

    name: str
    home: Path
    folder: Path
    port: int = field(default_factory=free_port)
    gui: int = field(default_factory=free_port)
    key: str = field(default_factory=lambda: os.urandom(16).hex())
    device: str = ""
    process: subprocess.Popen[bytes] | None = None

    def generate(self) -> None:
        """Keys and a device ID (``syncthing generate``)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".stfolder").mkdir(exist_ok=True)  # Syncthing's marker
        subprocess.run(
            ["syncthing", "generate", "--home", str(self.home), "--no-default-folder"],
            check=True,
            capture_output=True,
            timeout=30,
        )
        shown = subprocess.run(
            ["syncthing", "serve", "--home", str(self.home), "--device-id"],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        self.device = shown.stdout.strip()

    def write_config(self, peer: Instance, dial: bool, rescan: int) -> None:
        """config.xml: the shared folder, both devices, localhost only."""
        address = f"tcp://127.0.0.1:{peer.port}" if dial else "dynamic"
        devices = "\n".join(
            f'  <device id="{d.device}" name="{d.name}" compression="metadata">'
            f"<address>{a}</address><paused>false</paused></device>"
            for d, a in ((self, "dynamic"), (peer, address))
        )
        self.home.joinpath("config.xml").write_text(
            f"""<configuration version="36">
  <folder id="{FOLDER_ID}" label="reminderd" path={quoteattr(str(self.folder))} type="sendreceive"
          rescanIntervalS="{rescan}" fsWatcherEnabled="true" fsWatcherDelayS="1">
    <device id="{self.device}"></device>
    <device id="{peer.device}"></device>
    <filesystemType>basic</filesystemType>
    <markerName>.stfolder</markerName>
    <maxConflicts>10</maxConflicts>
  </folder>
{devices}
  <gui enabled="true" tls="false">
    <address>127.0.0.1:{self.gui}</address>
    <apikey>{self.key}</apikey>
  </gui>
  <options>
    <listenAddress>tcp://127.0.0.1:{self.port}</listenAddress>
    <globalAnnounceEnabled>false</globalAnnounceEnabled>
    <localAnnounceEnabled>false</localAnnounceEnabled>
    <relaysEnabled>false</relaysEnabled>
    <natEnabled>false</natEnabled>
    <startBrowser>false</startBrowser>
    <urAccepted>-1</urAccepted>
    <crashReportingEnabled>false</crashReportingEnabled>
    <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
    <reconnectionIntervalS>1</reconnectionIntervalS>
  </options>
</configuration>
"""
        )

    def start(self, log: Path) -> None:
        env = {
            **os.environ,
            "HOME": str(self.home),
            "STNOUPGRADE": "1",
            # Skip the start-up benchmark of SHA-256 implementations (about a second).
            "STHASHING": "standard",
        }
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    "syncthing",
                    "serve",
                    "--home",
                    str(self.home),
                    "--no-browser",
                    "--no-restart",
                    "--no-upgrade",
                    "--logflags=3",
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def api(self, path: str, method: str = "GET", body: Any = None, timeout: float = 5.0) -> Any:
        """One REST API call; the reply's JSON (None when it has none)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.gui}{path}",
            method=method,
            headers={"X-API-Key": self.key, "Content-Type": "application/json"},
            data=json.dumps(body).encode() if body is not None else None,
        )
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - localhost
            body = reply.read()
        return json.loads(body) if body.strip() else None

    def connected(self) -> bool:
        try:
            connections = self.api("/rest/system/connections")["connections"]
        except (OSError, urllib.error.URLError, ValueError):
            return False
        return any(entry.get("connected") for entry in connections.values())

    def scanned(self, name: str, text: str) -> bool:
        """Whether this instance has scanned ``name`` as it is now (its size in its index)."""
        try:
            entry = self.api(f"/rest/db/file?folder={FOLDER_ID}&file={name}")
        except (OSError, urllib.error.URLError, ValueError):
            return False
        return bool(entry and entry.get("local", {}).get("size") == len(text.encode()))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class Pair:
    """Instances A and B sharing one folder: A's folder and B's folder are kept alike."""

    def __init__(self, root: Path, rescan: int = 60) -> None:
        self.root = root
        self.a = Instance("a", root / "a" / "syncthing", root / "a" / "Sync")
        self.b = Instance("b", root / "b" / "syncthing", root / "b" / "Sync")
        self.rescan = rescan

    def start(self, timeout: float = 30.0) -> None:
        if not shutil.which("syncthing"):
            msg = "syncthing is not installed (apt-get install syncthing)"
            raise FileNotFoundError(msg)
        for instance in (self.a, self.b):
            instance.generate()
        self.a.write_config(self.b, dial=True, rescan=self.rescan)
        self.b.write_config(self.a, dial=False, rescan=self.rescan)
        for instance in (self.a, self.b):
            instance.start(self.root / f"syncthing-{instance.name}.log")
        deadline = time.monotonic() + timeout
        while not (self.a.connected() and self.b.connected()):
            if time.monotonic() > deadline:
                msg = f"the two Syncthing instances did not connect within {timeout} s"
                raise TimeoutError(msg)
            time.sleep(0.1)

    def pause_link(self, paused: bool) -> None:
        """Pause (or resume) each instance's connection to the other, through the REST API:
        files changed meanwhile on both sides meet as a conflict when it resumes."""
        for instance, peer in ((self.a, self.b), (self.b, self.a)):
            action = "pause" if paused else "resume"
            instance.api(f"/rest/system/{action}?device={peer.device}", method="POST")

    def stop(self) -> None:
        for instance in (self.a, self.b):  # both at once: each takes a second to close
            if instance.process and instance.process.poll() is None:
                instance.process.terminate()
        for instance in (self.a, self.b):
            instance.stop()
