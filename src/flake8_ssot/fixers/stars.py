"""Star imports the rewrite left unused."""

from __future__ import annotations

import ast
import builtins

import libcst as cst

from flake8_ssot.fixers.layout import _merge
from flake8_ssot.fixers.state import RewriterState

_DYNAMIC = frozenset({"globals", "locals", "vars", "eval", "exec", "__import__", "dir"})


_MODULE_NAMES = frozenset({
    "__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__", "__builtins__", "__path__",
    "__annotations__", "__dict__", "__module__", "__qualname__", "__class__", "__debug__",
})


def _reads_only_bound(tree: ast.Module) -> bool:
    """Whether every name the module reads is bound in it or a builtin (nothing for a star to bring)."""
    bound: set[str] = set()
    read: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias) and node.name != "*":
            bound.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
    if read & _DYNAMIC:
        return False
    return not (read - bound - _MODULE_NAMES - set(dir(builtins)))


class StarImports(RewriterState):
    def _drop_unused_star(self, new: cst.Module) -> cst.Module:
        """Remove a module-level star import the rewrite left unused, as pyflakes would judge it.

        Only when it is the file's one star import, the file is no package ``__init__`` and
        has no ``__all__``, nothing reads names dynamically (``globals()``, ``eval``, ...), and
        every name the new code reads is bound in the file or a builtin: the star brings
        nothing the file uses. Its findings go with it; otherwise it stays for a person.
        """
        stars = [
            i for i, use in enumerate(self.uses)
            if use.form == "import-star" and i in self.manual and isinstance(self.nodes.get(i), cst.ImportStar)
        ]
        if not stars or self.is_package or self.exported:
            return new
        star = self.parents.get(self.nodes[stars[0]])
        line = self.parents.get(star) if star is not None else None
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or line not in self.tree.body:
            return new
        if any(self.nodes.get(i) is not self.nodes[stars[0]] for i in stars):
            return new
        try:
            tree = ast.parse(new.code)
        except (SyntaxError, ValueError, RecursionError):  # pragma: no cover - verify reports it
            return new
        if sum(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in ast.walk(tree)) != 1:
            return new
        if not _reads_only_bound(tree):
            return new
        index = list(self.tree.body).index(line)
        body = list(new.body)
        kept = body[index]
        if not (isinstance(kept, cst.SimpleStatementLine) and isinstance(kept.body[0], cst.ImportFrom)
                and isinstance(kept.body[0].names, cst.ImportStar)):  # pragma: no cover - the plan left it
            return new
        following = body[index + 1:index + 2]
        if following:
            body[index + 1] = following[0].with_changes(
                leading_lines=_merge(list(kept.leading_lines), list(following[0].leading_lines), at_start=index == 0)
            )
        del body[index]
        for i in stars:
            self.manual.pop(i, None)
            self.fixed.add(i)
        return new.with_changes(body=body)
