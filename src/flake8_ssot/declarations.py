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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flake8_ssot import __version__, cache, records
from flake8_ssot.config import is_dotted_name
from flake8_ssot.index import Index, parse_source
from flake8_ssot.model import Config, Rule
from flake8_ssot.paths import iter_python_files, module_name, resolve_relative
from flake8_ssot.pool import fork_map
from flake8_ssot.prefilter import Prefilter
from flake8_ssot.summary import dotted

DECLARATIONS_CACHE = "declarations.json"
_CACHE_FORMAT = 2
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
_INIT_METHODS = frozenset({"__init__", "__new__", "__init_subclass__"})
_PARALLEL_MIN = 64
_MAX_BASES = 32
KINDS = ("module", "class", "function", "method", "name", "argument")
"""``name``: a name a module ``__getattr__`` warns about; ``argument``: ``f(param)``."""

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


def scan_source(data: bytes | str, module: str, is_package: bool, relpath: str = "<unknown>") -> list[Raw]:
    """The declarations of one file's text; none for text that does not parse."""
    tree = parse_source(data, relpath)[0]
    if tree is None:
        return []
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    try:
        return _FileScan(tree, module, is_package, text).run()
    except RecursionError:
        return []


_Conds = tuple[tuple[ast.expr, bool], ...]
_FAILED = ast.Constant(value=...)
"""The condition of an ``except`` block."""


