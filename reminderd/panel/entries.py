"""The panel menu's entries: what each says and the control request it sends (as the CLI
sends them), and today's line from the history."""

from __future__ import annotations

import contextlib
import logging
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from reminderd.errors import ReminderError
from reminderd.i18n import _

log = logging.getLogger("reminderd")


def today(path: Path, day: date) -> str:
    """Today's line in the menu, from the history: "Today: 3 of 5 done"."""
    from reminderd import figures, history  # noqa: PLC0415

    try:
        with contextlib.closing(
            history.connect(path, readonly=True, timeout=history.BUSY_TIMEOUT)
        ) as db:
            (row,) = figures.daily(db, day, day)
    except (OSError, ReminderError, _sqlite_error()) as error:
        log.debug("panel: no history to count: %s", error)
        return _("Today: nothing yet")
    return _("Today: {done} of {offered} done").format(done=row.completed, offered=row.offered)


class Item:
    """One menu entry: a label, an optional request it sends, and its children."""

    def __init__(
        self, label: str, request: dict[str, Any] | None = None, children: list[Item] | None = None
    ) -> None:
        self.label = label
        self.request = request
        self.children = children or []
        self.id = 0


class Menu(NamedTuple):
    """The menu built on ``day``: its root, and every entry by id."""

    day: date
    root: Item
    items: dict[int, Item]


def menu(routines: list[tuple[str, str]], stats: str) -> list[Item]:
    """The menu, top to bottom: what each entry says and which command it sends
    (``routines``: the name and title of each), in the language in use."""
    run = [Item(_(title), {"cmd": "run", "name": name}) for name, title in routines]
    return [
        Item(_("Run now"), children=run),
        Item(
            _("Pause"),
            children=[
                Item(_("30 minutes"), {"cmd": "pause", "seconds": 1800}),
                Item(_("1 hour"), {"cmd": "pause", "seconds": 3600}),
                Item(_("Until tomorrow"), {"cmd": "pause", "until": "tomorrow"}),
                Item(_("Until resumed"), {"cmd": "pause"}),
            ],
        ),
        Item(_("Resume"), {"cmd": "resume"}),
        Item(_("Snooze the next routine"), {"cmd": "snooze"}),
        Item(_("Skip the next routine"), {"cmd": "skip"}),
        Item(stats),
        Item(_("Quit"), {"cmd": "stop"}),
    ]


def _sqlite_error() -> type[Exception]:
    import sqlite3  # noqa: PLC0415 - the menu is built when a panel asks for it

    return sqlite3.Error
