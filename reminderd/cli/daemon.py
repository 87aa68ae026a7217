"""Running the daemon: `start` (in the foreground, or detached until it answers), `stop`
and `status`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import click

from reminderd import control
from reminderd.cli.base import config_option, load, log_options
from reminderd.cli.health import show_safety_once
from reminderd.config.apart import hand_over
from reminderd.errors import ReminderError
from reminderd.i18n import _
from reminderd.lock import is_locked, read_pid
from reminderd.paths import private_log, user_paths
from reminderd.statusline import status as print_status
from reminderd.when import first_reminder


@click.command()
@config_option
@click.option("--detach", is_flag=True, help="Run in the background; return once it answers.")
@log_options
def start(config_path: Path | None, detach: bool, log_level: str, log_file: str | None) -> None:
    """Run the reminder daemon, in the foreground or detached.

    In the foreground it runs until Ctrl-C or SIGTERM.
    It loads the config, sleeps until the next routine is due and guides it through
    notifications, and answers `status`, `pause` and the other commands on a socket in
    your runtime folder. Only one runs per user: a second `start` names the first.
    """
    paths = user_paths()
    if is_locked(paths.lock):
        pid = read_pid(paths.lock)
        raise click.ClickException(
            _("reminderd is already running (pid {pid}); stop it with `reminderd stop`").format(
                pid=pid
            )
        )
    config = load(config_path)  # a broken config is reported here, with exit 2
    show_safety_once()
    if "PYTHONTZPATH" not in os.environ:
        os.environ["PYTHONTZPATH"] = time_zone_path()
    # The config as read here, for the daemon: it need not read it again at start.
    handed = hand_over(config)
    argv = daemon_command(config_path, log_level, handed)
    if detach:
        _start_detached(argv, Path(log_file) if log_file else paths.log_file, paths.socket, handed)
        return
    if log_file:
        argv += ["--log-file", log_file]
    if os.name == "posix":
        # Become the lean daemon process (same pid, same terminal): what stays in memory
        # for hours need not carry the command line.
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - a fixed argument list, no shell

    from reminderd.daemon.__main__ import main  # noqa: PLC0415 - where exec is not there

    sys.exit(main(argv[argv.index("reminderd.daemon") + 1 :]))


def daemon_command(config_path: Path | None, log_level: str, handed: int) -> list[str]:
    """The daemon's own command line, as `start` runs it: its config file, if one was
    named, and the config already read, on descriptor ``handed``."""
    # -P (3.11+): the daemon imports reminderd as installed, never a copy in the folder
    # it happens to be started from (a clone of the repository, say).
    safe = ["-P"] if sys.version_info >= (3, 11) else []
    argv = [sys.executable, *safe, "-m", "reminderd.daemon", "--log-level", log_level]
    if config_path:
        argv += ["--config", str(config_path.resolve())]
    return [*argv, "--config-fd", str(handed)]


def time_zone_path() -> str:
    """The time-zone search path as zoneinfo finds it here, for the daemon's PYTHONTZPATH
    (set by `start` unless one is named already): without it, the daemon's zoneinfo reads
    it from the interpreter's build variables, about a thousand of them, kept in memory
    for the daemon's life (0.3 MB). The path is the same either way."""
    import zoneinfo  # noqa: PLC0415 - only to hand its search path on

    return os.pathsep.join(zoneinfo.TZPATH)


def _start_detached(argv: list[str], log_path: Path, socket_path: Path, handed: int) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with private_log(str(log_path)) as log:
        offset = log.tell()
        child = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
            pass_fds=(handed,),
        )
        os.close(handed)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if child.poll() is not None:
            with log_path.open("rb") as log:
                log.seek(offset)
                said = log.read().decode(errors="replace").rstrip()
            if said:
                click.echo(said, err=True)
            code = child.returncode or 1
            click.echo(
                _("Error: reminderd exited at once (exit status {status}); its log: {log}").format(
                    status=child.returncode, log=log_path
                ),
                err=True,
            )
            sys.exit(code)
        try:
            reply = control.request(socket_path, "status", timeout=1)
        except ReminderError:
            time.sleep(0.05)
            continue
        if reply.get("pid") == child.pid:
            click.echo(
                _("reminderd started (pid {pid}); log: {log}").format(pid=child.pid, log=log_path)
            )
            click.echo(first_reminder(reply["routines"], datetime.now().astimezone()))
            return
        time.sleep(0.05)
    raise click.ClickException(
        _("reminderd (pid {pid}) did not answer within 15 s; see {log}").format(
            pid=child.pid, log=log_path
        )
    )


@click.command()
def stop() -> None:
    """Stop the running daemon; returns once the process is gone."""
    paths = user_paths()
    reply = control.request(paths.socket, "stop")
    deadline = time.monotonic() + 10
    while is_locked(paths.lock):
        if time.monotonic() > deadline:
            raise click.ClickException(
                _("reminderd (pid {pid}) is still running after 10 s").format(pid=reply["pid"])
            )
        time.sleep(0.02)
    click.echo(_("reminderd stopped (pid {pid}).").format(pid=reply["pid"]))


@click.command()
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the status as one JSON object (its fields: docs/commands.md).",
)
def status(as_json: bool) -> None:
    """Say whether reminderd runs, and what it does and will do.

    Whether it is paused, what it is guiding, and what comes next.
    """
    sys.exit(print_status(as_json))
