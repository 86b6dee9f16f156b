"""Applying the plan to the tree: statements removed, replaced and inserted; import lists and
``__all__`` displays edited in their own layout."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst

from flake8_ssot.fixers.common import Statement, _dotted_node

if TYPE_CHECKING:
    from flake8_ssot.fixers.state import RewriterState


@dataclass(eq=False)
class _ImportEdit:
    drop: set[cst.ImportAlias] = field(default_factory=set)
    renamed: dict[cst.ImportAlias, cst.ImportAlias] = field(default_factory=dict)
    module: str | None = None
    """New module of the whole statement (a ``from`` import or a star import)."""
    relative: int = 0
    """Dots before ``module``: a relative import stays relative."""
    add: list[str] = field(default_factory=list)


_NOQA = re.compile(r"#\s*noqa\b(?!.*SOT)", re.IGNORECASE)


def _replacing(line: cst.SimpleStatementLine, statement: cst.BaseSmallStatement) -> cst.SimpleStatementLine:
    """A new import line in place of a removed one: its leading lines, and its ``# noqa`` (E402...)."""
    comment = line.trailing_whitespace.comment
    trailing = line.trailing_whitespace if comment is not None and _NOQA.match(comment.value) else None
    new = cst.SimpleStatementLine([statement], leading_lines=line.leading_lines)
    return new.with_changes(trailing_whitespace=trailing) if trailing is not None else new


class _Apply(cst.CSTTransformer):
    def __init__(self, rewriter: RewriterState) -> None:
        self.rewriter = rewriter
        # Only the paths down to edited nodes are visited; the rest is kept as it is.
        self.dirty: set[cst.CSTNode] = set()
        edited = [
            *rewriter.exprs, *rewriter.import_edits, *rewriter.removed, *rewriter.replaced_statements,
            *rewriter.inserted, *rewriter.element_drops, *rewriter.before, *rewriter.two_blank_lines,
        ]
        for node in edited:
            parent: cst.CSTNode | None = rewriter.parents.get(node)
            while parent is not None and parent not in self.dirty:
                self.dirty.add(parent)
                parent = rewriter.parents.get(parent)

    def on_visit(self, node: cst.CSTNode) -> bool:
        return node in self.dirty

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        rewriter = self.rewriter
        build = rewriter.exprs.get(original_node)
        if build is not None:
            return build(updated_node)
        edit = rewriter.import_edits.get(original_node)
        if edit is not None:
            return _edit_import(updated_node, original_node, edit, rewriter.dropped_comments)
        drops = rewriter.element_drops.get(original_node)
        if drops is not None:
            return _drop_elements(updated_node, drops, rewriter.dropped_comments)
        if isinstance(original_node, (cst.Module, cst.IndentedBlock)):
            return self._block(original_node, updated_node)
        return updated_node

    def _block(self, original: cst.Module | cst.IndentedBlock, updated: Any) -> Any:
        """Remove, replace and insert statements; comments above a removed one stay."""
        rewriter = self.rewriter
        if not any(s in rewriter.removed or s in rewriter.replaced_statements or s in rewriter.inserted
                   or s in rewriter.before or s in rewriter.two_blank_lines for s in original.body):
            return updated
        body: list[Statement] = []
        carried: list[cst.EmptyLine] | None = None
        for old, new in zip(original.body, updated.body):
            new = rewriter.replaced_statements.get(old, new)
            if old in rewriter.removed:
                carried = [*(carried or []), *new.leading_lines]
                comment = new.trailing_whitespace.comment if isinstance(new, cst.SimpleStatementLine) else None
                if comment is not None and old not in rewriter.removed_imports:
                    carried.append(cst.EmptyLine(comment=comment))
                continue
            if carried is not None:
                new = new.with_changes(leading_lines=_merge(carried, list(new.leading_lines), at_start=not body))
                carried = None
            body.extend(rewriter.before.get(old, ()))
            if old in rewriter.two_blank_lines and not new.leading_lines:
                new = new.with_changes(leading_lines=[cst.EmptyLine(indent=False), cst.EmptyLine(indent=False)])
            body.append(new)
            body.extend(rewriter.inserted.get(old, ()))
        carried = carried or []
        if not body:
            body.append(cst.SimpleStatementLine([cst.Pass()], leading_lines=carried))
            carried = []
        footer = [*(line for line in carried if line.comment is not None), *updated.footer]
        return updated.with_changes(body=body, footer=footer)


