"""ARCHITECTURE.md stays true: its code map names every module, modules import only downward
(in the map's order of layers), and every module and class stays small enough to read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SRC = ROOT / "src" / "flake8_ssot"
MAX_MODULE_LINES = 1000
MAX_CLASS_LINES = 300
# The AST visitor's dispatch class has a method per node type.
LARGE_CLASSES = {"visitor.py": {"Visitor"}}
LARGE_MODULES: set[str] = set()


def modules() -> dict[str, Path]:
    """Path relative to the package (``fixers/moves.py``) -> file."""
    return {path.relative_to(SRC).as_posix(): path for path in sorted(SRC.rglob("*.py"))}


def module_name(relative: str) -> str:
    parts = ["flake8_ssot", *relative.removesuffix(".py").split("/")]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def code_map() -> list[list[str]]:
    """The modules of ARCHITECTURE.md's code map, by group (layer), bottom first."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("\n## Code map\n", 1)[1].split("\n## ", 1)[0]
    return [re.findall(r"^- `([\w/]+\.py)`", group, re.MULTILINE) for group in section.split("\n### ")[1:]]


def runtime_imports(tree: ast.Module, known: set[str]) -> set[str]:
    """The package's modules a module imports when it runs (lazily or not; not under TYPE_CHECKING)."""
    found: set[str] = set()

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
                for statement in child.orelse:
                    walk(statement)
                continue
            if isinstance(child, ast.ImportFrom) and child.module and child.module.split(".")[0] == "flake8_ssot":
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    found.add(full if full in known else child.module)
            elif isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.split(".")[0] == "flake8_ssot")
            walk(child)

    walk(tree)
    return found


def test_the_code_map_names_every_module_once() -> None:
    named = [m for group in code_map() for m in group]
    assert sorted(named) == sorted(modules()), (
        f"ARCHITECTURE.md's code map: missing {sorted(set(modules()) - set(named))}, "
        f"no such module {sorted(set(named) - set(modules()))}"
    )


def test_modules_import_only_their_layer_or_below() -> None:
    layer = {module_name(m): k for k, group in enumerate(code_map()) for m in group}
    names = {module_name(m): path for m, path in modules().items()}
    upward = sorted(
        f"{name} (layer {layer[name]}) imports {imported} (layer {layer[imported]})"
        for name, path in names.items()
        for imported in runtime_imports(ast.parse(path.read_text(encoding="utf-8")), set(names))
        if imported in layer and layer[imported] > layer[name]
    )
    assert upward == []


def test_the_import_graph_has_no_cycle() -> None:
    import graphlib

    names = {module_name(m): path for m, path in modules().items()}
    graph = {
        name: runtime_imports(ast.parse(path.read_text(encoding="utf-8")), set(names)) - {name, "flake8_ssot"}
        for name, path in names.items()
    }
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError


@pytest.mark.parametrize("relative", list(modules()))
def test_modules_and_classes_are_small(relative: str) -> None:
    text = modules()[relative].read_text(encoding="utf-8")
    if relative not in LARGE_MODULES:
        assert len(text.splitlines()) <= MAX_MODULE_LINES
    large = {
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.ClassDef) and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES
        and node.name not in LARGE_CLASSES.get(relative, set())
    }
    assert large == set()