class _FileScan:
    def __init__(self, tree: ast.Module, module: str, is_package: bool, text: str | None = None) -> None:
        self.tree = tree
        self.module = module
        self.names: dict[str, str] = {}
        """Local name -> the dotted name it refers to: imports anywhere in the file, then
        top-level definitions (a function's `import warnings` is as good as the module's)."""
        for node in _statements(tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.names.setdefault(alias.asname, alias.name)
                    else:
                        head = alias.name.split(".")[0]
                        self.names.setdefault(head, head)
            elif isinstance(node, ast.ImportFrom):
                base = resolve_relative(module, is_package, node.level, node.module)
                for alias in node.names:
                    if base is not None and alias.name != "*":
                        self.names.setdefault(alias.asname or alias.name, f"{base}.{alias.name}")
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.names.setdefault(stmt.name, f"{module}.{stmt.name}")
        self.constants: dict[str, ast.expr] = {
            stmt.targets[0].id: stmt.value for stmt in tree.body
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
        }
        """Module-level assignments: a message kept in a constant (``DEPRECATION_MSG = "..."``)."""
        self.found: list[Raw] = []
        self.lines = self._warn_lines(text)
        """Lines that may start a ``warn(`` call (None: any line may); scopes without one are
        not walked, which is most of the work in a large file."""

    def _warn_lines(self, text: str | None) -> list[int] | None:
        if text is None or ("\r" in text and "\n" not in text):
            return None  # old Mac line ends: the tree counts lines differently
        callees = {"warn", "_deprecated"} | {
            local for local, target in self.names.items() if target in (WARN, _STDLIB_DEPRECATED)
        }
        pattern = re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, sorted(callees))) + r")\s*\(")
        return [text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(text)]

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
        if head in _BUILTINS:
            return ".".join(["builtins", *chain])
        return None

    def run(self) -> list[Raw]:
        self._scope(self.tree.body, self.module, "module", None, _Params())
        for stmt in _definitions(self.tree.body):
            self._definition(stmt, self.module, None)
        return self.found

    def _definition(self, node: ast.stmt, owner: str, cls: str | None) -> None:
        """A def or class at module level or in a class body (reachable by a dotted name)."""
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        name = f"{owner}.{node.name}"
        if isinstance(node, ast.ClassDef):
            self._decorated(node, name, "class", None)
            for stmt in _definitions(node.body):
                self._definition(stmt, name, name)
            return
        self._decorated(node, name, "method" if cls else "function", cls)
        if cls is not None and node.name in _INIT_METHODS:
            self._scope(node.body, cls, "class", cls, _params(node, method=True))
        elif cls is None and node.name == "__getattr__":
            self._getattr(node)
        else:
            self._scope(node.body, name, "method" if cls else "function", cls, _params(node, method=cls is not None))

    def _decorated(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, name: str, kind: str,
                   cls: str | None) -> None:
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            if self.qualify(call.func if call else decorator) not in DECORATORS:
                continue
            # Deprecated whatever category it warns with at runtime (PEP 702: even none).
            message = None
            if call is not None:
                message = call.args[0] if call.args else _keyword(call, *_MESSAGE_KEYWORDS)
            self._add(name, kind, decorator.lineno, "", self._message(message, {}), cls)
            return

    def _getattr(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """A module ``__getattr__`` warning for the names its conditions compare its argument
        with: ``if name == "x": warn(...)``, or after a guard ``if name != "x": raise ...``."""
        params = _params(node).named
        if not params or not self._may_warn(node.body):
            return
        guarded = [
            name for stmt in node.body if isinstance(stmt, ast.If) and stmt.body
            and isinstance(stmt.body[-1], (ast.Raise, ast.Return))
            for name in _compared_names(stmt.test, params[0], negated=True)
        ]
        for call, conds, assigned in _calls(node.body):
            warned = self._warned(call, assigned)
            if warned is None:
                continue
            message = warned[1]
            names = [n for test, positive in conds if positive for n in _compared_names(test, params[0])]
            for compared in names or (guarded if not conds else []):
                # f"{name} is deprecated" reads as the name it is about.
                self._add(f"{self.module}.{compared}", "name", call.lineno, warned[0],
                          message.replace("{" + params[0] + "}", compared), None)

    def _scope(self, body: list[ast.stmt], name: str, kind: str, cls: str | None, params: _Params) -> None:
        if not self._may_warn(body):
            return
        for call, conds, assigned in _calls(body):
            warned = self._warned(call, assigned)
            if warned is None:
                continue
            category, message = warned
            if any(test is _FAILED for test, _ in conds):
                continue  # a fallback when something failed, not a deprecation
            param = next((p for test, positive in conds for p in [_passed(test, positive, params)] if p), None)
            if param is not None:
                self._add(f"{name}({param})", "argument", call.lineno, category, message, cls)
            elif not conds:
                self._add(name, kind, call.lineno, category, message, cls)
            # else: a warning under a condition deprecates a way of using the API, not the API.

    def _warned(self, call: ast.Call, assigned: dict[str, ast.expr]) -> tuple[str, str] | None:
        """(category, message) of a ``warnings.warn`` call naming a category (or of the standard
        library's own ``warnings._deprecated``); None for any other call."""
        callee = self.qualify(call.func)
        if callee == _STDLIB_DEPRECATED:
            name = call.args[0] if call.args else _keyword(call, "name")
            message = call.args[1] if len(call.args) > 1 else _keyword(call, "message")
            remove = _keyword(call, "remove")
            text = self._message(message, assigned) if message is not None else _DEPRECATED_MSG
            shown = self._message(name, assigned) if name is not None else "{name}"
            parts = remove.elts[:2] if isinstance(remove, ast.Tuple) else []
            if parts and all(isinstance(e, ast.Constant) for e in parts):
                text = text.replace("{remove}", ".".join(_source(e) for e in parts))
            return "builtins.DeprecationWarning", text.replace("{name!r}", repr(shown)).replace("{name}", shown)
        if callee != WARN:
            return None
        message = call.args[0] if call.args else _keyword(call, "message")
        category = call.args[1] if len(call.args) > 1 else _keyword(call, "category")
        if category is None and isinstance(message, ast.Call):
            # warn(DeprecationWarning("...")): the instance's class is the category.
            category, message = message.func, (message.args[0] if message.args else None)
        if category is None:
            return None  # a UserWarning
        qualified = self.qualify(category)
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
        if not named:
            return []
        if from_import:
            return [named]
        head, _, rest = named.partition(".")
        # In a method, a bare name is most likely a sibling (`use warning()` in Logger.warn).
        found = [f"{cls}.{named}"] if cls is not None else []
        if head in self.names:
            found.append(".".join(filter(None, [self.names[head], rest])))
        found += [f"{self.module}.{named}", named]
        return list(dict.fromkeys(found))


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, in every block and def (expressions hold none: a cheaper walk)."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in reversed(getattr(stmt, field, None) or ()):
                if isinstance(child, ast.stmt):
                    stack.append(child)
                else:  # an except handler or a match case
                    stack.extend(reversed(child.body))


def _definitions(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Defs and classes of a scope, also under ``if``/``try`` (a version check, an optional import)."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield stmt
        elif isinstance(stmt, (ast.If, ast.Try, ast.With, ast.AsyncWith)) or type(stmt).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody"):
                yield from _definitions(getattr(stmt, field, []))
            for handler in getattr(stmt, "handlers", []):
                yield from _definitions(handler.body)


@dataclass(frozen=True)
class _Params:
    named: tuple[str, ...] = ()
    """Parameters a caller can pass by name or position."""
    kwargs: str | None = None
    """The name of ``**kwargs``: ``"x" in kwargs`` asks whether ``x`` was passed."""


def _params(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool = False) -> _Params:
    a = node.args
    named = [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]
    if method and named and not any(
        isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list
    ):
        named = named[1:]  # self or cls: always passed
    return _Params(tuple(named), a.kwarg.arg if a.kwarg else None)


def _keyword(call: ast.Call, *names: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg in names), None)


def _calls(body: list[ast.stmt]) -> Iterator[tuple[ast.Call, _Conds, dict[str, ast.expr]]]:
    """Calls a scope's own code makes (not its nested defs, classes or lambdas), each with the
    ``if`` tests around it (and on which branch) and the names assigned before it."""
    assigned: dict[str, ast.expr] = {}
    stack: list[tuple[ast.AST, _Conds]] = [(stmt, ()) for stmt in reversed(body)]
    while stack:
        node, conds = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.ExceptHandler):
            # Runs only when something failed: as conditional as an `if`.
            stack += [(s, (*conds, (_FAILED, True))) for s in reversed(node.body)]
            continue
        if isinstance(node, ast.If):
            stack += [(s, (*conds, (node.test, False))) for s in reversed(node.orelse)]
            stack += [(s, (*conds, (node.test, True))) for s in reversed(node.body)]
            stack.append((node.test, conds))
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned[node.targets[0].id] = node.value
        elif isinstance(node, ast.Call):
            yield node, conds, dict(assigned)
        stack += [(child, conds) for child in reversed(list(ast.iter_child_nodes(node)))]


