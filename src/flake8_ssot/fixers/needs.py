"""The imports new code needs, and whether the names it uses are free where it goes."""

from __future__ import annotations

import builtins
import functools
from collections.abc import Iterable

import libcst as cst
from libcst.metadata import BuiltinAssignment, GlobalScope, ImportAssignment

from flake8_ssot.fixers.common import _code
from flake8_ssot.fixers.matching import _Check
from flake8_ssot.fixers.state import RewriterState
from flake8_ssot.fixers.templates import Spelling
from flake8_ssot.paths import resolve_relative


class ImportNeeds(RewriterState):
    def _imported_by_name(self, spelling: Spelling) -> bool | None:
        """Whether this file imports ``spelling``'s module, else its neighbours (modules of the same
        top-level package), by name (True) or as modules (False); None when it does neither."""
        plain, by_name = self._import_styles
        module = spelling.module or ""
        if module in plain:
            return False
        if module in by_name:
            return True
        top = module.split(".")[0]
        neighbours_by_name = any(m.split(".")[0] == top for m in by_name)
        neighbours_plain = any(m.split(".")[0] == top for m in plain)
        if neighbours_by_name != neighbours_plain:
            return neighbours_by_name
        return None

    @functools.cached_property
    def _import_styles(self) -> tuple[set[str], set[str]]:
        """Modules this file imports as modules (``import a.b``), and those it imports names from."""
        plain: set[str] = set()
        by_name: set[str] = set()
        for node in self._import_statements:
            if isinstance(node, cst.Import):
                plain.update(a.evaluated_name for a in node.names if a.asname is None)
            elif isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None:
                by_name.add(_code(node.module))
        return plain, by_name

    @functools.cached_property
    def _import_statements(self) -> list[cst.Import | cst.ImportFrom]:
        """The file's import statements, in order (from the scopes, without walking the tree again)."""
        found = {
            a.node for scope in {id(s): s for s in self.scopes.values() if s is not None}.values()
            for a in scope.assignments if isinstance(a, ImportAssignment)
            and isinstance(a.node, (cst.Import, cst.ImportFrom))
        }
        return sorted(found, key=lambda n: (self.positions[n].start.line, self.positions[n].start.column))

    @functools.cached_property
    def _import_bindings(self) -> list[tuple[cst.ImportAlias, cst.Import | cst.ImportFrom, str, str, str]]:
        """Every name an import of this file binds: (alias, statement, local name, what it means,
        how code spells that meaning through it). ``import a.b`` binds ``a`` but new code writes
        ``a.b...`` through it; ``import a.b as m`` and ``from a import b [as c]`` mean the object."""
        found: list[tuple[cst.ImportAlias, cst.Import | cst.ImportFrom, str, str, str]] = []
        for node in self._import_statements:
            if isinstance(node, cst.Import):
                for alias in node.names:
                    name = alias.evaluated_name
                    local = alias.evaluated_alias
                    found.append((alias, node, local or name.split(".")[0], name, local or name))
            elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
                module = self._from_module(node)
                if module is None:
                    continue
                for alias in node.names:
                    local = alias.evaluated_alias or alias.evaluated_name
                    found.append((alias, node, local, f"{module}.{alias.evaluated_name}", local))
        return found

    def _through_binding(self, spelling: Spelling, at: cst.CSTNode) -> str | None:
        """``spelling``'s dotted name written through an import in scope at ``at`` that means exactly
        a prefix of it (``dt.timezone.utc`` after ``import datetime as dt``), else None.

        The import must be the only binding of its name there, run before ``at`` (not only under
        ``if TYPE_CHECKING:``), and bring the name's module (``import a`` does not load ``a.b``).
        The import is kept, as new code reads it.
        """
        if spelling.module is None:
            return None
        dotted = spelling.dotted
        scope = self.scopes.get(at)
        if scope is None:
            return None
        best: tuple[int, cst.ImportAlias, str] | None = None
        for alias, statement, local, meaning, written in self._import_bindings:
            if not (dotted == meaning or dotted.startswith(meaning + ".")):
                continue
            if len(meaning) < len(spelling.module) and isinstance(statement, cst.Import):
                continue  # `import a` does not load the submodule `a.b` the name lives in
            if best is not None and best[0] >= len(meaning):
                continue
            assignments = [a for a in scope[local] if not isinstance(a, BuiltinAssignment)]
            if len(assignments) != 1 or not isinstance(assignments[0], ImportAssignment):
                continue
            if assignments[0].node is not statement or self._type_checking_only(statement):
                continue
            if isinstance(scope, GlobalScope) and self._before(at, statement):
                continue
            best = (len(meaning), alias, written + dotted[len(meaning):])
        if best is None:
            return None
        self.kept_imports.add(best[1])
        return best[2]

    def _type_checking_only(self, node: cst.CSTNode) -> bool:
        parent = self.parents.get(node)
        while parent is not None:
            if isinstance(parent, cst.If) and "TYPE_CHECKING" in _code(parent.test):
                return True
            parent = self.parents.get(parent)
        return False

    def _before(self, at: cst.CSTNode, statement: cst.CSTNode) -> bool:
        """Whether ``at`` comes before ``statement`` in the file."""
        here, there = self.positions.get(at), self.positions.get(statement)
        if here is None or there is None:
            return False
        return (here.start.line, here.start.column) < (there.start.line, there.start.column)

    def _free(self, name: str) -> bool:
        return name not in self.names_in_file and not hasattr(builtins, name)

    def _check_needs(self, spellings: Iterable[Spelling], at: cst.CSTNode) -> _Check | str:
        """The imports new code at ``at`` needs, or why a name it uses is not free there."""
        needs = []
        for spelling in spellings:
            provided = self._provided(spelling, at)
            if isinstance(provided, str):
                return provided
            if not provided:
                needs.append(spelling.need)
        return _Check(tuple(needs))

    def _add_needs(self, check: _Check, at: cst.CSTNode) -> None:
        for key in check.needs:
            self.needs.setdefault(key, []).append(at)

    def _provided(self, spelling: Spelling, at: cst.CSTNode) -> bool | str:
        """True when the name new code uses already means the right thing at ``at``; a reason on conflict."""
        bound = spelling.module.split(".")[0] if spelling.whole and spelling.module else spelling.name
        scope = self.scopes.get(at)
        assignments = [a for a in scope[bound] if not isinstance(a, BuiltinAssignment)] if scope is not None else []
        if spelling.module is None:  # a builtin: compiling the templates checked it is one
            return True if not assignments else f"{bound} means something else here"
        if spelling.whole:
            imports = [getattr(a, "node", None) for a in assignments]
            if not all(isinstance(node, cst.Import) for node in imports):
                return f"{bound} already means something else here"
            same = [
                a for node in imports if isinstance(node, cst.Import) for a in node.names
                if a.evaluated_name == spelling.module and a.asname is None
            ]
            if same:
                self.kept_imports.update(same)  # new code reads it: the import stays
                return True
            if imports:
                return False
        for assignment in assignments:
            node = getattr(assignment, "node", None)
            if isinstance(assignment, ImportAssignment) and isinstance(node, cst.ImportFrom) and not isinstance(
                node.names, cst.ImportStar
            ) and self._from_module(node) == spelling.module:
                aliases = [a for a in node.names if a.evaluated_name == bound and a.evaluated_alias in (None, bound)]
                if aliases:
                    self.kept_imports.update(aliases)
                    return True
            return f"{bound} already means something else here"
        if spelling.need in self.needs:
            return False
        if bound in self.names_in_file or hasattr(builtins, bound):
            return f"{bound} already means something else in this file"
        return False

    def _from_module(self, statement: cst.ImportFrom) -> str | None:
        module = _code(statement.module) if statement.module is not None else None
        return resolve_relative(self.module_name, self.is_package, len(statement.relative), module or None)
