"""What the code itself declares deprecated, read from source (never imported).

A declaration is a definition whose own code says it is deprecated: a function or method
whose body (not a nested def) calls ``warnings.warn`` with a deprecation category, a class
doing so in ``__init__``/``__new__``/``__init_subclass__``, a module doing so at top level,
a module ``__getattr__`` doing so for one name, a function doing so only when a parameter
is passed (a deprecated argument), and the ``@deprecated`` decorators (PEP 702's, the
``deprecated`` and ``deprecation`` packages'). Each file is scanned on its own (in parallel,
cached by its stat); which categories are deprecation warnings and what the
replacement a message names resolves to are answered afterwards, with the project's index.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import dataclasses
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flake8_ssot import __version__, cache, conditions, records, warners
from flake8_ssot.config import is_dotted_name
from flake8_ssot.deprecation_text import render, replacement_named, source
from flake8_ssot.index import Index, parse_source
from flake8_ssot.model import Config
from flake8_ssot.paths import iter_python_files, module_name
from flake8_ssot.pool import fork_map
from flake8_ssot.prefilter import Prefilter
from flake8_ssot.summary import dotted, import_bindings

DECLARATIONS_CACHE = "declarations.json"
_CACHE_FORMAT = 5
# Every declaration spells one of these words: `warn` (warnings.warn, a `from warnings
# import warn`), `deprecated` (a decorator) or `_deprecated` (the standard library's helper).
# Files spelling none of them are never parsed.
WORDS = ("warn", "deprecated", "_deprecated")
_BUILTINS = frozenset(dir(builtins))
CATEGORIES = frozenset(
    {"builtins.DeprecationWarning", "builtins.PendingDeprecationWarning", "builtins.FutureWarning"}
)
WARN = "warnings.warn"
_STDLIB_DEPRECATED = "warnings._deprecated"
DECORATORS = frozenset({
    "warnings.deprecated",
    "typing_extensions.deprecated",
    "deprecated.deprecated",
    "deprecated.classic.deprecated",
    "deprecated.sphinx.deprecated",
    "deprecation.deprecated",
})
_DEPRECATED_MSG = "{name!r} is deprecated and slated for removal in Python {remove}"
"""The message of ``warnings._deprecated`` (the standard library's own helper) by default."""
_MESSAGE_KEYWORDS = ("message", "msg", "reason", "details")
_CLASS_WITH_BASES = re.compile(rb"^[ \t]*class[ \t]+(\w+)[ \t]*\(", re.MULTILINE)
_INHERITED = "@"
"""Marks a candidate that resolves only if its class or a base defines the attribute."""
_INIT_METHODS = frozenset({"__init__", "__new__", "__init_subclass__"})
_PARALLEL_MIN = 64
_READINGS = 8
_MAX_ROUNDS = 8
_MAX_BASES = 32
KINDS = ("module", "class", "function", "method", "name", "argument", "positional", "keywords")
"""``name``: a name a module ``__getattr__`` warns about; ``argument``: ``f(param)`` (also a
known key of ``**kwargs``); ``positional``: ``f(*)``, passing arguments by position;
``keywords``: ``f(**)``, passing keywords its ``**kwargs`` takes (both listed, not enforced:
no rule says them)."""

Raw = list[Any]
"""A declaration as one file shows it: [name, kind, line, category, message, named, candidates].

``category`` is the qualified warning class ("" for a decorator that names none),
``named`` the replacement as the message spells it ("" for none), ``candidates`` the
dotted names that spelling may mean, most likely first."""


@dataclass(frozen=True)
class Declaration:
    name: str
    """Dotted name; ``module.func(param)`` for a deprecated argument."""
    kind: str
    path: str
    """Root-relative POSIX path of the defining file."""
    line: int
    message: str
    replacement: str | None = None
    """The dotted name the message's replacement resolves to, if it does."""
    named: str = ""
    """The replacement as the message spells it ("" when it names none)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "kind": self.kind, "path": self.path, "line": self.line,
            "message": self.message, "replacement": self.replacement, "named": self.named or None,
        }


# -- one file --------------------------------------------------------------------------------


def scan_source(
    data: bytes | str, module: str, is_package: bool, relpath: str = "<unknown>", words: Iterable[str] = (),
) -> dict[str, Any]:
    """What one file shows: its declarations (``d``) and the facts about its own deprecation
    helpers and decorators (see :mod:`flake8_ssot.warners`), calls of the functions named
    ``words`` among them; nothing for text that does not parse."""
    tree = parse_source(data, relpath)[0]
    if tree is None:
        return warners.empty()
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    try:
        return _FileScan(tree, module, is_package, text, frozenset(words)).run()
    except RecursionError:
        return warners.empty()


class _FileScan:
    def __init__(self, tree: ast.Module, module: str, is_package: bool, text: str | None = None,
                 words: frozenset[str] = frozenset()) -> None:
        self.tree = tree
        self.module = module
        self.words = words
        """Last components of the project's deprecation helpers and decorators: their calls matter."""
        self.facts: dict[str, warners.Facts] = {}
        self.sites: list[warners.Site] = []
        self.applied: list[warners.Applied] = []
        self.names = _bound_names(tree, module, is_package)
        """Local name -> the dotted name it refers to (see :func:`_bound_names`)."""
        self.unbound_warnings = "warnings.warn" in (text or "warnings.warn") and _unbound_warnings(tree, self.names)
        self.tables: dict[str, dict[str, ast.expr]] = {
            name: {k.value: v for k, v in zip(value.keys, value.values)
                   if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            for name, value in _top_assignments(self.tree) if isinstance(value, ast.Dict)
        }
        """Module-level dict displays: the table a ``__getattr__`` shim looks names up in."""
        self.constants: dict[str, ast.expr] = {
            stmt.targets[0].id: stmt.value for stmt in tree.body
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
        }
        """Module-level assignments: a message kept in a constant (``DEPRECATION_MSG = "..."``)."""
        self.found: list[Raw] = []
        self.lines = _warn_lines(text, self.names, words)
        """Lines that may start a ``warn(`` call (None: any line may); scopes without one are
        not walked, which is most of the work in a large file."""

    def _may_warn(self, body: list[ast.stmt]) -> bool:
        if self.lines is None or not body:
            return self.lines is None
        first, last = body[0].lineno, body[-1].end_lineno or 1 << 30
        at = bisect.bisect_left(self.lines, first)
        return at < len(self.lines) and self.lines[at] <= last

    def qualify(self, node: ast.expr) -> str | None:
        chain = dotted(node)
        if not chain:
            return None
        head, rest = chain[0], chain[1:]
        if head in self.names:
            return ".".join([self.names[head], *rest])
        if head == "warnings" and self.unbound_warnings:
            return ".".join(chain)
        if head in _BUILTINS:
            return ".".join(["builtins", *chain])
        return None

    def run(self) -> dict[str, Any]:
        self._scope(self.tree.body, self.module, "module", None, conditions.Params())
        for stmt in conditions.definitions(self.tree.body):
            self._definition(stmt, self.module, None)
        return {"d": self.found, "f": self.facts, "s": self.sites, "a": self.applied}

    def _definition(self, node: ast.stmt, owner: str, cls: str | None) -> None:
        """A def or class at module level or in a class body (reachable by a dotted name)."""
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        name = f"{owner}.{node.name}"
        if isinstance(node, ast.ClassDef):
            self._decorated(node, name, "class", None)
            for stmt in conditions.definitions(node.body):
                self._definition(stmt, name, name)
            return
        self._decorated(node, name, "method" if cls else "function", cls)
        params = conditions.params_of(node, method=cls is not None)
        if cls is None:
            # A method is called through an instance (`self.warn_about(...)`), which no
            # dotted name reaches: only module-level functions can be helpers.
            self._facts(node, name, params)
        if cls is not None and node.name in _INIT_METHODS:
            self._scope(node.body, cls, "class", cls, params, node)
        elif cls is None and node.name == "__getattr__":
            self._getattr(node)
        else:
            self._scope(node.body, name, "method" if cls else "function", cls, params, node)

    def _decorated(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, name: str, kind: str,
                   cls: str | None) -> None:
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            callee = self.qualify(call.func if call else decorator)
            if callee is not None and callee not in DECORATORS and _maybe_warner(callee, self.words):
                args, kwargs = self._arguments(call, {}, cls) if call else ([], {})
                self.applied.append([callee, name, kind, decorator.lineno, args, kwargs])
            if callee not in DECORATORS:
                continue
            # Deprecated whatever category it warns with at runtime (PEP 702: even none).
            message = None
            if call is not None:
                message = call.args[0] if call.args else conditions.keyword(call, *_MESSAGE_KEYWORDS)
            self._add(name, kind, decorator.lineno, "", self._message(message, {}), cls)
            return

    def _getattr(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """A module ``__getattr__`` warning for the names its conditions compare its argument
        with: ``if name == "x": warn(...)``, after a guard ``if name != "x": raise ...``, or
        for every key of the table a guard ``if name not in TABLE: raise ...`` looks it up in."""
        params = conditions.params_of(node).named
        if not params or not self._may_warn(node.body):
            return
        param = params[0]
        guarded = [
            name for stmt in node.body if isinstance(stmt, ast.If) and stmt.body
            and isinstance(stmt.body[-1], (ast.Raise, ast.Return))
            for name in conditions.compared_names(stmt.test, param, negated=True, tables=self.tables)
        ]
        table = conditions.guard_table(node, self.tables)
        unpacked = _unpacked(node, param)
        for call, conds, assigned in conditions.calls(node.body):
            if any(test is conditions.FAILED for test, _ in conds):
                continue
            names = [n for test, positive in conds if positive
                     for n in conditions.compared_names(test, param, tables=self.tables)]
            warned = self._warned(call, assigned, node)
            callee = self.qualify(call.func) if warned is None else None
            if warned is None and (callee is None or not _maybe_warner(callee, self.words)):
                continue
            for compared in names or (guarded if not conds else []):
                env = {param: compared, **_row(table.get(compared), unpacked)}
                named = _table_replacement(table.get(compared))
                if warned is not None:
                    # f"{name} is deprecated" reads as the name it is about.
                    message = _substitute(warned[1], env)
                    if named:
                        self.found.append([f"{self.module}.{compared}", "name", call.lineno, warned[0], message,
                                           named, self._candidates(named, False, None)])
                    else:
                        self._add(f"{self.module}.{compared}", "name", call.lineno, warned[0], message, None)
                    continue
                assert callee is not None
                args, kwargs = self._arguments(call, assigned, None, env)
                candidates = self._argument_candidates(args, kwargs, None)
                if named:
                    candidates[named] = self._candidates(named, False, None)
                self.sites.append([callee, f"{self.module}.{compared}", "name", call.lineno, args, kwargs,
                                   candidates, False, None, named or None])

    def _scope(self, body: list[ast.stmt], name: str, kind: str, cls: str | None, params: conditions.Params,
               fn: ast.FunctionDef | ast.AsyncFunctionDef | None = None) -> None:
        if not self._may_warn(body):
            return
        for call, conds, assigned in conditions.calls(body):
            passed = [conditions.passed(test, positive, params) for test, positive in conds]
            param = next((p for p in passed if p), None)
            if any(test is conditions.FAILED for test, _ in conds) or not all(
                p is not None and p == param or conditions.own_class(test, cls)
                or conditions.setting_only(test, fn, self.names, self.module)
                or param is not None and conditions.on_the_argument(test, positive, param, params)
                for p, (test, positive) in zip(passed, conds)
            ):
                # A fallback when something failed, or under a condition on the call (`if inplace:
                # ... if not self._is_view: warn`): a way of using the API (or the argument), not the API.
                callee = self.qualify(call.func)
                if callee is not None and callee != WARN and _maybe_warner(callee, self.words):
                    # Declares nothing, but shows the callee is a helper: not an API of its own.
                    self.sites.append([callee, name, kind, call.lineno, [], {}, {}, True, _qualname(name, fn, cls),
                                       None])
                continue
            apis = [(f"{name}({param})", "argument")] if param is not None else [(name, kind)]
            if param == conditions.ANY_POSITIONAL:
                apis = [(f"{name}(*)", "positional")]
            elif param == conditions.ANY_KEYWORD:
                assert params.kwargs is not None
                guards = [s.test for s in conditions.statements(fn.body) if isinstance(s, ast.If)] if fn else []
                keys = conditions.keys_checked([*(test for test, _ in conds), *guards], params.kwargs, fn)
                apis = [(f"{name}({key})", "argument") for key in keys] or [(f"{name}(**)", "keywords")]
            api, api_kind = apis[0]
            warned = self._warned(call, assigned, fn)
            if warned is not None and api_kind == "argument" and param is not None and (
                "warn" in param.lower() or _placeholders(warned[1]) & (set(params.named) - {param})
            ):
                # `if warn:` is a flag asking for the warning; a message showing another
                # parameter (`in {method_name}`) is about the caller: neither deprecates the argument.
                continue
            if warned is not None:
                for api, api_kind in apis:
                    self._add(api, api_kind, call.lineno, warned[0], warned[1], cls)
                continue
            callee = self.qualify(call.func)
            if callee is not None and _maybe_warner(callee, self.words):
                args, kwargs = self._arguments(call, assigned, cls)
                self.sites.append([callee, api, api_kind, call.lineno, args, kwargs,
                                   self._argument_candidates(args, kwargs, cls),
                                   fn is not None and _mentions(call, params), _qualname(name, fn, cls), None])

    def _arguments(self, call: ast.Call, assigned: dict[str, ast.expr], cls: str | None,
                   env: dict[str, str] | None = None) -> tuple[list[str | None], dict[str, str]]:
        """A call's arguments as messages show them (None from a ``*args`` on: unknown)."""
        def shown(node: ast.expr) -> str:
            return _substitute(_class_named(self._message(node, assigned), cls), env)

        args: list[str | None] = []
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                args.append(None)
                break
            args.append(shown(arg))
        return args, {k.arg: shown(k.value) for k in call.keywords if k.arg}

    def _argument_candidates(self, args: list[str | None], kwargs: dict[str, str],
                             cls: str | None) -> dict[str, list[str]]:
        """For each argument spelling a dotted name: what it may mean in this file."""
        return {
            value: self._candidates(value, False, cls) for value in [*args, *kwargs.values()]
            if value and is_dotted_name(value)
        }

    def _facts(self, node: ast.FunctionDef | ast.AsyncFunctionDef, name: str, params: conditions.Params) -> None:
        """What makes a function a deprecation helper or decorator: the warnings it gives
        (``w``), the calls of known helpers it makes (``c``), both inside its nested defs (``n``)."""
        if not self._may_warn(node.body):
            return
        own: list[list[Any]] = []
        calls: list[list[Any]] = []
        for call, conds, assigned in conditions.calls(node.body):
            if any(test is conditions.FAILED for test, _ in conds):
                continue
            warned = self._warned(call, assigned, node)
            if warned is not None and conds:
                continue  # a warning under a condition is about a way of calling it, not its caller
            if warned is not None:
                templates = _templates(_raw_message(call, warned[1], node), node, call.lineno)
                stack = conditions.keyword(call, "stacklevel")
                deep = isinstance(stack, ast.Constant) and isinstance(stack.value, int) and stack.value >= 3
                own.append([warned[0], templates, deep or bool(_placeholders(templates[0]) & set(params.named)), deep])
                continue
            callee = self.qualify(call.func)
            if callee is not None and _maybe_warner(callee, self.words):
                args, kwargs = self._arguments(call, assigned, None)
                calls.append([callee, args, kwargs, not conds and _mentions(call, params)])
        nested: list[list[Any]] = []
        for inner in ast.walk(node):
            if inner is node or not isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for call, _, assigned in conditions.calls(inner.body):
                warned = self._warned(call, assigned, node)
                if warned is not None:
                    readings = _templates(_raw_message(call, warned[1], inner), inner, call.lineno)
                    nested.append(["w", warned[0], readings, inner.name])
                else:
                    callee = self.qualify(call.func)
                    if callee is not None and _maybe_warner(callee, self.words):
                        nested.append(["c", callee, [], inner.name])
        if own or calls or nested:
            a = node.args
            self.facts[name] = {"p": [p.arg for p in [*a.posonlyargs, *a.args]], "k": [p.arg for p in a.kwonlyargs],
                                "w": own, "c": calls, "n": nested}

    def _warned(self, call: ast.Call, assigned: dict[str, ast.expr],
                fn: ast.FunctionDef | ast.AsyncFunctionDef | None = None) -> tuple[str, str] | None:
        """(category, message) of a ``warnings.warn`` call naming a category (or of the standard
        library's own ``warnings._deprecated``); None for any other call."""
        callee = self.qualify(call.func)
        if callee == _STDLIB_DEPRECATED:
            name = call.args[0] if call.args else conditions.keyword(call, "name")
            message = call.args[1] if len(call.args) > 1 else conditions.keyword(call, "message")
            remove = conditions.keyword(call, "remove")
            text = self._message(message, assigned) if message is not None else _DEPRECATED_MSG
            shown = self._message(name, assigned) if name is not None else "{name}"
            parts = remove.elts[:2] if isinstance(remove, ast.Tuple) else []
            if parts and all(isinstance(e, ast.Constant) for e in parts):
                text = text.replace("{remove}", ".".join(source(e) for e in parts))
            return "builtins.DeprecationWarning", text.replace("{name!r}", repr(shown)).replace("{name}", shown)
        if callee != WARN:
            return None
        message = call.args[0] if call.args else conditions.keyword(call, "message")
        category = call.args[1] if len(call.args) > 1 else conditions.keyword(call, "category")
        if category is None and isinstance(message, ast.Call):
            # warn(DeprecationWarning("...")): the instance's class is the category.
            category, message = message.func, (message.args[0] if message.args else None)
        if category is None:
            return None  # a UserWarning
        qualified = self.qualify(category) if not (
            fn is not None and isinstance(category, ast.Name) and category.id in conditions.names_bound(fn)
        ) else _variable_category(category.id, fn, self.qualify)
        return (qualified, self._message(message, assigned)) if qualified else None

    def _message(self, node: ast.expr | None, assigned: dict[str, ast.expr]) -> str:
        if isinstance(node, ast.Name) and node.id in assigned:
            node = assigned[node.id]
        elif isinstance(node, ast.Name) and node.id in self.constants:
            node = self.constants[node.id]
        return "" if node is None else render(node).replace("{__name__}", self.module)

    def _add(self, name: str, kind: str, line: int, category: str, message: str, cls: str | None) -> None:
        named, from_import = replacement_named(message)
        self.found.append([name, kind, line, category, message, named, self._candidates(named, from_import, cls)])

    def _candidates(self, named: str, from_import: bool, cls: str | None) -> list[str]:
        return _candidates(named, from_import, cls, self.names, self.module)


def _candidates(named: str, from_import: bool, cls: str | None, names: dict[str, str], module: str) -> list[str]:
    """The dotted names a replacement's spelling may mean in a module, most likely first."""
    if not named:
        return []
    if from_import:
        return [named]
    head, _, rest = named.partition(".")
    # In a method, a bare name is most likely a sibling (`use warning()` in Logger.warn).
    found = [f"{cls}.{named}"] if cls is not None else []
    if head in names:
        found.append(".".join(filter(None, [names[head], rest])))
    found += [f"{module}.{named}", named]
    if cls is not None and head not in names and head[:1].isupper() and rest and "." not in rest:
        # `use Sub.meth()` naming a class this file cannot see: if the project's `Sub` derives
        # from the warning's own class, `meth` is what it or a base defines.
        found.append(f"{_INHERITED}{head}{_INHERITED}{cls}.{rest}")
    return list(dict.fromkeys(found))


def _bound_names(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    """Local name -> the dotted name it refers to: what the module's own top-level statements
    bind last (a class defined after an import of its name is the class, as Python has it when
    a function runs), then imports anywhere else in the file (a function's `import warnings` is
    as good as the module's; an `except ImportError:` fallback does not replace the import)."""
    names: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[stmt.name] = f"{module}.{stmt.name}"
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names.update(import_bindings(stmt, module, is_package))
    for node in conditions.statements(tree.body):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for local, target in import_bindings(node, module, is_package).items():
                names.setdefault(local, target)
    return names


def _unbound_warnings(tree: ast.Module, names: dict[str, str]) -> bool:
    """The module never binds ``warnings``: a ``warnings.warn`` in it still means the standard
    one (the intent is clear; it fails when run, as the author will find out)."""
    return "warnings" not in names and not any(
        isinstance(n, ast.Name) and n.id == "warnings" and isinstance(n.ctx, ast.Store) for n in ast.walk(tree)
    )


def _warn_lines(text: str | None, names: dict[str, str], words: frozenset[str]) -> list[int] | None:
    """Lines that may start a call of ``warn`` or a helper (None: any line may)."""
    if text is None or ("\r" in text and "\n" not in text):
        return None  # old Mac line ends: the tree counts lines differently
    callees = {"warn", "_deprecated", *words} | {
        local for local, target in names.items()
        if target in (WARN, _STDLIB_DEPRECATED) or target.rpartition(".")[2] in words
    }
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, sorted(callees))) + r")\s*\(")
    starts = {m.start() for m in pattern.finditer(text)} | set(_helper_like_calls(text))
    return [text.count("\n", 0, start) + 1 for start in sorted(starts)]


def _top_assignments(tree: ast.Module) -> Iterator[tuple[str, ast.expr]]:
    """Module-level ``name = value`` (annotated or not)."""
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            yield stmt.targets[0].id, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            yield stmt.target.id, stmt.value


def _raw_message(call: ast.Call, shown: str, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """A warning's message kept in a local variable, as the variable (its branches are read
    by :func:`_templates`); any other as shown."""
    node = call.args[0] if call.args else conditions.keyword(call, "message")
    return render(node) if isinstance(node, ast.Name) and node.id in conditions.local_assignments(fn) else shown


def _templates(message: str, fn: ast.FunctionDef | ast.AsyncFunctionDef, line: int, depth: int = 0) -> list[str]:
    """A message with the local variables it shows spelled out, down to the parameters: one
    reading per branch that sets them, the one that says the most first (``use {canonical}``)."""
    if depth > 4:
        return [message]
    assigns = conditions.local_assignments(fn)
    readings, pos = [""], 0
    for m in re.finditer(r"\{([A-Za-z_]\w*)\}", message):
        before = [(ln, value) for ln, value in assigns.get(m.group(1), ()) if ln < line]
        options = [t for ln, value in reversed(before) for t in _templates(render(value), fn, ln, depth + 1)]
        readings = [r + message[pos:m.start()] + o for r in readings for o in options or [m.group(0)]][:_READINGS]
        pos = m.end()
    found = dict.fromkeys(r + message[pos:] for r in readings)
    return sorted(found, key=lambda t: (-len(_placeholders(t)), -len(t)))


def _variable_category(name: str, fn: ast.FunctionDef | ast.AsyncFunctionDef,
                       qualify: Callable[[ast.expr], str | None]) -> str | None:
    """The classes a local variable or parameter holding the category ever takes, as
    ``A|B`` (all must be deprecation categories): its assignments, a parameter's default."""
    values = [value for _, value in conditions.local_assignments(fn).get(name, ())]
    a = fn.args
    positional = [*a.posonlyargs, *a.args]
    defaults = dict(zip([p.arg for p in positional[len(positional) - len(a.defaults):]], a.defaults))
    defaults.update({p.arg: d for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
    if name in defaults:
        values.append(defaults[name])
    qualified = [qualify(v) for v in values]
    if not qualified or None in qualified:
        return None
    return "|".join(sorted({q for q in qualified if q}))


def _class_named(text: str, cls: str | None) -> str:
    """``{self.__class__.__name__}`` in a method's message is its class's name."""
    if cls is not None:
        short = cls.rpartition(".")[2]
        for spelled in ("self.__class__.__name__", "type(self).__name__", "cls.__name__"):
            text = text.replace("{" + spelled + "}", short)
    return text


def _unpacked(fn: ast.FunctionDef | ast.AsyncFunctionDef, param: str) -> dict[str, int]:
    """Variables a ``__getattr__`` unpacks from its table's row: ``obj, new, _ = TABLE[name]``."""
    found: dict[str, int] = {}
    rows = {
        stmt.targets[0].id for stmt in conditions.statements(fn.body)
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
        and isinstance(stmt.value, ast.Subscript) and isinstance(stmt.value.slice, ast.Name)
        and stmt.value.slice.id == param
    }
    for stmt in conditions.statements(fn.body):
        value = stmt.value if isinstance(stmt, ast.Assign) else None
        if (isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) and value.value.id in rows
                and isinstance(value.slice, ast.Slice) and value.slice.lower is None):
            value = value.value  # `info[:2]`: the row's first items
        row = isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Name) and value.slice.id == param \
            or isinstance(value, ast.Name) and value.id in rows
        if row and isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Tuple):
            for i, target in enumerate(stmt.targets[0].elts):
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, i)
    return found


