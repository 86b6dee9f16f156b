"""Rewrite the engine's findings with LibCST: fix templates, moved names, and their imports.

Imported only by `flake8-ssot fix` (LibCST is the optional extra ``flake8-ssot[fix]``). The
engine decides what is a use; this module rewrites the syntax nodes at the findings'
positions and leaves every use whose shape it does not understand, saying why. All
decisions are made on the original tree, then applied in one transformation.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

import libcst as cst
from libcst.metadata import GlobalScope, ImportAssignment, MetadataWrapper, PositionProvider, ScopeProvider

from flake8_ssot.fixers.common import (
    _ATOMS,
    _STRINGS,
    _bound_or_read_names,
    _chain_head,
    _code,
    _exported,
    _follow,
    _head,
    _parents,
    _variables,
    _walk,
)
from flake8_ssot.fixers.imports import Imports
from flake8_ssot.fixers.layout import _Apply, _ImportEdit
from flake8_ssot.fixers.matching import _Check, _Match, _Matcher, _Shorten, _Substitute
from flake8_ssot.fixers.mocks import MockPatches
from flake8_ssot.fixers.moves import Moves
from flake8_ssot.fixers.results import Reexport, Result
from flake8_ssot.fixers.stars import StarImports
from flake8_ssot.fixers.templates import Spelling, Template, Templates, compile_templates
from flake8_ssot.index import Index
from flake8_ssot.model import Finding

__all__ = ["PARSE_ERRORS", "FileRewriter", "Reexport", "Result", "Templates", "compile_templates", "rewrite"]


_FORM_NODES: dict[str, tuple[type[cst.CSTNode], ...]] = {
    "import": (cst.ImportAlias,),
    "import-from": (cst.ImportAlias,),
    "import-star": (cst.ImportStar,),
    "name": (cst.Name,),
    "attribute": (cst.Attribute,),
    "call": (cst.Call,),
    "result-call": (cst.Call,),
    "string": (*_STRINGS, cst.Arg),
    "all": _STRINGS,
    "annotation-string": _STRINGS,
    # Findings `fix` leaves to a person, located only to say why.
    "string-value": (*_STRINGS, cst.Name, cst.BinaryOperation),
    "instance-attribute": (cst.Call, cst.Attribute),
}


PARSE_ERRORS = (cst.ParserSyntaxError, RecursionError)


"""What LibCST raises for a file it cannot read (the engine may still have parsed it)."""


class FileRewriter(MockPatches, Moves, Imports, StarImports):
    def __init__(
        self,
        templates: Templates,
        index: Index,
        relpath: str,
        module: cst.Module,
        uses: Sequence[Finding],
        drop: Collection[str] = (),
        keep: Collection[str] = (),
        text: str | None = None,
        hold: Mapping[str, str] | None = None,
    ) -> None:
        """``text``: the module's source, when at hand (else generated from ``module``)."""
        self.text = module.code if text is None else text
        self.hold = hold or {}
        """Names of module-level imports whose uses stay as they are -> why (a string target
        elsewhere, such as ``mock.patch("this.module.name")``, names them)."""
        self.templates = templates
        self.drop = drop
        """Re-exports to remove, by the name the module binds."""
        self.keep = keep
        """Module-level imports to keep though the rewrite leaves them unused: other modules import them."""
        self.index = index
        self.module_name = index.module_of(relpath)
        self.is_package = relpath.endswith("__init__.py")
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.tree = self.wrapper.module
        self.positions = self.wrapper.resolve(PositionProvider)
        self.parents = _parents(self.tree)
        self.scopes = self.wrapper.resolve(ScopeProvider)
        self.lines = re.split(r"\r\n|\r|\n", self.text)
        self.uses = list(uses)
        self.nodes: dict[int, cst.CSTNode] = {}
        self.by_node: dict[cst.CSTNode, list[int]] = {}
        self.fixed: set[int] = set()
        self.manual: dict[int, str] = {}
        # The plan, applied by _Apply: keyed by nodes of the original tree.
        self.exprs: dict[cst.CSTNode, Callable[[Any], cst.CSTNode]] = {}
        self.removed: set[cst.CSTNode] = set()
        self.removed_imports: set[cst.CSTNode] = set()
        self.replaced_statements: dict[cst.CSTNode, cst.SimpleStatementLine] = {}
        self.inserted: dict[cst.CSTNode, list[cst.SimpleStatementLine]] = {}
        self.before: dict[cst.CSTNode, list[cst.SimpleStatementLine]] = {}
        """New lines to put before a statement (the module's first)."""
        self.two_blank_lines: set[cst.CSTNode] = set()
        """A ``def`` or ``class`` an import now precedes directly."""
        self.import_edits: dict[cst.CSTNode, _ImportEdit] = {}
        self.regions: list[tuple[cst.CSTNode, list[cst.CSTNode]]] = []
        """Code that goes away: (root, kept subtrees); names referenced there lose a use."""
        self.needs: dict[tuple[str, str | None], list[cst.CSTNode]] = {}
        self.too_long: dict[str, bool] = {}
        """Full name in a replacement -> whether writing it in full makes some line too long."""
        self.need_anchors: dict[cst.CSTNode, list[cst.CSTNode]] = {}
        """Site of new code -> the deprecated use there whose import places the new one."""
        self.kept_imports: set[cst.ImportAlias] = set()
        self.moved: set[cst.ImportAlias] = set()
        self.dropped_comments: list[str] = []
        self.names_in_file = _bound_or_read_names(self.text)
        self.exported = _exported(self.tree)
        self.element_drops: dict[cst.CSTNode, set[int]] = {}
        """List or tuple displays of ``__all__`` -> indices of the entries to remove."""
        self.reexports: list[Reexport] = []
        self.removed_reexports: list[Reexport] = []
        self.unused_imports: list[str] = []

    def run(self) -> Result:
        self._locate()
        self._held_uses()
        self._template_matches()
        self._two_statement_forms()
        self._strings()
        self._moves()
        self._imports()
        for i, use in enumerate(self.uses):
            if self._open(i):
                self.manual[i] = _generic_reason(use)
        manual = [(self.uses[i], reason) for i, reason in sorted(self.manual.items())]
        if not self.fixed:
            return Result(self.text, manual=manual, reexports=self.reexports)
        new = self.tree.visit(_Apply(self))
        assert isinstance(new, cst.Module)
        new = self._drop_unused_star(new)
        manual = [(self.uses[i], reason) for i, reason in sorted(self.manual.items())]
        return Result(
            new.code, [self.uses[i] for i in sorted(self.fixed)], manual, self.dropped_comments, self.reexports,
            self.removed_reexports, sorted(set(self.unused_imports)),
        )

    def _held_uses(self) -> None:
        """Uses through a module-level import that :attr:`hold` names stay, with its reason."""
        if not self.hold:
            return
        for i, node in self.nodes.items():
            if self.uses[i].form not in ("call", "result-call", "name", "attribute") or not self._open(i):
                continue
            head = _chain_head(node)
            scope = self.scopes.get(head) if isinstance(head, cst.Name) else None
            if not isinstance(head, cst.Name) or head.value not in self.hold or scope is None:
                continue
            if any(
                isinstance(a, ImportAssignment) and isinstance(self.scopes.get(a.node), GlobalScope)
                for a in scope[head.value]
            ):
                self.manual[i] = self.hold[head.value]

    def _open(self, i: int) -> bool:
        return i not in self.fixed and i not in self.manual and self.uses[i].status != "noqa"

    def _locate(self) -> None:
        wanted = tuple({t for types in _FORM_NODES.values() for t in types})
        at: dict[tuple[int, int, int, int], list[cst.CSTNode]] = {}
        for node, where in self.positions.items():
            if isinstance(node, wanted):
                key = (where.start.line, where.start.column, where.end.line, where.end.column)
                at.setdefault(key, []).append(node)
        for i, use in enumerate(self.uses):
            key = (use.line, self._column(use.line, use.col), use.end_line, self._column(use.end_line, use.end_col))
            found = next((n for n in at.get(key, ()) if isinstance(n, _FORM_NODES.get(use.form, ()))), None)
            if found is None:
                if use.status != "noqa":
                    self.manual[i] = "not a shape the fix understands"
                continue
            self.nodes[i] = found
            self.by_node.setdefault(found, []).append(i)

    def _column(self, line: int, byte_col: int) -> int:
        """AST columns count UTF-8 bytes, LibCST's count characters."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def _finding(self, node: cst.CSTNode, forms: tuple[str, ...], target: str) -> int | None:
        for i in self.by_node.get(node, ()):
            use = self.uses[i]
            if use.form in forms and use.target == target and self._open(i):
                return i
        return None

    def _function(self, node: cst.CSTNode | None) -> cst.CSTNode | None:
        """The function (or module) whose body holds ``node``; a class body counts as its function's."""
        while node is not None and not isinstance(node, (cst.FunctionDef, cst.Module)):
            node = self.parents.get(node)
        return node

    def _class_of(self, node: cst.CSTNode | None) -> cst.ClassDef | None:
        """The class whose own body (not a method's) holds ``node``."""
        while node is not None and not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Module)):
            node = self.parents.get(node)
        return node if isinstance(node, cst.ClassDef) else None

    def _template_matches(self) -> None:
        candidates: list[_Match] = []
        for i, use in enumerate(self.uses):
            node = self.nodes.get(i)
            if node is None or use.form not in ("call", "name", "attribute") or not self._open(i):
                continue
            for template in self.templates.templates.get(use.rule, ()):
                if use.target in template.anchors.values():
                    candidates.extend(self._matches(template, node))
        candidates.sort(key=lambda m: (self._start(m.root), -self._extent(m.root)))
        if self.templates.line_length is not None:
            # One spelling per file: a name is imported by name everywhere if one line needs it.
            for match in candidates:
                for spelling in match.template.needs:
                    if spelling.whole and not self.too_long.get(spelling.dotted) and self._too_long(
                        match, _Check(())
                    ):
                        self.too_long[spelling.dotted] = True
        skeleton: set[int] = set()
        done: set[int] = set()
        for match in candidates:
            if id(match.root) in skeleton or id(match.root) in done or any(not self._open(i) for i in match.anchors):
                continue
            check = self._check(match)
            if isinstance(check, str):
                for i in match.anchors:
                    self.manual.setdefault(i, check)
                continue
            self._commit(match, check)
            done.add(id(match.root))
            skeleton.update(id(n) for n in _walk(match.root, lambda n: n in match.bound))

    def _matches(
        self, template: Template, node: cst.CSTNode, variable: tuple[cst.CSTNode, cst.CSTNode, int] | None = None
    ) -> Iterator[_Match]:
        for _ in range(template.height + 1):
            if isinstance(node, type(template.pattern)):
                match = _Matcher(self, template, variable).run(node)
                if match is not None:
                    yield match
            parent = self.parents.get(node)
            if parent is None:
                return
            node = parent

    def _start(self, node: cst.CSTNode) -> tuple[int, int]:
        where = self.positions[node]
        return where.start.line, where.start.column

    def _extent(self, node: cst.CSTNode) -> int:
        where = self.positions[node]
        return (where.end.line - where.start.line) * 100_000 + where.end.column - where.start.column

    def _check(self, match: _Match) -> _Check | str:
        """Whether a match can be rewritten: no comment lost, the new names free to bind.

        A fully qualified name of the replacement is imported by name (``from pkg.mod import
        Name``, then ``Name...``) when the file imports that module or its neighbours that way,
        or when the full name would make the line longer than the project allows.
        """
        if any(isinstance(n, cst.Comment) for n in _walk(match.root, lambda n: n in match.kept)):
            return "a comment inside the expression would be lost"
        spellings = list(match.template.needs)
        short: list[tuple[str, str]] = []
        for k, spelling in enumerate(spellings):
            if not spelling.whole or spelling.module is None:
                continue
            by_name = self._imported_by_name(spelling)
            if by_name is None:
                by_name = self.too_long.get(spelling.dotted, False) or self._too_long(match, _Check(()))
                self.too_long[spelling.dotted] = by_name
            named = Spelling(spelling.module, spelling.name, spelling.rest)
            if by_name and (self._free(spelling.name) or self._provided(named, match.root) is True):
                spellings[k] = named
                short.append((spelling.dotted, named.code))
        check = self._check_needs(spellings, match.root)
        if isinstance(check, str) or not short:
            return check
        return _Check(check.needs, tuple(short))

    def _too_long(self, match: _Match, check: _Check) -> bool:
        """Whether the match, rewritten with ``check``'s spellings, makes a line over the project's limit."""
        limit = self.templates.line_length
        if limit is None:
            return False
        where = self.positions[match.root]
        new = _code(self._build(match, check)(match.root))
        first = self.lines[where.start.line - 1]
        last = self.lines[where.end.line - 1]
        text = first[:where.start.column] + new + last[where.end.column:]
        return any(len(line) > limit for line in text.splitlines())

    def _commit(self, match: _Match, check: _Check) -> None:
        self.fixed.update(match.anchors)
        self._cover(match.root, match.kept)
        self._add_needs(check, match.root)
        self.need_anchors[match.root] = [self.nodes[i] for i in match.anchors if i in self.nodes]
        self.exprs[match.root] = self._build(match, check)

    def _build(self, match: _Match, check: _Check) -> Callable[[Any], cst.CSTNode]:
        template = match.template
        replace = template.replace
        if check.short:
            shortened = replace.visit(_Shorten(dict(check.short)))
            assert isinstance(shortened, cst.BaseExpression)
            replace = shortened

        def build(updated: Any) -> cst.CSTNode:
            values = {name: _follow(updated, path) for name, path in match.paths.items()}
            new = replace.visit(_Substitute(values, template.safe))
            if match.reuse_args and isinstance(new, cst.Call):
                new = new.with_changes(
                    args=updated.args,
                    whitespace_after_func=updated.whitespace_after_func,
                    whitespace_before_args=updated.whitespace_before_args,
                )
            assert isinstance(new, cst.BaseExpression)
            if updated.lpar:
                return new.with_changes(lpar=updated.lpar, rpar=updated.rpar)
            if not isinstance(new, _ATOMS) and not new.lpar:
                return new.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            return new

        return build

    def _cover(self, root: cst.CSTNode, kept: Iterable[cst.CSTNode] = ()) -> None:
        """Mark code as gone: findings inside it (outside ``kept``) go with it."""
        kept = list(kept)
        self.regions.append((root, kept))
        for node in _walk(root, lambda n: n in kept):
            for i in self.by_node.get(node, ()):
                if self.uses[i].status != "noqa":
                    self.fixed.add(i)
                    self.manual.pop(i, None)

    def _two_statement_forms(self) -> None:
        for i, use in enumerate(self.uses):
            node = self.nodes.get(i)
            if use.form != "call" or node is None or not self._open(i) or not self._held(use, node):
                continue
            statement, target = self._assignment(node)
            if statement is None or target is None:
                continue
            name = _code(target)
            results = [
                j for j, other in enumerate(self.uses)
                if other.form == "result-call" and other.target == use.target and self._open(j)
                and self._holder(j) == name
                and (not isinstance(target, cst.Name) or self._function(self.nodes[j]) is self._function(target))
            ]
            if isinstance(target, cst.Name):
                reason = self._rewrite_pair(i, statement, target, results)
            else:
                reason = f"{name} escapes the function"
            if reason is not None:
                for j in (i, *results):
                    self.manual.setdefault(j, reason)
        for j, use in enumerate(self.uses):
            if use.form == "result-call" and self._open(j) and "." in self._holder(j):
                self.manual[j] = f"{self._holder(j)} escapes the function"

    def _held(self, use: Finding, call: cst.CSTNode) -> bool:
        """Whether ``call`` is a call that a template expects to be called on, as ``get_factory()``."""
        for template in self.templates.templates.get(use.rule, ()):
            for target, pattern in template.holders:
                if target == use.target:
                    matcher = _Matcher(self, template)
                    matcher.match = _Match(template, pattern)
                    if matcher._match(pattern, call, ()) and not matcher.match.paths:
                        return True
        return False

    def _holder(self, i: int) -> str:
        """What a result call is called on: ``factory`` in ``factory.create_for_user(ctx)``."""
        node = self.nodes.get(i)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            return _code(node.func.value)
        return ""

    def _assignment(self, call: cst.CSTNode) -> tuple[cst.SimpleStatementLine | None, cst.BaseExpression | None]:
        """The statement ``target = call`` (or ``target: T = call``) whose whole value is ``call``."""
        parent = self.parents.get(call)
        target: cst.BaseExpression | None = None
        if isinstance(parent, cst.Assign) and parent.value is call and len(parent.targets) == 1:
            target = parent.targets[0].target
        elif isinstance(parent, cst.AnnAssign) and parent.value is call:
            target = parent.target
        line = self.parents.get(parent) if parent is not None else None
        if target is None or not isinstance(line, cst.SimpleStatementLine):
            return None, None
        return line, target

    def _rewrite_pair(
        self, call: int, statement: cst.SimpleStatementLine, variable: cst.Name, results: list[int]
    ) -> str | None:
        scope = self._function(variable)
        name = variable.value
        if self._class_of(statement) is not None:
            return f"{name} is a class attribute (other code may use it)"
        if not isinstance(scope, cst.FunctionDef):
            return f"{name} is a module global (other modules may use it)"
        if len(statement.body) != 1 or not isinstance(self.parents.get(statement), (cst.IndentedBlock, cst.Module)):
            return f"{name} = ... shares its line with other statements"
        if any(self.uses[i].status == "noqa" for n in _walk(statement) for i in self.by_node.get(n, ())):
            return f"a # noqa on {name} = ... keeps it"
        heads = {_head(self.nodes[j]) for j in results}
        for other in _variables(scope):
            if other.value == name and other is not variable and other not in heads:
                return f"{name} escapes the function"
        if not results:
            return f"{name} is not used in a shape a fix template covers"
        matches: list[tuple[_Match, _Check]] = []
        for j in results:
            node = self.nodes[j]
            variable_info = (_head(node), self.nodes[call], call)
            found = next(
                (
                    m for t in self.templates.templates.get(self.uses[j].rule, ())
                    for m in self._matches(t, node, variable_info)
                ),
                None,
            )
            if found is None:
                return f"{_code(node)} is not covered by a fix template"
            check = self._check(found)
            if isinstance(check, str):
                return check
            matches.append((found, check))
        for match, check in matches:
            self._commit(match, check)
        self.fixed.add(call)
        self.removed.add(statement)
        self._cover(statement)
        return None


