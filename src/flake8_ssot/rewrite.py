"""Rewrite the engine's findings with LibCST: fix templates, moved names, and their imports.

Imported only by `flake8-ssot fix` (LibCST is the optional extra ``flake8-ssot[fix]``). The
engine decides what is a use; this module rewrites the syntax nodes at the findings'
positions and leaves every use whose shape it does not understand, saying why. All
decisions are made on the original tree, then applied in one transformation.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import libcst as cst
from libcst.metadata import GlobalScope, ImportAssignment, MetadataWrapper, PositionProvider, ScopeProvider

from flake8_ssot.fixers.common import _STRINGS, _bound_or_read_names, _chain_head, _exported, _parents
from flake8_ssot.fixers.imports import Imports
from flake8_ssot.fixers.layout import _Apply, _ImportEdit
from flake8_ssot.fixers.members import MemberRenames
from flake8_ssot.fixers.mocks import MockPatches
from flake8_ssot.fixers.moves import Moves
from flake8_ssot.fixers.results import Reexport, Result, Span
from flake8_ssot.fixers.stars import StarImports
from flake8_ssot.fixers.template_rewrites import TemplateRewrites
from flake8_ssot.fixers.templates import Shape, Templates, call_shape, compile_templates
from flake8_ssot.fixers.two_statements import TwoStatementForms
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
    "instance": (cst.Call, cst.Attribute),
}


PARSE_ERRORS = (cst.ParserSyntaxError, RecursionError)


"""What LibCST raises for a file it cannot read (the engine may still have parsed it)."""


class FileRewriter(TemplateRewrites, TwoStatementForms, MockPatches, Moves, MemberRenames, Imports, StarImports):
    """One file's rewrite: each kind of rewrite is a mixin (a room of its own under
    :mod:`flake8_ssot.fixers`); this class locates the findings and runs the kinds in order."""

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
        # One call for both: LibCST walks the whole tree once per batch of providers, and
        # resolving positions on their own (computed by code generation) walked it once for an
        # empty batch.
        self.wrapper.resolve_many([PositionProvider, ScopeProvider])
        self.positions = self.wrapper.resolve(PositionProvider)  # both resolved: no walk
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
        self.written: list[str] = []
        """The qualified name each name the new code writes means (see :attr:`Result.written`)."""
        self.written_on_instances: list[str] = []
        self.changed_whole: list[cst.CSTNode] = []
        """Code changed in part whose meaning as a whole changes (a member renamed after its class)."""

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
            self.removed_reexports, sorted(set(self.unused_imports)), self.written, self.written_on_instances,
            self._changed(),
        )

    def _changed(self) -> list[tuple[Span, list[Span]]]:
        """The code the plan replaces or removes, with the parts it keeps (see :attr:`Result.changed`)."""
        def span(node: cst.CSTNode) -> Span:
            where = self.positions[node]
            return where.start.line, where.start.column, where.end.line, where.end.column

        regions = {root: kept for root, kept in self.regions}
        found = [(span(root), [span(k) for k in kept if k in self.positions]) for root, kept in regions.items()]
        whole = [
            *(n for n in self.exprs if n not in regions), *self.removed, *self.replaced_statements,
            *(n for i in self.fixed if self.uses[i].form in ("name", "attribute") and (n := self.nodes.get(i))),
            *self.changed_whole,
        ]
        found += [(span(node), []) for node in whole if node in self.positions]
        for i in self.fixed:
            node = self.nodes.get(i)
            if isinstance(node, cst.Call) and self.uses[i].form == "call":
                # The call's own position (a parenthesized callee starts after it), up to its arguments.
                found.append(((*span(node)[:2], *span(node.func)[2:]), []))
        return found

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
        # isinstance on LibCST's abstract classes is slow; asked once per node type, not per node.
        kinds: dict[type[cst.CSTNode], bool] = {}
        for node, where in self.positions.items():
            kind = kinds.get(type(node))
            if kind is None:
                kind = kinds[type(node)] = issubclass(type(node), wanted)
            if kind:
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
    calls = _call_shapes(text) if any(use.form == "call" for use in open_uses) else None
    if not drop and not any(templates.covers(use, calls) for use in open_uses) and not _unread_imports(
        text, open_uses
    ):
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


def _call_shapes(text: str) -> dict[tuple[int, int], Shape] | None:
    """The shape of each call of the text by position (None: it cannot be read with ast)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # pragma: no cover - the engine parsed it
        return None
    return {
        (node.lineno, node.col_offset): call_shape(
            len(node.args), (k.arg for k in node.keywords), any(isinstance(a, ast.Starred) for a in node.args)
        )
        for node in ast.walk(tree) if isinstance(node, ast.Call)
    }


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
