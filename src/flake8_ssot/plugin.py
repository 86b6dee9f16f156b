"""The flake8 shim: the only module that knows flake8 exists.

flake8 imports this module on every run, in projects that never configured flake8-ssot too,
so everything else is imported only once a configuration turns up.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from flake8_ssot import __version__

if TYPE_CHECKING:
    from flake8_ssot.engine import Detected, Project, Projects
    from flake8_ssot.results import PluginResults

Report = tuple[int, int, str, type[Any]]


class Plugin:
    name = "flake8-ssot"
    version = __version__

    _projects: ClassVar[Projects | None] = None
    """Projects found so far; None until a configuration exists anywhere near."""
    _fixed: ClassVar[Project | None] = None
    """The project named by --ssot-config; None to find one per file (the nearest above it)."""
    _by_dir: ClassVar[dict[str, Project | None]] = {}
    """The project of each directory seen so far (None: no configuration above it)."""
    _walked: ClassVar[list[str]] = []
    """The directories flake8 was named, from which it walks; longest first."""
    _venvs: ClassVar[dict[str, bool]] = {}
    _skipped: ClassVar[dict[str, bool]] = {}
    """Directory -> whether `check` would not enter it (see :meth:`_walked_past`)."""
    _stdin: ClassVar[bool] = False
    _results: ClassVar[dict[Project, PluginResults]] = {}
    """The results cache of each project linted in this run (see :class:`PluginResults`)."""
    _targets: ClassVar[list[str] | None] = None
    _environment: ClassVar[str | None] = None
    """--ssot-python-environment, when given."""

    def __init__(self, tree: ast.Module, lines: list[str], filename: str) -> None:
        self.tree = tree
        self.lines = lines
        # For stdin, flake8 passes --stdin-display-name here: the editor's path of the buffer.
        self.filename = filename

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--ssot-config",
            metavar="PATH",
            default=None,
            parse_from_config=True,
            normalize_paths=True,
            help="flake8-ssot configuration file (default: the nearest pyproject.toml with "
            "[tool.flake8-ssot] above the current directory, else above each file)",
        )
        manager.add_option(
            "--ssot-python-environment",
            metavar="PATH",
            default=None,
            parse_from_config=True,
            normalize_paths=True,
            help="the project's Python environment, whose installed packages flake8-ssot reads (never runs) "
            "(default: the python-environment setting, else an active VIRTUAL_ENV, else a .venv next to "
            "the configuration)",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        from flake8_ssot import discovery, paths

        # Once per flake8 run, which need not be once per process (editors run it in-process).
        discovery.forget()
        paths.forget()
        _finish()
        cls._projects = None
        cls._fixed = None
        cls._results = {}
        cls._by_dir = {}
        cls._venvs = {}
        cls._skipped = {}
        # Read from a flake8 INI file too (parse_from_config), where `false` turns it off.
        environment = getattr(options, "ssot_python_environment", None)
        cls._environment = "" if environment is not None and environment.lower() == "false" else environment or None
        # The buffer flake8 reads from stdin is not the file on disk under its display name.
        cls._stdin = "-" in options.filenames
        cls._walked = sorted(
            (os.path.abspath(n) for n in options.filenames or ["."] if n != "-" and os.path.isdir(n)),
            key=len, reverse=True,
        )
        starts = [_start_dir(name, options) for name in options.filenames or ["."]]
        if not options.ssot_config and all(discovery.find_config(d) is None for d in starts):
            return  # nothing configured here; a subproject's files find theirs in run()
        from flake8_ssot import sources
        from flake8_ssot.model import SsotError

        try:
            problem = sources.environment_problem(cls._environment) if cls._environment else None
            if problem is not None:
                raise SsotError("--ssot-python-environment", problem)
            targets = cls._targets = _targets(options)
            projects = cls._projects = _new_projects(partial=targets is not None, python_environment=cls._environment)
            if options.ssot_config:
                cls._fixed = projects.load(Path(options.ssot_config))
            found = [cls._fixed] if cls._fixed else [projects.find(start) for start in starts]
            # Build before flake8 forks its workers, so they inherit one index. Linting named
            # files only (an editor, a pre-commit hook) trusts the index cache for the rest.
            for project in dict.fromkeys(p for p in found if p is not None):
                project.build_index(None if targets is None else [project.relpath(t) for t in targets])
                if targets is None:
                    cls._results_for(project)  # loaded once, before the workers fork
        except SsotError as e:
            sys.stderr.write(f"flake8-ssot: {e}\n")
            raise SystemExit(2) from None

    def run(self) -> Iterator[Report]:
        absolute = os.path.abspath(self.filename)
        project = self._fixed
        if project is None:
            directory = os.path.dirname(absolute)
            if directory in self._by_dir:
                project = self._by_dir[directory]
            else:
                from flake8_ssot import discovery

                start = Path(directory)
                if self._projects is None and discovery.find_config(start) is None:
                    self._by_dir[directory] = None
                    return  # nothing configured for this file: the engine is not even imported
                from flake8_ssot.codes import bookkeeping_message
                from flake8_ssot.model import SsotError

                try:
                    projects = self._projects or _new_projects(python_environment=self._environment)
                    type(self)._projects = projects
                    project = self._by_dir[directory] = projects.find(start)
                except SsotError as e:
                    yield 1, 0, "SOT900 " + bookkeeping_message("SOT900", detail=str(e)), type(self)
                    return
            if project is None:
                return
        relpath = project.relpath(self.filename)
        if project.excluded(relpath) or self._walked_past(absolute):
            return  # what `check` skips: the configuration's exclude, tool directories below a named one
        if not self._stdin and project.skips_unchanged(relpath, self.lines):
            return  # the index read it in this run or an earlier one: one stat
        if project.skips(relpath, "".join(self.lines)):
            return  # most files: one substring search each, nothing else
        yield from self._reports(project, relpath)

    def _walked_past(self, absolute: str) -> bool:
        """Whether flake8 reached the file through a directory `check` does not enter (version
        control, caches, virtualenvs, build output: see flake8_ssot.paths.SKIP_DIRS) below one
        it was named."""
        # Decided once per directory: flake8 hands over a directory's files one after another.
        directory = os.path.dirname(absolute)
        known = self._skipped.get(directory)
        if known is None:
            known = self._skipped[directory] = self._below_skipped(directory)
        return known

    def _below_skipped(self, directory: str) -> bool:
        top = next((d for d in self._walked if os.path.join(directory, "").startswith(os.path.join(d, ""))), None)
        if top is None:
            return False  # named itself (or stdin): checked wherever it is, as by `check`
        from flake8_ssot.paths import is_skipped_dir, is_virtualenv

        rest = directory[len(os.path.join(top, "")):]
        parts = rest.split(os.sep) if rest else []
        here = top
        for part in parts:
            here = os.path.join(here, part)
            if is_skipped_dir(part):
                return True
            venv = self._venvs.get(here)
            if venv is None:
                venv = self._venvs[here] = is_virtualenv(here)
            if venv:
                return True
        return False

    def _reports(self, project: Project, relpath: str) -> Iterator[Report]:
        from flake8_ssot.codes import bookkeeping_message
        from flake8_ssot.engine import FileReport

        error = None if self._stdin else project.decoding_error(self.filename, relpath, self.lines)
        report = FileReport(relpath, error=error) if error else project.judge(relpath, self._detect(project, relpath))
        if report.error:
            yield 1, 0, "SOT999 " + bookkeeping_message("SOT999", detail=report.error), type(self)
        for finding in report.for_flake8:
            yield finding.line, finding.col, finding.text, type(self)

    def _detect(self, project: Project, relpath: str) -> Detected:
        if not project.config.cache:
            return project.detect(relpath, self.lines, self.tree)
        return self._results_for(project).detect(relpath, self.lines, self.tree, on_disk=not self._stdin)

    @classmethod
    def _results_for(cls, project: Project) -> PluginResults:
        found = cls._results.get(project)
        if found is None:
            from flake8_ssot.results import PluginResults

            atexit_once()
            targets = None if cls._targets is None else [project.relpath(t) for t in cls._targets]
            found = cls._results[project] = PluginResults(project, targets)
        return found


_registered = False


def atexit_once() -> None:
    global _registered
    if not _registered:
        import atexit

        atexit.register(_finish)
        _registered = True


def _finish() -> None:
    """Save what the last run analyzed (at exit, or when an editor's process lints again)."""
    for found in Plugin._results.values():
        found.finish()
    Plugin._results = {}


def _new_projects(*, partial: bool = False, python_environment: str | None = None) -> Projects:
    from flake8_ssot.engine import Projects

    return Projects(partial=partial, python_environment=python_environment)


def _targets(options: argparse.Namespace) -> list[str] | None:
    """The files flake8 lints when it was named files only (stdin counts as its display name)."""
    targets = []
    for name in options.filenames:
        if name == "-":
            name = getattr(options, "stdin_display_name", None) or "stdin"
        elif os.path.isdir(name) or not os.path.exists(name):
            return None
        targets.append(os.path.abspath(name))
    return targets


def _start_dir(name: str, options: argparse.Namespace) -> Path:
    if name == "-":
        return Path(os.path.abspath(getattr(options, "stdin_display_name", None) or "stdin")).parent
    path = Path(os.path.abspath(name))
    return path if path.is_dir() else path.parent
