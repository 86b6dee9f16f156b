"""Find every use of a deprecated target in one module, resolving names the way Python binds them.

Scopes follow Python's rules (module, class, function, lambda, comprehension; class bodies
are invisible to nested functions). Statements are processed in order, so a rebinding ends
a name's deprecation; branches (if/try/loops/match) merge as "may be deprecated". Function
bodies are processed after their enclosing scope finishes, as they run after it is built.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import Any, Literal

from flake8_ssot.config import is_dotted_name
from flake8_ssot.index import Index, Resolution, distinctive
from flake8_ssot.paths import resolve_relative
from flake8_ssot.scopes import BUILTINS, OPAQUE_NAMES, Binding, ClassInfo, Entry, Scope, Scopes, all_args, unpacked
from flake8_ssot.summary import MAX_ALTERNATIVES, annotation_chain, dotted
from flake8_ssot.uses import (
    ATTR_BUILTINS, FORMS, MODULE_STRING_SINKS, TYPE_EXPRESSION_SINKS, Found, Use, argument,
)

__all__ = ["FORMS", "Use", "Visitor"]  # FORMS and Use are named from here too

_DISPATCH: dict[type[ast.AST], Callable[[Visitor, Any], None]] = {}


class Visitor(Scopes, ast.NodeVisitor):
    def __init__(self, index: Index, module: str, is_package: bool) -> None:
        super().__init__()
        self.index = index
        self.module = module
        self.is_package = is_package
        self.uses: list[Use] = []
        self._deferred: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, Scope, ClassInfo | None]] = []
        # Calls through `self.attr` whose attribute no method had set yet when they were seen.
        self._pending_self: list[tuple[Binding, list[str], ast.AST, str]] = []
        # Uses of names no scope bound when seen (see _unbound).
        self._unbound_uses: list[tuple[str, ast.AST, str, Resolution, str, str]] = []
        self._opaque = False
        """A star import of an unknown module or a ``globals()`` call: any name may be bound."""
        self._all_strings: list[ast.Constant] = []
        self._anchor: ast.AST | None = None
        self._in_annotation = False
        self._rebound: list[tuple[ast.AST, str, Resolution, str, Scope]] = []
        """SOT005 candidates, decided when ``__all__`` is known."""
        self._owner: ClassInfo | None = None
        """The class of the method whose body is being walked (what ``super()`` starts from)."""
        self._real: set[tuple[Scope, str]] = set()
        """Names a scope binds to the deprecated API itself, by an import of it."""

    # -- driver ---------------------------------------------------------------------------

    def run(self, tree: ast.Module) -> list[Use]:
        self.body(tree.body)
        for node in self._all_strings:
            self._check_all_entry(node)
        while self._deferred:
            self._function_body(*self._deferred.pop(0))
        exported = {n.value for n in self._all_strings if isinstance(n.value, str)}
        for site, name, resolution, spelled, scope in self._rebound:
            # A module that lists the name in `__all__` declares a compatibility export (what
            # `fix` writes for a moved name a module exported): no laundering.
            # The scope imports the real API under that name too (`try: from old import f`
            # `except ImportError: f = stub`, `if`/`else`): an alternative, not a disguise.
            if (scope, name) in self._real:
                continue
            if scope is not self.module_scope or name not in exported:
                self._record(site, "SOT005", resolution, "rebinding", scope.qualname, "direct", spelled)
        for name, site, code, resolution, form, scope_name in self._unbound_uses:
            if not self._opaque and name not in self._ever_bound:
                self._record(site, code, resolution, form, scope_name, "unbound", name)
        for binding, chain, site, scope_name in self._pending_self:
            found = self._through(binding, chain[0], chain[1:], True)
            if found is not None:
                resolution, spelled, via, shape = found
                if resolution.entry in self.index.deprecations.argument_only:
                    if isinstance(site, ast.Call):
                        self._arguments_passed(site, resolution, True, scope_name)
                    continue
                self._record(site, "SOT002", resolution, shape or "call", scope_name, via, spelled)
        self.uses.sort(key=lambda u: (u.line, u.col, u.code, u.resolution.target))
        return self.uses

    # ast.NodeVisitor finds the method by name for every node, and walks children through
    # ast.iter_fields: on a file that hits, this walk is most of the plugin's time. The same
    # dispatch, remembered per node type, and the same traversal, without the generator.
    def visit(self, node: ast.AST) -> None:
        kind = type(node)
        method = _DISPATCH.get(kind)
        if method is None:
            method = _DISPATCH[kind] = getattr(Visitor, "visit_" + kind.__name__, Visitor.generic_visit)
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def body(self, statements: Iterable[ast.stmt]) -> None:
        for statement in statements:
            self.visit(statement)

    # -- bindings -------------------------------------------------------------------------

    def resolve_chain(self, chain: list[str], *, call: bool = False) -> Found | None:
        """How ``a.b.c`` reaches a deprecated target through what ``a`` is bound to, if it does."""
        entry = self.lookup(chain[0])
        for binding in entry:
            found = self._through(binding, chain[0], chain[1:], call)
            if found is not None:
                return found
        return None if entry else self._unbound(chain)

    def _through(self, binding: Binding, label: str, rest: list[str], call: bool) -> Found | None:
        kind = binding.kind
        if kind == "name":
            spelled = ".".join([binding.dotted, *rest])
            resolution = self.index.resolve(spelled, arguments=call)
            return None if resolution is None else (resolution, spelled, resolution.how, None)
        if kind in ("self", "class") and binding.owner is not None and rest:
            return self._attribute(binding, label, rest, call)
        if kind == "call":
            return self._returned(binding.dotted, label, rest, call)
        if kind == "instance" and rest:
            definition = self.index.definition(binding.dotted)
            cls = definition.path if definition is not None and definition.kind == "class" else binding.dotted
            return self._member(cls, label, rest, call)
        return None

    def _attribute(
        self, binding: Binding, label: str, rest: list[str], call: bool, down: bool = True
    ) -> Found | None:
        """``self.attr…`` or ``Class.attr…`` of a class of this module: through what its body
        bound, what its methods set on ``self``, else what its bases define; for ``self`` in a
        mixin, what the bases of its subclasses in this module define (``down``)."""
        owner = binding.owner
        assert owner is not None
        attr = rest[0]
        entry = owner.names.get(attr)
        if entry is None and binding.kind == "self":
            entry = owner.attrs.get(attr)
        if entry is not None:
            for inner in entry:
                found = self._through(inner, f"{label}.{attr}", rest[1:], call)
                if found is not None:
                    # Python passes the instance to a function found on the class: `self.f` is
                    # not the same shape as a call or reference of `f` itself.
                    if binding.kind == "self" and len(rest) == 1 and inner.kind == "name":
                        return found[0], found[1], found[2], "instance-attribute"
                    return found
            return None
        for parent in owner.parents:
            found = self._attribute(Binding(binding.kind, owner=parent), label, rest, call, False)
            if found is not None:
                return found
        for base in owner.bases:
            spelled = ".".join([base, *rest])
            own = self.index.resolve(base)
            resolution = self.index.member(base, rest, arguments=call)
            # Only a deprecated member: a subclass of a deprecated class is reported where it
            # names the base, not at each method it inherits.
            if resolution is not None and (own is None or resolution.entry != own.entry):
                return resolution, spelled, resolution.how, None
        if down and binding.kind == "self":
            # A mixin (`class _Utils(object)`) calls what the classes using it inherit
            # elsewhere (`class T(TestCase, _Utils)`): `self` is an instance of one of those.
            for child in owner.children:
                found = self._attribute(Binding("self", owner=child), label, rest, call, False)
                if found is not None:
                    return found
        return None

    def _returned(self, callee: str, label: str, rest: list[str], call: bool) -> Found | None:
        """A call on, or a member of, the value that calling ``callee`` gave.

        The value carries the deprecation only when it is itself a deprecated object: the
        source of ``callee`` shows it returns one (an instance of a deprecated class, a
        deprecated callable). Members of the instances it returns are uses when they are
        deprecated members themselves (``Client().fetch_all()``).
        """
        index = self.index
        producer = index.resolve(callee)
        # Calling the value itself, or a method of it: the line that must change with the
        # producer. An attribute of the value, or what its method returns, is another object.
        if producer is not None and call and len(rest) <= 1:
            for _, path in index.returned(callee):
                if index.resolve(path) is not None:
                    if rest:
                        return producer, f"{label}.{rest[0]}", "result-method", "result-call"
                    return producer, label, "result", "result-call"
        if not rest or index.prefilter.identifiers.isdisjoint(rest):
            return None
        for kind, path in index.returned(callee):
            if kind == "instance":
                found = self._member(path, label, rest, call)
                if found is not None:
                    return found
            else:
                spelled = ".".join([path, *rest])
                resolution = index.resolve(spelled)
                if resolution is not None:
                    return resolution, label, "result", None
        return None

    def _member(self, cls: str, label: str, rest: list[str], call: bool = False) -> Found | None:
        """``x.attr…`` where ``x`` is an instance of the class ``cls`` (fully qualified)."""
        index = self.index
        own = index.resolve(cls)
        deprecated_class = own is not None
        if not deprecated_class and index.prefilter.identifiers.isdisjoint(rest):
            return None
        resolution = index.member(cls, rest, arguments=call)
        if resolution is None:
            return None
        if own is not None and len(rest) > 1 and resolution.entry == own.entry:
            # Deprecated only as part of the class: the use is of its member ``rest[0]``, and
            # what follows is on that member's value (``x._counts.get(k)``), no member of it.
            return None
        return resolution, label, "instance", "instance"

    def _unbound(self, chain: list[str]) -> Found | None:
        """A name of a deprecated surface that nothing binds: the import was rewritten and this
        use was left behind (a NameError when it runs)."""
        name = chain[0]
        deprecations = self.index.deprecations
        meant = deprecations.stale(name, self.module)
        entry = deprecations.match(meant) if meant is not None else None
        if meant is None or entry is None or name in BUILTINS:
            return None
        # Decided when the module is done: a later statement or function may bind it.
        return deprecations.resolution(".".join([meant, *chain[1:]]), entry, "stale"), name, "unbound", None

    def _spellings(self, chain: list[str]) -> list[str]:
        """Fully qualified names ``a.b.c`` may spell: through an import or alias bound to ``a``,
        or, when ``a`` is a class of this module (or ``self``/``cls`` in its methods), through
        what its body bound to ``b``."""
        found = []
        for binding in self.lookup(chain[0]):
            if binding.kind == "name":
                found.append(".".join([binding.dotted, *chain[1:]]))
            elif binding.kind in ("self", "class") and binding.owner is not None and len(chain) > 1:
                for attribute in binding.owner.names.get(chain[1], ()):
                    if attribute.kind == "name":
                        found.append(".".join([attribute.dotted, *chain[2:]]))
        return found

    def _qualified(self, chain: list[str]) -> list[str]:
        """Every fully qualified name a chain may spell (builtins when its root is unbound)."""
        entry = self.lookup(chain[0])
        if not entry:
            return [".".join(["builtins", *chain])]
        return [".".join([b.dotted, *chain[1:]]) for b in entry if b.kind == "name"]

    def _call_entry(self, value: ast.expr | None) -> Entry:
        """What a call's value may be: the result of calling what its callee spells."""
        if isinstance(value, ast.Await):
            value = value.value
        if not isinstance(value, ast.Call):
            return ()
        chain = dotted(value.func)
        if chain is None:
            return ()
        entry: list[Binding] = []
        rest = chain[1:]
        if chain == ["super"] and self._owner is not None and not self.lookup("super"):
            # `super().old(...)` in a method: the member as the class's bases define it.
            owner = self._owner
            entry.append(Binding("self", owner=ClassInfo(bases=owner.bases, parents=owner.parents)))
        for binding in self.lookup(chain[0]):
            if binding.kind == "class" and binding.owner is not None and not rest:
                entry.append(Binding("self", owner=binding.owner))
            elif binding.kind == "name":
                entry.append(Binding("call", ".".join([binding.dotted, *rest])))
            elif binding.kind == "call" and self.index.resolve(binding.dotted) is not None:
                # `factory = get_factory(); manager = factory(ctx)`: calling what it returned.
                for kind, path in self.index.returned(binding.dotted):
                    if kind == "object":
                        entry.append(Binding("call", ".".join([path, *rest])))
            elif binding.kind in ("self", "class") and binding.owner is not None and rest:
                for attribute in binding.owner.names.get(rest[0], ()):
                    if attribute.kind == "name":
                        entry.append(Binding("call", ".".join([attribute.dotted, *rest[1:]])))
        return tuple(entry[:MAX_ALTERNATIVES])

    def _value_entry(self, value: ast.expr | None) -> Entry:
        if value is None:
            return ()
        chain = dotted(value)
        if chain is not None:
            entry = [Binding("name", spelled) for spelled in self._spellings(chain)]
            if len(chain) == 1:
                entry += [b for b in self.lookup(chain[0]) if b.kind in ("call", "instance", "self", "const", "class")]
            return tuple(entry)
        strings = self._strings(value)
        if strings:
            return tuple(Binding("const", string) for string in strings)
        imported = self._imported_module(value)
        return (Binding("name", imported),) if imported else self._call_entry(value)

    def _imported_module(self, value: ast.expr) -> str | None:
        """``importlib.import_module("a.b")`` evaluates to module ``a.b``."""
        if isinstance(value, ast.Call) and value.args:
            chain = dotted(value.func)
            if chain and "importlib.import_module" in self._qualified(chain):
                return next((s for s in self._strings(value.args[0]) if is_dotted_name(s)), None)
        return None

    def _strings(self, node: ast.expr | None) -> list[str]:
        """The values a constant string expression may have: a literal, a name bound to one in
        this file, and ``+`` or f-strings of those (empty when it is anything else)."""
        if isinstance(node, ast.Constant):
            return [node.value] if isinstance(node.value, str) else []
        if isinstance(node, ast.Name):
            return [b.dotted for b in self.lookup(node.id) if b.kind == "const"]
        parts: list[list[str]] = []
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            parts = [self._strings(node.right)]  # the right operand first: most sums are not strings
            parts.insert(0, self._strings(node.left) if parts[0] else [])
        elif isinstance(node, ast.JoinedStr):
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    plain = value.conversion == -1 and value.format_spec is None
                    parts.append(self._strings(value.value) if plain else [])
                else:
                    parts.append(self._strings(value))
        values = [""] if parts else []
        for options in parts:
            values = [a + b for a in values for b in options][:MAX_ALTERNATIVES]
        return values

    def assign(self, target: ast.expr, value: ast.expr | None, entry: Entry | None = None) -> None:
        if isinstance(target, ast.Name):
            entry = self._value_entry(value) if entry is None else entry
            if value is not None and target.id in self.index.deprecations.names:
                self._rebinding(target, target.id, self._bound_path(value))
            self.bind(target.id, entry)
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = unpacked(target, value)
            # Every value before any binding: `a, b = b, a` swaps.
            entries = [self._value_entry(v) for v in values]
            for element, item, found in zip(target.elts, values, entries):
                self.assign(element, item, found)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, None)
        else:
            self.visit(target)
            chain = dotted(target)
            if chain and len(chain) == 2:
                carried = [b for b in self._value_entry(value) if b.kind in ("call", "instance", "self")]
                for binding in self.lookup(chain[0]) if carried else ():
                    if binding.kind == "self" and binding.owner is not None:
                        # Every method's assignments may be what another method sees.
                        known = binding.owner.attrs.get(chain[1], ())
                        binding.owner.attrs[chain[1]] = tuple(dict.fromkeys([*known, *carried]))[:MAX_ALTERNATIVES]

    # -- branches -------------------------------------------------------------------------

    def _run(self, statements: list[ast.stmt]) -> Callable[[], None]:
        return lambda: self.body(statements)

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        self.branches(self._run(node.body), self._run(node.orelse))

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)

        def loop() -> None:
            self.assign(node.target, None)
            self.body(node.body)

        self.branches(loop, fallthrough=True)
        self.body(node.orelse)

    visit_AsyncFor = visit_For

    def visit_While(self, node: ast.While) -> None:
        self.visit(node.test)
        self.branches(self._run(node.body), fallthrough=True)
        self.body(node.orelse)

    def visit_Try(self, node: ast.Try | ast.TryStar) -> None:
        def handler(h: ast.ExceptHandler) -> Callable[[], None]:
            def run() -> None:
                if h.type is not None:
                    self.visit(h.type)
                if h.name:
                    self.bind(h.name, ())
                self.body(h.body)

            return run

        def main() -> None:
            self.body(node.body)
            self.body(node.orelse)

        self.branches(main, *(handler(h) for h in node.handlers))
        self.body(node.finalbody)

    visit_TryStar = visit_Try

    def visit_Match(self, node: ast.Match) -> None:
        self.visit(node.subject)

        def case(c: ast.match_case) -> Callable[[], None]:
            def run() -> None:
                self.visit(c.pattern)
                if c.guard is not None:
                    self.visit(c.guard)
                self.body(c.body)

            return run

        self.branches(*(case(c) for c in node.cases), fallthrough=True)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.pattern is not None:
            self.visit(node.pattern)
        if node.name:
            self.bind(node.name, ())

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.bind(node.name, ())

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        self.generic_visit(node)
        if node.rest:
            self.bind(node.rest, ())

    # -- statements -----------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            found = self.index.resolve(alias.name)
            if found is not None:
                self._report(alias, "SOT001", found, "import", alias.name)
                self._imports_real(found, alias.asname or alias.name.split(".")[0])
            if alias.asname:
                self._rebinding(alias, alias.asname, alias.name)
                self.bind(alias.asname, (Binding("name", alias.name),))
            else:
                head = alias.name.split(".")[0]
                self.bind(head, (Binding("name", head),))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = resolve_relative(self.module, self.is_package, node.level, node.module)
        for alias in node.names:
            if base is None:
                if alias.name != "*":
                    self.bind(alias.asname or alias.name, ())
            elif alias.name == "*":
                self._star_import(alias, base)
            else:
                spelled = f"{base}.{alias.name}"
                found = self.index.resolve(spelled)
                if found is not None:
                    self._report(alias, "SOT001", found, "import-from", spelled)
                    self._imports_real(found, alias.asname or alias.name)
                if alias.asname:
                    self._rebinding(alias, alias.asname, spelled)
                self.bind(alias.asname or alias.name, (Binding("name", spelled),))

    def _star_import(self, alias: ast.alias, base: str) -> None:
        found = self.index.resolve(base)
        if found is not None:
            self._report(alias, "SOT001", found, "import-star", base)
        summary = self.index.summary(base)
        # What a module outside the project, or a star import inside it, brings is unknown.
        self._opaque = self._opaque or summary is None or bool(summary.stars) or summary.dynamic
        if summary is None and found is not None:
            # A deprecated module installed rather than in the project binds its names all the
            # same: its uses do not depend on where its source is (any other name stays unknown).
            summary = self.index.any_summary(base)
        if summary is None:
            return
        for name in summary.exported():
            spelled = f"{base}.{name}"
            if found is None:
                brought = self.index.resolve(spelled)
                if brought is not None:
                    self._record(alias, "SOT001", brought, "import-star", self.scope.qualname, "star", base)
            self.bind(name, (Binding("name", spelled),))

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._arguments(node.args)
        if node.returns is not None:
            self.annotation(node.returns)
        self.bind(node.name, ())
        if self.scope is self.module_scope:
            self._defs[node.name] = f"{self.module}.{node.name}"
        owner = self.scope.cls if self.scope.kind == "class" else None
        self._deferred.append((node, self.scope, owner))

    visit_AsyncFunctionDef = visit_FunctionDef

    def _arguments(self, args: ast.arguments) -> None:
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.visit(default)
        for arg in all_args(args):
            if arg.annotation is not None:
                self.annotation(arg.annotation)

    def _function_body(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, parent: Scope, owner: ClassInfo | None
    ) -> None:
        qualname = node.name if parent.kind == "module" else f"{parent.qualname}.{node.name}"
        self.scope = Scope("function", qualname, parent)
        self._owner = owner
        params = all_args(node.args)
        # Looked up before the parameters are bound: annotations are evaluated outside.
        typed = [(arg.arg, self._typed(arg.annotation)) for arg in params]
        for name, entry in typed:
            self.bind(name, entry)
        positional = [*node.args.posonlyargs, *node.args.args]
        decorators = [dotted(d) for d in node.decorator_list]
        if owner is not None and positional and ["staticmethod"] not in decorators:
            kind: Literal["self", "class"] = "class" if ["classmethod"] in decorators else "self"
            self.bind(positional[0].arg, (Binding(kind, owner=owner),))
        self.body(node.body)
        self.scope = self.module_scope
        self._owner = None

    def _typed(self, annotation: ast.expr | None) -> Entry:
        """A parameter annotated with a class holds an instance of it."""
        chain = annotation_chain(annotation)
        if chain is None:
            return ()
        entry: list[Binding] = []
        for binding in self.lookup(chain[0]):
            if binding.kind == "name":
                entry.append(Binding("instance", ".".join([binding.dotted, *chain[1:]])))
            elif binding.kind == "class" and binding.owner is not None and len(chain) == 1:
                entry.append(Binding("self", owner=binding.owner))
        return tuple(entry)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        bases: list[str] = []
        parents: list[ClassInfo] = []
        for base in node.bases:
            self.visit(base)
            chain = dotted(base) or []
            for binding in self.lookup(chain[0]) if chain else ():
                if binding.kind == "name":
                    bases.append(".".join([binding.dotted, *chain[1:]]))
                elif binding.kind == "class" and binding.owner is not None and len(chain) == 1:
                    parents.append(binding.owner)
        for keyword in node.keywords:
            self.visit(keyword.value)
        outer = self.scope
        qualname = node.name if outer.kind == "module" else f"{outer.qualname}.{node.name}"
        info = ClassInfo(bases=tuple(bases), parents=tuple(parents))
        for parent in parents:
            parent.children.append(info)
        self.scope = Scope("class", qualname, outer, cls=info)
        self.body(node.body)
        info.names = dict(self.scope.names)
        self.scope = outer
        self.bind(node.name, (Binding("class", owner=info),))
        if self.scope is self.module_scope:
            self._defs[node.name] = f"{self.module}.{node.name}"

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.assign(target, node.value)
        if self.scope is self.module_scope and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            self._collect_all(node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.annotation(node.annotation)
        if node.value is not None:
            self.visit(node.value)
            self.assign(node.target, node.value)
        elif not isinstance(node.target, ast.Name):
            self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            if node.target.id == "__all__" and self.scope is self.module_scope:
                self._collect_all(node.value)
            else:
                self.bind(node.target.id, ())
        else:
            self.visit(node.target)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.bind(target.id, ())
            else:
                self.visit(target)

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, item.context_expr)
        self.body(node.body)

    visit_AsyncWith = visit_With

    def visit_Expr(self, node: ast.Expr) -> None:
        value = node.value
        if (
            self.scope is self.module_scope
            and isinstance(value, ast.Call)
            and dotted(value.func) in (["__all__", "extend"], ["__all__", "append"])
        ):
            for arg in value.args:
                self._collect_all(arg)
        self.visit(value)

    # -- expressions ----------------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in OPAQUE_NAMES:
            self._opaque = True
        if isinstance(node.ctx, ast.Load):
            found = self.resolve_chain([node.id])
            if found is not None:
                self._report_found(node, "SOT003", found, "name")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        chain = dotted(node)
        if chain is None:
            self.generic_visit(node)
            return
        found = self.resolve_chain(chain)
        if found is not None:
            self._report_found(node, "SOT003", found, "attribute")

    def visit_Call(self, node: ast.Call) -> None:
        chain = dotted(node.func)
        if chain is None:
            self.visit(node.func)
            self._call_on_result(node)
        else:
            self._opaque = self._opaque or chain[0] in OPAQUE_NAMES
            self._call(node, chain)
        consumed = self._string_sinks(node, chain)
        for arg in node.args:
            if arg is not consumed:
                self.visit(arg)
        for keyword in node.keywords:
            self.visit(keyword.value)

    def _call(self, node: ast.Call, chain: list[str]) -> None:
        found = self.resolve_chain(chain, call=True)
        if found is not None:
            if found[0].entry in self.index.deprecations.argument_only:
                # Through an instance, a method's first parameter is taken.
                bound = found[3] in ("instance", "instance-attribute") or len(chain) > 1 and any(
                    b.kind in ("self", "instance", "call") for b in self.lookup(chain[0])
                )
                self._arguments_passed(node, found[0], bound, self.scope.qualname)
            else:
                self._report_found(node, "SOT002", found, "call")
            return
        for binding in self.lookup(chain[0]):
            owner = binding.owner
            if binding.kind == "self" and owner is not None and len(chain) >= 2 and chain[1] not in owner.names:
                self._pending_self.append((binding, chain, self._anchor or node, self.scope.qualname))
                return

    def _call_on_result(self, node: ast.Call) -> None:
        """``Client().fetch_all()``: a deprecated member of the instance a call returns."""
        rest: list[str] = []
        func = node.func
        while isinstance(func, ast.Attribute):
            rest.append(func.attr)
            func = func.value
        if isinstance(func, ast.Await):
            func = func.value
        if not rest or not isinstance(func, ast.Call) or self.index.prefilter.identifiers.isdisjoint(rest):
            return
        callee = dotted(func.func)
        label = ".".join(callee or ["..."]) + "()"
        for binding in self._call_entry(func):
            found = self._through(binding, label, rest[::-1], True)
            if found is not None and found[2] not in ("result", "result-method"):
                if found[0].entry in self.index.deprecations.argument_only:
                    self._arguments_passed(node, found[0], True, self.scope.qualname)
                else:
                    self._report_found(node, "SOT002", found, "instance")
                return

    def visit_Subscript(self, node: ast.Subscript) -> None:
        chain = dotted(node.value)
        if chain and "sys.modules" in self._qualified(chain):
            self._module_string(node.slice)
        if self._in_annotation and chain and chain[-1] == "Literal":
            self.visit(node.value)  # Literal["x"] holds values, not forward references
            return
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if self._in_annotation and isinstance(node.value, str) and self._anchor is None:
            try:
                expression = ast.parse(node.value.strip(), mode="eval")
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return
            self._anchor = node
            try:
                self.visit(expression.body)
            finally:
                self._anchor = None

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._arguments(node.args)
        outer = self.scope
        self.scope = Scope("lambda", outer.qualname, outer)
        for arg in all_args(node.args):
            self.bind(arg.arg, ())
        self.visit(node.body)
        self.scope = outer

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        outer = self.scope
        self.visit(node.generators[0].iter)
        self.scope = Scope("comprehension", outer.qualname, outer)
        for i, generator in enumerate(node.generators):
            if i:
                self.visit(generator.iter)
            self.assign(generator.target, None)
            for condition in generator.ifs:
                self.visit(condition)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self.scope = outer

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comprehension

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        scope = self.scope
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        self.bind(node.target.id, self._value_entry(node.value), scope)

    def annotation(self, node: ast.expr) -> None:
        was, self._in_annotation = self._in_annotation, True
        try:
            self.visit(node)
        finally:
            self._in_annotation = was

    # -- strings that name targets -------------------------------------------------------

    def _string_sinks(self, node: ast.Call, chain: list[str] | None) -> ast.expr | None:
        """Report strings naming targets; returns an object argument the report covers."""
        if chain is None:
            return None
        args = node.args
        qualified = self._qualified(chain)
        if TYPE_EXPRESSION_SINKS.intersection(qualified) and args:
            self.annotation(args[0])  # cast("Factory", x): the string is a forward reference
            return args[0]
        if MODULE_STRING_SINKS.intersection(qualified):
            package = argument(node, 1, "package")
            if args:
                self._module_string(args[0], package)
            return None
        if chain[-1] == "patch":
            self._module_string(argument(node, 0, "target"))
            return None
        if len(chain) >= 2 and chain[-2] == "patch":
            target = argument(node, 0, "in_dict" if chain[-1] == "dict" else "target")
            if chain[-1] == "dict":
                self._module_string(target)
                values = argument(node, 1, "values")
                if self._is_sys_modules(target) and isinstance(values, ast.Dict):
                    for key in values.keys:  # patch.dict(sys.modules, {"a.b": fake})
                        self._module_string(key)
            elif chain[-1] == "object":
                attribute = argument(node, 1, "attribute")
                if target is not None and attribute is not None and self._attribute_string(target, attribute):
                    return target
            elif chain[-1] == "multiple" and target is not None:
                consumed = None
                for keyword in node.keywords:
                    if keyword.arg is None:
                        continue
                    strings = self._strings(target)
                    for string in strings:
                        self._string_target(keyword, f"{string}.{keyword.arg}")
                    if not strings and self._attribute_string(target, keyword, keyword.arg):
                        consumed = target
                return consumed
            return None
        builtin = chain[0] in ATTR_BUILTINS and len(chain) == 1 and not self.lookup(chain[0])
        method = chain[-1] in ("setattr", "delattr") and len(chain) >= 2
        if (builtin or method) and args:
            first = args[0]
            if method and any("." in string for string in self._strings(first)):
                self._module_string(first)
            elif len(args) > 1 and self._attribute_string(first, args[1]):
                return first
        return None

    def _module_string(self, node: ast.expr | None, package: ast.expr | None = None) -> None:
        for value in dict.fromkeys(self._strings(node)):
            name = value.strip().replace(":", ".")
            level = len(name) - len(name.lstrip("."))
            if level:
                base = self._package_of(package)
                if base is None:
                    continue
                name = resolve_relative(base, True, level, name[level:] or None) or ""
            assert node is not None
            self._string_target(node, name)

    def _is_sys_modules(self, node: ast.expr | None) -> bool:
        chain = dotted(node) if node is not None else None
        return ("sys.modules" in self._qualified(chain)) if chain else "sys.modules" in self._strings(node)

    def _package_of(self, package: ast.expr | None) -> str | None:
        if isinstance(package, ast.Constant) and isinstance(package.value, str):
            return package.value
        if isinstance(package, ast.Name) and package.id in ("__package__", "__name__"):
            own = self.module if self.is_package or package.id == "__name__" else self.module.rpartition(".")[0]
            return own or None
        return None

    def _attribute_string(self, obj: ast.expr, name: ast.AST, attr: str | None = None) -> bool:
        attributes = [attr] if attr is not None else self._strings(name) if isinstance(name, ast.expr) else []
        chain = dotted(obj)
        spelled = next(iter(self._spellings(chain)), None) if chain is not None else None
        if spelled is None:
            return False
        found = False
        for attribute in dict.fromkeys(a for a in attributes if a.isidentifier()):
            found = self._string_target(name, f"{spelled}.{attribute}") or found
        return found

    def _string_target(self, node: ast.AST, name: str) -> bool:
        if not is_dotted_name(name):
            return False
        found = self.index.resolve(name)
        if found is not None:
            form = "string" if isinstance(node, (ast.Constant, ast.keyword)) else "string-value"
            self._report(node, "SOT004", found, form, name)
        return found is not None

    def _collect_all(self, node: ast.expr) -> None:
        elements = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
        self._all_strings.extend(
            e for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str)
        )

    def _check_all_entry(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and node.value.isidentifier():
            found = self.resolve_chain([node.value])
            if found is not None:
                self._report_found(node, "SOT004", found, "all")

    # -- reporting ------------------------------------------------------------------------

    def _report_found(self, node: ast.AST, code: str, found: Found, form: str) -> None:
        resolution, spelled, via, shape = found
        form = "annotation-string" if self._anchor is not None else shape or form
        if via == "unbound":
            self._unbound_uses.append((spelled, self._anchor or node, code, resolution, form, self.scope.qualname))
        else:
            self._record(node, code, resolution, form, self.scope.qualname, via, spelled)

    def _report(self, node: ast.AST, code: str, resolution: Resolution, form: str, spelled: str) -> None:
        if self._anchor is not None:
            form = "annotation-string"
        self._record(node, code, resolution, form, self.scope.qualname, resolution.how, spelled)

    def _arguments_passed(self, node: ast.Call, resolution: Resolution, bound: bool, scope: str) -> None:
        """A call of a callable some of whose arguments are deprecated: each one it passes, by
        keyword, or by position where the callee's source shows which parameter that is."""
        if resolution.target != resolution.entry:
            return  # a member of the callable (`f.cache_clear()`), not a call of it
        positional: tuple[str, ...] | None = None
        for parameter, entry, rule in self.index.deprecations.arguments.get(resolution.entry, ()):
            site: ast.AST | None = next((k for k in node.keywords if k.arg == parameter), None)
            via = "direct"
            if site is None and node.args:
                if positional is None:
                    positional = self.index.positional(resolution.entry, bound) or ()
                if parameter in positional:
                    i = positional.index(parameter)
                    # Past a `*args`, which parameter an argument lands on is unknown.
                    if i < len(node.args) and not any(isinstance(a, ast.Starred) for a in node.args[: i + 1]):
                        site, via = node.args[i], "position"
            if site is not None:
                passed = Resolution(entry, rule, entry, resolution.how)
                self._record(site, "SOT002", passed, "argument", scope, via, entry)

    def _imports_real(self, found: Resolution, name: str) -> None:
        if found.target.rpartition(".")[2] == name:
            scope = self.module_scope if name in self.scope.globals else self.scope
            self._real.add((scope, name))

    def _bound_path(self, value: ast.expr) -> str | None:
        """The fully qualified name of what an assignment binds, where it is a named object."""
        chain = dotted(value)
        if chain is None:
            return None
        spelled = next(iter(self._spellings(chain)), None)
        if spelled is None and chain[0] in self._defs and not any(b.kind == "name" for b in self.lookup(chain[0])):
            spelled = ".".join([self._defs[chain[0]], *chain[1:]])
        return spelled

    def _rebinding(self, node: ast.AST, name: str, spelled: str | None) -> None:
        """SOT005: ``name``, a deprecated API's name, bound to ``spelled``, which is not that API.

        Only a rename counts (the name bound differs from the object's own), of a distinctive name
        (``create_manager``, ``OptionParser``: a plain word such as ``utc`` names many things),
        to an object that is no deprecated target at all (else its uses are findings already).
        """
        deprecations = self.index.deprecations
        if name not in deprecations.names or spelled is None or spelled.rpartition(".")[2] == name:
            return
        if not distinctive(name):
            return
        # A class body binds members, often a protocol's methods (`find_module = _shim` in a
        # finder): there only a name the configuration spells counts, not a deprecated
        # module's surface name.
        member = deprecations.named(name, self.module, configured=self.scope.kind == "class")
        entry = deprecations.match(member) if member is not None else None
        if member is None or entry is None or self.index.resolve(spelled) is not None:
            return
        owner, _, own_name = member.rpartition(".")
        summary = self.index.any_summary(owner) if owner and "*" not in member else None
        if summary is not None and any(
            target.rpartition(".")[2] == spelled.rpartition(".")[2] for target in summary.bindings.get(own_name, ())
        ):
            # The API is itself another name for an object named like this one
            # (`pkg_resources.parse_version = packaging.version.Version`, bound here as
            # `from vendored.packaging.version import Version as parse_version`): the same
            # object by another path, not a disguise.
            return
        scope = self.module_scope if name in self.scope.globals else self.scope
        self._rebound.append((node, name, deprecations.resolution(member, entry, "direct"), spelled, scope))

    def _record(
        self, node: ast.AST, code: str, resolution: Resolution, form: str, scope: str, via: str, spelled: str
    ) -> None:
        if resolution.entry in self.index.deprecations.argument_only:
            return  # only a call passing a deprecated argument uses such a callable
        anchor = self._anchor or node
        self.uses.append(
            Use(
                line=anchor.lineno,  # type: ignore[attr-defined]
                col=anchor.col_offset,  # type: ignore[attr-defined]
                end_line=anchor.end_lineno or anchor.lineno,  # type: ignore[attr-defined]
                end_col=anchor.end_col_offset or 0,  # type: ignore[attr-defined]
                code=code,
                resolution=resolution,
                form=form,
                scope=scope,
                via=via,
                spelled=spelled,
            )
        )
