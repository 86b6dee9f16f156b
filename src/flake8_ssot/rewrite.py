"""Rewrite the engine's findings with LibCST: fix templates, moved names, and their imports.

Imported only by `flake8-ssot fix` (LibCST is the optional extra ``flake8-ssot[fix]``). The
engine decides what is a use; this module rewrites the syntax nodes at the findings'
positions and leaves every use whose shape it does not understand, saying why. All
decisions are made on the original tree, then applied in one transformation.
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib.machinery
import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import (
    BuiltinAssignment,
    GlobalScope,
    ImportAssignment,
    MetadataWrapper,
    PositionProvider,
    ScopeProvider,
)

from flake8_ssot.config import placeholder, template_source
from flake8_ssot.fixers import style
from flake8_ssot.index import Index
from flake8_ssot.model import Config, ConfigError, Finding, Rule
from flake8_ssot.paths import resolve_relative
from flake8_ssot.summary import ModuleSummary, summarize

_CONSTANTS = frozenset({"True", "False", "None"})
_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
# Which node a finding's position names, by the visitor's `form`.
_FORM_NODES: dict[str, tuple[type[cst.CSTNode], ...]] = {
    "import": (cst.ImportAlias,),
    "import-from": (cst.ImportAlias,),
    "import-star": (cst.ImportStar,),
    "name": (cst.Name,),
    "attribute": (cst.Attribute,),
    "call": (cst.Call,),
    "result-call": (cst.Call,),
    "string": (*_STRINGS, cst.Arg),
    "all": _STRINGS,
    "annotation-string": _STRINGS,
    # Findings `fix` leaves to a person, located only to say why.
    "string-value": (*_STRINGS, cst.Name, cst.BinaryOperation),
    "instance-attribute": (cst.Call, cst.Attribute),
}
_ATOMS = (
    cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString, cst.ConcatenatedString,
    cst.Integer, cst.Float, cst.Imaginary, cst.List, cst.Dict, cst.Set, cst.FormattedString,
)
Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement
PARSE_ERRORS = (cst.ParserSyntaxError, RecursionError)
"""What LibCST raises for a file it cannot read (the engine may still have parsed it)."""


# -- compiled templates ---------------------------------------------------------------------


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
    for is_module in (lambda m: index.module_file(m) is not None, _installed):
        for i in range(len(parts) - 1, 0, -1):
            if is_module(".".join(parts[:i])):
                return Spelling(".".join(parts[:i]), parts[i], tuple(parts[i + 1:]))
    return Spelling(".".join(parts[:-1]), parts[-1])


@functools.lru_cache(maxsize=None)
def _installed(module: str) -> bool:
    """Whether ``module`` is importable here, found from the files on sys.path without importing it."""
    path: list[str] | None = None
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

    def covers(self, use: Finding) -> bool:
        """Whether any template or move could rewrite the use (or the uses its import serves)."""
        if use.form in ("import", "import-from", "import-star", "all"):
            # An import changes with a move of what it imports; else only when the uses it
            # serves are rewritten (they are covered themselves) or it is unread (a re-export).
            return self._moved(use)
        if use.form == "string":  # a string target follows a move, or a template of mock.patch's shape
            return self._moved(use) or any(_mock_shape(t, use.target) for t in self.templates.get(use.rule, ()))
        if use.form not in ("call", "result-call", "name", "attribute"):
            return False
        return any(use.target in t.anchors.values() for t in self.templates.get(use.rule, ())) or self._moved(use)

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
            if pattern_chain is not None and replace_chain is not None:
                moves.setdefault(rule.name, []).append(
                    Move(template.anchors[pattern_chain], template.needs[0].dotted)
                )
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
        frozenset(_safe_placeholders(spelled_tree)), holders,
    )


def chain_of(node: cst.CSTNode) -> str | None:
    """``a.b.c`` for a chain of names (placeholders and constants are not names here)."""
    if isinstance(node, cst.Name):
        if placeholder(node.value) is not None or node.value in _CONSTANTS:
            return None
        return node.value
    if isinstance(node, cst.Attribute):
        base = chain_of(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


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
    return index.module_file(module) is not None or _installed(module)


def _undefined(module: str, name: str, index: Index) -> str | None:
    """Why ``module.name`` cannot be found in source (None: it is there, or it cannot be told)."""
    if not _is_module(module, index):
        return f"no module {module} in the project or installed"
    if index.module_file(f"{module}.{name}") is not None or _installed(f"{module}.{name}"):
        return None
    summary = index.summary(module) if index.module_file(module) is not None else _installed_summary(module)
    if summary is None or summary.binds(name) or summary.dynamic or summary.stars:
        return None
    return f"{module} defines no {name}"


@functools.lru_cache(maxsize=None)
def _installed_summary(module: str) -> ModuleSummary | None:
    """The top-level names an installed module's source binds (None: no Python source to read)."""
    path: list[str] | None = None
    spec = None
    for part in module.split("."):
        spec = importlib.machinery.PathFinder.find_spec(part, path)
        if spec is None:
            return None
        locations = spec.submodule_search_locations
        path = list(locations) if locations is not None else None
    origin = spec.origin if spec is not None else None
    if not origin or not origin.endswith(".py"):
        return None
    try:
        tree = ast.parse(Path(origin).read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError):
        return None
    return summarize(tree, module, origin.endswith("__init__.py"))


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


def _parents(module: cst.Module) -> dict[cst.CSTNode, cst.CSTNode]:
    """Each node's parent (what ParentNodeProvider gives, at a third of its cost)."""
    found: dict[cst.CSTNode, cst.CSTNode] = {}
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        for child in node.children:
            found[child] = node
            stack.append(child)
    return found


def _walk(node: cst.CSTNode, stop: Callable[[cst.CSTNode], bool] = lambda n: False) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        if not stop(child):
            yield from _walk(child, stop)


# -- implied moves ---------------------------------------------------------------------------


def implied_move(rule: Rule, index: Index) -> Move | None:
    """A rule whose one deprecated name and replacement are alike is a move without templates.

    Alike: both modules of the project, or both defined in the project with the same
    signature. Anything else needs an explicit template (``pattern = "old"``).
    """
    if rule.replacement is None or rule.fixes or len(rule.deprecated) != 1:
        return None
    old, new = rule.deprecated[0], rule.replacement
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


