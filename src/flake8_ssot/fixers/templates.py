"""Fix templates and moves, compiled once per run: names resolved against the project and the
installed modules, read from source, never imported."""

from __future__ import annotations

import ast
import builtins
import functools
import importlib.machinery
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst

from flake8_ssot.config import placeholder, template_source
from flake8_ssot.fixers import style
from flake8_ssot.fixers.common import _walk, chain_of
from flake8_ssot.index import Index
from flake8_ssot.model import Config, ConfigError, Finding, Rule


@dataclass(frozen=True)
class Spelling:
    """How new code names a dotted name: ``from module import name``, then ``name.rest``.

    With ``whole``, the module-attribute style instead: ``import module``, then the full path.
    """

    module: str | None
    """None for a builtin."""
    name: str
    rest: tuple[str, ...] = ()
    whole: bool = False

    @property
    def code(self) -> str:
        return self.dotted if self.whole else ".".join((self.name, *self.rest))

    @property
    def dotted(self) -> str:
        short = ".".join((self.name, *self.rest))
        return f"{self.module}.{short}" if self.module else short

    @property
    def need(self) -> tuple[str, str | None]:
        """The import: (module, name) for ``from module import name``, (module, None) for ``import module``."""
        return (self.module or "", None if self.whole else self.name)


def spell(dotted: str, index: Index) -> Spelling:
    """Split a dotted name at its longest prefix that is a module: of the project, else installed."""
    parts = dotted.split(".")
    if parts[0] == "builtins" and len(parts) > 1:
        return Spelling(None, parts[1], tuple(parts[2:]))
    if len(parts) == 1:
        return Spelling(None, dotted)
    for installed in (False, True):
        for i in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:i])
            if _installed(module, index.python_path) if installed else index.module_file(module) is not None:
                return Spelling(".".join(parts[:i]), parts[i], tuple(parts[i + 1:]))
    return Spelling(".".join(parts[:-1]), parts[-1])


@functools.lru_cache(maxsize=None)
def _installed(module: str, search: tuple[str, ...] | None = None) -> bool:
    """Whether ``module`` is importable in the project's Python environment (``search``: its
    path; None: this interpreter's sys.path), found from the files without importing it."""
    path: list[str] | None = list(search) if search is not None else None
    for i, part in enumerate(module.split(".")):
        if i == 0 and part in sys.builtin_module_names:
            return module == part
        spec = importlib.machinery.PathFinder.find_spec(part, path)
        if spec is None:
            return False
        locations = spec.submodule_search_locations
        path = list(locations) if locations is not None else None
        if path is None and i < module.count("."):
            return False
    return True


@dataclass(frozen=True)
class Move:
    """A deprecated name (or module) that moved unchanged: every use is renamed."""

    old: str
    new: str
    member: bool = False
    """A member renamed within its class (``unittest.TestCase.assertEquals`` -> ``assertEqual``):
    uses through instances (``self.old``, ``obj.old``, ``cls.old``) and ``patch.object(C, "old")``
    rename the attribute, whatever the object is spelled as."""

    def apply(self, target: str) -> str | None:
        if target == self.old or target.startswith(self.old + "."):
            return self.new + target[len(self.old):]
        return None


@dataclass(eq=False)
class Template:
    rule: Rule
    key: str
    pattern: cst.BaseExpression
    replace: cst.BaseExpression
    """With every name already spelled as the new code writes it."""
    anchors: dict[str, str]
    """Name chain in the pattern -> the deprecated target it stands for."""
    needs: tuple[Spelling, ...]
    """What the replacement's names must be bound to."""
    height: int
    """Parent steps from the deepest name of the pattern up to its root."""
    safe: frozenset[str]
    """Placeholders the replacement uses where any expression fits without parentheses."""
    written: tuple[str, ...]
    """The fully qualified name of each name the replacement writes (builtins aside)."""
    shapes: dict[str, frozenset[Shape | None]]
    """Deprecated target -> the shapes of the calls of it in the pattern (None: not called there)."""
    holders: tuple[tuple[str, cst.Call], ...]
    """(target, call) for each call of a deprecated name inside the pattern, not at its root:
    ``get_factory()`` in ``get_factory().create_for_user($ctx)`` can be held in a variable."""


