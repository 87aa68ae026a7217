"""The item's registration with the StatusNotifierWatcher: asked for once a panel (a host)
is there, asked for again when a new watcher or host comes, and what `status` says of the
icon meanwhile. Its calls are sent and never waited for; their replies, and the watcher's
signals, come back through ``WatcherLink.notice``."""

from __future__ import annotations

import logging
from typing import Any

from reminderd.bus import DBUS, Bus, header_field, signature_of
from reminderd.i18n.said import said
from reminderd.panel.names import PROPS, WATCHER

log = logging.getLogger("reminderd")


def no_watcher(error: str) -> bool:
    """Whether a call's error means no StatusNotifierWatcher owns its name."""
    return "ServiceUnknown" in error or "NameHasNoOwner" in error


class WatcherLink:
    """Whether the watcher shows the item called ``name`` on ``bus``, and why not."""

    def __init__(self, bus: Bus, name: str) -> None:
        self.bus = bus
        self.name = name
        self.registered = False
        # What `status` says of the icon: its state (shown, not shown, waiting for a panel,
        # no panel), a colon, and why.
        self.reason: str = said("not shown: not started")
        self._register_serial: int | None = None
        self._host_serial: int | None = None

    def not_started(self, error: str) -> None:
        """The item could not take its name or listen for the watcher."""
        self.reason = said("not shown: {error}", error=error)

    def lost(self, error: str) -> None:
        """The session bus went away under the item."""
        self.registered = False
        self.reason = said("not shown: lost the session bus: {error}", error=error)

    def ask_for_a_panel(self) -> None:
        """Ask the watcher whether a panel (a host) is registered; the item registers when
        one is. An item that registers while a panel is still starting can be lost: waybar
        takes the list of items when it connects to its watcher and listens for new ones
        only once its host is registered, and one that comes in between is never drawn."""
        self._host_serial = self._send(
            PROPS, "Get", "ss", (WATCHER, "IsStatusNotifierHostRegistered")
        )

    def register(self) -> None:
        """Ask the watcher to show the item."""
        self._register_serial = self._send(WATCHER, "RegisterStatusNotifierItem", "s", (self.name,))

    def notice(self, message: Any) -> None:
        """A signal, or the watcher's reply to one of our calls."""
        from jeepney import MessageType  # noqa: PLC0415

        if message.header.message_type == MessageType.signal:
            self._signal(message)
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

    def _signal(self, message: Any) -> None:
        """The watcher's name changed hands, or a panel registered with it."""
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

    def _send(
        self, interface: str, method: str, signature: str, args: tuple[Any, ...]
    ) -> int | None:
        """Send one call to the watcher and return its serial. The reply is read with every
        other message (``Panel.readable``): waiting for it here would drop the panel's
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
