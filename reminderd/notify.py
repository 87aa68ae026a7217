"""Notification backends: freedesktop (D-Bus), plyer (portable) and console, behind one protocol.

On Linux the default speaks the freedesktop Notifications protocol directly over the session
bus, because a guided routine changes its step every few seconds and only that protocol can
replace a notification in place (``replaces_id``), expire it on time and offer actions.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import sys
import time
import warnings
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from reminderd.bus import CALL_TIMEOUT, Bus, BusError, session_bus_address
from reminderd.errors import NotifyError
from reminderd.markup import body as text_for
from reminderd.markup import plain, reads_markup

log = logging.getLogger("reminderd")

APP_NAME = "reminderd"
BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
DONE_EXPIRY = 8.0  # seconds a closing notification stays when nothing replaces it
# A notification server that does not answer within NOTIFY_TIMEOUT is left alone for
# STALL_BACKOFF: steps go to the fallback meanwhile, so that a frozen server costs the loop
# a fraction of a second every half minute, not two seconds per step.
NOTIFY_TIMEOUT = 1.0
STALL_BACKOFF = 30.0


@dataclass(frozen=True, slots=True)
class Note:
    """What one notification says, and for how long it matters."""

    summary: str
    body: str
    seconds: float = 0.0
    actions: tuple[tuple[str, str], ...] = ()  # (key, label)
    urgency: int = 1
    final: bool = False
    sound: str = ""  # a sound theme name, for servers that play sounds (sound-name hint)
    image: str = ""  # the step's picture: the absolute path of a PNG file that exists
    sticky: bool = False  # stays until the person closes it (the safety note)

    @property
    def expiry_ms(self) -> int:
        if self.sticky:
            return 0  # the specification's "never expire"
        # A step's notification outlives its step by a second so that the next one
        # replaces it in place instead of following a gap.
        seconds = DONE_EXPIRY if self.final or self.seconds <= 0 else self.seconds + 1.0
        return int(seconds * 1000)


class Notifier(Protocol):
    """The port through which the guide and the core show notifications.

    ``capabilities`` are the server's (freedesktop names: "actions", "body", "sound", ...),
    where "actions" means buttons a person can press; "default-action" (reminderd's own
    name) means only a click on the notification can be answered. ``failing`` is true
    while notifications do not reach a person (buttons are then not offered, since nobody
    could press them).
    """

    @property
    def name(self) -> str: ...

    @property
    def capabilities(self) -> frozenset[str]: ...

    @property
    def failing(self) -> bool: ...

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        """Show ``note``, in place of notification ``replaces`` if given; return its id."""

    def close(self, notification_id: int | None) -> None:
        """Withdraw a notification shown earlier (no error if it is already gone)."""


@dataclass
class NullNotifier:
    """Shows nothing, remembers everything: for ``plan`` and for tests."""

    name: str = "none"
    shown: list[Note] = field(default_factory=list)
    closed: list[int | None] = field(default_factory=list)
    capabilities: frozenset[str] = frozenset()
    failing: bool = False

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        self.shown.append(note)
        return len(self.shown)

    def close(self, notification_id: int | None) -> None:
        self.closed.append(notification_id)


class ConsoleNotifier:
    """Writes each step as a line of text, for a terminal or a log."""

    name = "console"
    capabilities: frozenset[str] = frozenset()
    failing = False

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        length = f" [{note.seconds:g} s]" if note.seconds > 0 else ""
        try:
            self._write(f"{note.summary}: {note.body}{length}")
        except (OSError, ValueError) as error:  # a closed or broken stdout
            raise NotifyError(f"cannot write to the console: {error}") from error
        return None

    def close(self, notification_id: int | None) -> None:
        return None


class FreedesktopNotifier:
    """The org.freedesktop.Notifications protocol over the session bus, through jeepney."""

    name = "freedesktop"

    def __init__(self, address: str | None = None) -> None:
        self.bus = Bus(address, timeout=NOTIFY_TIMEOUT)
        self.server = ""  # "dunst 1.9.0", for people
        self.server_name = ""  # "dunst", as the server names itself, for choosing by it
        self._stalled_until = 0.0  # monotonic time before which the server is not called
        self.capabilities: frozenset[str] = frozenset()
        self.buttons_note: str | None = None  # why the server's buttons cannot be pressed

    @property
    def failing(self) -> bool:
        return time.monotonic() < self._stalled_until

    def call(
        self,
        method: str,
        signature: str = "",
        args: tuple[Any, ...] = (),
        interface: str = BUS_NAME,
    ) -> tuple[Any, ...]:
        """One call to the notification server; failures become NotifyError. A server that
        did not answer in time is not called again for STALL_BACKOFF seconds."""
        now = time.monotonic()
        if now < self._stalled_until:
            wait = self._stalled_until - now
            msg = f"the notification server did not answer; trying again in {wait:.0f} s"
            raise NotifyError(msg)
        try:
            return self.bus.call(
                BUS_NAME, OBJECT_PATH, interface, method, signature=signature, args=args
            )
        except BusError as error:
            if isinstance(error.__cause__, TimeoutError):
                self._stalled_until = time.monotonic() + STALL_BACKOFF
            raise NotifyError(str(error)) from None

    def probe(self) -> str | None:
        """None if a notification server answers; otherwise why not, in words."""
        self.bus.timeout = CALL_TIMEOUT  # a server starting with the session may be slow
        try:
            if not self.bus.name_has_owner(BUS_NAME) and BUS_NAME not in self.bus.activatable():
                self.bus.disconnect()
                return "no notification server on the session bus"
            name, vendor, version, _spec = self.call("GetServerInformation")
            self.server_name = str(name)
            self.server = f"{name} {version}".strip() or vendor
            self.capabilities = frozenset(self.call("GetCapabilities")[0])
            self.buttons_note = unreachable_buttons(self.server_name)
            if self.buttons_note:
                # Offered but out of reach: prompts say which command answers them instead,
                # and only the default action (a click on the notification) is sent.
                self.capabilities -= {"actions"}
                self.capabilities |= {"default-action"}
        except (BusError, NotifyError) as error:
            self.bus.disconnect()
            return str(error)
        finally:
            self.bus.timeout = NOTIFY_TIMEOUT
        return None

    def describe(self) -> str:
        found = f"a notification server answers on the session bus ({self.server})"
        if self.buttons_note:
            return f"{found}; no buttons: {self.buttons_note}"
        return found

    # -- Notifier -----------------------------------------------------------------------

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        actions: list[str] = []
        for key, label in note.actions:
            if key == "default" and self.server_name in DEFAULT_AS_BUTTON:
                continue  # it would be a second Start button beside the real one
            if "actions" in self.capabilities or (
                key == "default" and "default-action" in self.capabilities
            ):
                actions += [key, label]
        hints = {
            "urgency": ("y", note.urgency),
            "transient": ("b", True),
            "desktop-entry": ("s", APP_NAME),
        }
        if note.sound and "sound" in self.capabilities:
            hints["sound-name"] = ("s", note.sound)
        if note.image:
            # The spec's image-path: every server tested shows it (docs/pictures.md).
            hints["image-path"] = ("s", file_uri(note.image))
        markup = reads_markup(self.capabilities, self.server_name)
        body = (
            APP_NAME,
            replaces or 0,
            "",
            plain(note.summary),
            text_for(note.body, markup=markup),
            actions,
            hints,
            note.expiry_ms,
        )
        return int(self.call("Notify", "susssasa{sv}i", body)[0])

    def close(self, notification_id: int | None) -> None:
        if notification_id:
            try:
                self.call("CloseNotification", "u", (notification_id,))
            except NotifyError as error:
                log.debug("could not close notification %s: %s", notification_id, error)


class PlyerNotifier:
    """plyer's notification facade, guarded so that it never "succeeds" while nothing shows.

    plyer 2.1 on Linux ignores the timeout with notify-send (every step would stay until
    dismissed), silently switches to the Flatpak portal when ``/app`` exists, ignores
    notify-send's exit status and returns no id. So on Linux it is used only when asked
    for, and only while a notification server is on the session bus.
    """

    name = "plyer"
    capabilities: frozenset[str] = frozenset()
    failing = False

    def __init__(self, platform: str = sys.platform) -> None:
        self._platform = platform

    def probe(self) -> str | None:
        """None if plyer can really deliver here; otherwise why not."""
        if not _importable("plyer"):
            return "the plyer package is not installed"
        if self._platform in ("darwin", "win32"):
            missing = self._platform == "darwin" and not _importable("pyobjus")
            return "plyer needs pyobjus on macOS (pip install pyobjus)" if missing else None
        if Path("/app").is_dir():
            return "plyer would send through the Flatpak portal, which reports no failure"
        if not _importable("dbus") and not on_path("notify-send"):
            return "plyer finds neither dbus-python nor notify-send"
        return FreedesktopNotifier().probe()

    def describe(self) -> str:
        return f"the portable backend can deliver on {self._platform}"

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        if self._platform not in ("darwin", "win32"):
            reason = self.probe()
            if reason:
                raise NotifyError(f"plyer cannot deliver: {reason}")
        from plyer import notification  # noqa: PLC0415

        timeout = max(1, round(note.expiry_ms / 1000))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                notification.notify(
                    title=plain(note.summary),
                    message=plain(note.body),
                    app_name=APP_NAME,
                    timeout=timeout,
                )
        except Exception as error:  # plyer raises whatever its platform layer raises
            raise NotifyError(f"plyer failed: {error!r}") from error
        return None

    def close(self, notification_id: int | None) -> None:
        return None


class NotificationSignals:
    """The notification server's signals (ActionInvoked, NotificationClosed) for the
    daemon's loop: the socket to watch, and what arrived. Kept apart from the Notifier,
    which only shows and closes: a terminal run needs no signals."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self._signals: deque[Any] = deque(maxlen=256)
        bus.on_connect = self._subscribe
        if bus.conn is not None:
            self._subscribe(bus.conn)

    def _subscribe(self, conn: Any) -> None:
        from jeepney import MatchRule  # noqa: PLC0415

        # The server's own signals, and its property changes (Inhibited; dunst's paused):
        # a do-not-disturb that ends releases held reminders at once.
        for interface in (BUS_NAME, "org.freedesktop.DBus.Properties"):
            rule = MatchRule(type="signal", interface=interface, path=OBJECT_PATH)
            # jeepney files matching messages that arrive during a method call here, too.
            conn.filter(rule, queue=self._signals)
            self.bus.subscribe(rule.serialise())

    def fileno(self) -> int | None:
        """The connection's socket, for the daemon's loop; None while not connected."""
        conn = self.bus.conn
        return int(conn.sock.fileno()) if conn is not None else None

    def take(self) -> list[tuple[str, tuple[Any, ...]]]:
        """Signals that have arrived, as (member, body), without waiting."""
        from jeepney import HeaderFields  # noqa: PLC0415

        conn = self.bus.conn
        if conn is not None:
            try:
                while True:
                    conn.recv_messages(timeout=0)
            except TimeoutError:
                pass
            except (OSError, ConnectionError, ValueError):
                self.bus.disconnect()
        signals = []
        while self._signals:
            message = self._signals.popleft()
            signals.append(
                (str(message.header.fields.get(HeaderFields.member)), tuple(message.body))
            )
        return signals


