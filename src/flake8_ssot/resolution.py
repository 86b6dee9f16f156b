"""Resolve dotted names to deprecated targets across the project's re-exports, aliases, class
bodies, bases and star imports, and through stale paths a half-finished migration left.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from flake8_ssot.deprecations import Deprecations, How, Resolution
from flake8_ssot.model import Config
from flake8_ssot.modules import MAX_DEPTH, Deps
from flake8_ssot.prefilter import Prefilter
from flake8_ssot.summary import ClassSummary, ModuleSummary
from flake8_ssot.surfaces import Surfaces


class Resolver(Surfaces):
    """What a dotted name reaches (the layer of :class:`flake8_ssot.index.Index` the visitor
    asks most)."""

    prefilter: Prefilter
    """Set by the index: every path to a deprecated target spells one of its identifiers."""

    def __init__(self, config: Config, deprecations: Deprecations) -> None:
        super().__init__(config, deprecations)
        self._memo: dict[str, Resolution | None] = {}
        self._built = False

    @contextlib.contextmanager
    def tracking(self) -> Iterator[Deps]:
        """Record which modules and files the resolutions made inside the block depend on."""
        # A remembered answer would hide what it depended on.
        for memo in (self._memo, self._definitions, self._returned):
            memo.clear()
        self._deps = deps = Deps()
        try:
            yield deps
        finally:
            self._deps = None
            for memo in (self._memo, self._definitions, self._returned):
                memo.clear()

    def resolve(self, dotted: str, *, arguments: bool = False) -> Resolution | None:
        """The deprecated target a fully qualified dotted name reaches, if any.

        A callable only some of whose arguments are deprecated is no deprecated target, but for
        a caller that checks the ``arguments`` a call passes.
        """
        found = self._resolved(dotted)
        if found is not None and not arguments and found.entry in self.deprecations.argument_only:
            return None
        return found

    def _resolved(self, dotted: str) -> Resolution | None:
        try:
            return self._memo[dotted]
        except KeyError:
            pass
        if dotted.count(".") > MAX_DEPTH:
            return None  # no real path is this long; a chain of aliases feeding on itself is
        if self._built and self.prefilter.identifiers.isdisjoint(dotted.split(".")):
            # Every path to a deprecated target spells an identifier somewhere in the chain
            # (a deprecated name, a member of a deprecated module, or a re-export alias),
            # so chains like os.path.join need no module summaries at all.
            self._memo[dotted] = None
            return None
        self._memo[dotted] = None  # breaks import cycles
        result = self._resolve(dotted, 0)
        self._memo[dotted] = result
        return result

    def _resolve(self, dotted: str, depth: int) -> Resolution | None:
        entry = self.deprecations.match(dotted)
        if entry is not None:
            return self.deprecations.resolution(dotted, entry, "direct")
        if depth > MAX_DEPTH:
            return None
        parts = dotted.split(".")
        # The longest prefix that is a project module decides what the next name is.
        for i in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:i])
            summary = self.summary(module)
            if summary is None:
                continue
            return self._through(module, summary, parts[i], parts[i + 1:], depth)
        # Outside the project: what an installed or standard-library module re-exports, from its
        # source (read, never imported), as the project's Python environment has it.
        for i in range(len(parts) - 1, 0, -1):
            summary = self.any_summary(".".join(parts[:i]))
            if summary is None:
                continue
            for target in summary.bindings.get(parts[i], ()):
                found = self._resolved(".".join([target, *parts[i + 1:]]))
                if found is not None:
                    return Resolution(found.target, found.rule, found.entry, _via(found.how))
            return None
        return None

    def _through(
        self, module: str, summary: ModuleSummary, name: str, rest: list[str], depth: int
    ) -> Resolution | None:
        for target in summary.bindings.get(name, ()):
            found = self._resolved(".".join([target, *rest]))
            if found is not None and self._offered(found):
                return Resolution(found.target, found.rule, found.entry, _via(found.how))
        cls = summary.classes.get(name)
        if cls is not None and rest:
            return self._inherited(cls, rest)
        if summary.binds(name):
            return None
        provided = False
        for star in summary.stars:
            star_summary = self.summary(star)
            if star_summary is None:
                provided = True  # what a module outside the project exports is unknown
            elif star_summary.binds(name) or star_summary.stars:
                provided = provided or star_summary.binds(name)
                found = self._resolved(".".join([star, name, *rest]))
                if found is not None and self._offered(found):
                    return Resolution(found.target, found.rule, found.entry, _via(found.how))
        if summary.dynamic or provided or self._submodule_exists(module, name):
            return None
        # The module does not bind the name at all: an import of it fails at runtime. When
        # the name, or the last name of a path through a vanished module, is on a deprecated
        # module's surface, this is a half-finished migration's leftover
        # (`from app.ws import create_manager`, `from app.ws.factory_v1 import create_manager`).
        for i in (0, len(rest)) if rest else (0,):
            meant = self.deprecations.stale([name, *rest][i], module)
            entry = self.deprecations.match(meant) if meant else None
            # Through a vanished module, only a sibling of the deprecated one is evidence: an
            # import hook's virtual package (`pkg.extern.vendored.f`) is no leftover.
            sibling = i == 0 or (meant is not None and meant.rpartition(".")[0].rpartition(".")[0] == module)
            if meant is not None and entry is not None and sibling:
                return self.deprecations.resolution(".".join([meant, *rest[i:]]), entry, "stale")
        return None

    def _inherited(self, cls: ClassSummary, rest: list[str]) -> Resolution | None:
        """``C.attr…`` of a project class: through its body's aliases, else its bases.

        Through a base only a deprecated member counts: a subclass of a deprecated class is
        reported where it names the base, not at each method it inherits.
        """
        attr = rest[0]
        for target in cls.aliases.get(attr, ()):
            found = self._resolved(".".join([target, *rest[1:]]))
            if found is not None:
                return Resolution(found.target, found.rule, found.entry, _via(found.how))
        if attr in cls.members:
            return None
        for base in cls.bases:
            found = self._resolved(".".join([base, *rest]))
            if found is not None and self.resolve(base) is None:
                return Resolution(found.target, found.rule, found.entry, _via(found.how))
        return None

    def member(self, cls: str, rest: list[str], *, arguments: bool = False) -> Resolution | None:
        """``x.attr…`` for an instance ``x`` of the class ``cls`` (fully qualified): through the
        bases of each class, wherever its source is (the project, an installed package, the
        standard library; read, never imported), until a class that defines ``attr``."""
        found = self.resolve(".".join([cls, *rest]), arguments=arguments)
        if found is not None or (self._built and self.prefilter.identifiers.isdisjoint(rest)):
            # An inherited member keeps its name: a deprecated one spells an identifier.
            return found
        found = self._member_of(cls, rest, arguments, set())
        return found if found is not None else self._registered(cls, rest, arguments)

    def _registered(self, cls: str, rest: list[str], arguments: bool) -> Resolution | None:
        """A deprecated member of an abstract base class that ``cls``, or a class it derives
        from, is registered with as a virtual subclass (``importlib.abc.Loader.load_module`` for
        ``SourceFileLoader``, which :mod:`importlib.abc` registers): the ABC declares the
        member, the class implements it."""
        lineage: list[str] | None = None
        for entry in self.deprecations.names.get(rest[0], ()):
            owner = entry.rpartition(".")[0]
            module = owner.rpartition(".")[0]
            summary = self.any_summary(module) if module and "*" not in entry else None
            if summary is None or not summary.registered:
                continue
            declared = self.definition(owner)
            if declared is None or declared.kind != "class":
                continue
            if lineage is None:
                lineage = self._lineage(cls)
            for abc, subclasses in summary.registered.items():
                if any(path in lineage for path in map(self._class_path, subclasses)) and (
                    declared.path in self._lineage(abc)
                ):
                    return self.resolve(".".join([entry, *rest[1:]]), arguments=arguments)
        return None

    def _class_path(self, dotted: str) -> str | None:
        definition = self.definition(dotted)
        return definition.path if definition is not None and definition.kind == "class" else None

    def _lineage(self, cls: str) -> list[str]:
        """The class and every class it derives from, fully qualified, as their source shows."""
        found: list[str] = []
        todo = [cls]
        while todo and len(found) <= MAX_DEPTH:
            path = self._class_path(todo.pop(0))
            if path is None or path in found:
                continue
            found.append(path)
            module, _, name = path.rpartition(".")
            summary = self.any_summary(module)
            klass = summary.classes.get(name) if summary is not None else None
            todo += klass.bases if klass is not None else ()
        return found

    def _member_of(self, cls: str, rest: list[str], arguments: bool, seen: set[str]) -> Resolution | None:
        definition = self.definition(cls)
        if definition is None or definition.kind != "class" or definition.path in seen or len(seen) > MAX_DEPTH:
            return None
        path = definition.path
        seen.add(path)
        if path != cls:
            found = self.resolve(".".join([path, *rest]), arguments=arguments)
            if found is not None:
                return found
        module, _, name = path.rpartition(".")
        summary = self.any_summary(module)
        klass = summary.classes.get(name) if summary is not None else None
        if klass is None or rest[0] in klass.members:
            return None
        for base in klass.bases:
            own = self.resolve(base)
            found = self.resolve(".".join([base, *rest]), arguments=arguments)
            if found is None:
                found = self._member_of(base, rest, arguments, seen)
            # Only a deprecated member: a subclass of a deprecated class is reported where it
            # names the base, not at each method it inherits.
            if found is not None and (own is None or found.entry != own.entry):
                return found
        return None

    def _aliases(self, files: Iterable[str], identifiers: set[str]) -> set[str]:
        """Names under which ``files`` re-export deprecated targets.

        A binding whose targets spell none of ``identifiers`` cannot reach one yet (a later
        round, with more identifiers, asks again), so resolving it, and reading the modules it
        imports from, is skipped.
        """
        aliases = set()
        for rel in files:
            summary = self.summary_of_file(rel)
            module = self.module_of(rel)
            # Module bindings, and class body ones (`new_name = fetch_all`: `obj.new_name()`).
            scopes = [(module, summary.bindings)]
            scopes += [(f"{module}.{name}", cls.aliases) for name, cls in summary.classes.items()]
            for owner, bindings in scopes:
                for name, targets in bindings.items():
                    if all(identifiers.isdisjoint(target.split(".")) for target in targets):
                        continue
                    found = self._resolved(f"{owner}.{name}")
                    # A name bound inside a deprecated module is reached by spelling that module
                    # (an identifier already): it is no alias (`import os` in one must not make
                    # every file that says `os` a suspect).
                    if found is not None and found.how != "direct":
                        aliases.add(name)
        return aliases


def _via(how: How) -> How:
    return "stale" if how == "stale" else "reexport"
