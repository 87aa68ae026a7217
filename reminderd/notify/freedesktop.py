"""The freedesktop Notifications protocol over the session bus (jeepney): the only one
that replaces a note in place (``replaces_id``), expires it on time and offers actions,
which a routine that changes its step every few seconds needs. Every reply is checked
against its signature: a misbehaving server is a failed notification, never a crash."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from reminderd.bus import (
    CALL_TIMEOUT,
    Bus,
    BusError,
)
from reminderd.errors import NotifyError
from reminderd.i18n.said import said
from reminderd.markup import body as text_for
from reminderd.markup import plain, reads_markup
from reminderd.notify.buttons import DEFAULT_AS_BUTTON, unreachable_buttons
from reminderd.notify.port import APP_NAME, Note

log = logging.getLogger("reminderd")


BUS_NAME = "org.freedesktop.Notifications"


OBJECT_PATH = "/org/freedesktop/Notifications"


# A notification server that does not answer within NOTIFY_TIMEOUT is left alone for
# STALL_BACKOFF: steps go to the fallback meanwhile, so that a frozen server costs the loop
# a fraction of a second every half minute, not two seconds per step.
NOTIFY_TIMEOUT = 1.0


STALL_BACKOFF = 30.0


# What is kept of the server's self-description: enough for any real server.
MAX_NAME = 64  # characters of its name, vendor and version


MAX_CAPABILITIES = 64


class FreedesktopNotifier:
    """The org.freedesktop.Notifications protocol over the session bus, through jeepney."""

    name = "freedesktop"

    def __init__(self, address: str | None = None) -> None:
        self.bus = Bus(address, timeout=NOTIFY_TIMEOUT)
        self.server = ""  # "dunst 1.9.0", for people
        self.server_name = ""  # "dunst", as the server names itself, for choosing by it
        self._stalled_until = 0.0  # monotonic time before which the server is not called
        self.capabilities: frozenset[str] = frozenset()
        self.buttons_note: str | None = None  # why the server's buttons cannot be pressed

    @property
    def failing(self) -> bool:
        return time.monotonic() < self._stalled_until

    def call(
        self,
        method: str,
        signature: str = "",
        args: tuple[Any, ...] = (),
        interface: str = BUS_NAME,
        returns: str | None = None,
    ) -> tuple[Any, ...]:
        """One call to the notification server; failures, and a reply that is not of the
        signature ``returns``, become NotifyError. A server that did not answer in time is
        not called again for STALL_BACKOFF seconds."""
        now = time.monotonic()
        if now < self._stalled_until:
            wait = self._stalled_until - now
            msg = said(
                "the notification server did not answer; trying again in {seconds} s",
                seconds=f"{wait:.0f}",
            )
            raise NotifyError(msg)
        try:
            return self.bus.call(
                BUS_NAME,
                OBJECT_PATH,
                interface,
                method,
                signature=signature,
                args=args,
                returns=returns,
            )
        except BusError as error:
            if isinstance(error.__cause__, TimeoutError):
                self._stalled_until = time.monotonic() + STALL_BACKOFF
            raise NotifyError(str(error)) from None

    def probe(self) -> str | None:
        """None if a notification server answers; otherwise why not, in words."""
        self.bus.timeout = CALL_TIMEOUT  # a server starting with the session may be slow
        try:
            if not self.bus.name_has_owner(BUS_NAME) and BUS_NAME not in self.bus.activatable():
                self.bus.disconnect()
                return said("no notification server on the session bus")
            self._describe(self.call("GetServerInformation"))
            self.capabilities = _capabilities(self.call("GetCapabilities"))
            self.buttons_note = unreachable_buttons(self.server_name)
            if self.buttons_note:
                # Offered but out of reach: prompts say which command answers them instead,
                # and only the default action (a click on the notification) is sent.
                self.capabilities -= {"actions"}
                self.capabilities |= {"default-action"}
        except (BusError, NotifyError) as error:
            self.bus.disconnect()
            return str(error)
        finally:
            self.bus.timeout = NOTIFY_TIMEOUT
        return None

    def _describe(self, info: tuple[Any, ...]) -> None:
        """The server's name and version from its GetServerInformation, which must be four
        strings; anything else leaves it unnamed (and says so), never stops the start."""
        if len(info) != 4 or not all(isinstance(part, str) for part in info):
            log.warning("the notification server describes itself wrongly (%.80r)", info)
            self.server_name, self.server = "", said("unnamed")
            return
        name, vendor, version = (_printable(part) for part in info[:3])
        self.server_name = name
        self.server = f"{name} {version}".strip() or vendor or said("unnamed")

    def describe(self) -> str:
        found = said(
            "a notification server answers on the session bus ({server})", server=self.server
        )
        if self.buttons_note:
            return said("{found}; no buttons: {why}", found=found, why=self.buttons_note)
        return found

    # -- Notifier -----------------------------------------------------------------------

    def show(self, note: Note, replaces: int | None = None) -> int | None:
        actions: list[str] = []
        for key, label in note.actions:
            if key == "default" and self.server_name in DEFAULT_AS_BUTTON:
                continue  # it would be a second Start button beside the real one
            if "actions" in self.capabilities or (
                key == "default" and "default-action" in self.capabilities
            ):
                actions += [key, label]
        hints = {
            "urgency": ("y", note.urgency),
            "transient": ("b", True),
            "desktop-entry": ("s", APP_NAME),
        }
        if note.sound and "sound" in self.capabilities:
            hints["sound-file" if note.sound.startswith("/") else "sound-name"] = ("s", note.sound)
        if note.value is not None:
            hints["value"] = ("i", note.value)
        if note.image:
            # The spec's image-path: every server tested shows it (docs/pictures.md).
            hints["image-path"] = ("s", file_uri(note.image))
        markup = reads_markup(self.capabilities, self.server_name)
        body = (
            APP_NAME,
            replaces or 0,
            "",
            plain(note.summary),
            text_for(note.body, markup=markup),
            actions,
            hints,
            note.expiry_ms,
        )
        (notification_id,) = self.call("Notify", "susssasa{sv}i", body, returns="u")
        if notification_id == 0:  # no server's id: it would never be replaced, nor closed
            msg = "the notification server answered Notify with id 0"
            raise NotifyError(msg)
        return int(notification_id)

    def close(self, notification_id: int | None) -> None:
        if notification_id:
            try:
                self.call("CloseNotification", "u", (notification_id,))
            except NotifyError as error:
                log.debug("could not close notification %s: %s", notification_id, error)


def _printable(text: str) -> str:
    """At most MAX_NAME characters of ``text``, without control characters."""
    return "".join(c for c in text[:MAX_NAME] if c.isprintable())


def _capabilities(reply: tuple[Any, ...]) -> frozenset[str]:
    """The capabilities from a GetCapabilities reply, which must be one list of strings;
    at most MAX_CAPABILITIES of them. Anything else counts as none (and is said)."""
    if len(reply) != 1 or not isinstance(reply[0], list):
        log.warning("the notification server's capabilities are not a list (%.80r)", reply)
        return frozenset()
    found = [c for c in reply[0] if isinstance(c, str) and len(c) <= MAX_NAME]
    if len(found) > MAX_CAPABILITIES or len(found) < len(reply[0]):
        log.warning("the notification server's capabilities are odd; %d kept", len(found))
    return frozenset(found[:MAX_CAPABILITIES])


def file_uri(path: str) -> str:
    """``/a b.png`` -> ``file:///a%20b.png``, the one URI scheme the spec's image-path takes
    (urllib.parse would load more into the daemon than this needs)."""
    safe = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.~")
    encoded = "".join(chr(b) if b in safe else f"%{b:02X}" for b in os.fsencode(path))
    return f"file://{encoded}"
