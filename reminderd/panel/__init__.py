"""A panel icon: a StatusNotifierItem with a com.canonical.dbusmenu menu, over jeepney.

The item has its own session-bus connection; the daemon's loop watches its socket and calls
``Panel.readable`` when a message arrives, so nothing polls. Menu actions are control
requests handed to the same handler the CLI reaches. One file per job: ``item`` (the item
and its menu on the bus), ``entries`` (the menu's entries), ``words`` (the state and the tooltip),
``icon`` (reminderd's own pixels).
"""

from reminderd.panel.entries import Item, menu, today
from reminderd.panel.icon import COLOURS, pixmap, pixmaps
from reminderd.panel.item import (
    ITEM_IFACE,
    ITEM_METHODS,
    ITEM_PATH,
    MENU_IFACE,
    MENU_METHODS,
    MENU_PATH,
    PROPS,
    WATCHER,
    Panel,
    no_watcher,
)
from reminderd.panel.words import state_of, tooltip

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
