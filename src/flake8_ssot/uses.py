"""What the visitor yields (:class:`Use`, its ``FORMS``) and the calls whose arguments name
targets as strings (the sinks :meth:`flake8_ssot.visitor.Visitor._string_sinks` reads)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from flake8_ssot.deprecations import Resolution

# Syntactic shape of a use, carried into findings so `fix` can pick a rewrite.
FORMS = {
    "import": "import a.b [as m]",
    "import-from": "from a import b [as c]",
    "import-star": "from a import *",
    "name": "bare name reference",
    "attribute": "attribute chain reference",
    "call": "call of a name or attribute chain",
    "result-call": "call on a value returned by a deprecated call",
    "instance": "member of an instance (created by a call, or a parameter's annotation)",
    "string": "string naming a target (mock.patch, importlib, getattr, sys.modules)",
    "string-value": "name or expression holding a constant string that names a target",
    "instance-attribute": "self.f, where the class body bound f (a function found there gets self)",
    "all": "__all__ entry",
    "annotation-string": "name inside a string annotation",
    "argument": "a deprecated argument passed to a call, by keyword or by position",
    "rebinding": "a deprecated API's name bound to another object (SOT005)",
}

MODULE_STRING_SINKS = {
    "importlib.import_module",
    "importlib.__import__",
    "builtins.__import__",
    "importlib.util.find_spec",
    "importlib.util.resolve_name",
    "pkgutil.resolve_name",
    "sys.modules.get",
    "sys.modules.pop",
    "sys.modules.setdefault",
    "sys.modules.__getitem__",
}
ATTR_BUILTINS = {"getattr", "hasattr", "setattr", "delattr"}
# Calls whose first argument is a type expression, where a string is a forward reference.
TYPE_EXPRESSION_SINKS = {"typing.cast", "typing_extensions.cast"}


@dataclass(frozen=True)
class Use:
    line: int
    col: int
    end_line: int
    end_col: int
    code: str
    resolution: Resolution
    form: str
    scope: str
    via: str
    spelled: str


Found = tuple[Resolution, str, str, str | None]
"""A chain's resolution, the name to show, how it was reached, and its form if not the plain one."""


def argument(node: ast.Call, position: int, keyword: str) -> ast.expr | None:
    if len(node.args) > position:
        return node.args[position]
    return next((k.value for k in node.keywords if k.arg == keyword), None)
