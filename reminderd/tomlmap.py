"""Where each key of a TOML document sits: key path -> line number.

``tomllib`` returns plain dicts and forgets positions, but a config mistake is only useful
with its line. This scanner reads the same text a second time, after ``tomllib`` accepted it,
and notes the line of every table header, key and (multi-line) array element. It does not
validate anything: the text is already known to be valid TOML.
"""

from __future__ import annotations

from collections.abc import Iterator

KeyPath = tuple[str | int, ...]


def _split_keys(text: str) -> list[str]:
    """Split a dotted key (``a."b.c".d``) into its parts."""
    parts: list[str] = []
    current = ""
    quote = ""
    for char in text.strip():
        if quote:
            if char == quote:
                quote = ""
            else:
                current += char
        elif char in "\"'":
            quote = char
        elif char == ".":
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _key_end(line: str) -> int:
    """Index of the ``=`` that ends the key on a key/value line, or -1."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "=":
            return index
    return -1


class _ValueScanner:
    """Follows brackets and strings across lines to find where a value ends."""

    def __init__(self) -> None:
        self.depth = 0
        self.multiline = ""  # the open delimiter of a multi-line string
        self.element = 0
        self.expect_element = True

    def feed(self, text: str) -> Iterator[int]:
        """Consume text; yield the index of each top-level array element that starts in it."""
        index = 0
        while index < len(text):
            if self.multiline:
                end = text.find(self.multiline, index)
                if end < 0:
                    return
                index = end + 3
                self.multiline = ""
                continue
            char = text[index]
            if char == "#":
                return
            starts_element = not char.isspace() and char not in ",]}"
            if self.depth == 1 and self.expect_element and starts_element:
                yield self.element
                self.expect_element = False
            index = self._consume(text, index)

    def _consume(self, text: str, index: int) -> int:
        """Step over the token at ``index`` (a string, a bracket, a comma); return what follows."""
        char = text[index]
        if text.startswith(('"""', "'''"), index):
            self.multiline = text[index : index + 3]
            return index + 3
        if char in "\"'":
            end = index + 1
            while end < len(text) and text[end] != char:
                end += 2 if char == '"' and text[end] == "\\" else 1
            return end + 1
        if char in "[{":
            self.depth += 1
        elif char in "]}":
            self.depth -= 1
        elif char == "," and self.depth == 1:
            self.element += 1
            self.expect_element = True
        return index + 1

    @property
    def open(self) -> bool:
        return self.depth > 0 or bool(self.multiline)


class TomlMap:
    """Line numbers for the key paths of one TOML text (1-based; array indices 0-based)."""

    def __init__(self, text: str) -> None:
        self._lines: dict[KeyPath, int] = {}
        self._arrays: dict[KeyPath, int] = {}
        self._scan(text)

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None

    def _resolve(self, keys: list[str]) -> KeyPath:
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            if path in self._arrays:
                path = (*path, self._arrays[path])
        return path

    def _scan(self, text: str) -> None:
        table: KeyPath = ()
        value: _ValueScanner | None = None
        value_path: KeyPath = ()
        # TOML ends lines at \n only; str.splitlines would also split at U+2028 and friends.
        for lineno, raw in enumerate(text.split("\n"), 1):
            if value is not None and value.open:
                for element in value.feed(raw):
                    self._lines.setdefault((*value_path, element), lineno)
                continue
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[["):
                keys = _split_keys(line[2 : line.index("]]")])
                array = (*self._resolve(keys[:-1]), keys[-1])
                index = self._arrays.get(array, -1) + 1
                self._arrays[array] = index
                table = (*array, index)
                self._lines.setdefault(array, lineno)
                self._lines[table] = lineno
                continue
            if line.startswith("["):
                table = self._resolve(_split_keys(line[1 : line.index("]")]))
                self._lines.setdefault(table, lineno)
                continue
            end = _key_end(line)
            if end < 0:
                continue
            value_path = table + tuple(_split_keys(line[:end]))
            self._lines.setdefault(value_path, lineno)
            value = _ValueScanner()
            for element in value.feed(line[end + 1 :]):
                self._lines.setdefault((*value_path, element), lineno)
