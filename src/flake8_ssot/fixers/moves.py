"""Moved names: imports rewritten in place, uses renamed, ``__all__`` entries kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst
from libcst.metadata import Assignment, GlobalScope, ImportAssignment

from flake8_ssot.fixers.common import _chain_head, _code, _dotted_node, _replace_with, chain_of
from flake8_ssot.fixers.layout import _ImportEdit
from flake8_ssot.fixers.state import RewriterState
from flake8_ssot.fixers.templates import Spelling, _installed, spell
from flake8_ssot.model import Finding


class Moves(RewriterState):
    def _move(self, use: Finding) -> str | None:
        for move in self.templates.moves.get(use.rule, ()):
            new = move.apply(use.target)
            if new is not None:
                return new
        return None

    def _moves(self) -> None:
        # Nodes that read an import rewritten in place -> how to rewrite them (None: unchanged).
        readers: dict[cst.CSTNode, Callable[[Any], cst.CSTNode] | None] = {}
        moved_from: dict[cst.CSTNode, dict[cst.ImportAlias, tuple[str, cst.ImportAlias]]] = {}
        for i, use in enumerate(self.uses):
            node = self.nodes.get(i)
            new = self._move(use) if node is not None and self._open(i) else None
            if new is None or use.form not in ("import", "import-from", "import-star") or self.templates.member(use):
                continue
            assert node is not None
            reason = self._move_import(i, node, new, readers, moved_from)
            if reason:
                self.manual[i] = reason
        for statement, aliases in moved_from.items():
            self._regroup(statement, aliases)
        self._exports_of_moved(moved_from)
        for i, use in enumerate(self.uses):
            node = self.nodes.get(i)
            new = self._move(use) if node is not None and self._open(i) else None
            member = self.templates.member(use) if new is not None else None
            if member is not None and node is not None and use.form in ("call", "name", "attribute", "instance"):
                renamed = self._rename_member(node, member, use.target)
                if isinstance(renamed, str):
                    self.manual[i] = renamed
                elif renamed:
                    self._moved_use(i, new or "")
                else:
                    self.fixed.add(i)  # through an instance: no binding of the file's means it
                    self.written_on_instances.append(new or "")
                continue
            if new is None or use.form not in ("call", "name", "attribute"):
                continue
            assert node is not None
            chain = node.func if isinstance(node, cst.Call) else node
            part: cst.CSTNode = chain
            while part not in readers and isinstance(part, cst.Attribute):
                part = part.value
            if part in readers:
                rewrite = readers[part]
                if rewrite is not None:
                    self.exprs[part] = rewrite
                self._moved_use(i, new)
                continue
            if self._through_variable(chain):
                # `ML_COMMENT = oldName` ... `ML_COMMENT`: the variable follows its assignment,
                # which is rewritten where it reads the old name (the engine checks it did).
                self._moved_use(i, new)
                continue
            spelling = spell(new, self.index)
            if (
                isinstance(chain, cst.Attribute) and spelling.module and not spelling.rest
                and self._module_bound(chain.value) == spelling.module
            ):
                # `pp.oldName` where `pp` is the new name's own module: `pp.new_name`.
                self.exprs[chain.attr] = _replace_with(spelling.name)
                self.regions.append((chain, [chain.value]))
                self._moved_use(i, new)
                continue
            through = self._through_binding(spelling, node)
            if through is not None:  # a name the file binds already means the replacement
                self.exprs[chain] = _replace_with(through)
                self.regions.append((chain, []))
                self._moved_use(i, new)
                continue
            if "." in _code(chain) and spelling.module:
                # `old.mod.f()` keeps its style: `new.mod.g()`, with `import new.mod`.
                spelling = Spelling(spelling.module, spelling.name, spelling.rest, whole=True)
            check = self._check_needs((spelling,), node)
            if isinstance(check, str):
                self.manual[i] = check
                continue
            self._add_needs(check, node)
            self.exprs[chain] = _replace_with(spelling.code)
            self.regions.append((chain, []))
            self._moved_use(i, new)

    def _moved_use(self, i: int, new: str) -> None:
        self.fixed.add(i)
        if spell(new, self.index).module is not None:  # a builtin is no name of the file's
            self.written.append(new)

    def _through_variable(self, chain: cst.CSTNode) -> bool:
        """Whether a use's leftmost name is a variable the file assigns (no import binds it)."""
        head = _chain_head(chain)
        scope = self.scopes.get(head) if isinstance(head, cst.Name) else None
        if scope is None or not isinstance(head, cst.Name):
            return False
        assignments = list(scope[head.value])
        return bool(assignments) and all(
            isinstance(a, Assignment) and not isinstance(a, ImportAssignment) for a in assignments
        )

    def _module_bound(self, node: cst.CSTNode) -> str | None:
        """The module a name or dotted name refers to through an import of it (``pp`` after
        ``import pyparsing as pp``, ``a.b`` after ``import a.b``), else None."""
        head = _chain_head(node)
        chain = chain_of(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        scope = self.scopes.get(head) if isinstance(head, cst.Name) else None
        if chain is None or scope is None or not isinstance(head, cst.Name):
            return None
        assignments = list(scope[head.value])
        if len(assignments) != 1 or not isinstance(assignments[0], ImportAssignment):
            return None
        statement = assignments[0].node
        rest = chain[len(head.value):]
        if isinstance(statement, cst.Import):
            for alias in statement.names:
                if alias.asname is not None and alias.evaluated_alias == head.value:
                    return alias.evaluated_name + rest
                if alias.asname is None and alias.evaluated_name.split(".")[0] == head.value:
                    dotted = chain
                    found = self.index.module_file(dotted) or _installed(dotted, self.index.python_path)
                    return dotted if found else None
        return None

    def _move_import(
        self,
        i: int,
        node: cst.CSTNode,
        new: str,
        readers: dict[cst.CSTNode, Callable[[Any], cst.CSTNode] | None],
        moved_from: dict[cst.CSTNode, dict[cst.ImportAlias, tuple[str, cst.ImportAlias]]],
    ) -> str | None:
        """Rewrite one import of a moved name in place; returns a reason when it cannot be."""
        statement = self.parents.get(node)
        if isinstance(node, cst.ImportStar):
            if not isinstance(statement, cst.ImportFrom) or self.index.module_file(new) is None:
                return "star import: import the names you use from the replacement"
            self.import_edits.setdefault(statement, _ImportEdit()).module = new
            self.fixed.add(i)
            return None
        assert isinstance(node, cst.ImportAlias)
        references = self._references(statement, node)
        if isinstance(statement, cst.Import):
            if node.asname is None:
                # `import a.b` binds `a`: its uses spell the whole path, which moves with it.
                if any(_code(ref) != node.evaluated_name for ref in references):
                    head = node.evaluated_name.split(".")[0]
                    return f"import {node.evaluated_name} also binds {head}, used for more"
                readers.update((ref, _replace_with(new)) for ref in references)
            else:
                readers.update((ref, None) for ref in references)
            edit = self.import_edits.setdefault(statement, _ImportEdit())
            edit.renamed[node] = node.with_changes(name=_dotted_node(new))
            self.moved.add(node)
            self.fixed.add(i)
            return None
        assert isinstance(statement, cst.ImportFrom)
        spelling = spell(new, self.index)
        if spelling.module is None or spelling.rest:
            return ""  # not importable by name: its uses get the new spelling, then it is unused
        local = node.evaluated_alias or node.evaluated_name
        name = spelling.name
        reused = self._reusable(spelling, statement, references, local)
        if reused is not None:
            # The file imports the replacement already (`from asyncio import get_event_loop,
            # get_running_loop`): its uses take that name; the old import, unused, goes.
            for ref in references:
                readers[ref] = _replace_with(reused)
                self.regions.append((ref, []))
            return None
        if node.asname is None and name != local and self._can_rename(references, local, name):
            bound = name
            readers.update((ref, _replace_with(name)) for ref in references)
        else:
            bound = local
            readers.update((ref, None) for ref in references)
        alias = cst.ImportAlias(
            name=cst.Name(name), asname=None if bound == name else cst.AsName(name=cst.Name(bound)), comma=node.comma
        )
        moved_from.setdefault(statement, {})[node] = (spelling.module, alias)
        self.moved.add(node)
        self.fixed.add(i)
        return None

    def _reusable(
        self, spelling: Spelling, statement: cst.ImportFrom, references: list[cst.CSTNode], local: str
    ) -> str | None:
        """The name an import in the same scope binds to exactly the moved name's replacement,
        when every reader of the old name is a use the engine found (each can be renamed)."""
        if local in self.exported:
            return None
        throughs = {self._through_binding(spelling, ref) for ref in references}
        through = throughs.pop() if len(throughs) == 1 else None
        if through is None or "." in through:
            return None
        heads = {
            _chain_head(n) for i, n in self.nodes.items() if self.uses[i].form in ("name", "call", "attribute")
        }
        return through if all(ref in heads for ref in references) else None

    def _exports_of_moved(
        self, moved_from: dict[cst.CSTNode, dict[cst.ImportAlias, tuple[str, cst.ImportAlias]]]
    ) -> None:
        """An ``__all__`` entry of a moved name that keeps its local name exports the new object."""
        kept: set[str] = set()
        for statement, aliases in moved_from.items():
            if isinstance(self.scopes.get(statement), GlobalScope):
                kept.update(
                    old.evaluated_alias or old.evaluated_name for old, (_, new) in aliases.items()
                    if (new.evaluated_alias or new.evaluated_name) == (old.evaluated_alias or old.evaluated_name)
                )
        for i, use in enumerate(self.uses):
            node = self.nodes.get(i)
            if use.form == "all" and self._open(i) and isinstance(node, cst.SimpleString) and (
                node.evaluated_value in kept
            ):
                self.fixed.add(i)

    def _regroup(self, statement: cst.CSTNode, moved: dict[cst.ImportAlias, tuple[str, cst.ImportAlias]]) -> None:
        """All names of a ``from`` line moved to one module: rewrite it; else split the moved off."""
        assert isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar)
        edit = self.import_edits.setdefault(statement, _ImportEdit())
        modules = {module for module, _ in moved.values()}
        if modules == {self._from_module(statement)}:  # renamed within their own module: in place
            edit.renamed.update((old, new) for old, (_, new) in moved.items())
            return
        if len(moved) == len(statement.names) and len(modules) == 1:
            edit.module = modules.pop()
            if statement.relative:
                edit.relative, edit.module = self._relative(edit.module)
            edit.renamed.update((old, new) for old, (_, new) in moved.items())
            return
        edit.drop.update(moved)
        line = self.parents.get(statement)
        assert line is not None
        for module in sorted(modules):
            aliases = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for m, a in moved.values() if m == module]
            aliases = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                       for a in aliases[:-1]] + aliases[-1:]
            self.inserted.setdefault(line, []).append(
                cst.SimpleStatementLine([cst.ImportFrom(module=_dotted_node(module), names=aliases)])
            )

    def _relative(self, module: str) -> tuple[int, str]:
        """``module`` as seen from this file's package: (dots, rest); (0, module) outside it."""
        package = (self.module_name if self.is_package else self.module_name.rpartition(".")[0]).split(".")
        parts = module.split(".")
        common = 0
        while common < min(len(package), len(parts)) and package[common] == parts[common]:
            common += 1
        if not common:
            return 0, module
        return len(package) - common + 1, ".".join(parts[common:])

    def _references(self, statement: cst.CSTNode | None, alias: cst.ImportAlias) -> list[cst.CSTNode]:
        """Nodes reading the name an import alias binds."""
        scope = self.scopes.get(statement) if statement is not None else None
        assert scope is not None, "an import statement always has a scope"
        local = alias.evaluated_alias or alias.evaluated_name
        found: list[cst.CSTNode] = []
        for assignment in scope.assignments:
            if isinstance(assignment, ImportAssignment) and assignment.node is statement and (
                assignment.name == local or (alias.asname is None and local.startswith(assignment.name + "."))
            ):
                found.extend(r.node for r in assignment.references)
        return found

    def _can_rename(self, references: list[cst.CSTNode], local: str, new: str) -> bool:
        """Uses may switch to the new name: each is a use the engine found, nothing else is called so."""
        if new in self.names_in_file or local in self.exported:
            return False
        heads = set()
        for i, use in enumerate(self.uses):
            node = self.nodes.get(i)
            if use.form in ("name", "call", "attribute") and node is not None:
                heads.add(_chain_head(node))
        return all(ref in heads for ref in references)