# -- one file --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reexport:
    """A deprecated name a module imports only for others: nothing in the module itself uses it."""

    name: str
    """The name the module binds."""
    uses: tuple[Finding, ...]
    """Its import's findings, then those of its ``__all__`` entries."""


@dataclass
class Result:
    code: str
    fixed: list[Finding] = field(default_factory=list)
    manual: list[tuple[Finding, str]] = field(default_factory=list)
    dropped_comments: list[str] = field(default_factory=list)
    """Trailing comments of removed import lines and ``__all__`` entries (they annotated them)."""
    reexports: list[Reexport] = field(default_factory=list)
    """Re-exports left in place (listed as manual, with a generic reason)."""
    removed_reexports: list[Reexport] = field(default_factory=list)
    unused_imports: list[str] = field(default_factory=list)
    """Names whose module-level imports were removed as the rewrite left them unused."""


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


@dataclass(eq=False)
class _ImportEdit:
    drop: set[cst.ImportAlias] = field(default_factory=set)
    renamed: dict[cst.ImportAlias, cst.ImportAlias] = field(default_factory=dict)
    module: str | None = None
    """New module of the whole statement (a ``from`` import or a star import)."""
    relative: int = 0
    """Dots before ``module``: a relative import stays relative."""
    add: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Check:
    """A rewrite that can be committed: the imports its new code needs."""

    needs: tuple[tuple[str, str | None], ...]
    short: tuple[tuple[str, str], ...] = ()
    """(full name, name) for a replacement's fully qualified names imported by name in this file."""


