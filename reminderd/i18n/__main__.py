"""`python -m reminderd.i18n`: keep the catalogues (docs/translating.md).

    extract   write po/reminderd.pot from the sources
    update    extract, then bring every po/<code>.po in step with it
    compile   write each catalogue's .mo into reminderd/locale/
    check     list what is untranslated, fuzzy or has other placeholders than its source
    back CODE bring po/back/CODE.toml in step: each health message's translation, to be
              read back into English (a changed translation loses its reading back)

Run from the repository's top folder. Dev tooling: reminderd never runs it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from reminderd.i18n import po
from reminderd.i18n.extract import placeholders, template
from reminderd.i18n.languages import NAMES, SOURCE, catalogue_file

TRANSLATED = tuple(code for code in NAMES if code != SOURCE)
PLURAL_FORMS = {
    "de": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "pt_BR": "nplurals=2; plural=(n > 1);",
    "zh_CN": "nplurals=1; plural=0;",
    SOURCE: "nplurals=2; plural=(n != 1);",
}


# Where the health content comes from: the exercises, the safety text and its notes, the
# guide's spoken and shown lines, the built-in and example configs. Each translation of
# these is read back into English in po/back/ (docs/translating.md).
HEALTH = (
    "exercises/",
    "config/",
    "reminderd/safety.py",
    "reminderd/safety_notice.py",
    "reminderd/cli/health.py",
    "reminderd/exercises.py",
    "reminderd/speech/lines.py",
)


def health(pot: list[po.Entry]) -> list[po.Entry]:
    """The messages of ``pot`` that carry health content (see HEALTH)."""
    return [e for e in pot[1:] if any(p.startswith(HEALTH) for p in e.places)]


def back_file(root: Path, code: str) -> Path:
    return root / "po" / "back" / f"{code}.toml"


def read_back(path: Path) -> list[dict[str, object]]:
    """The readings back of one language: [] where there is no file yet."""
    if not path.exists():
        return []
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415 - dev tooling
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # noqa: PLC0415

    messages: list[dict[str, object]] = tomllib.loads(path.read_text(encoding="utf-8")).get(
        "message", []
    )
    return messages


def _toml(value: str | list[str]) -> str:
    # A JSON string is a TOML basic string (the same escapes; JSON never writes "\/").
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"


def back(root: Path, code: str) -> str:
    """po/back/<code>.toml in step with the catalogue: one [[message]] per health message,
    its English, its translation's forms, and their reading back into English (kept while
    the translation is the same, else emptied to be read again) with the reviewer's note."""
    pot = po.parse((root / "po" / "reminderd.pot").read_text(encoding="utf-8"))
    path = po_file(root, code)
    have = {e.ident: e for e in po.parse(path.read_text(encoding="utf-8")) if not e.obsolete}
    old: dict[tuple[str, tuple[object, ...]], dict[str, object]] = {}
    for message in read_back(back_file(root, code)):
        forms = message.get("translation", [])
        old[(str(message.get("english", "")), tuple(forms if isinstance(forms, list) else []))] = (
            message
        )
    out = [
        f"# {NAMES[code][1]}: each health message's translation read back into English,",
        "# to compare with the English (docs/translating.md). `python -m reminderd.i18n back",
        f"# {code}` keeps this file in step; a translation that changed has an empty `back`.",
    ]
    for entry in health(pot):
        mine = have.get(entry.ident)
        forms = mine.forms if mine is not None else [""]
        before = old.get((entry.msgid, tuple(forms)), {})
        kept = before.get("back", [])
        readings = list(kept) if isinstance(kept, list) else []
        readings = (readings + [""] * len(forms))[: len(forms)]
        out += ["", "[[message]]", f"place = {_toml(entry.places[0])}"]
        if entry.context:
            out.append(f"context = {_toml(entry.context)}")
        out += [
            f"english = {_toml(entry.msgid)}",
            f"translation = {_toml(forms)}",
            f"back = {_toml(readings)}",
        ]
        note = before.get("note")
        if isinstance(note, str) and note:
            out.append(f"note = {_toml(note)}")
    return "\n".join(out) + "\n"


def po_file(root: Path, code: str) -> Path:
    return root / "po" / f"{code}.po"


def header(code: str) -> str:
    return (
        f"Project-Id-Version: reminderd\nLanguage: {code}\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n"
        f"Plural-Forms: {PLURAL_FORMS.get(code, PLURAL_FORMS[SOURCE])}\n"
    )


def nplurals(code: str) -> int:
    return int(PLURAL_FORMS.get(code, PLURAL_FORMS[SOURCE]).split(";")[0].split("=")[1])