@dataclass(frozen=True)
class Templates:
    templates: dict[str, list[Template]]
    """By rule name, in configuration order."""
    moves: dict[str, list[Move]]
    line_length: int | None = None
    """The longest line the project's flake8 or ruff allows (None: not configured)."""

    def covers(self, use: Finding, calls: Mapping[tuple[int, int], Shape] | None = None) -> bool:
        """Whether any template or move could rewrite the use (or the uses its import serves).

        ``calls``: the shape of each call of the file by position, when known: a call whose
        arguments no template's call of that name has cannot match (the file need not be parsed
        by LibCST for it)."""
        if use.form in ("import", "import-from", "import-star", "all"):
            # An import changes with a move of what it imports; else only when the uses it
            # serves are rewritten (they are covered themselves) or it is unread (a re-export).
            return self._moved(use)
        if use.form == "string":  # a string target follows a move, or a template of mock.patch's shape
            return self._moved(use) or any(_mock_shape(t, use.target) for t in self.templates.get(use.rule, ()))
        if use.form == "instance":
            return self.member(use) is not None
        if use.form not in ("call", "result-call", "name", "attribute"):
            return False
        if self._moved(use):
            return True
        shape: Shape | None | bool = True  # True: any shape
        if calls is not None and use.form in ("call", "name", "attribute"):
            shape = calls.get((use.line, use.col), True) if use.form == "call" else None
        return any(
            use.target in t.anchors.values() and (shape is True or shape in t.shapes.get(use.target, {None}))
            for t in self.templates.get(use.rule, ())
        )

    def member(self, use: Finding) -> Move | None:
        """The member rename that covers the use, if one does."""
        return next((m for m in self.moves.get(use.rule, ()) if m.member and m.apply(use.target)), None)

    def _moved(self, use: Finding) -> bool:
        return any(m.apply(use.target) is not None for m in self.moves.get(use.rule, ()))


def compile_templates(config: Config, index: Index) -> Templates:
    """Resolve every rule's template names against the project; ConfigError names the key."""
    templates: dict[str, list[Template]] = {}
    moves: dict[str, list[Move]] = {}
    for i, rule in enumerate(config.rules):
        for j, fix in enumerate(rule.fixes):
            key = f"tool.flake8-ssot.rules[{i}].fix[{j}]"
            template = _compile(config.source, key, rule, fix.pattern, fix.replace, index)
            pattern_chain = chain_of(template.pattern)
            replace_chain = chain_of(template.replace)
            renamed = _renamed_member_call(template, index)
            if pattern_chain is not None and replace_chain is not None:
                old, new = template.anchors[pattern_chain], template.needs[0].dotted
                moves.setdefault(rule.name, []).append(Move(old, new, member=_same_class(old, new, index)))
            elif renamed is not None:
                moves.setdefault(rule.name, []).append(renamed)
            else:
                templates.setdefault(rule.name, []).append(template)
        implied = implied_move(rule, index)
        if implied is not None:
            moves.setdefault(rule.name, []).append(implied)
    return Templates(templates, moves, style.line_length(config.root))


def _compile(source: Path, key: str, rule: Rule, pattern: str, replace: str, index: Index) -> Template:
    pattern_tree = cst.parse_expression(template_source(pattern).strip())
    replace_tree = cst.parse_expression(template_source(replace).strip())
    anchors: dict[str, str] = {}
    for node, depth in _chains(pattern_tree):
        chain = chain_of(node)
        assert chain is not None
        target = _anchor(chain, rule, index)
        if isinstance(target, tuple):
            raise ConfigError(source, target[0], key=f"{key}.pattern")
        anchors[chain] = target
    spellings: dict[str, Spelling] = {}
    for node, _ in _chains(replace_tree):
        chain = chain_of(node)
        assert chain is not None
        spelled = _spelling(chain, rule, index)
        if isinstance(spelled, str):
            raise ConfigError(source, spelled, key=f"{key}.replace")
        spellings[chain] = spelled
    spelled_tree = replace_tree.visit(_Respell(spellings, (n for n, _ in _chains(replace_tree))))
    assert isinstance(spelled_tree, cst.BaseExpression)
    height = max(depth for _, depth in _chains(pattern_tree))
    holders = tuple(
        (anchors[chain], node) for node in _walk(pattern_tree)
        if isinstance(node, cst.Call) and node is not pattern_tree and (chain := chain_of(node.func)) is not None
        # `await get_x()` awaits the call itself: `x = get_x()` then `await x` is another shape.
        and not (isinstance(pattern_tree, cst.Await) and node is pattern_tree.expression)
    )
    return Template(
        rule, key, pattern_tree, spelled_tree, anchors, tuple(dict.fromkeys(spellings.values())), height + 1,
        frozenset(_safe_placeholders(spelled_tree)),
        tuple(s.dotted for n, _ in _chains(replace_tree) if (s := spellings[chain_of(n) or ""]).module is not None),
        _pattern_shapes(pattern_tree, anchors), holders,
    )


