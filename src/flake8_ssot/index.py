"""Resolve dotted names to deprecated targets across the project's re-exports.

The index never imports project code: it reads files, summarizes what each module binds
at top level (:mod:`flake8_ssot.summary`), and follows those bindings at query time.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from flake8_ssot import __version__
from flake8_ssot.model import Config, Rule
from flake8_ssot.paths import iter_python_files, module_name
from flake8_ssot.prefilter import Prefilter, trie_pattern
from flake8_ssot.summary import ModuleSummary, summarize

How = Literal["direct", "reexport", "stale"]
CACHE_DIR = ".flake8-ssot-cache"
_MAX_DEPTH = 32
# A summary for files that cannot be parsed: unknown contents, so nothing is assumed.
_OPAQUE = ModuleSummary(dynamic=True)
_HIT, _MARKED, _ALIAS = 1, 2, 4
_MARKER = b"SOT"


@dataclass(frozen=True)
class Resolution:
    target: str
    """Canonical deprecated dotted name reached (the configured name plus any attributes)."""
    rule: Rule
    entry: str
    """The configured deprecated name that matched."""
    how: How


class Deprecations:
    """The configured deprecated names, matched by dotted prefix (most specific wins)."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.entries: dict[str, Rule] = {d: r for r in rules for d in r.deprecated}
        self.by_last: dict[str, list[str]] = {}
        for entry in self.entries:
            self.by_last.setdefault(entry.rsplit(".", 1)[-1], []).append(entry)
        self.identifiers = frozenset(self.by_last)

    def add_members(self, entry: str, names: Iterable[str]) -> None:
        """Names a deprecated module defines: a stale path may spell only them."""
        for name in names:
            members = self.by_last.setdefault(name, [])
            if f"{entry}.{name}" not in members:
                members.append(f"{entry}.{name}")
        self.identifiers = frozenset(self.by_last)

    def match(self, dotted: str) -> str | None:
        while dotted:
            if dotted in self.entries:
                return dotted
            dotted = dotted.rpartition(".")[0]
        return None

    def stale(self, name: str, module: str) -> str | None:
        """The deprecated name ``module.name`` most plausibly meant, if ``name`` spells one."""
        candidates = self.by_last.get(name)
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


TOO_DEEP = "too deeply nested to analyze"


