"""The project's modules as the index reads them: which file is a module's source, what each
module binds (its summary, read once per run or taken from the cache), stats, and which of them a
resolution consulted (:class:`Deps`). Also :func:`parse_source`, which never raises.
"""

from __future__ import annotations

import ast
import os
import warnings
from typing import Any

from flake8_ssot import cache, sources
from flake8_ssot.cache import Stat
from flake8_ssot.deprecations import Deprecations
from flake8_ssot.model import Config
from flake8_ssot.paths import module_name
from flake8_ssot.summary import ModuleSummary, summarize

MAX_DEPTH = 32
"""Longest chain of names, or of aliases followed, that a question of the index follows."""
# A summary for files that cannot be parsed: unknown contents, so nothing is assumed.
_OPAQUE = ModuleSummary(dynamic=True)


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


class Deps:
    """What one file's findings depend on besides its own text (see :meth:`Index.tracking`):
    ``modules``, module name -> the file found for it (None: not a project module);
    ``external``, module name -> its source outside the project (None: none found), which
    another environment (pre-commit's, a venv with other packages) may find elsewhere; and
    ``files``, whose summaries were consulted."""

    __slots__ = ("modules", "external", "files")

    def __init__(self) -> None:
        self.modules: dict[str, str | None] = {}
        self.external: dict[str, str | None] = {}
        self.files: set[str] = set()


class Modules:
    """Where the project's modules are and what each binds at top level (the first layer of
    :class:`flake8_ssot.index.Index`)."""

    def __init__(self, config: Config, deprecations: Deprecations) -> None:
        self.config = config
        self.root = config.root
        self.deprecations = deprecations
        self.files: dict[str, Stat] = {}
        """Every project file seen by the last full build, with its stat (see :data:`Stat`)."""
        self._module_files: dict[str, str | None] = {}
        self._summaries: dict[str, ModuleSummary] = {}
        self._summary_stats: dict[str, Stat | None] = {}
        self._modules: dict[str, str] = {}
        self._stats: dict[str, Stat | None] = {}
        self._deps: Deps | None = None
        # rel -> [*stat, flags or None, module name, summary]: what the last run knew.
        self._stored: dict[str, list[Any]] = {}
        self._external: dict[str, tuple[str | None, ModuleSummary | None]] = {}
        self.python_path = sources.search_path(str(config.root), config.python_environment)
        """Where installed and standard-library modules are read from: the project's Python
        environment, read from its files (None: this interpreter's ``sys.path``)."""

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
            path = sources.source_of(module, self.python_path)
            data = None
            if path is not None:
                self._summary_stats[path] = cache.stat_of(path)  # before reading, as for project files
                data = cache.read_source(path)
            tree = parse_source(data, path or module)[0] if data is not None else None
            found = summarize(tree, module, (path or "").endswith("__init__.py")) if tree is not None else None
            self._external[module] = path, found
        if self._deps is not None:
            # A cached finding that followed an installed module's source is stale once it
            # changes, and where the module is found elsewhere or not at all.
            self._deps.external[module] = path
            if path is not None:
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

    def owner(self, entry: str) -> str | None:
        """The project module defining a deprecated name (or the deprecated module itself)."""
        module = entry
        while module:
            if self.module_file(module) is not None:
                return module
            module = module.rpartition(".")[0]
        return None
