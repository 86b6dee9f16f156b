"""What a module binds at top level: the raw material of the re-export index.

A summary depends only on the file's own text, so it can be cached per file and
invalidated by that file alone; chains across modules are followed at query time.

Besides the bindings, a summary keeps what the value flow needs to know of a module without
importing it: which names are classes (their bases and body aliases), and what each function
or method returns, as its annotation or its ``return`` statements show.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable
from typing import Any

from flake8_ssot.paths import resolve_relative
from flake8_ssot.records import Record

MAX_ALTERNATIVES = 16
"""Bound on what one name may refer to across branches; real code needs a handful."""

_BUILTINS = frozenset(dir(builtins))

Params = tuple[str, ...]
"""A function's parameters that a call can pass by position, after how it binds: ``function``
(a function or static method: none bound), ``method`` (the first is bound through an instance)
or ``classmethod`` (the first is always bound)."""

Facts = tuple[str, ...]
"""What a function returns: ``A:x`` (annotated as x; ``A:?`` something that is no dotted name),
``C:x`` (the result of calling x), ``R:x`` (the object x itself); x fully qualified."""


# Plain classes, not dataclasses: the plugin imports this module in every editor run (see
# flake8_ssot.records). Treated as frozen.


class ClassSummary(Record):
    """``bases``: fully qualified dotted names of the bases that are plain names. ``aliases``:
    body name -> dotted names it refers to (``new_name = fetch_all``: ``m.C.fetch_all``).
    ``members``: every name the class body binds."""

    __slots__ = ("bases", "aliases", "members")

    def __init__(self, bases: tuple[str, ...] = (), aliases: dict[str, tuple[str, ...]] | None = None,
                 members: frozenset[str] = frozenset()) -> None:
        self.bases, self.members = bases, members
        self.aliases: dict[str, tuple[str, ...]] = {} if aliases is None else aliases

    def to_json(self) -> list[Any]:
        return [list(self.bases), {k: list(v) for k, v in self.aliases.items()}, sorted(self.members)]

    @classmethod
    def from_json(cls, data: list[Any]) -> ClassSummary:
        return cls(tuple(data[0]), {k: tuple(v) for k, v in data[1].items()}, frozenset(data[2]))


class ModuleSummary(Record):
    """What a module binds at top level, read from its source.

    ``bindings``: top-level name -> dotted names it may refer to (imports and aliases of
    imports). ``defined``: names bound to something else (def, class, assignment). ``stars``:
    modules star-imported at top level. ``dynamic``: the module defines ``__getattr__``: any
    name may exist. ``imported``: names bound by an import statement (and by nothing the module
    defines). ``state``: names assigned the result of calling something the module does not
    define (a logger, a lock, a ``TypeVar``): module state, not part of what the module offers.
    ``returns``: function (``f``) or method (``C.m``) -> what it returns. ``params``: function
    or method -> its parameters a call can pass by position. ``registered``: an abstract base
    class (fully qualified) -> the classes the module registers as its virtual subclasses
    (``ABC.register(C)``, ``@ABC.register``, or a helper of the module that calls it).
    """

    __slots__ = ("bindings", "defined", "stars", "dynamic", "all_names", "imported", "state", "classes", "returns",
                 "params", "registered")

    def __init__(
        self, bindings: dict[str, tuple[str, ...]] | None = None, defined: frozenset[str] = frozenset(),
        stars: tuple[str, ...] = (), dynamic: bool = False, all_names: tuple[str, ...] | None = None,
        imported: frozenset[str] = frozenset(), state: frozenset[str] = frozenset(),
        classes: dict[str, ClassSummary] | None = None, returns: dict[str, Facts] | None = None,
        params: dict[str, Params] | None = None, registered: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.registered: dict[str, tuple[str, ...]] = {} if registered is None else registered
        self.bindings: dict[str, tuple[str, ...]] = {} if bindings is None else bindings
        self.defined, self.stars, self.dynamic, self.all_names = defined, stars, dynamic, all_names
        self.imported, self.state = imported, state
        self.classes: dict[str, ClassSummary] = {} if classes is None else classes
        self.returns: dict[str, Facts] = {} if returns is None else returns
        self.params: dict[str, Params] = {} if params is None else params

    def binds(self, name: str) -> bool:
        return name in self.bindings or name in self.defined

    def exported(self) -> list[str]:
        """Names a ``from module import *`` brings in."""
        if self.all_names is not None:
            return list(self.all_names)
        return sorted(n for n in {*self.bindings, *self.defined} if not n.startswith("_"))

    def offered(self) -> list[str]:
        """What the module offers others: its literal ``__all__``, else its public definitions
        (classes, functions, constants, aliases), but not the names it imports or its state."""
        if self.all_names is not None:
            return list(dict.fromkeys(self.all_names))
        own = {*self.bindings, *self.defined} - self.imported - self.state
        return sorted(n for n in own if not n.startswith("_"))

    def to_json(self) -> dict[str, Any]:
        return {
            "b": {k: list(v) for k, v in self.bindings.items()},
            "d": sorted(self.defined),
            "s": list(self.stars),
            "g": self.dynamic,
            "a": None if self.all_names is None else list(self.all_names),
            "i": sorted(self.imported),
            "t": sorted(self.state),
            "c": {k: v.to_json() for k, v in self.classes.items()},
            "r": {k: list(v) for k, v in self.returns.items()},
            "p": {k: list(v) for k, v in self.params.items()},
            "v": {k: list(v) for k, v in self.registered.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModuleSummary:
        return cls(
            bindings={k: tuple(v) for k, v in data["b"].items()},
            defined=frozenset(data["d"]),
            stars=tuple(data["s"]),
            dynamic=bool(data["g"]),
            all_names=None if data["a"] is None else tuple(data["a"]),
            imported=frozenset(data["i"]),
            state=frozenset(data["t"]),
            classes={k: ClassSummary.from_json(v) for k, v in data["c"].items()},
            returns={k: tuple(v) for k, v in data["r"].items()},
            params={k: tuple(v) for k, v in data["p"].items()},
            registered={k: tuple(v) for k, v in data["v"].items()},
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


def annotation_chain(node: ast.expr | None) -> list[str] | None:
    """The class an annotation names: ``X``, ``a.X``, ``"X"``, ``Optional[X]``, ``X | None``."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value.strip(), mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [s for s in (node.left, node.right) if not (isinstance(s, ast.Constant) and s.value is None)]
        return annotation_chain(sides[0]) if len(sides) == 1 else None
    if isinstance(node, ast.Subscript) and (dotted(node.value) or [""])[-1] == "Optional":
        return annotation_chain(node.slice)
    return dotted(node)


