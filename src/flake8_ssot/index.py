"""Resolve dotted names to deprecated targets across the project's re-exports.

The index never imports project code: it reads files, summarizes what each module binds
at top level (:mod:`flake8_ssot.summary`), and follows those bindings at query time.
:class:`Index` is built in layers, each a module of its own: the project's modules and their
summaries (:mod:`flake8_ssot.modules`), what objects are and return
(:mod:`flake8_ssot.definitions`), the deprecated modules' surfaces (:mod:`flake8_ssot.surfaces`)
and resolution (:mod:`flake8_ssot.resolution`); this module walks and scans the project, finds
its aliases, and keeps what it learned in the cache.
"""

from __future__ import annotations

import itertools
import mmap
import os
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flake8_ssot import __version__, cache
from flake8_ssot.cache import CACHE_DIR
from flake8_ssot.definitions import Definition, DefinitionKind, Returned
from flake8_ssot.deprecations import Deprecations, How, Resolution, distinctive, wildcard, word
from flake8_ssot.model import Config
from flake8_ssot.modules import TOO_DEEP, Deps, one_line, parse_source
from flake8_ssot.paths import is_inside, iter_python_files
from flake8_ssot.pool import fork_map
from flake8_ssot.prefilter import Prefilter, Scanner
from flake8_ssot.resolution import Resolver
from flake8_ssot.summary import ModuleSummary

# Other modules name these from here, wherever the layers of the index define them.
__all__ = [
    "CACHE_DIR", "FILES_CACHE", "INDEX_CACHE", "RACY_NS", "TOO_DEEP", "Definition", "DefinitionKind",
    "Deprecations", "Deps", "How", "Index", "Resolution", "Returned", "distinctive", "one_line",
    "parse_source", "wildcard", "word",
]

_HIT, _MARKED, _ALIAS = Scanner.HIT, Scanner.MARKED, Scanner.ALIAS
# Bump when the meaning of a cached entry changes, so old caches are ignored.
_CACHE_FORMAT = 6
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
# From this many modules to summarize, workers parse them.
_PARALLEL_SUMMARIES = 200


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


class Index(Resolver):
    """The project's index: the layers below, and the walk that finds which files spell an
    identifier and which aliases the project binds (see :meth:`build`)."""

    def __init__(self, config: Config, deprecations: Deprecations | None = None) -> None:
        super().__init__(config, deprecations or Deprecations(config.rules))
        self.aliases: frozenset[str] = frozenset()
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
        self._key = [_CACHE_FORMAT, __version__, cache.code_stamp(), sorted(self.deprecations.entries),
                     list(config.src), list(config.exclude), _listed(self.python_path)]
        self._state = cache.load(self.root, INDEX_CACHE, self._key) if config.cache else None
        self._stored = _valid_modules(self._state)
        self._learn_surfaces()
        weak, anchors = self.deprecations.weak_words()
        self._weak = [sorted(weak), sorted(anchors)]
        if self._state is not None and self._state.get("weak") != self._weak:
            # Flags stored under another rule for plain words: read the files again.
            self._state, self._stored = None, {}
        self._files_key = [*self._key, self._weak]
        self.prefilter = Prefilter(self.deprecations.identifiers, weak, anchors)

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
                self._summarize_in_workers(alias_files)
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

    def _summarize_in_workers(self, files: list[str]) -> None:
        """Summaries of the files a cold build reads for aliases, parsed by workers before the
        fixpoint asks for them one by one (parsing is most of a cold build on a large project)."""
        todo = [rel for rel in files if rel not in self._summaries and rel not in self._stored]
        if len(todo) < _PARALLEL_SUMMARIES:
            return
        stats = {rel: self.stat(rel) for rel in todo}  # taken before reading, as summary_of_file does
        found = fork_map(lambda rel: self.summary_of_file(rel).to_json(), todo, self.jobs, _PARALLEL_SUMMARIES)
        for rel, data in zip(todo, found):
            self._summary_stats[rel] = stats[rel]
            self._summaries[rel] = ModuleSummary.from_json(data)

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
            work = _read_and_scan(str(self.root), scanner, unread, starts, shared)
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


def _read_and_scan(
    root: str, scanner: Scanner, files: list[str], starts: list[int], shared: mmap.mmap | None
) -> Callable[[tuple[int, int]], tuple[list[int], list[int]]]:
    """Flags of ``files[lo:hi]``, and which of them could not be put at their place in ``shared``."""

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


def _listed(path: tuple[str, ...] | None) -> list[str] | None:
    """A search path as JSON gives it back (a cache key compares equal after a round trip)."""
    return None if path is None else list(path)
