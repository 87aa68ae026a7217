"""A short subprocess that a source starts, then reads within its bound (shared by the
sources that ask a command, so that they run side by side).

Spawned with ``os.posix_spawnp`` and read with ``select.poll`` rather than through the
subprocess module: the idle daemon no longer loads subprocess, which with what it brings
would add about 0.4 MB to a daemon that has asked its holds once (bench/run.py, figure 16).
"""

from __future__ import annotations

import os
import select
import signal
import time
from collections.abc import Mapping, Sequence

from reminderd.holds.port import HoldUnknown

LIMIT = 16 * 1024 * 1024  # bytes of output read at most: a larger answer is not believed
EXIT_WAIT = 0.05  # seconds for a command that closed its output to exit, within the bound


class Command:
    """One run of ``argv``: ``start`` spawns it, ``output`` waits for it (or kills it)."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str] | None) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = None if env is None else dict(env)
        self._pid: int | None = None
        self._fds: list[int] = []  # its stdout and stderr, read ends
        self._failed: str | None = None

    def start(self) -> None:
        self.stop()
        self._failed = None
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, out_write, 1),
            (os.POSIX_SPAWN_DUP2, err_write, 2),
        ]
        try:
            env = os.environ if self.env is None else self.env
            self._pid = os.posix_spawnp(self.argv[0], self.argv, env, file_actions=actions)
            self._fds = [out_read, err_read]
        except OSError as error:
            os.close(out_read)
            os.close(err_read)
            self._failed = f"{self.name}: cannot run {self.argv[0]}: {error.strerror or error}"
        finally:
            os.close(out_write)
            os.close(err_write)

    def output(self, timeout: float) -> bytes:
        """Its standard output; HoldUnknown if it failed, or is not done in ``timeout``."""
        if self._failed:
            raise HoldUnknown(self._failed)
        if self._pid is None:
            self.start()
            return self.output(timeout)
        deadline = time.monotonic() + timeout
        try:
            out, err = self._read(deadline)
            status = self._wait(deadline)
        finally:
            self.stop()
        if status is None:
            msg = f"{self.name}: {self.argv[0]} did not finish within the bound"
            raise HoldUnknown(msg)
        if status != 0:
            said = err.decode(errors="replace").strip().splitlines()
            msg = f"{self.name}: {self.argv[0]} failed ({said[-1] if said else status})"
            raise HoldUnknown(msg)
        return out

    def _read(self, deadline: float) -> tuple[bytes, bytes]:
        """Both outputs until they close; HoldUnknown past the deadline or the limit."""
        chunks: dict[int, list[bytes]] = {fd: [] for fd in self._fds}
        poller = select.poll()
        for fd in self._fds:
            poller.register(fd, select.POLLIN)
        open_fds, size = set(self._fds), 0
        while open_fds:
            left = deadline - time.monotonic()
            if left <= 0:
                msg = f"{self.name}: {self.argv[0]} did not finish within the bound"
                raise HoldUnknown(msg)
            for fd, _event in poller.poll(left * 1000):
                data = os.read(fd, 65536)
                if not data:
                    poller.unregister(fd)
                    open_fds.discard(fd)
                    continue
                chunks[fd].append(data)
                size += len(data)
                if size > LIMIT:
                    msg = f"{self.name}: {self.argv[0]} printed more than {LIMIT} bytes"
                    raise HoldUnknown(msg)
        out, err = (b"".join(chunks[fd]) for fd in self._fds)
        return out, err

    def _wait(self, deadline: float) -> int | None:
        """Its exit code, once it exits (soon after closing its output); None if not by
        the deadline (or a little after, for one that closed its output just in time).
        Waits on a pidfd, which becomes readable when the process ends."""
        assert self._pid is not None
        last = max(deadline, time.monotonic() + EXIT_WAIT)
        try:
            pidfd = os.pidfd_open(self._pid)
        except ChildProcessError:  # reaped elsewhere: its output is all there is
            self._pid = None
            return 0
        except OSError:  # a kernel before 5.3: look once more at the end of the wait
            pidfd = None
        try:
            if pidfd is not None:
                poller = select.poll()
                poller.register(pidfd, select.POLLIN)
                poller.poll(max(0.0, last - time.monotonic()) * 1000)
            pid, status = os.waitpid(self._pid, os.WNOHANG)
        except ChildProcessError:
            self._pid = None
            return 0
        finally:
            if pidfd is not None:
                os.close(pidfd)
        if not pid:
            return None
        self._pid = None
        return os.waitstatus_to_exitcode(status)

    def stop(self) -> None:
        """End a run nobody reads (the runner gave up on it), and close its pipes."""
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self._pid = None
        for fd in self._fds:
            os.close(fd)
        self._fds = []
