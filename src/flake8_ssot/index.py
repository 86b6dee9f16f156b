"""Resolve dotted names to deprecated targets across the project's re-exports.

The index never imports project code: it reads files, summarizes what each module binds
at top level (:mod:`flake8_ssot.summary`), and follows those bindings at query time.
"""

from __future__ import annotations

import ast
import contextlib
import itertools
import mmap
import os
import re
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal

from flake8_ssot import __version__, cache, sources
from flake8_ssot.cache import CACHE_DIR as CACHE_DIR  # noqa: F401 - other modules name it from here
from flake8_ssot.cache import Stat
from flake8_ssot.config import split_argument
from flake8_ssot.model import Config, Rule
from flake8_ssot.paths import is_inside, iter_python_files, module_name
from flake8_ssot.pool import fork_map
from flake8_ssot.prefilter import Prefilter, Scanner
from flake8_ssot.records import Record
from flake8_ssot.summary import ClassSummary, Facts, ModuleSummary, Params, summarize

How = Literal["direct", "reexport", "stale"]
DefinitionKind = Literal["module", "class", "function", "member"]
Returned = tuple[Literal["instance", "object"], str]
"""What a call gives: an instance of the class named, or the object named itself."""
_MAX_DEPTH = 32
# A summary for files that cannot be parsed: unknown contents, so nothing is assumed.
_OPAQUE = ModuleSummary(dynamic=True)
_HIT, _MARKED, _ALIAS = Scanner.HIT, Scanner.MARKED, Scanner.ALIAS
# Bump when the meaning of a cached entry changes, so old caches are ignored.
_CACHE_FORMAT = 5
INDEX_CACHE = "index.json"
"""Small, read by every run: identifiers, and the modules the index depends on (with summaries)."""
FILES_CACHE = "files.json"
"""Per-file flags for every project file, read by full runs only."""
# Bytes a build keeps in memory between alias rounds instead of reading files again.
_KEEP_BYTES = 64 << 20
# Bytes of files scanned as one block (see Scanner.flags_block).
_BATCH_BYTES = 8 << 20
# From this many files to read, workers read and scan them (a cold build); in chunks of:
_PARALLEL_SCAN = 2000
# A file changed this close before a build may change again within the same timestamp tick
# unseen: its flags are not `sure` (as flake8_ssot.warm.RACY_NS for a warm `check`).
RACY_NS = 2_000_000_000
_SCAN_CHUNK = 250


class _Block:
    """Files read in one go, joined by NUL (which no identifier contains) for block search."""

    # A plain class: a dataclass costs the plugin a millisecond of import time per editor run.
    __slots__ = ("files", "data", "starts")

    def __init__(self, files: list[str], data: bytes | mmap.mmap, starts: list[int]) -> None:
        self.files, self.data, self.starts = files, data, starts

    @classmethod
    def join(cls, files: list[str], datas: Sequence[bytes | None]) -> _Block:
        parts = [d or b"" for d in datas]
        return cls(files, b"\0".join(parts), [0, *itertools.accumulate(len(p) + 1 for p in parts)])


class _Kept:
    """The blocks a build keeps in memory between alias rounds, up to ``budget`` bytes."""

    def __init__(self, budget: int) -> None:
        self.blocks: list[_Block] = []
        self.budget = budget
        self.stale: set[str] = set()
        """Files of the blocks whose bytes there are not what they hold now."""

    def add(self, block: _Block) -> None:
        if len(block.data) <= self.budget:
            # Later blocks win (see Index._scan): a stale file read again is stale no more.
            self.blocks.append(block)
            self.budget -= len(block.data)
            self.stale.difference_update(block.files)


class Resolution(Record):
    """What a dotted name reaches: ``target``, the canonical deprecated dotted name (the
    configured name plus any attributes), by ``rule``'s configured name ``entry``."""

    __slots__ = ("target", "rule", "entry", "how")

    def __init__(self, target: str, rule: Rule, entry: str, how: How) -> None:
        self.target, self.rule, self.entry, self.how = target, rule, entry, how


class Definition(Record):
    """Where an object is defined: ``path``, fully qualified; for a function, what it
    ``returns`` (see :class:`flake8_ssot.summary.ModuleSummary`) and its ``params`` a call can
    pass by position, where its source shows them."""

    __slots__ = ("kind", "path", "returns", "params")

    def __init__(self, kind: DefinitionKind, path: str, returns: Facts = (), params: Params | None = None) -> None:
        self.kind, self.path, self.returns, self.params = kind, path, returns, params


def distinctive(name: str) -> bool:
    """Whether a surface name is evidence of a use where nothing binds it (``create_manager``,
    ``OptionParser``); a plain word such as ``loop`` or ``read`` vanishing from a module is not."""
    core = name.strip("_")
    return "_" in core or (any(c.isupper() for c in core[1:]) and any(c.islower() for c in core))


def _class_like(name: str) -> bool:
    return name[:1].isupper() and not name.isupper()


