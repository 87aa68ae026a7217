"""The daemon's own process: ``python -m reminderd.daemon [--config PATH] [--log-level L]
[--log-file F] [--config-fd N]``.

`reminderd start` checks its options and the config with the full command line, then
replaces itself with this lean entry (same process id), so that the daemon that stays in
memory for hours carries neither click nor the rest of the command line; the config it
read comes along on descriptor N, so the daemon reads only its reloads (in a process
apart). Its options are an internal interface, always written by `reminderd start`.
"""

from __future__ import annotations

import os
import sys

from reminderd.config.apart import first_then_apart, read_apart, taken_over
from reminderd.config.discovery import find_config
from reminderd.config.limits import Limits
from reminderd.core import Polls
from reminderd.daemon import Daemon
from reminderd.daemon.logs import configure_logging
from reminderd.errors import ConfigError, ReminderError
from reminderd.pace import Tempo


def parse(argv: list[str]) -> dict[str, str]:
    options = {"--config": "", "--log-level": "info", "--log-file": "", "--config-fd": ""}
    pairs = iter(argv)
    for name in pairs:
        if name not in options:
            msg = f"unknown option {name}"
            raise SystemExit(msg)
        options[name] = next(pairs, "")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)

    try:
        configure_logging(options["--log-level"], options["--log-file"] or None)
        # What `start` read and handed over, used at start; each reload is read apart.
        fd = options["--config-fd"]
        read = first_then_apart(taken_over(int(fd))) if fd.isdigit() else read_apart
        daemon = Daemon(
            find_config(options["--config"] or None),
            write=lambda line: print(line, flush=True),
            # The test suite shortens intervals and polls through the environment: read
            # here, at the process's edge, and passed in.
            limits=Limits.from_env(os.environ),
            polls=Polls.from_env(os.environ),
            tempo=Tempo.from_env(os.environ),
            # The config is read in a process of its own (or by `start`, before): the
            # daemon keeps the config, not the reader (reminderd/config/apart.py).
            read=read,
        )
    except ConfigError as error:
        print("\n".join(error.report()), file=sys.stderr)
        return 2
    except ReminderError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # a folder or socket it cannot use: the reason, not a traceback
        where = f": {error.filename}" if error.filename else ""
        print(f"Error: reminderd cannot start: {error.strerror or error}{where}", file=sys.stderr)
        return 1
    return daemon.run()


if __name__ == "__main__":
    sys.exit(main())
