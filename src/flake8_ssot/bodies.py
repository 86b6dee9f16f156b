"""Which function bodies can hold a use: the visitor walks only those (see ``Visitor._function_body``).

Every path to a deprecated target spells one of the prefilter's identifiers (see
:meth:`flake8_ssot.resolution.Resolver.resolve`). In a function body that path is spelled by the
body's own text, or by what a name the body spells was bound to in the enclosing scopes: an
import or alias whose path spells an identifier, a string that may be a dotted name, an
instance whose class reaches a target, a class of the module (through its body, the
attributes its methods set, its bases), a call's result. Bindings inside a body do not leak out,
but through ``global`` (and ``nonlocal``, which the body's text then spells), and through the
attributes a method sets on ``self``: a body that may set one is walked. A body is skipped only
when none of this holds; what a class holds can still grow after a body was skipped (a later
method sets an attribute), so :meth:`Bodies.unsafe` asks again at the end, and the visitor
walks the whole module again if the answer changed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flake8_ssot.scopes import OPAQUE_NAMES, Binding, ClassInfo, Scope, Scopes

if TYPE_CHECKING:
    from flake8_ssot.index import Index

_SPECIAL = frozenset({"global", "nonlocal", *OPAQUE_NAMES})
"""Words of a body whose effects reach past it: a binding in the module's scope, or any name
bound at run time (which keeps an unbound name from being reported)."""
_TOKENS = bytes(b if chr(b).isascii() and (chr(b).isalnum() or chr(b) == "_") else 0x20 for b in range(256))
_WORDS = re.compile(r"\w+")
# A store into an attribute (`x.attr = v`, `x.attr: T = v`, `with v as x.attr`): how a method
# gives its class what another method's use may go through.
_STORE = re.compile(r"\.\s*\w+[\s)]*(?::[^=\n]*)?=(?!=)|\bas\b[^\n]*\.")
_DOTTED_LIKE = re.compile(r"\s*[\w.:]+\s*")
_MAX_DEPTH = 8
_MIN_LINES = 20
"""Bodies shorter than this are walked without asking."""


class _Spelled:
    """The words of a body's text: bytes of an ASCII text (split at C speed), else strings."""

    __slots__ = ("tokens", "ascii", "_strings")

    def __init__(self, tokens: frozenset[bytes] | frozenset[str], ascii: bool) -> None:
        self.tokens, self.ascii = tokens, ascii
        self._strings: frozenset[str] | None = None

    def has(self, name: str) -> bool:
        return (name.encode() if self.ascii else name) in self.tokens

    def strings(self) -> frozenset[str]:
        if self._strings is None:
            self._strings = frozenset(t.decode() if isinstance(t, bytes) else t for t in self.tokens)
        return self._strings


