"""The names the panel's parts share: the D-Bus names and paths of the watcher, the item
and its menu, the signals the item listens for, the signature of every method it answers,
and the types of the daemon's two callbacks. Nothing here is imported that an idle daemon
does not already hold."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reminderd.contracts import DaemonStatus


WATCHER = "org.kde.StatusNotifierWatcher"


ITEM_IFACE = "org.kde.StatusNotifierItem"


MENU_IFACE = "com.canonical.dbusmenu"


ITEM_PATH = "/StatusNotifierItem"


MENU_PATH = "/MenuBar"


PROPS = "org.freedesktop.DBus.Properties"


WATCHER_RULE = (
    "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
    f"member='NameOwnerChanged',arg0='{WATCHER}'"
)


# The watcher says a panel (a StatusNotifierHost) has come.
HOST_RULE = f"type='signal',interface='{WATCHER}',member='StatusNotifierHostRegistered'"


# What each method the item and its menu answer takes: any other signature is InvalidArgs.
ITEM_METHODS = {"Activate": "ii", "SecondaryActivate": "ii", "ContextMenu": "ii", "Scroll": "is"}


MENU_METHODS = {
    "GetLayout": "iias",
    "GetGroupProperties": "aias",
    "Event": "isvu",
    "EventGroup": "a(isvu)",
    "AboutToShow": "i",
    "AboutToShowGroup": "ai",
}


# A reply to a method call: its signature and its body.
Reply = tuple[str, tuple[Any, ...]]


# A menu entry's control request, handed to the daemon's command handler.
Act = Callable[[dict[str, Any]], Any]


# The daemon's status reply, read when the panel asks for the icon, tooltip or menu.
Look = Callable[[], "DaemonStatus"]
