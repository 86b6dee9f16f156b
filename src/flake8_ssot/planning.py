"""The remaining uses cut into batches that land one at a time: the planning behind `flake8-ssot plan`.

Every file with a use of a selected rule (whatever keeps it quiet: the allowlist, ``# noqa``)
goes into exactly one batch. Files are grouped by package or by owner and cut, in path
order, into batches of at most ``max_files``; a batch's id is a hash of its group and first
file, so that landing one batch changes neither the ids nor the members of the others.

A module that re-exports a deprecated name comes no earlier than every batch whose files
still import the name through it (found as `fix` finds a re-export's users, see
:mod:`flake8_ssot.reexports`); removing the deprecated module itself comes last. The tests
of a batch are the test files that import one of its modules, directly or through the
project's own modules, read statically from the source.
"""

from __future__ import annotations

import ast
import hashlib
import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from flake8_ssot import reexports
from flake8_ssot.engine import FileReport, Project
from flake8_ssot.index import parse_source
from flake8_ssot.paths import resolve_relative
from flake8_ssot.pool import fork_map

COLUMNS = ("uses", "grandfathered", "noqa", "new", "expired")
"""Counts per file, as `report` counts them: every use, then by status."""
_STATUS_COLUMN = {"allowed": "grandfathered", "noqa": "noqa", "new": "new", "expired": "expired"}
BY = ("package", "owner")
NO_OWNER = "(no owner)"
# Below this many files a process pool costs more than it saves.
_PARALLEL_MIN = 24


@dataclass(frozen=True)
class PlannedFile:
    path: str
    """Relative to the project root."""
    counts: Mapping[str, int]


@dataclass
class Batch:
    id: str
    group: str
    """The package (a directory, ``.`` for the root) or the owners the batch's files share."""
    files: tuple[PlannedFile, ...]
    owners: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    """Ids of the batches that must land first."""
    tests: tuple[str, ...] = ()

    @property
    def uses(self) -> int:
        return sum(f.counts["uses"] for f in self.files)


@dataclass(frozen=True)
class Removal:
    """The last step: a deprecated module (``whole``) or name, gone from the file defining it."""

    rule: str
    target: str
    path: str
    whole: bool


@dataclass
class Plan:
    batches: list[Batch]
    removals: list[Removal]
    cycles: list[list[str]] = field(default_factory=list)
    """Batches that import through each other's re-exports: land them together."""


def planned_files(reports: Iterable[FileReport], rules: Collection[str]) -> list[PlannedFile]:
    """Each file with a use of one of ``rules``, with its counts, by path."""
    files = []
    for report in reports:
        counts: Counter[str] = Counter()
        for use in report.uses:
            if use.rule in rules:
                counts["uses"] += 1
                counts[_STATUS_COLUMN[use.status]] += 1
        if counts:
            files.append(PlannedFile(report.path, {c: counts[c] for c in COLUMNS}))
    return sorted(files, key=lambda f: f.path)


TEST_DIRS = ("tests", "test")


def package_of(relpath: str) -> str:
    """The file's directory; a package's own tests (``app/tests/test_x.py``) go with the package."""
    parts = relpath.split("/")[:-1]
    for i, part in enumerate(parts):
        if i and part in TEST_DIRS:
            return "/".join(parts[:i])
    return "/".join(parts) or "."


def batch_id(group: str, first: str) -> str:
    """From content, not position: the same group and first file give the same id on any run."""
    return hashlib.sha256(f"{group}\n{first}".encode("utf-8", "surrogateescape")).hexdigest()[:8]


def cut(files: Sequence[PlannedFile], group_of: Callable[[str], str], max_files: int) -> list[Batch]:
    """Files grouped, then cut in path order into batches of at most ``max_files``."""
    groups: dict[str, list[PlannedFile]] = {}
    for f in sorted(files, key=lambda f: f.path):
        groups.setdefault(group_of(f.path), []).append(f)
    batches = []
    for group, members in sorted(groups.items()):
        for start in range(0, len(members), max_files):
            chunk = tuple(members[start:start + max_files])
            batches.append(Batch(batch_id(group, chunk[0].path), group, chunk))
    return batches


def order(batches: Sequence[Batch], edges: Iterable[tuple[str, str]]) -> tuple[list[Batch], list[Batch]]:
    """Batches in an order that keeps every edge (file, re-exporting file it imports through),
    each with its ``after``; and those left over, which depend on each other in a cycle.

    A batch comes in the round after the last batch it must follow; within a round, by group
    and first file. So the batches that can land at once come first, and a shim last.
    """
    batch_of = {f.path: b for b in batches for f in b.files}
    needs: dict[str, set[str]] = {b.id: set() for b in batches}
    for user, reexporter in edges:
        first, then = batch_of.get(user), batch_of.get(reexporter)
        if first is not None and then is not None and first is not then:
            needs[then.id].add(first.id)
    followers: dict[str, list[str]] = {b.id: [] for b in batches}
    for later, earlier in needs.items():
        for e in earlier:
            followers[e].append(later)
    waiting = {b.id: len(needs[b.id]) for b in batches}
    rounds = {b.id: 0 for b in batches}
    todo = [b.id for b in batches if not waiting[b.id]]
    placed: set[str] = set()
    while todo:
        current = todo.pop()
        placed.add(current)
        for later in followers[current]:
            rounds[later] = max(rounds[later], rounds[current] + 1)
            waiting[later] -= 1
            if not waiting[later]:
                todo.append(later)
    done = sorted((b for b in batches if b.id in placed), key=lambda b: (rounds[b.id], b.group, b.files[0].path))
    position = {b.id: n for n, b in enumerate(done)}
    left = [b for b in batches if b.id not in placed]
    for batch in [*done, *left]:
        # A batch in a cycle follows what it can: the batches placed before it.
        batch.after = tuple(sorted((n for n in needs[batch.id] if n in position), key=position.__getitem__))
    return done, left