Shape = tuple[int, frozenset[str]]
"""A call's positional argument count and keywords; ``(-1, ...)`` for one with ``*``/``**``,
which no pattern matches."""


def call_shape(positional: int, keywords: Iterable[str | None], starred: bool) -> Shape:
    names = list(keywords)
    return (-1, frozenset()) if starred or None in names else (positional, frozenset(n for n in names if n))


def _pattern_shapes(pattern: cst.BaseExpression, anchors: dict[str, str]) -> dict[str, frozenset[Shape | None]]:
    found: dict[str, set[Shape | None]] = {}
    for node, _ in _chains(pattern):
        chain = chain_of(node)
        if chain is None or chain not in anchors:
            continue
        call = next(
            (n for n in _walk(pattern) if isinstance(n, cst.Call) and n.func is node), None
        )
        shape = None if call is None else call_shape(
            sum(1 for a in call.args if a.keyword is None), (a.keyword.value for a in call.args if a.keyword), False
        )
        found.setdefault(anchors[chain], set()).add(shape)
    return {target: frozenset(shapes) for target, shapes in found.items()}


def _chains(tree: cst.CSTNode, depth: int = 0) -> Iterator[tuple[cst.BaseExpression, int]]:
    """Maximal name chains of a template, with their depth below the root."""
    if isinstance(tree, cst.BaseExpression) and chain_of(tree) is not None:
        yield tree, depth
        return
    for child in tree.children:
        attribute_name = isinstance(tree, cst.Attribute) and child is tree.attr
        if not attribute_name and not (isinstance(tree, cst.Arg) and child is tree.keyword):
            yield from _chains(child, depth + 1)


def _anchor(chain: str, rule: Rule, index: Index) -> str | tuple[str]:
    """The deprecated target a pattern name stands for, or (problem,)."""
    deprecations = index.deprecations

    def ours(name: str) -> bool:
        entry = deprecations.match(name)
        return entry is not None and deprecations.entries[entry] is rule

    if ours(chain):
        return chain
    head, _, tail = chain.partition(".")
    named = {
        ".".join(filter(None, (entry.rpartition(".")[0], chain)))
        for entry in rule.deprecated
        if entry.rpartition(".")[2] == head
    }
    named = {n for n in named if ours(n)}
    if len(named) == 1:
        return named.pop()
    members = []
    for entry in rule.deprecated:
        summary = index.summary(entry)
        outside = summary is None and index.owner(entry) is None
        submodule = index.module_file(f"{entry}.{head}") is not None
        if (summary is not None and summary.binds(head)) or submodule or outside:
            members.append(f"{entry}.{chain}")
    if len(members) == 1:
        return members[0]
    if members:
        return (f"{chain!r} is ambiguous ({' or '.join(members)}); write it in full",)
    return (f"{chain!r} is not a name of rule {rule.name!r}'s deprecated API; write it in full",)


