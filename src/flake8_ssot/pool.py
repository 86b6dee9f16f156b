"""Map a function over many items in forked worker processes, which inherit the parent's state."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_task: Callable[[Any], Any] | None = None


def jobs_wanted(jobs: int | None) -> int:
    return jobs if jobs and jobs > 0 else os.cpu_count() or 1


def fork_map(
    func: Callable[[T], R], items: Sequence[T], jobs: int | None, minimum: int,
    done: Callable[[int], None] | None = None,
) -> list[R]:
    """``[func(x) for x in items]``, in ``jobs`` forked processes when there are ``minimum`` items or more.

    Forking, not spawning: workers start with the parent's built index and compiled patterns,
    so only the items and the results cross a pipe. Order is preserved. ``done`` is told how
    many items are finished as they finish (a progress display).
    """
    jobs = jobs_wanted(jobs)
    if jobs < 2 or len(items) < minimum:
        return _each(func, items, done)
    import multiprocessing  # costs an import only for runs large enough to need it

    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return [func(x) for x in items]
    if multiprocessing.current_process().daemon:
        # A pool's worker (flake8's, loading a subproject's configuration) may not have children.
        return [func(x) for x in items]
    global _task
    _task = func
    # Several chunks per worker, so that one slow chunk does not leave the other cores idle.
    size = max(1, -(-len(items) // (jobs * 8)))
    chunks = [list(items[i:i + size]) for i in range(0, len(items), size)]
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks))) as pool:
            results = []
            for chunk in pool.imap(_run_chunk, chunks, chunksize=1):
                results.append(chunk)
                if done is not None:
                    done(sum(len(r) for r in results))
            # Let idle workers exit on their own: terminate() (the with-block's exit) SIGTERMs them,
            # which a SIGTERM handler in the worker (coverage's, under test) reports as a traceback.
            pool.close()
            pool.join()
    finally:
        _task = None
    return [r for chunk in results for r in chunk]


def _each(func: Callable[[T], R], items: Sequence[T], done: Callable[[int], None] | None) -> list[R]:
    results = []
    for item in items:
        results.append(func(item))
        if done is not None:
            done(len(results))
    return results


def _run_chunk(chunk: list[Any]) -> list[Any]:
    assert _task is not None
    return [_task(x) for x in chunk]
