"""Run the engine over many files of a project: file selection and parallelism."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Sequence

from flake8_ssot import results
from flake8_ssot.engine import Detected, FileReport, Project
from flake8_ssot.paths import iter_python_files
from flake8_ssot.pool import fork_map

# Below this many files to analyze a process pool costs more than it saves.
_PARALLEL_MIN = 24


def select(project: Project, paths: Sequence[str] | None = None, jobs: int | None = None) -> list[str]:
    """Files under ``paths`` (default: the whole project), as relative paths, sorted.

    ``.py`` entries that cannot be read are included, so that analyzing them reports why.

    Only named files (no directory): the index trusts its cache for the rest of the project,
    as the plugin does for an editor (see :meth:`Index.refresh`).
    """
    project.index.jobs = jobs
    _freeze()
    if not paths:
        project.build_index()
        return sorted({*project.index.files, *project.index.unreadable})
    unreadable: set[str] = set()
    found = iter_python_files(project.root, _absolute(paths), project.config.exclude, unreadable=unreadable)
    files = sorted({rel for rel, _ in found} | unreadable)
    project.build_index(targets=files if not any(os.path.isdir(p) for p in paths) else None)
    return files


def candidates(project: Project, files: Iterable[str]) -> list[str]:
    """The files that can yield anything: they spell an identifier, mention SOT, or are allowlisted."""
    index = project.index
    allowed = project.allowlist.by_path if project.allowlist else {}
    return [
        rel for rel in files
        if rel in index.hits or rel in index.marked or rel in allowed or rel not in index.files
    ]


def analyze(
    project: Project, files: Sequence[str], jobs: int | None = None, done: Callable[[int], None] | None = None
) -> list[FileReport]:
    """Reports for ``files`` in the order given; parallel across processes when worth it.

    Files unchanged since the last run, whose names resolve through unchanged modules, are
    not read again (see :mod:`flake8_ssot.results`).
    """
    project.build_index()
    _freeze()
    store = results.ResultCache(project)
    found: dict[str, Detected] = {}
    todo = []
    for rel in files:
        cached = store.get(rel)
        if cached is None:
            todo.append(rel)
        else:
            found[rel] = cached
    tell = None if done is None else _offset(done, len(found))

    # Workers are forked, so they inherit the built index instead of rebuilding it.
    for rel, (detected, entry) in zip(todo, fork_map(lambda rel: results.detect(project, rel), todo, jobs,
                                                     _PARALLEL_MIN, tell)):
        found[rel] = detected
        store.put(rel, entry)
    store.save()
    return [project.judge(rel, found[rel]) for rel in files]


def _offset(done: Callable[[int], None], known: int) -> Callable[[int], None]:
    """Progress counting the files the cache answered first."""
    done(known)
    return lambda n: done(known + n)


def analyze_project(
    project: Project, jobs: int | None = None, named: Iterable[str] | None = None
) -> list[FileReport]:
    """Reports for every file that can yield anything, plus every existing file the allowlist names.

    Allowlisted files (``named``, default: the project's allowlist) are analyzed even when
    ``exclude`` skips them, so their entries get a verdict (`baseline`, `report`); entries for
    files that no longer exist are the caller's to handle.
    """
    if named is None:
        named = [e.path for e in project.allowlist.entries] if project.allowlist else []
    present = {rel for rel in named if (project.root / rel).is_file()}
    files = sorted(set(candidates(project, select(project))) | present)
    return analyze(project, files, jobs)


def _freeze() -> None:
    """Exempt what the run holds so far from the cyclic collector, which every tree parsed from
    now on would otherwise make walk it again and again (a quarter of analyzing a file); forked
    workers then also leave the pages they inherit unwritten."""
    gc.freeze()


def _absolute(paths: Sequence[str]) -> list[str]:
    return [os.path.abspath(p) for p in paths]