def _row(value: ast.expr | None, unpacked: dict[str, int]) -> dict[str, str]:
    if not isinstance(value, ast.Tuple):
        return {}
    return {name: render(value.elts[i]) for name, i in unpacked.items() if i < len(value.elts)}


def _table_replacement(value: ast.expr | None) -> str:
    """The dotted name a shim table's row names as the replacement (``(obj, "hashlib.md5")``)."""
    elements = value.elts if isinstance(value, ast.Tuple) else [value] if value is not None else []
    return next((e.value for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str)
                 and e.value and is_dotted_name(e.value)), "")


_HELPER_LIKE = re.compile(r"(?!warning\b)\w*(?:[Ww][Aa][Rr][Nn]|[Dd][Ee][Pp][Rr][Ee][Cc][Aa][Tt])\w*")
"""What most helpers and decorators are called: their calls are recorded before any is known,
so that learning one such name does not mean parsing every file calling it again (a logger's
``warning`` aside: it is everywhere)."""


_HELPER_HINT = re.compile(r"(?i)warn|deprecat")
_CALLED = re.compile(r"\w*\s*\(")


def _helper_like_calls(text: str) -> Iterator[int]:
    """Where a call of a name like a helper's starts (found from the rare word, not by trying
    a pattern at every identifier)."""
    for m in _HELPER_HINT.finditer(text):
        start = m.start()
        while start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        called = _CALLED.match(text, m.end())
        if called is not None and _HELPER_LIKE.fullmatch(text[start:called.end()].rstrip("( \t")):
            yield start


