"""Python's scopes as the visitor keeps them: what a name may be bound to (:class:`Binding`),
per scope (:class:`Scope`) and class (:class:`ClassInfo`), looked up through the enclosing
scopes the way Python does, and merged after alternative paths (:class:`Scopes`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from flake8_ssot.summary import MAX_ALTERNATIVES


@dataclass(eq=False)
class ClassInfo:
    """What a class defined in this module binds, as seen through the class or its instances."""

    attrs: dict[str, Entry] = field(default_factory=dict)
    """Attributes its methods set on instances (``self.factory = Factory()``)."""
    names: dict[str, Entry] = field(default_factory=dict)
    """The class body's bindings (``make = get_factory``), once the body has run."""
    bases: tuple[str, ...] = ()
    """Fully qualified names of its bases, where they are imported names."""
    parents: tuple[ClassInfo, ...] = ()
    """Its bases that are classes of this module."""
    children: list[ClassInfo] = field(default_factory=list)
    """The classes of this module that name it as a base (a mixin's users)."""


@dataclass(frozen=True)
class Binding:
    kind: Literal["name", "call", "instance", "self", "class", "const", "inherit"]
    dotted: str = ""
    """For ``name``: the fully qualified name it refers to; for ``call``: the fully qualified
    name of what was called to produce the value; for ``instance``: the class a parameter is
    annotated with; for ``const``: the string."""
    owner: ClassInfo | None = None
    """For ``self`` (an instance) and ``class`` (the class itself): the class."""


INHERIT = Binding("inherit")
"""Marks a name unbound on some path: look it up in the enclosing scope too."""

Entry = tuple[Binding, ...]
"""Possible bindings of a name; empty when it is bound to something unrelated."""


@dataclass(eq=False)
class Scope:
    kind: Literal["module", "class", "function", "lambda", "comprehension"]
    qualname: str
    parent: Scope | None
    names: dict[str, Entry] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    cls: ClassInfo | None = None


class Scopes:
    """The scopes of one module as the visitor walks it (the base of
    :class:`flake8_ssot.visitor.Visitor`)."""

    def __init__(self) -> None:
        self.scope = Scope("module", "<module>", None)
        self.module_scope = self.scope
        # Every name any scope binds (see Visitor._unbound).
        self._ever_bound: set[str] = set()
        self._defs: dict[str, str] = {}
        """Module-level functions and classes of this file still bound to their name -> their path."""

    def lookup(self, name: str) -> Entry:
        found: list[Binding] = []
        scope: Scope | None = self.scope
        innermost = True
        while scope is not None:
            if name in scope.globals:
                scope = self.module_scope
            if scope.kind != "class" or innermost:
                entry = scope.names.get(name)
                if entry is not None:
                    if INHERIT not in entry:
                        # The usual case, found whole in one scope: no copy.
                        return tuple(found) + entry if found else entry
                    found.extend(b for b in entry if b is not INHERIT)
            innermost = False
            scope = scope.parent
        return tuple(found)

    def bind(self, name: str, entry: Entry, scope: Scope | None = None) -> None:
        self._ever_bound.add(name)
        scope = scope or self.scope
        if name in scope.globals:
            scope = self.module_scope
        scope.names[name] = entry
        if scope is self.module_scope:
            self._defs.pop(name, None)

    def branches(self, *paths: Callable[[], None], fallthrough: bool = False) -> None:
        """Run alternative paths from the same state; afterwards a name may be any of them."""
        scope = self.scope
        before = scope.names
        states = []
        for path in paths:
            scope.names = dict(before)
            path()
            states.append(scope.names)
        if fallthrough:
            states.append(before)
        # Only names some path rebound need merging; the others keep their entry (normalized
        # as a merge would: without repeats, at most MAX_ALTERNATIVES).
        changed = {n for state in states if state is not before for n, e in state.items() if before.get(n) is not e}
        merged = {n: e if len(e) < 2 else tuple(dict.fromkeys(e))[:MAX_ALTERNATIVES] for n, e in before.items()}
        for name in changed:
            alternatives: list[Binding] = []
            for state in states:
                for binding in state.get(name, (INHERIT,)):
                    if binding not in alternatives:
                        alternatives.append(binding)
            merged[name] = tuple(alternatives[:MAX_ALTERNATIVES])
        scope.names = merged


def all_args(args: ast.arguments) -> list[ast.arg]:
    extra = [a for a in (args.vararg, args.kwarg) if a is not None]
    return [*args.posonlyargs, *args.args, *extra, *args.kwonlyargs]


def unpacked(target: ast.Tuple | ast.List, value: ast.expr | None) -> list[ast.expr | None]:
    """The value each element of ``target`` receives from a tuple or list display, if known."""
    elements = target.elts
    items = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
    if items is None or any(isinstance(i, ast.Starred) for i in items):
        return [None] * len(elements)
    star = next((i for i, e in enumerate(elements) if isinstance(e, ast.Starred)), None)
    if star is None:
        return list(items) if len(items) == len(elements) else [None] * len(elements)
    after = len(elements) - star - 1
    if len(items) < star + after:
        return [None] * len(elements)
    return [*items[:star], None, *items[len(items) - after:]]


BUILTINS = frozenset(dir(__import__("builtins")))
# Names whose use can bind any name at run time.
OPAQUE_NAMES = frozenset({"globals", "vars", "exec", "__builtins__", "__dict__"})