def merge(code: str, pot: list[po.Entry], old: list[po.Entry]) -> list[po.Entry]:
    """``pot``'s entries with ``old``'s translations where the message is the same; an
    entry of ``old`` no longer in ``pot`` is kept at the end as obsolete (``#~``)."""
    known = {entry.ident: entry for entry in old if not entry.obsolete and entry.msgid}
    comments = next((e.comments for e in old if e.msgid == "" and not e.obsolete), [])
    merged = [po.Entry("", forms=[header(code)], comments=comments or [f"{NAMES[code][1]}."])]
    used = set()
    for entry in pot[1:]:
        before = known.get(entry.ident)
        forms = [""] * (nplurals(code) if entry.plural else 1)
        flags = list(entry.flags)
        comments = []
        if before is not None:
            used.add(entry.ident)
            comments = before.comments
            if (before.plural is None) == (entry.plural is None):
                forms = (before.forms + forms)[: len(forms)]
                if before.fuzzy or before.plural != entry.plural:
                    flags.insert(0, "fuzzy")
        merged.append(
            po.Entry(
                entry.msgid,
                entry.plural,
                entry.context,
                forms,
                flags,
                comments,
                entry.notes,
                entry.places,
            )
        )
    for entry in old:
        if entry.obsolete:
            merged.append(entry)
        elif entry.msgid and entry.ident not in used and all(entry.forms):
            text = po.render([entry]).rstrip("\n")
            merged.append(
                po.Entry(
                    "",
                    obsolete="\n".join(
                        f"#~ {line}" for line in text.splitlines() if not line.startswith("#")
                    ),
                )
            )
    return merged


def problems(code: str, entries: list[po.Entry], pot: list[po.Entry]) -> list[str]:
    """Why the catalogue of ``code`` is not complete: each message of ``pot`` missing,
    untranslated or fuzzy in it, and each translation whose placeholders differ."""
    have = {entry.ident: entry for entry in entries if not entry.obsolete}
    found = []
    for entry in pot[1:]:
        name = f"{code}: {entry.msgid[:60]!r}" + (f" ({entry.context})" if entry.context else "")
        mine = have.get(entry.ident)
        if mine is None:
            found.append(f"{name}: missing")
            continue
        if mine.fuzzy:
            found.append(f"{name}: fuzzy")
        if not all(mine.forms) or len(mine.forms) != (nplurals(code) if entry.plural else 1):
            found.append(f"{name}: untranslated")
            continue
        try:
            # A form says the singular's or the plural's placeholders (click's singular
            # names one {possibility}, its plural {possibilities}; both are filled in).
            allowed = [set(placeholders(text)) for text in (entry.msgid, entry.plural) if text]
            for form in mine.forms:
                got = set(placeholders(form))
                if got not in allowed:
                    wanted = sorted(allowed[-1])
                    found.append(f"{name}: placeholders {sorted(got)} instead of {wanted}")
        except ValueError as error:
            found.append(f"{name}: {error}")
    return found


def main(argv: list[str]) -> int:
    root = Path.cwd()
    command = argv[0] if argv else ""
    if command in ("extract", "update"):
        pot = template(root)
        (root / "po" / "reminderd.pot").write_text(po.render(pot), encoding="utf-8")
        if command == "update":
            for code in TRANSLATED:
                path = po_file(root, code)
                old = po.parse(path.read_text(encoding="utf-8"), str(path)) if path.exists() else []
                path.write_text(po.render(merge(code, pot, old)), encoding="utf-8")
        return 0
    if command == "compile":
        for code in (SOURCE, *TRANSLATED):
            target = Path(catalogue_file(code))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(compiled(root, code))
        return 0
    if command == "check":
        pot = po.parse((root / "po" / "reminderd.pot").read_text(encoding="utf-8"))
        found = []
        for code in TRANSLATED:
            path = po_file(root, code)
            found += problems(code, po.parse(path.read_text(encoding="utf-8"), str(path)), pot)
        print("\n".join(found) or "complete")
        return 1 if found else 0
    if command == "back" and len(argv) == 2 and argv[1] in TRANSLATED:
        target = back_file(root, argv[1])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(back(root, argv[1]), encoding="utf-8")
        return 0
    print(__doc__)
    return 2


def compiled(root: Path, code: str) -> bytes:
    """The .mo of ``code``: English has a header only (so that gettext, asked for
    English first, stops there rather than going on to the next language listed)."""
    if code == SOURCE:
        return po.compiled([po.Entry("", forms=[header(SOURCE)])])
    path = po_file(root, code)
    return po.compiled(po.parse(path.read_text(encoding="utf-8"), str(path)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
