"""A panel icon: a StatusNotifierItem with a com.canonical.dbusmenu menu, over jeepney.

The item has its own session-bus connection; the daemon's loop watches its socket and calls
``Panel.readable`` when a message arrives, so nothing polls. Menu actions are control
requests handed to the same handler the CLI reaches (``Daemon.handle``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reminderd.bus import Bus, BusError
from reminderd.errors import ReminderError

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
# The watcher says a panel (a StatusNotifierHost) has come or the last one has gone.
HOST_RULE = f"type='signal',interface='{WATCHER}',member='StatusNotifierHostRegistered'"

Act = Callable[[dict[str, Any]], Any]
Look = Callable[[], dict[str, Any]]

ICONS = {
    "waiting": "appointment-soon",
    "guiding": "media-playback-start",
    "paused": "media-playback-pause",
    "held": "user-away",
}

# reminderd's own icon, for panels without an icon theme that has the names above: a disc
# in the state's colour with a head and shoulders on it, drawn as ARGB32 in network byte
# order (the StatusNotifierItem's IconPixmap) when a panel first asks.
COLOURS = {
    "waiting": (0x2E, 0x7D, 0x32),  # green: all is well, the next break will come
    "guiding": (0x15, 0x65, 0xC0),  # blue: a routine is on screen
    "paused": (0x61, 0x61, 0x61),  # grey
    "held": (0xEF, 0x8F, 0x00),  # amber: due, waiting for the person
}
PIXMAP_SIZES = (16, 22, 32, 48)


def pixmap(state: str, size: int) -> tuple[int, int, bytes]:
    """One size of the icon: (width, height, ARGB32 bytes), with soft edges."""
    red, green, blue = COLOURS[state]
    pixels = bytearray()
    half = size / 2
    for row in range(size):
        for col in range(size):
            x, y = (col + 0.5) / size, (row + 0.5) / size  # 0..1, y downwards
            disc = _cover(half - 0.5 - ((col + 0.5 - half) ** 2 + (row + 0.5 - half) ** 2) ** 0.5)
            # The head leans to one side: a neck stretch.
            head = _cover(size * (0.15 - ((x - 0.43) ** 2 + (y - 0.37) ** 2) ** 0.5))
            shoulders = _cover(size * (0.3 - ((x - 0.5) ** 2 + ((y - 0.92) * 1.3) ** 2) ** 0.5))
            white = max(head, shoulders) * disc
            alpha = disc
            mix = [round(c * (1 - white) + 255 * white) for c in (red, green, blue)]
            pixels += bytes((round(alpha * 255), *mix))
    return size, size, bytes(pixels)


def _cover(distance: float) -> float:
    """How much of a pixel a shape covers, from its distance inside the edge, in pixels."""
    return min(1.0, max(0.0, distance + 0.5))


_PIXMAPS: dict[str, list[tuple[int, int, bytes]]] = {}


def pixmaps(state: str) -> list[tuple[int, int, bytes]]:
    if state not in _PIXMAPS:
        _PIXMAPS[state] = [pixmap(state, size) for size in PIXMAP_SIZES]
    return _PIXMAPS[state]


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


def today(path: Path, day: date) -> str:
    """Today's line in the menu, from the history: "Today: 3 of 5 done"."""
    from reminderd import figures, history  # noqa: PLC0415

    try:
        with contextlib.closing(history.connect(path, readonly=True)) as db:
            (row,) = figures.daily(db, day, day)
    except (OSError, sqlite3.Error, ReminderError) as error:
        log.debug("panel: no history to count: %s", error)
        return "Today: nothing yet"
    return f"Today: {row.completed} of {row.offered} done"


class Item:
    """One menu entry: a label, an optional request it sends, and its children."""

    def __init__(
        self, label: str, request: dict[str, Any] | None = None, children: list[Item] | None = None
    ) -> None:
        self.label = label
        self.request = request
        self.children = children or []
        self.id = 0


def menu(routines: list[tuple[str, str]], stats: str) -> list[Item]:
    """The menu, top to bottom: what each entry says and which command it sends
    (``routines``: the name and title of each)."""
    run = [Item(title, {"cmd": "run", "name": name}) for name, title in routines]
    return [
        Item("Run now", children=run),
        Item(
            "Pause",
            children=[
                Item("30 minutes", {"cmd": "pause", "seconds": 1800}),
                Item("1 hour", {"cmd": "pause", "seconds": 3600}),
                Item("Until tomorrow", {"cmd": "pause", "until": "tomorrow"}),
                Item("Until resumed", {"cmd": "pause"}),
            ],
        ),
        Item("Resume", {"cmd": "resume"}),
        Item("Snooze the next routine", {"cmd": "snooze"}),
        Item("Skip the next routine", {"cmd": "skip"}),
        Item(stats),
        Item("Quit", {"cmd": "stop"}),
    ]


