"""The daemon: wires the Core to the outside world (notifications, voice and sounds, the
control socket, the panel icon, state, history and hooks) and runs it in one event loop
that sleeps until something is due.

There is no polling: the loop (``loop``) blocks in ``select`` until the Core's next
deadline, a signal, or a client. An idle daemon wakes when a reminder is due, when the
idle source is next to be asked (idle awareness, in working hours) and at most every few
hours besides, never on a tick. ``commands`` answers the control requests, ``sleep``
hears logind announce a suspend, and ``python -m reminderd.daemon`` (``__main__``) is the
process's entry.
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

from reminderd import peers
from reminderd.alerts import Alerts
from reminderd.bus import guarded
from reminderd.children import Children
from reminderd.clock import Clock, SystemClock
from reminderd.config import STRICT, ConfigSource, Limits, find_config, load_config
from reminderd.contracts import DaemonStatus, ReloadFailure, SavedState
from reminderd.control.server import Client, Server
from reminderd.core import Core, Outputs, Polls
from reminderd.daemon.commands import Commands
from reminderd.daemon.holds import DeferredHolds
from reminderd.daemon.logs import log_event
from reminderd.daemon.loop import Loop
from reminderd.daemon.sleep import SleepListener
from reminderd.errors import ConfigError, ControlError, ReminderError
from reminderd.guide import Tempo
from reminderd.history import History
from reminderd.hooks import Hooks
from reminderd.i18n import use
from reminderd.i18n.languages import for_guidance
from reminderd.i18n.said import said, said_join
from reminderd.lock import PidLock
from reminderd.model import Config, Event
from reminderd.notify import FallbackNotifier, Note
from reminderd.paths import Paths, control_supported, user_paths
from reminderd.ports import Ports, choose_ports, choose_presence
from reminderd.safety_notice import SafetyNotice
from reminderd.state import StateStore
from reminderd.statusline import first_reminder
from reminderd.wake import WallAlarm

if TYPE_CHECKING:
    from reminderd.panel import Panel
    from reminderd.sync.link import SyncLink

log = logging.getLogger("reminderd")

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
    safety: SafetyNotice | None = None  # the safety note at the first start, once it runs
    _panel_fd: int | None = None  # the panel's socket, as the loop watches it
    _panel_ready = False  # the loop saw it readable this turn

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
        tempo: Tempo | None = None,
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
        self.polls = polls or Polls()
        self.tempo = tempo or Tempo()
        self.loop = loop or Loop()
        self.commands = Commands(self)
        self.children = Children(self.clock.monotonic)  # voices and sounds, ended as groups
        self.alerts = Alerts(self.clock.monotonic)  # error notes: one a minute of each kind
        self.ports = self._choose_ports(config)
        # Calls, screen shares, full screen, inhibitors: chosen when a routine is first due.
        self.holds = DeferredHolds(config.schedule.hold_during)
        log.info("config: %s (%s)", self.source.path, self.source.origin)
        self.core = Core(
            config,
            clock=self.clock,
            outputs=self._outputs(),
            listeners=(self._on_event,),
            presence=choose_presence(config),
            polls=self.polls,
            tempo=self.tempo,
        )
        self.alarm = WallAlarm.create()
        if self.alarm:
            self.loop.watch(self.alarm, lambda _mask: self._alarm_rang())
        self.sleep = SleepListener(
            self.loop, self.clock.monotonic, self.core.going_to_sleep, self.polls.dnd
        )
        self.store = StateStore(self.paths.state_file)
        self._saved: SavedState | None = None
        self._restore_state()
        self.history = self._open_history(config)
        self.hooks = Hooks(config.hooks)
        self.core.listen(self.history.record)
        self.core.listen(self.hooks)
        self._connect_sync(config)
        self._signal_fd: int | None = None
        self._listen_to_server()
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

    # -- wiring ---------------------------------------------------------------------------

    def _speak(self, config: Config) -> None:
        """The notes' and the voice's language: its catalogue is read when something is
        first shown, so an idle daemon holds none (log lines stay English)."""
        self.language, self.language_reason = for_guidance(config.guidance.language)
        use(self.language)

    def _open_history(self, config: Config) -> History:
        history = History(self.paths.history, self.clock.zone, self.clock.monotonic)
        history.forget_older_than(config.history_days)
        return history

    def _outputs(self) -> Outputs:
        return self.ports.outputs(self.holds)

    def _choose_ports(
        self, config: Config, keep: Ports | None = None, *, server_changed: bool = False
    ) -> Ports:
        """The ports for ``config``; the voice is asked, in a process of its own, how long
        each line of the routines takes (the guide plans lead-ins from it), unwaited."""
        self._speak(config)  # the voice speaks the notes' language
        rate = 1 / self.tempo.pace  # the test suite's pace: the voice as much faster
        ports = choose_ports(
            config, self.write, self.children, rate=rate, keep=keep, server_changed=server_changed
        )
        if config.guidance.voice is not False:
            from reminderd.exercises import spoken_lines  # noqa: PLC0415 - only with a voice

            speaker = ports.voice.speaker
            speaker.prepare(spoken_lines(config, self.tempo.pace, voice=speaker.language))
        return ports

    def _show_panel(self, wanted: bool) -> None:
        """The panel icon: its own bus connection, answered when the loop sees it readable."""
        if self.panel:
            self.loop.remove(self.panel.fileno())
            self.panel.close()
            self.panel = None
        if not wanted:
            self.panel_reason = said("off: [panel] icon = false")
            return
        from reminderd import panel  # noqa: PLC0415 - only when the icon is wanted

        item = panel.Panel(
            # The menu's requests carry no client: none of them can be a stream.
            lambda request: self.commands.handle(request, cast(Client, None)),
            self.status,
            stats=lambda: panel.today(self.paths.history, self.clock.now().astimezone().date()),
            now=self.clock.now,
        )
        if not item.start():
            self.panel_reason = item.reason
            log.info("panel icon: %s", item.reason)
            return
        self.panel = item
        self._panel_fd = item.fileno()

        def readable(_mask: int) -> None:
            self._panel_ready = True  # answered once a turn, with the others (_catch_up)

        self.loop.watch(self._panel_fd, readable)

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

    def _catch_up(self) -> None:
        """Connections that had more messages than one wake-up handles get their next
        few; a system bus that went away is looked for; history rows that wait for a lock
        to go are tried again."""
        if self.panel and (self._panel_ready or self.panel.backlog):
            self._panel_ready = False
            self.panel.readable()
            if self.panel.fileno() is None:  # the session bus went away: its socket is closed
                self.loop.remove(self._panel_fd)
        if self.server:
            self.server.catch_up()
        self.sleep.catch_up()
        self.history.retry()

    def _backlog(self) -> bool:
        """Whether a connection has messages left over (the loop then does not sleep)."""
        watched = (self.panel, self.signals)
        if self.sleep.backlog or any(c is not None and c.backlog for c in watched):
            return True
        return self.server is not None and self.server.backlog()

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
        for member, body in self.signals.take():  # checked: the server's, of their signature
            with guarded(member):
                if member == "ActionInvoked":
                    if not (self.safety and self.safety.on_action(body[0], body[1])):
                        self.core.on_action(body[0], body[1])
                elif member == "NotificationClosed":
                    self.core.on_closed(body[0], body[1])
                elif member == "PropertiesChanged":
                    self.core.look_again()
                elif member == "ServerChanged":
                    self._server_changed()

    def _listen_to_server(self) -> None:
        """The notification server's signals, heard from now on (a server that comes later
        is heard arriving)."""
        self.signals = self.ports.backend.signals()
        if self.signals:
            self.signals.listen()

    def _server_changed(self) -> None:
        """A notification server came, or another took the name over: ask it what it is
        and can do (buttons, markup, sounds), and choose its do-not-disturb switch."""
        server = self.ports.backend.server
        if server is None:
            return
        why_not = server.probe()
        if why_not is not None:
            log.info("the new notification server does not answer yet: %s", why_not)
            return
        if isinstance(self.ports.backend.notifier, FallbackNotifier):
            self.ports.backend.notifier.answers_again()
        self.ports = self._choose_ports(self.core.config, self.ports, server_changed=True)
        self.core.use(self._outputs())

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
            server.ready(
                client, bool(mask & selectors.EVENT_READ), bool(mask & selectors.EVENT_WRITE)
            )

        self.loop.watch(sock, ready, write)

    def _on_event(self, event: Event) -> None:
        log_event(event)
        if event.kind in PERSISTED:
            self._save_state()
        if self.server:
            self.server.broadcast({"v": 1, **event.to_json()})
        if self.panel:
            self.panel.changed()

    def _restore_state(self) -> None:
        """The pause, snoozes and skips of the last run; a file whose dates were out of
        range is kept aside as it was, and written again with what could be used."""
        if self.core.restore_state(self.store.load()):
            aside = self.store.keep_aside("out-of-range")
            if aside:
                log.warning("the state file as it was is kept as %s", aside)
            self._save_state()

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
        # The safety note, until it has reached someone (reminderd/safety_notice.py).
        self.safety = SafetyNotice(
            self.paths.state, lambda: self.ports.backend.notifier, terminal=sys.stdout.isatty()
        )
        self.core.listen(self.safety)
        self.safety.show()
        _return_startup_memory()
        try:
            while not self.stopping:
                if self.sync:
                    self.sync.before_tick()  # another machine may have done what is due
                self.core.tick()
                self._watch_notifier()
                if self.server:
                    self.server.new_turn()
                self.loop.run_once(0.0 if self._backlog() else self._timeout())
                self.children.reap()
                self._catch_up()
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
        if (again := self.sleep.next_deadline()) is not None:
            waits.append(again - self.clock.monotonic())
        if (retry := self.history.next_retry()) is not None:
            waits.append(retry - self.clock.monotonic())
        return min(max(0.0, min(waits, default=MAX_WAIT)), MAX_WAIT)

    def handle_signals(self) -> None:
        while self.loop.signals:
            number = self.loop.signals.pop(0)
            if number in (signal.SIGTERM, signal.SIGINT):
                log.info("stopping (%s)", signal.Signals(number).name)
                self.stopping = True
            elif number == getattr(signal, "SIGHUP", None):
                try:
                    self.reload()
                except ControlError:  # already logged and notified
                    pass
                except Exception:  # a reload never takes the daemon down
                    log.exception("config not reloaded after SIGHUP")

    def shutdown(self) -> None:
        self.core.stop()
        self.children.end_all()
        self.hooks.end_all()
        if self.sync:
            self.sync.close()
        self.history.close()
        if self.server:
            self.server.close()
        if self.alarm:
            self.alarm.close()
        self.sleep.close()
        if self.panel:
            self.panel.close()
        self.loop.close()
        self.lock.release()

    # -- what it says about itself ----------------------------------------------------

    def status(self) -> DaemonStatus:
        now, ports = self.clock.now(), self.ports
        return {
            "version": STATUS_VERSION,
            "running": True,
            "pid": os.getpid(),
            "reminderd": _version(),
            "started": self.started.astimezone(self.clock.zone()).isoformat(timespec="seconds"),
            "uptime": round((now - self.started).total_seconds()),
            "config": str(self.source.path),
            "config_origin": self.source.origin,
            "backend": ports.backend.backend,
            "backend_reason": self._backend_reason(),
            "voice": ports.voice.state[0],
            "voice_reason": ports.voice.state[1],
            "sounds": ports.sounds.state[0],
            "sounds_reason": ports.sounds.state[1],
            "dnd": ports.dnd.source.name if ports.dnd.source else None,
            "dnd_reason": ports.dnd.reason,
            "dnd_on": ports.dnd.last,
            "holds": self.holds.status(),
            "panel": bool(self.panel and self.panel.registered),
            "panel_reason": self.panel.reason if self.panel else self.panel_reason,
            "other_breaks": self.other_breaks,
            "sync": self.sync.status() if self.sync else None,
            "reload_failed": self.reload_failed,
            "language": self.language,
            "language_reason": self.language_reason,
            **self.core.status(),
        }

    def _backend_reason(self) -> str:
        backend = self.ports.backend
        if backend.notifier.failing:
            return said(
                "{reason}; not delivering now, steps go to the console", reason=backend.reason
            )
        return backend.reason

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
            self._reload_failed(first.said(), len(error.problems))
            self.alerts.show(
                self.ports.backend.notifier, "config not reloaded", _not_reloaded(error)
            )
            problems = said_join("\n", [problem.said() for problem in error.problems])
            msg = said(
                "config not reloaded; the old one stays in use:\n{problems}", problems=problems
            )
            raise ControlError(msg) from None
        except Exception as error:  # whatever it is, the running config must survive it
            log.exception("config not reloaded; the old one stays in use")
            self._reload_failed(repr(error), 1)
            msg = said("config not reloaded; the old one stays in use: {error}", error=repr(error))
            raise ControlError(msg) from None
        self.source = source
        self.reload_failed = None
        before = self.ports.backend
        self.ports = self._choose_ports(config, keep=self.ports)
        if self.ports.backend is not before:
            self._listen_to_server()
        if config.schedule.hold_during != self.holds.hold_during:
            self.holds = DeferredHolds(config.schedule.hold_during)
        presence = choose_presence(config, self.core.presence)
        self.hooks.hooks = config.hooks
        self.core.reload(config)
        self._connect_sync(config)
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


def _not_reloaded(error: ConfigError) -> Note:
    """The note that says a reload was refused, and its first problem, in the notes'
    language."""
    from reminderd.i18n import _, text  # noqa: PLC0415
    from reminderd.plural import plural  # noqa: PLC0415

    body = text(error.problems[0].said())
    more = len(error.problems) - 1
    if more:
        body += " " + plural(more, "(and {count} more)", "(and {count} more)")
    return Note(_("reminderd: config not reloaded"), body, final=True)


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
