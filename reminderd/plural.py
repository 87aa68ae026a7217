"""Messages with a count in them, written as whole sentences.

Each message is given whole in its singular and its plural form, with named placeholders
(``{count}`` and any others), never glued together from pieces in English word order: a
catalogue can then translate each form as a sentence, and a language with more plural
forms than two picks its own (``ngettext`` takes exactly these arguments).
"""

from __future__ import annotations


def plural(count: int, one: str, other: str, /, **named: object) -> str:
    """``one`` when ``count`` is 1, else ``other``, with ``{count}`` and the ``named``
    placeholders filled in: ``plural(n, "after {count} other routine", "after {count}
    other routines")``."""
    template = one if count == 1 else other
    return template.format(count=count, **named)
