"""The StatusNotifierItem and its com.canonical.dbusmenu menu, over the item's own session
bus connection: registered with the panel's watcher, answering the panel's calls. Every
call is checked before it is used; one guard answers them all."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from reminderd.bus import (
    DBUS,
    INVALID_ARGS,
    UNKNOWN_METHOD,
    UNKNOWN_PROPERTY,
    Bus,
    BusError,
    CallError,
    expect,
    guarded,
    header_field,
    signature_of,
)
from reminderd.contracts import DaemonStatus
from reminderd.control import PER_WAKE, SHARE  # one peer's share of a wake-up
from reminderd.i18n.said import said
from reminderd.panel.entries import Item, Menu, menu
from reminderd.panel.icon import ICONS, pixmaps
from reminderd.panel.words import state_of, tooltip

log = logging.getLogger("reminderd")


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


Act = Callable[[dict[str, Any]], Any]


Look = Callable[[], DaemonStatus]


INTROSPECT = f"""<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
 <interface name="{ITEM_IFACE}">
  <property name="Category" type="s" access="read"/>
  <property name="Id" type="s" access="read"/>
  <property name="Title" type="s" access="read"/>
  <property name="Status" type="s" access="read"/>
  <property name="IconName" type="s" access="read"/>
  <property name="IconPixmap" type="a(iiay)" access="read"/>
  <property name="ToolTip" type="(sa(iiay)ss)" access="read"/>
  <property name="ItemIsMenu" type="b" access="read"/>
  <property name="Menu" type="o" access="read"/>
  <method name="Activate"><arg type="i" direction="in"/><arg type="i" direction="in"/></method>
  <method name="SecondaryActivate"><arg type="i"/><arg type="i"/></method>
  <method name="ContextMenu"><arg type="i"/><arg type="i"/></method>
  <method name="Scroll"><arg type="i"/><arg type="s"/></method>
  <signal name="NewIcon"/><signal name="NewToolTip"/>
  <signal name="NewStatus"><arg type="s"/></signal>
 </interface>
 <interface name="{MENU_IFACE}">
  <property name="Version" type="u" access="read"/>
  <property name="Status" type="s" access="read"/>
  <method name="GetLayout"><arg type="i" direction="in"/><arg type="i" direction="in"/>
   <arg type="as" direction="in"/><arg type="u" direction="out"/>
   <arg type="(ia{{sv}}av)" direction="out"/></method>
  <method name="GetGroupProperties"><arg type="ai" direction="in"/><arg type="as" direction="in"/>
   <arg type="a(ia{{sv}})" direction="out"/></method>
  <method name="Event"><arg type="i" direction="in"/><arg type="s" direction="in"/>
   <arg type="v" direction="in"/><arg type="u" direction="in"/></method>
  <method name="AboutToShow"><arg type="i" direction="in"/><arg type="b" direction="out"/></method>
  <signal name="LayoutUpdated"><arg type="u"/><arg type="i"/></signal>
 </interface>
</node>
"""


def no_watcher(error: str) -> bool:
    """Whether a call's error means no StatusNotifierWatcher owns its name."""
    return "ServiceUnknown" in error or "NameHasNoOwner" in error


