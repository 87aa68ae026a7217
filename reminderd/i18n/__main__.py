"""`python -m reminderd.i18n`: keep the catalogues (docs/translating.md).

    extract   write po/reminderd.pot from the sources
    update    extract, then bring every po/<code>.po in step with it
    compile   write each catalogue's .mo into reminderd/locale/
    check     list what is untranslated, fuzzy or has other placeholders than its source

Run from the repository's top folder. Dev tooling: reminderd never runs it.
"""

from __future__ import annotations

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