def _merge(carried: list[cst.EmptyLine], lines: list[cst.EmptyLine], *, at_start: bool) -> list[cst.EmptyLine]:
    """Leading lines of the statement after removed ones: every comment, no extra blank line."""
    if any(line.comment is not None for line in carried):
        merged = [*carried, *lines]
    else:
        blank = 0
        while blank < len(lines) and lines[blank].comment is None:
            blank += 1
        # The removed statements' own blank lines, as they were (a blank line's whitespace too).
        merged = carried[:max(0, len(carried) - blank)] + lines
    if at_start:
        while merged and merged[0].comment is None:
            merged.pop(0)
    return merged


def _edit_import(updated: Any, original: Any, edit: _ImportEdit, dropped_comments: list[str]) -> Any:
    relative = [cst.Dot()] * edit.relative
    if isinstance(updated.names, cst.ImportStar):
        return updated.with_changes(module=_dotted_node(edit.module or ""), relative=relative)
    names: list[cst.ImportAlias] = []
    for old, new in zip(original.names, updated.names):
        if old not in edit.drop:
            names.append(edit.renamed.get(old, new))
            continue
        # The dropped name's own trailing comment goes with it; the layout after it stays.
        comma = new.comma
        after = comma.whitespace_after if isinstance(comma, cst.Comma) else None
        if isinstance(after, cst.ParenthesizedWhitespace) and after.first_line.comment is not None:
            dropped_comments.append(after.first_line.comment.value)
        if names and isinstance(after, cst.ParenthesizedWhitespace):
            previous = names[-1]
            previous_comma = previous.comma
            before = previous_comma.whitespace_after if isinstance(previous_comma, cst.Comma) else None
            if isinstance(previous_comma, cst.Comma) and isinstance(before, cst.ParenthesizedWhitespace):
                names[-1] = previous.with_changes(
                    comma=previous_comma.with_changes(
                        whitespace_after=after.with_changes(
                            first_line=before.first_line, empty_lines=[*before.empty_lines, *after.empty_lines]
                        )
                    )
                )
    if names and original.names[-1] in edit.drop:
        # The new last name ends as the old last one did: no comma (``(a, b)`` -> ``(a)``, not
        # ``(a, )``), or its trailing comma and layout; a comment after the comma keeps it there.
        comma = names[-1].comma
        after = comma.whitespace_after if isinstance(comma, cst.Comma) else None
        if not (_parenthesized(updated) and _comments_in(after)):
            names[-1] = names[-1].with_changes(
                comma=updated.names[-1].comma if _parenthesized(updated) else cst.MaybeSentinel.DEFAULT
            )
    for name in edit.add:
        names = _insert_alias(names, cst.ImportAlias(cst.Name(name)))
    changes: dict[str, Any] = {"names": names}
    if edit.module is not None and isinstance(updated, cst.ImportFrom):
        changes["module"] = _dotted_node(edit.module) if edit.module else None
        changes["relative"] = relative
    return updated.with_changes(**changes)


