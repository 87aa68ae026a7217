"""What every command shares: the group that turns reminderd's errors into messages and
exit codes and loads each command's module only when it runs, the shared options, and the
way to the config and to the running daemon."""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reminderd.durations import parse_duration
from reminderd.errors import ConfigError, DurationError, ReminderError
from reminderd.i18n import _, language, text
from reminderd.i18n.languages import SOURCE
from reminderd.paths import user_paths

if TYPE_CHECKING:
    from reminderd.config import ConfigSource
    from reminderd.model import Config

F = TypeVar("F", bound=Callable[..., Any])


class Group(click.Group):
    """Turns reminderd's own errors into clean messages and exit codes, and imports a
    command's module only when that command is asked for (click's lazy loading): `reminderd
    pause` need not load what `plan` or `stats` use."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}  # command name -> "module:attribute"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _colon, name = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), name)
            assert isinstance(command, click.Command)
            return localized(command)
        found = super().get_command(ctx, cmd_name)
        return localized(found) if found is not None else None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            for line in error.report():
                click.echo(line, err=True)
            ctx.exit(2)
        except ReminderError as error:
            raise click.ClickException(text(error.args[0] if error.args else error)) from None


def localized(command: click.Command) -> click.Command:
    """``command`` with its help and its options' help in the language in use (once): the
    docstrings and ``help=`` texts are the catalogues' message ids."""
    if getattr(command, "_localized", SOURCE) == language():
        return command
    # The English texts are the message ids: kept, so that another language can be had.
    english: dict[object, str | None] = getattr(command, "_english", None) or {
        param: param.help for param in command.params if isinstance(param, click.Option)
    }
    english.setdefault(command, inspect.cleandoc(command.help) if command.help else None)
    command._english = english  # type: ignore[attr-defined]
    for holder, text_of in english.items():
        if text_of:
            holder.help = _(text_of)  # type: ignore[attr-defined]
    command._localized = language()  # type: ignore[attr-defined]
    return command


def config_option(func: F) -> F:
    """``--config PATH``, shared by every command that reads the config."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Config file to use (default: $REMINDERD_CONFIG, else the one in your config folder).",
    )(func)


def source(config_path: Path | None) -> ConfigSource:
    """The config file a command reads, and why that one."""
    from reminderd.config import find_config  # noqa: PLC0415 - pause and skip never load it

    return find_config(config_path)


def load(config_path: Path | None) -> Config:
    """The config, with the bounds this process was started with (the test suite lowers
    the shortest interval through the environment: read here, at the edge)."""
    from reminderd.config import Limits, load_config  # noqa: PLC0415 - as above

    return load_config(source(config_path), Limits.from_env(os.environ))


def socket() -> Path:
    return user_paths().socket


def ask(cmd: str, **args: Any) -> dict[str, Any]:
    """One round trip to the running daemon; a warning in the reply goes to stderr."""
    from reminderd import control  # noqa: PLC0415 - list and show rarely need it

    reply = control.request(socket(), cmd, **args)
    if reply.get("warning"):
        click.echo(_("Warning: {message}").format(message=text(reply["warning"])), err=True)
    return reply


def log_options(func: F) -> F:
    func = click.option(
        "--log-file", type=click.Path(dir_okay=False), help="Also log to this file."
    )(func)
    return click.option(
        "--log-level",
        type=click.Choice(["debug", "info", "warning", "error"]),
        default="info",
        show_default=True,
        help="How much to log (to stderr, which journald collects under systemd).",
    )(func)


def duration_arg(value: str, name: str = "DURATION") -> float:
    """A duration argument; a mistake is a usage error (exit 2) that says how to write it."""
    try:
        return parse_duration(value)
    except DurationError as error:
        raise click.BadParameter(text(error.args[0]), param_hint=name) from None


def layer_lines(chosen: ConfigSource) -> list[str]:
    """With system-wide files under the person's: each setting with its file and line."""
    from reminderd.config.layers import describe, read_layers  # noqa: PLC0415 - config path, check

    return describe(read_layers(chosen))