class FileRewriter:
    def __init__(
        self,
        templates: Templates,
        index: Index,
        relpath: str,
        module: cst.Module,
        uses: Sequence[Finding],
        drop: Collection[str] = (),
        keep: Collection[str] = (),
        text: str | None = None,
    ) -> None:
        """``text``: the module's source, when at hand (else generated from ``module``)."""
        self.text = module.code if text is None else text
        self.templates = templates
        self.drop = drop
        """Re-exports to remove, by the name the module binds."""
        self.keep = keep
        """Module-level imports to keep though the rewrite leaves them unused: other modules import them."""
        self.index = index
        self.module_name = index.module_of(relpath)
        self.is_package = relpath.endswith("__init__.py")
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.tree = self.wrapper.module
        self.positions = self.wrapper.resolve(PositionProvider)
        self.parents = _parents(self.tree)
        self.scopes = self.wrapper.resolve(ScopeProvider)
        self.lines = re.split(r"\r\n|\r|\n", self.text)
        self.uses = list(uses)
        self.nodes: dict[int, cst.CSTNode] = {}
        self.by_node: dict[cst.CSTNode, list[int]] = {}
        self.fixed: set[int] = set()
        self.manual: dict[int, str] = {}
        # The plan, applied by _Apply: keyed by nodes of the original tree.
        self.exprs: dict[cst.CSTNode, Callable[[Any], cst.CSTNode]] = {}
        self.removed: set[cst.CSTNode] = set()
        self.removed_imports: set[cst.CSTNode] = set()
        self.replaced_statements: dict[cst.CSTNode, cst.SimpleStatementLine] = {}
        self.inserted: dict[cst.CSTNode, list[cst.SimpleStatementLine]] = {}
        self.before: dict[cst.CSTNode, list[cst.SimpleStatementLine]] = {}
        """New lines to put before a statement (the module's first)."""
        self.two_blank_lines: set[cst.CSTNode] = set()
        """A ``def`` or ``class`` an import now precedes directly."""
        self.import_edits: dict[cst.CSTNode, _ImportEdit] = {}
        self.regions: list[tuple[cst.CSTNode, list[cst.CSTNode]]] = []
        """Code that goes away: (root, kept subtrees); names referenced there lose a use."""
        self.needs: dict[tuple[str, str | None], list[cst.CSTNode]] = {}
        self.too_long: dict[str, bool] = {}
        """Full name in a replacement -> whether writing it in full makes some line too long."""
        self.need_anchors: dict[cst.CSTNode, list[cst.CSTNode]] = {}
        """Site of new code -> the deprecated use there whose import places the new one."""
        self.kept_imports: set[cst.ImportAlias] = set()
        self.moved: set[cst.ImportAlias] = set()
        self.dropped_comments: list[str] = []
        self.names_in_file = _bound_or_read_names(self.text)
        self.exported = _exported(self.tree)
        self.element_drops: dict[cst.CSTNode, set[int]] = {}
        """List or tuple displays of ``__all__`` -> indices of the entries to remove."""
        self.reexports: list[Reexport] = []
        self.removed_reexports: list[Reexport] = []
        self.unused_imports: list[str] = []

    # -- driver ----------------------------------------------------------------------------

    def run(self) -> Result:
        self._locate()
        self._template_matches()
        self._two_statement_forms()
        self._strings()
        self._moves()
        self._imports()
        for i, use in enumerate(self.uses):
            if self._open(i):
                self.manual[i] = _generic_reason(use)
        manual = [(self.uses[i], reason) for i, reason in sorted(self.manual.items())]
        if not self.fixed:
            return Result(self.text, manual=manual, reexports=self.reexports)
        new = self.tree.visit(_Apply(self))
        assert isinstance(new, cst.Module)
        new = self._drop_unused_star(new)
        manual = [(self.uses[i], reason) for i, reason in sorted(self.manual.items())]
        return Result(
            new.code, [self.uses[i] for i in sorted(self.fixed)], manual, self.dropped_comments, self.reexports,
            self.removed_reexports, sorted(set(self.unused_imports)),
        )

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

    def _open(self, i: int) -> bool:
        return i not in self.fixed and i not in self.manual and self.uses[i].status != "noqa"

    # -- findings to nodes ----------------------------------------------------------------

    def _locate(self) -> None:
        wanted = tuple({t for types in _FORM_NODES.values() for t in types})
        at: dict[tuple[int, int, int, int], list[cst.CSTNode]] = {}
        for node, where in self.positions.items():
            if isinstance(node, wanted):
                key = (where.start.line, where.start.column, where.end.line, where.end.column)
                at.setdefault(key, []).append(node)
        for i, use in enumerate(self.uses):
            key = (use.line, self._column(use.line, use.col), use.end_line, self._column(use.end_line, use.end_col))
            found = next((n for n in at.get(key, ()) if isinstance(n, _FORM_NODES.get(use.form, ()))), None)
            if found is None:
                if use.status != "noqa":
                    self.manual[i] = "not a shape the fix understands"
                continue
            self.nodes[i] = found
            self.by_node.setdefault(found, []).append(i)

    def _column(self, line: int, byte_col: int) -> int:
        """AST columns count UTF-8 bytes, LibCST's count characters."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def _finding(self, node: cst.CSTNode, forms: tuple[str, ...], target: str) -> int | None:
        for i in self.by_node.get(node, ()):
            use = self.uses[i]
            if use.form in forms and use.target == target and self._open(i):
                return i
        return None

    def _function(self, node: cst.CSTNode | None) -> cst.CSTNode | None:
        """The function (or module) whose body holds ``node``; a class body counts as its function's."""
        while node is not None and not isinstance(node, (cst.FunctionDef, cst.Module)):
            node = self.parents.get(node)
        return node

    def _class_of(self, node: cst.CSTNode | None) -> cst.ClassDef | None:
        """The class whose own body (not a method's) holds ``node``."""
        while node is not None and not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Module)):
            node = self.parents.get(node)
        return node if isinstance(node, cst.ClassDef) else None

    # -- templates: one expression ---------------------------------------------------------

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
        spellings = list(match.template.needs)
        short: list[tuple[str, str]] = []
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

    def _imported_by_name(self, spelling: Spelling) -> bool | None:
        """Whether this file imports ``spelling``'s module, else its neighbours (modules of the same
        top-level package), by name (True) or as modules (False); None when it does neither."""
        plain, by_name = self._import_styles
        module = spelling.module or ""
        if module in plain:
            return False
        if module in by_name:
            return True
        top = module.split(".")[0]
        neighbours_by_name = any(m.split(".")[0] == top for m in by_name)
        neighbours_plain = any(m.split(".")[0] == top for m in plain)
        if neighbours_by_name != neighbours_plain:
            return neighbours_by_name
        return None

    @functools.cached_property
    def _import_styles(self) -> tuple[set[str], set[str]]:
        """Modules this file imports as modules (``import a.b``), and those it imports names from."""
        plain: set[str] = set()
        by_name: set[str] = set()
        for node in _walk(self.tree, lambda n: isinstance(n, cst.BaseExpression)):
            if isinstance(node, cst.Import):
                plain.update(a.evaluated_name for a in node.names if a.asname is None)
            elif isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None:
                by_name.add(_code(node.module))
        return plain, by_name

    def _free(self, name: str) -> bool:
        return name not in self.names_in_file and not hasattr(builtins, name)

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

    # -- templates: `factory = get_factory()` ... `factory.create_for_user(ctx)` ----------

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

    # -- string targets --------------------------------------------------------------------

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
        if not isinstance(value, str) or value.strip() != use.target:
            return f"names {use.target} through another path: point it where the new code looks it up"
        self._set_string(node, new)
        self.fixed.add(i)
        return None

    def _set_string(self, node: cst.SimpleString, value: str) -> None:
        text = f"{node.prefix}{node.quote}{value}{node.quote}"
        self.exprs[node] = lambda updated: updated.with_changes(value=text)

    # -- moved names -----------------------------------------------------------------------

    def _move(self, use: Finding) -> str | None:
        for move in self.templates.moves.get(use.rule, ()):
            new = move.apply(use.target)
            if new is not None:
                return new
        return None

    def _moves(self) -> None:
        # Nodes that read an import rewritten in place -> how to rewrite them (None: unchanged).
        readers: dict[cst.CSTNode, Callable[[Any], cst.CSTNode] | None] = {}
        moved_from: dict[cst.CSTNode, dict[cst.ImportAlias, tuple[str, cst.ImportAlias]]] = {}
        for i, use in enumerate(self.uses):
            node = self.nodes.get(i)
            new = self._move(use) if node is not None and self._open(i) else None
            if new is None or use.form not in ("import", "import-from", "import-star"):
                continue
            assert node is not None
            reason = self._move_import(i, node, new, readers, moved_from)
            if reason:
                self.manual[i] = reason
        for statement, aliases in moved_from.items():
            self._regroup(statement, aliases)
        self._exports_of_moved(moved_from)
        for i, use in enumerate(self.uses):
            node = self.nodes.get(i)
            new = self._move(use) if node is not None and self._open(i) else None
            if new is None or use.form not in ("call", "name", "attribute"):
                continue
            assert node is not None
            chain = node.func if isinstance(node, cst.Call) else node
            part: cst.CSTNode = chain
            while part not in readers and isinstance(part, cst.Attribute):
                part = part.value
            if part in readers:
                rewrite = readers[part]
                if rewrite is not None:
                    self.exprs[part] = rewrite
                self.fixed.add(i)
                continue
            spelling = spell(new, self.index)
            if (
                isinstance(chain, cst.Attribute) and spelling.module and not spelling.rest
                and self._module_bound(chain.value) == spelling.module
            ):
                # `pp.oldName` where `pp` is the new name's own module: `pp.new_name`.
                self.exprs[chain.attr] = _replace_with(spelling.name)
                self.regions.append((chain, [chain.value]))
                self.fixed.add(i)
                continue
            if "." in _code(chain) and spelling.module:
                # `old.mod.f()` keeps its style: `new.mod.g()`, with `import new.mod`.
                spelling = Spelling(spelling.module, spelling.name, spelling.rest, whole=True)
            check = self._check_needs((spelling,), node)
            if isinstance(check, str):
                self.manual[i] = check
                continue
            self._add_needs(check, node)
            self.exprs[chain] = _replace_with(spelling.code)
            self.regions.append((chain, []))
            self.fixed.add(i)

    def _module_bound(self, node: cst.CSTNode) -> str | None:
        """The module a name or dotted name refers to through an import of it (``pp`` after
        ``import pyparsing as pp``, ``a.b`` after ``import a.b``), else None."""
        head = _chain_head(node)
        chain = chain_of(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        scope = self.scopes.get(head) if isinstance(head, cst.Name) else None
        if chain is None or scope is None or not isinstance(head, cst.Name):
            return None
        assignments = list(scope[head.value])
        if len(assignments) != 1 or not isinstance(assignments[0], ImportAssignment):
            return None
        statement = assignments[0].node
        rest = chain[len(head.value):]
        if isinstance(statement, cst.Import):
            for alias in statement.names:
                if alias.asname is not None and alias.evaluated_alias == head.value:
                    return alias.evaluated_name + rest
                if alias.asname is None and alias.evaluated_name.split(".")[0] == head.value:
                    dotted = chain
                    return dotted if self.index.module_file(dotted) or _installed(dotted) else None
        return None

    def _move_import(
        self,
        i: int,
        node: cst.CSTNode,
        new: str,
        readers: dict[cst.CSTNode, Callable[[Any], cst.CSTNode] | None],
        moved_from: dict[cst.CSTNode, dict[cst.ImportAlias, tuple[str, cst.ImportAlias]]],
    ) -> str | None:
        """Rewrite one import of a moved name in place; returns a reason when it cannot be."""
        statement = self.parents.get(node)
        if isinstance(node, cst.ImportStar):
            if not isinstance(statement, cst.ImportFrom) or self.index.module_file(new) is None:
                return "star import: import the names you use from the replacement"
            self.import_edits.setdefault(statement, _ImportEdit()).module = new
            self.fixed.add(i)
            return None
        assert isinstance(node, cst.ImportAlias)
        references = self._references(statement, node)
        if isinstance(statement, cst.Import):
            if node.asname is None:
                # `import a.b` binds `a`: its uses spell the whole path, which moves with it.
                if any(_code(ref) != node.evaluated_name for ref in references):
                    head = node.evaluated_name.split(".")[0]
                    return f"import {node.evaluated_name} also binds {head}, used for more"
                readers.update((ref, _replace_with(new)) for ref in references)
            else:
                readers.update((ref, None) for ref in references)
            edit = self.import_edits.setdefault(statement, _ImportEdit())
            edit.renamed[node] = node.with_changes(name=_dotted_node(new))
            self.moved.add(node)
            self.fixed.add(i)
            return None
        assert isinstance(statement, cst.ImportFrom)
        spelling = spell(new, self.index)
        if spelling.module is None or spelling.rest:
            return ""  # not importable by name: its uses get the new spelling, then it is unused
        local = node.evaluated_alias or node.evaluated_name
        name = spelling.name
        if node.asname is None and name != local and self._can_rename(references, local, name):
            bound = name
            readers.update((ref, _replace_with(name)) for ref in references)
        else:
            bound = local
            readers.update((ref, None) for ref in references)
        alias = cst.ImportAlias(
            name=cst.Name(name), asname=None if bound == name else cst.AsName(name=cst.Name(bound)), comma=node.comma
        )
        moved_from.setdefault(statement, {})[node] = (spelling.module, alias)
        self.moved.add(node)
        self.fixed.add(i)
        return None

    def _exports_of_moved(
        self, moved_from: dict[cst.CSTNode, dict[cst.ImportAlias, tuple[str, cst.ImportAlias]]]
    ) -> None:
        """An ``__all__`` entry of a moved name that keeps its local name exports the new object."""
        kept: set[str] = set()
        for statement, aliases in moved_from.items():
            if isinstance(self.scopes.get(statement), GlobalScope):
                kept.update(
                    old.evaluated_alias or old.evaluated_name for old, (_, new) in aliases.items()
                    if (new.evaluated_alias or new.evaluated_name) == (old.evaluated_alias or old.evaluated_name)
                )
        for i, use in enumerate(self.uses):
            node = self.nodes.get(i)
            if use.form == "all" and self._open(i) and isinstance(node, cst.SimpleString) and (
                node.evaluated_value in kept
            ):
                self.fixed.add(i)

    def _regroup(self, statement: cst.CSTNode, moved: dict[cst.ImportAlias, tuple[str, cst.ImportAlias]]) -> None:
        """All names of a ``from`` line moved to one module: rewrite it; else split the moved off."""
        assert isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar)
        edit = self.import_edits.setdefault(statement, _ImportEdit())
        modules = {module for module, _ in moved.values()}
        if modules == {self._from_module(statement)}:  # renamed within their own module: in place
            edit.renamed.update((old, new) for old, (_, new) in moved.items())
            return
        if len(moved) == len(statement.names) and len(modules) == 1:
            edit.module = modules.pop()
            if statement.relative:
                edit.relative, edit.module = self._relative(edit.module)
            edit.renamed.update((old, new) for old, (_, new) in moved.items())
            return
        edit.drop.update(moved)
        line = self.parents.get(statement)
        assert line is not None
        for module in sorted(modules):
            aliases = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for m, a in moved.values() if m == module]
            aliases = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                       for a in aliases[:-1]] + aliases[-1:]
            self.inserted.setdefault(line, []).append(
                cst.SimpleStatementLine([cst.ImportFrom(module=_dotted_node(module), names=aliases)])
            )

    def _relative(self, module: str) -> tuple[int, str]:
        """``module`` as seen from this file's package: (dots, rest); (0, module) outside it."""
        package = (self.module_name if self.is_package else self.module_name.rpartition(".")[0]).split(".")
        parts = module.split(".")
        common = 0
        while common < min(len(package), len(parts)) and package[common] == parts[common]:
            common += 1
        if not common:
            return 0, module
        return len(package) - common + 1, ".".join(parts[common:])

    def _references(self, statement: cst.CSTNode | None, alias: cst.ImportAlias) -> list[cst.CSTNode]:
        """Nodes reading the name an import alias binds."""
        scope = self.scopes.get(statement) if statement is not None else None
        assert scope is not None, "an import statement always has a scope"
        local = alias.evaluated_alias or alias.evaluated_name
        found: list[cst.CSTNode] = []
        for assignment in scope.assignments:
            if isinstance(assignment, ImportAssignment) and assignment.node is statement and (
                assignment.name == local or (alias.asname is None and local.startswith(assignment.name + "."))
            ):
                found.extend(r.node for r in assignment.references)
        return found

    def _can_rename(self, references: list[cst.CSTNode], local: str, new: str) -> bool:
        """Uses may switch to the new name: each is a use the engine found, nothing else is called so."""
        if new in self.names_in_file or local in self.exported:
            return False
        heads = set()
        for i, use in enumerate(self.uses):
            node = self.nodes.get(i)
            if use.form in ("name", "call", "attribute") and node is not None:
                heads.add(_chain_head(node))
        return all(ref in heads for ref in references)

    # -- imports ---------------------------------------------------------------------------

    def _check_needs(self, spellings: Iterable[Spelling], at: cst.CSTNode) -> _Check | str:
        """The imports new code at ``at`` needs, or why a name it uses is not free there."""
        needs = []
        for spelling in spellings:
            provided = self._provided(spelling, at)
            if isinstance(provided, str):
                return provided
            if not provided:
                needs.append(spelling.need)
        return _Check(tuple(needs))

    def _add_needs(self, check: _Check, at: cst.CSTNode) -> None:
        for key in check.needs:
            self.needs.setdefault(key, []).append(at)

    def _provided(self, spelling: Spelling, at: cst.CSTNode) -> bool | str:
        """True when the name new code uses already means the right thing at ``at``; a reason on conflict."""
        bound = spelling.module.split(".")[0] if spelling.whole and spelling.module else spelling.name
        scope = self.scopes.get(at)
        assignments = [a for a in scope[bound] if not isinstance(a, BuiltinAssignment)] if scope is not None else []
        if spelling.module is None:  # a builtin: compiling the templates checked it is one
            return True if not assignments else f"{bound} means something else here"
        if spelling.whole:
            imports = [getattr(a, "node", None) for a in assignments]
            if not all(isinstance(node, cst.Import) for node in imports):
                return f"{bound} already means something else here"
            if any(
                a.evaluated_name == spelling.module and a.asname is None
                for node in imports if isinstance(node, cst.Import) for a in node.names
            ):
                return True
            if imports:
                return False
        for assignment in assignments:
            node = getattr(assignment, "node", None)
            if isinstance(assignment, ImportAssignment) and isinstance(node, cst.ImportFrom) and not isinstance(
                node.names, cst.ImportStar
            ) and self._from_module(node) == spelling.module:
                aliases = [a for a in node.names if a.evaluated_name == bound and a.evaluated_alias in (None, bound)]
                if aliases:
                    self.kept_imports.update(aliases)
                    return True
            return f"{bound} already means something else here"
        if spelling.need in self.needs:
            return False
        if bound in self.names_in_file or hasattr(builtins, bound):
            return f"{bound} already means something else in this file"
        return False

    def _from_module(self, statement: cst.ImportFrom) -> str | None:
        module = _code(statement.module) if statement.module is not None else None
        return resolve_relative(self.module_name, self.is_package, len(statement.relative), module or None)

    def _imports(self) -> None:
        """Drop the imports the rewrite left unused; say why the deprecated ones that stay do."""
        gone: set[int] = set()
        for root, kept in self.regions:
            gone.update(id(n) for n in _walk(root, lambda n: n in kept))
        verdicts: dict[cst.ImportAlias, tuple[cst.Import | cst.ImportFrom, bool, bool]] = {}
        for scope in {s for s in self.scopes.values() if s is not None}:
            for assignment in scope.assignments:
                statement = getattr(assignment, "node", None)
                if not isinstance(assignment, ImportAssignment) or not isinstance(
                    statement, (cst.Import, cst.ImportFrom)
                ) or isinstance(statement.names, cst.ImportStar):
                    continue
                for alias in statement.names:
                    local = alias.evaluated_alias or alias.evaluated_name
                    if local != assignment.name and not local.startswith(assignment.name + "."):
                        continue
                    refs = [r.node for r in assignment.references]
                    _, touched, left = verdicts.get(alias, (statement, False, False))
                    touched = touched or any(id(r) in gone for r in refs)
                    left = left or any(id(r) not in gone for r in refs)
                    verdicts[alias] = (statement, touched, left)
        removed_from: dict[cst.Import | cst.ImportFrom, list[cst.ImportAlias]] = {}
        reexported: dict[str, list[cst.ImportAlias]] = {}
        for alias, (statement, touched, left) in verdicts.items():
            if alias in self.moved:
                continue
            local = (alias.evaluated_alias or alias.evaluated_name).split(".")[0]
            deprecated = [i for i in self.by_node.get(alias, ()) if self.uses[i].status != "noqa"]
            silenced = len(deprecated) < len(self.by_node.get(alias, ()))  # its `# noqa` keeps it
            importable = (isinstance(statement, cst.ImportFrom) or alias.asname is not None) and isinstance(
                self.scopes.get(statement), GlobalScope
            )  # another module may import the name from here
            if touched and not left and not silenced and local not in self.exported and alias not in self.kept_imports:
                if not (importable and local in self.keep):
                    removed_from.setdefault(statement, []).append(alias)
                    if importable:
                        self.unused_imports.append(local)
                    for i in deprecated:
                        self.fixed.add(i)
                        self.manual.pop(i, None)
                    continue
            if not left and not silenced and deprecated and alias not in self.kept_imports and importable:
                reexported.setdefault(local, []).append(alias)
            for i in deprecated:
                if not self._open(i):
                    continue
                if left:
                    self.manual[i] = f"{local} is still used where the fix leaves the code as it is"
                elif local in self.exported:
                    self.manual[i] = f"re-exported in __all__: remove {local} when nothing imports it from here"
                else:
                    self.manual[i] = f"{local} is not used in this file (a re-export?): remove it by hand"
        for local, aliases in reexported.items():
            self._reexport(local, aliases, removed_from)
        for statement, aliases in removed_from.items():
            names = statement.names
            assert not isinstance(names, cst.ImportStar)
            line = self.parents.get(statement)
            edit = self.import_edits.get(statement)
            # Names a move split off to their new module's line go as well (`_regroup`).
            dropped: set[cst.ImportAlias] = {*aliases, *(edit.drop if edit is not None else ())}
            if len(dropped) == len(names) and isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
                comment = line.trailing_whitespace.comment
                if comment is not None:
                    self.dropped_comments.append(comment.value)
                # Comments between the names annotate them: they go with them.
                self.dropped_comments.extend(n.value for n in _walk(statement) if isinstance(n, cst.Comment))
                split_off = self.inserted.pop(line, [])
                if split_off:  # the moved names' new line takes the old one's place
                    self.import_edits.pop(statement, None)
                    first = split_off[0].body[0]
                    self.replaced_statements[line] = _replacing(line, first)
                    if split_off[1:]:
                        self.inserted[line] = split_off[1:]
                    continue
                self.removed.add(line)
                self.removed_imports.add(line)
            else:
                self.import_edits.setdefault(statement, _ImportEdit()).drop.update(aliases)
        self._place_needs()

    def _reexport(
        self,
        local: str,
        aliases: list[cst.ImportAlias],
        removed_from: dict[cst.Import | cst.ImportFrom, list[cst.ImportAlias]],
    ) -> None:
        """A module-level import of a deprecated name that nothing in the module uses: a re-export.

        It is one only if these imports are all that bind the name, and every ``__all__`` entry
        naming it can be taken out with it (an entry left behind would break ``import *``).
        Removed when ``local`` is in :attr:`drop`, else recorded for `fix` to decide.
        """
        statements = {self.parents.get(alias): alias for alias in aliases}
        scope = self.scopes.get(next(iter(statements)) or self.tree)
        assert scope is not None
        if not all(isinstance(a, ImportAssignment) and a.node in statements for a in scope.assignments[local]):
            return
        found = {
            i: node for i, use in enumerate(self.uses)
            if use.form == "all" and isinstance(node := self.nodes.get(i), cst.SimpleString)
            and node.evaluated_value == local
        }
        entries = list(found)
        plans = {id(node): self._entry_plan(node) for node in found.values()}
        strings = [s for s in _all_strings(self.tree) if s.evaluated_value == local]
        if any(self.uses[i].status == "noqa" for i in entries) or any(plans.get(id(s)) is None for s in strings):
            return
        imports = [i for alias in aliases for i in self.by_node.get(alias, ()) if self.uses[i].status != "noqa"]
        reexport = Reexport(local, tuple(self.uses[i] for i in (*imports, *entries)))
        if local not in self.drop:
            self.reexports.append(reexport)
            return
        self.removed_reexports.append(reexport)
        for alias in aliases:
            statement = self.parents.get(alias)
            assert isinstance(statement, (cst.Import, cst.ImportFrom))
            removed_from.setdefault(statement, []).append(alias)
        for i in (*imports, *entries):
            self.fixed.add(i)
            self.manual.pop(i, None)
        for plan in plans.values():
            assert plan is not None
            if isinstance(plan, cst.SimpleStatementLine):
                self.removed.add(plan)
            else:
                self.element_drops.setdefault(plan[0], set()).add(plan[1])

    def _entry_plan(self, string: cst.SimpleString) -> tuple[cst.CSTNode, int] | cst.SimpleStatementLine | None:
        """How an ``__all__`` entry goes: (its list or tuple, its index there), or the line
        ``__all__.append("name")`` that goes whole; None for a shape left to a person."""
        parent = self.parents.get(string)
        if isinstance(parent, cst.Element):
            display = self.parents.get(parent)
            holder = self.parents.get(display) if display is not None else None
            if not isinstance(display, (cst.List, cst.Tuple)) or not (
                isinstance(holder, (cst.Assign, cst.AnnAssign, cst.AugAssign))
                or isinstance(holder, cst.Arg) and _called(self.parents.get(holder)) == "__all__.extend"
            ):  # pragma: no cover - the engine reports entries of just these shapes; any other stays
                return None
            return display, next(k for k, e in enumerate(display.elements) if e is parent)
        call = self.parents.get(parent) if isinstance(parent, cst.Arg) else None
        expression = self.parents.get(call) if isinstance(call, cst.Call) else None
        line = self.parents.get(expression) if isinstance(expression, cst.Expr) else None
        if (
            _called(call) == "__all__.append" and isinstance(call, cst.Call) and len(call.args) == 1
            and isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1
        ):
            return line
        return None

    def _place_needs(self) -> None:
        """Where each import the new code needs goes.

        Into a ``from`` line of its module at the top; else where the import the old code used
        was, in the same block (so under the same ``try``/``if`` guard, in the same function,
        after the same ``sys.path`` set-up): in its place if the rewrite removed it, else right
        after it; else in place of a removed import of the function, then of the module; else
        after the top import block (AddImportsVisitor).
        """
        for (module, name), sites in list(self.needs.items()):
            del self.needs[module, name]
            existing = next(
                (
                    s.body[0] for s in self.tree.body
                    if isinstance(s, cst.SimpleStatementLine) and s not in self.removed
                    and isinstance(s.body[0], cst.ImportFrom) and not isinstance(s.body[0].names, cst.ImportStar)
                    and self._from_module(s.body[0]) == module
                    and self.import_edits.get(s.body[0], _ImportEdit()).module is None
                ),
                None,
            ) if name is not None else None
            if existing is not None and name is not None:
                self.import_edits.setdefault(existing, _ImportEdit()).add.append(name)
                continue
            statement: cst.Import | cst.ImportFrom = (
                cst.Import([cst.ImportAlias(_dotted_node(module))]) if name is None
                else cst.ImportFrom(module=_dotted_node(module), names=[cst.ImportAlias(cst.Name(name))])
            )
            unanchored: list[cst.CSTNode] = []
            top: list[cst.CSTNode] = []
            placed: set[cst.CSTNode] = set()
            """Blocks the new import went to."""
            for site in sites:
                line = self._old_import_line(site)
                if line is None or self._in_top_block(line):
                    (unanchored if line is None else top).append(site)
                    continue
                block = self.parents.get(line)
                assert block is not None
                if block in placed:
                    continue
                placed.add(block)
                if name is not None and self._join_planned(block, module, name):
                    continue
                if line in self.removed_imports:
                    self.replaced_statements[line] = _replacing(line, statement)
                    self.removed.discard(line)
                    self.removed_imports.discard(line)
                else:
                    self.inserted.setdefault(line, []).insert(0, cst.SimpleStatementLine([statement]))
            if top and not (name is not None and self._join_planned(self.tree, module, name)):
                if not self._replace_removed(self.tree, statement):
                    self._place_top(statement)
                continue
            left: list[cst.CSTNode] = []
            for function in dict.fromkeys(self._function(site) for site in unanchored):
                if not (isinstance(function, cst.FunctionDef) and self._replace_removed(function.body, statement)):
                    left.extend(site for site in unanchored if self._function(site) is function)
            if left and not self._replace_removed(self.tree, statement):
                self._place_top(statement)

    def _place_top(self, statement: cst.Import | cst.ImportFrom) -> None:
        """After the module's top import block (its docstring, ``from __future__`` and the imports
        that open it), or first; the statement after it keeps its own blank lines (a ``def`` or
        ``class`` right below gets PEP 8's two). A star import provides nothing here: the name
        is imported all the same, so that the file says where it comes from."""
        if isinstance(statement, cst.ImportFrom) and statement.module is not None and not isinstance(
            statement.names, cst.ImportStar
        ) and self._join_planned(self.tree, _code(statement.module), statement.names[0].evaluated_name):
            return
        body = list(self.tree.body)
        after: cst.SimpleStatementLine | None = None
        for k, line in enumerate(body):
            small = line.body if isinstance(line, cst.SimpleStatementLine) else None
            if small is None:
                break
            docstring = k == 0 and len(small) == 1 and isinstance(small[0], cst.Expr) and isinstance(
                small[0].value, _STRINGS
            )
            if not docstring and not all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in small):
                break
            if line not in self.removed and isinstance(line, cst.SimpleStatementLine):
                after = line
        new = cst.SimpleStatementLine([statement])
        following = body[body.index(after) + 1] if after is not None and body.index(after) + 1 < len(body) else (
            body[0] if after is None and body else None
        )
        if isinstance(following, (cst.FunctionDef, cst.ClassDef)) and not following.leading_lines:
            self.two_blank_lines.add(following)
        lines = self.inserted.setdefault(after, []) if after is not None else self.before.setdefault(body[0], [])
        lines.append(new)
        # As isort writes them: ``import a`` lines, then ``from a import b`` lines, each by module.
        lines.sort(key=lambda line: (isinstance(line.body[0], cst.ImportFrom), _code(line.body[0])))

    def _join_planned(self, block: cst.CSTNode, module: str, name: str) -> bool:
        """Add ``name`` to a ``from module import ...`` line this rewrite writes into ``block``."""
        def joined(line: cst.SimpleStatementLine) -> cst.SimpleStatementLine | None:
            statement = line.body[0] if len(line.body) == 1 else None
            if not (isinstance(statement, cst.ImportFrom) and not statement.relative
                    and statement.module is not None and _code(statement.module) == module
                    and not isinstance(statement.names, cst.ImportStar)):
                return None
            if any(a.evaluated_name == name and a.asname is None for a in statement.names):
                return line
            names = _insert_alias(list(statement.names), cst.ImportAlias(cst.Name(name)))
            return line.with_changes(body=[statement.with_changes(names=names)])

        for old, line in self.replaced_statements.items():
            if self.parents.get(old) is block and (new := joined(line)) is not None:
                self.replaced_statements[old] = new
                return True
        for old, lines in self.inserted.items():
            if self.parents.get(old) is not block:
                continue
            for k, line in enumerate(lines):
                if (new := joined(line)) is not None:
                    lines[k] = new
                    return True
        return False

    def _old_import_line(self, site: cst.CSTNode) -> cst.SimpleStatementLine | None:
        """The import line that bound the deprecated name the code at ``site`` used."""
        for anchor in self.need_anchors.get(site, [site]):
            node: cst.CSTNode = anchor
            while isinstance(node, (cst.Call, cst.Attribute, cst.Subscript, cst.Await)):
                if isinstance(node, cst.Call):
                    node = node.func
                elif isinstance(node, cst.Await):
                    node = node.expression
                else:
                    node = node.value
            scope = self.scopes.get(node) if isinstance(node, cst.Name) else None
            if scope is None:
                continue
            assert isinstance(node, cst.Name)
            for assignment in scope[node.value]:
                statement = getattr(assignment, "node", None)
                if isinstance(assignment, ImportAssignment) and isinstance(statement, (cst.Import, cst.ImportFrom)):
                    line = self.parents.get(statement)
                    if isinstance(line, cst.SimpleStatementLine):
                        return line
        return None

    def _in_top_block(self, line: cst.SimpleStatementLine) -> bool:
        """A module-level line with nothing but imports (and a docstring) above it."""
        body = list(self.tree.body)
        if line not in body:
            return False
        for k, statement in enumerate(body[:body.index(line)]):
            small = statement.body if isinstance(statement, cst.SimpleStatementLine) else None
            if small is None:
                return False
            if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in small):
                continue
            if k == 0 and len(small) == 1 and isinstance(small[0], cst.Expr) and isinstance(
                small[0].value, _STRINGS
            ):
                continue
            return False
        return True

    def _replace_removed(self, block: cst.CSTNode, statement: cst.Import | cst.ImportFrom) -> bool:
        """Put ``statement`` where the block's first removed import was."""
        statements = block.body if isinstance(block, (cst.IndentedBlock, cst.Module)) else ()
        removed = next((s for s in statements if s in self.removed_imports), None)
        if removed is None:
            return False
        assert isinstance(removed, cst.SimpleStatementLine)
        self.replaced_statements[removed] = _replacing(removed, statement)
        self.removed.discard(removed)
        self.removed_imports.discard(removed)
        return True