def _maybe_warner(callee: str, words: frozenset[str]) -> bool:
    """A callee that may be the project's own deprecation helper or decorator."""
    last = callee.rpartition(".")[2]
    return last in words or _HELPER_LIKE.fullmatch(last) is not None


def _mentions(call: ast.Call, params: conditions.Params) -> bool:
    """Whether a call passes on something of its function's parameters (then the function is a
    helper too, not the API the warning is about)."""
    own = {*params.named, *([params.kwargs] if params.kwargs else [])}
    return any(isinstance(n, ast.Name) and n.id in own
               for arg in [*call.args, *(k.value for k in call.keywords)] for n in ast.walk(arg))


_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)[^{}]*\}")


def _placeholders(text: str) -> set[str]:
    """The names whose values a rendered message shows (``{name}``, ``{f.__name__}``)."""
    return set(_PLACEHOLDER.findall(text))


def _substitute(text: str, env: dict[str, str] | None) -> str:
    if not env:
        return text
    return re.sub(r"\{([A-Za-z_]\w*)\}", lambda m: env.get(m.group(1), m.group(0)), text)


def _qualname(name: str, fn: ast.FunctionDef | ast.AsyncFunctionDef | None, cls: str | None) -> str | None:
    """The dotted name of the function a call sits in (None at module level)."""
    if fn is None:
        return None
    return f"{cls}.{fn.name}" if cls is not None and fn.name in _INIT_METHODS else name


