"""Other break reminders on the same desktop, which would prompt a person twice.

GNOME 48 and later have break reminders of their own (Settings ▸ Wellbeing): the
``selected-breaks`` key of ``org.gnome.desktop.break-reminders`` lists the kinds that are
on, "movement" (a longer break every half hour by default) and "eyesight" (20 seconds of
looking away every 20 minutes). GNOME's movement breaks do what reminderd's routines do;
its eyesight breaks do something reminderd does not. The key is read with the
``gsettings`` command (no GLib in the daemon), once at start and at each reload in a GNOME
session: a setting a person changes by hand, not something to poll.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Mapping

from reminderd.i18n.said import said
from reminderd.paths import on_path

log = logging.getLogger("reminderd")

SCHEMA = "org.gnome.desktop.break-reminders"
TIMEOUT = 2.0  # seconds for the gsettings command


def gnome_breaks(environ: Mapping[str, str] | None = None) -> list[str]:
    """The kinds of GNOME break reminders that are on ([] where there are none, outside a
    GNOME session, or with no GNOME 48 schema, or no gsettings)."""
    env = os.environ if environ is None else environ
    desktops = env.get("XDG_CURRENT_DESKTOP", "")
    if "GNOME" not in desktops.upper().split(":") or not on_path("gsettings", env.get("PATH")):
        return []
    import subprocess  # noqa: PLC0415 - only a GNOME session runs a command for this

    try:
        done = subprocess.run(
            ["gsettings", "get", SCHEMA, "selected-breaks"],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if done.returncode != 0:  # "No such schema": GNOME before 48, or not GNOME
        return []
    return re.findall(r"'([^']*)'", done.stdout)


def look_again(before: str | None) -> str | None:
    """What to say of other break reminders now (None: nothing), at start and at each
    reload; logged when it differs from ``before``, what was said last time."""
    found = advice(gnome_breaks()) if sys.platform.startswith("linux") else None
    if found and found != before:
        log.warning("%s", found)
    return found


def advice(breaks: list[str]) -> str | None:
    """What to say when GNOME's break reminders are on beside reminderd's, or None."""
    if not breaks:
        return None
    on = " and ".join(sorted(breaks))
    if "movement" in breaks and "eyesight" in breaks:
        return said(
            "GNOME's own break reminders are on ({on}): its movement breaks and reminderd's"
            " routines would both prompt you. Turn GNOME's movement breaks off in Settings ▸"
            " Wellbeing ▸ Break Reminders; its eyesight breaks (looking away) can stay,"
            " reminderd has none, or pause reminderd instead.",
            on=on,
        )
    if "movement" in breaks:
        return said(
            "GNOME's own break reminders are on ({on}): its movement breaks and reminderd's"
            " routines would both prompt you. Turn GNOME's movement breaks off in Settings ▸"
            " Wellbeing ▸ Break Reminders, or pause reminderd instead.",
            on=on,
        )
    return said(
        "GNOME's own break reminders are on ({on}): they remind you to rest your eyes,"
        " which reminderd does not, so both can stay.",
        on=on,
    )
