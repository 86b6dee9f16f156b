"""The statements around a warning, read from source: the calls a scope makes with the ``if``
tests above them, and what those tests say (an argument was passed, ``*args``/``**kwargs`` are
not empty, a test on an argument's own value or the project's own settings, the class itself).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_BUILTINS = frozenset(dir(builtins))


Conds = tuple[tuple[ast.expr, bool], ...]
FAILED = ast.Constant(value=...)
"""The condition of an ``except`` block."""


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
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


def definitions(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Defs and classes of a scope, also under ``if``/``try`` (a version check, an optional import)."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield stmt
        elif isinstance(stmt, (ast.If, ast.Try, ast.With, ast.AsyncWith)) or type(stmt).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody"):
                yield from definitions(getattr(stmt, field, []))
            for handler in getattr(stmt, "handlers", []):
                yield from definitions(handler.body)


@dataclass(frozen=True)
class Params:
    named: tuple[str, ...] = ()
    """Parameters a caller can pass by name or position."""
    kwargs: str | None = None
    """The name of ``**kwargs``: ``"x" in kwargs`` asks whether ``x`` was passed."""
    varargs: str | None = None
    """The name of ``*args``: ``if args:`` asks whether anything was passed by position past the others."""


def params_of(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool = False) -> Params:
    a = node.args
    named = [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]
    if method and named and not any(
        isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list
    ):
        named = named[1:]  # self or cls: always passed
    return Params(tuple(named), a.kwarg.arg if a.kwarg else None, a.vararg.arg if a.vararg else None)


def keyword(call: ast.Call, *names: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg in names), None)


def calls(body: list[ast.stmt]) -> Iterator[tuple[ast.Call, Conds, dict[str, ast.expr]]]:
    """Calls a scope's own code makes (not its nested defs, classes or lambdas), each with the
    ``if`` tests around it (and on which branch) and the names assigned before it."""
    assigned: dict[str, ast.expr] = {}
    stack: list[tuple[ast.AST, Conds]] = [(stmt, ()) for stmt in reversed(body)]
    while stack:
        node, conds = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.ExceptHandler):
            # Runs only when something failed: as conditional as an `if`.
            stack += [(s, (*conds, (FAILED, True))) for s in reversed(node.body)]
            continue
        if isinstance(node, ast.If):
            # The `else` of a guard that raises runs whenever the guard passes: no condition.
            guard = bool(node.body) and isinstance(node.body[-1], ast.Raise)
            stack += [(s, conds if guard else (*conds, (node.test, False))) for s in reversed(node.orelse)]
            stack += [(s, (*conds, (node.test, True))) for s in reversed(node.body)]
            stack.append((node.test, conds))
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned[node.targets[0].id] = node.value
        elif isinstance(node, ast.Call):
            yield node, conds, dict(assigned)
        stack += [(child, conds) for child in reversed(list(ast.iter_child_nodes(node)))]


def passed(test: ast.expr, positive: bool, params: Params) -> str | None:
    """The parameter ``test`` (on the branch taken) checks was passed: ``p is not None``,
    ``p is not <sentinel>``, ``else`` of ``p is None``, ``if p:``, ``"p" in kwargs``; or that
    ``*args`` (:data:`ANY_POSITIONAL`) or ``**kwargs`` (:data:`ANY_KEYWORD`) is not empty."""
    nonempty = nonempty_name(test) if positive else None
    if nonempty is not None and nonempty in (params.varargs, params.kwargs):
        return ANY_POSITIONAL if nonempty == params.varargs else ANY_KEYWORD
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
        return next((p for v in test.values for p in [passed(v, True, params)] if p), None)
    return None


def on_the_argument(test: ast.expr, positive: bool, param: str, params: Params) -> bool:
    """A further condition that keeps a warning about ``param`` a deprecation of the argument:
    one on its own value only (``axis == 1``, both branches warning), or the ``else`` of another
    argument's check (``elif limit is not None`` after ``if method is not None``)."""
    if not positive and passed(test, True, params) is not None:
        return True
    nodes = list(ast.walk(test))
    return not any(isinstance(n, (ast.Call, ast.Attribute, ast.Subscript, ast.NamedExpr)) for n in nodes) and {
        n.id for n in nodes if isinstance(n, ast.Name)} == {param}


def own_class(test: ast.expr, cls: str | None) -> bool:
    """``type(self) is C`` (or ``==``) for the method's own class: not inherited, still the API."""
    if cls is None or not (isinstance(test, ast.Compare) and len(test.ops) == 1
                           and isinstance(test.ops[0], (ast.Is, ast.Eq))):
        return False
    left, right = test.left, test.comparators[0]
    return (isinstance(left, ast.Call) and isinstance(left.func, ast.Name) and left.func.id == "type"
            and len(left.args) == 1 and isinstance(left.args[0], ast.Name) and left.args[0].id in ("self", "cls")
            and isinstance(right, ast.Name) and right.id == cls.rpartition(".")[2])


