"""The item's two objects on the bus, the StatusNotifierItem and its dbusmenu, behind one
router: every method call is checked before it is used (CallError(InvalidArgs) if not what
the method takes) and handed to its object; and the signals that tell a panel to read them
again. Loaded at the first call, so a daemon that no panel asks holds none of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from reminderd.bus import UNKNOWN_METHOD, UNKNOWN_PROPERTY, CallError, expect, header_field
from reminderd.panel.dbusmenu import DbusMenu
from reminderd.panel.names import (
    ITEM_IFACE,
    ITEM_METHODS,
    ITEM_PATH,
    MENU_IFACE,
    MENU_METHODS,
    MENU_PATH,
    PROPS,
    Act,
    Look,
    Reply,
)
from reminderd.panel.status_item import StatusItem

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


class Exported:
    """The item (``item``) and its menu (``menu``), answering the calls a panel makes."""

    def __init__(
        self, act: Act, look: Look, *, stats: Callable[[], str], now: Callable[[], datetime]
    ) -> None:
        self.item = StatusItem(look, now)
        self.menu = DbusMenu(act, look, stats=stats, now=now)

    def dispatch(self, message: Any) -> Reply:
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
            return self.menu.call(member, expect(message, MENU_METHODS[member]))
        if path == ITEM_PATH and interface in (ITEM_IFACE, None) and member in ITEM_METHODS:
            return self.item.call(member, expect(message, ITEM_METHODS[member]))
        raise CallError(UNKNOWN_METHOD, f"no method {member} on {interface} at {path}")

    def changed(self) -> list[Any]:
        """State changed: the signals that tell a panel to read the icon, tooltip and menu
        again (the menu's layout under its next revision)."""
        from jeepney import DBusAddress, new_signal  # noqa: PLC0415

        item = DBusAddress(ITEM_PATH, interface=ITEM_IFACE)
        menu_at = DBusAddress(MENU_PATH, interface=MENU_IFACE)
        self.menu.revision += 1
        self.item.refresh()
        return [
            new_signal(item, "NewIcon"),
            new_signal(item, "NewToolTip"),
            new_signal(item, "NewStatus", "s", (self.item.status,)),
            new_signal(menu_at, "LayoutUpdated", "ui", (self.menu.revision, 0)),
        ]

    def _property_call(self, path: str, member: str, message: Any) -> Reply:
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

    def _properties(self, path: str) -> dict[str, tuple[str, Any]]:
        return self.menu.properties() if path == MENU_PATH else self.item.properties()
