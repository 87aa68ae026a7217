"""A panel icon: a StatusNotifierItem with a com.canonical.dbusmenu menu, over jeepney.

The item has its own session-bus connection; the daemon's loop watches its socket and calls
``Panel.readable`` when a message arrives, so nothing polls. Menu actions are control
requests handed to the same handler the CLI reaches. One file per job: ``item`` (the
connection, which routes each message), ``watcher`` (the registration with the
StatusNotifierWatcher), ``exported`` (the item's two objects behind one checked router),
``status_item`` (the StatusNotifierItem's properties), ``dbusmenu`` (the menu on the bus),
``entries`` (the menu's entries), ``words`` (the state and the tooltip), ``icon``
(reminderd's own pixels), ``names`` (the D-Bus names they share).

Every name below is read from its module on first use, so ``from reminderd import panel``
costs nothing, and a daemon whose panel never asks holds only ``item``, ``watcher`` and
``names``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reminderd.lazy import exports

if TYPE_CHECKING:
    from reminderd.panel.entries import Item, menu, today
    from reminderd.panel.icon import COLOURS, pixmap, pixmaps
    from reminderd.panel.item import Panel
    from reminderd.panel.names import (
        ITEM_IFACE,
        ITEM_METHODS,
        ITEM_PATH,
        MENU_IFACE,
        MENU_METHODS,
        MENU_PATH,
        PROPS,
        WATCHER,
    )
    from reminderd.panel.watcher import no_watcher
    from reminderd.panel.words import state_of, tooltip

# Where each name lives. (The modules are not named as the functions they hold: importing
# a module sets the package's attribute of its name, which would hide a function of it.)
_HOMES = {
    "COLOURS": "icon",
    "pixmap": "icon",
    "pixmaps": "icon",
    "ITEM_IFACE": "names",
    "ITEM_METHODS": "names",
    "ITEM_PATH": "names",
    "MENU_IFACE": "names",
    "MENU_METHODS": "names",
    "MENU_PATH": "names",
    "PROPS": "names",
    "WATCHER": "names",
    "Panel": "item",
    "no_watcher": "watcher",
    "Item": "entries",
    "menu": "entries",
    "today": "entries",
    "state_of": "words",
    "tooltip": "words",
}

__all__ = [
    "COLOURS",
    "ITEM_IFACE",
    "ITEM_METHODS",
    "ITEM_PATH",
    "MENU_IFACE",
    "MENU_METHODS",
    "MENU_PATH",
    "PROPS",
    "WATCHER",
    "Item",
    "Panel",
    "menu",
    "no_watcher",
    "pixmap",
    "pixmaps",
    "state_of",
    "today",
    "tooltip",
]


if not TYPE_CHECKING:  # mypy reads the imports above, and still finds a misspelt name
    __getattr__ = exports(__name__, _HOMES)
