"""What names mean in one file's text, read by the engine's own visitor and resolver: `fix`
checks a rewrite by meaning with it (each name it wrote reaches what the template meant, no
other name reaches something else)."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator

from flake8_ssot.index import Deprecations, Index
from flake8_ssot.model import Config, Rule
from flake8_ssot.paths import resolve_relative

MEANT_FORMS = frozenset({"name", "attribute", "call"})
"""Uses whose meaning is fixed by the file's bindings alone (not by what an instance holds)."""

Meaning = tuple[str, int, int]
"""(the probed name a chain reaches, line, column in UTF-8 bytes)."""


class Probe:
    """Asks, of one file's texts, which chains reach each of a set of fully qualified names."""

    def __init__(self, config: Config, relpath: str, names: Collection[str]) -> None:
        rules = (Rule("meaning", tuple(sorted(names))),)
        probe = Config(config.root, config.source, rules, src=config.src, cache=False)
        self.index = _ProbeIndex(probe, Deprecations(probe.rules))
        self.relpath = relpath
        self.module = self.index.module_of(relpath)

    def entry(self, dotted: str) -> str | None:
        """The probed name ``dotted`` counts as (itself, or its longest probed prefix)."""
        return self.index.deprecations.match(dotted)

    def read(self, tree: ast.Module) -> list[Meaning] | None:
        """Each chain of the module that reaches a probed name through the file's bindings (None:
        too deep to read)."""
        from flake8_ssot.visitor import Visitor  # the fix verb only

        try:
            uses = Visitor(self.index, self.module, self.relpath.endswith("__init__.py")).run(tree)
        except RecursionError:
            return None
        return [
            (u.resolution.entry, u.line, u.col) for u in uses
            if u.form in MEANT_FORMS and u.via not in ("unbound", "instance", "stale")
        ]


class _ProbeIndex(Index):
    """An index that knows only the probed names, as spelled: what the configured names' own
    modules offer (their surfaces, other paths defining them) is the real index's business."""

    def _learn_surfaces(self) -> None:
        pass


def imported(tree: ast.Module, module: str, is_package: bool) -> Iterator[str]:
    """The fully qualified names the module's imports bind (``a`` and ``a.b`` for ``import a.b``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
                if alias.asname is None:
                    yield alias.name.partition(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = resolve_relative(module, is_package, node.level, node.module)
            if base is None:
                continue
            for alias in node.names:
                if alias.name != "*":
                    yield f"{base}.{alias.name}"