# -- the project -----------------------------------------------------------------------------


def _wanted(data: bytes | None, prefilter: Prefilter) -> bool:
    return data is not None and prefilter.matches_bytes(data)


def scan(
    config: Config, paths: Sequence[str] | None = None, jobs: int | None = None, unreadable: set[str] | None = None,
    *, trust: bool = False,
) -> list[Declaration]:
    """The declarations of every file under ``paths`` (default: the project), resolved.

    ``.py`` entries that cannot be read (and named paths that do not exist) are added to
    ``unreadable``. Per-file results are cached by stat (see :data:`flake8_ssot.cache.Stat`) when the configuration
    allows a cache; a full run whose files are all unchanged reuses the resolved list too.

    ``trust`` (a run linting named files only: an editor, a pre-commit hook) reuses the last
    full run's list without walking the project while git has not changed the working tree
    and no file that declared something changed, as the index trusts its cache for such runs
    (see :meth:`flake8_ssot.index.Index.refresh`): a declaration added elsewhere since is
    enforced from the next full run on.
    """
    root = config.root
    key = [_CACHE_FORMAT, __version__, cache.code_stamp(), list(config.src), list(config.exclude)]
    stored = cache.load(root, DECLARATIONS_CACHE, key) if config.cache else None
    stamp = cache.vcs_stamp(root) if config.cache and not paths else None
    if trust and not paths and stored is not None:
        trusted = _trusted(root, stored, stamp)
        if trusted is not None:
            return trusted
    files = {
        rel: cache.stamp(st)
        for rel, st in iter_python_files(root, [os.path.abspath(p) for p in paths] if paths else None,
                                         config.exclude, unreadable=unreadable)
    }
    table: dict[str, list[Any]] = {}
    if stored is not None and isinstance(stored.get("files"), dict):
        table = {rel: entry for rel, entry in stored["files"].items() if _valid_entry(entry)}
    whole = not paths
    if whole and stored is not None and _same(table, files) and isinstance(stored.get("resolved"), list):
        try:
            found = [Declaration(**d) for d in stored["resolved"]]
        except TypeError:
            pass  # a damaged entry: resolve again
        else:
            if stored.get("stamp") != stamp:
                cache.save(root, DECLARATIONS_CACHE, key, {**stored, "key": key, "stamp": stamp})
            return found
    todo = sorted(rel for rel, st in files.items() if rel not in table or tuple(table[rel][:4]) != st)
    words = frozenset(stored.get("words", ())) if stored is not None and isinstance(stored.get("words"), list) \
        else frozenset()

    prefilter = Prefilter((*WORDS, *sorted(words)))

    def one(rel: str) -> dict[str, Any] | None:
        data = cache.read_source(os.path.join(root, rel))
        if data is None or not _wanted(data, prefilter):
            return None
        return scan_source(data, module_name(rel, root, config.src), rel.endswith("__init__.py"), rel, words)

    def again(rel: str) -> tuple[bool, dict[str, Any] | None]:
        """A file read with fewer helper names: read again if it spells one of the new ones (a
        file already parsed, only one named unlike a helper: the others' calls are in its scan)."""
        data = cache.read_source(os.path.join(root, rel))
        wanted = spelled if table[rel][4] is None else spelled_unlike
        if data is None or wanted is None or not wanted.matches_bytes(data):
            return False, None
        return True, scan_source(data, module_name(rel, root, config.src), rel.endswith("__init__.py"), rel, words)

    for rel, raw in zip(todo, fork_map(one, todo, jobs, _PARALLEL_MIN)):
        table[rel] = [*files[rel], raw, sorted(words)]
    now = time.time_ns()  # after every read
    for rel in todo:
        # Read within a timestamp tick of a change: the next run reads it again.
        table[rel][:4] = cache.settled(files[rel], now) or cache.UNSETTLED
    resolver = _Resolver(config, sorted(files) if whole else None)
    for _ in range(_MAX_ROUNDS):
        # The helpers' names decide which files must be read: until they settle.
        warners_now = resolver.find_warners(table[rel][4] for rel in sorted(files))
        words = frozenset(warners_now.words())
        stale = [rel for rel in sorted(files) if not words <= set(table[rel][5])]
        if not stale:
            break
        new = words - set.intersection(*(set(table[rel][5]) for rel in stale))
        unlike = sorted(w for w in new if not _HELPER_LIKE.fullmatch(w))
        spelled, spelled_unlike = Prefilter(sorted(new)), Prefilter(unlike) if unlike else None
        for rel, (read, raw) in zip(stale, fork_map(again, stale, jobs, _PARALLEL_MIN)):
            if read:
                table[rel][4] = raw
            table[rel][5] = sorted(words)
    found = resolver.resolve([(rel, table[rel][4]) for rel in sorted(files) if table[rel][4]], warners_now)
    if config.cache:
        if whole:
            table = {rel: table[rel] for rel in files}
        data: dict[str, Any] = {"files": dict(sorted(table.items())), "words": sorted(words)}
        if whole:
            data["resolved"] = [dataclasses.asdict(d) for d in found]
            data["stamp"] = stamp
        if stored is None or todo or stored.get("words") != data["words"] or whole and (
            stored.get("resolved"), stored.get("stamp")
        ) != (data["resolved"], stamp):
            cache.save(root, DECLARATIONS_CACHE, key, data)
    return found


