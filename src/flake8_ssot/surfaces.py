"""What a deprecated module offers (its *surface*), learned from its source when the index is
made: which configured names are modules, which are defined under another path, which names a
stale path or an unbound name may spell; and whether a binding re-exports that surface.
"""

from __future__ import annotations

import os

from flake8_ssot import sources
from flake8_ssot.definitions import Definitions
from flake8_ssot.deprecations import Deprecations, Resolution, distinctive, word
from flake8_ssot.model import Config
from flake8_ssot.summary import ModuleSummary


class Surfaces(Definitions):
    """The deprecated modules' surfaces (a layer of :class:`flake8_ssot.index.Index`)."""

    def __init__(self, config: Config, deprecations: Deprecations) -> None:
        super().__init__(config, deprecations)
        self.surfaces: dict[str, frozenset[str]] = {}
        """Deprecated module -> its surface: the names it offers (see :meth:`_surface`)."""

    def _learn_surfaces(self) -> None:
        """Complete the deprecations from the source of what they name (once, when the index is
        made): surfaces, the paths that define configured names, the names nothing defines."""
        for entry in list(self.deprecations.entries):
            if "*" in entry:
                # Matches modules by name, whatever exists: imports from them may re-export.
                self.deprecations.maybe_modules.add(word(entry))
                continue
            summary = self.any_summary(entry)
            if summary is not None:
                self.surfaces[entry] = self._surface(entry, summary)
                self.deprecations.add_members(entry, sorted(filter(distinctive, self.surfaces[entry])))
                continue
            # A configured name that another module defines deprecates the object under
            # the path that defines it too (`asyncio.get_event_loop`: `asyncio.events`).
            definition = self.definition(entry)
            if definition is None or definition.kind == "module":
                # Not known to be a name of a module that exists: no stale path can mean it.
                self.deprecations.forget_stale(entry)
                # Perhaps a module that was deleted: imports from it may still re-export.
                self.deprecations.maybe_modules.add(entry.rsplit(".", 1)[-1])
            elif definition.path != entry:
                self.deprecations.add_path(definition.path, entry)

    def _surface(self, entry: str, summary: ModuleSummary) -> frozenset[str]:
        """What a deprecated module offers: its literal ``__all__``, else its public definitions.

        Names it imports are not its own (a logger's module, ``typing.Dict``, the SSOT class it
        builds): they are uses only when spelled through its path, never under a re-export or
        a stale path. Names a deprecated package imports from its own modules are its own, though.
        """
        names = set(summary.offered())
        if summary.all_names is None:
            names.update(n for n in summary.imported if not n.startswith("_"))
        return frozenset(
            n for n in names
            if n not in summary.imported
            or any(t.startswith(entry + ".") for t in summary.bindings.get(n, ()))
        )

    def _offered(self, found: Resolution) -> bool:
        """Whether a binding to what ``found`` names re-exports the deprecated surface (a name a
        deprecated module merely imports, such as its logger, is no deprecated name elsewhere)."""
        module = self._matched(found) if "*" in found.entry else found.entry
        surface = self.surfaces.get(module) if module is not None else None
        if module is not None and surface is None and "*" in found.entry:
            summary = self.any_summary(module)
            if summary is not None:
                surface = self.surfaces[module] = self._surface(module, summary)
        if found.how != "direct" or surface is None or module is None or found.target == module:
            return True
        return found.target[len(module) + 1:].split(".")[0] in surface

    def _matched(self, found: Resolution) -> str | None:
        """The module path a wildcard matched in ``found.target`` (its longest matching prefix)."""
        dotted = found.target
        patterns = [pattern for pattern, entry in self.deprecations.wildcards if entry == found.entry]
        while dotted:
            if any(pattern.match(dotted) for pattern in patterns):
                return dotted
            dotted = dotted.rpartition(".")[0]
        return None

    def _submodule_exists(self, module: str, name: str) -> bool:
        """``module.name`` is a module of any kind: source, stub, extension, namespace folder."""
        if self.module_file(f"{module}.{name}"):
            return True
        relpath = self.module_file(module)
        return relpath is not None and relpath.endswith("/__init__.py") and sources.exists_in(
            os.path.join(self.root, relpath.rpartition("/")[0]), name
        )