def _passed(test: ast.expr, positive: bool, params: _Params) -> str | None:
    """The parameter ``test`` (on the branch taken) checks was passed: ``p is not None``,
    ``p is not <sentinel>``, ``else`` of ``p is None``, ``if p:``, ``"p" in kwargs``."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(left, ast.Name) and left.id in params.named:
            is_none = isinstance(right, ast.Constant) and right.value is None
            if positive and isinstance(op, ast.IsNot) and (is_none or isinstance(right, (ast.Name, ast.Attribute))):
                return left.id
            if not positive and isinstance(op, ast.Is) and is_none:
                return left.id
        if (
            positive and isinstance(op, ast.In) and isinstance(right, ast.Name) and right.id == params.kwargs
            and isinstance(left, ast.Constant) and isinstance(left.value, str) and left.value.isidentifier()
        ):
            return left.value
        return None
    if positive and isinstance(test, ast.Name) and test.id in params.named:
        return test.id
    if positive and isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return next((p for v in test.values for p in [_passed(v, True, params)] if p), None)
    return None


def _compared_names(test: ast.expr, param: str, negated: bool = False) -> list[str]:
    """Names ``test`` compares ``param`` with: ``name == "x"``, ``name in ("x", "y")``
    (``!=`` and ``not in`` when ``negated``)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name)
            and test.left.id == param):
        return []
    right = test.comparators[0]
    equal, inside = (ast.NotEq, ast.NotIn) if negated else (ast.Eq, ast.In)
    if isinstance(test.ops[0], equal):
        values = [right]
    elif isinstance(test.ops[0], inside) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
        values = list(right.elts)
    else:
        return []
    return [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)
            and v.value.isidentifier()]


# -- messages --------------------------------------------------------------------------------

_PERCENT = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdrifxXeEgGcaou%]")