# A return fact before qualification: kind, the dotted chain, the function's own imports.
_RawFact = tuple[str, list[str] | None, dict[str, str]]


def summarize(tree: ast.Module, module: str, is_package: bool) -> ModuleSummary:
    bindings: dict[str, list[str]] = {}
    defined: set[str] = set()
    imported: set[str] = set()
    calls: dict[str, list[str]] = {}
    stars: list[str] = []
    all_names: list[str] | None = None
    dynamic = False
    raw_classes: dict[str, tuple[list[list[str]], dict[str, str], set[str]]] = {}
    raw_returns: dict[str, list[_RawFact]] = {}
    params: dict[str, Params] = {}
    # (callee, arguments) of top-level calls that may register virtual subclasses.
    registrations: list[tuple[list[str], list[list[str]]]] = []
    registrars: set[str] = set()

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
            if isinstance(value, ast.Call):
                callee = dotted(value.func)
                calls.setdefault(target.id, []).append(callee[0] if callee else "")
        if target.id == "__all__" and value is not None:
            all_names = strings(value)

    def visit(body: list[ast.stmt]) -> None:
        nonlocal dynamic, all_names
        for stmt in body:
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.asname:
                        bind(alias.asname, alias.name)
                        imported.add(alias.asname)
                    else:
                        head = alias.name.split(".")[0]
                        bind(head, head)
                        imported.add(head)
            elif isinstance(stmt, ast.ImportFrom):
                base = resolve_relative(module, is_package, stmt.level, stmt.module)
                if base is None:
                    continue
                for alias in stmt.names:
                    if alias.name == "*":
                        stars.append(base)
                    else:
                        bind(alias.asname or alias.name, f"{base}.{alias.name}")
                        imported.add(alias.asname or alias.name)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defined.add(stmt.name)
                dynamic = dynamic or stmt.name == "__getattr__"
                raw_returns[stmt.name] = _returns(stmt, None, module, is_package)
                params[stmt.name] = _params(stmt, False)
                if _registers(stmt):
                    registrars.add(stmt.name)
            elif isinstance(stmt, ast.ClassDef):
                defined.add(stmt.name)
                for decorator in stmt.decorator_list:
                    chain = dotted(decorator)
                    if chain and len(chain) > 1 and chain[-1] == "register":
                        registrations.append((chain, [chain[:-1], [stmt.name]]))
                raw_classes[stmt.name] = _class(stmt, raw_returns, module, is_package)
                for method in stmt.body:
                    if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        params[f"{stmt.name}.{method.name}"] = _params(method, True)
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
                callee = dotted(call.func)
                if callee and call.args:
                    arguments = [dotted(arg) for arg in call.args]
                    if callee[-1] == "register" and len(callee) > 1:
                        registrations.append((callee, [callee[:-1], *(a for a in arguments if a)]))
                    elif len(callee) == 1 and arguments[0]:
                        registrations.append((callee, [a for a in arguments if a]))
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

    def qualify(chain: list[str], local: dict[str, str]) -> list[str]:
        head, rest = chain[0], chain[1:]
        if head in local:
            return [".".join([local[head], *rest])]
        if head in bindings:
            return [".".join([t, *rest]) for t in bindings[head]]
        if head in defined:
            return [".".join([module, *chain])]
        if head in _BUILTINS:
            return [".".join(["builtins", *chain])]
        return []

    def facts(raw: list[_RawFact]) -> Facts:
        found: list[str] = []
        for kind, chain, local in raw:
            for name in qualify(chain, local) if chain else ["?"]:
                fact = f"{kind}:{name}"
                if fact not in found and len(found) < MAX_ALTERNATIVES:
                    found.append(fact)
        return tuple(found)

    classes = {}
    for name, (bases, aliases, members) in raw_classes.items():
        own = f"{module}.{name}"
        classes[name] = ClassSummary(
            bases=tuple(q for base in bases for q in qualify(base, {})),
            aliases={alias: tuple(_class_alias(target, own, qualify)) for alias, target in aliases.items()},
            members=frozenset(members),
        )
    registered: dict[str, list[str]] = {}
    for callee, (abc, *subclasses) in ((c, a) for c, a in registrations if len(a) > 1):
        if len(callee) == 1 and callee[0] not in registrars:
            continue
        for name in qualify(abc, {})[:1]:
            known = registered.setdefault(name, [])
            known += [q for sub in subclasses for q in qualify(sub, {})[:1] if q not in known]
    own_defs = {*raw_returns, *raw_classes}
    return ModuleSummary(
        bindings={k: tuple(v) for k, v in bindings.items()},
        defined=frozenset(defined),
        stars=tuple(dict.fromkeys(stars)),
        dynamic=dynamic,
        all_names=None if all_names is None else tuple(all_names),
        imported=frozenset(imported - defined),
        # A module-level instance of the module's own class is part of what it offers.
        state=frozenset(n for n, heads in calls.items() if not own_defs.intersection(heads)),
        classes=classes,
        returns={k: facts(v) for k, v in raw_returns.items()},
        params=params,
        registered={k: tuple(v) for k, v in registered.items()},
    )