def _generic_reason(use: Finding) -> str:
    return {
        "import": "no fix template or replacement covers this module",
        "import-from": "no fix template or replacement covers this name",
        "import-star": "star import: import the names you use from the replacement",
        "call": "no fix template covers this call",
        "result-call": "no fix template covers this call",
        "name": "no fix template covers this reference",
        "attribute": "no fix template covers this reference",
        "string": "no same-shape replacement for this string target",
        "all": "public name listed in __all__: remove it when nothing imports it from here",
        "annotation-string": "name inside a string annotation",
        "string-value": "a string held in a variable or built from parts: change it where it is written",
        "instance-attribute": "reached through self: a function stored on the class receives self as well",
        "instance": "a member reached through an instance: change it where the instance is made or typed",
        "argument": "a deprecated argument: pass what the replacement takes instead",
        "rebinding": "a deprecated API's name on another object: rename the binding and its uses",
    }.get(use.form, "not a shape the fix understands")


def rewrite(
    templates: Templates,
    index: Index,
    relpath: str,
    text: str,
    uses: Sequence[Finding],
    drop: Collection[str] = (),
    keep: Collection[str] = (),
    hold: Mapping[str, str] | None = None,
) -> Result:
    """Rewrite ``uses`` in one file's text; raises one of PARSE_ERRORS for code LibCST cannot read.

    ``drop`` names re-exports to remove (see :class:`Reexport`); ``keep`` names module-level
    imports to keep, as re-exports, though the rewrite leaves them unused; ``hold``, those whose
    uses stay as they are (name -> why). A file where no
    template or move applies to any use, and no deprecated import can be a re-export, is not
    parsed at all.
    """
    uses = list(uses)
    open_uses = [use for use in uses if use.status != "noqa"]
    if not drop and not any(templates.covers(use) for use in open_uses) and not _unread_imports(text, open_uses):
        return Result(text, manual=_unparsed_reasons(templates, index, text, open_uses))
    return FileRewriter(templates, index, relpath, cst.parse_module(text), uses, drop, keep, text, hold).run()


