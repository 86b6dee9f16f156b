"""Where each import the new code needs goes: joined, in the old import's place, or at the top."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ImportAssignment

from flake8_ssot.fixers.common import _STRINGS, _code, _dotted_node
from flake8_ssot.fixers.layout import _ImportEdit, _insert_alias, _replacing
from flake8_ssot.fixers.state import RewriterState


class ImportPlacement(RewriterState):
    def _place_needs(self) -> None:
        """Where each import the new code needs goes.

        Into a ``from`` line of its module at the top; else where the import the old code used
        was, in the same block (so under the same ``try``/``if`` guard, in the same function,
        after the same ``sys.path`` set-up): in its place if the rewrite removed it, else right
        after it; else in place of a removed import of the function, then of the module; else
        after the top import block (AddImportsVisitor).
        """
        for (module, name), sites in list(self.needs.items()):
            del self.needs[module, name]
            existing = next(
                (
                    s.body[0] for s in self.tree.body
                    if isinstance(s, cst.SimpleStatementLine) and s not in self.removed
                    and isinstance(s.body[0], cst.ImportFrom) and not isinstance(s.body[0].names, cst.ImportStar)
                    and self._from_module(s.body[0]) == module
                    and self.import_edits.get(s.body[0], _ImportEdit()).module is None
                ),
                None,
            ) if name is not None else None
            if existing is not None and name is not None:
                self.import_edits.setdefault(existing, _ImportEdit()).add.append(name)
                continue
            statement: cst.Import | cst.ImportFrom = (
                cst.Import([cst.ImportAlias(_dotted_node(module))]) if name is None
                else cst.ImportFrom(module=_dotted_node(module), names=[cst.ImportAlias(cst.Name(name))])
            )
            unanchored: list[cst.CSTNode] = []
            top: list[cst.CSTNode] = []
            placed: set[cst.CSTNode] = set()
            """Blocks the new import went to."""
            for site in sites:
                line = self._old_import_line(site)
                if line is None or self._in_top_block(line):
                    (unanchored if line is None else top).append(site)
                    continue
                block = self.parents.get(line)
                assert block is not None
                if block in placed:
                    continue
                placed.add(block)
                if name is not None and self._join_planned(block, module, name):
                    continue
                if line in self.removed_imports:
                    self.replaced_statements[line] = _replacing(line, statement)
                    self.removed.discard(line)
                    self.removed_imports.discard(line)
                else:
                    self.inserted.setdefault(line, []).insert(0, cst.SimpleStatementLine([statement]))
            if top and not (name is not None and self._join_planned(self.tree, module, name)):
                if not self._replace_removed(self.tree, statement):
                    self._place_top(statement)
                continue
            left: list[cst.CSTNode] = []
            for function in dict.fromkeys(self._function(site) for site in unanchored):
                if not (isinstance(function, cst.FunctionDef) and self._replace_removed(function.body, statement)):
                    left.extend(site for site in unanchored if self._function(site) is function)
            if left and not self._replace_removed(self.tree, statement):
                self._place_top(statement)

    def _place_top(self, statement: cst.Import | cst.ImportFrom) -> None:
        """After the module's top import block (its docstring, ``from __future__`` and the imports
        that open it), or first; the statement after it keeps its own blank lines (a ``def`` or
        ``class`` right below gets PEP 8's two). A star import provides nothing here: the name
        is imported all the same, so that the file says where it comes from."""
        if isinstance(statement, cst.ImportFrom) and statement.module is not None and not isinstance(
            statement.names, cst.ImportStar
        ) and self._join_planned(self.tree, _code(statement.module), statement.names[0].evaluated_name):
            return
        body = list(self.tree.body)
        after: cst.SimpleStatementLine | None = None
        for k, line in enumerate(body):
            small = line.body if isinstance(line, cst.SimpleStatementLine) else None
            if small is None:
                break
            docstring = k == 0 and len(small) == 1 and isinstance(small[0], cst.Expr) and isinstance(
                small[0].value, _STRINGS
            )
            if not docstring and not all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in small):
                break
            if line not in self.removed and isinstance(line, cst.SimpleStatementLine):
                after = line
        new = cst.SimpleStatementLine([statement])
        following = body[body.index(after) + 1] if after is not None and body.index(after) + 1 < len(body) else (
            body[0] if after is None and body else None
        )
        if isinstance(following, (cst.FunctionDef, cst.ClassDef)) and not following.leading_lines:
            self.two_blank_lines.add(following)
        lines = self.inserted.setdefault(after, []) if after is not None else self.before.setdefault(body[0], [])
        lines.append(new)
        # As isort writes them: ``import a`` lines, then ``from a import b`` lines, each by module.
        lines.sort(key=lambda line: (isinstance(line.body[0], cst.ImportFrom), _code(line.body[0])))

    def _join_planned(self, block: cst.CSTNode, module: str, name: str) -> bool:
        """Add ``name`` to a ``from module import ...`` line this rewrite writes into ``block``."""
        def joined(line: cst.SimpleStatementLine) -> cst.SimpleStatementLine | None:
            statement = line.body[0] if len(line.body) == 1 else None
            if not (isinstance(statement, cst.ImportFrom) and not statement.relative
                    and statement.module is not None and _code(statement.module) == module
                    and not isinstance(statement.names, cst.ImportStar)):
                return None
            if any(a.evaluated_name == name and a.asname is None for a in statement.names):
                return line
            names = _insert_alias(list(statement.names), cst.ImportAlias(cst.Name(name)))
            return line.with_changes(body=[statement.with_changes(names=names)])

        for old, line in self.replaced_statements.items():
            if self.parents.get(old) is block and (new := joined(line)) is not None:
                self.replaced_statements[old] = new
                return True
        for old, lines in self.inserted.items():
            if self.parents.get(old) is not block:
                continue
            for k, line in enumerate(lines):
                if (new := joined(line)) is not None:
                    lines[k] = new
                    return True
        return False

    def _old_import_line(self, site: cst.CSTNode) -> cst.SimpleStatementLine | None:
        """The import line that bound the deprecated name the code at ``site`` used."""
        for anchor in self.need_anchors.get(site, [site]):
            node: cst.CSTNode = anchor
            while isinstance(node, (cst.Call, cst.Attribute, cst.Subscript, cst.Await)):
                if isinstance(node, cst.Call):
                    node = node.func
                elif isinstance(node, cst.Await):
                    node = node.expression
                else:
                    node = node.value
            scope = self.scopes.get(node) if isinstance(node, cst.Name) else None
            if scope is None:
                continue
            assert isinstance(node, cst.Name)
            for assignment in scope[node.value]:
                statement = getattr(assignment, "node", None)
                if isinstance(assignment, ImportAssignment) and isinstance(statement, (cst.Import, cst.ImportFrom)):
                    line = self.parents.get(statement)
                    if isinstance(line, cst.SimpleStatementLine):
                        return line
        return None

    def _in_top_block(self, line: cst.SimpleStatementLine) -> bool:
        """A module-level line with nothing but imports (and a docstring) above it."""
        body = list(self.tree.body)
        if line not in body:
            return False
        for k, statement in enumerate(body[:body.index(line)]):
            small = statement.body if isinstance(statement, cst.SimpleStatementLine) else None
            if small is None:
                return False
            if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in small):
                continue
            if k == 0 and len(small) == 1 and isinstance(small[0], cst.Expr) and isinstance(
                small[0].value, _STRINGS
            ):
                continue
            return False
        return True

    def _replace_removed(self, block: cst.CSTNode, statement: cst.Import | cst.ImportFrom) -> bool:
        """Put ``statement`` where the block's first removed import was."""
        statements = block.body if isinstance(block, (cst.IndentedBlock, cst.Module)) else ()
        removed = next((s for s in statements if s in self.removed_imports), None)
        if removed is None:
            return False
        assert isinstance(removed, cst.SimpleStatementLine)
        self.replaced_statements[removed] = _replacing(removed, statement)
        self.removed.discard(removed)
        self.removed_imports.discard(removed)
        return True