def _drop_elements(display: Any, drop: set[int], dropped_comments: list[str]) -> Any:
    """A list or tuple display without the elements at ``drop``, in its own layout.

    The line before a dropped element keeps its comment; the layout after the dropped element
    leads to what follows; a dropped element's own trailing comment goes with it.
    """
    tuple_ = isinstance(display, cst.Tuple)
    if tuple_:
        opening = display.lpar[0].whitespace_after if display.lpar else cst.SimpleWhitespace("")
        closing = display.rpar[-1].whitespace_before if display.rpar else cst.SimpleWhitespace("")
    else:
        opening, closing = display.lbracket.whitespace_after, display.rbracket.whitespace_before
    elements = list(display.elements)
    kept: list[Any] = []
    for k, element in enumerate(elements):
        if k not in drop:
            kept.append(element)
            continue
        comma = element.comma
        # What follows the element on its line: its comma's whitespace, or for the last element
        # (a trailing comma's whitespace is empty) the whitespace before the closing bracket.
        after = comma.whitespace_after if isinstance(comma, cst.Comma) else cst.SimpleWhitespace("")
        if k == len(elements) - 1 and not isinstance(after, cst.ParenthesizedWhitespace):
            after = closing
            if isinstance(closing, cst.ParenthesizedWhitespace):
                closing = closing.with_changes(first_line=cst.TrailingWhitespace())
        if isinstance(after, cst.ParenthesizedWhitespace) and after.first_line.comment is not None:
            dropped_comments.append(after.first_line.comment.value)
        if any(j not in drop for j in range(k + 1, len(elements))):  # an element follows
            if kept:
                previous = kept[-1]
                kept[-1] = previous.with_changes(comma=previous.comma.with_changes(
                    whitespace_after=_join_whitespace(previous.comma.whitespace_after, after)
                ))
            else:
                opening = _join_whitespace(opening, after)
        elif kept:  # the new last element: a trailing comma as the dropped one had, then the closing layout
            previous = kept[-1]
            before = previous.comma.whitespace_after
            kept[-1] = previous.with_changes(
                comma=comma.with_changes(whitespace_before=previous.comma.whitespace_before)
                if isinstance(comma, cst.Comma) else cst.MaybeSentinel.DEFAULT
            )
            closing = _join_whitespace(before, closing, closing=True)
    if not kept and not any(_comments_in(w) for w in (opening, closing)):
        opening = closing = cst.SimpleWhitespace("")
    if tuple_:
        if len(kept) == 1 and not isinstance(kept[0].comma, cst.Comma):
            kept[0] = kept[0].with_changes(comma=cst.Comma())
        if not display.lpar:
            if kept:
                return display.with_changes(elements=kept)
            return display.with_changes(elements=kept, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return display.with_changes(
            elements=kept,
            lpar=[display.lpar[0].with_changes(whitespace_after=opening), *display.lpar[1:]],
            rpar=[*display.rpar[:-1], display.rpar[-1].with_changes(whitespace_before=closing)],
        )
    return display.with_changes(
        elements=kept,
        lbracket=display.lbracket.with_changes(whitespace_after=opening),
        rbracket=display.rbracket.with_changes(whitespace_before=closing),
    )


def _join_whitespace(first: Any, second: Any, *, closing: bool = False) -> Any:
    """The whitespace standing for ``first``, a dropped element, then ``second``."""
    if isinstance(first, cst.ParenthesizedWhitespace) and isinstance(second, cst.ParenthesizedWhitespace):
        return second.with_changes(first_line=first.first_line, empty_lines=[*first.empty_lines, *second.empty_lines])
    if isinstance(first, cst.ParenthesizedWhitespace):
        return first.with_changes(last_line=cst.SimpleWhitespace("")) if closing else first
    if isinstance(second, cst.ParenthesizedWhitespace):
        return second.with_changes(first_line=cst.TrailingWhitespace())
    return second if closing else first


def _comments_in(whitespace: Any) -> bool:
    return isinstance(whitespace, cst.ParenthesizedWhitespace) and (
        whitespace.first_line.comment is not None or any(line.comment is not None for line in whitespace.empty_lines)
    )


def _parenthesized(statement: Any) -> bool:
    return isinstance(statement, cst.ImportFrom) and statement.lpar is not None


def _insert_alias(names: list[cst.ImportAlias], new: cst.ImportAlias) -> list[cst.ImportAlias]:
    """Add a name to an import list: at its sorted place if the list is sorted, else at the end."""
    keys = [_sort_key(a.evaluated_name) for a in names]
    position = len(names)
    if keys == sorted(keys):
        position = next((k for k, key in enumerate(keys) if key > _sort_key(new.evaluated_name)), len(names))
    multiline = any(
        isinstance(a.comma, cst.Comma) and isinstance(a.comma.whitespace_after, cst.ParenthesizedWhitespace)
        for a in names
    )
    if multiline:
        between = next(
            a.comma for a in names
            if isinstance(a.comma, cst.Comma) and isinstance(a.comma.whitespace_after, cst.ParenthesizedWhitespace)
        )
        assert isinstance(between, cst.Comma) and isinstance(between.whitespace_after, cst.ParenthesizedWhitespace)
        clean = between.with_changes(
            whitespace_after=between.whitespace_after.with_changes(
                first_line=cst.TrailingWhitespace(), empty_lines=()
            )
        )
    else:
        clean = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if position < len(names):
        return [*names[:position], new.with_changes(comma=clean), *names[position:]]
    last = names[-1]
    if multiline and isinstance(last.comma, cst.Comma) and isinstance(last.comma.whitespace_after,
                                                                      cst.ParenthesizedWhitespace):
        indent = clean.whitespace_after
        assert isinstance(indent, cst.ParenthesizedWhitespace)
        kept = last.comma.with_changes(
            whitespace_after=last.comma.whitespace_after.with_changes(last_line=indent.last_line, indent=indent.indent)
        )
        closing = cst.Comma(whitespace_after=last.comma.whitespace_after.with_changes(
            first_line=cst.TrailingWhitespace(), empty_lines=()))
        return [*names[:-1], last.with_changes(comma=kept), new.with_changes(comma=closing)]
    return [*names[:-1], last.with_changes(comma=clean), new.with_changes(comma=last.comma)]


def _sort_key(name: str) -> tuple[int, str]:
    """isort's default order inside an import: CONSTANTS, Classes, functions."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower()
