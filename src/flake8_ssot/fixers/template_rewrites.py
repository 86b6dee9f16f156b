"""Call shapes declared as fix templates: matched on the code, checked, committed to the plan."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import libcst as cst

from flake8_ssot.fixers.common import _ATOMS, _code, _follow, _walk
from flake8_ssot.fixers.matching import _Check, _Match, _Matcher, _Shorten, _Substitute
from flake8_ssot.fixers.state import RewriterState
from flake8_ssot.fixers.templates import Spelling, Template


class TemplateRewrites(RewriterState):
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
        spellings: list[Spelling] = []
        short: list[tuple[str, str]] = []
        for spelling in match.template.needs:
            # A name the file already binds is written through that binding (`datetime.now` after
            # `from datetime import datetime`, `dt.timezone` after `import datetime as dt`).
            through = self._through_binding(spelling, match.root)
            if through is None:
                spellings.append(spelling)
            elif through != spelling.code:
                short.append((spelling.code, through))
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
        self.written.extend(match.template.written)
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
