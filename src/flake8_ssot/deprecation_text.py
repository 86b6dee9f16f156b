"""How a deprecation warning reads, from source: its message rendered as it prints, and the
replacement the message names (as spelled; :mod:`flake8_ssot.declarations` resolves it)."""

from __future__ import annotations

import ast
import re

_PERCENT = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdrifxXeEgGcaou%]")


def render(node: ast.expr) -> str:
    """A message as it reads: constants as they are, anything computed as ``{its source}``
    (f-strings, ``%`` and ``.format`` filled in where the arguments are constants)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else render(v) for v in node.values
        )
    if isinstance(node, ast.FormattedValue):
        return "{" + source(node.value) + "}"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return render(node.left) + render(node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_text(node.left):
        values = list(node.right.elts) if isinstance(node.right, ast.Tuple) else [node.right]
        mapping = dict(zip(
            (k.value for k in node.right.keys if isinstance(k, ast.Constant)), node.right.values
        )) if isinstance(node.right, ast.Dict) else {}
        it = iter(values)

        def fill(m: re.Match[str]) -> str:
            if m.group(0) == "%%":
                return "%"
            value = mapping.get(m.group(1)) if m.group(1) is not None else next(it, None)
            return render(value) if value is not None else m.group(0)

        return _PERCENT.sub(fill, render(node.left))
    if (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
        and _is_text(node.func.value)
    ):
        template = render(node.func.value)
        args = [render(a) for a in node.args if not isinstance(a, ast.Starred)]
        kwargs = {k.arg: render(k.value) for k in node.keywords if k.arg}
        try:
            return template.format(*args, **kwargs)
        except (IndexError, KeyError, ValueError, AttributeError):
            return template
    return "{" + source(node) + "}"


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def source(node: ast.expr) -> str:
    """An expression as written (a constant as its value)."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    try:
        return ast.unparse(node)
    except (ValueError, RecursionError):  # pragma: no cover - unparse accepts every parsed tree
        return "..."


_IDENT = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_FROM_IMPORT = re.compile(r"\bfrom\s+(" + _IDENT + r")\s+import\s+([A-Za-z_]\w*)")
# Words that can only introduce the replacement (`replacement is asyncio`): a bare lower-case
# name after them counts; after the others (`use`), prose is too likely (`use keyword arguments`).
_STRONG = (
    r"replaced\s+(?:by|with)|in\s+favou?r\s+of|superseded\s+by|renamed\s+to|moved\s+to|replacement\s+is"
)
_LEAD = r"\b(?:(?P<strong>" + _STRONG + r")|use|using|call|prefer|switch\s+to|migrate\s+to|see)"
_QUOTES = "'\"`\u2018\u2019\u201c\u201d"
_AFTER = re.compile(
    _LEAD + r"\s+(?:the\s+|using\s+)?(?P<quote>[" + _QUOTES + r"]*)(?P<name>" + _IDENT + r")(?P<called>\(\))?",
    re.IGNORECASE,
)
_BEFORE = re.compile(
    r"(?P<quote>[" + _QUOTES + r"]*)(?P<name>" + _IDENT + r")(?P<called>\(\))?[" + _QUOTES + r"]*\s+instead\b",
    re.IGNORECASE,
)
_WORDS = frozenset("""
a an the it its this that these those them they instead keyword keywords argument arguments parameter
parameters method methods function functions class classes module modules attribute attributes
value values object objects one something anything other new old same setting settings option options
not no be is are was will may can should and or of in on to for with by as at from using
""".split())


def replacement_named(message: str) -> tuple[str, bool]:
    """The replacement a message names, as spelled (dotted), and whether it was a
    ``from X import Y`` (already absolute); ("", False) when it names none.

    A bare lower-case word (``use keyword arguments``) is taken only quoted or called
    (``use 'iterate'``, ``use iterate()``): prose is full of such words.
    """
    text = re.sub(r"\{[^{}]*\}", " ", message)  # what the message computes is no name
    found = _FROM_IMPORT.search(text)
    if found:
        return f"{found.group(1)}.{found.group(2)}", True
    for pattern in (_AFTER, _BEFORE):
        for m in pattern.finditer(text):
            strong = m.groupdict().get("strong") is not None
            quote, name, called = m.group("quote"), m.group("name"), m.group("called")
            if quote or called:
                return name, False
            if name.lower() in _WORDS:
                continue
            if strong or "." in name or "_" in name or any(c.isupper() for c in name):
                return name, False
    return "", False