class Bodies:
    """The decision for one module's function bodies, from its source ``lines``."""

    def __init__(self, lines: Sequence[str], index: Index) -> None:
        self.lines = lines
        self.index = index
        self.identifiers = index.prefilter.identifiers
        words = self.identifiers | _SPECIAL
        self._words = words
        self._ascii = all(w.isascii() for w in words)
        self._bytes = frozenset(w.encode() for w in words) if self._ascii else frozenset()
        self._reaches: dict[str, bool] = {}
        self._skipped: list[tuple[_Spelled, bool, list[ClassInfo]]] = []
        self._module_names: frozenset[bytes] = frozenset()
        self._module_size = -1

    def may_use(self, scopes: Scopes, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """Whether the body of ``node`` can hold a use, its parameters bound in ``scopes.scope``."""
        end = node.end_lineno or node.lineno
        if end - node.lineno < _MIN_LINES:
            return True  # walked in less time than the question takes
        text = "".join(self.lines[node.lineno - 1:end])
        words = self._spelled(text)
        if words is None:
            return True
        nested = _nested_def(text)
        classes: list[ClassInfo] = []
        for name in self._visible(scopes, words):
            for binding in scopes.lookup(name):
                if binding.kind in ("self", "class") and binding.owner is not None:
                    if self._rich(binding.owner, words, nested, 0):
                        return True
                    classes.append(binding.owner)
                elif not self._inert(binding, nested):
                    return True
        if classes and _STORE.search(text):
            return True
        if classes:
            self._skipped.append((words, nested, classes))
        return False

    def unsafe(self) -> bool:
        """Whether a skipped body may reach a use through what a class holds now."""
        return any(self._rich(info, words, nested, 0) for words, nested, classes in self._skipped for info in classes)

    def _spelled(self, text: str) -> _Spelled | None:
        """The words of ``text``; None when one of them can be a use by itself."""
        if self._ascii and text.isascii():
            split = text.encode().translate(_TOKENS).split()
            # isdisjoint stops at the first word found: most bodies that hold a use spell one early.
            return None if not self._bytes.isdisjoint(split) else _Spelled(frozenset(split), True)
        words = frozenset(_WORDS.findall(text))
        return None if not words.isdisjoint(self._words) else _Spelled(words, False)

    def _visible(self, scopes: Scopes, words: _Spelled) -> list[str]:
        """The words that name something in the scopes the body sees (its parameters included)."""
        module = scopes.module_scope
        found: set[str] = set()
        scope: Scope | None = scopes.scope
        while scope is not None and scope is not module:
            if scope.kind != "class" or scope is scopes.scope:  # a class body is not seen from its methods
                found.update(name for name in scope.names if words.has(name))
            scope = scope.parent
        if not words.ascii:
            found.update(name for name in words.tokens if isinstance(name, str) and name in module.names)
            return sorted(found)
        if len(module.names) != self._module_size:  # only grows: a module name bound through `global`
            self._module_names = frozenset(name.encode() for name in module.names)
            self._module_size = len(module.names)
        found.update(token.decode() for token in self._module_names.intersection(words.tokens))
        return sorted(found)

    def _inert(self, binding: Binding, nested: bool) -> bool:
        """Whether a binding the body can see cannot lead to a use by what the body spells."""
        kind = binding.kind
        if kind == "name":
            # A nested function's annotation makes an instance of the path (and its definition).
            return self.identifiers.isdisjoint(binding.dotted.split(".")) and not nested
        if kind == "call":
            return self.identifiers.isdisjoint(binding.dotted.split("."))
        if kind == "const":
            return _DOTTED_LIKE.fullmatch(binding.dotted) is None
        if kind == "instance":
            return not self._instance_reaches(binding.dotted)
        return False  # another kind: assume it can

    def _instance_reaches(self, dotted: str) -> bool:
        """Whether an instance of ``dotted`` is one of a class reaching a target (see ``Visitor._through``)."""
        found = self._reaches.get(dotted)
        if found is None:
            index = self.index
            definition = index.definition(dotted)
            cls = definition.path if definition is not None and definition.kind == "class" else dotted
            found = self._reaches[dotted] = index.resolve(cls) is not None
        return found

    def _rich(self, info: ClassInfo, words: _Spelled, nested: bool, depth: int) -> bool:
        """Whether ``self.attr`` or ``Class.attr`` spelled by ``words`` may reach a target through ``info``."""
        if depth > _MAX_DEPTH:
            return True
        for table in (info.names, info.attrs):
            for attr in words.strings().intersection(table):
                for binding in table[attr]:
                    if binding.kind in ("self", "class") and binding.owner is not None:
                        if self._rich(binding.owner, words, nested, depth + 1):
                            return True
                    elif not self._inert(binding, nested):
                        return True
        if any(not self.identifiers.isdisjoint(base.split(".")) for base in info.bases):
            return True
        return any(self._rich(parent, words, nested, depth + 1) for parent in info.parents)


def _nested_def(text: str) -> bool:
    """Whether ``text``, a function's, spells ``def`` past its own (a nested function, or the
    word in a string or comment)."""
    at = text.find("def", text.find("def") + 3)
    while at >= 0:
        before, after = text[at - 1:at], text[at + 3:at + 4]
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        at = text.find("def", at + 3)
    return False
