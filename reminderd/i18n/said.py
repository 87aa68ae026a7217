"""Text that knows how it was made: English where it is logged, sent or compared, and said
again in a person's language where it is shown.

A reason (why this notification backend), an error or a config problem is made in one
place and met in several: the daemon's log (always English), a notification (the daemon's
language) and `reminderd status` or `check` (the terminal's language, which may differ
from the daemon's). ``said("no {engine} here", engine="espeak-ng")`` is the English
sentence itself (a ``str``) and keeps its template and values, so that each place that
shows it to a person renders it in its own language (``reminderd.i18n.text``). Between
processes it travels beside the English text as a small JSON value (``wire``), so that
the command line can say in German what the daemon found in English.

No imports: the daemon and `reminderd status` load this module.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `reminderd status` need not import typing
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any


class Said(str):
    """English text, with the template, values and plural it was made from.

    ``template`` is a catalogue's message id (translated by ``i18n.text``); ``other``,
    when set, is its plural form and ``number`` the count that chooses between them;
    ``parts`` and ``separator`` make a list said in one line ("a; b; c").
    """

    template: str
    values: Mapping[str, object]
    other: str | None
    number: int | None
    parts: tuple[object, ...] | None
    separator: str


def said(template: str, /, **values: object) -> Said:
    """``template`` with ``values`` filled in, in English, and able to be said again in
    another language. Without values the template is the text as it is (no braces read)."""
    english = template.format(**values) if values else template
    return _make(english, template, values, None, None)


def said_plural(count: int, one: str, other: str, /, **values: object) -> Said:
    """``one`` or ``other`` by ``count`` (as ``ngettext`` chooses), with ``{count}`` and
    ``values`` filled in."""
    english = (one if count == 1 else other).format(count=count, **values)
    return _make(english, one, values, other, count)


def said_join(separator: str, parts: Iterable[object]) -> Said:
    """``parts`` in one line, each said again in the language the line is said in."""
    kept = tuple(parts)
    made = _make(separator.join(str(part) for part in kept), "", {}, None, None)
    made.parts = kept
    made.separator = separator
    return made


def _make(
    english: str,
    template: str,
    values: Mapping[str, object],
    other: str | None,
    count: int | None,
) -> Said:
    made = Said(english)
    made.template = template
    made.values = values
    made.other = other
    made.number = count
    made.parts = None
    made.separator = ""
    return made


def message(error: BaseException) -> str:
    """An exception's message as it was raised: a ``Said`` stays one (``str(error)``
    would flatten it to English)."""
    first = error.args[0] if len(error.args) == 1 else None
    return first if isinstance(first, Said) else str(error)


# -- between processes ---------------------------------------------------------------------


def wire(value: Said) -> dict[str, Any]:
    """A ``Said`` as JSON: {"t": template, "v": values, "o": plural, "n": count}, or
    {"j": separator, "p": parts} for a list; values that are ``Said`` nest."""
    if value.parts is not None:
        return {"j": value.separator, "p": [_wire_value(part) for part in value.parts]}
    shown: dict[str, Any] = {"t": value.template}
    if value.values:
        shown["v"] = {name: _wire_value(item) for name, item in value.values.items()}
    if value.other is not None:
        shown["o"] = value.other
        shown["n"] = value.number
    return shown


def _wire_value(value: object) -> object:
    if isinstance(value, Said):
        return wire(value)
    if isinstance(value, (int, float, str)) or value is None:
        return value
    return str(value)


def unwire(data: object) -> object:
    """The ``Said`` (or plain value) that ``wire`` made; anything malformed is its text."""
    if not isinstance(data, dict):
        return data
    if "j" in data and isinstance(data.get("p"), list):
        return said_join(str(data["j"]), [unwire(part) for part in data["p"]])
    template = data.get("t")
    values = data.get("v") or {}
    if not isinstance(template, str) or not isinstance(values, dict):
        return str(data)
    filled = {str(name): unwire(item) for name, item in values.items()}
    try:
        other, count = data.get("o"), data.get("n")
        if isinstance(other, str) and isinstance(count, int):
            return said_plural(count, template, other, **filled)
        return said(template, **filled)
    except (KeyError, IndexError, ValueError):  # a template its values do not fill
        return template


def gather(value: object, found: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every ``Said`` inside a JSON-like ``value`` (dicts, lists), by its English text:
    what a reply carries beside itself so that the other end can say it again."""
    found = {} if found is None else found
    if isinstance(value, Said):
        found[str(value)] = wire(value)
    elif isinstance(value, dict):
        for item in value.values():
            gather(item, found)
    elif isinstance(value, list):
        for item in value:
            gather(item, found)
    return found


def restore(value: Any, table: Mapping[str, Any]) -> Any:
    """``value`` with each string that ``table`` (from ``gather``) knows made a ``Said``
    again."""
    if not table:
        return value
    if isinstance(value, str):
        known = table.get(value)
        if known is None:
            return value
        again = unwire(known)
        return again if isinstance(again, Said) and str(again) == value else value
    if isinstance(value, dict):
        return {key: restore(item, table) for key, item in value.items()}
    if isinstance(value, list):
        return [restore(item, table) for item in value]
    return value
