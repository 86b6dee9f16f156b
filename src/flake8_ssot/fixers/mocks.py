"""String targets: ``mock.patch("old.f")`` and other strings naming a deprecated target."""

from __future__ import annotations

import libcst as cst

from flake8_ssot.fixers.common import _code, _replace_with, _variables, chain_of
from flake8_ssot.fixers.state import RewriterState
from flake8_ssot.fixers.templates import _mock_shape
from flake8_ssot.model import Finding


class MockPatches(RewriterState):
    def _strings(self) -> None:
        for i, use in enumerate(self.uses):
            node = self.nodes.get(i)
            if use.form != "string" or not isinstance(node, cst.SimpleString) or not self._open(i):
                continue
            reason = self._mock_patch(i, node)
            if reason == "":
                reason = self._moved_string(i, node)
            if reason:
                self.manual[i] = reason

    def _mock_patch(self, i: int, node: cst.SimpleString) -> str | None:
        """``mock.patch("T")`` where a template turns ``T().a.b($x)`` into ``Q($x)``: patch Q.

        The test's use of the mock, ``m.return_value.a.b``, becomes ``m``. Returns "" when no
        template has that shape, None when rewritten, else the reason it cannot be.
        """
        use = self.uses[i]
        shape = next(
            (s for t in self.templates.templates.get(use.rule, ()) if (s := _mock_shape(t, use.target))), None
        )
        if shape is None:
            return ""
        path, new, on_object = shape
        if not on_object:
            return f"patches {use.target}: patch {new} where the new code looks it up"
        arg = self.parents.get(node)
        call = self.parents.get(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(call, cst.Call) or call.args[0] is not arg or not _code(call.func).endswith("patch"):
            return f"names {use.target} outside mock.patch(...): no same-shape replacement"
        if len(call.args) != 1:
            return "mock.patch(...) with more arguments: patch the replacement by hand"
        mock = self._mock_variable(call)
        if isinstance(mock, str):
            return mock
        name, scope = mock
        replaced: list[cst.CSTNode] = []
        for occurrence in _variables(scope):
            if occurrence.value != name:
                continue
            if isinstance(self.parents.get(occurrence), (cst.Param, cst.AsName)):
                continue
            at: cst.CSTNode = occurrence
            for attr in path:
                parent = self.parents.get(at)
                if not (isinstance(parent, cst.Attribute) and parent.value is at and parent.attr.value == attr):
                    return f"mock {name} is used beyond {'.'.join((name, *path))}: adapt the test by hand"
                at = parent
            replaced.append(at)
        if path:
            for attribute in replaced:
                self.exprs[attribute] = _replace_with(name)
        self._set_string(node, new)
        self.fixed.add(i)
        return None

    def _mock_variable(self, call: cst.Call) -> tuple[str, cst.CSTNode] | str:
        """The name the test receives the mock as, and the code where it is used."""
        parent = self.parents.get(call)
        if isinstance(parent, cst.Decorator):
            function = self.parents.get(parent)
            if not isinstance(function, cst.FunctionDef):
                return "mock.patch(...) decorates a class: adapt its tests by hand"
            injected = 0
            # Patch decorators pass their mocks bottom-up, after self.
            for decorator in function.decorators[list(function.decorators).index(parent) + 1:]:
                inner = decorator.decorator
                if isinstance(inner, cst.Call) and _code(inner.func).endswith(("patch", "patch.object")):
                    if len(inner.args) != (1 if _code(inner.func).endswith("patch") else 2):
                        return "stacked patch decorators with arguments: adapt the test by hand"
                    injected += 1
            owner = self.parents.get(self.parents.get(function) or function)
            if isinstance(owner, cst.ClassDef) and "staticmethod" not in [_code(d.decorator) for d in
                                                                          function.decorators]:
                injected += 1
            params = [*function.params.posonly_params, *function.params.params]
            if injected >= len(params):
                return "the patched test takes no argument for the mock: adapt it by hand"
            return params[injected].name.value, function
        if isinstance(parent, cst.WithItem) and parent.asname is not None and isinstance(parent.asname.name, cst.Name):
            return parent.asname.name.value, self._function(parent) or self.tree
        return "mock.patch(...) used neither as a decorator nor in with ... as: adapt it by hand"

    def _moved_string(self, i: int, node: cst.SimpleString) -> str | None:
        use = self.uses[i]
        new = self._move(use)
        if new is None:
            if use.target in self.index.deprecations.entries and self.index.module_file(use.target):
                return "names the deprecated module itself, which has no replacement module"
            return "no same-shape replacement for this string target"
        value = node.evaluated_value
        member = self.templates.member(use)
        if member is not None and value == member.old.rpartition(".")[2]:
            # `patch.object(C, "old")`: the member's own name.
            self._set_string(node, member.new.rpartition(".")[2])
            self.fixed.add(i)
            return None
        if self._follows_its_object(node, use):
            self.fixed.add(i)  # `patch.object(Old, "get")`: names New.get once Old is renamed
            return None
        if not isinstance(value, str) or value.strip() != use.target:
            return f"names {use.target} through another path: point it where the new code looks it up"
        self._set_string(node, new)
        self.fixed.add(i)
        return None

    def _follows_its_object(self, node: cst.SimpleString, use: Finding) -> bool:
        """Whether the string is an attribute name whose object, the call's first argument
        (``patch.object(Old, "get")``, ``getattr(Old, "get")``), is a name a move renames: the
        string then names the new object's attribute (the engine checks the object was renamed)."""
        arg = self.parents.get(node)
        call = self.parents.get(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(call, cst.Call) or len(call.args) < 2 or call.args[1] is not arg:
            return False
        owner, _, name = use.target.rpartition(".")
        return node.evaluated_value == name and chain_of(call.args[0].value) is not None and any(
            not m.member and m.apply(owner) is not None for m in self.templates.moves.get(use.rule, ())
        )

    def _set_string(self, node: cst.SimpleString, value: str) -> None:
        text = f"{node.prefix}{node.quote}{value}{node.quote}"
        self.exprs[node] = lambda updated: updated.with_changes(value=text)
