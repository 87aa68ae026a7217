"""The service: one event loop that sleeps until something is due, and wires the Core to
the outside world (signals, notifications, the control socket, state and history).

There is no polling: the loop blocks in ``select`` until the Core's next deadline, a
signal, or a client. An idle daemon wakes once per reminder, not once per second.
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
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from reminderd import cues, dnd, scheduler, speech
from reminderd.bus import Bus, BusError, system_bus_address
from reminderd.clock import Clock, SystemClock
from reminderd.config import ConfigSource, find_config, load_config
from reminderd.control import MAX_STREAMS
from reminderd.core import Core, Polls
from reminderd.dnd import Watch as DndWatch
from reminderd.durations import MAX_PAUSE, MAX_SNOOZE, bounded
from reminderd.errors import (
    ConfigError,
    ControlError,
    DurationError,
    ReminderError,
    SkipBudgetError,
)
from reminderd.exercises import routine_for, unknown_name
from reminderd.history import History
from reminderd.hooks import Hooks
from reminderd.lock import PidLock
from reminderd.model import Config, Event
from reminderd.notify import Choice, Note, choose
from reminderd.paths import Paths, control_supported, private_log, user_paths
from reminderd.presence import Presence
from reminderd.server import Client, Server
from reminderd.state import StateStore
from reminderd.statusline import first_reminder
from reminderd.wake import WallAlarm

if TYPE_CHECKING:
    from reminderd.panel import Panel

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
    "routine.fired",
}

Handler = Callable[[int], None]


class Loop:
    """A selector, plus a wake-up socket that signal handlers write to."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        for end in (self._wake_r, self._wake_w):
            end.setblocking(False)
        self.selector.register(self._wake_r, selectors.EVENT_READ, self._drain)
        self.signals: list[int] = []
        self._previous: dict[int, Any] = {}

    def watch(self, fileobj: Any, handler: Handler, write: bool = False) -> None:
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if write else 0)
        try:
            self.selector.modify(fileobj, events, handler)
        except KeyError:
            self.selector.register(fileobj, events, handler)

    def remove(self, fileobj: Any) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(fileobj)

    def catch_signals(self, numbers: Sequence[int]) -> None:
        """Turn signals into events of this loop: the handler only notes the number."""
        signal.set_wakeup_fd(self._wake_w.fileno(), warn_on_full_buffer=False)
        for number in numbers:
            self._previous[number] = signal.signal(
                number, lambda signum, _frame: self.signals.append(signum)
            )

    def _drain(self, _mask: int) -> None:
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while self._wake_r.recv(4096):
                pass

    def run_once(self, timeout: float | None) -> None:
        for key, mask in self.selector.select(timeout):
            key.data(mask)

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            signal.set_wakeup_fd(-1)
            for number, handler in self._previous.items():
                signal.signal(number, handler)
        self.selector.close()
        self._wake_r.close()
        self._wake_w.close()