_NOQA = re.compile(r"#\s*noqa\b(?!.*SOT)", re.IGNORECASE)


def _replacing(line: cst.SimpleStatementLine, statement: cst.BaseSmallStatement) -> cst.SimpleStatementLine:
    """A new import line in place of a removed one: its leading lines, and its ``# noqa`` (E402...)."""
    comment = line.trailing_whitespace.comment
    trailing = line.trailing_whitespace if comment is not None and _NOQA.match(comment.value) else None
    new = cst.SimpleStatementLine([statement], leading_lines=line.leading_lines)
    return new.with_changes(trailing_whitespace=trailing) if trailing is not None else new


# -- matching ---------------------------------------------------------------------------------


class _Matcher:
    """Match a template's pattern on code, node by node, its names against the findings."""

    def __init__(
        self,
        rewriter: FileRewriter,
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


# -- applying the plan -------------------------------------------------------------------------


class _Apply(cst.CSTTransformer):
    def __init__(self, rewriter: FileRewriter) -> None:
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


def _dotted_node(dotted: str) -> cst.Attribute | cst.Name:
    node = cst.parse_expression(dotted)
    assert isinstance(node, (cst.Attribute, cst.Name))
    return node


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


def _follow(node: cst.CSTNode, path: Sequence[str | int]) -> cst.CSTNode:
    for step in path:
        node = node[step] if isinstance(step, int) else getattr(node, step)  # type: ignore[index]
    return node


def _replace_with(code: str) -> Callable[[Any], cst.CSTNode]:
    """Build the expression ``code`` in place of a node, keeping the node's parentheses."""

    def build(updated: Any) -> cst.CSTNode:
        return _with_parens(cst.parse_expression(code), updated)

    return build


def _with_parens(new: cst.BaseExpression, old: Any) -> cst.BaseExpression:
    if getattr(old, "lpar", None):
        return new.with_changes(lpar=old.lpar, rpar=old.rpar)
    return new


def _code(node: cst.CSTNode | None) -> str:
    return "" if node is None else cst.Module([]).code_for_node(node)


def _called(node: cst.CSTNode | None) -> str:
    """``f.g`` for a call ``f.g(...)``, else ""."""
    return _code(node.func) if isinstance(node, cst.Call) else ""


def _head(call: cst.CSTNode) -> cst.CSTNode:
    """``factory`` in the result call ``factory.create_for_user(ctx)``."""
    assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
    return call.func.value


def _chain_head(node: cst.CSTNode) -> cst.CSTNode:
    """The leftmost name of a use: ``a`` in ``a.b.c`` and in ``a.b()``."""
    if isinstance(node, cst.Call):
        node = node.func
    while isinstance(node, cst.Attribute):
        node = node.value
    return node


def _variables(tree: cst.CSTNode) -> Iterator[cst.Name]:
    """Name nodes that read or bind a variable (not attribute, keyword or module names)."""
    skip: set[int] = set()
    for node in _walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, cst.Attribute):
            skip.add(id(node.attr))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            skip.add(id(node.keyword))
        elif isinstance(node, cst.ImportFrom) and node.module is not None:
            skip.update(id(n) for n in _walk(node.module))
        elif isinstance(node, cst.ImportAlias) and isinstance(node.name, cst.Attribute):
            # `import a.b` binds `a` only.
            skip.update(id(n) for n in _walk(node.name) if n is not _chain_head(node.name))
        elif isinstance(node, cst.Name):
            yield node


