"""What a file's rewrite knows and plans, shared by the rewrite kinds (mixins of FileRewriter)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, Scope

from flake8_ssot.fixers.layout import _ImportEdit
from flake8_ssot.fixers.matching import _Check, _Match
from flake8_ssot.fixers.results import Reexport
from flake8_ssot.fixers.templates import Move, Spelling, Template, Templates
from flake8_ssot.index import Index
from flake8_ssot.model import Finding


class RewriterState:
    """The attributes :class:`flake8_ssot.rewrite.FileRewriter` sets, and the methods one kind calls
    on another; all decisions are keyed by nodes of the original tree."""

    text: str
    templates: Templates
    drop: Collection[str]
    keep: Collection[str]
    index: Index
    module_name: str
    is_package: bool
    wrapper: MetadataWrapper
    tree: cst.Module
    positions: Mapping[cst.CSTNode, CodeRange]
    parents: dict[cst.CSTNode, cst.CSTNode]
    scopes: Mapping[cst.CSTNode, Scope | None]
    lines: list[str]
    uses: list[Finding]
    nodes: dict[int, cst.CSTNode]
    by_node: dict[cst.CSTNode, list[int]]
    fixed: set[int]
    manual: dict[int, str]
    exprs: dict[cst.CSTNode, Callable[[Any], cst.CSTNode]]
    removed: set[cst.CSTNode]
    removed_imports: set[cst.CSTNode]
    replaced_statements: dict[cst.CSTNode, cst.SimpleStatementLine]
    inserted: dict[cst.CSTNode, list[cst.SimpleStatementLine]]
    before: dict[cst.CSTNode, list[cst.SimpleStatementLine]]
    two_blank_lines: set[cst.CSTNode]
    import_edits: dict[cst.CSTNode, _ImportEdit]
    regions: list[tuple[cst.CSTNode, list[cst.CSTNode]]]
    needs: dict[tuple[str, str | None], list[cst.CSTNode]]
    too_long: dict[str, bool]
    need_anchors: dict[cst.CSTNode, list[cst.CSTNode]]
    kept_imports: set[cst.ImportAlias]
    moved: set[cst.ImportAlias]
    dropped_comments: list[str]
    names_in_file: set[str]
    exported: set[str]
    element_drops: dict[cst.CSTNode, set[int]]
    reexports: list[Reexport]
    removed_reexports: list[Reexport]
    unused_imports: list[str]
    written: list[str]
    written_on_instances: list[str]
    changed_whole: list[cst.CSTNode]

    def _add_needs(self, check: _Check, at: cst.CSTNode) -> None:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _check(self, match: _Match) -> _Check | str:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _check_needs(self, spellings: Iterable[Spelling], at: cst.CSTNode) -> _Check | str:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _class_of(self, node: cst.CSTNode | None) -> cst.ClassDef | None:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _commit(self, match: _Match, check: _Check) -> None:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _cover(self, root: cst.CSTNode, kept: Iterable[cst.CSTNode] = ()) -> None:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _finding(self, node: cst.CSTNode, forms: tuple[str, ...], target: str) -> int | None:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _free(self, name: str) -> bool:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _from_module(self, statement: cst.ImportFrom) -> str | None:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _function(self, node: cst.CSTNode | None) -> cst.CSTNode | None:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _imported_by_name(self, spelling: Spelling) -> bool | None:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _matches(
        self, template: Template, node: cst.CSTNode, variable: tuple[cst.CSTNode, cst.CSTNode, int] | None = None
    ) -> Iterator[_Match]:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _move(self, use: Finding) -> str | None:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _open(self, i: int) -> bool:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _through_binding(self, spelling: Spelling, at: cst.CSTNode) -> str | None:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _rename_member(self, node: cst.CSTNode, move: Move, target: str) -> str | bool:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin

    def _provided(self, spelling: Spelling, at: cst.CSTNode) -> bool | str:
        raise NotImplementedError  # pragma: no cover - defined by FileRewriter or a mixin
