"""Matching a template's pattern on code, node by node, and building its replacement."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst

from flake8_ssot.config import placeholder
from flake8_ssot.fixers.common import _ATOMS, _CONSTANTS, _with_parens, chain_of
from flake8_ssot.fixers.templates import Template, _arg_shape

if TYPE_CHECKING:
    from flake8_ssot.fixers.state import RewriterState


@dataclass(eq=False)
class _Match:
    template: Template
    root: cst.BaseExpression
    paths: dict[str, tuple[str | int, ...]] = field(default_factory=dict)
    """Placeholder -> path from the root to the expression it stands for."""
    bound: list[cst.CSTNode] = field(default_factory=list)
    anchors: list[int] = field(default_factory=list)
    """Indices of the findings the pattern's names matched."""
    reuse_args: bool = False
    """The replacement takes the same arguments: keep the call's own (their layout and comments)."""

    @property
    def kept(self) -> list[cst.CSTNode]:
        """Code the rewrite carries over unchanged."""
        root = self.root
        if self.reuse_args and isinstance(root, cst.Call):
            return [*self.bound, *root.args, root.whitespace_after_func, root.whitespace_before_args]
        return self.bound


@dataclass(frozen=True)
class _Check:
    """A rewrite that can be committed: the imports its new code needs."""

    needs: tuple[tuple[str, str | None], ...]
    short: tuple[tuple[str, str], ...] = ()
    """(full name, name) for a replacement's fully qualified names imported by name in this file."""


class _Matcher:
    """Match a template's pattern on code, node by node, its names against the findings."""

    def __init__(
        self,
        rewriter: RewriterState,
        template: Template,
        variable: tuple[cst.CSTNode, cst.CSTNode, int] | None = None,
    ) -> None:
        self.rewriter = rewriter
        self.template = template
        self.variable = variable
        """Two-statement form: (the variable's name node, the call it holds, that call's finding)."""

    def run(self, root: cst.CSTNode) -> _Match | None:
        assert isinstance(root, cst.BaseExpression)
        self.match = _Match(self.template, root)
        if not self._match(self.template.pattern, root, ()):
            return None
        pattern, replace = self.template.pattern, self.template.replace
        if isinstance(pattern, cst.Call) and isinstance(replace, cst.Call):
            self.match.reuse_args = _arg_shape(pattern) == _arg_shape(replace) and all(
                isinstance(a.value, cst.Name) and placeholder(a.value.value) for a in pattern.args
            )
        return self.match

    def _match(self, p: cst.CSTNode, c: cst.CSTNode, path: tuple[str | int, ...]) -> bool:
        if self.variable is not None and c is self.variable[0]:
            return self._variable(p)
        if isinstance(p, cst.Name):
            name = placeholder(p.value)
            if name is not None:
                self.match.paths[name] = path
                self.match.bound.append(c)
                return True
            if p.value in _CONSTANTS:
                return isinstance(c, cst.Name) and c.value == p.value
        chain = chain_of(p)
        if chain is not None:
            return self._anchor(c, chain, ("name", "attribute"))
        if isinstance(p, cst.Await):  # `await` matches `await` only
            return isinstance(c, cst.Await) and self._match(p.expression, c.expression, (*path, "expression"))
        if isinstance(p, cst.Call):
            if not isinstance(c, cst.Call):
                return False
            func_chain = chain_of(p.func)
            if func_chain is not None:
                if not self._anchor(c, func_chain, ("call",)):
                    return False
            elif not self._match(p.func, c.func, (*path, "func")):
                return False
            return self._args(p, c, path)
        if isinstance(p, cst.Attribute):
            return (
                isinstance(c, cst.Attribute)
                and c.attr.value == p.attr.value
                and self._match(p.value, c.value, (*path, "value"))
            )
        literal = _literal(p)
        return literal is not _NOTHING and literal == _literal(c)

    def _anchor(self, c: cst.CSTNode, chain: str, forms: tuple[str, ...]) -> bool:
        found = self.rewriter._finding(c, forms, self.template.anchors[chain])
        if found is None:
            return False
        self.match.anchors.append(found)
        return True

    def _variable(self, p: cst.CSTNode) -> bool:
        """The variable stands for the call it holds: it must match this part without placeholders."""
        assert self.variable is not None
        if not isinstance(p, cst.Call) or chain_of(p.func) is None:
            return False
        inner = _Matcher(self.rewriter, self.template)
        inner.match = _Match(self.template, self.variable[1])  # type: ignore[arg-type]
        if not inner._match(p, self.variable[1], ()) or inner.match.paths:
            return False
        self.match.anchors.append(self.variable[2])
        return True

    def _args(self, p: cst.Call, c: cst.Call, path: tuple[str | int, ...]) -> bool:
        if any(a.star for a in c.args):
            return False
        p_pos = [a for a in p.args if a.keyword is None]
        c_pos = [(i, a) for i, a in enumerate(c.args) if a.keyword is None]
        p_kw = {a.keyword.value: a for a in p.args if a.keyword is not None}
        c_kw = {a.keyword.value: (i, a) for i, a in enumerate(c.args) if a.keyword is not None}
        if len(p_pos) != len(c_pos) or p_kw.keys() != c_kw.keys():
            return False
        pairs = [(pa, ca) for pa, ca in zip(p_pos, c_pos)] + [(p_kw[k], c_kw[k]) for k in p_kw]
        return all(self._match(pa.value, ca.value, (*path, "args", i, "value")) for pa, (i, ca) in pairs)


_NOTHING = object()


def _literal(node: cst.CSTNode) -> object:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float, cst.Imaginary)):
        try:
            return ast.literal_eval(cst.Module([]).code_for_node(node))
        except (ValueError, SyntaxError):
            return _NOTHING
    return _NOTHING


class _Shorten(cst.CSTTransformer):
    """Write fully qualified names of a replacement by the names imported: ``pkg.mod.Name.x`` -> ``Name.x``."""

    def __init__(self, short: dict[str, str]) -> None:
        self.short = short

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        if isinstance(original_node, (cst.Attribute, cst.Name)):
            chain = chain_of(original_node)
            if chain is not None and chain in self.short:
                return _with_parens(cst.parse_expression(self.short[chain]), original_node)
        return updated_node


class _Substitute(cst.CSTTransformer):
    def __init__(self, values: dict[str, cst.CSTNode], safe: frozenset[str]) -> None:
        self.values = values
        self.safe = safe

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> Any:
        name = placeholder(original_node.value)
        if name is None:
            return updated_node
        value = self.values[name]
        if name not in self.safe and isinstance(value, cst.BaseExpression):
            if not isinstance(value, _ATOMS) and not value.lpar:
                return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return value
