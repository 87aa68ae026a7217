"""The catalogue template (po/reminderd.pot): every sentence a person meets, found in the
sources.

- reminderd's modules: the sentences given to ``_``, ``N_``, ``NC_``, ``pgettext``,
  ``ngettext``, ``plural`` and ``said``/``said_plural``; the docstrings of click commands
  (their ``--help``) and every ``help=`` text; a ``# Translators:`` comment just above
  a sentence goes with it.
- click's own sentences that reach a person through reminderd's command line (usage,
  errors, "Show this message and exit.").
- The built-in exercises (exercises/*.toml): titles, summaries, each step's text, detail
  and words, once per side with the side filled in (a translation can then make "right"
  agree with its noun), and the counting phrases made from each ``rep_label``.
- The example configs' opening comments (`config examples`).

Read with ``ast``, so that the template is made the same way on every machine, without
xgettext. Dev tooling: nothing here runs while reminderd does.
"""

from __future__ import annotations

import ast
import inspect
import string
from pathlib import Path
from typing import Any

from reminderd.i18n.po import Entry

# The marking functions, and which arguments hold (context, id, plural).
KEYWORDS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None),
    "N_": (None, 0, None),
    "NC_": (0, 1, None),
    "pgettext": (0, 1, None),
    "ngettext": (None, 0, 1),
    "N_plural": (None, 0, 1),
    "plural": (None, 1, 2),
    "said": (None, 0, None),
    "said_plural": (None, 1, 2),
    "Advice": (None, 0, None),  # reminderd.safety: each warning sign and tip
}
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types")
CLICK_EDIT = "Editing failed"  # of click's _termui_impl: `config edit`'s editor failing
# click's sentences that only a programmer meets (a command declared wrongly), and those
# of features reminderd's commands do not use (deprecation, prompts, UUIDs, env vars).
CLICK_UNMET = (
    "Could not determine name",
    "No options defined but",
    "Arguments take exactly one",
    "defined twice",
    "cannot use the same flag",
    "Value must be an iterable",
    "Takes {nargs} values",
    "DeprecationWarning",
    "deprecated",
    "Do you want to continue?",
    "Confirm the action",
    "valid UUID",
    "env var: ",
    "(dynamic)",
    "Invalid start character",
)


class Message:
    """One message to translate, with where it was found."""

    __slots__ = ("context", "msgid", "notes", "places", "plural")

    def __init__(self, msgid: str, plural: str | None = None, context: str | None = None) -> None:
        self.msgid = msgid
        self.plural = plural
        self.context = context
        self.places: list[str] = []
        self.notes: list[str] = []


class Found:
    """The messages found so far, each once, in the order first met."""

    def __init__(self) -> None:
        self.messages: dict[tuple[str | None, str], Message] = {}

    def add(
        self,
        msgid: str,
        place: str,
        *,
        plural: str | None = None,
        context: str | None = None,
        note: str = "",
    ) -> None:
        if not msgid:
            return
        known = self.messages.get((context, msgid))
        if known is None:
            known = self.messages[(context, msgid)] = Message(msgid, plural, context)
        elif plural and known.plural and plural != known.plural:
            msg = f"{place}: {msgid!r} has two plurals: {known.plural!r} and {plural!r}"
            raise ValueError(msg)
        known.plural = known.plural or plural
        if place not in known.places:
            known.places.append(place)
        if note and note not in known.notes:
            known.notes.append(note)


def _string(node: ast.expr | None, names: dict[str, str] | None = None) -> str | None:
    """A literal string, or a module's constant named by ``node`` (``NC_(COLUMN, ...)``)."""
    if isinstance(node, ast.Name) and names and node.id in names:
        return names[node.id]
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _constants(tree: ast.Module) -> dict[str, str]:
    """The module's names bound once to a string at its top level."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], _string(node.value)
            if isinstance(target, ast.Name) and value is not None:
                found[target.id] = value
    return found


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _translators(lines: list[str], line: int) -> str:
    """The ``# Translators:`` comment that ends just above ``line`` (1-based), if any."""
    comment: list[str] = []
    index = line - 2
    while index >= 0 and lines[index].strip().startswith("#"):
        comment.insert(0, lines[index].strip().lstrip("#").strip())
        if comment[0].startswith("Translators:"):
            return " ".join(comment)
        index -= 1
    return ""


def _is_click_command(function: ast.FunctionDef) -> bool:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if _name(target) in ("command", "group"):
            return True
    return False


def python_file(
    path: Path, place: str, found: Found, *, only: str = "", unmet: tuple[str, ...] = ()
) -> None:
    """The messages of one module; ``only``: keep those that contain it, ``unmet``: leave
    out those that contain one of these (click's)."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source, str(path))
    names = _constants(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and _is_click_command(node):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                found.add(inspect.cleandoc(doc), place, note="--help")
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            text = _string(keyword.value)
            if keyword.arg == "help" and text:
                found.add(inspect.cleandoc(text), place)
        spec = KEYWORDS.get(_name(node.func))
        if spec is None:
            continue
        context_at, id_at, plural_at = spec
        needed = max(i for i in spec if i is not None)
        if len(node.args) <= needed:
            continue
        msgid = _string(node.args[id_at], names)
        if msgid is None or (only and only not in msgid) or any(u in msgid for u in unmet):
            continue
        plural = _string(node.args[plural_at], names) if plural_at is not None else None
        context = _string(node.args[context_at], names) if context_at is not None else None
        if (plural_at is not None and plural is None) or (context_at is not None and not context):
            continue
        note = _translators(lines, node.lineno)
        found.add(msgid, place, plural=plural, context=context, note=note)


def shadowed(path: Path) -> list[str]:
    """Functions of ``path`` that bind ``_`` as a variable and also call ``_()``: the call
    would find the variable (a loop's throwaway), not the translation."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        nodes = list(ast.walk(function))
        binds = any(
            isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store) for n in nodes
        ) or any(isinstance(n, ast.arg) and n.arg == "_" for n in nodes)
        calls = any(isinstance(n, ast.Call) and _name(n.func) == "_" for n in nodes)
        if binds and calls:
            problems.append(f"{path}:{function.lineno}")
    return problems