def render(node: ast.expr) -> str:
    """A message as it reads: constants as they are, anything computed as ``{its source}``
    (f-strings, ``%`` and ``.format`` filled in where the arguments are constants)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else render(v) for v in node.values
        )
    if isinstance(node, ast.FormattedValue):
        return "{" + _source(node.value) + "}"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return render(node.left) + render(node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_text(node.left):
        values = list(node.right.elts) if isinstance(node.right, ast.Tuple) else [node.right]
        mapping = dict(zip(
            (k.value for k in node.right.keys if isinstance(k, ast.Constant)), node.right.values
        )) if isinstance(node.right, ast.Dict) else {}
        it = iter(values)

        def fill(m: re.Match[str]) -> str:
            if m.group(0) == "%%":
                return "%"
            value = mapping.get(m.group(1)) if m.group(1) is not None else next(it, None)
            return render(value) if value is not None else m.group(0)

        return _PERCENT.sub(fill, render(node.left))
    if (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
        and _is_text(node.func.value)
    ):
        template = render(node.func.value)
        args = [render(a) for a in node.args if not isinstance(a, ast.Starred)]
        kwargs = {k.arg: render(k.value) for k in node.keywords if k.arg}
        try:
            return template.format(*args, **kwargs)
        except (IndexError, KeyError, ValueError, AttributeError):
            return template
    return "{" + _source(node) + "}"


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _source(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    try:
        return ast.unparse(node)
    except (ValueError, RecursionError):  # pragma: no cover - unparse accepts every parsed tree
        return "..."


_IDENT = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_FROM_IMPORT = re.compile(r"\bfrom\s+(" + _IDENT + r")\s+import\s+([A-Za-z_]\w*)")
# Words that can only introduce the replacement (`replacement is asyncio`): a bare lower-case
# name after them counts; after the others (`use`), prose is too likely (`use keyword arguments`).
_STRONG = (
    r"replaced\s+(?:by|with)|in\s+favou?r\s+of|superseded\s+by|renamed\s+to|moved\s+to|replacement\s+is"
)
_LEAD = r"\b(?:(?P<strong>" + _STRONG + r")|use|using|call|prefer|switch\s+to|migrate\s+to|see)"
_QUOTES = "'\"`\u2018\u2019\u201c\u201d"
_AFTER = re.compile(
    _LEAD + r"\s+(?:the\s+|using\s+)?(?P<quote>[" + _QUOTES + r"]*)(?P<name>" + _IDENT + r")(?P<called>\(\))?",
    re.IGNORECASE,
)
_BEFORE = re.compile(
    r"(?P<quote>[" + _QUOTES + r"]*)(?P<name>" + _IDENT + r")(?P<called>\(\))?[" + _QUOTES + r"]*\s+instead\b",
    re.IGNORECASE,
)
_WORDS = frozenset("""
a an the it its this that these those them they instead keyword keywords argument arguments parameter
parameters method methods function functions class classes module modules attribute attributes
value values object objects one something anything other new old same setting settings option options
not no be is are was will may can should and or of in on to for with by as at from using
""".split())


def replacement_named(message: str) -> tuple[str, bool]:
    """The replacement a message names, as spelled (dotted), and whether it was a
    ``from X import Y`` (already absolute); ("", False) when it names none.

    A bare lower-case word (``use keyword arguments``) is taken only quoted or called
    (``use 'iterate'``, ``use iterate()``): prose is full of such words.
    """
    text = re.sub(r"\{[^{}]*\}", " ", message)  # what the message computes is no name
    found = _FROM_IMPORT.search(text)
    if found:
        return f"{found.group(1)}.{found.group(2)}", True
    for pattern in (_AFTER, _BEFORE):
        for m in pattern.finditer(text):
            strong = m.groupdict().get("strong") is not None
            quote, name, called = m.group("quote"), m.group("name"), m.group("called")
            if quote or called:
                return name, False
            if name.lower() in _WORDS:
                continue
            if strong or "." in name or "_" in name or any(c.isupper() for c in name):
                return name, False
    return "", False


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
    prefilter = Prefilter(WORDS)

    def one(rel: str) -> list[Raw] | None:
        data = cache.read_source(os.path.join(root, rel))
        if data is None or not _wanted(data, prefilter):
            return None
        return scan_source(data, module_name(rel, root, config.src), rel.endswith("__init__.py"), rel)

    for rel, raw in zip(todo, fork_map(one, todo, jobs, _PARALLEL_MIN)):
        table[rel] = [*files[rel], raw]
    now = time.time_ns()  # after every read
    for rel in todo:
        # Read within a timestamp tick of a change: the next run reads it again.
        table[rel][:4] = cache.settled(files[rel], now) or cache.UNSETTLED
    raws = [(rel, r) for rel in sorted(files) for r in table[rel][4] or ()]
    found = resolve(config, raws)
    if config.cache:
        if whole:
            table = {rel: table[rel] for rel in files}
        data: dict[str, Any] = {"files": dict(sorted(table.items()))}
        if whole:
            data["resolved"] = [dataclasses.asdict(d) for d in found]
            data["stamp"] = stamp
        if stored is None or todo or whole and (stored.get("resolved"), stored.get("stamp")) != (
            data["resolved"], stamp
        ):
            cache.save(root, DECLARATIONS_CACHE, key, data)
    return found


def _trusted(root: Path, stored: dict[str, Any], stamp: object) -> list[Declaration] | None:
    """The stored list, if git has not changed the tree and no declaring file changed since."""
    files, resolved = stored.get("files"), stored.get("resolved")
    # Outside git there is no stamp: trusted as the index trusts its cache then too.
    if stored.get("stamp", ()) != stamp or not isinstance(files, dict) or not isinstance(resolved, list):
        return None
    for rel, entry in files.items():
        if _valid_entry(entry) and entry[4] and cache.stat_of(os.path.join(root, rel)) != tuple(entry[:4]):
            return None
    try:
        return [Declaration(**d) for d in resolved]
    except TypeError:
        return None


def _valid_entry(entry: object) -> bool:
    return (isinstance(entry, list) and len(entry) == 5 and all(type(v) is int for v in entry[:4])
            and (entry[4] is None or isinstance(entry[4], list)))


def _same(table: dict[str, list[Any]], files: dict[str, cache.Stat]) -> bool:
    return len(table) == len(files) and all(tuple(table.get(rel, ())[:4]) == st for rel, st in files.items())


def resolve(config: Config, raws: Iterable[tuple[str, Raw]]) -> list[Declaration]:
    """Declarations from what each file shows: deprecation categories only, first one of a
    name kept, replacements resolved to a dotted name the project (or an installed or
    standard module) defines."""
    index = Index(records.replace(config, rules=(), cache=False))
    categories: dict[str, bool] = {}
    found: dict[str, Declaration] = {}
    for rel, (name, kind, line, category, message, named, candidates) in raws:
        if name in found or not is_dotted_name(name.partition("(")[0]):
            continue  # a file outside any package with a name no import can spell (`my-tool.py`)
        if category:
            if category not in categories:
                categories[category] = _deprecation(index, category, 0)
            if not categories[category]:
                continue
        replacement = next(
            (c for c in candidates
             if c != name and c != name.partition("(")[0] and _defined(index, c, attribute="." in named)),
            None,
        )
        found[name] = Declaration(name, kind, rel, line, message, replacement, named)
    return sorted(found.values(), key=lambda d: (d.path, d.line, d.name))


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


# -- rules -----------------------------------------------------------------------------------

_RULE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def rule_name(text: str, taken: set[str]) -> str:
    """A valid rule name for ``text``, unique among ``taken`` (which it joins)."""
    # `f(param)` -> `f-param`: a closing parenthesis leaves no dangling dash.
    base = _RULE_NAME.sub("-", text).lstrip("_.-").rstrip("-") or "deprecated"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _covered(declaration: Declaration, modules: set[str]) -> bool:
    """Inside a module that is itself deprecated: the module's rule covers it."""
    parts = declaration.name.partition("(")[0].split(".")
    return any(".".join(parts[:i]) in modules for i in range(1, len(parts)))


