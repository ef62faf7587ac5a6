"""Import contracts (import-linter style, read from the source with ``ast``).

- core imports neither Qt nor the faces (gui, cli);
- gui may import core, but none of core's private modules or names (``_x``);
- gui holds no SQL: no sqlite3, no ``.execute(`` — review state comes from core deltas;
- the gui modules import each other without a circle (the window builds its tabs,
  the tabs never import the window).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "curator"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, imported names) for every import outside ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            skip.update(id(n) for b in node.body for n in ast.walk(b))
    try:
        here = _module_name(path).split(".")
    except ValueError:  # a file outside the package (the checker's own test)
        here = [path.stem]
    package = here if path.name == "__init__.py" else here[:-1]
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.extend((a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.append((mod, [a.name for a in node.names]))
    return out


def _files(sub: str) -> list[Path]:
    return sorted((ROOT / sub).rglob("*.py"))


def test_core_imports_no_qt_and_no_face():
    bad = [
        f"{_module_name(p)} imports {mod}"
        for p in _files("core")
        for mod, _ in _imports(p)
        if mod.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6")
        or mod.startswith(("curator.gui", "curator.cli"))
    ]
    assert bad == []


def test_gui_uses_only_the_public_core():
    bad = []
    for p in _files("gui"):
        for mod, names in _imports(p):
            if not mod.startswith("curator.core"):
                continue
            if any(part.startswith("_") for part in mod.split(".")[2:]):
                bad.append(f"{_module_name(p)} imports private module {mod}")
            bad.extend(
                f"{_module_name(p)} imports private {mod}.{n}" for n in names if n.startswith("_")
            )
    assert bad == []


def test_gui_holds_no_sql():
    bad = [
        str(p.relative_to(ROOT))
        for p in _files("gui")
        if ".execute(" in p.read_text(encoding="utf-8")
    ]
    bad += [
        f"{_module_name(p)} imports sqlite3"
        for p in _files("gui")
        for m, _ in _imports(p)
        if m == "sqlite3"
    ]
    assert bad == []


def test_gui_modules_import_each_other_without_a_circle():
    modules = {_module_name(p): p for p in _files("gui")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for mod, names in _imports(path):
            for cand in [mod] + [f"{mod}.{n}" for n in names]:
                if cand in modules and cand != name:
                    deps.add(cand)
        graph[name] = deps
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep):], dep] if dep in stack else [node, dep])
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[node] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n, [n])
    assert cycles == []


def test_the_contract_sees_a_violation(tmp_path):
    """The checker itself: a private import and a circle are caught."""
    bad = tmp_path / "x.py"
    bad.write_text(
        "from curator.core.dedup._numba_kernels import f\nfrom curator.core.review import _apply\n"
    )
    mods = _imports(bad)
    assert ("curator.core.dedup._numba_kernels", ["f"]) in mods and (
        "curator.core.review",
        ["_apply"],
    ) in mods