def make(
    project: Project,
    files: Sequence[PlannedFile],
    group_of: Callable[[str], str],
    owners_of: Callable[[str], tuple[str, ...]],
    max_files: int,
    rules: Collection[str],
    jobs: int | None = None,
    whole: bool = True,
) -> Plan:
    """The plan: batches in order, with owners and tests, and the removals that come last
    (only when ``whole``: for part of a project, files elsewhere may still use them)."""
    edges = reexport_edges(project, [f.path for f in files], jobs)
    batches, left = order(cut(files, group_of, max_files), edges)
    cycles: list[list[str]] = []
    if left:
        # Batches importing through each other's re-exports: the re-exporting modules go into
        # batches of their own, after the files they serve.
        reexporters = {r for _, r in edges}
        moved = {f.path for b in left for f in b.files if f.path in reexporters}

        def regroup(path: str) -> str:
            return f"{group_of(path)} (re-exports)" if path in moved else group_of(path)

        batches, left = order(cut(files, regroup, max_files), edges)
        if left:  # an import cycle among the re-exporters themselves
            cycles = [[b.id for b in left]]
            batches += sorted(left, key=lambda b: (b.group, b.files[0].path))
    for batch in batches:
        batch.owners = tuple(sorted({o for f in batch.files for o in owners_of(f.path)}))
    graph = import_graph(project, jobs)
    for batch in batches:
        batch.tests = tuple(tests_of([f.path for f in batch.files], graph))
    return Plan(batches, removals(project, rules) if whole else [], cycles)


# -- re-exports ------------------------------------------------------------------------------


def reexport_edges(project: Project, paths: Sequence[str], jobs: int | None = None) -> set[tuple[str, str]]:
    """(file, re-exporting file) for each planned file that reaches a deprecated name through
    another planned file's top-level binding of it (``from legacy import f`` in ``pkg/__init__``)."""
    index = project.index
    wanted: dict[tuple[str, str], str] = {}
    for path in paths:
        module = index.module_of(path)
        summary = index.summary_of_file(path)
        names = set(summary.bindings)
        for star in summary.stars:
            starred = index.summary(star)
            names |= set(starred.exported()) if starred is not None else set()
        for name in sorted(names):
            if index.resolve(f"{module}.{name}") is not None:
                wanted[(module, name)] = path
    if not wanted:
        return set()
    users = reexports.users(project.config, {}, paths, set(wanted), jobs)
    return {(user, wanted[binding]) for binding, found in users.items() for user in found if user != wanted[binding]}


# -- tests -----------------------------------------------------------------------------------


def is_test_file(relpath: str) -> bool:
    """pytest's default ``python_files``: ``test_*.py`` and ``*_test.py``."""
    name = relpath.rpartition("/")[2]
    return (name.startswith("test_") and name.endswith(".py")) or name.endswith("_test.py")


def import_graph(project: Project, jobs: int | None = None) -> dict[str, set[str]]:
    """Project file -> the project files it imports (any import statement, in any scope, and
    the packages an import runs on the way), read from the source without running it."""
    index = project.index
    project.build_index()
    files = sorted(index.files)
    root = str(project.root)
    found = fork_map(
        lambda rel: imported(root, rel, index.module_of(rel)), files, jobs, _PARALLEL_MIN
    )
    graph: dict[str, set[str]] = {}
    for rel, modules in zip(files, found):
        targets = {index.module_file(m) for m in modules}
        graph[rel] = {t for t in targets if t is not None and t != rel}
    return graph


def imported(root: str, relpath: str, module: str) -> list[str]:
    """The modules a file's import statements may load (``a``, ``a.b`` and ``a.b.c`` for
    ``import a.b.c``; ``from a import b`` may load ``a.b``)."""
    try:
        with open(os.path.join(root, relpath), "rb") as f:
            data = f.read()
    except OSError:
        return []
    if b"import" not in data:
        return []
    tree, _ = parse_source(data, relpath)
    if tree is None:
        return []
    names: set[str] = set()
    is_package = relpath.endswith("__init__.py")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = resolve_relative(module, is_package, node.level, node.module)
            if base is not None:
                names.add(base)
                names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    loaded: set[str] = set()
    for name in names:
        parts = name.split(".")
        loaded.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return sorted(loaded)


def tests_of(paths: Iterable[str], graph: Mapping[str, set[str]]) -> list[str]:
    """The test files among ``paths`` and those importing one of them, directly or not."""
    importers: dict[str, set[str]] = {}
    for rel, targets in graph.items():
        for target in targets:
            importers.setdefault(target, set()).add(rel)
    seen = set(paths)
    todo = list(seen)
    while todo:
        for importer in importers.get(todo.pop(), ()):
            if importer not in seen:
                seen.add(importer)
                todo.append(importer)
    return sorted(p for p in seen if is_test_file(p))


# -- the last step ---------------------------------------------------------------------------


def removals(project: Project, rules: Collection[str]) -> list[Removal]:
    """The deprecated modules and names the project defines itself, to remove once no use is left."""
    found = []
    for rule in project.config.rules:
        if rule.name not in rules:
            continue
        for entry in rule.deprecated:
            if "*" in entry or "(" in entry:
                continue  # a pattern or an argument: nothing to delete by name
            owner = project.index.owner(entry)
            path = project.index.module_file(owner) if owner is not None else None
            if owner is not None and path is not None:
                found.append(Removal(rule.name, entry, path, owner == entry))
    return found
