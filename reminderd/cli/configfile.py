"""`config path`, `config init`, `config examples` and `config edit`: where the person's
config file lives, a commented start for it, the examples, and an editor that checks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click

from reminderd import safety
from reminderd.cli.base import Group, config_option, layer_lines, source
from reminderd.config import default_config_path, user_config_path
from reminderd.config.examples import example, examples
from reminderd.i18n import _


@click.group(cls=Group)
def config() -> None:
    """Find, write, list and edit your config file."""


@config.command(name="path")
@config_option
def config_path_(config_path: Path | None) -> None:
    """Print the config file in use, and why that one.

    With system-wide files (/etc/xdg/reminderd/config.toml, $XDG_CONFIG_DIRS), also the
    file and line of each setting.
    """
    chosen = source(config_path)
    origins = {"user": _("user"), "default": _("default")}
    click.echo(f"{chosen.path} ({origins.get(chosen.origin, chosen.origin)})")
    for line in layer_lines(chosen):
        click.echo(line)


@config.command(name="init")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@click.option(
    "--example",
    "name",
    metavar="NAME",
    help="Start from this example instead (`reminderd config examples` lists them).",
)
def config_init(force: bool, name: str | None) -> None:
    """Write a commented config file to your config folder.

    It holds the built-in routines and every setting at its default, each with a comment,
    and an exercise of your own to copy (or, with --example, one of the examples).
    """
    origin = example(name).path if name else default_config_path()
    target = user_config_path()
    if target.exists() and not force:
        raise click.ClickException(
            _("{path} exists already (use --force to overwrite it)").format(path=target)
        )
    _write(origin, target)
    click.echo(
        _("Wrote {path}. Edit it, then check it with `reminderd check`.").format(path=target) + "\n"
    )
    click.echo(safety.text())


def _write(origin: Path, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, target)
    except OSError as error:
        raise click.ClickException(
            _("cannot write {path}: {error}").format(path=target, error=error.strerror or error)
        ) from None


@config.command(name="examples")
def config_examples() -> None:
    """List the example configs, for `config init --example NAME`."""
    found = examples()
    width = max((len(item.name) for item in found), default=0)
    for item in found:
        click.echo(f"{item.name:<{width}}  {_(item.about)}")
    click.echo(
        "\n" + _("They are in {folder}.").format(folder=found[0].path.parent)
        if found
        else _("There are none.")
    )


@config.command(name="edit")
@config_option
@click.pass_context
def config_edit(ctx: click.Context, config_path: Path | None) -> None:
    """Open your config file in $VISUAL or $EDITOR, then check it.

    Without a config file of your own, the commented one of `config init` is written first.
    """
    chosen = source(config_path)
    path = chosen.path
    if chosen.is_default:
        path = user_config_path()
        _write(default_config_path(), path)
        click.echo(_("Wrote {path} (the built-in routines, commented), to edit.").format(path=path))
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise click.ClickException(
            _(
                "set $VISUAL or $EDITOR to your editor (for example EDITOR=nano), or edit {path}"
                " yourself and run `reminderd check`"
            ).format(path=path)
        )
    before = _stamp(path)
    click.edit(filename=str(path), editor=editor)  # a failed editor is a ClickException
    if _stamp(path) == before:
        click.echo(_("{path} is unchanged.").format(path=path))
        return
    from reminderd.cli.routines import check  # noqa: PLC0415 - only once something changed

    ctx.invoke(check, path=path)
    _say_reload()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def _say_reload() -> None:
    """The running daemon reads the file again only when told."""
    from reminderd.lock import is_locked  # noqa: PLC0415
    from reminderd.paths import user_paths  # noqa: PLC0415

    if is_locked(user_paths().lock):
        click.echo(_("reminderd is running: `reminderd reload` applies the change."))