class Deprecations:
    """The configured deprecated names, matched by dotted prefix (most specific wins).

    Besides plain dotted names, an entry may be a wildcard (``app.*.legacy``: see
    :func:`wildcard`) or a deprecated argument (``app.ws.create(user_id)``): then the callable
    is resolved like any deprecated name, but only a call passing that argument is a use.
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.entries: dict[str, Rule] = {}
        self.arguments: dict[str, list[tuple[str, str, Rule]]] = {}
        """A callable with deprecated arguments -> (parameter, the configured entry, its rule)."""
        for rule in rules:
            for entry in rule.deprecated:
                path, parameter = split_argument(entry)
                if parameter is None:
                    self.entries[entry] = rule
                else:
                    self.arguments.setdefault(path, []).append((parameter, entry, rule))
        self.argument_only: set[str] = set()
        """Callables only some of whose arguments are deprecated (keys of ``entries`` too, so that
        every path to them resolves; a use of one is a call passing such an argument)."""
        for path, found in self.arguments.items():
            if path not in self.entries:
                self.entries[path] = found[0][2]
                self.argument_only.add(path)
        self.wildcards: list[tuple[re.Pattern[str], str]] = sorted(
            ((wildcard(entry), entry) for entry in self.entries if "*" in entry),
            key=lambda item: _specificity(item[1]),
        )
        self.canonical: dict[str, str] = {}
        """Another path of a configured name (where it is defined) -> the configured name."""
        self.by_last: dict[str, list[str]] = {}
        """Names a stale path or an unbound name may spell -> the deprecated names they mean."""
        self.names: dict[str, list[str]] = {}
        """The name of each deprecated API (its last component) -> its entries: what SOT005 guards."""
        self.words: set[str] = set()
        self.modules: set[str] = set()
        """Last names of the deprecated entries known to be modules."""
        self.maybe_modules: set[str] = set()
        """Last names of the entries nothing defines (a deleted module, a module ``__getattr__``)."""
        for entry in self.entries:
            last = word(entry)
            if distinctive(last) and "*" not in entry and entry not in self.argument_only:
                self.by_last.setdefault(last, []).append(entry)
            if entry not in self.argument_only:
                self.names.setdefault(last, []).append(entry)
            self.words.add(last)
        self.identifiers = frozenset(self.words)

    def add_members(self, entry: str, names: Iterable[str]) -> None:
        """A deprecated module's surface: the names a stale path or an unbound name may spell.

        The module's own last component is no such name: a vanished path that merely ends in
        it (another package's ``support.asyncore``) is no evidence of a use.
        """
        self.modules.add(entry.rsplit(".", 1)[-1])
        self.forget_stale(entry)
        for name in names:
            members = self.by_last.setdefault(name, [])
            if f"{entry}.{name}" not in members:
                members.append(f"{entry}.{name}")
                self.names.setdefault(name, []).append(f"{entry}.{name}")
            self.words.add(name)
        self.identifiers = frozenset(self.words)

    def forget_stale(self, entry: str) -> None:
        """No stale path or unbound name can mean ``entry`` itself."""
        last = entry.rsplit(".", 1)[-1]
        meant = self.by_last.get(last, [])
        if entry in meant:
            meant.remove(entry)
            if not meant:
                del self.by_last[last]

    def add_path(self, path: str, entry: str) -> None:
        """``path`` binds the same object as the configured ``entry`` (its definition)."""
        if path not in self.entries:
            self.entries[path] = self.entries[entry]
            self.canonical[path] = entry
            if entry in self.argument_only:
                self.argument_only.add(path)
            self.words.add(path.rsplit(".", 1)[-1])
            self.identifiers = frozenset(self.words)

    def weak_words(self) -> tuple[frozenset[str], frozenset[str]]:
        """Plain words configured names end in (``Set`` of ``typing.Set``), and the other parts
        of those names: see :class:`flake8_ssot.prefilter.Prefilter`."""
        weak = frozenset(w for w in self.words if w not in self.modules and not distinctive(w))
        # The name's owner (`timezone` of `django.utils.timezone.utc`): every spelling of the
        # full path, and every import from the module, spells it; `django` would be everywhere.
        # A wildcard is no owner: `*` would be found in every file.
        anchors = frozenset(
            entry.split(".")[-2] for entry in self.entries
            if "." in entry and entry.rpartition(".")[2] in weak and entry.split(".")[-2] != "*"
        )
        return weak, anchors

    def match(self, dotted: str) -> str | None:
        """The entry ``dotted`` or its longest prefix is; a deprecation of the whole object wins
        over one of some of its arguments, whatever the lengths."""
        argument = None
        while dotted:
            if dotted in self.entries:
                if dotted not in self.argument_only:
                    return dotted
                argument = argument or dotted
            for pattern, entry in self.wildcards:
                if pattern.match(dotted):
                    return entry
            dotted = dotted.rpartition(".")[0]
        return argument

    def covers(self, entry: str, module: str) -> bool:
        """Whether ``module`` is the deprecated ``entry`` or inside it."""
        if "*" in entry:
            return any(pattern.match(module) for pattern, e in self.wildcards if e == entry) or (
                "." in module and self.covers(entry, module.rpartition(".")[0])
            )
        entry = split_argument(entry)[0]
        return module == entry or module.startswith(entry + ".")

    def resolution(self, dotted: str, entry: str, how: How) -> Resolution:
        """``dotted`` reaches ``entry`` (a key of ``entries``): named by the configured name."""
        if "*" in entry:
            return Resolution(dotted, self.entries[entry], entry, how)
        configured = self.canonical.get(entry, entry)
        return Resolution(configured + dotted[len(entry):], self.entries[entry], configured, how)

    def stale(self, name: str, module: str) -> str | None:
        """The deprecated name ``module.name`` most plausibly meant, if ``name`` spells one."""
        return _nearest(self.by_last.get(name), module)

    def named(self, name: str, module: str, *, configured: bool = False) -> str | None:
        """The deprecated API named ``name`` that ``module`` most plausibly means (see ``names``);
        with ``configured``, only a configured name, not a name of a deprecated module's surface."""
        candidates = self.names.get(name)
        if configured and candidates:
            candidates = [c for c in candidates if c in self.entries]
        return _nearest(candidates, module)


def _nearest(candidates: list[str] | None, module: str) -> str | None:
    """Of deprecated names, the one sharing the longest package path with ``module``."""
    if not candidates:
        return None
    parts = module.split(".")

    def shared(entry: str) -> int:
        n = 0
        for a, b in zip(parts, entry.split(".")):
            if a != b:
                break
            n += 1
        return n

    return max(candidates, key=shared)


def word(entry: str) -> str:
    """The name every spelling of a deprecated entry contains: its last component, or for a
    wildcard the last one that is no ``*``."""
    return next((part for part in reversed(entry.split(".")) if part != "*"), entry)


def wildcard(entry: str) -> re.Pattern[str]:
    """A dotted name with ``*`` components as a regex over dotted names.

    As flake8-tidy-imports' banned-modules: ``*`` stands for any number of components, none
    included (``app.*.legacy`` matches ``app.legacy`` and ``app.v1.api.legacy``), but a
    leading one for at least one (``*.compat`` matches ``pkg.compat``, not ``compat``).
    """
    regex = ""
    for i, part in enumerate(entry.split(".")):
        if part == "*":
            regex += r"[^.]+(?:\.[^.]+)*" if i == 0 else r"(?:\.[^.]+)*"
        else:
            regex += ("" if i == 0 else r"\.") + re.escape(part)
    return re.compile(regex + r"\Z")


def _specificity(entry: str) -> tuple[int, int, int]:
    """Sort key of wildcards matching the same name: a pattern without a trailing ``*`` first
    (as flake8-tidy-imports), then the one naming more components, then the longer."""
    parts = entry.split(".")
    return (parts[-1] == "*", -sum(part != "*" for part in parts), -len(entry))


TOO_DEEP = "too deeply nested to analyze"


def parse_source(data: bytes | str, filename: str = "<unknown>") -> tuple[ast.Module | None, str | None]:
    """The module's tree, or None and a one-line reason; never raises for bad source."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(data, filename), None
    except SyntaxError as e:
        # Some errors have no position (null bytes before Python 3.12).
        where = f" at line {e.lineno}" if e.lineno else ""
        return None, f"syntax error{where}: {e.msg}"
    except RecursionError:
        return None, TOO_DEEP
    except (ValueError, MemoryError, OverflowError) as e:
        return None, f"cannot parse: {one_line(e)}"


def one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


class Index:
    def __init__(self, config: Config, deprecations: Deprecations | None = None) -> None:
        self.config = config
        self.root = config.root
        self.deprecations = deprecations or Deprecations(config.rules)
        self.aliases: frozenset[str] = frozenset()
        self.files: dict[str, Stat] = {}
        """Every project file seen by the last full build, with its stat (see :data:`Stat`)."""
        self.unreadable: set[str] = set()
        """``.py`` entries the last full build could not read (see :func:`iter_python_files`)."""
        self.hits: set[str] = set()
        """Project files whose text spells an identifier (final set, aliases included)."""
        self.marked: set[str] = set()
        """Project files mentioning ``SOT`` (a ``# noqa: SOT...`` that may be unused)."""
        self.complete = False
        """Whether ``files``, ``hits`` and ``marked`` cover the project (a full build ran)."""
        self.walked: tuple[list[tuple[str, os.stat_result | None]], dict[str, os.stat_result]] | None = None
        """The last full build's walk: every directory listed (and virtualenv pruned) and every
        file, each with its stat."""
        self.scanned_weak: frozenset[str] = frozenset()
        self.sure: set[str] = set()
        """Files of the last full build whose flags certainly describe the content they had at
        the walk's stat (see :meth:`unchanged`)."""
        self.jobs: int | None = None
        """Processes reading the project on a cold build (default: all cores)."""
        self._module_files: dict[str, str | None] = {}
        self._summaries: dict[str, ModuleSummary] = {}
        self._summary_stats: dict[str, Stat | None] = {}
        self._modules: dict[str, str] = {}
        self._stats: dict[str, Stat | None] = {}
        self._memo: dict[str, Resolution | None] = {}
        self._built = False
        self._deps: Deps | None = None
        self._key = [_CACHE_FORMAT, __version__, cache.code_stamp(), sorted(self.deprecations.entries),
                     list(config.src), list(config.exclude)]
        self._state = cache.load(self.root, INDEX_CACHE, self._key) if config.cache else None
        # rel -> [*stat, flags or None, module name, summary]: what the last run knew.
        self._stored: dict[str, list[Any]] = _valid_modules(self._state)
        self._external: dict[str, tuple[str | None, ModuleSummary | None]] = {}
        self._definitions: dict[str, Definition | None] = {}
        self._returned: dict[str, tuple[Returned, ...]] = {}
        self.surfaces: dict[str, frozenset[str]] = {}
        """Deprecated module -> its surface: the names it offers (see :meth:`_surface`)."""
        for entry in list(self.deprecations.entries):
            if "*" in entry:
                # Matches modules by name, whatever exists: imports from them may re-export.
                self.deprecations.maybe_modules.add(word(entry))
                continue
            summary = self.any_summary(entry)
            if summary is not None:
                self.surfaces[entry] = self._surface(entry, summary)
                self.deprecations.add_members(entry, sorted(filter(distinctive, self.surfaces[entry])))
                continue
            # A configured name that another module defines deprecates the object under
            # the path that defines it too (`asyncio.get_event_loop`: `asyncio.events`).
            definition = self.definition(entry)
            if definition is None or definition.kind == "module":
                # Not known to be a name of a module that exists: no stale path can mean it.
                self.deprecations.forget_stale(entry)
                # Perhaps a module that was deleted: imports from it may still re-export.
                self.deprecations.maybe_modules.add(entry.rsplit(".", 1)[-1])
            elif definition.path != entry:
                self.deprecations.add_path(definition.path, entry)
        weak, anchors = self.deprecations.weak_words()
        self._weak = [sorted(weak), sorted(anchors)]
        if self._state is not None and self._state.get("weak") != self._weak:
            # Flags stored under another rule for plain words: read the files again.
            self._state, self._stored = None, {}
        self._files_key = [*self._key, self._weak]
        self.prefilter = Prefilter(self.deprecations.identifiers, weak, anchors)

    def _surface(self, entry: str, summary: ModuleSummary) -> frozenset[str]:
        """What a deprecated module offers: its literal ``__all__``, else its public definitions.

        Names it imports are not its own (a logger's module, ``typing.Dict``, the SSOT class it
        builds): they are uses only when spelled through its path, never under a re-export or
        a stale path. Names a deprecated package imports from its own modules are its own, though.
        """
        names = set(summary.offered())
        if summary.all_names is None:
            names.update(n for n in summary.imported if not n.startswith("_"))
        return frozenset(
            n for n in names
            if n not in summary.imported
            or any(t.startswith(entry + ".") for t in summary.bindings.get(n, ()))
        )

    # -- modules ----------------------------------------------------------------------

    def module_file(self, module: str) -> str | None:
        """Relative path of the project's source for ``module``, if it has one."""
        try:
            found = self._module_files[module]
        except KeyError:
            found = self._find_module_file(module)
            self._module_files[module] = found
        if self._deps is not None:
            self._deps.modules[module] = found
        return found

    def _find_module_file(self, module: str) -> str | None:
        found = None
        if module:
            tail = module.split(".")
            for source in self.config.src:
                base = [] if source in (".", "") else source.strip("/").split("/")
                for candidate in ([*base, *tail[:-1], tail[-1] + ".py"], [*base, *tail, "__init__.py"]):
                    if os.path.isfile(os.path.join(self.root, *candidate)):
                        found = "/".join(candidate)
                        break
                if found:
                    break
        return found

    def module_of(self, relpath: str) -> str:
        try:
            return self._modules[relpath]
        except KeyError:
            found = self._modules[relpath] = module_name(relpath, self.root, self.config.src)
            return found

    def summary(self, module: str) -> ModuleSummary | None:
        relpath = self.module_file(module)
        if relpath is None:
            return None
        return self.summary_of_file(relpath)

    def any_summary(self, module: str) -> ModuleSummary | None:
        """The summary of a project module, else of an installed or standard one (read, never imported)."""
        summary = self.summary(module)
        if summary is not None or not module:
            return summary
        try:
            path, found = self._external[module]
        except KeyError:
            path = sources.source_of(module)
            data = None
            if path is not None:
                self._summary_stats[path] = cache.stat_of(path)  # before reading, as for project files
                data = cache.read_source(path)
            tree = parse_source(data, path or module)[0] if data is not None else None
            found = summarize(tree, module, (path or "").endswith("__init__.py")) if tree is not None else None
            self._external[module] = path, found
        if path is not None and self._deps is not None:
            # A cached finding that followed an installed module's source is stale once it changes.
            self._deps.files.add(path)
        return found

    def summary_of_file(self, relpath: str, data: bytes | None = None) -> ModuleSummary:
        if self._deps is not None:
            self._deps.files.add(relpath)
        cached = self._summaries.get(relpath)
        if cached is not None:
            return cached
        module = self.module_of(relpath)
        # Taken before reading: a file changing meanwhile then looks changed to the next run too.
        stat = self._summary_stats[relpath] = self.stat(relpath)
        stored = self._stored.get(relpath)
        summary = None
        if data is None and stored is not None and stored[5] == module and tuple(stored[:4]) == stat:
            try:
                summary = ModuleSummary.from_json(stored[6])
            except (KeyError, TypeError, ValueError, AttributeError):
                pass  # a damaged cache entry: read the file instead
        if summary is None:
            if data is None:
                data = cache.read_source(os.path.join(self.root, relpath))
            tree = parse_source(data, relpath)[0] if data is not None else None
            summary = _OPAQUE if tree is None else summarize(tree, module, relpath.endswith("__init__.py"))
        self._summaries[relpath] = summary
        return summary

    def summary_stat(self, relpath: str) -> Stat | None:
        """The stat of the file as it was when its summary was read."""
        return self._summary_stats[relpath] if relpath in self._summary_stats else self.stat(relpath)

    def stat(self, relpath: str) -> Stat | None:
        """The stat of a project file: as the last walk saw it, else when first asked."""
        known = self.files.get(relpath)
        if known is None:
            try:
                known = self._stats[relpath]
            except KeyError:
                known = self._stats[relpath] = cache.stat_of(os.path.join(self.root, relpath))
        return known

    @contextlib.contextmanager
    def tracking(self) -> Iterator[Deps]:
        """Record which modules and files the resolutions made inside the block depend on."""
        # A remembered answer would hide what it depended on.
        for memo in (self._memo, self._definitions, self._returned):
            memo.clear()
        self._deps = deps = Deps()
        try:
            yield deps
        finally:
            self._deps = None
            for memo in (self._memo, self._definitions, self._returned):
                memo.clear()

    def owner(self, entry: str) -> str | None:
        """The project module defining a deprecated name (or the deprecated module itself)."""
        module = entry
        while module:
            if self.module_file(module) is not None:
                return module
            module = module.rpartition(".")[0]
        return None

    # -- resolution ---------------------------------------------------------------------

    def resolve(self, dotted: str, *, arguments: bool = False) -> Resolution | None:
        """The deprecated target a fully qualified dotted name reaches, if any.

        A callable only some of whose arguments are deprecated is no deprecated target, but for
        a caller that checks the ``arguments`` a call passes.
        """
        found = self._resolved(dotted)
        if found is not None and not arguments and found.entry in self.deprecations.argument_only:
            return None
        return found

    def _resolved(self, dotted: str) -> Resolution | None:
        try:
            return self._memo[dotted]
        except KeyError:
            pass
        if dotted.count(".") > _MAX_DEPTH:
            return None  # no real path is this long; a chain of aliases feeding on itself is
        if self._built and self.prefilter.identifiers.isdisjoint(dotted.split(".")):
            # Every path to a deprecated target spells an identifier somewhere in the chain
            # (a deprecated name, a member of a deprecated module, or a re-export alias),
            # so chains like os.path.join need no module summaries at all.
            self._memo[dotted] = None
            return None
        self._memo[dotted] = None  # breaks import cycles
        result = self._resolve(dotted, 0)
        self._memo[dotted] = result
        return result

    def _resolve(self, dotted: str, depth: int) -> Resolution | None:
        entry = self.deprecations.match(dotted)
        if entry is not None:
            return self.deprecations.resolution(dotted, entry, "direct")
        if depth > _MAX_DEPTH:
            return None
        parts = dotted.split(".")
        # The longest prefix that is a project module decides what the next name is.
        for i in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:i])
            summary = self.summary(module)
            if summary is None:
                continue
            return self._through(module, summary, parts[i], parts[i + 1:], depth)
        return None

    def _through(
        self, module: str, summary: ModuleSummary, name: str, rest: list[str], depth: int
    ) -> Resolution | None:
        for target in summary.bindings.get(name, ()):
            found = self._resolved(".".join([target, *rest]))
            if found is not None and self._offered(found):
                return Resolution(found.target, found.rule, found.entry, _via(found.how))
        cls = summary.classes.get(name)
        if cls is not None and rest:
            return self._inherited(cls, rest)
        if summary.binds(name):
            return None
        provided = False
        for star in summary.stars:
            star_summary = self.summary(star)
            if star_summary is None:
                provided = True  # what a module outside the project exports is unknown
            elif star_summary.binds(name) or star_summary.stars:
                provided = provided or star_summary.binds(name)
                found = self._resolved(".".join([star, name, *rest]))
                if found is not None and self._offered(found):
                    return Resolution(found.target, found.rule, found.entry, _via(found.how))
        if summary.dynamic or provided or self._submodule_exists(module, name):
            return None
        # The module does not bind the name at all: an import of it fails at runtime. When
        # the name, or the last name of a path through a vanished module, is on a deprecated
        # module's surface, this is a half-finished migration's leftover
        # (`from app.ws import create_manager`, `from app.ws.factory_v1 import create_manager`).
        for i in (0, len(rest)) if rest else (0,):
            meant = self.deprecations.stale([name, *rest][i], module)
            entry = self.deprecations.match(meant) if meant else None
            # Through a vanished module, only a sibling of the deprecated one is evidence: an
            # import hook's virtual package (`pkg.extern.vendored.f`) is no leftover.
            sibling = i == 0 or (meant is not None and meant.rpartition(".")[0].rpartition(".")[0] == module)
            if meant is not None and entry is not None and sibling:
                return self.deprecations.resolution(".".join([meant, *rest[i:]]), entry, "stale")
        return None

    def _inherited(self, cls: ClassSummary, rest: list[str]) -> Resolution | None:
        """``C.attr…`` of a project class: through its body's aliases, else its bases.

        Through a base only a deprecated member counts: a subclass of a deprecated class is
        reported where it names the base, not at each method it inherits.
        """
        attr = rest[0]
        for target in cls.aliases.get(attr, ()):
            found = self._resolved(".".join([target, *rest[1:]]))
            if found is not None:
                return Resolution(found.target, found.rule, found.entry, _via(found.how))
        if attr in cls.members:
            return None
        for base in cls.bases:
            found = self._resolved(".".join([base, *rest]))
            if found is not None and self.resolve(base) is None:
                return Resolution(found.target, found.rule, found.entry, _via(found.how))
        return None

    def _offered(self, found: Resolution) -> bool:
        """Whether a binding to what ``found`` names re-exports the deprecated surface (a name a
        deprecated module merely imports, such as its logger, is no deprecated name elsewhere)."""
        module = self._matched(found) if "*" in found.entry else found.entry
        surface = self.surfaces.get(module) if module is not None else None
        if module is not None and surface is None and "*" in found.entry:
            summary = self.any_summary(module)
            if summary is not None:
                surface = self.surfaces[module] = self._surface(module, summary)
        if found.how != "direct" or surface is None or module is None or found.target == module:
            return True
        return found.target[len(module) + 1:].split(".")[0] in surface

    def _matched(self, found: Resolution) -> str | None:
        """The module path a wildcard matched in ``found.target`` (its longest matching prefix)."""
        dotted = found.target
        patterns = [pattern for pattern, entry in self.deprecations.wildcards if entry == found.entry]
        while dotted:
            if any(pattern.match(dotted) for pattern in patterns):
                return dotted
            dotted = dotted.rpartition(".")[0]
        return None

    def _submodule_exists(self, module: str, name: str) -> bool:
        """``module.name`` is a module of any kind: source, stub, extension, namespace folder."""
        if self.module_file(f"{module}.{name}"):
            return True
        relpath = self.module_file(module)
        return relpath is not None and relpath.endswith("/__init__.py") and sources.exists_in(
            os.path.join(self.root, relpath.rpartition("/")[0]), name
        )

    # -- what objects are -----------------------------------------------------------------

    def definition(self, dotted: str, depth: int = 0) -> Definition | None:
        """Where the object a dotted name refers to is defined, following imports and aliases."""
        try:
            return self._definitions[dotted]
        except KeyError:
            pass
        self._definitions[dotted] = None  # breaks import cycles
        found = self._definition(dotted, depth) if depth <= _MAX_DEPTH else None
        self._definitions[dotted] = found
        return found

    def _definition(self, dotted: str, depth: int) -> Definition | None:
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            module = ".".join(parts[:i])
            summary = self.any_summary(module)
            if summary is None:
                continue
            if i == len(parts):
                return Definition("module", module)
            return self._member(module, summary, parts[i], parts[i + 1:], depth)
        return None

    def _member(self, module: str, summary: ModuleSummary, name: str, rest: list[str], depth: int) -> Definition | None:
        cls = summary.classes.get(name)
        path = f"{module}.{name}"
        if cls is not None:
            if not rest:
                return Definition("class", path)
            attr, more = rest[0], rest[1:]
            for target in cls.aliases.get(attr, ()):
                found = self.definition(".".join([target, *more]), depth + 1)
                if found is not None:
                    return found
            if attr in cls.members:
                facts = summary.returns.get(f"{name}.{attr}")
                kind: DefinitionKind = "function" if facts is not None else "member"
                params = summary.params.get(f"{name}.{attr}")
                return None if more else Definition(kind, f"{path}.{attr}", facts or (), params)
            for base in cls.bases:
                found = self.definition(".".join([base, *rest]), depth + 1)
                if found is not None:
                    return found
            return None
        for target in summary.bindings.get(name, ()):
            found = self.definition(".".join([target, *rest]), depth + 1)
            if found is not None:
                return found
        if name in summary.defined:
            facts = summary.returns.get(name)
            if rest:
                return None
            if facts is None:
                return Definition("member", path)
            return Definition("function", path, facts, summary.params.get(name))
        for star in summary.stars:
            star_summary = self.any_summary(star)
            if star_summary is not None and (star_summary.binds(name) or star_summary.stars):
                found = self.definition(".".join([star, name, *rest]), depth + 1)
                if found is not None:
                    return found
        return None

    def returned(self, dotted: str, depth: int = 0) -> tuple[Returned, ...]:
        """What calling the object ``dotted`` names returns, as far as its source shows.

        A class gives an instance of itself; a function what its return annotation names, or
        else what its ``return`` statements return (calls followed into what they return).
        Where no source can be read, only a name spelled like a class (``OptionParser``) is
        taken to give an instance: the rest gives nothing known, so nothing is carried on.
        """
        try:
            return self._returned[dotted]
        except KeyError:
            pass
        self._returned[dotted] = ()  # breaks cycles (a recursive function)
        found: list[Returned] = []
        definition = self.definition(dotted) if depth <= _MAX_DEPTH else None
        if definition is None:
            if _class_like(dotted.rpartition(".")[2]):
                found.append(("instance", dotted))
        elif definition.kind == "class":
            found.append(("instance", definition.path))
        elif definition.kind == "function":
            for fact in definition.returns:
                kind, _, name = fact.partition(":")
                if kind == "A" and name != "?":
                    named = self.definition(name)
                    if named is not None and named.kind == "class":
                        found.append(("instance", named.path))
                    elif named is None and _class_like(name.rpartition(".")[2]):
                        found.append(("instance", name))
                elif kind == "C":
                    found.extend(self.returned(name, depth + 1))
                elif kind == "R":
                    named = self.definition(name)
                    found.append(("object", named.path if named is not None else name))
        result = tuple(dict.fromkeys(found))
        self._returned[dotted] = result
        return result

    def positional(self, dotted: str, bound: bool) -> tuple[str, ...] | None:
        """The parameters a call of ``dotted`` passes its positional arguments to, in order, as
        its source shows (read, never imported); None where no source shows them.

        ``bound``: called through an instance (``obj.method(...)``), which takes the first
        parameter of a method. A class is called through its ``__init__`` (or ``__new__``).
        """
        definition = self.definition(dotted)
        if definition is not None and definition.kind == "class":
            for constructor in ("__init__", "__new__"):
                found = self.definition(f"{definition.path}.{constructor}")
                if found is not None and found.params is not None:
                    return found.params[2:]
            return None
        if definition is None or definition.params is None:
            return None
        kind, *names = definition.params
        skip = kind == "classmethod" or (kind == "method" and bound)
        return tuple(names[1:] if skip else names)

    # -- project index --------------------------------------------------------------------

    def build(self, files: Iterable[tuple[str, os.stat_result]] | None = None) -> None:
        """Walk the project once: which files spell an identifier, and which aliases exist.

        Aliases (``from old import f as g``, ``import old as legacy``, ``g = f``) add
        identifiers, so this is a fixpoint; later rounds scan only for the new names. With a
        cache, only files whose (mtime, size) changed are read.
        """
        self.unreadable = set()
        started_ns = time.time_ns()
        walked: list[tuple[str, os.stat_result | None]] | None = None
        if files is None:
            walked = []
            files = iter_python_files(self.root, exclude=self.config.exclude, unreadable=self.unreadable, dirs=walked)
        stats = dict(files)
        self.files = {rel: cache.stamp(st) for rel, st in stats.items()}
        # What a warm `check` watches, as the walk saw it before any file was read: a file
        # changing afterwards then differs from its snapshot (see flake8_ssot.warm.record).
        self.walked = None if walked is None else (walked, stats)
        table = cache.load(self.root, FILES_CACHE, self._files_key) if self.config.cache else None
        prior: dict[str, int] = {}
        covered: set[str] = set()
        sure: set[str] = set()
        if table is not None:
            try:
                covered = set(table["scanned"])
                for rel, (mtime, size, flags, ctime, inode, certain) in table["files"].items():
                    st = stats.get(rel)
                    if st is not None and _stamp(st) == (mtime, ctime, size, inode) and type(flags) is int:
                        prior[rel] = flags
                        if certain is True:
                            sure.add(rel)
            except (KeyError, TypeError, ValueError, AttributeError):
                prior, covered, table, sure = {}, set(), None, set()
        flags, covered, found = self._settle(sorted(self.files), prior, covered)
        self.hits = {rel for rel, f in flags.items() if f & _HIT}
        self.marked = {rel for rel, f in flags.items() if f & _MARKED}
        # Read now, and last changed well before this run began: no later change can keep the
        # stamp the walk saw (a change within one timestamp tick of the read could).
        sure.update(rel for rel, st in stats.items() if rel not in prior and st.st_ctime_ns < started_ns - RACY_NS)
        self.sure = sure
        self.complete = True
        if not self.config.cache:
            return
        if table is None or found or len(prior) != len(self.files) or len(prior) != len(table["files"]):
            cache.save(self.root, FILES_CACHE, self._files_key, {
                "scanned": sorted(covered),
                "files": {
                    rel: [*self.files[rel][:2], flags[rel], stats[rel].st_ctime_ns, stats[rel].st_ino, rel in sure]
                    for rel in sorted(self.files)
                },
            })
        self._save_state(flags, covered, cache.vcs_stamp(self.root))

    def unchanged(self, relpath: str) -> int | None:
        """The flags of a file of the last full build, if it still is what the walk saw.

        Its (mtime, ctime, size, inode) are those of the walk, and the flags were taken from
        content read when it had them, not within a timestamp tick of a change (see ``sure``).
        flake8 read the file after the walk: unchanged since, it read that very content.
        """
        if relpath not in self.sure or self.walked is None:
            return None
        try:
            st = os.stat(os.path.join(self.root, relpath))
        except OSError:
            return None
        walked = self.walked[1].get(relpath)
        if walked is None or _stamp(st) != _stamp(walked):
            return None
        return (_HIT if relpath in self.hits else 0) | (_MARKED if relpath in self.marked else 0)

    def refresh(self, targets: Iterable[str]) -> None:
        """The index for linting ``targets`` only (an editor's keystroke, a pre-commit hook).

        Trusts the last run's cache for every other file: only the modules the index depends
        on (those binding aliases, the deprecated modules, those consulted while resolving
        aliases) are re-validated by stat, and only ``targets`` and changed dependencies are
        read. A file edited outside the editor that starts binding a new alias is noticed by
        the next full run, or at once when git changed the working tree (see
        :func:`flake8_ssot.cache.vcs_stamp`). Without a usable cache this is a full build.
        """
        stamp = cache.vcs_stamp(self.root)
        if self._state is None or self._state.get("stamp") != stamp:
            self.build()
            return
        try:
            covered = set(self._state["scanned"])
        except (KeyError, TypeError):
            self.build()
            return
        prior = {
            rel: entry[4] for rel, entry in self._stored.items()
            if entry[4] is not None and tuple(entry[:4]) == self.stat(rel)
        }
        universe = {rel for rel in self._stored if self.stat(rel) is not None}
        universe.update(rel for rel in targets if is_inside(rel) and rel.endswith(".py"))
        prior = {rel: f for rel, f in prior.items() if rel in universe}
        # No module the aliases were derived from changed: they are still what was stored.
        unchanged = all(tuple(entry[:4]) == self.stat(rel) for rel, entry in self._stored.items())
        known = set(self._state.get("identifiers") or ()) if unchanged else None
        flags, covered, _ = self._settle(sorted(universe), prior, covered, known)
        learned = any(flags[rel] & _ALIAS for rel in universe if rel not in self._stored)
        if known is None or learned or self.prefilter.identifiers != known:
            self._save_state(flags, covered, stamp, partial=True)  # else nothing it stores changed

    def _settle(
        self, universe: list[str], prior: dict[str, int], covered: set[str], known: set[str] | None = None
    ) -> tuple[dict[str, int], set[str], bool]:
        """Flags of every file of ``universe`` and the final identifiers (the alias fixpoint).

        ``prior`` holds flags still valid for the identifiers in ``covered``; every other file
        is read. ``known`` are the identifiers to keep when no file read now binds an alias.
        Returns the flags, the identifiers every file's flags now account for, and whether
        anything had to be scanned.
        """
        base = set(self.deprecations.identifiers)
        fresh = [rel for rel in universe if rel not in prior]
        flags = {rel: prior[rel] for rel in universe if rel in prior}
        # Later rounds scan every file again for new names: keep what the first one read.
        kept = _Kept(_KEEP_BYTES)
        flags.update(zip(fresh, self._scan(fresh, covered | base if prior else base, kept)))
        if not prior:
            covered = set(base)
        scanned = bool(fresh)
        while True:
            if known is not None and known <= covered and not any(flags[rel] & _ALIAS for rel in fresh):
                identifiers = known | base
            else:
                alias_files = sorted(rel for rel, f in flags.items() if f & _ALIAS)
                identifiers = base | self._aliases(alias_files, covered | base)
            known = None
            new = identifiers - covered
            if not new:
                break
            for rel, extra in zip(universe, self._scan(universe, new, kept)):
                flags[rel] |= extra
            covered |= new
            scanned = True
        self.aliases = frozenset(identifiers - self.deprecations.identifiers)
        weak, anchors = self.deprecations.weak_words()
        self.prefilter = Prefilter(identifiers, weak - self.aliases, anchors)
        self.scanned_weak = self.prefilter.identifiers & weak
        """The plain words as the files' flags took them (see :meth:`_scan`)."""
        self._built = True
        return flags, covered, scanned

    def _scan(self, files: list[str], identifiers: set[str], kept: _Kept) -> list[int]:
        """Flags of ``files`` for ``identifiers``; reads each file once per build within a budget.

        What was read stays in ``kept`` as joined blocks, so a later alias round searches
        memory for its few new names instead of reading and joining every file again.
        """
        weak, anchors = self.deprecations.weak_words()
        modules = (self.deprecations.modules | self.deprecations.maybe_modules) & identifiers
        scanner = Scanner(identifiers, modules, weak, anchors)
        found: dict[str, int] = {}
        for block in kept.blocks:  # in the order read: a file read again overrides its older bytes
            found.update(zip(block.files, scanner.flags_block(block.data, block.starts)))
        for rel in kept.stale:
            found.pop(rel, None)
        unread = [rel for rel in files if rel not in found]
        if len(unread) >= _PARALLEL_SCAN:
            # A cold build: workers read and scan. They write what they read into memory shared
            # with this process, at offsets known from the walk's sizes, for the later rounds;
            # sending it back through a pipe would cost more than the reading.
            starts = [0, *itertools.accumulate(max(self.files.get(rel, (0, 0))[1], 0) + 1 for rel in unread)]
            shared = mmap.mmap(-1, starts[-1]) if starts[-1] <= kept.budget else None
            spans = [(i, min(i + _SCAN_CHUNK, len(unread))) for i in range(0, len(unread), _SCAN_CHUNK)]
            work = self._read_and_scan(scanner, unread, starts, shared)
            odd: list[str] = []
            for (lo, hi), (flags, misplaced) in zip(spans, fork_map(work, spans, self.jobs, 2)):
                found.update(zip(unread[lo:hi], flags))
                odd += (unread[lo + k] for k in misplaced)
            if shared is not None:
                kept.add(_Block(unread, shared, starts))
                kept.stale.update(odd)
        else:
            batch: list[str] = []
            datas: list[bytes | None] = []
            size = 0
            for i, rel in enumerate(unread):
                data = cache.read_source(os.path.join(str(self.root), rel), self.files.get(rel, (0, -1))[1])
                batch.append(rel)
                datas.append(data)
                size += len(data or b"")
                if size > _BATCH_BYTES or i == len(unread) - 1:
                    block = _Block.join(batch, datas)
                    found.update(zip(batch, scanner.flags_block(block.data, block.starts)))
                    kept.add(block)
                    batch, datas, size = [], [], 0
        return [found[rel] for rel in files]

    def _read_and_scan(
        self, scanner: Scanner, files: list[str], starts: list[int], shared: mmap.mmap | None
    ) -> Callable[[tuple[int, int]], tuple[list[int], list[int]]]:
        """Flags of ``files[lo:hi]``, and which of them could not be put at their place in ``shared``."""
        root = str(self.root)

        def run(span: tuple[int, int]) -> tuple[list[int], list[int]]:
            lo, hi = span
            datas = [cache.read_source(os.path.join(root, rel), starts[lo + k + 1] - starts[lo + k] - 1)
                     for k, rel in enumerate(files[lo:hi])]
            odd = []
            if shared is not None:
                for k, data in enumerate(datas):
                    at, size = starts[lo + k], starts[lo + k + 1] - starts[lo + k] - 1
                    if data is not None and len(data) == size:
                        shared[at:at + size] = data
                    elif data is not None:  # changed since the walk: read again by later rounds
                        odd.append(k)
            block = _Block.join(files[lo:hi], datas)
            return scanner.flags_block(block.data, block.starts), odd

        return run

    def _aliases(self, files: Iterable[str], identifiers: set[str]) -> set[str]:
        """Names under which ``files`` re-export deprecated targets.

        A binding whose targets spell none of ``identifiers`` cannot reach one yet (a later
        round, with more identifiers, asks again), so resolving it, and reading the modules it
        imports from, is skipped.
        """
        aliases = set()
        for rel in files:
            summary = self.summary_of_file(rel)
            module = self.module_of(rel)
            # Module bindings, and class body ones (`new_name = fetch_all`: `obj.new_name()`).
            scopes = [(module, summary.bindings)]
            scopes += [(f"{module}.{name}", cls.aliases) for name, cls in summary.classes.items()]
            for owner, bindings in scopes:
                for name, targets in bindings.items():
                    if all(identifiers.isdisjoint(target.split(".")) for target in targets):
                        continue
                    found = self._resolved(f"{owner}.{name}")
                    # A name bound inside a deprecated module is reached by spelling that module
                    # (an identifier already): it is no alias (`import os` in one must not make
                    # every file that says `os` a suspect).
                    if found is not None and found.how != "direct":
                        aliases.add(name)
        return aliases

    # -- cache ------------------------------------------------------------------------------

    def _save_state(self, flags: dict[str, int], covered: set[str], stamp: object, *, partial: bool = False) -> None:
        """Remember the identifiers and every module the index consulted, if that changed.

        A ``partial`` (single-file) run consulted only what it needed: what the last run
        stored and still holds is kept.
        """
        if not self.config.cache:
            return
        modules: dict[str, list[Any]] = {}
        if partial:
            for rel, entry in self._stored.items():
                if tuple(entry[:4]) == self.stat(rel):
                    modules[rel] = [*entry[:4], flags.get(rel, entry[4]), *entry[5:]]
        now = time.time_ns()  # after every read of this run
        for rel in {*self._summaries, *(rel for rel, f in flags.items() if f & _ALIAS)}:
            # A file read within a timestamp tick of a change: the next run reads it again.
            stat = cache.settled(self.stat(rel), now) if is_inside(rel) else None
            if stat is None:
                continue
            summary = self.summary_of_file(rel)
            modules[rel] = [*stat, flags.get(rel), self.module_of(rel), summary.to_json()]
        state = {
            "stamp": stamp,
            "weak": self._weak,
            "identifiers": sorted(self.prefilter.identifiers),
            "scanned": sorted(covered),
            "modules": dict(sorted(modules.items())),
        }
        # Round-trip through JSON so that tuples compare equal to what was loaded.
        state = _as_json(state)
        if self._state is None or {k: v for k, v in self._state.items() if k != "key"} != state:
            cache.save(self.root, INDEX_CACHE, self._key, state)
            self._state = {"key": self._key, **state}


class Deps:
    """What one file's findings depend on besides its own text (see :meth:`Index.tracking`):
    ``modules``, module name -> the file found for it (None: not a project module), and
    ``files``, whose summaries were consulted."""

    __slots__ = ("modules", "files")

    def __init__(self) -> None:
        self.modules: dict[str, str | None] = {}
        self.files: set[str] = set()


def _valid_modules(state: dict[str, Any] | None) -> dict[str, list[Any]]:
    modules = state.get("modules") if state else None
    if not isinstance(modules, dict):
        return {}
    return {
        rel: entry for rel, entry in modules.items()
        if isinstance(entry, list) and len(entry) == 7 and isinstance(entry[6], dict)
        and (entry[4] is None or type(entry[4]) is int)
    }


def _as_json(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value))


def _stamp(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino


def _via(how: How) -> How:
    return "stale" if how == "stale" else "reexport"
