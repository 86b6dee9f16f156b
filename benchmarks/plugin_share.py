"""flake8, with the CPU time spent inside flake8-ssot's plugin accounted per process.

``benchmarks/run.py`` runs ``python plugin_share.py <flake8 arguments>`` with
``SSOT_BENCH_SHARE_DIR`` set: every process of the run (flake8's forked workers included)
keeps, in a file of that directory named by its pid, the CPU seconds it spent importing the
plugin, in its option hooks, constructing it, in ``run()`` for every file and saving the
cache at exit. Their sum over the CPU time of the whole process tree is the plugin's share of
the run, measured within one run instead of as the difference of two noisy runs.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

OUT = os.environ["SSOT_BENCH_SHARE_DIR"]
_clock = time.process_time
_state: dict[str, Any] = {"pid": None, "spent": 0.0, "fd": None, "depth": 0}


def _add(seconds: float) -> None:
    if _state["pid"] != os.getpid():  # a forked worker keeps an account of its own
        _state.update(pid=os.getpid(), spent=0.0)
        _state["fd"] = os.open(os.path.join(OUT, str(os.getpid())), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    _state["spent"] += seconds
    # Rewritten in place after every call: a worker ends with os._exit, without any hook.
    os.pwrite(_state["fd"], f"{_state['spent']:.9f}\n".encode().ljust(24), 0)


def _timed(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # flake8 reads the plugin's parameters from __init__'s signature
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _state["depth"] += 1
        start = _clock()
        try:
            return function(*args, **kwargs)
        finally:
            _state["depth"] -= 1
            if _state["depth"] == 0:  # nested hooks count once
                _add(_clock() - start)

    return wrapper


def _timed_generator(function: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    @functools.wraps(function)
    def wrapper(*args: Any) -> Iterator[Any]:
        start = _clock()
        found = function(*args)
        while True:
            try:
                item = next(found)
            except StopIteration:
                _add(_clock() - start)
                return
            _add(_clock() - start)
            yield item
            start = _clock()

    return wrapper


def main() -> None:
    start = _clock()
    import flake8_ssot.plugin as plugin

    _add(_clock() - start)
    cls = plugin.Plugin
    for name in ("add_options", "parse_options"):
        setattr(cls, name, classmethod(_timed(getattr(cls, name).__func__)))
    cls.__init__ = _timed(cls.__init__)  # type: ignore[method-assign]
    cls.run = _timed_generator(cls.run)  # type: ignore[method-assign]
    plugin._finish = _timed(plugin._finish)

    from flake8.main.cli import main as flake8  # type: ignore[import-untyped]

    sys.exit(flake8(sys.argv[1:]))


if __name__ == "__main__":
    main()