def _unparsed_reasons(
    templates: Templates, index: Index, text: str, uses: Sequence[Finding]
) -> list[tuple[Finding, str]]:
    """Why each use stays, in a file nothing can be rewritten in (read with :mod:`ast`, no LibCST),
    as the full analysis says it: an import of a rule with fixes says whether the file reads the
    name it binds; a string naming a deprecated module says so."""
    imports = {
        (use.line, use.col) for use in uses
        if use.form in ("import", "import-from")
        and (templates.templates.get(use.rule) or templates.moves.get(use.rule))
    }
    bound: dict[tuple[int, int], str] = {}
    read: set[str] = set()
    if imports:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):  # pragma: no cover - the engine parsed it
            tree = ast.Module(body=[], type_ignores=[])
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                read.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    bound[alias.lineno, alias.col_offset] = alias.asname or alias.name.split(".")[0]
    reasons = []
    for use in uses:
        local = bound.get((use.line, use.col)) if (use.line, use.col) in imports else None
        if use.form == "string" and use.target in index.deprecations.entries and index.module_file(use.target):
            reasons.append((use, "names the deprecated module itself, which has no replacement module"))
        elif local is None:
            reasons.append((use, _generic_reason(use)))
        elif local in read:
            reasons.append((use, f"{local} is still used where the fix leaves the code as it is"))
        else:
            reasons.append((use, f"{local} is not used in this file (a re-export?): remove it by hand"))
    return reasons


def _unread_imports(text: str, uses: Sequence[Finding]) -> bool:
    """Whether a module-level import of a use binds a name the file never mentions (quick, with ast)."""
    at = {(use.line, use.col) for use in uses if use.form in ("import", "import-from") and use.scope == "<module>"}
    if not at:
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # pragma: no cover - the engine parsed it
        return True
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return any(
        (alias.lineno, alias.col_offset) in at and (alias.asname or alias.name) not in names
        for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names if isinstance(node, ast.ImportFrom) or alias.asname
    )