ANY_POSITIONAL, ANY_KEYWORD = "*", "**"
"""What :func:`passed` answers for ``if args:`` (``*args``) and ``if kwargs:`` (``**kwargs``)."""


def nonempty_name(test: ast.expr) -> str | None:
    """The name ``test`` asks is not empty: ``x``, ``len(x)``, ``len(x) > 0``, ``len(x) >= 1``."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.comparators[0], ast.Constant) and (
        isinstance(test.ops[0], ast.Gt) and test.comparators[0].value == 0
        or isinstance(test.ops[0], ast.GtE) and test.comparators[0].value == 1
    ):
        test = test.left
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "len" and len(test.args) == 1:
        test = test.args[0]
    return test.id if isinstance(test, ast.Name) else None


def keys_checked(tests: Iterable[ast.expr], kwargs: str,
                 fn: ast.FunctionDef | ast.AsyncFunctionDef | None) -> list[str]:
    """The keys a test on ``**kwargs`` (around the warning, else any of the function's) checks
    them against: a display of names in the test or in a local it reads
    (``set(fields).issubset(valid_field_set)``)."""
    for test in tests:
        names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
        if kwargs not in names:
            continue
        locals_ = local_assignments(fn) if fn is not None else {}
        displays: list[ast.expr] = [n for n in ast.walk(test) if isinstance(n, (ast.Set, ast.List, ast.Tuple))]
        displays += [values[-1][1] for name in sorted(names) for values in [locals_.get(name)] if values]
        for display in displays:
            elts = getattr(display, "elts", None)
            if elts and all(isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value.isidentifier()
                            for e in elts):
                return [e.value for e in elts]
    return []


def compared_names(test: ast.expr, param: str, negated: bool = False,
                   tables: dict[str, dict[str, ast.expr]] | None = None) -> list[str]:
    """Names ``test`` compares ``param`` with: ``name == "x"``, ``name in ("x", "y")``, the
    keys of ``name in TABLE`` (``!=`` and ``not in`` when ``negated``)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name)
            and test.left.id == param):
        return []
    right = test.comparators[0]
    equal, inside = (ast.NotEq, ast.NotIn) if negated else (ast.Eq, ast.In)
    if isinstance(test.ops[0], inside) and isinstance(right, ast.Name) and tables and right.id in tables:
        return [key for key in tables[right.id] if key.isidentifier()]
    if isinstance(test.ops[0], equal):
        values = [right]
    elif isinstance(test.ops[0], inside) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
        values = list(right.elts)
    else:
        return []
    return [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)
            and v.value.isidentifier()]


def guard_table(fn: ast.FunctionDef | ast.AsyncFunctionDef,
                tables: dict[str, dict[str, ast.expr]]) -> dict[str, ast.expr]:
    """The table a module ``__getattr__``'s ``if name not in TABLE`` looks names up in."""
    return next((tables[stmt.test.comparators[0].id] for stmt in fn.body
                 if isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Compare)
                 and isinstance(stmt.test.comparators[0], ast.Name)
                 and stmt.test.comparators[0].id in tables), {})


def local_assignments(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, list[tuple[int, ast.expr]]]:
    """Every ``name = value`` of a function's own code, in source order."""
    cached: dict[str, list[tuple[int, ast.expr]]] | None = getattr(fn, "_ssot_assignments", None)
    if cached is not None:
        return cached
    found: dict[str, list[tuple[int, ast.expr]]] = {}
    fn._ssot_assignments = found  # type: ignore[union-attr]  # one walk per function, not per warning
    for stmt in statements(fn.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            found.setdefault(stmt.targets[0].id, []).append((stmt.lineno, stmt.value))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            found.setdefault(stmt.target.id, []).append((stmt.lineno, stmt.value))
    for values in found.values():
        values.sort(key=lambda item: item[0])
    return found


def names_bound(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    a = fn.args
    return {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, [a.vararg, a.kwarg])]} \
        | set(local_assignments(fn))


def setting_only(test: ast.expr, fn: ast.FunctionDef | ast.AsyncFunctionDef | None, names: dict[str, str],
                 module: str) -> bool:
    """A condition on the project's own settings only (``if PHASE >= 2:``): the API is
    deprecated whenever it holds. One that reads a parameter, a local, ``self`` or another
    module's state (``sys.version_info``) is about a way of using the API or where it runs.
    ``names``: what the module's names refer to (dotted)."""
    local = names_bound(fn) | {"self", "cls"} if fn is not None else set()
    project = module.partition(".")[0] + "."
    for node in ast.walk(test):
        if isinstance(node, (ast.Call, ast.Attribute, ast.Subscript, ast.NamedExpr, ast.Lambda)):
            return False
        if isinstance(node, ast.Name) and (node.id in local or node.id in _BUILTINS or node.id in names
                                           and not names[node.id].startswith(project)):
            return False
    return True
