"""The org.kde.StatusNotifierItem object: its properties (the icon, by name and as
reminderd's own pixels, the tooltip and the status), read from the daemon's status each time
a panel asks, and its methods, which a menu-only item accepts and ignores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from reminderd.panel.icon import ICONS, pixmaps
from reminderd.panel.names import MENU_PATH, Look, Reply
from reminderd.panel.words import state_of, tooltip


class StatusItem:
    """The item as a panel reads it: waiting, guiding, paused or held (``state``)."""

    def __init__(self, look: Look, now: Callable[[], datetime]) -> None:
        self.look = look
        self.now = now
        self.state = "waiting"

    @property
    def status(self) -> str:
        """The item's Status property: a routine on screen asks for attention."""
        return "NeedsAttention" if self.state == "guiding" else "Active"

    def refresh(self) -> None:
        """Read the state again, as the daemon's status says it now."""
        self.state = state_of(self.look())

    def call(self, _member: str, _args: tuple[Any, ...]) -> Reply:
        """Activate, SecondaryActivate, ContextMenu or Scroll (arguments checked by the
        caller): the item is a menu (ItemIsMenu), which the panel opens itself, so each is
        accepted and does nothing."""
        return "", ()

    def properties(self) -> dict[str, tuple[str, Any]]:
        """Every property, computed now (so the tooltip's "in 12m" is never stale)."""
        status = self.look()
        self.state = state_of(status)
        text = tooltip(status, self.now())
        return {
            "Category": ("s", "ApplicationStatus"),
            "Id": ("s", "reminderd"),
            "Title": ("s", "reminderd"),
            "Status": ("s", self.status),
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
