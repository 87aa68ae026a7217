"""Compiled catalogues (GNU ``.mo`` files): written from ``.po`` entries, and read in place.

A catalogue is looked up where it lies rather than unpacked into a dictionary the way
``gettext.GNUTranslations`` does: the file's message ids are sorted, so a lookup is a
binary search over its bytes (a dozen comparisons for two thousand messages). Opening
one costs a single read, which keeps `reminderd status` in German as fast as in English,
and the daemon holds the file's bytes (about 200 KB) rather than a dictionary several
times their size. The files are the standard format: ``msgfmt``, ``msgunfmt`` and the
standard library's ``gettext`` read them too (click's own messages go through the latter).
"""

from __future__ import annotations

import struct

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `reminderd status` need not import typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

MAGIC = 0x950412DE
CONTEXT = "\x04"  # between a message's context and its id, as gettext joins them


class Catalogue:
    """One compiled catalogue, looked up in place."""

    def __init__(self, data: bytes) -> None:
        order = "<" if struct.unpack_from("<I", data)[0] == MAGIC else ">"
        if struct.unpack_from(order + "I", data)[0] != MAGIC:
            msg = "not a compiled catalogue (.mo)"
            raise ValueError(msg)
        self._data = data
        self._entry = order + "II"
        _revision, self._count, self._originals, self._translations = struct.unpack_from(
            order + "4I", data, 4
        )
        self._plural: Callable[[int], int] | None = None
        header = self._lookup(b"")
        self.header = header[0] if header else ""

    def _string(self, table: int, index: int) -> bytes:
        length, offset = struct.unpack_from(self._entry, self._data, table + 8 * index)
        return self._data[offset : offset + length]

    def _lookup(self, key: bytes) -> list[str] | None:
        """The translation's forms for ``key`` (a message id, its context before it), or
        None when the catalogue does not have it or leaves it untranslated."""
        low, high = 0, self._count
        while low < high:
            middle = (low + high) // 2
            original = self._string(self._originals, middle).partition(b"\0")[0]
            if original < key:
                low = middle + 1
            elif original > key:
                high = middle
            else:
                forms = self._string(self._translations, middle).decode("utf-8").split("\0")
                return forms if any(forms) else None
        return None

    def gettext(self, message: str) -> str:
        forms = self._lookup(message.encode("utf-8"))
        return forms[0] if forms and forms[0] else message

    def pgettext(self, context: str, message: str) -> str:
        forms = self._lookup(f"{context}{CONTEXT}{message}".encode())
        return forms[0] if forms and forms[0] else message

    def ngettext(self, one: str, other: str, count: int) -> str:
        forms = self._lookup(one.encode("utf-8"))
        if not forms:
            return one if count == 1 else other
        index = self.plural(count)
        return forms[index] if 0 <= index < len(forms) and forms[index] else forms[0]

    def plural(self, count: int) -> int:
        """Which plural form ``count`` takes, by the header's Plural-Forms rule."""
        if self._plural is None:
            self._plural = plural_rule(self.header)
        return self._plural(count)


# The rules of the languages reminderd has, read without the standard library's parser
# (which compiles the expression with a tokenizer); any other rule goes to that parser.
_RULES: dict[str, Callable[[int], int]] = {
    "0": lambda n: 0,
    "n != 1": lambda n: int(n != 1),
    "n > 1": lambda n: int(n > 1),
}


def plural_rule(header: str) -> Callable[[int], int]:
    """The ``plural=`` expression of a catalogue's header as a function of the count."""
    expression = "n != 1"
    for line in header.splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "plural-forms":
            for part in value.split(";"):
                key, _, rule = part.partition("=")
                if key.strip() == "plural":
                    expression = rule.strip()
    bare = expression
    while bare.startswith("(") and bare.endswith(")"):
        bare = bare[1:-1].strip()
    if bare in _RULES:
        return _RULES[bare]
    import gettext  # noqa: PLC0415 - only for a language with a rule of its own

    return gettext.c2py(expression)


def compile_catalogue(entries: Iterable[tuple[str, list[str]]]) -> bytes:
    """The ``.mo`` file of ``entries``: (key, translation forms), where the key is the
    message id (``context\\x04id`` with a context, ``id\\x00plural`` with a plural) and the
    header is the entry whose key is "". Keys are sorted by their bytes, as the reader's
    binary search (and libintl's) needs; no hash table is written."""
    pairs = sorted(
        (key.encode("utf-8"), "\0".join(forms).encode("utf-8")) for key, forms in entries
    )
    count = len(pairs)
    originals = 28
    translations = originals + 8 * count
    strings = translations + 8 * count
    table_o, table_t, blob = [], [], bytearray()
    for key, _value in pairs:
        table_o.append((len(key), strings + len(blob)))
        blob += key + b"\0"
    for _key, value in pairs:
        table_t.append((len(value), strings + len(blob)))
        blob += value + b"\0"
    head = struct.pack("<7I", MAGIC, 0, count, originals, translations, 0, strings)
    body = b"".join(struct.pack("<II", *entry) for entry in (*table_o, *table_t))
    return head + body + bytes(blob)
