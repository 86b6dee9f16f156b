"""Imports: what the new code needs, where it goes, and the old imports the rewrite leaves unused."""

from __future__ import annotations

import builtins
import functools
from collections.abc import Iterable

import libcst as cst
from libcst.metadata import BuiltinAssignment, GlobalScope, ImportAssignment

from flake8_ssot.fixers.common import _STRINGS, _all_strings, _called, _code, _dotted_node, _walk
from flake8_ssot.fixers.layout import _ImportEdit, _insert_alias, _replacing
from flake8_ssot.fixers.matching import _Check
from flake8_ssot.fixers.results import Reexport
from flake8_ssot.fixers.state import RewriterState
from flake8_ssot.fixers.templates import Spelling
from flake8_ssot.paths import resolve_relative


class Imports(RewriterState):
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
        for node in _walk(self.tree, lambda n: isinstance(n, cst.BaseExpression)):
            if isinstance(node, cst.Import):
                plain.update(a.evaluated_name for a in node.names if a.asname is None)
            elif isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None:
                by_name.add(_code(node.module))
        return plain, by_name

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
            if any(
                a.evaluated_name == spelling.module and a.asname is None
                for node in imports if isinstance(node, cst.Import) for a in node.names
            ):
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
