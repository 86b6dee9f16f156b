"""Where a module outside the project keeps its source, found without importing anything.

The value flow asks what an installed package's or the standard library's function returns
(``asyncio.get_event_loop``, ``optparse.OptionParser``); the answer is read from its source.
``importlib.util.find_spec`` would import every parent package, so this walks ``sys.path``
with :class:`importlib.machinery.PathFinder`, which only looks at directories.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys

_found: dict[str, tuple[str | None, list[str] | None]] = {}
# Suffixes of modules that exist but have no Python source to read.
_NATIVE = tuple(importlib.machinery.EXTENSION_SUFFIXES)


def _spec(module: str) -> tuple[str | None, list[str] | None]:
    """(source file, package directories) of an importable module; (None, None) if none."""
    known = _found.get(module)
    if known is not None:
        return known
    found: tuple[str | None, list[str] | None] = (None, None)
    parent = module.rpartition(".")[0]
    search = _spec(parent)[1] if parent else None
    if (search is not None or not parent) and module not in sys.builtin_module_names:
        try:
            spec = importlib.machinery.PathFinder.find_spec(module, search)
        except (ImportError, ValueError, OSError):  # pragma: no cover - a broken path entry
            spec = None
        except KeyError:
            # A namespace package below one never imported: its path is computed from the
            # parent's module object, which reading (not importing) never creates.
            spec = None
        if spec is not None:
            origin = spec.origin if spec.origin and spec.origin.endswith(".py") else None
            found = (origin, list(spec.submodule_search_locations or ()) or None)
    _found[module] = found
    return found


def source_of(module: str) -> str | None:
    """The ``.py`` file of an importable module outside the project, if it has one."""
    if not module or not all(part.isidentifier() for part in module.split(".")):
        return None
    return _spec(module)[0]


def exists_in(directory: str, name: str) -> bool:
    """Whether ``directory`` holds a module ``name`` of any kind: source, stub, compiled
    extension or namespace package (a folder without ``__init__.py``)."""
    base = os.path.join(directory, name)
    if os.path.isdir(base) or os.path.isfile(base + ".py") or os.path.isfile(base + ".pyi"):
        return True
    try:
        entries = os.listdir(directory)
    except OSError:
        return False
    return any(entry.startswith(name + ".") and entry.endswith(_NATIVE) for entry in entries)
