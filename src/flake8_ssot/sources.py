"""Where a module outside the project keeps its source, found without importing anything, and
the search path of the project's Python environment, read from its files without running it.

The value flow asks what an installed package's or the standard library's function returns
(``asyncio.get_event_loop``, ``optparse.OptionParser``); the answer is read from its source.
``importlib.util.find_spec`` would import every parent package, so this walks a search path
with :class:`importlib.machinery.PathFinder`, which only looks at directories: ``sys.path``, or
the path the project's environment would have (:func:`environment_path`). That path comes from
the environment's files (``pyvenv.cfg``, ``lib/pythonX.Y/site-packages``, the path lines of
``.pth`` files), never from starting its interpreter: code under review must not run.
"""

from __future__ import annotations

import importlib.machinery
import os
import re
import sys

SearchPath = tuple[str, ...]
"""Directories searched for modules, in order; None stands for this interpreter's ``sys.path``."""

_found: dict[tuple[SearchPath | None, str], tuple[str | None, list[str] | None]] = {}
# Suffixes of modules that exist but have no Python source to read.
_NATIVE = tuple(importlib.machinery.EXTENSION_SUFFIXES)


def _spec(module: str, path: SearchPath | None = None) -> tuple[str | None, list[str] | None]:
    """(source file, package directories) of an importable module; (None, None) if none."""
    known = _found.get((path, module))
    if known is not None:
        return known
    found: tuple[str | None, list[str] | None] = (None, None)
    parent = module.rpartition(".")[0]
    search = _spec(parent, path)[1] if parent else (list(path) if path is not None else None)
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
    _found[path, module] = found
    return found


def source_of(module: str, path: SearchPath | None = None) -> str | None:
    """The ``.py`` file of an importable module outside the project, if it has one: on
    ``path``, else on this interpreter's ``sys.path``."""
    if not module or not all(part.isidentifier() for part in module.split(".")):
        return None
    return _spec(module, path)[0]


# -- the project's Python environment, read from its files ----------------------------------

_INTERPRETER_DIRS = ("bin", "Scripts")
_VERSION = re.compile(r"(\d+)\.(\d+)")


def environment_root(path: str) -> str | None:
    """The environment ``path`` names (its directory, or an interpreter in its ``bin``), if it
    is one: a directory with ``pyvenv.cfg`` (venv, virtualenv, uv) or with the standard library
    or ``site-packages`` of a ``lib/pythonX.Y`` (conda, a plain installation)."""
    path = os.path.abspath(os.path.expanduser(path))
    if os.path.isfile(path) and os.path.basename(os.path.dirname(path)) in _INTERPRETER_DIRS:
        path = os.path.dirname(os.path.dirname(path))  # .venv/bin/python: never run, only located
    if not os.path.isdir(path):
        return None
    if os.path.isfile(os.path.join(path, "pyvenv.cfg")) or _versions(path) or _windows_site(path):
        return path
    return None


def environment_problem(path: str, shown: str | None = None) -> str | None:
    """Why ``path`` (written ``shown`` by the user) names no Python environment, or None."""
    if environment_root(path) is not None:
        return None
    shown = path if shown is None else shown
    if not os.path.exists(os.path.expanduser(path)):
        return f"{shown!r} does not exist"
    return f"{shown!r} is not a Python environment (no pyvenv.cfg, no lib/pythonX.Y in it)"


def _versions(prefix: str) -> list[str]:
    """The ``X.Y`` of each ``lib/pythonX.Y`` holding a standard library or site-packages."""
    lib = os.path.join(prefix, "lib")
    try:
        names = os.listdir(lib)
    except OSError:
        return []
    found = []
    for name in names:
        match = re.fullmatch(r"python(\d+\.\d+)t?", name)
        if match and (os.path.isdir(os.path.join(lib, name, "site-packages"))
                      or os.path.isfile(os.path.join(lib, name, "os.py"))):
            found.append(match[1])
    return sorted(found, key=lambda v: tuple(map(int, v.split("."))))


def _windows_site(prefix: str) -> str | None:
    site = os.path.join(prefix, "Lib", "site-packages")
    return site if os.path.isdir(site) and not os.path.isdir(os.path.join(prefix, "lib", "site-packages")) else None