class Daemon:
    """``reminderd start``: load the config, pick a notifier, then guide routines when due."""

    def __init__(
        self,
        source: ConfigSource | None = None,
        *,
        clock: Clock | None = None,
        write: Callable[[str], None] = print,
        paths: Paths | None = None,
        loop: Loop | None = None,
    ) -> None:
        self.source = source or find_config()
        self.clock = clock or SystemClock()
        self.write = write
        self.paths = paths or user_paths()
        self.lock = PidLock(self.paths.lock)
        self.lock.acquire()
        try:
            config = load_config(self.source)
        except ReminderError:
            self.lock.release()
            raise
        self.started = self.clock.now()
        self.stopping = False
        self.loop = loop or Loop()
        self.backend = self._choose(config.backend)
        log.info("config: %s (%s)", self.source.path, self.source.origin)
        self.core = Core(
            config,
            clock=self.clock,
            notifier=self.backend.notifier,
            listeners=(self._on_event,),
            presence=self._presence(config),
            dnd=self._dnd(self.backend),
            polls=Polls.from_env(os.environ),
        )
        self._choose_guidance(config)
        self.alarm = WallAlarm.create()
        if self.alarm:
            self.loop.watch(self.alarm, lambda _mask: self._alarm_rang())
        self.sleep_watch = SleepWatch.connect()
        if self.sleep_watch:
            self.loop.watch(self.sleep_watch, lambda _mask: self._sleep_signal())
        self.store = StateStore(self.paths.state_file)
        self._saved: dict[str, Any] | None = None
        self.core.restore_state(self.store.load())
        self.history = History(self.paths.history, self.clock.zone)
        pruned = self.history.prune(config.history_days, self.clock.now())
        if pruned:
            log.info("history: forgot %d events older than %d days", pruned, config.history_days)
        self.hooks = Hooks(config.hooks)
        self.core.listeners += [self.history.record, self.hooks]
        self._signal_fd: int | None = None
        self.signals = self.backend.signals()
        self.server: Server | None = None
        if control_supported():
            self.server = Server(self.paths.socket, self.handle)
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

    # -- wiring ---------------------------------------------------------------------------

    def _choose(self, backend: str) -> Choice:
        choice = choose(backend, self.write)
        log.info("notifications: %s, because %s", choice.backend, choice.reason)
        return choice

    def _choose_guidance(self, config: Config) -> None:
        """The voice and the sound cues, chosen like the notification backend."""
        self.voice = speech.choose(config.guidance.voice)
        log.info("voice: %s, because %s", self.voice.speaker.name, self.voice.reason)
        server = self.backend.server
        self.sounds = cues.choose(
            config.guidance.sounds, server.capabilities if server else frozenset()
        )
        log.info("sounds: %s, because %s", self.sounds.cues.name, self.sounds.reason)
        self.core.speaker = self.voice.speaker
        self.core.cues = self.sounds

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
        if not (pause or natural):
            return Presence(None, None, None, "off: pause_when_idle and natural_break are not set")
        if old and old.source:
            return Presence(old.source, pause, natural, old.note)
        from reminderd import idle  # noqa: PLC0415 - only when idle awareness is asked for

        source, note = idle.detect()
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
            lambda request: self.handle(request, cast(Client, None)),  # no client: not a stream
            self.status,
            stats=lambda: panel.today(self.paths.history, self.clock.now().astimezone().date()),
            now=self.clock.now,
        )
        if not item.start():
            self.panel_reason = item.reason
            log.info("panel icon: %s", item.reason)
            return
        self.panel = item
        self.loop.watch(item.fileno(), lambda _mask: item.readable())

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
        _return_startup_memory()
        try:
            while not self.stopping:
                self.core.tick()
                self._watch_notifier()
                self.loop.run_once(self._timeout())
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
        if self.core.guide:
            self.core.guide.cancel("stopped")
        self.hooks.wait()
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

    def _log_next(self) -> None:
        zone = self.clock.zone()
        for timer in self.core.timers.values():
            when = timer.due.astimezone(zone).strftime("%a %H:%M") if timer.due else "never"
            log.info("next %s: %s", timer.routine.name, when)

    # -- commands -------------------------------------------------------------------------

    def handle(self, request: dict[str, Any], client: Client) -> dict[str, Any] | None:
        command = request["cmd"]
        handler = getattr(self, f"cmd_{command}", None)
        if handler is None:
            known = ", ".join(sorted(n[4:] for n in dir(self) if n.startswith("cmd_")))
            msg = f'unknown command "{command}" (known: {known})'
            raise ControlError(msg)
        result: dict[str, Any] | None = handler(request, client)
        if (
            result is not None
            and command in ("pause", "resume", "snooze", "skip")
            and self.store.last_error
        ):
            result["warning"] = f"{self.store.last_error}; it will not survive a restart"
        return result

    def cmd_status(self, _request: dict[str, Any], _client: Client) -> dict[str, Any]:
        return self.status()

    def status(self) -> dict[str, Any]:
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
            "dnd": self.core.dnd.source.name if self.core.dnd.source else None,
            "dnd_reason": self.core.dnd.reason,
            "panel": bool(self.panel and self.panel.registered),
            "panel_reason": self.panel.reason if self.panel else self.panel_reason,
            **self.core.status(),
        }

    def _backend_reason(self) -> str:
        if self.core.notifier.failing:
            return f"{self.backend.reason}; not delivering now, steps go to the console"
        return self.backend.reason

    def cmd_pause(self, request: dict[str, Any], _client: Client) -> dict[str, Any]:
        until = self._pause_end(request)
        self.core.pause(until)
        return {"paused_until": self.core.status()["paused_until"]}

    def _pause_end(self, request: dict[str, Any]) -> datetime | None:
        """None (until resumed), ``seconds`` from now, "HH:MM" next, or "tomorrow"."""
        now = self.clock.now()
        zone = self.clock.zone()
        seconds, until = request.get("seconds"), request.get("until")
        if seconds is not None:
            fix = "`reminderd pause` with no duration pauses until `reminderd resume`"
            return now + timedelta(seconds=_seconds(seconds, MAX_PAUSE, "a pause", fix))
        if until is None:
            return None
        try:
            return scheduler.until(self.core.config.schedule, str(until), now, zone)
        except DurationError as error:
            raise ControlError(str(error)) from None

    def cmd_resume(self, _request: dict[str, Any], _client: Client) -> dict[str, Any]:
        was_paused = self.core.paused_until is not None
        self.core.resume()
        return {"was_paused": was_paused}

    def _routine_arg(self, request: dict[str, Any]) -> str | None:
        name = request.get("routine")
        if name is not None and not isinstance(name, str):
            msg = "routine must be a name"
            raise ControlError(msg)
        return name

    def _target_error(self, name: str | None) -> ControlError:
        if name:
            return ControlError(unknown_name(name, list(self.core.timers), "routine"))
        return ControlError("nothing to act on: no routine is on screen, queued or due")

    def cmd_snooze(self, request: dict[str, Any], _client: Client) -> dict[str, Any]:
        name = self._routine_arg(request)
        fix = "for longer, skip it or pause reminderd"
        seconds = _seconds(request.get("seconds", 600), MAX_SNOOZE, "a snooze", fix)
        try:
            routine, due = self.core.snooze(name, seconds)
        except LookupError:
            raise self._target_error(name) from None
        return {"routine": routine, "next": self.core.iso(due)}

    def cmd_skip(self, request: dict[str, Any], _client: Client) -> dict[str, Any]:
        name = self._routine_arg(request)
        try:
            routine, due = self.core.skip(name, force=request.get("force") is True)
        except LookupError:
            raise self._target_error(name) from None
        except SkipBudgetError as error:
            raise ControlError(str(error)) from None
        return {"routine": routine, "next": self.core.iso(due)}

    def cmd_run(self, request: dict[str, Any], _client: Client) -> dict[str, Any]:
        name = request.get("name")
        if not isinstance(name, str) or not name:
            msg = "name must be a routine or exercise name"
            raise ControlError(msg)
        if self.core.paused_until:
            msg = "reminderd is paused: `reminderd resume` first, or run it here with --here"
            raise ControlError(msg)
        config = self.core.config
        try:
            routine_for(name, config.routines, config.exercises)
        except ReminderError as error:
            raise ControlError(str(error)) from None
        ahead = len(self.core.queue) + (1 if self.core.guide else 0)
        self.core.run_now(name)
        return {"routine": name, "ahead": ahead}

    def cmd_reload(self, _request: dict[str, Any], _client: Client) -> dict[str, Any]:
        return self.reload()

    def reload(self) -> dict[str, Any]:
        """Re-read the config; a broken one leaves the running config in place and says why."""
        explicit = (
            self.source.path if self.source.origin in ("--config", "REMINDERD_CONFIG") else None
        )
        try:
            source = (
                ConfigSource(explicit, self.source.origin) if explicit else find_config(None, {})
            )
            config = load_config(source)
        except ConfigError as error:
            log.error("config not reloaded; the old one stays in use:\n%s", error)
            first = error.problems[0]
            more = f" (and {len(error.problems) - 1} more)" if len(error.problems) > 1 else ""
            with contextlib.suppress(ReminderError):
                self.core.notifier.show(
                    Note("reminderd: config not reloaded", f"{first}{more}", final=True)
                )
            msg = f"config not reloaded; the old one stays in use:\n{error}"
            raise ControlError(msg) from None
        except Exception as error:  # whatever it is, the running config must survive it
            log.exception("config not reloaded; the old one stays in use")
            msg = f"config not reloaded; the old one stays in use: {error!r}"
            raise ControlError(msg) from None
        self.source = source
        if config.backend != self.core.config.backend:
            self.backend = self._choose(config.backend)
            self.core.notifier = self.backend.notifier
            self.core.dnd = self._dnd(self.backend)
            self.signals = self.backend.signals()
        self.core.presence = self._presence(config, self.core.presence)
        self.hooks.hooks = config.hooks
        self.core.reload(config)
        self._choose_guidance(config)
        if config.panel_icon != (self.panel is not None):
            self._show_panel(config.panel_icon)
        return {"config": str(source.path), "routines": [r.name for r in config.routines]}

    def cmd_events(self, _request: dict[str, Any], client: Client) -> dict[str, Any]:
        """Turn this connection into a stream: one line per event from now on."""
        if self.server and self.server.streams() >= MAX_STREAMS:
            msg = f"too many event streams ({MAX_STREAMS}); close one first"
            raise ControlError(msg)
        client.subscribed = True
        log.debug("control: a client follows the events")
        return {"subscribed": True}

    def cmd_stop(self, _request: dict[str, Any], _client: Client) -> dict[str, Any]:
        log.info("stopping (asked over the control socket)")
        self.stopping = True
        return {"pid": os.getpid()}


