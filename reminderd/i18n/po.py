"""Catalogue sources (``.po`` and ``.pot`` files): read and written.

Enough of the format for reminderd's catalogues and the tools that keep them: message
context, plurals, flags (``fuzzy``, ``python-brace-format``), translator and extracted
comments, references, and obsolete entries (kept as they are). Files written here read
the same in Poedit, Lokalize, Weblate and GNU gettext's tools.
"""

from __future__ import annotations

from reminderd.i18n.mo import CONTEXT


class Entry:
    """One message: its id (and plural and context), its translation's forms, and the
    comments around it."""

    __slots__ = (
        "comments",
        "context",
        "flags",
        "forms",
        "msgid",
        "notes",
        "obsolete",
        "places",
        "plural",
    )

    def __init__(  # noqa: PLR0917 - one argument per part of a catalogue entry
        self,
        msgid: str,
        plural: str | None = None,
        context: str | None = None,
        forms: list[str] | None = None,
        flags: list[str] | None = None,
        comments: list[str] | None = None,
        notes: list[str] | None = None,
        places: list[str] | None = None,
        obsolete: str = "",
    ) -> None:
        self.msgid = msgid
        self.plural = plural
        self.context = context
        self.forms = forms if forms is not None else [""]
        self.flags = flags if flags is not None else []
        self.comments = comments if comments is not None else []  # the translator's ("# ")
        self.notes = notes if notes is not None else []  # extracted from the source ("#.")
        self.places = places if places is not None else []  # references ("#:")
        self.obsolete = obsolete  # the raw "#~" lines of an entry no longer in the sources

    @property
    def key(self) -> str:
        """As a compiled catalogue keys it."""
        key = self.msgid if self.context is None else f"{self.context}{CONTEXT}{self.msgid}"
        return key if self.plural is None else f"{key}\0{self.plural}"

    @property
    def ident(self) -> tuple[str | None, str]:
        """What makes two entries the same message."""
        return (self.context, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return all(self.forms) and not self.fuzzy


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r", "a": "\a", "b": "\b"}


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        msg = f"{where}: expected a quoted string, got {text!r}"
        raise ValueError(msg)
    body, out, index = text[1:-1], [], 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            out.append(_ESCAPES.get(body[index + 1], body[index + 1]))
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def parse(text: str, name: str = "<po>") -> list[Entry]:
    """The entries of a ``.po`` file, the header (msgid "") first as written."""
    reader = _Reader(name)
    for number, raw in enumerate(text.splitlines(), 1):
        reader.line(raw, f"{name}:{number}")
    return reader.end()


class _Reader:
    """Reads a ``.po`` file line by line into entries."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.entries: list[Entry] = []
        self.current = Entry("")
        self.started = False  # a field of the current entry was read
        self.field: str | None = None  # the field its next quoted string continues
        self.obsolete: list[str] = []

    def finish(self) -> None:
        if self.started:
            self.entries.append(self.current)
        self.current, self.started, self.field = Entry(""), False, None

    def end(self) -> list[Entry]:
        self.finish()
        self.flush_obsolete()
        return self.entries

    def flush_obsolete(self) -> None:
        if self.obsolete:
            self.entries.append(Entry("", obsolete="\n".join(self.obsolete)))
            self.obsolete = []

    def line(self, raw: str, where: str) -> None:
        line = raw.strip()
        if not line:
            self.flush_obsolete()
        elif line.startswith("#~"):
            if self.started:
                self.finish()
            self.obsolete.append(raw)
        elif line.startswith("#"):
            self.comment(line)
        elif line.startswith('"'):
            if self.field is None:
                msg = f"{where}: a string outside any field"
                raise ValueError(msg)
            _append(self.current, self.field, _unquote(line, where))
        else:
            self.keyword(line, where)

    def comment(self, line: str) -> None:
        if self.started and self.field is not None:
            self.finish()
        kind, rest = line[:2], line[2:].strip()
        entry = self.current
        if kind == "#,":
            entry.flags += [flag.strip() for flag in rest.split(",") if flag.strip()]
        elif kind == "#.":
            entry.notes.append(rest)
        elif kind == "#:":
            entry.places += rest.split()
        elif kind != "#|":
            entry.comments.append(line[1:].strip())

    def keyword(self, line: str, where: str) -> None:
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and self.started and self.field != "msgctxt":
            self.finish()
        self.started = True
        self.field = keyword
        entry = self.current
        if keyword == "msgctxt":
            entry.context = ""
        elif keyword == "msgid":
            entry.msgid = ""
        elif keyword == "msgid_plural":
            entry.plural = ""
        elif keyword == "msgstr" or keyword.startswith("msgstr["):
            index = 0 if keyword == "msgstr" else int(keyword[7:-1])
            while len(entry.forms) <= index:
                entry.forms.append("")
            entry.forms[index] = ""
        else:
            msg = f"{where}: unknown field {keyword!r}"
            raise ValueError(msg)
        _append(entry, keyword, _unquote(rest, where))


def _append(entry: Entry, field_name: str, text: str) -> None:
    if field_name == "msgctxt":
        entry.context = (entry.context or "") + text
    elif field_name == "msgid":
        entry.msgid += text
    elif field_name == "msgid_plural":
        entry.plural = (entry.plural or "") + text
    else:
        index = 0 if field_name == "msgstr" else int(field_name[7:-1])
        entry.forms[index] += text


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    return '"' + escaped.replace("\n", "\\n") + '"'


def _lines(keyword: str, text: str, width: int = 79) -> list[str]:
    """A field as GNU gettext's tools write it: one line if it fits, else an empty first
    line and the text in pieces that end at a newline or a space."""
    single = f"{keyword} {_quote(text)}"
    if len(single) <= width and "\n" not in text[:-1]:
        return [single]
    pieces: list[str] = []
    for paragraph in text.splitlines(keepends=True):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and len(_quote(candidate + " ")) > width - 1:
                pieces.append(line + " ")
                line = word
            else:
                line = candidate
        pieces.append(line)
    return [f'{keyword} ""', *(_quote(piece) for piece in pieces if piece)]


def render(entries: list[Entry]) -> str:
    """The text of a ``.po`` file."""
    blocks = []
    for entry in entries:
        if entry.obsolete:
            blocks.append(entry.obsolete)
            continue
        lines = [f"# {comment}".rstrip() for comment in entry.comments]
        lines += [f"#. {note}".rstrip() for note in entry.notes]
        if entry.places:
            lines.append("#: " + " ".join(entry.places))
        if entry.flags:
            lines.append("#, " + ", ".join(entry.flags))
        if entry.context is not None:
            lines += _lines("msgctxt", entry.context)
        lines += _lines("msgid", entry.msgid)
        if entry.plural is not None:
            lines += _lines("msgid_plural", entry.plural)
            for index, form in enumerate(entry.forms):
                lines += _lines(f"msgstr[{index}]", form)
        else:
            lines += _lines("msgstr", entry.forms[0])
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def compiled(entries: list[Entry]) -> bytes:
    """The ``.mo`` file of ``entries``: the header and every translated message that is
    not fuzzy (what ``msgfmt`` compiles)."""
    from reminderd.i18n.mo import compile_catalogue  # noqa: PLC0415

    kept = [
        (entry.key, entry.forms)
        for entry in entries
        if not entry.obsolete and (entry.msgid == "" or entry.translated)
    ]
    return compile_catalogue(kept)