def _spelling(chain: str, rule: Rule, index: Index) -> Spelling | str:
    """How a name in ``replace`` is bound: the replacement's own name is imported from its module;
    a fully qualified name is written as it is and its module imported; a builtin needs nothing.

    The head of each name must be found, from source and without importing anything: a module
    of the project or an installed one, and the name it must define there.
    """
    head, *rest = chain.split(".")
    replacement = spell(rule.replacement, index) if rule.replacement else None
    if rest and replacement is not None and head == replacement.name:
        # `datetime.datetime.now` beside the replacement `datetime.datetime.now`: a name written
        # in full means itself, though its head is the replacement's own name too.
        spelled = spell(chain, index)
        if (
            spelled.module is not None and spelled.module.partition(".")[0] == head
            and _undefined(spelled.module, spelled.name, index) is None
        ):
            return Spelling(spelled.module, spelled.name, spelled.rest, whole=True)
    if replacement is not None and replacement.module and head == replacement.name:
        problem = _undefined(replacement.module, head, index)
        if problem is not None:
            return f"{chain!r}: the rule's replacement {rule.replacement} cannot be found ({problem})"
        return Spelling(replacement.module, head, tuple(rest))
    if replacement is not None and rule.replacement and head in rule.replacement.split(".")[1:]:
        problem = _undefined(replacement.module, replacement.name, index) if replacement.module else "no module"
        if problem is not None:
            return f"{chain!r}: the rule's replacement {rule.replacement} cannot be found ({problem})"
    if rest:
        spelled = spell(chain, index)
        if spelled.module is None:
            return Spelling(None, spelled.name, spelled.rest)
        if not _is_module(spelled.module, index):
            own = f" ({replacement.name}...)" if replacement is not None else ""
            return (
                f"{chain!r}: {head} is neither the rule's replacement{own} nor a module of the project or an "
                "installed one; write the name in full (package.module.Name...)"
            )
        problem = _undefined(spelled.module, spelled.name, index)
        if problem is not None:
            return f"{chain!r}: {problem}"
        return Spelling(spelled.module, spelled.name, spelled.rest, whole=True)
    if hasattr(builtins, head):
        return Spelling(None, head)
    own = f" ({replacement.name}...)" if replacement is not None else ""
    return f"{chain!r} is neither the rule's replacement{own}, a fully qualified name, nor a builtin"


def _is_module(module: str, index: Index) -> bool:
    return index.module_file(module) is not None or _installed(module, index.python_path)


def _undefined(module: str, name: str, index: Index) -> str | None:
    """Why ``module.name`` cannot be found in source (None: it is there, or it cannot be told)."""
    if not _is_module(module, index):
        return f"no module {module} in the project or installed"
    if index.module_file(f"{module}.{name}") is not None or _installed(f"{module}.{name}", index.python_path):
        return None
    summary = index.any_summary(module)
    if summary is None or summary.binds(name) or summary.dynamic or summary.stars:
        return None
    return f"{module} defines no {name}"


class _Respell(cst.CSTTransformer):
    """Write each name of a replacement the way the new code spells it."""

    def __init__(self, spellings: dict[str, Spelling], chains: Iterable[cst.CSTNode]) -> None:
        self.spellings = spellings
        self.chains = set(chains)

    def on_visit(self, node: cst.CSTNode) -> bool:
        return node not in self.chains

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        if original_node not in self.chains:
            return updated_node
        chain = chain_of(original_node)
        assert chain is not None and isinstance(original_node, cst.BaseExpression)
        new = cst.parse_expression(self.spellings[chain].code)
        return new.with_changes(lpar=original_node.lpar, rpar=original_node.rpar)


def _safe_placeholders(tree: cst.BaseExpression) -> Iterator[str]:
    """Placeholders standing alone: the root, an argument, an element of a display."""
    if isinstance(tree, cst.Name) and placeholder(tree.value):
        yield placeholder(tree.value) or ""
    for node in _walk(tree):
        for child in node.children:
            value = getattr(child, "value", None)
            if isinstance(child, (cst.Arg, cst.Element, cst.DictElement)) and isinstance(value, cst.Name):
                name = placeholder(value.value)
                if name:
                    yield name


def _same_class(old: str, new: str, index: Index) -> bool:
    """Whether ``new`` is another member of the class ``old`` is a member of."""
    owner, _, _ = old.rpartition(".")
    return "." in owner and new.rpartition(".")[0] == owner and not _is_module(owner, index)


def _renamed_member_call(template: Template, index: Index) -> Move | None:
    """``pkg.C.old($a, $b)`` -> ``pkg.C.new($a, $b)``: the member renamed, arguments unchanged,
    is a rename of the member wherever it is reached (``self.old(...)`` keeps ``self``)."""
    pattern, replace = template.pattern, template.replace
    if not (isinstance(pattern, cst.Call) and isinstance(replace, cst.Call)):
        return None
    old_chain, new_chain = chain_of(pattern.func), chain_of(replace.func)
    if old_chain is None or new_chain is None or _arg_shape(pattern) != _arg_shape(replace):
        return None
    if not all(isinstance(a.value, cst.Name) and placeholder(a.value.value) for a in pattern.args):
        return None
    spelling = next((s for s in template.needs if f"{new_chain}.".startswith(f"{s.code}.")), None)
    if spelling is None or old_chain not in template.anchors:
        return None
    old, new = template.anchors[old_chain], spelling.dotted + new_chain[len(spelling.code):]
    return Move(old, new, member=True) if _same_class(old, new, index) else None


