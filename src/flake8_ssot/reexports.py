"""Which files of a project still reach a module's binding: can a re-export go?

`fix` removes a deprecated name that a module imports only to re-export it once no file of
the project reaches anything through that module's binding. The project is analyzed as it
will be after the planned rewrites (their texts over the files on disk): the engine's visitor
finds every use, and each use's dotted path, as the file spells it, is followed through the
modules' bindings the way :meth:`Index.resolve` follows it. ``# noqa``, the allowlist and
``exempt`` do not matter here: a silenced import breaks as well when its name goes away.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING

from flake8_ssot import records
from flake8_ssot.engine import decode_source
from flake8_ssot.index import TOO_DEEP, Index, one_line, parse_source
from flake8_ssot.model import Config
from flake8_ssot.pool import fork_map
from flake8_ssot.summary import ModuleSummary

if TYPE_CHECKING:
    from flake8_ssot.visitor import Use

Binding = tuple[str, str]
"""(module, name): the name a module binds at top level."""

# Bound on the chain of re-exports followed from one spelled path (as the index's).
_MAX_DEPTH = 32
# Below this many files a process pool costs more than it saves.
_PARALLEL_MIN = 24


class PlannedIndex(Index):
    """The project's index with some files' contents replaced by the texts planned for them."""

    def __init__(self, config: Config, planned: Mapping[str, bytes]) -> None:
        self.planned = planned
        # A cache must never learn summaries of texts that are not on disk.
        super().__init__(records.replace(config, cache=False))

    def summary_of_file(self, relpath: str, data: bytes | None = None) -> ModuleSummary:
        return super().summary_of_file(relpath, self.planned.get(relpath) if data is None else data)


def users(
    config: Config,
    planned: Mapping[str, bytes],
    files: Iterable[str],
    wanted: Collection[Binding],
    jobs: int | None = None,
    unreadable: dict[str, tuple[str, set[Binding]]] | None = None,
    strings: dict[Binding, list[StringUse]] | None = None,
    by_code: dict[Binding, set[str]] | None = None,
) -> dict[Binding, set[str]]:
    """For each binding of ``wanted``, the files among ``files`` whose uses reach through it.

    ``planned`` holds the new contents of the files a rewrite will change. A file Python cannot
    read either (a syntax error, undecodable bytes) is no user; one too deeply nested for the
    analysis counts as a user of every binding whose name its bytes spell. Either goes to
    ``unreadable`` (path -> why, those bindings) when it spells one, for `fix` to name it.
    ``strings`` receives, per binding, the string targets (``mock.patch("pkg.mod.name")``...)
    that reach through it; ``by_code``, the files that reach it otherwise (an import, an
    attribute...), for each binding some file reaches.
    """
    index = PlannedIndex(config, planned)
    by_module: dict[str, set[str]] = {}
    for module, name in wanted:
        by_module.setdefault(module, set()).add(name)
    root = config.root
    paths = sorted(set(files))

    def one(relpath: str) -> tuple[set[Binding], str | None, list[tuple[Binding, StringUse]], set[Binding]]:
        data = planned.get(relpath)
        if data is None:
            try:
                data = (root / relpath).read_bytes()
            except OSError:  # pragma: no cover - removed or made unreadable since the index was built
                return set(), None, [], set()
        uses = _uses(index, relpath, data)
        if isinstance(uses, str):
            spelled = {(m, n) for m, names in by_module.items() for n in names if _spells(data, n)}
            return spelled, uses, [], spelled
        walker = _Walker(index, by_module)
        found: set[Binding] = set()
        hits: list[tuple[Binding, StringUse]] = []
        code: set[Binding] = set()
        for use in uses:
            reached = walker.through(use)
            found |= reached
            if use.form == "string":
                hits.extend((b, StringUse(relpath, use.line, use.col, use.code, use.spelled)) for b in reached)
            else:
                code |= reached
        return found, None, hits, code

    result: dict[Binding, set[str]] = {binding: set() for binding in wanted}
    for relpath, (found, problem, hits, code) in zip(paths, fork_map(one, paths, jobs, _PARALLEL_MIN)):
        if strings is not None:
            for binding, hit in hits:
                strings.setdefault(binding, []).append(hit)
        if problem is not None:
            if found and unreadable is not None:
                unreadable.setdefault(relpath, (problem, set()))[1].update(found)
            if problem != TOO_DEEP:
                continue
        for binding in found:
            result[binding].add(relpath)
        if by_code is not None:
            for binding in code:
                by_code.setdefault(binding, set()).add(relpath)
    return result


@dataclasses.dataclass(frozen=True)
class StringUse:
    """A string target (``mock.patch("pkg.mod.name")``) that reaches through a binding."""

    path: str
    line: int
    col: int
    code: str
    spelled: str


def _spells(data: bytes, name: str) -> bool:
    return re.search(rb"\b" + re.escape(name.encode()) + rb"\b", data) is not None


def _uses(index: Index, relpath: str, data: bytes) -> list[Use] | str:
    """Every use the engine's visitor finds in a file, or why it cannot be analyzed."""
    from flake8_ssot.visitor import Visitor

    try:
        text = "".join(decode_source(data))
    except (UnicodeDecodeError, SyntaxError) as e:
        return f"cannot decode: {one_line(e)}"
    tree, problem = parse_source(text, relpath)
    if tree is None:
        return problem or "cannot parse"
    try:
        return Visitor(index, index.module_of(relpath), relpath.endswith("__init__.py")).run(tree)
    except RecursionError:
        return TOO_DEEP


class _Walker:
    """Follow dotted paths through module bindings, noting the wanted ones they pass."""

    def __init__(self, index: Index, wanted: Mapping[str, set[str]]) -> None:
        self.index = index
        self.wanted = wanted
        self.memo: dict[str, frozenset[Binding]] = {}

    def through(self, use: Use) -> set[Binding]:
        found = set(self.path(use.spelled))
        if use.via == "star":
            # `from pkg import *` brings each name pkg exports: it reaches those bindings of
            # pkg that lead to the deprecated name it reports.
            module = use.spelled
            for name in self.wanted.get(module, ()):
                reached = self.index.resolve(f"{module}.{name}")
                if reached is not None and reached.target == use.resolution.target:
                    found.add((module, name))
        return found

    def path(self, dotted: str, depth: int = 0) -> frozenset[Binding]:
        known = self.memo.get(dotted)
        if known is not None:
            return known
        self.memo[dotted] = frozenset()  # breaks import cycles
        found: set[Binding] = set()
        parts = dotted.split(".")
        if self.index.deprecations.match(dotted) is None and depth <= _MAX_DEPTH:
            # The longest prefix that is a project module decides what the next name is.
            for i in range(len(parts) - 1, 0, -1):
                module = ".".join(parts[:i])
                summary = self.index.summary(module)
                if summary is None:
                    continue
                name, rest = parts[i], parts[i + 1:]
                if name in self.wanted.get(module, ()):
                    found.add((module, name))
                targets = list(summary.bindings.get(name, ()))
                if not summary.binds(name):
                    targets = [f"{star}.{name}" for star in summary.stars]
                for target in targets:
                    found |= self.path(".".join([target, *rest]), depth + 1)
                break
        self.memo[dotted] = frozenset(found)
        return self.memo[dotted]