def _trusted(root: Path, stored: dict[str, Any], stamp: object) -> list[Declaration] | None:
    """The stored list, if git has not changed the tree and no declaring file changed since."""
    files, resolved = stored.get("files"), stored.get("resolved")
    # Outside git there is no stamp: trusted as the index trusts its cache then too.
    if stored.get("stamp", ()) != stamp or not isinstance(files, dict) or not isinstance(resolved, list):
        return None
    for rel, entry in files.items():
        if _valid_entry(entry) and _declares(entry[4]) and cache.stat_of(os.path.join(root, rel)) != tuple(entry[:4]):
            return None
    try:
        return [Declaration(**d) for d in resolved]
    except TypeError:
        return None


def _valid_entry(entry: object) -> bool:
    return (isinstance(entry, list) and len(entry) == 6 and all(type(v) is int for v in entry[:4])
            and (entry[4] is None or isinstance(entry[4], dict) and set(entry[4]) == set(warners.empty()))
            and isinstance(entry[5], list))


def _declares(data: dict[str, Any] | None) -> bool:
    """Whether a file's scan found anything (a change to it may change what is declared)."""
    return data is not None and any(data.values())


def _same(table: dict[str, list[Any]], files: dict[str, cache.Stat]) -> bool:
    return len(table) == len(files) and all(tuple(table.get(rel, ())[:4]) == st for rel, st in files.items())


