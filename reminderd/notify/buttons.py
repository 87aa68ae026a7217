"""What a server's buttons need: xfce4-notifyd draws a default action as a button;
dunst shows buttons only through its menu program (its `dmenu` setting)."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path

from reminderd.i18n.said import said
from reminderd.paths import on_path

log = logging.getLogger("reminderd")


DEFAULT_AS_BUTTON = frozenset({"Xfce Notify Daemon"})


DUNST_MENU = "/usr/bin/dmenu -p dunst:"  # dunst's own default for its `dmenu` setting


def unreachable_buttons(server_name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Why a server's buttons cannot be pressed here, or None.

    dunst advertises actions but shows them only in its context menu, which runs the
    program of its ``dmenu`` setting; without that program a click dismisses a prompt and
    no button can be reached. The setting is read from the dunstrc dunst itself would
    load (the first of $XDG_CONFIG_HOME and $XDG_CONFIG_DIRS, and its drop-ins).
    """
    if server_name != "dunst":
        return None
    env = os.environ if environ is None else environ
    command = DUNST_MENU
    for path in _dunstrc_files(env):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in re.finditer(r"^[ \t]*dmenu[ \t]*=[ \t]*(.*?)[ \t]*$", text, re.MULTILINE):
            command = match.group(1).strip("\"'")
    program = command.split()[0] if command.split() else ""
    if program and on_path(program, env.get("PATH", "")):
        return None
    named = program or said("(none set)")
    return said(
        "dunst shows buttons only through its menu program {program}, which is not installed",
        program=named,
    )


def _dunstrc_files(env: Mapping[str, str]) -> list[Path]:
    home = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    dirs = [home, *(env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(":")]
    for folder in dirs:
        main = Path(folder) / "dunst" / "dunstrc"
        if folder and main.is_file():
            return [main, *sorted((main.parent / "dunstrc.d").glob("*.conf"))]
    return []
