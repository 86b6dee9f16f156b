"""Imports: the old ones the rewrite leaves unused go, and the new code's needs are placed.

The rooms this class joins: :mod:`~flake8_ssot.fixers.needs` (what new code needs),
:mod:`~flake8_ssot.fixers.placement` (where it goes) and
:mod:`~flake8_ssot.fixers.dead_reexports` (imports only other modules used).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import GlobalScope, ImportAssignment

from flake8_ssot.fixers.common import _walk
from flake8_ssot.fixers.dead_reexports import DeadReexports
from flake8_ssot.fixers.layout import _ImportEdit, _replacing
from flake8_ssot.fixers.needs import ImportNeeds
from flake8_ssot.fixers.placement import ImportPlacement


class Imports(ImportNeeds, ImportPlacement, DeadReexports):
    def _imports(self) -> None:
        """Drop the imports the rewrite left unused; say why the deprecated ones that stay do."""
        gone: set[int] = set()
        for root, kept in self.regions:
            gone.update(id(n) for n in _walk(root, lambda n: n in kept))
        verdicts: dict[cst.ImportAlias, tuple[cst.Import | cst.ImportFrom, bool, bool]] = {}
        for scope in {s for s in self.scopes.values() if s is not None}:
            for assignment in scope.assignments:
                statement = getattr(assignment, "node", None)
                if not isinstance(assignment, ImportAssignment) or not isinstance(
                    statement, (cst.Import, cst.ImportFrom)
                ) or isinstance(statement.names, cst.ImportStar):
                    continue
                for alias in statement.names:
                    local = alias.evaluated_alias or alias.evaluated_name
                    if local != assignment.name and not local.startswith(assignment.name + "."):
                        continue
                    refs = [r.node for r in assignment.references]
                    _, touched, left = verdicts.get(alias, (statement, False, False))
                    touched = touched or any(id(r) in gone for r in refs)
                    left = left or any(id(r) not in gone for r in refs)
                    verdicts[alias] = (statement, touched, left)
        removed_from: dict[cst.Import | cst.ImportFrom, list[cst.ImportAlias]] = {}
        reexported: dict[str, list[cst.ImportAlias]] = {}
        for alias, (statement, touched, left) in verdicts.items():
            if alias in self.moved:
                continue
            local = (alias.evaluated_alias or alias.evaluated_name).split(".")[0]
            deprecated = [i for i in self.by_node.get(alias, ()) if self.uses[i].status != "noqa"]
            silenced = len(deprecated) < len(self.by_node.get(alias, ()))  # its `# noqa` keeps it
            importable = (isinstance(statement, cst.ImportFrom) or alias.asname is not None) and isinstance(
                self.scopes.get(statement), GlobalScope
            )  # another module may import the name from here
            if touched and not left and not silenced and local not in self.exported and alias not in self.kept_imports:
                if not (importable and local in self.keep):
                    removed_from.setdefault(statement, []).append(alias)
                    if importable:
                        self.unused_imports.append(local)
                    for i in deprecated:
                        self.fixed.add(i)
                        self.manual.pop(i, None)
                    continue
            if not left and not silenced and deprecated and alias not in self.kept_imports and importable:
                reexported.setdefault(local, []).append(alias)
            for i in deprecated:
                if not self._open(i):
                    continue
                if left:
                    self.manual[i] = f"{local} is still used where the fix leaves the code as it is"
                elif local in self.exported:
                    self.manual[i] = f"re-exported in __all__: remove {local} when nothing imports it from here"
                else:
                    self.manual[i] = f"{local} is not used in this file (a re-export?): remove it by hand"
        for local, aliases in reexported.items():
            self._reexport(local, aliases, removed_from)
        for statement, aliases in removed_from.items():
            names = statement.names
            assert not isinstance(names, cst.ImportStar)
            line = self.parents.get(statement)
            edit = self.import_edits.get(statement)
            # Names a move split off to their new module's line go as well (`_regroup`).
            dropped: set[cst.ImportAlias] = {*aliases, *(edit.drop if edit is not None else ())}
            if len(dropped) == len(names) and isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
                comment = line.trailing_whitespace.comment
                if comment is not None:
                    self.dropped_comments.append(comment.value)
                # Comments between the names annotate them: they go with them.
                self.dropped_comments.extend(n.value for n in _walk(statement) if isinstance(n, cst.Comment))
                split_off = self.inserted.pop(line, [])
                if split_off:  # the moved names' new line takes the old one's place
                    self.import_edits.pop(statement, None)
                    first = split_off[0].body[0]
                    self.replaced_statements[line] = _replacing(line, first)
                    if split_off[1:]:
                        self.inserted[line] = split_off[1:]
                    continue
                self.removed.add(line)
                self.removed_imports.add(line)
            else:
                self.import_edits.setdefault(statement, _ImportEdit()).drop.update(aliases)
        self._place_needs()