def implied_move(rule: Rule, index: Index) -> Move | None:
    """A rule whose one deprecated name and replacement are alike is a move without templates.

    Alike: both modules of the project, or both defined in the project with the same
    signature. Anything else needs an explicit template (``pattern = "old"``).
    """
    if rule.replacement is None or rule.fixes or len(rule.deprecated) != 1:
        return None
    old, new = rule.deprecated[0], rule.replacement
    if _same_class(old, new, index):
        return Move(old, new, member=True)
    old_module = index.module_file(old) is not None
    if old_module != (index.module_file(new) is not None):
        return None
    if old_module:
        return Move(old, new)
    old_shape, new_shape = _shape(old, index), _shape(new, index)
    return Move(old, new) if old_shape is not None and old_shape == new_shape else None


def _shape(dotted: str, index: Index) -> tuple[object, ...] | None:
    """Kind and parameters of a function or class the project defines, else None."""
    owner = index.owner(dotted)
    path = index.module_file(owner) if owner else None
    if owner is None or path is None or owner == dotted:
        return None
    try:
        tree = ast.parse((index.root / path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None
    body: list[ast.stmt] = tree.body
    node: ast.AST | None = None
    in_class = False
    for attr in dotted[len(owner) + 1:].split("."):
        found = [n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                 and n.name == attr]
        if not found:
            return None
        in_class = isinstance(node, ast.ClassDef)
        node = found[-1]
        body = node.body if isinstance(node, ast.ClassDef) else []
    if isinstance(node, ast.ClassDef):
        init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        return ("class", _parameters(init.args, drop_first=True) if init else None)
    assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
    return ("function", _parameters(node.args, drop_first=in_class and not static))


def _parameters(args: ast.arguments, *, drop_first: bool) -> tuple[tuple[str, str, bool], ...]:
    positional = [*args.posonlyargs, *args.args][1 if drop_first else 0:]
    defaults = len(args.defaults)
    shape = [("positional", a.arg, i >= len(positional) - defaults) for i, a in enumerate(positional)]
    if args.vararg:
        shape.append(("*", args.vararg.arg, False))
    shape += [("keyword", a.arg, d is not None) for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    if args.kwarg:
        shape.append(("**", args.kwarg.arg, False))
    return tuple(shape)


def _arg_shape(call: cst.Call) -> list[tuple[str | None, str]]:
    return [(a.keyword.value if a.keyword else None, cst.Module([]).code_for_node(a.value)) for a in call.args]


def _mock_shape(template: Template, target: str) -> tuple[tuple[str, ...], str, bool] | None:
    """For ``T().a.b($x)`` -> ``Q($x)``: the mock's path to Q (``return_value``, ``a``, ``b``), Q,
    and whether Q is an attribute of an object (a class), which a patch reaches wherever it is used."""
    pattern, replace = template.pattern, template.replace
    if not (isinstance(pattern, cst.Call) and isinstance(replace, cst.Call)):
        return None
    called = chain_of(replace.func)
    if called is None or _arg_shape(pattern) != _arg_shape(replace):
        return None
    if not all(isinstance(a.value, cst.Name) and placeholder(a.value.value) for a in pattern.args):
        return None
    path: list[str] = []
    node: cst.BaseExpression = pattern.func
    while chain_of(node) is None:
        if isinstance(node, cst.Attribute):
            path.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Call) and not node.args:
            path.append("return_value")
            node = node.func
        else:
            return None
    if template.anchors.get(chain_of(node) or "") != target:
        return None
    spelling = next((s for s in template.needs if f"{called}.".startswith(f"{s.code}.")), None)
    if spelling is None or spelling.module is None:
        return None
    full = spelling.dotted + called[len(spelling.code):]
    return tuple(reversed(path)), full, "." in full[len(spelling.module) + 1:]
