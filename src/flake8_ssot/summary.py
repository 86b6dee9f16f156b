"""What a module binds at top level: the raw material of the re-export index.

A summary depends only on the file's own text, so it can be cached per file and
invalidated by that file alone; chains across modules are followed at query time.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from flake8_ssot.paths import resolve_relative

MAX_ALTERNATIVES = 16
"""Bound on what one name may refer to across branches; real code needs a handful."""


@dataclass(frozen=True)
class ModuleSummary:
    bindings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Top-level name -> dotted names it may refer to (imports and aliases of imports)."""
    defined: frozenset[str] = frozenset()
    """Names bound to something else (def, class, assignment)."""
    stars: tuple[str, ...] = ()
    """Modules star-imported at top level."""
    dynamic: bool = False
    """The module defines ``__getattr__``: any name may exist."""
    all_names: tuple[str, ...] | None = None

    def binds(self, name: str) -> bool:
        return name in self.bindings or name in self.defined

    def exported(self) -> list[str]:
        """Names a ``from module import *`` brings in."""
        if self.all_names is not None:
            return list(self.all_names)
        return sorted(n for n in {*self.bindings, *self.defined} if not n.startswith("_"))

    def to_json(self) -> dict[str, Any]:
        return {
            "b": {k: list(v) for k, v in self.bindings.items()},
            "d": sorted(self.defined),
            "s": list(self.stars),
            "g": self.dynamic,
            "a": None if self.all_names is None else list(self.all_names),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModuleSummary:
        return cls(
            bindings={k: tuple(v) for k, v in data["b"].items()},
            defined=frozenset(data["d"]),
            stars=tuple(data["s"]),
            dynamic=bool(data["g"]),
            all_names=None if data["a"] is None else tuple(data["a"]),
        )


def dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"] when the expression is a pure Name/Attribute chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    return None


def summarize(tree: ast.Module, module: str, is_package: bool) -> ModuleSummary:
    bindings: dict[str, list[str]] = {}
    defined: set[str] = set()
    stars: list[str] = []
    all_names: list[str] | None = None
    dynamic = False

    def bind(name: str, target: str) -> None:
        targets = bindings.setdefault(name, [])
        if target not in targets and len(targets) < MAX_ALTERNATIVES:
            targets.append(target)

    def strings(node: ast.expr) -> list[str] | None:
        if isinstance(node, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
        ):
            return [e.value for e in node.elts]  # type: ignore[attr-defined]
        return None

    def assign(target: ast.expr, value: ast.expr | None) -> None:
        nonlocal all_names
        if not isinstance(target, ast.Name):
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    defined.add(node.id)
            return
        chain = dotted(value) if value is not None else None
        if chain and chain[0] in bindings:
            # A snapshot: `x = x.y` must not feed on its own new alternative.
            for base in tuple(bindings[chain[0]]):
                bind(target.id, ".".join([base, *chain[1:]]))
        else:
            defined.add(target.id)
        if target.id == "__all__" and value is not None:
            all_names = strings(value)

    def visit(body: list[ast.stmt]) -> None:
        nonlocal dynamic, all_names
        for stmt in body:
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.asname:
                        bind(alias.asname, alias.name)
                    else:
                        head = alias.name.split(".")[0]
                        bind(head, head)
            elif isinstance(stmt, ast.ImportFrom):
                base = resolve_relative(module, is_package, stmt.level, stmt.module)
                if base is None:
                    continue
                for alias in stmt.names:
                    if alias.name == "*":
                        stars.append(base)
                    else:
                        bind(alias.asname or alias.name, f"{base}.{alias.name}")
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined.add(stmt.name)
                dynamic = dynamic or stmt.name == "__getattr__"
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    assign(target, stmt.value)
            elif isinstance(stmt, ast.AnnAssign):
                assign(stmt.target, stmt.value)
            elif isinstance(stmt, ast.AugAssign):
                if isinstance(stmt.target, ast.Name):
                    defined.add(stmt.target.id)
                    extra = strings(stmt.value)
                    if stmt.target.id == "__all__" and all_names is not None and extra:
                        all_names = all_names + extra
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                call = stmt.value
                if (
                    dotted(call.func) in (["__all__", "extend"], ["__all__", "append"])
                    and all_names is not None
                    and call.args
                ):
                    arg = call.args[0]
                    extend = dotted(call.func) == ["__all__", "extend"]
                    extra = strings(arg) if extend else strings(ast.List(elts=[arg]))
                    all_names = all_names + (extra or [])
            else:
                for node in _bound_names(stmt):
                    defined.add(node)
                for child in _blocks(stmt):
                    visit(child)

    visit(tree.body)
    return ModuleSummary(
        bindings={k: tuple(v) for k, v in bindings.items()},
        defined=frozenset(defined),
        stars=tuple(dict.fromkeys(stars)),
        dynamic=dynamic,
        all_names=None if all_names is None else tuple(all_names),
    )


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    """Nested statement lists of a compound statement that run at module level."""
    blocks: list[list[ast.stmt]] = []
    for name in ("body", "orelse", "finalbody"):
        value = getattr(stmt, name, None)
        if isinstance(value, list):
            blocks.append(value)
    for handler in getattr(stmt, "handlers", ()):
        blocks.append(handler.body)
    for case in getattr(stmt, "cases", ()):
        blocks.append(case.body)
    return blocks


def _bound_names(stmt: ast.stmt) -> list[str]:
    """Names a compound statement's header binds (for/with targets, except names)."""
    targets: list[ast.expr] = []
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        targets.append(stmt.target)
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        targets.extend(item.optional_vars for item in stmt.items if item.optional_vars)
    names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    names.extend(h.name for h in getattr(stmt, "handlers", ()) if h.name)
    return names