class _Resolver:
    """Answers, with the project's index, what the files' raw findings mean."""

    def __init__(self, config: Config, project: Sequence[str] | None = None) -> None:
        self.config, self._project = config, project
        """The project's files (root-relative), listed when first needed: where a subclass a
        message names is looked for."""
        self.subclasses: dict[str, bool] = {}
        self._classes: dict[str, list[str]] | None = None
        self.index = Index(records.replace(config, rules=(), cache=False))
        self.categories: dict[str, bool] = {}
        self.canonical_names: dict[str, str] = {}

    def is_deprecation(self, category: str) -> bool:
        """``A|B``: every class a variable holding the category takes is a deprecation category."""
        if category not in self.categories:
            self.categories[category] = bool(category) and all(
                _deprecation(self.index, c, 0) for c in category.split("|")
            )
        return self.categories[category]

    def canonical(self, name: str) -> str:
        """Where a function a file calls is defined (through re-exports and aliases)."""
        if name not in self.canonical_names:
            definition = self.index.definition(name)
            self.canonical_names[name] = definition.path if definition is not None else name
        return self.canonical_names[name]

    def find_warners(self, files: Iterable[dict[str, Any] | None]) -> warners.Warners:
        return warners.Warners((f for f in files if f), self.is_deprecation, self.canonical)

    def resolve(self, files: Sequence[tuple[str, dict[str, Any]]], found_warners: warners.Warners) -> list[Declaration]:
        """Declarations from what each file shows: deprecation categories only, first one of a
        name kept, helpers themselves left out, replacements resolved to a dotted name the
        project (or an installed or standard module) defines."""
        found: dict[str, Declaration] = {}
        for rel, data in files:
            raws = [tuple(raw) for raw in data["d"] if raw[0] not in found_warners]
            for name, kind, line, category, message, named, cands in found_warners.declared(data):
                if named is None:
                    named, from_import = replacement_named(message)
                    candidates = cands.get(named) or ([named] if named else [])
                else:
                    candidates = cands.get(named, [named]) if named else []
                raws.append((name, kind, line, category, message, named, candidates))
            for name, kind, line, category, message, named, candidates in raws:
                if name in found or not is_dotted_name(name.partition("(")[0]):
                    continue  # a file outside any package with a name no import can spell (`my-tool.py`)
                if category and not self.is_deprecation(category):
                    continue
                bare = name.partition("(")[0]
                attribute = "." in named
                replacement = next(
                    (r for c in candidates for r in [self._meant(c, attribute)] if r and r not in (name, bare)), None,
                )
                found[name] = Declaration(name, kind, rel, line, message, replacement, named)
        return sorted(found.values(), key=lambda d: (d.path, d.line, d.name))

    def _meant(self, candidate: str, attribute: bool) -> str | None:
        """The dotted name a candidate spelling resolves to, if the project defines it."""
        if candidate.startswith(_INHERITED):
            _, sub, inherited = candidate.split(_INHERITED)
            owner = inherited.rpartition(".")[0]
            return _inherited(self.index, inherited, 0) if self._subclass_named(sub, owner) else None
        return candidate if _defined(self.index, candidate, attribute=attribute) else None

    @property
    def project(self) -> Sequence[str]:
        if self._project is None:
            self._project = [rel for rel, _ in iter_python_files(self.config.root, None, self.config.exclude)]
        return self._project

    def _subclass_named(self, short: str, base: str) -> bool:
        """Whether a class of the project called ``short`` derives from ``base`` (the files
        spelling ``class short(`` are the only ones read)."""
        key = f"{short} {base}"
        if key not in self.subclasses:
            target = self.index.definition(base)
            self.subclasses[key] = target is not None and any(
                _derives(self.index, f"{module_name(rel, self.config.root, self.config.src)}.{short}", target.path, 0)
                for rel in self.classes().get(short, ())
            )
        return self.subclasses[key]

    def classes(self) -> dict[str, list[str]]:
        """The files of the project spelling ``class Name(``, by name (one read of each, when first asked)."""
        if self._classes is None:
            self._classes = {}
            for rel in self.project:
                for m in _CLASS_WITH_BASES.finditer(cache.read_source(os.path.join(self.config.root, rel)) or b""):
                    self._classes.setdefault(m.group(1).decode("ascii", "replace"), []).append(rel)
        return self._classes


