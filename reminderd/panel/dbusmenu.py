"""The com.canonical.dbusmenu object: the menu's layout and its entries' properties as a
panel reads them, and its clicks, each sent to the daemon as the entry's control request.
The menu is built once and kept until something changes; no reply is larger than the whole
menu, however many ids a call names."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from reminderd.bus import INVALID_ARGS, CallError
from reminderd.panel.entries import Item, Menu, menu
from reminderd.panel.names import Act, Look, Reply

log = logging.getLogger("reminderd")

Properties = dict[str, tuple[str, Any]]
Node = tuple[int, Properties, list[Any]]


class DbusMenu:
    """The menu on the bus: ``revision`` counts its layouts, as LayoutUpdated says them."""

    def __init__(
        self, act: Act, look: Look, *, stats: Callable[[], str], now: Callable[[], datetime]
    ) -> None:
        self.act = act
        self.look = look
        self.stats = stats
        self.now = now
        self.revision = 1
        # The menu as built (from the status and today's history), until something changes:
        # a panel that asks for it ten thousand times gets the same one each time.
        self._built: Menu | None = None

    @staticmethod
    def properties() -> Properties:
        """The menu object's own properties."""
        return {
            "Version": ("u", 3),
            "Status": ("s", "normal"),
            "TextDirection": ("s", "ltr"),
            "IconThemePath": ("as", []),
        }

    def call(self, member: str, args: tuple[Any, ...]) -> Reply:
        """One of MENU_METHODS, its arguments already checked against its signature."""
        if member == "GetLayout":
            return "u(ia{sv}av)", (self.revision, self._layout(args[0]))
        if member == "GetGroupProperties":
            items = self._menu().items
            wanted = list(dict.fromkeys(i for i in args[0] if i in items)) if args[0] else items
            return "a(ia{sv})", ([(i, self._item_props(i)) for i in wanted],)
        if member == "AboutToShow":
            return "b", (False,)
        if member == "AboutToShowGroup":
            return "aiai", ([], [])
        if member == "Event":
            self.event(args[0], args[1])
            return "", ()
        # EventGroup: each entry once, and no more entries than the menu has.
        clicks = dict.fromkeys((entry[0], entry[1]) for entry in args[0])
        if len(clicks) > len(self._menu().items):
            raise CallError(INVALID_ARGS, f"{len(clicks)} events for a menu of fewer entries")
        for ident, kind in clicks:
            self.event(ident, kind)
        return "ai", ([],)

    def event(self, ident: int, kind: str) -> None:
        """A click on an entry: send its request through the daemon's command handler."""
        items = self._menu().items
        if kind != "clicked" or ident not in items:
            return
        request = items[ident].request
        if request is None:
            return
        log.info("panel: %s", request)
        try:
            self.act(dict(request))
        except Exception as error:  # a bad click must never stop the daemon
            log.warning("panel: %s failed: %s", request.get("cmd"), error)

    def forget(self) -> None:
        """Something changed: the menu is built again when next asked for."""
        self._built = None

    def _menu(self) -> Menu:
        """The menu as last built; built again after a change, or on a new day (its
        "Today" line counts the day)."""
        today = self.now().astimezone().date()
        if self._built is None or self._built.day != today:
            self._built = self._build(today)
        return self._built

    def _build(self, today: date) -> Menu:
        status = self.look()
        routines = [(str(r["name"]), str(r["title"])) for r in status.get("routines", [])]
        root = Item("", children=menu(routines, self.stats()))
        items: dict[int, Item] = {}

        def number(item: Item) -> None:
            item.id = len(items)
            items[item.id] = item
            for child in item.children:
                number(child)

        number(root)
        return Menu(today, root, items)

    def _item_props(self, ident: int) -> Properties:
        item = self._menu().items[ident]
        props: Properties = {}
        if ident == 0:
            props["children-display"] = ("s", "submenu")
            return props
        props["label"] = ("s", item.label)
        props["enabled"] = ("b", item.request is not None or bool(item.children))
        if item.children:
            props["children-display"] = ("s", "submenu")
        return props

    def _layout(self, parent: int) -> Node:
        built = self._menu()

        def node(item: Item) -> Node:
            kids = [("(ia{sv}av)", node(child)) for child in item.children]
            return (item.id, self._item_props(item.id), kids)

        return node(built.items.get(parent, built.root))