def _bound_or_read_names(code: str) -> set[str]:
    """Every variable name the file mentions (read with :mod:`ast`, much faster than a CST walk)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


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


def _exported(tree: cst.Module) -> set[str]:
    """Names listed in the module's ``__all__``."""
    return {s.evaluated_value for s in _all_strings(tree) if isinstance(s.evaluated_value, str)}


def _all_strings(tree: cst.Module) -> Iterator[cst.SimpleString]:
    """The strings of statements that build ``__all__`` at module level (in ``if``/``try`` too)."""
    for small in _module_level(tree):
        targets: list[cst.BaseExpression] = []
        value: cst.BaseExpression | None = None
        if isinstance(small, cst.Assign):
            targets, value = [t.target for t in small.targets], small.value
        elif isinstance(small, (cst.AugAssign, cst.AnnAssign)):
            targets, value = [small.target], small.value
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            targets, value = [small.value.func], small.value
        if value is not None and any(_code(t).startswith("__all__") for t in targets):
            yield from (n for n in _walk(value) if isinstance(n, cst.SimpleString))


_BLOCKS = (
    cst.BaseCompoundStatement, cst.BaseSuite, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally,
    cst.MatchCase,
)


def _module_level(node: cst.CSTNode) -> Iterator[cst.BaseSmallStatement]:
    """Simple statements that run as the module body runs (not those of a def or class)."""
    for child in node.children:
        if isinstance(child, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            yield from child.body
        elif isinstance(child, _BLOCKS) and not isinstance(child, (cst.FunctionDef, cst.ClassDef)):
            yield from _module_level(child)


def _generic_reason(use: Finding) -> str:
    return {
        "import": "no fix template or replacement covers this module",
        "import-from": "no fix template or replacement covers this name",
        "import-star": "star import: import the names you use from the replacement",
        "call": "no fix template covers this call",
        "result-call": "no fix template covers this call",
        "name": "no fix template covers this reference",
        "attribute": "no fix template covers this reference",
        "string": "no same-shape replacement for this string target",
        "all": "public name listed in __all__: remove it when nothing imports it from here",
        "annotation-string": "name inside a string annotation",
        "string-value": "a string held in a variable or built from parts: change it where it is written",
        "instance-attribute": "reached through self: a function stored on the class receives self as well",
    }.get(use.form, "not a shape the fix understands")


def rewrite(
    templates: Templates,
    index: Index,
    relpath: str,
    text: str,
    uses: Sequence[Finding],
    drop: Collection[str] = (),
    keep: Collection[str] = (),
) -> Result:
    """Rewrite ``uses`` in one file's text; raises one of PARSE_ERRORS for code LibCST cannot read.

    ``drop`` names re-exports to remove (see :class:`Reexport`); ``keep`` names module-level
    imports to keep, as re-exports, though the rewrite leaves them unused. A file where no
    template or move applies to any use, and no deprecated import can be a re-export, is not
    parsed at all.
    """
    uses = list(uses)
    open_uses = [use for use in uses if use.status != "noqa"]
    if not drop and not any(templates.covers(use) for use in open_uses) and not _unread_imports(text, open_uses):
        return Result(text, manual=_unparsed_reasons(templates, index, text, open_uses))
    return FileRewriter(templates, index, relpath, cst.parse_module(text), uses, drop, keep, text).run()


def _unparsed_reasons(
    templates: Templates, index: Index, text: str, uses: Sequence[Finding]
) -> list[tuple[Finding, str]]:
    """Why each use stays, in a file nothing can be rewritten in (read with :mod:`ast`, no LibCST),
    as the full analysis says it: an import of a rule with fixes says whether the file reads the
    name it binds; a string naming a deprecated module says so."""
    imports = {
        (use.line, use.col) for use in uses
        if use.form in ("import", "import-from")
        and (templates.templates.get(use.rule) or templates.moves.get(use.rule))
    }
    bound: dict[tuple[int, int], str] = {}
    read: set[str] = set()
    if imports:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):  # pragma: no cover - the engine parsed it
            tree = ast.Module(body=[], type_ignores=[])
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                read.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    bound[alias.lineno, alias.col_offset] = alias.asname or alias.name.split(".")[0]
    reasons = []
    for use in uses:
        local = bound.get((use.line, use.col)) if (use.line, use.col) in imports else None
        if use.form == "string" and use.target in index.deprecations.entries and index.module_file(use.target):
            reasons.append((use, "names the deprecated module itself, which has no replacement module"))
        elif local is None:
            reasons.append((use, _generic_reason(use)))
        elif local in read:
            reasons.append((use, f"{local} is still used where the fix leaves the code as it is"))
        else:
            reasons.append((use, f"{local} is not used in this file (a re-export?): remove it by hand"))
    return reasons


def _unread_imports(text: str, uses: Sequence[Finding]) -> bool:
    """Whether a module-level import of a use binds a name the file never mentions (quick, with ast)."""
    at = {(use.line, use.col) for use in uses if use.form in ("import", "import-from") and use.scope == "<module>"}
    if not at:
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # pragma: no cover - the engine parsed it
        return True
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return any(
        (alias.lineno, alias.col_offset) in at and (alias.asname or alias.name) not in names
        for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names if isinstance(node, ast.ImportFrom) or alias.asname
    )
