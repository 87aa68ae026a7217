"""Text as each notification server shows it: no markup left raw on any of them.

reminderd writes a command in backticks (`reminderd safety`), as in a terminal. A
notification shows it in quotes instead (“reminderd safety”): backticks mean nothing to a
notification server, and showed raw on every one tested. A server that reads the body as
markup (it declares "body-markup": GNOME Shell, mako, xfce4-notifyd, notification-daemon)
gets ``&``, ``<`` and ``>`` escaped, so that a step's text ("Hold < 5 s & breathe") shows
as written. dunst parses the body as Pango markup without declaring "body-markup" (with
its default ``markup = full``), and is treated as declaring it: tests/test_e2e_markup.py
reads what each of them shows. A summary is plain text everywhere (the specification's,
and the servers tested escape it themselves).
"""

from __future__ import annotations

# Servers that read the body as markup without saying so in their capabilities.
READS_MARKUP = frozenset({"dunst"})


def plain(text: str) -> str:
    """Commands in backticks as quoted text: "`reminderd safety`" -> "“reminderd safety”"."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an odd number of backticks: not a quote, left as it is
        return text
    return "".join(f"“{part}”" if index % 2 else part for index, part in enumerate(parts))


def escape(text: str) -> str:
    """``text`` as the characters of a markup (a notification body, an SVG) say it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def body(text: str, *, markup: bool) -> str:
    """A notification body for a server that reads markup (``markup``) or plain text."""
    shown = plain(text)
    return escape(shown) if markup else shown


def reads_markup(capabilities: frozenset[str], server_name: str) -> bool:
    """Whether a server reads the body as markup: it says so, or is known to."""
    return "body-markup" in capabilities or server_name in READS_MARKUP
