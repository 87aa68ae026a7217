"""Run the user's commands on events: the event as JSON on stdin, a timeout, no shell.

The command is a list of arguments from the config, run as is; nothing from the event is
ever put into it. Each run happens in a thread of its own, so a slow hook never delays a
reminder; at most a few run at once. Each hook runs in a process group of its own, so that
a timeout, or the daemon stopping, ends the hook and whatever it started, as voices and
sounds are ended (``children``): SIGTERM to the group, so that it can clean up, and SIGKILL
to whatever of the group is left half a second later. Only the first few kilobytes of what
it prints are kept (for the log).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import signal
import threading
import time

from reminderd.children import GRACE, signal_group
from reminderd.model import Event, Hook

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess  # at run time only where a hook runs: most daemons have none

log = logging.getLogger("reminderd")

MAX_RUNNING = 4
MAX_OUTPUT = 4096  # bytes of a hook's error output kept for the log; the rest is read and dropped


class Hooks:
    """An event listener that starts the configured hook commands."""

    def __init__(self, hooks: tuple[Hook, ...]) -> None:
        self.hooks = hooks
        self._running: set[subprocess.Popen[bytes]] = set()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopping = False

    def __call__(self, event: Event) -> None:
        for hook in self.hooks:
            if hook.event in ("*", event.kind):
                self._start(hook, (json.dumps(event.to_json()) + "\n").encode())

    def _start(self, hook: Hook, payload: bytes) -> None:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            if self._stopping:
                return
            if len(self._threads) >= MAX_RUNNING:
                log.warning(
                    "hook %s skipped: %d hooks are still running",
                    hook.command[0],
                    len(self._threads),
                )
                return
            thread = threading.Thread(
                target=self._run, args=(hook, payload), daemon=True, name="hook"
            )
            self._threads.append(thread)
        thread.start()

    def _run(self, hook: Hook, payload: bytes) -> None:
        import subprocess  # noqa: PLC0415 - only daemons with hooks need it

        name = hook.command[0]
        try:
            process = subprocess.Popen(
                list(hook.command),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group: a timeout ends all of it
            )
        except OSError as error:
            log.warning("hook %s could not start: %s", name, error)
            return
        with self._lock:
            self._running.add(process)
            late = self._stopping  # shutdown began while it was starting: wait() missed it
        if late:  # the daemon is about to exit, and this thread with it: no grace
            signal_group(process.pid, signal.SIGKILL)
        try:
            errors = _feed_and_collect(process, payload, time.monotonic() + hook.timeout)
            if errors is None:
                _end_group(process)
                log.warning("hook %s was stopped after %g s", name, hook.timeout)
            elif process.returncode not in (0, None) and not self._stopping:
                text = errors.decode(errors="replace").strip()[:200]
                log.warning("hook %s exited with %d: %s", name, process.returncode, text)
        finally:
            process.wait()
            with self._lock:
                self._running.discard(process)

    def end_all(self, grace: float = GRACE) -> None:
        """At shutdown: ask every running hook to end (SIGTERM to its process group), give
        them ``grace`` seconds in all, then kill what is left of every group."""
        with self._lock:
            self._stopping = True
            running = list(self._running)
            threads = list(self._threads)
        for process in running:
            signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for process in running:
            signal_group(process.pid, signal.SIGKILL)


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """End a hook past its timeout, in its own thread: SIGTERM to its group, up to GRACE
    seconds for it to exit, then SIGKILL to whatever of the group is left."""
    import subprocess  # noqa: PLC0415 - already loaded by the caller

    signal_group(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(GRACE)
    signal_group(process.pid, signal.SIGKILL)


def _feed_and_collect(
    process: subprocess.Popen[bytes], payload: bytes, deadline: float
) -> bytes | None:
    """Write ``payload`` to the hook's stdin, read its stderr (keeping MAX_OUTPUT bytes) until
    it exits; None if ``deadline`` passes first."""
    assert process.stdin is not None
    assert process.stderr is not None
    kept = b""
    with selectors.DefaultSelector() as selector:
        os.set_blocking(process.stdin.fileno(), False)
        selector.register(process.stdin, selectors.EVENT_WRITE)
        selector.register(process.stderr, selectors.EVENT_READ)
        pending = memoryview(payload)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            for key, _ in selector.select(left):
                if key.fileobj is process.stdin:
                    try:
                        written = os.write(process.stdin.fileno(), pending)
                    except BrokenPipeError:  # the hook does not read its stdin: fine
                        written = len(pending)
                    except BlockingIOError:
                        continue
                    pending = pending[written:]
                    if not pending:
                        selector.unregister(process.stdin)
                        process.stdin.close()
                else:
                    chunk = os.read(process.stderr.fileno(), 65536)
                    if not chunk:
                        selector.unregister(process.stderr)
                    kept = (kept + chunk)[:MAX_OUTPUT]
    import subprocess  # noqa: PLC0415 - already loaded by the caller

    try:
        process.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return None
    return kept
