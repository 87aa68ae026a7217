"""A real GNOME Shell for end-to-end tests: headless, on private buses, in unsafe mode so
that the tests can read what its banners show (org.gnome.Shell.Eval) and take pictures of
the screen (org.gnome.Shell.Screenshot).

The session bus's service folder holds only GNOME's own services, so that no other
notification server (dunst, say) is started in the shell's place; a second private bus
stands in for the system bus; the shell runs in a mount namespace of its own with an empty
/run/systemd, so that it uses its login manager for machines without systemd.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.buses import BUS_CONFIG

SERVICES = Path("/usr/share/dbus-1/services")
GNOME_SERVICES = ("org.gnome.", "ca.desrt.dconf", "org.a11y.")

# What a banner shows: its title, its body, and how many characters of the body fit before
# Pango's "…" (the widest prefix that fits beside the ellipsis in the label's width).
BANNER_JS = """
(() => {
    const Pango = imports.gi.Pango;
    const banner = Main.messageTray._banner;
    if (!banner) return null;
    const text = banner.bodyLabel.actor.clutter_text;
    const width = text.get_width();
    const probe = text.get_layout().copy();
    probe.set_ellipsize(Pango.EllipsizeMode.NONE);
    probe.set_width(-1);
    const measure = s => { probe.set_text(s, -1); return probe.get_pixel_size()[0]; };
    const body = text.text;
    let shown = body.length;
    if (text.get_layout().is_ellipsized()) {
        const dots = measure("\\u2026");
        shown = 0;
        for (let i = 1; i <= body.length; i++)
            if (measure(body.slice(0, i)) + dots <= width) shown = i;
    }
    return {
        shown_fully: Main.messageTray._notificationState === 2,  // State.SHOWN: slid in
        title: banner.titleLabel.text,
        title_cut: banner.titleLabel.clutter_text.get_layout().is_ellipsized(),
        // Glyphs no installed font has (drawn as boxes): in the title and in the body.
        unknown: banner.titleLabel.clutter_text.get_layout().get_unknown_glyphs_count()
            + text.get_layout().get_unknown_glyphs_count(),
        body: body,
        shown: shown,
        visible: body.slice(0, shown),
    };
})()
"""

LISTED_JS = """
Main.messageTray.getSources()
    .filter(source => source.title === "reminderd")
    .flatMap(source => source.notifications.map(n => n.title))