# -- the exercises ------------------------------------------------------------------------


def _load_toml(path: Path) -> dict[str, Any]:
    from reminderd.config.files import read_toml  # noqa: PLC0415

    return read_toml(path)[0]


def _sided(text: str, sides: list[str]) -> list[tuple[str, str]]:
    """``text`` as shown: once per side where it names the side, else as it is."""
    if sides and "{side}" in text:
        return [(text.format(side=side), side) for side in sides]
    return [(text.replace("{{", "{").replace("}}", "}"), "")]


def exercise_file(path: Path, place: str, found: Found) -> None:
    data = _load_toml(path)
    exercise_table(data, str(data.get("id") or path.stem), place, found)


def config_file(path: Path, place: str, found: Found) -> None:
    """A config's routines' titles and its own exercises (the examples' and the default's)."""
    data = _load_toml(path)
    for routine in data.get("routines", []):
        if isinstance(routine, dict) and isinstance(routine.get("title"), str):
            note = f"the title of the routine {routine.get('name', '')}, in notifications"
            found.add(routine["title"], place, note=note)
    for table in data.get("exercises", []):
        if isinstance(table, dict):
            exercise_table(table, str(table.get("id", "")), place, found)


def exercise_table(data: dict[str, Any], ident: str, place: str, found: Found) -> None:
    sides = [str(side) for side in data.get("sides", []) or []]
    for key in ("title", "summary"):
        if isinstance(data.get(key), str):
            found.add(str(data[key]), place, note=f"{ident}: {key}")
    label = data.get("rep_label")
    if isinstance(label, str):
        found.add(label, place, note=f"{ident}: rep_label, the word for one repetition")
        found.add(
            f"{label} {{rep}} of {{reps}}",
            place,
            note=f"{ident}: where a person is in a set, as the title of a step says it",
        )
        found.add(
            f"{{count}} {label}",
            place,
            plural=f"{{count}} {label}s",
            note=f"{ident}: a day's count of repetitions, in `plan`",
        )
    specs: list[tuple[str, object]] = [("setup", data.get("setup"))]
    steps = data.get("steps")
    if isinstance(steps, list):
        specs += [(f"steps[{index}]", step) for index, step in enumerate(steps)]
    for where, spec in specs:
        if not isinstance(spec, dict):
            continue
        for key in ("text", "detail", "say"):
            if not isinstance(spec.get(key), str):
                continue
            for text, side in _sided(str(spec[key]), sides):
                what = {"text": "the action", "detail": "the detail", "say": "spoken"}[key]
                note = f"{ident}: {where}.{key}, {what}" + (f", {side} side" if side else "")
                found.add(text, place, note=note)


def example_file(path: Path, place: str, found: Found) -> None:
    """The opening comment of an example config, as `config examples` shows it."""
    from reminderd.config.examples import about  # noqa: PLC0415

    found.add(about(path), place, note="`reminderd config examples`: what the example is for")


# -- the template -------------------------------------------------------------------------


def placeholders(text: str) -> list[str]:
    """The named fields of a brace-format text, with their formats: ["{side}", "{n:g}"]."""
    fields = []
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            fields.append(
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
    return sorted(fields)


def _braced(message: Message) -> bool:
    try:
        return bool(placeholders(message.msgid))
    except ValueError:
        return False


def find_all(root: Path) -> Found:
    """Every message of the repository at ``root``, with click's."""
    found = Found()
    package = root / "reminderd"
    for path in sorted(package.rglob("*.py")):
        if path.parent.name == "i18n" and path.name in ("extract.py", "__main__.py"):
            continue
        python_file(path, str(path.relative_to(root)), found)
    import click  # noqa: PLC0415

    folder = Path(click.__file__).parent
    for name in CLICK_MODULES:
        python_file(folder / f"{name}.py", f"click/{name}.py", found, unmet=CLICK_UNMET)
    python_file(folder / "_termui_impl.py", "click/_termui_impl.py", found, only=CLICK_EDIT)
    for path in sorted((root / "exercises").glob("*.toml")):
        exercise_file(path, str(path.relative_to(root)), found)
    for path in sorted((root / "config").rglob("*.toml")):
        config_file(path, str(path.relative_to(root)), found)
    for path in sorted((root / "config" / "examples").glob("*.toml")):
        example_file(path, str(path.relative_to(root)), found)
    return found


HEADER = """Project-Id-Version: reminderd
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
"""


def template(root: Path) -> list[Entry]:
    """The entries of po/reminderd.pot, the header first."""
    entries = [
        Entry(
            "",
            forms=[HEADER],
            comments=[
                "The catalogue template of reminderd: docs/translating.md says how to use it."
            ],
        )
    ]
    for message in find_all(root).messages.values():
        flags = ["python-brace-format"] if _braced(message) else []
        forms = ["", ""] if message.plural else [""]
        entries.append(
            Entry(
                message.msgid,
                message.plural,
                message.context,
                forms,
                flags,
                notes=list(message.notes),
                places=list(message.places),
            )
        )
    return entries
