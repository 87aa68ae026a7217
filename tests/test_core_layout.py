"""The shape of the code: the core's files each do one job a reader can hold in mind, and no
module of the package needs another that needs it back when they are loaded."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "reminderd"
MODULE_LINES = 500
CLASS_LINES = 300


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _load_time_imports(tree: ast.Module, known: set[str]) -> set[str]:
    """The package's modules imported when this one is loaded: not those imported inside a
    function (lazily, on first need) nor under TYPE_CHECKING."""
    found: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        pending.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
    return found & known


def _circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph``, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for needed in sorted(graph[name]):
            if state.get(needed) == 1:
                return [*path[path.index(needed) :], needed]
            if needed not in state and (found := visit(needed, [*path, needed])):
                return found
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state and (found := visit(name, [name])):
            return found
    return None


def test_no_module_of_the_package_imports_one_that_imports_it_back() -> None:
    """No import circle among the package's modules, as they are loaded (lazy imports aside)."""
    paths = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    known = set(paths)
    graph = {
        name: _load_time_imports(ast.parse(path.read_text(encoding="utf-8")), known) - {name}
        for name, path in paths.items()
    }
    assert _circle(graph) is None


def test_the_core_keeps_its_files_and_classes_small_each_with_its_job_said() -> None:
    """Each module of reminderd/core opens with a docstring, is under 500 lines, and no class
    in it is over 300 (issue 25: a newcomer finds a feature from the file names)."""
    too_big = []
    for path in sorted((PACKAGE / "core").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        assert ast.get_docstring(tree), f"{path.name} does not say its job"
        if len(text.splitlines()) > MODULE_LINES:
            too_big.append(f"{path.name}: {len(text.splitlines())} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > CLASS_LINES:
                    too_big.append(f"{path.name}: class {node.name}, {lines} lines")
    assert too_big == []
