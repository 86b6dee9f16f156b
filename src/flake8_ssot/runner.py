"""Run the engine over many files of a project: file selection and parallelism."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Sequence

from flake8_ssot.engine import FileReport, Project
from flake8_ssot.paths import iter_python_files

# Below this many candidate files a process pool costs more than it saves.
_PARALLEL_MIN = 24

_worker_project: Project | None = None


def select(project: Project, paths: Sequence[str] | None = None) -> list[str]:
    """Files under ``paths`` (default: the whole project), as relative paths, sorted."""
    project.build_index()
    if not paths:
        return sorted(project.index.files)
    return sorted({rel for rel, _ in iter_python_files(project.root, _absolute(paths), project.config.exclude)})


def candidates(project: Project, files: Iterable[str]) -> list[str]:
    """The files that can yield anything: they spell an identifier, mention SOT, or are allowlisted."""
    index = project.index
    allowed = project.allowlist.by_path if project.allowlist else {}
    return [
        rel for rel in files
        if rel in index.hits or rel in index.marked or rel in allowed or rel not in index.files
    ]


def analyze(project: Project, files: Sequence[str], jobs: int | None = None) -> list[FileReport]:
    """Reports for ``files`` in the order given; parallel across processes when worth it."""
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(files) >= _PARALLEL_MIN and "fork" in multiprocessing.get_all_start_methods():
        global _worker_project
        _worker_project = project
        try:
            # fork: workers inherit the built index instead of rebuilding it.
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                return pool.map(_analyze, files, chunksize=max(1, len(files) // (jobs * 8)))
        finally:
            _worker_project = None
    return [project.analyze_file(rel) for rel in files]


def _analyze(relpath: str) -> FileReport:
    assert _worker_project is not None
    return _worker_project.analyze_file(relpath)


def _absolute(paths: Sequence[str]) -> list[str]:
    return [os.path.abspath(p) for p in paths]