"""

QUEUE_JS = "Main.messageTray._notificationQueue.map(n => n.title)"

# GNOME's own notices for a session run as root ("Logged in as a privileged user"); they
# would stand in the banner's queue before the notifications under test.
CLEAR_OWN_JS = """
(() => {
    Main.messageTray.getSources()
        .filter(source => source.title !== "reminderd")
        .forEach(source => source.destroy());
    return true;
})()
"""


def missing() -> str | None:
    """Why GNOME Shell cannot run here, or None."""
    for program in ("gnome-shell", "dbus-daemon", "unshare"):
        if not shutil.which(program):
            return f"{program} is not installed (apt-get install gnome-shell dbus-daemon)"
    if os.geteuid() != 0:
        return "the shell needs a mount namespace of its own (unshare -m), which needs root"
    return None


class GnomeShell:
    """gnome-shell --headless on two private buses; ``eval`` reads its state."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="rd-gs-", dir="/tmp"))
        self.processes: list[subprocess.Popen[bytes]] = []
        self.address = ""
        self.conn: Any = None

    def start(self, timeout: float = 60.0) -> None:
        services = self.folder / "services"
        services.mkdir()
        for service in SERVICES.glob("*.service"):
            if service.name.startswith(GNOME_SERVICES):
                shutil.copy(service, services)
        self.address = self._bus("session", f"<servicedir>{services}</servicedir>")
        system = self._bus("system", "")
        runtime, home = self.folder / "runtime", self.folder / "home"
        runtime.mkdir(mode=0o700)
        home.mkdir()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DBUS_", "XDG_", "DISPLAY", "WAYLAND_"))
        }
        env.update(
            DBUS_SESSION_BUS_ADDRESS=self.address,
            DBUS_SYSTEM_BUS_ADDRESS=system,
            XDG_RUNTIME_DIR=str(runtime),
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            XDG_CACHE_HOME=str(home / ".cache"),
        )
        script = (
            "mount -t tmpfs tmpfs /run/systemd 2>/dev/null; exec gnome-shell --headless "
            "--wayland --no-x11 --virtual-monitor 1280x800 --unsafe-mode"
        )
        log = (self.folder / "shell.log").open("wb")
        self.processes.append(
            subprocess.Popen(
                ["unshare", "-m", "sh", "-c", script],
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        )
        from jeepney.io.blocking import open_dbus_connection

        self.conn = open_dbus_connection(self.address)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.eval("!Main.layoutManager._startingUp") is True:
                    break
            except RuntimeError:
                pass
            if time.monotonic() > deadline or self.processes[-1].poll() is not None:
                tail = (self.folder / "shell.log").read_text(errors="replace")[-2000:]
                msg = f"GNOME Shell did not start:\n{tail}"
                raise RuntimeError(msg)
            time.sleep(0.2)
        self.clear()

    def _bus(self, name: str, extra: str) -> str:
        config = self.folder / f"{name}.conf"
        text = BUS_CONFIG.format(socket=self.folder / name).replace(
            "<type>session</type>", f"<type>{name}</type>"
        )
        config.write_text(text.replace("<auth>EXTERNAL</auth>", f"<auth>EXTERNAL</auth>{extra}"))
        process = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the services it starts share its group: all end at stop
        )
        self.processes.append(process)
        assert process.stdout is not None
        return process.stdout.readline().decode().strip()

    def call(
        self, name: str, path: str, interface: str, method: str, signature: str = "", *args: Any
    ) -> tuple[Any, ...]:
        from jeepney import DBusAddress, MessageType, new_method_call

        target = DBusAddress(path, bus_name=name, interface=interface)
        reply = self.conn.send_and_get_reply(
            new_method_call(target, method, signature or None, args), timeout=10
        )
        if reply.header.message_type == MessageType.error:
            msg = f"{method}: {reply.body}"
            raise RuntimeError(msg)
        return tuple(reply.body)

    def eval(self, script: str) -> Any:
        """Run JavaScript inside the shell and return its value (as JSON)."""
        ok, result = self.call(
            "org.gnome.Shell",
            "/org/gnome/Shell",
            "org.gnome.Shell",
            "Eval",
            "s",
            f"JSON.stringify({script.strip()})",
        )
        if not ok:
            msg = f"Eval failed: {result}"
            raise RuntimeError(msg)
        return json.loads(json.loads(result)) if result else None

    def banner(self) -> dict[str, Any] | None:
        value = self.eval(BANNER_JS)
        return dict(value) if value else None

    def listed(self) -> list[str]:
        """Titles of reminderd's notifications kept in the shell (the list, the tray)."""
        return list(self.eval(LISTED_JS))

    def queue(self) -> list[str]:
        return list(self.eval(QUEUE_JS))

    def clear(self) -> None:
        self.eval(CLEAR_OWN_JS)

    def screenshot(self, path: Path) -> Path:
        ok, used = self.call(
            "org.gnome.Shell.Screenshot",
            "/org/gnome/Shell/Screenshot",
            "org.gnome.Shell.Screenshot",
            "Screenshot",
            "bbs",
            False,
            False,
            str(path),
        )
        assert ok, used
        return Path(used)

    def screenshot_area(self, path: Path, x: int, y: int, width: int, height: int) -> Path:
        """A picture of part of the screen (a PNG), without the flash."""
        ok, used = self.call(
            "org.gnome.Shell.Screenshot",
            "/org/gnome/Shell/Screenshot",
            "org.gnome.Shell.Screenshot",
            "ScreenshotArea",
            "iiiibs",
            x,
            y,
            width,
            height,
            False,
            str(path),
        )
        assert ok, used
        return Path(used)

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        for process in reversed(self.processes):
            # The whole group: the shell's helpers and the services the buses started.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        shutil.rmtree(self.folder, ignore_errors=True)
