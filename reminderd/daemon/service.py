"""The daemon: wires the Core to the outside world (notifications, voice and sounds, the
control socket, the panel icon, state, history and hooks), runs it in one event loop that
sleeps until something is due, and re-wires it on a reload.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from reminderd import peers
from reminderd.alerts import Alerts
from reminderd.children import Children
from reminderd.clock import Clock, SystemClock
from reminderd.config.apart import Read, read_here
from reminderd.config.discovery import ConfigSource, find_config
from reminderd.config.limits import STRICT, Limits
from reminderd.contracts import DaemonStatus, ReloadFailure
from reminderd.control.server import Client
from reminderd.core import Core, Outputs, Polls
from reminderd.daemon.chosen import Chosen
from reminderd.daemon.clients import control_server
from reminderd.daemon.commands import Commands
from reminderd.daemon.holds import DeferredHolds
from reminderd.daemon.icon import Icon
from reminderd.daemon.kept import Kept
from reminderd.daemon.logs import log_event
from reminderd.daemon.loop import Loop
from reminderd.daemon.memory import return_startup_memory
from reminderd.daemon.reload import Refusal, read_again
from reminderd.daemon.server_signals import ServerSignals
from reminderd.daemon.sleep import SleepListener
from reminderd.errors import ControlError, ReminderError
from reminderd.history import History
from reminderd.hooks import Hooks
from reminderd.lock import PidLock
from reminderd.model import Config, Event
from reminderd.pace import Tempo
from reminderd.paths import Paths, user_paths
from reminderd.ports import Ports, choose_presence
from reminderd.safety_notice import SafetyNotice
from reminderd.wake import WallAlarm
from reminderd.when import first_reminder

if TYPE_CHECKING:
    from reminderd.sync.link import SyncLink

log = logging.getLogger("reminderd")

MAX_SLEEP = 300.0  # seconds; bounds how late a deadline is noticed after a suspend
# The loop wakes at least this often, even with nothing due: the OS takes no timeout past
# about 24.8 days (2**31 ms), and one wake-up every few hours costs nothing.
MAX_WAIT = 4 * 3600.0
STATUS_VERSION = 1


class Daemon:
    """``reminderd start``: load the config, pick a notifier, then guide routines when due."""

    sync: SyncLink | None = None  # [sync]: the folder shared with other machines
    reload_failed: ReloadFailure | None = None  # the last reload refused, until one works
    safety: SafetyNotice | None = None  # the safety note at the first start, once it runs

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
        read: Read = read_here,
    ) -> None:
        # The bounds it was started with, and its way of reading, hold for every reload too.
        self.source, self.limits, self.read = source or find_config(), limits, read
        self.clock = clock or SystemClock()
        self.write = write
        self.paths = paths or user_paths()
        self.lock = PidLock(self.paths.lock)
        self.lock.acquire()
        try:
            config = read(self.source, limits)
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
        self.chosen = Chosen(config, self.write, self.children, self.tempo)
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
        self.kept = Kept(self.paths.state_file, self.core)
        self.kept.restore()
        self.history = History(self.paths.history, self.clock.zone, self.clock.monotonic)
        self.history.forget_older_than(config.history_days)
        self.hooks = Hooks(config.hooks)
        self.core.listen(self.history.record)
        self.core.listen(self.hooks)
        self._connect_sync(config)
        self.server_signals = ServerSignals(
            self.loop,
            action=self._on_action,
            closed=self.core.on_closed,
            look_again=self.core.look_again,
            server_changed=self._server_changed,
        )
        self.server_signals.listen(self.ports.backend)
        self.server = control_server(self.paths.socket, self.commands.handle, self.loop)
        self.icon = Icon(
            self.loop,
            # The menu's requests carry no client: none of them can be a stream.
            lambda request: self.commands.handle(request, cast(Client, None)),
            self.status,
            self.paths.history,
            self.clock.now,
        )
        self.icon.show(config.panel_icon)
        self.other_breaks = peers.look_again(None)  # GNOME's own break reminders

    # -- wiring ---------------------------------------------------------------------------

    @property
    def ports(self) -> Ports:
        return self.chosen.ports

    def _outputs(self) -> Outputs:
        return self.ports.outputs(self.holds)

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

    def _alarm_rang(self) -> None:
        assert self.alarm is not None
        if self.alarm.drain():
            log.debug("the wall clock was set, or the machine resumed")

    def _catch_up(self) -> None:
        """Connections that had more messages than one wake-up handles get their next
        few; a system bus that went away is looked for; history rows that wait for a lock
        to go are tried again."""
        self.icon.catch_up()
        if self.server:
            self.server.catch_up()
        self.sleep.catch_up()
        self.history.retry()

    def _backlog(self) -> bool:
        """Whether a connection has messages left over (the loop then does not sleep)."""
        if self.sleep.backlog or self.icon.backlog or self.server_signals.backlog:
            return True
        return self.server is not None and self.server.backlog()

    def _on_action(self, notification_id: int, action: str) -> None:
        """A button pressed: the safety note's own, else the routine's."""
        if not (self.safety and self.safety.on_action(notification_id, action)):
            self.core.on_action(notification_id, action)

    def _server_changed(self) -> None:
        """Another notification server: the ports chosen for it, and handed to the core."""
        if self.chosen.server_changed(self.core.config):
            self.core.use(self._outputs())

    def _on_event(self, event: Event) -> None:
        log_event(event)
        self.kept.after(event)
        if self.server:
            self.server.broadcast({"v": 1, **event.to_json()})
        self.icon.changed()

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
        return_startup_memory()
        try:
            while not self.stopping:
                if self.sync:
                    self.sync.before_tick()  # another machine may have done what is due
                self.core.tick()
                self.server_signals.watch()
                if self.server:
                    self.server.new_turn()
                self.loop.run_once(0.0 if self._backlog() else self._timeout())
                self.children.reap()
                self._catch_up()
                self.server_signals.take()
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
        self.icon.close()
        self.loop.close()
        self.lock.release()

    # -- what it says about itself ----------------------------------------------------

    def status(self) -> DaemonStatus:
        now = self.clock.now()
        shown, panel_reason = self.icon.state()
        return {
            "version": STATUS_VERSION,
            "running": True,
            "pid": os.getpid(),
            "reminderd": _version(),
            "started": self.started.astimezone(self.clock.zone()).isoformat(timespec="seconds"),
            "uptime": round((now - self.started).total_seconds()),
            "config": str(self.source.path),
            "config_origin": self.source.origin,
            "holds": self.holds.status(),
            "panel": shown,
            "panel_reason": panel_reason,
            "other_breaks": self.other_breaks,
            "sync": self.sync.status() if self.sync else None,
            "reload_failed": self.reload_failed,
            **self.chosen.status(),
            **self.core.status(),
        }

    def reload(self) -> dict[str, Any]:
        """Re-read the config; a broken one leaves the running config in place and says why."""
        try:
            source, config = read_again(self.source, self.limits, self.read)
        except Exception as error:  # whatever it is, the running config must survive it
            refused = Refusal(error)
            self._reload_failed(refused.first, refused.count)
            if refused.note:
                self.alerts.show(self.ports.backend.notifier, "config not reloaded", refused.note)
            raise ControlError(refused.message) from None
        self.source = source
        self.reload_failed = None
        if self.chosen.again(config):
            self.server_signals.listen(self.ports.backend)
        if config.schedule.hold_during != self.holds.hold_during:
            self.holds = DeferredHolds(config.schedule.hold_during)
        presence = choose_presence(config, self.core.presence)
        self.hooks.hooks = config.hooks
        self.core.reload(config)
        self._connect_sync(config)
        self.core.use(self._outputs(), presence)
        if config.panel_icon != self.icon.wanted:
            self.icon.show(config.panel_icon)
        self.other_breaks = peers.look_again(self.other_breaks)
        return {"config": str(source.path), "routines": [r.name for r in config.routines]}

    def _reload_failed(self, problem: str, count: int) -> None:
        at = self.clock.now().astimezone(self.clock.zone()).isoformat(timespec="seconds")
        self.reload_failed = {"at": at, "problem": problem, "problems": count}

    def _log_next(self) -> None:
        zone = self.clock.zone()
        for name, due in self.core.next_times().items():
            when = due.astimezone(zone).strftime("%a %H:%M") if due else "never"
            log.info("next %s: %s", name, when)


def _optional_signals() -> list[int]:
    return [signal.SIGHUP] if hasattr(signal, "SIGHUP") else []


def _version() -> str:
    from reminderd import __version__  # noqa: PLC0415

    return __version__