class Panel:
    """The exported item and menu on one session-bus connection."""

    def __init__(
        self,
        act: Act,
        look: Look,
        *,
        stats: Callable[[], str],
        now: Callable[[], datetime],
        address: str | None = None,
    ) -> None:
        self.act = act
        self.look = look
        self.stats = stats
        self.now = now
        self.bus = Bus(address)
        self.name = f"org.kde.StatusNotifierItem-{os.getpid()}-1"
        self.registered = False
        # What `status` says of the icon: its state (shown, not shown, waiting for a panel,
        # no panel), a colon, and why.
        self.reason: str = said("not shown: not started")
        self.revision = 1
        self.state = "waiting"
        self._register_serial: int | None = None
        self._host_serial: int | None = None
        self.backlog = False  # more messages may be waiting than one wake-up handles
        # The menu as built (from the status and today's history), until something changes:
        # a panel that asks for it ten thousand times gets the same one each time.
        self._built: Menu | None = None

    # -- connection -----------------------------------------------------------------------

    def start(self) -> bool:
        """Connect, take the item's name, watch for the watcher and its panels, and register
        once a panel is there."""
        try:
            self.bus.call(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "RequestName",
                signature="su",
                args=(self.name, 4),
            )
            self.bus.subscribe(WATCHER_RULE)
            self.bus.subscribe(HOST_RULE)
        except BusError as error:
            self.reason = said("not shown: {error}", error=str(error))
            return False
        self.ask_for_a_panel()
        return True

    def fileno(self) -> int | None:
        return self.bus.fileno()

    def ask_for_a_panel(self) -> None:
        """Ask the watcher whether a panel (a host) is registered; the item registers when
        one is. An item that registers while a panel is still starting can be lost: waybar
        takes the list of items when it connects to its watcher and listens for new ones
        only once its host is registered, and one that comes in between is never drawn."""
        self._host_serial = self._ask_watcher(
            PROPS, "Get", "ss", (WATCHER, "IsStatusNotifierHostRegistered")
        )

    def _panel_answer(self, failed: str | None, body: tuple[Any, ...]) -> None:
        """The watcher's answer to ``ask_for_a_panel``. A watcher that does not say
        (no such property) is taken at its word that it shows items."""
        if failed and no_watcher(failed):
            self._registered(False, failed)
        elif not failed and body and body[0] == ("b", False):
            self.registered = False
            self.reason = said("waiting for a panel: the StatusNotifierWatcher has no host yet")
            log.debug("panel: %s", self.reason)
        else:
            self.register()

    def register(self) -> None:
        """Ask the watcher to show the item."""
        self._register_serial = self._ask_watcher(
            WATCHER, "RegisterStatusNotifierItem", "s", (self.name,)
        )

    def _ask_watcher(
        self, interface: str, method: str, signature: str, args: tuple[Any, ...]
    ) -> int | None:
        """Send one call to the watcher and return its serial. The reply is read in
        ``readable`` like any other message: waiting for it here would drop the panel's
        calls that come before it."""
        from jeepney import DBusAddress, new_method_call  # noqa: PLC0415

        conn = self.bus.conn
        if conn is None:
            return None
        watcher = DBusAddress("/StatusNotifierWatcher", bus_name=WATCHER, interface=interface)
        serial: int = next(conn.outgoing_serial)
        try:
            conn.send(new_method_call(watcher, method, signature, args), serial=serial)
        except OSError as error:
            self.reason = said("not shown: lost the session bus: {error}", error=str(error))
        return serial

    def _registered(self, ok: bool, detail: str) -> None:
        self.registered = ok
        if ok:
            self.reason = said("shown: registered with the StatusNotifierWatcher")
            log.info("panel: icon shown")
        elif no_watcher(detail):
            self.reason = said("no panel: no StatusNotifierWatcher on the session bus")
        else:
            self.reason = said("not shown: the panel refused the icon: {detail}", detail=detail)
        log.debug("panel: %s", self.reason)

    def close(self) -> None:
        self.bus.disconnect()

    # -- messages -------------------------------------------------------------------------

    def readable(self) -> None:
        """Answer the messages that have arrived, at most PER_WAKE of them and for at most
        SHARE seconds (``backlog`` says whether more may be waiting); never waits."""
        from jeepney import MessageType  # noqa: PLC0415

        self.backlog = False
        if self.bus.conn is None:  # lost with the session bus: not connected again here
            return
        ends = time.monotonic() + SHARE
        for _ in range(PER_WAKE):
            try:
                messages, _more = self.bus.take(1)
            except BusError as error:
                log.warning("panel: %s", error)
                self.registered = False
                self.reason = said("not shown: lost the session bus: {error}", error=str(error))
                return
            if not messages:
                return
            (message,) = messages
            if message.header.message_type == MessageType.method_call:
                self.bus.answer(message, self._dispatch)
            else:
                with guarded("panel"):
                    self._notice(message)
            if time.monotonic() >= ends:
                break
        self.backlog = True

    def _notice(self, message: Any) -> None:
        """A signal, or the watcher's reply to one of our calls."""
        from jeepney import MessageType  # noqa: PLC0415

        if message.header.message_type == MessageType.signal:
            member = header_field(message, "member")
            if member == "NameOwnerChanged":
                # Only the bus itself sends it (no other connection can have its name).
                if header_field(message, "sender") != DBUS or signature_of(message) != "sss":
                    return
                name, _old, new_owner = message.body
                if name != WATCHER:
                    return
                self.registered = False
                if new_owner:  # a new watcher (perhaps straight after the old one)
                    self.ask_for_a_panel()
                else:
                    self.reason = said("not shown: the StatusNotifierWatcher left the bus")
            elif member == "StatusNotifierHostRegistered" and not self.registered:
                # From anyone, it costs one question to the watcher, and only while unshown.
                self.ask_for_a_panel()
            return
        reply_to = header_field(message, "reply_serial")
        if reply_to is None:
            return
        if reply_to == self._host_serial:
            self._host_serial = None
            self._panel_answer(header_field(message, "error_name"), tuple(message.body))
        elif reply_to == self._register_serial:
            failed = header_field(message, "error_name")
            first = message.body[0] if message.body and isinstance(message.body[0], str) else ""
            self._registered(failed is None, f"{failed} {first[:200]}" if failed else "")

    def _dispatch(self, message: Any) -> tuple[str, tuple[Any, ...]]:
        """A method call to the item or its menu: (reply signature, reply body). Every
        argument is checked here, before it is used: CallError(InvalidArgs) if one is not
        what the method takes."""
        path = str(header_field(message, "path") or "")
        interface = header_field(message, "interface")
        member = str(header_field(message, "member") or "")
        if member == "Introspect":
            expect(message, "")
            return "s", (INTROSPECT,)
        if interface == PROPS:
            return self._property_call(path, member, message)
        if path == MENU_PATH and interface in (MENU_IFACE, None) and member in MENU_METHODS:
            return self._menu_call(member, expect(message, MENU_METHODS[member]))
        if path == ITEM_PATH and interface in (ITEM_IFACE, None) and member in ITEM_METHODS:
            expect(message, ITEM_METHODS[member])
            return "", ()
        raise CallError(UNKNOWN_METHOD, f"no method {member} on {interface} at {path}")

    def _property_call(self, path: str, member: str, message: Any) -> tuple[str, tuple[Any, ...]]:
        if member == "GetAll":
            expect(message, "s")
            return "a{sv}", (self._properties(path),)
        if member == "Get":
            _interface, name = expect(message, "ss")
            props = self._properties(path)
            if name not in props:
                raise CallError(UNKNOWN_PROPERTY, f"no property {name[:100]}")
            return "v", (props[name],)
        raise CallError(UNKNOWN_METHOD, f"no method {member} on {PROPS}")

    def _menu_call(self, member: str, args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
        """com.canonical.dbusmenu: the layout, item properties, clicks. No reply is larger
        than the whole menu, however many ids a call names."""
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

    def _properties(self, path: str) -> dict[str, tuple[str, Any]]:
        if path == MENU_PATH:
            return {
                "Version": ("u", 3),
                "Status": ("s", "normal"),
                "TextDirection": ("s", "ltr"),
                "IconThemePath": ("as", []),
            }
        status = self.look()
        self.state = state_of(status)
        text = tooltip(status, self.now())
        return {
            "Category": ("s", "ApplicationStatus"),
            "Id": ("s", "reminderd"),
            "Title": ("s", "reminderd"),
            "Status": ("s", "NeedsAttention" if self.state == "guiding" else "Active"),
            "WindowId": ("i", 0),
            "IconName": ("s", ICONS[self.state]),
            "IconPixmap": ("a(iiay)", pixmaps(self.state)),
            "AttentionIconName": ("s", ICONS["guiding"]),
            "OverlayIconName": ("s", ""),
            "IconThemePath": ("s", ""),
            "ToolTip": ("(sa(iiay)ss)", (ICONS[self.state], [], "reminderd", text)),
            "ItemIsMenu": ("b", True),
            "Menu": ("o", MENU_PATH),
        }

    # -- menu -----------------------------------------------------------------------------

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

    def _item_props(self, ident: int) -> dict[str, tuple[str, Any]]:
        item = self._menu().items[ident]
        props: dict[str, tuple[str, Any]] = {}
        if ident == 0:
            props["children-display"] = ("s", "submenu")
            return props
        props["label"] = ("s", item.label)
        props["enabled"] = ("b", item.request is not None or bool(item.children))
        if item.children:
            props["children-display"] = ("s", "submenu")
        return props

    def _layout(self, parent: int) -> tuple[int, dict[str, tuple[str, Any]], list[Any]]:
        built = self._menu()

        def node(item: Item) -> tuple[int, dict[str, tuple[str, Any]], list[Any]]:
            kids = [("(ia{sv}av)", node(child)) for child in item.children]
            return (item.id, self._item_props(item.id), kids)

        return node(built.items.get(parent, built.root))

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

    def changed(self) -> None:
        """State changed: tell the panel to read the icon, tooltip and menu again."""
        self._built = None
        if not self.registered or self.bus.conn is None:
            return
        from jeepney import DBusAddress, new_signal  # noqa: PLC0415

        item = DBusAddress(ITEM_PATH, interface=ITEM_IFACE)
        menu_at = DBusAddress(MENU_PATH, interface=MENU_IFACE)
        self.revision += 1
        status = self.look()
        self.state = state_of(status)
        signals = [
            new_signal(item, "NewIcon"),
            new_signal(item, "NewToolTip"),
            new_signal(
                item, "NewStatus", "s", ("NeedsAttention" if self.state == "guiding" else "Active",)
            ),
            new_signal(menu_at, "LayoutUpdated", "ui", (self.revision, 0)),
        ]
        try:
            for signal in signals:
                self.bus.conn.send(signal)
        except OSError as error:
            log.warning("panel: %s", error)