def file_uri(path: str) -> str:
    """``/a b.png`` -> ``file:///a%20b.png``, the one URI scheme the spec's image-path takes
    (urllib.parse would load more into the daemon than this needs)."""
    safe = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.~")
    encoded = "".join(chr(b) if b in safe else f"%{b:02X}" for b in os.fsencode(path))
    return f"file://{encoded}"


def on_path(program: str, path: str | None = None) -> bool:
    """Like shutil.which, without importing shutil (and the compression modules it brings):
    whether ``program`` is an executable in a folder of ``path`` (default: $PATH)."""
    folders = (os.environ.get("PATH", "") if path is None else path).split(os.pathsep)
    return any(os.access(os.path.join(folder, program), os.X_OK) for folder in folders if folder)


def _importable(module: str) -> bool:
    """Whether ``module`` could be imported, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: in sys.modules as None
        return False


class FallbackNotifier:
    """Uses ``primary`` while it works; when it fails, logs once and shows on ``fallback``.

    Every later notification tries ``primary`` again first, so a notification server that
    comes back (a restarted desktop shell) is used again without restarting reminderd.
    """

    def __init__(self, primary: Notifier, fallback: Notifier, *, failing: bool = False) -> None:
        self.primary = primary
        self.fallback = fallback
        self._failing = failing

    @property
    def name(self) -> str:
        return self.primary.name

    @property
    def capabilities(self) -> frozenset[str]:
        return self.primary.capabilities

    @property
    def failing(self) -> bool:
        return self._failing or self.primary.failing

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        try:
            result = self.primary.show(note, replaces)
        except NotifyError as error:
            if not self._failing:
                log.warning(
                    "notification failed (%s); showing steps on the %s until it works again",
                    error,
                    self.fallback.name,
                )
                self._failing = True
            return self.fallback.show(note, None)
        if self._failing:
            log.warning("notifications work again through %s", self.primary.name)
            self._failing = False
        return result

    def close(self, notification_id: int | None) -> None:
        self.primary.close(notification_id)


@dataclass(frozen=True, slots=True)
class Choice:
    """The backend in use and why it was chosen, for the log and for ``status``."""

    notifier: Notifier
    backend: str
    reason: str
    server: FreedesktopNotifier | None = None  # the D-Bus server behind it, if any

    def signals(self) -> NotificationSignals | None:
        """The server's button and close signals, where there is a server to send them."""
        return NotificationSignals(self.server.bus) if self.server else None