def _registers(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a function calls ``register`` on its first parameter (``_register(abc, *classes)``
    in :mod:`importlib.abc`): a call of it registers virtual subclasses."""
    args = [*node.args.posonlyargs, *node.args.args]
    if not args:
        return False
    first = args[0].arg
    return any(
        isinstance(n, ast.Call) and dotted(n.func) == [first, "register"] for n in ast.walk(node)
    )


def _params(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> Params:
    """What :data:`Params` says of a function or method (see there)."""
    decorators = [dotted(d) for d in node.decorator_list]
    kind = "function"
    if method and ["staticmethod"] not in decorators:
        kind = "classmethod" if ["classmethod"] in decorators or node.name in _IMPLICIT_CLASSMETHODS else "method"
    return (kind, *(arg.arg for arg in [*node.args.posonlyargs, *node.args.args]))


# Methods Python makes class methods without a decorator.
_IMPLICIT_CLASSMETHODS = frozenset({"__init_subclass__", "__class_getitem__"})


def _class_alias(
    target: str, own: str, qualify: Callable[[list[str], dict[str, str]], list[str]]
) -> list[str]:
    """A body alias as a dotted name: a leading dot marks a name of the module's scope."""
    if target.startswith("."):
        return list(qualify(target[1:].split("."), {}))
    return [f"{own}.{target}"]


def _class(
    node: ast.ClassDef, returns: dict[str, list[_RawFact]], module: str, is_package: bool
) -> tuple[list[list[str]], dict[str, str], set[str]]:
    """A top-level class's bases, body aliases and members; its methods' returns go to ``returns``."""
    bases = [chain for chain in map(dotted, node.bases) if chain]
    aliases: dict[str, str] = {}
    members: set[str] = set()
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            members.add(stmt.name)
            returns[f"{node.name}.{stmt.name}"] = _returns(stmt, node.name, module, is_package)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            chain = dotted(stmt.value) if stmt.value is not None else None
            for target in targets:
                if isinstance(target, ast.Name):
                    aliases.pop(target.id, None)
                    # `policy = policy.default` reads the name before the body binds it: the
                    # module's `policy`, never the class attribute itself.
                    if chain:
                        aliases[target.id] = ".".join(chain) if chain[0] in members else "." + ".".join(chain)
                    members.add(target.id)
        elif isinstance(stmt, ast.ClassDef):
            members.add(stmt.name)
    return bases, aliases, members


def _returns(
    node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None, module: str, is_package: bool
) -> list[_RawFact]:
    """What a function returns, from its annotation or else its ``return`` statements."""
    local: dict[str, str] = {}
    found: list[_RawFact] = []
    positional = [*node.args.posonlyargs, *node.args.args]
    decorators = [dotted(d) for d in node.decorator_list]
    # `self` and `cls` stand for the class itself: `return cls()` and `return self` are instances.
    me = positional[0].arg if owner and positional and ["staticmethod"] not in decorators else None
    if node.returns is not None:
        chain = annotation_chain(node.returns)
        if chain and chain[0] == "Self" and owner:
            chain = [owner]
        return [("A", chain, local)]
    stack = list(node.body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            value = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
            if isinstance(value, ast.Constant) and value.value is None:
                continue
            call = isinstance(value, ast.Call)
            chain = dotted(value.func if isinstance(value, ast.Call) else value)
            if chain is None and isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
                # `return cls(...).reload()`: what the method returns, looked up on the class.
                inner = value.func.value
                inner_chain = dotted(inner.func) if isinstance(inner, ast.Call) else None
                chain = [*inner_chain, value.func.attr] if inner_chain else None
            if chain and chain[0] == me and owner:
                if len(chain) == 1:
                    found.append(("C", [owner], local))
                    continue
                chain = [owner, *chain[1:]]
            found.append(("C" if call else "R", chain, local))
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            # A lazy import in the body is how factories often reach the class they build.
            local.update(import_bindings(stmt, module, is_package))
        elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for block in _blocks(stmt):
                stack.extend(block)
    return found


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


def import_bindings(stmt: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> dict[str, str]:
    """The names an import statement binds, each to the dotted name it refers to."""
    found: dict[str, str] = {}
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            head = alias.name.split(".")[0]
            found[alias.asname or head] = alias.name if alias.asname else head
    else:
        base = resolve_relative(module, is_package, stmt.level, stmt.module)
        for alias in stmt.names:
            if base is not None and alias.name != "*":
                found[alias.asname or alias.name] = f"{base}.{alias.name}"
    return found
