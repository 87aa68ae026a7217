"""The sync folder's layout: which files it holds, whose each one is, and what to make of
a name found there.

One flat folder, so that one inotify watch covers it; each machine writes only its own
files:

    laptop.presence.json            what laptop did last, what it is doing, a shared pause
    laptop.history.2026-11.jsonl    laptop's history, one event a line, one file a month
    desk.presence.json
    desk.history.2026-11.jsonl

Names that sync engines make are recognised and left alone: Syncthing's partial downloads
(``.syncthing.NAME.tmp``, ``~syncthing~NAME.tmp`` on Windows) and conflict copies
(``NAME.sync-conflict-DATE-TIME-DEVICE.EXT``), and the conflicted copies of Nextcloud and
Dropbox (``NAME (conflicted copy ...)``). Any other name is not reminderd's.
"""

from __future__ import annotations

import os
import re
from typing import Literal, NamedTuple

from reminderd.i18n.said import said

# A machine's name is part of file names on every system a sync engine serves (Windows
# too): letters, digits, '-' and '_', no dots (they separate the parts of a name).
MACHINE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
MACHINE_HINT = said("letters, digits, '-' and '_', at most 40, starting with a letter or digit")
PRESENCE = re.compile(r"(?P<machine>[A-Za-z0-9][A-Za-z0-9_-]{0,39})\.presence\.json")
HISTORY = re.compile(
    r"(?P<machine>[A-Za-z0-9][A-Za-z0-9_-]{0,39})\.history\.(?P<month>\d{4}-(0[1-9]|1[0-2]))\.jsonl"
)
_CONFLICT = ("sync-conflict", "conflicted copy", "conflict copy")

Kind = Literal["presence", "history", "partial", "conflict", "other"]


class Entry(NamedTuple):
    """What a file name in the folder is: a machine's presence or history, a sync engine's
    partial download or conflict copy, or something that is not reminderd's."""

    kind: Kind
    machine: str = ""
    month: str = ""  # YYYY-MM, for a history file


def classify(name: str) -> Entry:
    if any(mark in name for mark in _CONFLICT):
        return Entry("conflict")
    if (name.startswith(".syncthing.") or name.startswith("~syncthing~")) and name.endswith(".tmp"):
        return Entry("partial")
    if found := PRESENCE.fullmatch(name):
        return Entry("presence", found["machine"])
    if found := HISTORY.fullmatch(name):
        return Entry("history", found["machine"], found["month"])
    return Entry("other")


def presence_name(machine: str) -> str:
    return f"{machine}.presence.json"


def history_name(machine: str, month: str) -> str:
    return f"{machine}.history.{month}.jsonl"


def default_machine() -> str:
    """This computer's host name, as a machine name: its first label, with anything a file
    name cannot hold replaced ("Ada's Laptop.local" -> "Ada-s-Laptop")."""
    if hasattr(os, "uname"):
        host = os.uname().nodename
    else:  # pragma: no cover - Windows
        import socket  # noqa: PLC0415

        host = socket.gethostname()
    label = host.split(".")[0]
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-_")[:40]
    return name if MACHINE.fullmatch(name) else "machine"
