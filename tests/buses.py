"""A private D-Bus session bus for tests and the benchmark: no service folders, so that
nothing auto-starts, a policy that lets every connection of this user talk, and the limits
of a real session bus."""

from __future__ import annotations

import subprocess
from pathlib import Path

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
    <allow user="*"/>
  </policy>
  <!-- The limits of a desktop's session bus (Debian's session.conf), far above
       dbus-daemon's own defaults: what another program can really send the daemon,
       ten thousand calls in flight or a message of a gigabyte. -->
  <limit name="max_incoming_bytes">1000000000</limit>
  <limit name="max_outgoing_bytes">1000000000</limit>
  <limit name="max_message_size">1000000000</limit>
  <limit name="max_match_rules_per_connection">50000</limit>
  <limit name="max_replies_per_connection">50000</limit>
</busconfig>
"""


def start_dbus(
    folder: Path, name: str = "bus", env: dict[str, str] | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    """Start dbus-daemon with its socket in ``folder``; return its address and process."""
    config = folder / f"{name}.conf"
    config.write_text(BUS_CONFIG.format(socket=folder / name))
    process = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdout is not None
    return process.stdout.readline().decode().strip(), process
