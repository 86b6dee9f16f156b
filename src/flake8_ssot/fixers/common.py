"""Helpers on LibCST trees that every rewrite kind uses."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import libcst as cst

from flake8_ssot.config import placeholder

_CONSTANTS = frozenset({"True", "False", "None"})


_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


_ATOMS = (
    cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString, cst.ConcatenatedString,
    cst.Integer, cst.Float, cst.Imaginary, cst.List, cst.Dict, cst.Set, cst.FormattedString,
)


Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


def chain_of(node: cst.CSTNode) -> str | None:
    """``a.b.c`` for a chain of names (placeholders and constants are not names here)."""
    if isinstance(node, cst.Name):
        if placeholder(node.value) is not None or node.value in _CONSTANTS:
            return None
        return node.value
    if isinstance(node, cst.Attribute):
        base = chain_of(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _parents(module: cst.Module) -> dict[cst.CSTNode, cst.CSTNode]:
    """Each node's parent (what ParentNodeProvider gives, at a small part of its cost)."""
    found: dict[cst.CSTNode, cst.CSTNode] = {}
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        for child in _children(node):
            found[child] = node
            stack.append(child)
    return found


_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``node.children``, read from the node's fields: LibCST collects them with a visitor, which
    rebuilds the node (a tenth of a large file's rewrite went to that). The order may differ;
    each node appears once in a parsed tree, so the parents found are the same."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(f.name for f in dataclasses.fields(node))
    found: list[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            found.append(value)
        elif isinstance(value, (tuple, list)):
            found.extend(v for v in value if isinstance(v, cst.CSTNode))
    return found


def _walk(node: cst.CSTNode, stop: Callable[[cst.CSTNode], bool] = lambda n: False) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        if not stop(child):
            yield from _walk(child, stop)


def _dotted_node(dotted: str) -> cst.Attribute | cst.Name:
    node = cst.parse_expression(dotted)
    assert isinstance(node, (cst.Attribute, cst.Name))
    return node


def _follow(node: cst.CSTNode, path: Sequence[str | int]) -> cst.CSTNode:
    for step in path:
        node = node[step] if isinstance(step, int) else getattr(node, step)  # type: ignore[index]
    return node


def _replace_with(code: str) -> Callable[[Any], cst.CSTNode]:
    """Build the expression ``code`` in place of a node, keeping the node's parentheses."""

    def build(updated: Any) -> cst.CSTNode:
        return _with_parens(cst.parse_expression(code), updated)

    return build


def _with_parens(new: cst.BaseExpression, old: Any) -> cst.BaseExpression:
    if getattr(old, "lpar", None):
        return new.with_changes(lpar=old.lpar, rpar=old.rpar)
    return new


def _code(node: cst.CSTNode | None) -> str:
    return "" if node is None else cst.Module([]).code_for_node(node)


def _called(node: cst.CSTNode | None) -> str:
    """``f.g`` for a call ``f.g(...)``, else ""."""
    return _code(node.func) if isinstance(node, cst.Call) else ""


def _head(call: cst.CSTNode) -> cst.CSTNode:
    """``factory`` in the result call ``factory.create_for_user(ctx)``."""
    assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
    return call.func.value


def _chain_head(node: cst.CSTNode) -> cst.CSTNode:
    """The leftmost name of a use: ``a`` in ``a.b.c`` and in ``a.b()``."""
    if isinstance(node, cst.Call):
        node = node.func
    while isinstance(node, cst.Attribute):
        node = node.value
    return node


def _variables(tree: cst.CSTNode) -> Iterator[cst.Name]:
    """Name nodes that read or bind a variable (not attribute, keyword or module names)."""
    skip: set[int] = set()
    for node in _walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, cst.Attribute):
            skip.add(id(node.attr))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            skip.add(id(node.keyword))
        elif isinstance(node, cst.ImportFrom) and node.module is not None:
            skip.update(id(n) for n in _walk(node.module))
        elif isinstance(node, cst.ImportAlias) and isinstance(node.name, cst.Attribute):
            # `import a.b` binds `a` only.
            skip.update(id(n) for n in _walk(node.name) if n is not _chain_head(node.name))
        elif isinstance(node, cst.Name):
            yield node


def _bound_or_read_names(code: str) -> set[str]:
    """Every variable name the file mentions (read with :mod:`ast`, much faster than a CST walk)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


def _exported(tree: cst.Module) -> set[str]:
    """Names listed in the module's ``__all__``."""
    return {s.evaluated_value for s in _all_strings(tree) if isinstance(s.evaluated_value, str)}


def _all_strings(tree: cst.Module) -> Iterator[cst.SimpleString]:
    """The strings of statements that build ``__all__`` at module level (in ``if``/``try`` too)."""
    for small in _module_level(tree):
        targets: list[cst.BaseExpression] = []
        value: cst.BaseExpression | None = None
        if isinstance(small, cst.Assign):
            targets, value = [t.target for t in small.targets], small.value
        elif isinstance(small, (cst.AugAssign, cst.AnnAssign)):
            targets, value = [small.target], small.value
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            targets, value = [small.value.func], small.value
        if value is not None and any(_code(t).startswith("__all__") for t in targets):
            yield from (n for n in _walk(value) if isinstance(n, cst.SimpleString))


_BLOCKS = (
    cst.BaseCompoundStatement, cst.BaseSuite, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally,
    cst.MatchCase,
)


def _module_level(node: cst.CSTNode) -> Iterator[cst.BaseSmallStatement]:
    """Simple statements that run as the module body runs (not those of a def or class)."""
    for child in node.children:
        if isinstance(child, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            yield from child.body
        elif isinstance(child, _BLOCKS) and not isinstance(child, (cst.FunctionDef, cst.ClassDef)):
            yield from _module_level(child)