def enforced_rules(declarations: Sequence[Declaration], configured: Sequence[Rule]) -> list[Rule]:
    """One rule per declaration, named after it; names the configuration already deprecates
    are left to its rules."""
    taken = {r.name for r in configured}
    entries = {d for r in configured for d in r.deprecated}
    modules = {d.name for d in declarations if d.kind == "module"}
    rules = []
    for d in declarations:
        if _dunder(d) or d.name in entries or _covered(d, modules):
            continue
        rules.append(Rule(
            name=rule_name(d.name, taken), deprecated=(d.name,), replacement=d.replacement,
            message=_one_line(d.message) or None,
        ))
    return rules


def with_discovered(config: Config, jobs: int | None = None, *, trust: bool = False) -> Config:
    """``config`` with a rule for every deprecation the project declares (``discover = true``)."""
    found = scan(config, jobs=jobs, trust=trust)
    return records.replace(config, rules=(*config.rules, *enforced_rules(found, config.rules)))


def toml_rules(declarations: Sequence[Declaration]) -> str:
    """A ``[[tool.flake8-ssot.rules]]`` block: one rule per deprecated module, one per
    replacement target, one per other declaration (a deprecated argument as ``module.func(param)``)."""
    import tomlkit

    def quote(value: str) -> str:
        return tomlkit.string(value).as_string()

    taken: set[str] = set()
    modules = {d.name for d in declarations if d.kind == "module"}
    out = [
        f"# Generated by `flake8-ssot discover` from {len(declarations)} declaration(s);",
        "# paste under your [tool.flake8-ssot] table (or set `discover = true` there instead).",
    ]

    def rule(name: str, deprecated: list[str], replacement: str | None, message: str, notes: list[str]) -> None:
        out.append("")
        out.extend(f"# {note}" for note in notes)
        out.append("[[tool.flake8-ssot.rules]]")
        out.append(f"name = {quote(rule_name(name, taken))}")
        out.append("deprecated = [" + ", ".join(quote(d) for d in deprecated) + "]")
        if replacement:
            out.append(f"replacement = {quote(replacement)}")
        if message:
            out.append(f"message = {quote(message)}")

    def where(d: Declaration) -> str:
        return f"{d.path}:{d.line}"

    for d in declarations:
        if d.kind == "module":
            rule(d.name, [d.name], d.replacement, _one_line(d.message), [f"module {d.name} ({where(d)})"])
    grouped: dict[str, list[Declaration]] = {}
    single = []
    implicit = []
    for d in declarations:
        if d.kind == "module" or _covered(d, modules):
            continue
        if _dunder(d):
            implicit.append(d)
        elif d.replacement:
            grouped.setdefault(d.replacement, []).append(d)
        else:
            single.append(d)
    for target, group in sorted(grouped.items()):
        message = _one_line(group[0].message) if len(group) == 1 else ""
        notes = [f"{d.kind} {d.name} ({where(d)})" + (f": {_one_line(d.message)}" if len(group) > 1 else "")
                 for d in group]
        rule(f"to-{target}" if len(group) > 1 else group[0].name, [d.name for d in group], target, message, notes)
    for d in single:
        notes = [f"{d.kind} {d.name} ({where(d)})"]
        if d.named:
            notes.append(f"replacement {d.named!r} is named but not found: check it and add `replacement`")
        rule(d.name, [d.name], None, _one_line(d.message), notes)
    if implicit:
        out += ["", "# Deprecated special methods (Python calls them implicitly: `str(x)`; no rule can find it):"]
        out += [f"#   {d.name} ({where(d)}): {_one_line(d.message)}" for d in implicit]
    return "\n".join(out) + "\n"


def _dunder(declaration: Declaration) -> bool:
    """A special method (``__str__``): its uses are implicit, and as a rule its name would make
    every file that defines one a suspect."""
    last = declaration.name.rpartition(".")[2]
    return declaration.kind == "method" and len(last) > 4 and last.startswith("__") and last.endswith("__")


def root_for(paths: Sequence[str]) -> Path:
    """The root to name modules from without a configuration: the current directory, or the
    directory holding every path given when one lies outside it."""
    cwd = os.getcwd()
    absolute = [os.path.abspath(p) for p in paths]
    if all(p == cwd or p.startswith(os.path.join(cwd, "")) for p in absolute):
        return Path(cwd)
    common = os.path.commonpath(absolute)
    return Path(common if os.path.isdir(common) else os.path.dirname(common))
