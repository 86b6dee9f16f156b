"""Dead re-exports: a module-level import of a deprecated name that only other modules used.

`fix` decides on the whole project which ones nothing reaches any more (:attr:`drop`); this
room finds them in one file, with their ``__all__`` entries, and removes those it is told to.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ImportAssignment

from flake8_ssot.fixers.common import _all_strings, _called
from flake8_ssot.fixers.results import Reexport
from flake8_ssot.fixers.state import RewriterState


class DeadReexports(RewriterState):
    def _reexport(
        self,
        local: str,
        aliases: list[cst.ImportAlias],
        removed_from: dict[cst.Import | cst.ImportFrom, list[cst.ImportAlias]],
    ) -> None:
        """A module-level import of a deprecated name that nothing in the module uses: a re-export.

        It is one only if these imports are all that bind the name, and every ``__all__`` entry
        naming it can be taken out with it (an entry left behind would break ``import *``).
        Removed when ``local`` is in :attr:`drop`, else recorded for `fix` to decide.
        """
        statements = {self.parents.get(alias): alias for alias in aliases}
        scope = self.scopes.get(next(iter(statements)) or self.tree)
        assert scope is not None
        if not all(isinstance(a, ImportAssignment) and a.node in statements for a in scope.assignments[local]):
            return
        found = {
            i: node for i, use in enumerate(self.uses)
            if use.form == "all" and isinstance(node := self.nodes.get(i), cst.SimpleString)
            and node.evaluated_value == local
        }
        entries = list(found)
        plans = {id(node): self._entry_plan(node) for node in found.values()}
        strings = [s for s in _all_strings(self.tree) if s.evaluated_value == local]
        if any(self.uses[i].status == "noqa" for i in entries) or any(plans.get(id(s)) is None for s in strings):
            return
        imports = [i for alias in aliases for i in self.by_node.get(alias, ()) if self.uses[i].status != "noqa"]
        reexport = Reexport(local, tuple(self.uses[i] for i in (*imports, *entries)))
        if local not in self.drop:
            self.reexports.append(reexport)
            return
        self.removed_reexports.append(reexport)
        for alias in aliases:
            statement = self.parents.get(alias)
            assert isinstance(statement, (cst.Import, cst.ImportFrom))
            removed_from.setdefault(statement, []).append(alias)
        for i in (*imports, *entries):
            self.fixed.add(i)
            self.manual.pop(i, None)
        for plan in plans.values():
            assert plan is not None
            if isinstance(plan, cst.SimpleStatementLine):
                self.removed.add(plan)
            else:
                self.element_drops.setdefault(plan[0], set()).add(plan[1])

    def _entry_plan(self, string: cst.SimpleString) -> tuple[cst.CSTNode, int] | cst.SimpleStatementLine | None:
        """How an ``__all__`` entry goes: (its list or tuple, its index there), or the line
        ``__all__.append("name")`` that goes whole; None for a shape left to a person."""
        parent = self.parents.get(string)
        if isinstance(parent, cst.Element):
            display = self.parents.get(parent)
            holder = self.parents.get(display) if display is not None else None
            if not isinstance(display, (cst.List, cst.Tuple)) or not (
                isinstance(holder, (cst.Assign, cst.AnnAssign, cst.AugAssign))
                or isinstance(holder, cst.Arg) and _called(self.parents.get(holder)) == "__all__.extend"
            ):  # pragma: no cover - the engine reports entries of just these shapes; any other stays
                return None
            return display, next(k for k, e in enumerate(display.elements) if e is parent)
        call = self.parents.get(parent) if isinstance(parent, cst.Arg) else None
        expression = self.parents.get(call) if isinstance(call, cst.Call) else None
        line = self.parents.get(expression) if isinstance(expression, cst.Expr) else None
        if (
            _called(call) == "__all__.append" and isinstance(call, cst.Call) and len(call.args) == 1
            and isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1
        ):
            return line
        return None
