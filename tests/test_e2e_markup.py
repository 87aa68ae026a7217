"""No markup shows raw: what dunst really shows of a body with a command in backticks and
the characters markup uses (&, <), sent through reminderd's notifier (GNOME Shell's test is
in test_e2e_gnome.py, with the Shell it starts once)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from reminderd.notify import FreedesktopNotifier, Note
from tests.conftest import wait_for
from tests.test_e2e_guide import dunst, dunstctl

pytestmark = pytest.mark.e2e

__all__ = ["BODY", "SEEN", "SUMMARY", "dunst"]  # dunst: the fixture of the dunst tests

SUMMARY = "Chin & collarbone <right>"
BODY = "Hold < 5 s & breathe.\nWhen to see a doctor: `reminderd safety`."
SEEN = "Hold < 5 s & breathe.\nWhen to see a doctor: “reminderd safety”."


def pango_text(markup: str) -> str:
    """The text Pango shows for ``markup``: it must be well formed, as Pango requires, or
    the server falls back to showing the markup itself."""
    # Our own text, as dunst passed it on: nothing from outside the test.
    return "".join(ET.fromstring(f"<markup>{markup}</markup>").itertext())  # noqa: S314


def test_dunst_shows_the_body_as_written(dunst: dict[str, str], monkeypatch: Any) -> None:
    """dunst (which reads the body as markup without declaring body-markup) gets a body
    that is well-formed markup, and shows exactly the text: quotes for the command, no
    backtick, no entity."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", dunst["DBUS_SESSION_BUS_ADDRESS"])
    notifier = FreedesktopNotifier()
    assert notifier.probe() is None
    assert "body-markup" not in notifier.capabilities  # dunst 1.9 does not say so
    shown = notifier.show(Note(SUMMARY, BODY, seconds=30))
    wait_for(lambda: dunstctl(dunst, "count", "displayed") == "1", timeout=5)
    notifier.close(shown)
    wait_for(lambda: dunstctl(dunst, "count", "history") == "1", timeout=5)
    (entry,) = json.loads(dunstctl(dunst, "history"))["data"][0]
    message = entry["message"]["data"]  # what dunst gives Pango: its format, then the body
    assert pango_text(message) == f"{SUMMARY}\n{SEEN}"
    assert "`" not in message
    notifier.bus.disconnect()
