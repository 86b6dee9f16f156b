"""What objects are and what calling them gives, from the modules' source (read, never
imported): where a dotted name is defined (:class:`Definition`), what a call returns, and which
parameters a call's positional arguments land on. The value flow of the visitor rests on it.
"""

from __future__ import annotations

from typing import Literal

from flake8_ssot.deprecations import Deprecations
from flake8_ssot.model import Config
from flake8_ssot.modules import MAX_DEPTH, Modules
from flake8_ssot.records import Record
from flake8_ssot.summary import Facts, ModuleSummary, Params

DefinitionKind = Literal["module", "class", "function", "member"]
Returned = tuple[Literal["instance", "object"], str]
"""What a call gives: an instance of the class named, or the object named itself."""


class Definition(Record):
    """Where an object is defined: ``path``, fully qualified; for a function, what it
    ``returns`` (see :class:`flake8_ssot.summary.ModuleSummary`) and its ``params`` a call can
    pass by position, where its source shows them."""

    __slots__ = ("kind", "path", "returns", "params")

    def __init__(self, kind: DefinitionKind, path: str, returns: Facts = (), params: Params | None = None) -> None:
        self.kind, self.path, self.returns, self.params = kind, path, returns, params


def _class_like(name: str) -> bool:
    return name[:1].isupper() and not name.isupper()


class Definitions(Modules):
    """Where objects are defined and what calling them returns (a layer of
    :class:`flake8_ssot.index.Index`)."""

    def __init__(self, config: Config, deprecations: Deprecations) -> None:
        super().__init__(config, deprecations)
        self._definitions: dict[str, Definition | None] = {}
        self._returned: dict[str, tuple[Returned, ...]] = {}

    def definition(self, dotted: str, depth: int = 0) -> Definition | None:
        """Where the object a dotted name refers to is defined, following imports and aliases."""
        try:
            return self._definitions[dotted]
        except KeyError:
            pass
        self._definitions[dotted] = None  # breaks import cycles
        found = self._definition(dotted, depth) if depth <= MAX_DEPTH else None
        self._definitions[dotted] = found
        return found

    def _definition(self, dotted: str, depth: int) -> Definition | None:
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            module = ".".join(parts[:i])
            summary = self.any_summary(module)
            if summary is None:
                continue
            if i == len(parts):
                return Definition("module", module)
            return self._member(module, summary, parts[i], parts[i + 1:], depth)
        return None

    def _member(self, module: str, summary: ModuleSummary, name: str, rest: list[str], depth: int) -> Definition | None:
        cls = summary.classes.get(name)
        path = f"{module}.{name}"
        if cls is not None:
            if not rest:
                return Definition("class", path)
            attr, more = rest[0], rest[1:]
            for target in cls.aliases.get(attr, ()):
                found = self.definition(".".join([target, *more]), depth + 1)
                if found is not None:
                    return found
            if attr in cls.members:
                facts = summary.returns.get(f"{name}.{attr}")
                kind: DefinitionKind = "function" if facts is not None else "member"
                params = summary.params.get(f"{name}.{attr}")
                return None if more else Definition(kind, f"{path}.{attr}", facts or (), params)
            for base in cls.bases:
                found = self.definition(".".join([base, *rest]), depth + 1)
                if found is not None:
                    return found
            return None
        for target in summary.bindings.get(name, ()):
            found = self.definition(".".join([target, *rest]), depth + 1)
            if found is not None:
                return found
        if name in summary.defined:
            facts = summary.returns.get(name)
            if rest:
                return None
            if facts is None:
                return Definition("member", path)
            return Definition("function", path, facts, summary.params.get(name))
        for star in summary.stars:
            star_summary = self.any_summary(star)
            if star_summary is not None and (star_summary.binds(name) or star_summary.stars):
                found = self.definition(".".join([star, name, *rest]), depth + 1)
                if found is not None:
                    return found
        return None

    def returned(self, dotted: str, depth: int = 0) -> tuple[Returned, ...]:
        """What calling the object ``dotted`` names returns, as far as its source shows.

        A class gives an instance of itself; a function what its return annotation names, or
        else what its ``return`` statements return (calls followed into what they return).
        Where no source can be read, only a name spelled like a class (``OptionParser``) is
        taken to give an instance: the rest gives nothing known, so nothing is carried on.
        """
        try:
            return self._returned[dotted]
        except KeyError:
            pass
        self._returned[dotted] = ()  # breaks cycles (a recursive function)
        found: list[Returned] = []
        definition = self.definition(dotted) if depth <= MAX_DEPTH else None
        if definition is None:
            if _class_like(dotted.rpartition(".")[2]):
                found.append(("instance", dotted))
        elif definition.kind == "class":
            found.append(("instance", definition.path))
        elif definition.kind == "function":
            for fact in definition.returns:
                kind, _, name = fact.partition(":")
                if kind == "A" and name != "?":
                    named = self.definition(name)
                    if named is not None and named.kind == "class":
                        found.append(("instance", named.path))
                    elif named is None and _class_like(name.rpartition(".")[2]):
                        found.append(("instance", name))
                elif kind == "C":
                    found.extend(self.returned(name, depth + 1))
                elif kind == "R":
                    named = self.definition(name)
                    found.append(("object", named.path if named is not None else name))
        result = tuple(dict.fromkeys(found))
        self._returned[dotted] = result
        return result

    def positional(self, dotted: str, bound: bool) -> tuple[str, ...] | None:
        """The parameters a call of ``dotted`` passes its positional arguments to, in order, as
        its source shows (read, never imported); None where no source shows them.

        ``bound``: called through an instance (``obj.method(...)``), which takes the first
        parameter of a method. A class is called through its ``__init__`` (or ``__new__``).
        """
        definition = self.definition(dotted)
        if definition is not None and definition.kind == "class":
            for constructor in ("__init__", "__new__"):
                found = self.definition(f"{definition.path}.{constructor}")
                if found is not None and found.params is not None:
                    return found.params[2:]
            return None
        if definition is None or definition.params is None:
            return None
        kind, *names = definition.params
        skip = kind == "classmethod" or (kind == "method" and bound)
        return tuple(names[1:] if skip else names)
