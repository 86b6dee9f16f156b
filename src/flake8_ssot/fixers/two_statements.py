"""The two-statement form: ``factory = get_factory()`` ... ``factory.create_for_user(ctx)``.

The assignment goes and each call on the variable is rewritten by a template, when the
variable is a local used for nothing else in its function.
"""

from __future__ import annotations

import libcst as cst

from flake8_ssot.fixers.common import _code, _head, _variables, _walk
from flake8_ssot.fixers.matching import _Check, _Match, _Matcher
from flake8_ssot.fixers.state import RewriterState
from flake8_ssot.model import Finding


class TwoStatementForms(RewriterState):
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
