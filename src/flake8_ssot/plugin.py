"""The flake8 shim: the only module that knows flake8 exists."""

from __future__ import annotations

import argparse
import ast
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from flake8_ssot import __version__
from flake8_ssot.codes import bookkeeping_message
from flake8_ssot.engine import Project, Projects
from flake8_ssot.model import SsotError

Report = tuple[int, int, str, type[Any]]


class Plugin:
    name = "flake8-ssot"
    version = __version__

    _projects: ClassVar[Projects] = Projects()
    _fixed: ClassVar[Project | None] = None
    """The project named by --ssot-config or found from the cwd; None to find one per file."""

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

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls._projects = Projects()
        cls._fixed = None
        try:
            if options.ssot_config:
                cls._fixed = cls._projects.load(Path(options.ssot_config))
            else:
                cls._fixed = cls._projects.find(Path.cwd())
            starts = [cls._fixed] if cls._fixed else [
                cls._projects.find(_start_dir(name, options)) for name in options.filenames
            ]
            # Build before flake8 forks its workers, so they inherit one index.
            for project in starts:
                if project is not None:
                    project.build_index()
        except SsotError as e:
            sys.stderr.write(f"flake8-ssot: {e}\n")
            raise SystemExit(2) from None

    def run(self) -> Iterator[Report]:
        try:
            project = self._fixed or self._projects.find(Path(os.path.abspath(self.filename)).parent)
        except SsotError as e:
            yield 1, 0, "SOT900 " + bookkeeping_message("SOT900", detail=str(e)), type(self)
            return
        if project is None:
            return
        report = project.analyze(project.relpath(self.filename), self.lines, self.tree)
        if report.error:
            yield 1, 0, "SOT999 " + bookkeeping_message("SOT999", detail=report.error), type(self)
        for finding in report.for_flake8:
            yield finding.line, finding.col, finding.text, type(self)


def _start_dir(name: str, options: argparse.Namespace) -> Path:
    if name == "-":
        return Path(os.path.abspath(getattr(options, "stdin_display_name", None) or "stdin")).parent
    path = Path(os.path.abspath(name))
    return path if path.is_dir() else path.parent