class SleepWatch:
    """logind's PrepareForSleep signal on the system bus, where there is one: the routine
    on screen is withdrawn before the machine sleeps rather than found stale after."""

    RULE = (
        "type='signal',sender='org.freedesktop.login1',interface='org.freedesktop.login1.Manager',"
        "member='PrepareForSleep',path='/org/freedesktop/login1'"
    )

    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    @classmethod
    def connect(cls) -> SleepWatch | None:
        if not system_bus_address():
            return None
        bus = Bus(system=True)
        try:
            bus.subscribe(cls.RULE)
        except BusError as error:
            log.debug("no sleep notices from logind: %s", error)
            bus.disconnect()
            return None
        log.debug("watching logind for suspend and resume")
        return cls(bus)

    def fileno(self) -> int:
        return int(self.bus.connect().sock.fileno())

    def signals(self) -> list[bool]:
        """The PrepareForSleep values that arrived (True: going to sleep, False: awake)."""
        messages = self.bus.pending()
        return [bool(m.body[0]) for m in messages if m.body and _member(m) == "PrepareForSleep"]

    def close(self) -> None:
        self.bus.disconnect()


def _seconds(value: object, maximum: float, what: str, fix: str) -> float:
    """A number of seconds from a control request: finite, above zero, within its bound."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"{what} needs its length as a number of seconds"
        raise ControlError(msg)
    try:
        return bounded(float(value), maximum, what, fix)
    except DurationError as error:
        raise ControlError(str(error)) from None


def _member(message: Any) -> str | None:
    from jeepney import HeaderFields  # noqa: PLC0415

    member = message.header.fields.get(HeaderFields.member)
    return str(member) if member else None


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