def _pyvenv(env: str) -> dict[str, str]:
    """``pyvenv.cfg`` as key -> value (``home``, ``version``/``version_info``, …)."""
    try:
        with open(os.path.join(env, "pyvenv.cfg"), encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return {}
    values = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values


def _lib(prefix: str, version: str) -> str:
    return os.path.join(prefix, "lib", f"python{version}")


def environment_path(env: str) -> SearchPath:
    """The ``sys.path`` the environment's interpreter would start with, from its files alone.

    ``PYTHONPATH``, the standard library of the base installation ``pyvenv.cfg``'s ``home``
    names (else the environment's own, else this interpreter's), ``site-packages`` (and the
    base's, with ``include-system-site-packages = true``), and the directories ``.pth`` files
    there list. A ``.pth`` line that starts with ``import`` is code: it is never run, so a
    package an import hook installs (a modern editable install) is not seen.
    """
    config = _pyvenv(env)
    versions = _versions(env)
    match = _VERSION.match(config.get("version_info") or config.get("version") or "")
    version = f"{match[1]}.{match[2]}" if match else (versions[-1] if versions else "")
    home = config.get("home", "")
    bases = [os.path.dirname(home.rstrip("/\\")), home] if home else []
    found: list[str] = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    stdlib = next(
        (_lib(prefix, version) for prefix in [*bases, env]
         if version and os.path.isfile(os.path.join(_lib(prefix, version), "os.py"))),
        None,
    )
    if stdlib is None:
        for prefix in [*bases, env]:  # Windows: <prefix>/Lib
            if os.path.isfile(os.path.join(prefix, "Lib", "os.py")):
                stdlib = os.path.join(prefix, "Lib")
                break
    if stdlib is None:
        import sysconfig

        stdlib = sysconfig.get_paths()["stdlib"]
    found += [stdlib, os.path.join(stdlib, "lib-dynload")]
    sites = [os.path.join(_lib(env, version), "site-packages")] if version else []
    windows = _windows_site(env)
    if windows is not None:
        sites.append(windows)
    if config.get("include-system-site-packages", "").lower() == "true":
        sites += [os.path.join(_lib(prefix, version), "site-packages") for prefix in bases if version]
    for site in sites:
        if os.path.isdir(site):
            found.append(site)
            found += _pth_directories(site)
    return tuple(dict.fromkeys(os.path.normpath(p) for p in found if os.path.isdir(p)))


def _pth_directories(site: str) -> list[str]:
    """The directories the ``.pth`` files of a site directory add, in the order ``site`` reads
    them; their ``import`` lines are code and are skipped, never run."""
    try:
        names = sorted(n for n in os.listdir(site) if n.endswith(".pth") and not n.startswith("."))
    except OSError:
        return []
    found = []
    for name in names:
        try:
            with open(os.path.join(site, name), encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for line in lines:
            if not line.strip() or line.startswith("#") or line.startswith(("import ", "import\t")):
                continue
            found.append(os.path.join(site, line.rstrip()))
    return found


def find_environment(root: str, setting: str | None) -> str | None:
    """The environment a project's analysis reads: ``setting`` (a path relative to ``root``;
    "" for none), else an active ``VIRTUAL_ENV`` or ``CONDA_PREFIX`` other than the one this
    interpreter runs in (a pre-commit hook's own), else a ``.venv`` or ``venv`` in ``root``
    or a directory above it inside the same git work tree. None: this interpreter's path."""
    if setting is not None:
        return environment_root(os.path.join(root, os.path.expanduser(setting))) if setting else None
    running = os.path.realpath(sys.prefix)
    for variable in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        active = os.environ.get(variable)
        if active and os.path.realpath(active) != running:
            found = environment_root(active)
            if found is not None:
                return found
    for directory in _up_to_work_tree(root):
        for name in (".venv", "venv"):
            candidate = os.path.join(directory, name)
            if os.path.isfile(os.path.join(candidate, "pyvenv.cfg")):
                return candidate
    return None


def _up_to_work_tree(root: str) -> list[str]:
    """``root``, and the directories above it up to the top of the git work tree it is in."""
    chain = [os.path.abspath(root)]
    while os.path.dirname(chain[-1]) != chain[-1]:
        if os.path.exists(os.path.join(chain[-1], ".git")):
            return chain
        chain.append(os.path.dirname(chain[-1]))
    return chain[:1]


def search_path(root: str, setting: str | None) -> SearchPath | None:
    """Where modules outside the project are looked for: the project's environment's path, or
    None for this interpreter's ``sys.path`` (no environment found, or it is this one's)."""
    env = find_environment(root, setting)
    if env is None or os.path.realpath(env) == os.path.realpath(sys.prefix):
        return None
    return environment_path(env)


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
