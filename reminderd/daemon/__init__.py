"""The daemon: wires the Core to the outside world (notifications, voice and sounds, the
control socket, the panel icon, state, history and hooks) and runs it in one event loop
that sleeps until something is due.

There is no polling: the loop (``loop``) blocks in ``select`` until the Core's next
deadline, a signal, or a client. An idle daemon wakes once per reminder, not once per
second. ``commands`` answers the control requests, ``sleep`` hears logind announce a
suspend, and ``python -m reminderd.daemon`` (``__main__``) is the process's entry.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import selectors
import signal
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from reminderd import cues, dnd, peers, speech
from reminderd.bus import BusError
from reminderd.children import Children
from reminderd.clock import Clock, SystemClock
from reminderd.config import STRICT, ConfigSource, Limits, find_config, load_config
from reminderd.contracts import DaemonStatus, ReloadFailure, SavedState
from reminderd.control.server import Client, Server
from reminderd.core import Core, Outputs, Polls
from reminderd.daemon.commands import Commands
from reminderd.daemon.holds import DeferredHolds
from reminderd.daemon.loop import Loop
from reminderd.daemon.sleep import SleepWatch
from reminderd.dnd import Watch as DndWatch
from reminderd.errors import ConfigError, ControlError, ReminderError
from reminderd.history import History
from reminderd.hooks import Hooks
from reminderd.lock import PidLock
from reminderd.model import Config, Event
from reminderd.notify import Choice, Note, choose
from reminderd.paths import Paths, control_supported, private_log, user_paths
from reminderd.presence import Presence
from reminderd.safety_notice import SafetyNotice
from reminderd.state import StateStore
from reminderd.statusline import first_reminder
from reminderd.wake import WallAlarm

if TYPE_CHECKING:
    from reminderd.panel import Panel
    from reminderd.sync.link import SyncLink

log = logging.getLogger("reminderd")

TYPING_PAUSE = 5.0  # seconds without input: a pause in typing (reminderd.holds.decide.PAUSE)
MAX_SLEEP = 300.0  # seconds; bounds how late a deadline is noticed after a suspend
# The loop wakes at least this often, even with nothing due: the OS takes no timeout past
# about 24.8 days (2**31 ms), and one wake-up every few hours costs nothing.
MAX_WAIT = 4 * 3600.0
STATUS_VERSION = 1
PERSISTED = {
    "daemon.paused",
    "daemon.resumed",
    "routine.snoozed",
    "routine.skipped",
    "routine.unsnoozed",
    "routine.unskipped",
    "routine.fired",
}


class Daemon:
    """``reminderd start``: load the config, pick a notifier, then guide routines when due."""

    sync: SyncLink | None = None  # [sync]: the folder shared with other machines
    reload_failed: ReloadFailure | None = None  # the last reload refused, until one works

    def __init__(
        self,
        source: ConfigSource | None = None,
        *,
        clock: Clock | None = None,
        write: Callable[[str], None] = print,
        paths: Paths | None = None,
        loop: Loop | None = None,
        limits: Limits = STRICT,
        polls: Polls | None = None,
    ) -> None:
        # The bounds it was started with hold for every reload too.
        self.source, self.limits = source or find_config(), limits
        self.clock = clock or SystemClock()
        self.write = write
        self.paths = paths or user_paths()
        self.lock = PidLock(self.paths.lock)
        self.lock.acquire()
        try:
            config = load_config(self.source, limits)
        except ReminderError:
            self.lock.release()
            raise
        self.started = self.clock.now()
        self.stopping = False
        self.loop = loop or Loop()
        self.commands = Commands(self)
        self.children = Children(self.clock.monotonic)  # voices and sounds, ended as groups
        self._choose_outputs(config)
        log.info("config: %s (%s)", self.source.path, self.source.origin)
        self.core = Core(
            config,
            clock=self.clock,
            outputs=self._outputs(),
            listeners=(self._on_event,),
            presence=self._presence(config),
            polls=polls,
        )
        self.alarm = WallAlarm.create()
        if self.alarm:
            self.loop.watch(self.alarm, lambda _mask: self._alarm_rang())
        self.sleep_watch = SleepWatch.connect()
        if self.sleep_watch:
            self.loop.watch(self.sleep_watch, lambda _mask: self._sleep_signal())
        self.store = StateStore(self.paths.state_file)
        self._saved: SavedState | None = None
        self.core.restore_state(self.store.load())
        self.history = self._open_history(config)
        self.hooks = Hooks(config.hooks)
        self.core.listen(self.history.record)
        self.core.listen(self.hooks)
        self._connect_sync(config)
        self._signal_fd: int | None = None
        self.signals = self.backend.signals()
        self.server: Server | None = None
        if control_supported():
            self.server = Server(self.paths.socket, self.commands.handle)
            self.server.watch = self._watch_client
            self.server.unwatch = self.loop.remove
            self.loop.watch(self.server.listener, lambda _mask: self._accept())
        else:
            log.warning(
                "no control socket on this system: status, pause and snooze are unavailable"
            )
        self.panel: Panel | None = None
        self.panel_reason = ""
        self._show_panel(config.panel_icon)
        self.other_breaks: str | None = None
        self._look_for_other_breaks()
        # The safety note, until it has reached someone (reminderd/safety_notice.py).
        self.safety = SafetyNotice(
            self.paths.state, lambda: self.backend.notifier, terminal=sys.stdout.isatty()
        )
        self.core.listen(self.safety)

    # -- wiring ---------------------------------------------------------------------------

    def _open_history(self, config: Config) -> History:
        history = History(self.paths.history, self.clock.zone)
        pruned = history.prune(config.history_days, self.clock.now())
        if pruned:
            log.info("history: forgot %d events older than %d days", pruned, config.history_days)
        return history

    def _choose_outputs(self, config: Config) -> None:
        """Notifications, their server's do-not-disturb switch, the voice and the sounds."""
        self.backend = self._choose(config.backend)
        self.dnd = self._dnd(self.backend)
        self._choose_guidance(config)
        # Calls, screen shares, full screen, inhibitors: chosen when a routine is first due.
        self.holds = DeferredHolds(config.schedule.hold_during)

    def _choose(self, backend: str) -> Choice:
        choice = choose(backend, self.write)
        log.info("notifications: %s, because %s", choice.backend, choice.reason)
        return choice

    def _choose_guidance(self, config: Config) -> None:
        """The voice and the sound cues, chosen like the notification backend."""
        self.voice = speech.choose(config.guidance.voice, self.children)
        log.info("voice: %s, because %s", self.voice.speaker.name, self.voice.reason)
        server = self.backend.server
        self.sounds = cues.choose(
            config.guidance.sounds, server.capabilities if server else frozenset(), self.children
        )
        log.info("sounds: %s, because %s", self.sounds.cues.name, self.sounds.reason)

    def _outputs(self) -> Outputs:
        return Outputs(self.backend.notifier, self.voice.speaker, self.sounds, self.dnd, self.holds)

    def _dnd(self, choice: Choice) -> DndWatch:
        """The do-not-disturb switch of the notification server in use, if there is one."""
        if choice.server is None:
            return DndWatch(None, "no notification server to ask")
        source, reason = dnd.choose(choice.server.server_name, choice.server.bus)
        log.info("do not disturb: %s, because %s", source.name, reason)
        return DndWatch(source, reason)

    def _presence(self, config: Config, old: Presence | None = None) -> Presence:
        """Idle awareness, if the config asks for it and an idle source answers here."""
        pause, natural = config.schedule.pause_when_idle, config.schedule.natural_break
        soft_start = config.schedule.soft_start != 0  # waiting for a pause in typing
        if not (pause or natural or soft_start):
            return Presence(
                None, None, None, "off: pause_when_idle, natural_break and soft_start are not set"
            )
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
        return Presence(source, pause, natural, note if source else f"off: {note}")

    def _show_panel(self, wanted: bool) -> None:
        """The panel icon: its own bus connection, answered when the loop sees it readable."""
        if self.panel:
            self.loop.remove(self.panel.fileno())
            self.panel.close()
            self.panel = None
        if not wanted:
            self.panel_reason = "off: [panel] icon = false"
            return
        from reminderd import panel  # noqa: PLC0415 - only when the icon is wanted

        item = panel.Panel(
            # The menu's requests carry no client: none of them can be a stream.
            lambda request: self.commands.handle(request, cast(Client, None)),
            lambda: dict(self.status()),  # the panel reads it as JSON would be
            stats=lambda: panel.today(self.paths.history, self.clock.now().astimezone().date()),
            now=self.clock.now,
        )
        if not item.start():
            self.panel_reason = item.reason
            log.info("panel icon: %s", item.reason)
            return
        self.panel = item
        fd = item.fileno()

        def readable(_mask: int) -> None:
            item.readable()
            if item.fileno() is None:  # the session bus went away: its socket is closed
                self.loop.remove(fd)

        self.loop.watch(fd, readable)

    def _connect_sync(self, config: Config) -> None:
        """``[sync]``: history and presence shared with other machines through a folder."""
        if self.sync and self.sync.settings == config.sync:
            return
        if self.sync:
            self.sync.close()
            self.sync = None
        if config.sync is None:
            return
        from reminderd.sync.link import SyncLink  # noqa: PLC0415 - only with [sync]

        self.sync = SyncLink(config.sync, self.core, self.history, self.clock, config.history_days)
        self.sync.start(self.loop)

    def _look_for_other_breaks(self) -> None:
        """GNOME's own break reminders, asked at start and reload; said once when on."""
        found = peers.advice(peers.gnome_breaks()) if sys.platform.startswith("linux") else None
        if found and found != self.other_breaks:
            log.warning("%s", found)
        self.other_breaks = found

    def _alarm_rang(self) -> None:
        assert self.alarm is not None
        if self.alarm.drain():
            log.debug("the wall clock was set, or the machine resumed")

    def _sleep_signal(self) -> None:
        assert self.sleep_watch is not None
        try:
            signals = self.sleep_watch.signals()
        except BusError as error:
            log.warning("lost the system bus (%s); suspend is still noticed from the clocks", error)
            self.loop.remove(self.sleep_watch)
            self.sleep_watch.close()
            self.sleep_watch = None
            return
        for going_to_sleep in signals:
            if going_to_sleep:
                log.info("the machine is going to sleep")
                self.core.going_to_sleep()
            else:
                log.info("the machine woke up")

    def _watch_notifier(self) -> None:
        """Keep the notification server's connection in the loop (it changes on reconnect)."""
        fd = self.signals.fileno() if self.signals else None
        if fd == self._signal_fd:
            return
        if self._signal_fd is not None:
            self.loop.remove(self._signal_fd)
        if fd is not None:
            self.loop.watch(fd, lambda _mask: None)  # _notifier_signals runs after every wake
        self._signal_fd = fd

    def _notifier_signals(self) -> None:
        """Buttons pressed and notifications closed, as the notification server reports them."""
        if self.signals is None:
            return
        for member, body in self.signals.take():
            if member == "ActionInvoked" and len(body) == 2:
                if not self.safety.on_action(int(body[0]), str(body[1])):
                    self.core.on_action(int(body[0]), str(body[1]))
            elif member == "NotificationClosed" and len(body) == 2:
                self.core.on_closed(int(body[0]), int(body[1]))
            elif member == "PropertiesChanged":
                self.core.look_again()

    def _accept(self) -> None:
        assert self.server is not None
        self.server.accept()

    def _watch_client(self, sock: socket.socket, write: bool) -> None:
        assert self.server is not None
        server = self.server
        client = server.clients.get(sock.fileno())
        if client is None:
            return

        def ready(mask: int, client: Client = client) -> None:
            try:
                if mask & selectors.EVENT_READ:
                    server.readable(client)
                if mask & selectors.EVENT_WRITE and client.sock.fileno() >= 0:
                    server.flush(client)
            except Exception:  # one bad client must never take the daemon down
                log.exception("control: dropped a client after an unexpected error")
                server.drop(client)

        self.loop.watch(sock, ready, write)

    def _on_event(self, event: Event) -> None:
        if event.kind == "routine.step":
            log.debug(
                "%s step %s/%s: %s",
                event.routine,
                event.data.get("index"),
                event.data.get("of"),
                event.data.get("text"),
            )
        else:
            details = " ".join(f"{k}={v}" for k, v in event.data.items() if v is not None)
            log.info("%s %s %s", event.kind, event.routine or "", details)
        if event.kind in PERSISTED:
            self._save_state()
        if self.server:
            self.server.broadcast({"v": 1, **event.to_json()})
        if self.panel:
            self.panel.changed()

    def _save_state(self) -> None:
        state = self.core.export_state()
        if state != self._saved and self.store.save(state):
            self._saved = state

    # -- the loop -------------------------------------------------------------------------

    def run(self) -> int:
        self.loop.catch_signals([signal.SIGTERM, signal.SIGINT, *_optional_signals()])
        where = f", control socket {self.paths.socket}" if self.server else ""
        log.info("reminderd %s started, pid %d%s", _version(), os.getpid(), where)
        self._log_next()
        now = self.clock.now().astimezone(self.clock.zone())
        self.write(first_reminder(self.core.status()["routines"], now))
        self.safety.show()
        _return_startup_memory()
        try:
            while not self.stopping:
                if self.sync:
                    self.sync.before_tick()  # another machine may have done what is due
                self.core.tick()
                self._watch_notifier()
                self.loop.run_once(self._timeout())
                self.children.reap()
                self._notifier_signals()
                if self.server:
                    self.server.expire()
                self.handle_signals()
        finally:
            self.shutdown()
        log.info("stopped")
        return 0

    def _timeout(self) -> float:
        """How long the loop may sleep. With a wall-clock alarm armed for the Core's next
        deadline it sleeps exactly that long (across a suspend too); without one it wakes
        at least every MAX_SLEEP to notice a suspend."""
        waits = []
        if (core := self.core.next_wakeup()) is not None:
            waits.append(core)
        if self.alarm:
            now = self.clock.now().timestamp()
            self.alarm.arm(now + core if core is not None else None, now)
        else:
            waits.append(MAX_SLEEP)
        if self.server and (deadline := self.server.next_deadline()) is not None:
            waits.append(deadline - self.server.clock())
        if (ending := self.children.next_deadline()) is not None:
            waits.append(ending - self.clock.monotonic())
        return min(max(0.0, min(waits, default=MAX_WAIT)), MAX_WAIT)

    def handle_signals(self) -> None:
        while self.loop.signals:
            number = self.loop.signals.pop(0)
            if number in (signal.SIGTERM, signal.SIGINT):
                log.info("stopping (%s)", signal.Signals(number).name)
                self.stopping = True
            elif number == getattr(signal, "SIGHUP", None):
                with contextlib.suppress(ControlError):  # already logged and notified
                    self.reload()

    def shutdown(self) -> None:
        self.core.stop()
        self.children.end_all()
        self.hooks.wait()
        if self.sync:
            self.sync.close()
        self.history.close()
        if self.server:
            self.server.close()
        if self.alarm:
            self.alarm.close()
        if self.sleep_watch:
            self.sleep_watch.close()
        if self.panel:
            self.panel.close()
        self.loop.close()
        self.lock.release()

    # -- what it says about itself ----------------------------------------------------

    def status(self) -> DaemonStatus:
        now = self.clock.now()
        return {
            "version": STATUS_VERSION,
            "running": True,
            "pid": os.getpid(),
            "reminderd": _version(),
            "started": self.started.astimezone(self.clock.zone()).isoformat(timespec="seconds"),
            "uptime": round((now - self.started).total_seconds()),
            "config": str(self.source.path),
            "config_origin": self.source.origin,
            "backend": self.backend.backend,
            "backend_reason": self._backend_reason(),
            "voice": self.voice.speaker.name,
            "voice_reason": self.voice.reason,
            "sounds": "notification server" if self.sounds.by_server else self.sounds.cues.name,
            "sounds_reason": self.sounds.reason,
            "dnd": self.dnd.source.name if self.dnd.source else None,
            "dnd_reason": self.dnd.reason,
            "dnd_on": self.dnd.last,
            "holds": self.holds.status(),
            "panel": bool(self.panel and self.panel.registered),
            "panel_reason": self.panel.reason if self.panel else self.panel_reason,
            "other_breaks": self.other_breaks,
            "sync": self.sync.status() if self.sync else None,
            "reload_failed": self.reload_failed,
            **self.core.status(),
        }

    def _backend_reason(self) -> str:
        if self.backend.notifier.failing:
            return f"{self.backend.reason}; not delivering now, steps go to the console"
        return self.backend.reason

    def reload(self) -> dict[str, Any]:
        """Re-read the config; a broken one leaves the running config in place and says why."""
        explicit = (
            self.source.path if self.source.origin in ("--config", "REMINDERD_CONFIG") else None
        )
        try:
            source = (
                ConfigSource(explicit, self.source.origin) if explicit else find_config(None, {})
            )
            config = load_config(source, self.limits)
        except ConfigError as error:
            log.error("config not reloaded; the old one stays in use:\n%s", error)
            first = error.problems[0]
            self._reload_failed(str(first), len(error.problems))
            more = f" (and {len(error.problems) - 1} more)" if len(error.problems) > 1 else ""
            with contextlib.suppress(ReminderError):
                self.backend.notifier.show(
                    Note("reminderd: config not reloaded", f"{first}{more}", final=True)
                )
            msg = f"config not reloaded; the old one stays in use:\n{error}"
            raise ControlError(msg) from None
        except Exception as error:  # whatever it is, the running config must survive it
            log.exception("config not reloaded; the old one stays in use")
            self._reload_failed(repr(error), 1)
            msg = f"config not reloaded; the old one stays in use: {error!r}"
            raise ControlError(msg) from None
        self.source = source
        self.reload_failed = None
        if config.backend != self.core.config.backend:
            self.backend = self._choose(config.backend)
            self.dnd = self._dnd(self.backend)
            self.signals = self.backend.signals()
        if config.schedule.hold_during != self.holds.hold_during:
            self.holds = DeferredHolds(config.schedule.hold_during)
        presence = self._presence(config, self.core.presence)
        self.hooks.hooks = config.hooks
        self.core.reload(config)
        self._connect_sync(config)
        self._choose_guidance(config)
        self.core.use(self._outputs(), presence)
        if config.panel_icon != (self.panel is not None):
            self._show_panel(config.panel_icon)
        self._look_for_other_breaks()
        return {"config": str(source.path), "routines": [r.name for r in config.routines]}

    def _reload_failed(self, problem: str, count: int) -> None:
        at = self.clock.now().astimezone(self.clock.zone()).isoformat(timespec="seconds")
        self.reload_failed = {"at": at, "problem": problem, "problems": count}

    def _log_next(self) -> None:
        zone = self.clock.zone()
        for name, due in self.core.next_times().items():
            when = due.astimezone(zone).strftime("%a %H:%M") if due else "never"
            log.info("next %s: %s", name, when)


def _return_startup_memory() -> None:
    """Hand back to the system what reading the config and the library left free on the
    heap; the daemon then idles for hours on what it really uses (about 1 MB less)."""
    gc.collect()
    if sys.platform.startswith("linux"):
        import ctypes  # noqa: PLC0415

        with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
            ctypes.CDLL(None).malloc_trim(0)


def _optional_signals() -> list[int]:
    return [signal.SIGHUP] if hasattr(signal, "SIGHUP") else []


def _version() -> str:
    from reminderd import __version__  # noqa: PLC0415

    return __version__


def configure_logging(level: str = "info", file: str | None = None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if file:
        handlers.append(logging.StreamHandler(private_log(file)))
    logging.basicConfig(
        level=level.upper(),
        handlers=handlers,
        force=True,
        format="%(asctime)s reminderd[%(process)d] %(levelname)s: %(message)s",
    )
