"""Messages with a count in them, written as whole sentences.

Each message is given whole in its singular and its plural form, with named placeholders
(``{count}`` and any others), never glued together from pieces in English word order: a
catalogue translates each form as a sentence, and a language with another number of plural
forms picks its own (``ngettext`` takes exactly these arguments). ``said_plural`` does
the same for a message that is also logged or sent (reminderd.i18n.said).
"""

from __future__ import annotations

from reminderd.i18n import ngettext


def plural(count: int, one: str, other: str, /, **named: object) -> str:
    """``one`` when ``count`` is 1, else ``other`` (in the language in use, as its plural
    rule says), with ``{count}`` and the ``named`` placeholders filled in: ``plural(n,
    "after {count} other routine", "after {count} other routines")``."""
    return ngettext(one, other, count).format(count=count, **named)
