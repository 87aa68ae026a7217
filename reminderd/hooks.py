"""Run the user's commands on events: the event as JSON on stdin, a timeout, no shell.

The command is a list of arguments from the config, run as is; nothing from the event is
ever put into it. Each run happens in a thread of its own, so a slow hook never delays a
reminder; at most a few run at once, and one that outlives its timeout is killed.
"""

from __future__ import annotations

import json
import logging
import threading

from reminderd.model import Event, Hook

log = logging.getLogger("reminderd")

MAX_RUNNING = 4


class Hooks:
    """An event listener that starts the configured hook commands."""

    def __init__(self, hooks: tuple[Hook, ...]) -> None:
        self.hooks = hooks
        self._running = 0
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        for hook in self.hooks:
            if hook.event in ("*", event.kind):
                self._start(hook, json.dumps(event.to_json()) + "\n")

    def _start(self, hook: Hook, payload: str) -> None:
        with self._lock:
            if self._running >= MAX_RUNNING:
                log.warning(
                    "hook %s skipped: %d hooks are still running", hook.command[0], self._running
                )
                return
            self._running += 1
        threading.Thread(target=self._run, args=(hook, payload), daemon=True, name="hook").start()

    def _run(self, hook: Hook, payload: str) -> None:
        import subprocess  # noqa: PLC0415 - only daemons with hooks need it

        name = hook.command[0]
        try:
            done = subprocess.run(
                list(hook.command),
                input=payload,
                text=True,
                capture_output=True,
                timeout=hook.timeout,
                check=False,
            )
            if done.returncode != 0:
                log.warning(
                    "hook %s exited with %d: %s", name, done.returncode, done.stderr.strip()[:200]
                )
        except subprocess.TimeoutExpired:
            log.warning("hook %s was stopped after %g s", name, hook.timeout)
        except OSError as error:
            log.warning("hook %s could not start: %s", name, error)
        finally:
            with self._lock:
                self._running -= 1

    def wait(self, timeout: float = 5.0) -> None:
        """Give running hooks a moment to finish (at shutdown)."""
        for thread in threading.enumerate():
            if thread.name == "hook":
                thread.join(timeout)