def parse_source(data: bytes | str, filename: str = "<unknown>") -> tuple[ast.Module | None, str | None]:
    """The module's tree, or None and a one-line reason; never raises for bad source."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(data, filename), None
    except SyntaxError as e:
        return None, f"syntax error at line {e.lineno}: {e.msg}"
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
        self.files: dict[str, tuple[int, int]] = {}
        """Every project file seen by the last build, with its (mtime_ns, size)."""
        self.hits: set[str] = set()
        """Project files whose text spells an identifier (final set, aliases included)."""
        self.marked: set[str] = set()
        """Project files mentioning ``SOT`` (a ``# noqa: SOT...`` that may be unused)."""
        self._module_files: dict[str, str | None] = {}
        self._summaries: dict[str, ModuleSummary] = {}
        self._memo: dict[str, Resolution | None] = {}
        for entry in list(self.deprecations.entries):
            summary = self.summary(entry)
            if summary is not None:
                self.deprecations.add_members(entry, (n for n in summary.defined if not n.startswith("_")))
        self.prefilter = Prefilter(self.deprecations.identifiers)

    # -- modules ----------------------------------------------------------------------

    def module_file(self, module: str) -> str | None:
        """Relative path of the project's source for ``module``, if it has one."""
        try:
            return self._module_files[module]
        except KeyError:
            pass
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
        self._module_files[module] = found
        return found

    def module_of(self, relpath: str) -> str:
        return module_name(relpath, self.root, self.config.src)

    def summary(self, module: str) -> ModuleSummary | None:
        relpath = self.module_file(module)
        if relpath is None:
            return None
        return self.summary_of_file(relpath)

    def summary_of_file(self, relpath: str, data: bytes | None = None) -> ModuleSummary:
        cached = self._summaries.get(relpath)
        if cached is not None:
            return cached
        if data is None:
            try:
                data = Path(self.root, relpath).read_bytes()
            except OSError:
                data = None
        tree = parse_source(data, relpath)[0] if data is not None else None
        if tree is None:
            summary = _OPAQUE
        else:
            summary = summarize(tree, self.module_of(relpath), relpath.endswith("__init__.py"))
        self._summaries[relpath] = summary
        return summary

    def owner(self, entry: str) -> str | None:
        """The project module defining a deprecated name (or the deprecated module itself)."""
        module = entry
        while module:
            if self.module_file(module) is not None:
                return module
            module = module.rpartition(".")[0]
        return None

    # -- resolution ---------------------------------------------------------------------

    def resolve(self, dotted: str) -> Resolution | None:
        """The deprecated target a fully qualified dotted name reaches, if any."""
        try:
            return self._memo[dotted]
        except KeyError:
            pass
        self._memo[dotted] = None  # breaks import cycles
        result = self._resolve(dotted, 0)
        self._memo[dotted] = result
        return result

    def _resolve(self, dotted: str, depth: int) -> Resolution | None:
        entry = self.deprecations.match(dotted)
        if entry is not None:
            return Resolution(dotted, self.deprecations.entries[entry], entry, "direct")
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
            found = self.resolve(".".join([target, *rest]))
            if found is not None:
                return Resolution(found.target, found.rule, found.entry, _via(found.how))
        if summary.binds(name):
            return None
        unknown_star = False
        for star in summary.stars:
            star_summary = self.summary(star)
            if star_summary is None:
                unknown_star = True  # what a module outside the project exports is unknown
            elif star_summary.binds(name) or star_summary.stars:
                found = self.resolve(".".join([star, name, *rest]))
                if found is not None:
                    return Resolution(found.target, found.rule, found.entry, _via(found.how))
        if summary.dynamic or unknown_star or self.module_file(f"{module}.{name}"):
            return None
        # The module does not bind the name at all: an import of it fails at runtime. When
        # the name spells a deprecated one, this is a half-finished migration's leftover.
        meant = self.deprecations.stale(name, module)
        entry = self.deprecations.match(meant) if meant else None
        if meant is None or entry is None:
            return None
        return Resolution(".".join([meant, *rest]), self.deprecations.entries[entry], entry, "stale")

    # -- project index --------------------------------------------------------------------

    def build(self, files: Iterable[tuple[str, os.stat_result]] | None = None) -> None:
        """Walk the project once: which files spell an identifier, and which aliases exist.

        Aliases (``from old import f as g``, ``import old as legacy``, ``g = f``) add
        identifiers, so this is a fixpoint; later rounds scan only for the new names.
        """
        if files is None:
            files = iter_python_files(self.root, exclude=self.config.exclude)
        self.files = {rel: (st.st_mtime_ns, st.st_size) for rel, st in files}
        cache = self._load_cache() if self.config.cache else None
        cached_files: dict[str, list[Any]] = cache["files"] if cache else {}
        base = set(self.deprecations.identifiers)
        identifiers = set(cache["identifiers"]) if cache else set(base)
        scan = _Scanner(identifiers | base)
        flags: dict[str, int] = {}
        changed = cache is None or cached_files.keys() != self.files.keys()
        for rel, stat in self.files.items():
            old = cached_files.get(rel)
            if old is not None and tuple(old[:2]) == stat:
                flags[rel] = old[2]
            else:
                changed = True
                flags[rel] = scan.flags(self._read(rel))
        if cache:
            for rel, (mtime, size, summary) in cache["summaries"].items():
                if (mtime, size) == self.files.get(rel):
                    self._summaries[rel] = ModuleSummary.from_json(summary)
        # Identifiers the cached flags were not computed for (a deprecated module grew a name).
        new = (base | self._aliases(rel for rel, f in flags.items() if f & _ALIAS)) - identifiers
        while new:
            identifiers |= new
            scan = _Scanner(new)
            found = []
            for rel in sorted(self.files):
                extra = scan.flags(self._read(rel))
                if extra & (_HIT | _ALIAS):
                    flags[rel] |= extra
                    found.append(rel)
            changed = changed or bool(found)
            new = self._aliases(rel for rel in found if flags[rel] & _ALIAS) - identifiers
        self.aliases = frozenset(identifiers - self.deprecations.identifiers)
        self.prefilter = Prefilter(identifiers)
        self.hits = {rel for rel, f in flags.items() if f & _HIT}
        self.marked = {rel for rel, f in flags.items() if f & _MARKED}
        if self.config.cache and changed:
            self._save_cache(identifiers, flags)

    def _read(self, relpath: str) -> bytes | None:
        try:
            return Path(self.root, relpath).read_bytes()
        except OSError:
            return None

    def _aliases(self, files: Iterable[str]) -> set[str]:
        """Names under which ``files`` re-export deprecated targets."""
        aliases = set()
        for rel in files:
            summary = self.summary_of_file(rel)
            module = self.module_of(rel)
            for name in summary.bindings:
                if self.resolve(f"{module}.{name}") is not None:
                    aliases.add(name)
        return aliases

    # -- cache ------------------------------------------------------------------------------

    def _cache_key(self) -> str:
        material = json.dumps(
            [__version__, sorted(self.deprecations.entries), list(self.config.src),
             list(self.config.exclude)]
        )
        return hashlib.sha256(material.encode()).hexdigest()[:16]

    def _cache_path(self) -> Path:
        return self.root / CACHE_DIR / "index.json"

    def _load_cache(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self._cache_path().read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != self._cache_key():
            return None
        return data

    def _save_cache(self, identifiers: set[str], flags: dict[str, int]) -> None:
        data = {
            "key": self._cache_key(),
            "identifiers": sorted(identifiers),
            "files": {rel: [*stat, flags[rel]] for rel, stat in self.files.items()},
            "summaries": {
                rel: [*self.files[rel], self._summaries[rel].to_json()]
                for rel in sorted(self._summaries)
                if rel in self.files and flags[rel] & _ALIAS
            },
        }
        write_cache_file(self.root, "index.json", json.dumps(data, separators=(",", ":")))


class _Scanner:
    """Flags for a file's bytes: spells an identifier, may alias one, mentions ``SOT``."""

    def __init__(self, identifiers: Iterable[str]) -> None:
        self.prefilter = Prefilter(identifiers)
        words = trie_pattern(sorted(self.prefilter.identifiers)).encode()
        # `x as y` and `y = [a.b.]x` at the end of a statement: the only ways to add a name.
        self.alias = re.compile(
            rb"(?:" + words + rb")\s+as\s|=[ \t]*(?:[A-Za-z_][\w.]*\.)?(?:" + words + rb")[ \t]*(?:[#;\r\n]|\Z)"
        ) if words else None

    def flags(self, data: bytes | None) -> int:
        if data is None:
            return 0
        flags = _MARKED * (_MARKER in data)
        if self.prefilter.matches_bytes(data):
            flags |= _HIT
            if self.alias is not None and self.alias.search(data):
                flags |= _ALIAS
        return flags


def _via(how: How) -> How:
    return "stale" if how == "stale" else "reexport"


def write_cache_file(root: Path, name: str, text: str) -> None:
    """Best effort: a read-only checkout simply runs without a cache."""
    directory = root / CACHE_DIR
    try:
        directory.mkdir(exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by flake8-ssot\n*\n")
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmp, directory / name)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