# Servers that draw the default action as a button of its own (seen on xfce4-notifyd
# 0.7.3), where the spec means a click on the notification.
DEFAULT_AS_BUTTON = frozenset({"Xfce Notify Daemon"})
DUNST_MENU = "/usr/bin/dmenu -p dunst:"  # dunst's own default for its `dmenu` setting


def unreachable_buttons(server_name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Why a server's buttons cannot be pressed here, or None.

    dunst advertises actions but shows them only in its context menu, which runs the
    program of its ``dmenu`` setting; without that program a click dismisses a prompt and
    no button can be reached. The setting is read from the dunstrc dunst itself would
    load (the first of $XDG_CONFIG_HOME and $XDG_CONFIG_DIRS, and its drop-ins).
    """
    if server_name != "dunst":
        return None
    env = os.environ if environ is None else environ
    command = DUNST_MENU
    for path in _dunstrc_files(env):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in re.finditer(r"^[ \t]*dmenu[ \t]*=[ \t]*(.*?)[ \t]*$", text, re.MULTILINE):
            command = match.group(1).strip("\"'")
    program = command.split()[0] if command.split() else ""
    if program and on_path(program, env.get("PATH", "")):
        return None
    named = program or "(none set)"
    return f"dunst shows buttons only through its menu program {named}, which is not installed"


def _dunstrc_files(env: Mapping[str, str]) -> list[Path]:
    home = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    dirs = [home, *(env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(":")]
    for folder in dirs:
        main = Path(folder) / "dunst" / "dunstrc"
        if folder and main.is_file():
            return [main, *sorted((main.parent / "dunstrc.d").glob("*.conf"))]
    return []


def choose(backend: str, write: Callable[[str], None], platform: str = sys.platform) -> Choice:
    """Pick the notification backend; ``auto`` takes the best one that really delivers here."""
    console = ConsoleNotifier(write)
    if backend == "console":
        return Choice(console, "console", "asked for in the config")
    candidates: dict[str, FreedesktopNotifier | PlyerNotifier] = {
        "freedesktop": FreedesktopNotifier(),
        "plyer": PlyerNotifier(platform),
    }
    if backend in candidates:
        notifier = candidates[backend]
        reason = notifier.probe()
        detail = f"not delivering yet ({reason})" if reason else notifier.describe()
        return Choice(
            FallbackNotifier(notifier, console),
            backend,
            f"asked for in the config; {detail}",
            notifier if isinstance(notifier, FreedesktopNotifier) else None,
        )
    order = ["plyer"] if platform in ("darwin", "win32") else ["freedesktop", "plyer"]
    reasons = []
    for name in order:
        reason = candidates[name].probe()
        if reason is None:
            found = candidates[name]
            return Choice(
                FallbackNotifier(found, console),
                name,
                found.describe(),
                found if isinstance(found, FreedesktopNotifier) else None,
            )
        reasons.append(f"{name}: {reason}")
    if "freedesktop" in order and session_bus_address():
        # A session bus without a notification server yet (reminderd started at login
        # before the desktop's notification daemon): use the console until one answers.
        server = candidates["freedesktop"]
        assert isinstance(server, FreedesktopNotifier)
        waiting = FallbackNotifier(server, console, failing=True)
        reason = f"{reasons[0]}; steps go to the console until a notification server answers"
        return Choice(waiting, "freedesktop", reason, server)
    return Choice(console, "console", "; ".join(reasons))