def state_of(status: dict[str, Any]) -> str:
    """waiting, guiding, paused or held, from the fields of ``reminderd status --json``."""
    if status.get("current") or status.get("asking"):
        return "guiding"
    if status.get("paused"):
        return "paused"
    if any(r.get("held") for r in status.get("routines", [])):
        return "held"
    return "waiting"


def _when(text: str | None, now: datetime) -> str:
    """An ISO time as a person reads it from a panel: "14:05 (in 12m)"."""
    if not text:
        return "never"
    moment = datetime.fromisoformat(text)
    minutes = max(0, round((moment - now).total_seconds() / 60))
    ahead = f"{minutes}m" if minutes < 60 else f"{minutes // 60}h {minutes % 60:02d}m"
    day = "" if moment.date() == now.astimezone(moment.tzinfo).date() else f"{moment:%a} "
    return f"{day}{moment:%H:%M} (in {ahead})"


def tooltip(status: dict[str, Any], now: datetime) -> str:
    """The tooltip's text, computed when the panel asks (so "in 12m" is never stale)."""
    state = state_of(status)
    if state == "guiding":
        current = status.get("current")
        if current:
            step = f"step {current['step']} of {current['of']}"
            return f"{current['routine']}: {step}\n{current['text']}"
        asking = status.get("asking") or {}
        return f"{asking.get('routine', '')}: waiting for an answer"
    if state == "paused":
        until = status.get("paused_until")
        return f"Paused until {_when(until, now)}" if until else "Paused until resumed"
    if state == "held":
        held = [r for r in status.get("routines", []) if r.get("held")]
        why = {"idle": "you are away", "dnd": "do not disturb is on"}
        first = held[0]
        return f"{first['title']} is due, waiting: {why.get(first['held'], first['held'])}"
    upcoming = sorted(
        (r for r in status.get("routines", []) if r.get("next")), key=lambda r: str(r["next"])
    )
    if not upcoming:
        return "Nothing scheduled"
    first = upcoming[0]
    return f"Next: {first['title']} at {_when(first['next'], now)}"


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
        self.reason = "not shown: not started"
        self.revision = 1
        self.items: dict[int, Item] = {}
        self.state = "waiting"
        self._register_serial: int | None = None
        self._host_serial: int | None = None

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
            self.reason = f"not shown: {error}"
            return False
        self.ask_for_a_panel()
        return True

    def fileno(self) -> int | None:
        conn = self.bus.conn
        return conn.sock.fileno() if conn is not None else None

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
            self.reason = "waiting for a panel: the StatusNotifierWatcher has no host yet"
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
            self.reason = f"not shown: lost the session bus: {error}"
        return serial

    def _registered(self, ok: bool, detail: str) -> None:
        self.registered = ok
        if ok:
            self.reason = "shown: registered with the StatusNotifierWatcher"
            log.info("panel: icon shown")
        elif no_watcher(detail):
            self.reason = "no panel: no StatusNotifierWatcher on the session bus"
        else:
            self.reason = f"not shown: the panel refused the icon: {detail}"
        log.debug("panel: %s", self.reason)

    def close(self) -> None:
        self.bus.disconnect()

    # -- messages -------------------------------------------------------------------------

    def readable(self) -> None:
        """Answer every message that has arrived (the loop saw the socket readable)."""
        from jeepney import HeaderFields, MessageType  # noqa: PLC0415

        try:
            messages = self.bus.pending()
        except BusError as error:
            log.warning("panel: %s", error)
            self.registered = False
            self.reason = f"not shown: lost the session bus: {error}"
            return
        for message in messages:
            fields = message.header.fields
            kind = message.header.message_type
            if kind == MessageType.signal:
                member = fields.get(HeaderFields.member)
                if member == "NameOwnerChanged":
                    new_owner = message.body[2] if len(message.body) == 3 else ""
                    if new_owner:  # a new watcher (perhaps straight after the old one)
                        self.registered = False
                        self.ask_for_a_panel()
                    else:
                        self.registered = False
                        self.reason = "not shown: the StatusNotifierWatcher left the bus"
                elif member == "StatusNotifierHostRegistered" and not self.registered:
                    self.ask_for_a_panel()
                continue
            reply_to = fields.get(HeaderFields.reply_serial)
            if reply_to is not None and reply_to == self._host_serial:
                self._host_serial = None
                self._panel_answer(fields.get(HeaderFields.error_name), tuple(message.body))
                continue
            if reply_to is not None and reply_to == self._register_serial:
                failed = fields.get(HeaderFields.error_name)
                detail = f"{failed} {message.body[0] if message.body else ''}" if failed else ""
                self._registered(failed is None, detail)
                continue
            if kind != MessageType.method_call:
                continue
            self._answer(message)

    def _answer(self, message: Any) -> None:
        from jeepney import HeaderFields, new_error, new_method_return  # noqa: PLC0415

        fields = message.header.fields
        member = fields.get(HeaderFields.member, "")
        interface = fields.get(HeaderFields.interface, "")
        path = fields.get(HeaderFields.path, "")
        conn = self.bus.conn
        try:
            signature, body = self._dispatch(path, interface, member, tuple(message.body))
            reply = new_method_return(message, signature, body)
        except LookupError as error:
            reply = new_error(
                message, "org.freedesktop.DBus.Error.UnknownMethod", "s", (str(error),)
            )
        with contextlib.suppress(OSError):
            conn.send(reply)

    def _dispatch(
        self, path: str, interface: str, member: str, args: tuple[Any, ...]
    ) -> tuple[str | None, tuple[Any, ...]]:
        if member == "Introspect":
            return "s", (INTROSPECT,)
        if interface == PROPS:
            props = self._properties(path)
            if member == "GetAll":
                return "a{sv}", (props,)
            if member == "Get" and len(args) == 2 and args[1] in props:
                return "v", (props[args[1]],)
            raise LookupError(f"no property {args[-1] if args else ''}")
        if path == MENU_PATH:
            return self._menu_call(member, args)
        if member in ("Activate", "SecondaryActivate", "ContextMenu", "Scroll"):
            return None, ()
        raise LookupError(member)

    def _menu_call(self, member: str, args: tuple[Any, ...]) -> tuple[str | None, tuple[Any, ...]]:
        """com.canonical.dbusmenu: the layout, item properties, clicks."""
        if member == "GetLayout":
            parent = int(args[0]) if args else 0
            return "u(ia{sv}av)", (self.revision, self._layout(parent))
        if member == "GetGroupProperties":
            if not self.items:
                self._build()
            wanted = [i for i in (args[0] if args else []) if i in self.items] or list(self.items)
            return "a(ia{sv})", ([(i, self._item_props(i)) for i in wanted],)
        if member == "AboutToShow":
            return "b", (False,)
        if member == "AboutToShowGroup":
            return "aiai", ([], [])
        if member == "Event":
            self.event(int(args[0]), str(args[1]))
            return None, ()
        if member == "EventGroup":
            for entry in args[0] if args else []:
                self.event(int(entry[0]), str(entry[1]))
            return "ai", ([],)
        raise LookupError(member)

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

    def _build(self) -> Item:
        status = self.look()
        routines = [(str(r["name"]), str(r["title"])) for r in status.get("routines", [])]
        root = Item("", children=menu(routines, self.stats()))
        self.items = {}
        counter = 0

        def number(item: Item) -> None:
            nonlocal counter
            item.id = counter
            self.items[counter] = item
            counter += 1
            for child in item.children:
                number(child)

        number(root)
        return root

    def _item_props(self, ident: int) -> dict[str, tuple[str, Any]]:
        item = self.items[ident]
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
        if parent == 0 or parent not in self.items:
            self._build()

        def node(item: Item) -> tuple[int, dict[str, tuple[str, Any]], list[Any]]:
            kids = [("(ia{sv}av)", node(child)) for child in item.children]
            return (item.id, self._item_props(item.id), kids)

        return node(self.items.get(parent, self.items[0]))

    def event(self, ident: int, kind: str) -> None:
        """A click on an entry: send its request through the daemon's command handler."""
        if kind != "clicked" or ident not in self.items:
            return
        request = self.items[ident].request
        if request is None:
            return
        log.info("panel: %s", request)
        try:
            self.act(dict(request))
        except Exception as error:  # a bad click must never stop the daemon
            log.warning("panel: %s failed: %s", request.get("cmd"), error)

    def changed(self) -> None:
        """State changed: tell the panel to read the icon, tooltip and menu again."""
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