def resolve(config: Config, files: Sequence[tuple[str, dict[str, Any]]]) -> list[Declaration]:
    """The declarations of files already scanned (see :meth:`_Resolver.resolve`)."""
    resolver = _Resolver(config)
    return resolver.resolve(files, resolver.find_warners(data for _, data in files))


def _deprecation(index: Index, category: str, depth: int) -> bool:
    """Whether a warning class is, or derives from, a deprecation category (read from source)."""
    if category in CATEGORIES:
        return True
    if depth > _MAX_BASES:
        return False
    definition = index.definition(category)
    if definition is None or definition.kind != "class":
        return False
    module, _, name = definition.path.rpartition(".")
    summary = index.any_summary(module)
    cls = summary.classes.get(name) if summary is not None else None
    return cls is not None and any(_deprecation(index, base, depth + 1) for base in cls.bases)


def _defined(index: Index, dotted_name: str, *, attribute: bool) -> bool:
    """Defined by a module read from source; or, for a name the message spells as an
    attribute (``timezone.utc``), an attribute of such a class its body does not show."""
    if index.definition(dotted_name) is not None:
        return True
    owner = index.definition(dotted_name.rpartition(".")[0]) if attribute else None
    return owner is not None and owner.kind == "class"


def _derives(index: Index, cls: str, base: str, depth: int) -> bool:
    """Whether a class (read from source) is ``base`` (a definition's path) or derives from it."""
    definition = index.definition(cls)
    if definition is None or definition.kind != "class" or depth > _MAX_BASES:
        return False
    if definition.path == base:
        return True
    module, _, name = definition.path.rpartition(".")
    summary = index.any_summary(module)
    found = summary.classes.get(name) if summary is not None else None
    return found is not None and any(_derives(index, b, base, depth + 1) for b in found.bases)


def _inherited(index: Index, dotted_name: str, depth: int) -> str | None:
    """``Class.attr`` defined in the class's body or a base's (read from source)."""
    owner, _, attr = dotted_name.rpartition(".")
    definition = index.definition(owner)
    if definition is None or definition.kind != "class" or depth > _MAX_BASES:
        return None
    module, _, name = definition.path.rpartition(".")
    summary = index.any_summary(module)
    cls = summary.classes.get(name) if summary is not None else None
    if cls is None:
        return None
    if attr in cls.members:
        return f"{definition.path}.{attr}"
    return next((found for base in cls.bases for found in [_inherited(index, f"{base}.{attr}", depth + 1)] if found),
                None)


def root_for(paths: Sequence[str]) -> Path:
    """The root to name modules from without a configuration: the current directory, or the
    directory holding every path given when one lies outside it."""
    cwd = os.getcwd()
    absolute = [os.path.abspath(p) for p in paths]
    if all(p == cwd or p.startswith(os.path.join(cwd, "")) for p in absolute):
        return Path(cwd)
    common = os.path.commonpath(absolute)
    return Path(common if os.path.isdir(common) else os.path.dirname(common))
