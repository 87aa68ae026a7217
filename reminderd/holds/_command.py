"""A short subprocess that a source starts, then reads within its bound (shared by the
sources that ask a command, so that they run side by side)."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence

from reminderd.holds.port import HoldUnknown

LIMIT = 16 * 1024 * 1024  # bytes of output read at most: a larger answer is not believed


class Command:
    """One run of ``argv``: ``start`` spawns it, ``output`` waits for it (or kills it)."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str] | None) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = None if env is None else dict(env)
        self._process: subprocess.Popen[bytes] | None = None
        self._failed: str | None = None

    def start(self) -> None:
        self.stop()
        self._failed = None
        try:
            self._process = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.env,
            )
        except OSError as error:
            self._failed = f"{self.name}: cannot run {self.argv[0]}: {error.strerror or error}"

    def output(self, timeout: float) -> bytes:
        """Its standard output; HoldUnknown if it failed, or is not done in ``timeout``."""
        if self._failed:
            raise HoldUnknown(self._failed)
        if self._process is None:
            self.start()
            return self.output(timeout)
        process, self._process = self._process, None
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            msg = f"{self.name}: {self.argv[0]} did not finish within the bound"
            raise HoldUnknown(msg) from None
        if process.returncode != 0:
            said = err.decode(errors="replace").strip().splitlines()
            msg = f"{self.name}: {self.argv[0]} failed ({said[-1] if said else process.returncode})"
            raise HoldUnknown(msg)
        if len(out) > LIMIT:
            msg = f"{self.name}: {self.argv[0]} printed more than {LIMIT} bytes"
            raise HoldUnknown(msg)
        return out

    def stop(self) -> None:
        """End a run nobody reads (the runner gave up on it)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()
        self._process = None
