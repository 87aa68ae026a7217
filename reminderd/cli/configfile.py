"""`config path` and `config init`: where the user's config file lives, and a start."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from reminderd import safety
from reminderd.cli.base import Group, config_option, layer_lines, source
from reminderd.config import default_config_path, user_config_path


@click.group(cls=Group)
def config() -> None:
    """Where your config file lives, and a starting point for it."""


@config.command(name="path")
@config_option
def config_path_(config_path: Path | None) -> None:
    """Print the config file reminderd uses, and why that one; with system-wide files
    (/etc/xdg/reminderd/config.toml, $XDG_CONFIG_DIRS), the file and line of each setting."""
    chosen = source(config_path)
    click.echo(f"{chosen.path} ({chosen.origin})")
    for line in layer_lines(chosen):
        click.echo(line)


@config.command(name="init")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
def config_init(force: bool) -> None:
    """Copy the built-in routines to your config folder, to edit them."""
    target = user_config_path()
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists already (use --force to overwrite it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(default_config_path(), target)
    click.echo(f"Wrote {target}. Edit it, then check it with `reminderd check`.\n")
    click.echo(safety.TEXT)
