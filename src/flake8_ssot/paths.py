"""Paths relative to the project root, module names, and the walk over a project's files."""

from __future__ import annotations

import contextlib
import functools
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

# Directories no project wants linted or indexed (cf. flake8's and ruff's defaults).
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", "CVS", "_darcs", ".jj",
        ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__", "__pypackages__",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".pytype",
        ".flake8-ssot-cache", "node_modules", "build", "dist", "site-packages",
        ".ipynb_checkpoints", ".direnv",
    }
)


def is_skipped_dir(name: str) -> bool:
    """Whether a directory of this name is never entered: :data:`SKIP_DIRS`, or package metadata."""
    return name in SKIP_DIRS or name.endswith(".egg-info")


def is_virtualenv(directory: str) -> bool:
    return os.path.exists(os.path.join(directory, "pyvenv.cfg"))


Listing = tuple[os.stat_result, list[os.DirEntry[str]]]

_shared: dict[str, Listing | None] | None = None


@contextlib.contextmanager
def one_listing_per_directory() -> Iterator[None]:
    """Within the block each directory is listed once, whichever walk asks first: `check` looks
    for nested configurations, then walks each project's files, over the same tree."""
    global _shared
    _shared = {}
    try:
        yield
    finally:
        _shared = None


def listing(directory: str, seen: set[tuple[int, int]]) -> Listing | None:
    """A directory's stat and its entries by name; None when it cannot be listed, or was already
    (``seen``: reached again through a symlink, or around a loop)."""
    if _shared is None:
        listed = _list(directory)
    else:
        key = os.path.normpath(directory)
        listed = _shared[key] if key in _shared else _shared.setdefault(key, _list(directory))
    if listed is None:
        return None
    st = listed[0]
    if (st.st_dev, st.st_ino) in seen:
        return None
    seen.add((st.st_dev, st.st_ino))
    return listed


def _list(directory: str) -> Listing | None:
    try:
        st = os.stat(directory)
        with os.scandir(directory) as it:
            return st, sorted(it, key=lambda e: e.name)
    except OSError:
        return None


def relative_to_root(filename: str, root: Path) -> str:
    """POSIX path of ``filename`` relative to ``root``; as given (POSIX) when outside it."""
    absolute = os.path.abspath(filename)
    rel = os.path.relpath(absolute, root) if _on_same_drive(absolute, root) else absolute
    if rel.startswith(os.pardir):
        real = os.path.realpath(absolute)
        real_root = os.path.realpath(root)
        rel = os.path.relpath(real, real_root)
        if rel.startswith(os.pardir):
            return Path(absolute).as_posix()
    return Path(rel).as_posix()


def display(root: Path, relpath: str, cwd: str, absolute: Sequence[str] = ()) -> str:
    """The path flake8 prints for a root-relative file: relative to the current directory;
    outside it, absolute when it was named by an absolute path (or is under one), as flake8
    prints what it was given."""
    path = relpath if os.path.isabs(relpath) else os.path.join(root, relpath)
    inside = path.startswith(os.path.join(cwd, ""))
    if not inside and any(path == a or path.startswith(os.path.join(a, "")) for a in absolute):
        return path.replace(os.sep, "/")
    try:
        shown = os.path.relpath(path, cwd)
    except ValueError:  # pragma: no cover - another drive (Windows)
        shown = path
    return shown.replace(os.sep, "/")


def _on_same_drive(a: str, b: Path) -> bool:
    return os.path.splitdrive(a)[0] == os.path.splitdrive(str(b))[0]


def is_inside(relpath: str) -> bool:
    return not relpath.startswith("/") and not relpath.startswith("../")


def forget() -> None:
    """Forget which directories are packages (see :func:`flake8_ssot.discovery.forget`)."""
    _is_package_dir.cache_clear()


@functools.lru_cache(maxsize=4096)
def _is_package_dir(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "__init__.py"))


def module_name(relpath: str, root: Path, src: Iterable[str] = (".", "src")) -> str:
    """Dotted module name of a file: the one function every part of flake8-ssot names files by.

    The file's source root is the longest of ``src`` holding it (the project root for ``.``).
    Below it, the name runs from the highest regular package (a directory with
    ``__init__.py``) down to the file, folders without ``__init__.py`` in between included:
    they are namespace portions (PEP 420) of that package, so with ``app/__init__.py`` and
    ``app/admin/corpus/__init__.py`` but no ``app/admin/__init__.py``,
    ``app/admin/corpus/legacy.py`` is ``app.admin.corpus.legacy``; a folder whose name is no
    identifier ends the chain. Folders above the highest package are no part of the name
    (``tests/unit/__init__.py`` makes ``unit.test_x``, the import name under pytest's
    rootdir-relative insertion); above the source root, a chain of regular packages still
    counts. A file in no package is named by its path from the source root (a namespace
    package from a ``sys.path`` root).
    """
    parts = relpath.split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    names = [] if stem == "__init__" else [stem]
    if not is_inside(relpath):
        return ".".join(reversed(_package_chain(os.path.dirname(relpath), names)))
    base = _source_root(parts, root, src)
    dirs = parts[len(base):-1]
    # The highest regular package below the source root: everything beneath it is in the name.
    # A folder whose name is no identifier (`validate-modules/`) can be no part of one.
    start = max((i + 1 for i, name in enumerate(dirs) if not name.isidentifier()), default=0)
    top = next(
        (i for i in range(start, len(dirs)) if _is_package_dir(os.path.join(str(root), *base, *dirs[:i + 1]))), None
    )
    if top is None:
        if not dirs:  # at the source root, which may be a package (a root `__init__.py`)
            return ".".join(reversed(_package_chain(os.path.join(str(root), *base), names)))
        return ".".join([*dirs, *reversed(names)])
    names.extend(reversed(dirs[top:]))
    return ".".join(reversed(_package_chain(os.path.join(str(root), *base, *dirs[:top]), names)))


def _source_root(parts: list[str], root: Path, src: Iterable[str]) -> list[str]:
    """The parts of the longest source root holding the file of ``parts`` (``[]``: the root).

    A configured root that is itself a regular package (a package named ``src``) is none.
    """
    best: list[str] = []
    for source in src:
        base = [] if source in (".", "") else source.strip("/").split("/")
        if parts[: len(base)] == base and len(best) < len(base) < len(parts) and not _is_package_dir(
            os.path.join(str(root), *base)
        ):
            best = base
    return best


def _package_chain(directory: str, names: list[str]) -> list[str]:
    """``names`` (innermost first) extended by the regular packages ``directory`` is inside."""
    while _is_package_dir(directory):
        names.append(os.path.basename(directory))
        parent = os.path.dirname(directory)
        if parent == directory:  # pragma: no cover - a package at the filesystem root
            break
        directory = parent
    return names


def resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str | None:
    """Absolute module for ``from <level dots><name> import ...`` inside ``module``."""
    if level == 0:
        return name
    package = module.split(".") if is_package else module.split(".")[:-1]
    if level > len(package):
        return None  # "attempted relative import beyond top-level package"
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, name] if name else base) or None


class Matcher(Protocol):
    def match_file(self, file: str) -> bool: ...


class _DirectoryNames:
    """What gitignore patterns that are plain directory names (``generated/``, ``build/``)
    match: any path below a directory so named, at any depth, and such a directory itself
    (given with its trailing slash), exactly as pathspec's ``GitIgnoreSpec`` does."""

    __slots__ = ("names",)

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def match_file(self, file: str) -> bool:
        parts = file.split("/")
        return not self.names.isdisjoint(parts[:-1])


# A character that makes a gitignore pattern more than a plain name (wildcards, escapes,
# negation, comments, surrounding spaces, a slash anchoring it).
_SPECIAL = frozenset("*?[]\\!#/ \t")


def matcher(globs: Iterable[str]) -> Matcher | None:
    globs = list(globs)
    if not globs:
        return None
    if all(len(g) > 1 and g.endswith("/") and _SPECIAL.isdisjoint(g[:-1]) and g[:-1] not in (".", "..")
           for g in globs):
        # Importing pathspec costs an editor's flake8 run 40 M instructions (a tenth of the
        # plugin's cost), for the commonest configuration of all.
        return _DirectoryNames(frozenset(g[:-1] for g in globs))
    import pathspec

    # GitIgnoreSpec: gitignore semantics without naming a pattern factory (pathspec 1.x
    # deprecates "gitwildmatch").
    return pathspec.GitIgnoreSpec.from_lines(globs)


def iter_python_files(
    root: Path, paths: Iterable[str] | None = None, exclude: Iterable[str] = (), *, unreadable: set[str] | None = None,
    dirs: list[tuple[str, os.stat_result | None]] | None = None,
) -> Iterator[tuple[str, os.stat_result]]:
    """(relpath, stat) of every ``.py`` file under ``paths`` (default: the root), sorted.

    Skips version-control, cache and build directories, virtualenvs and ``exclude`` globs,
    and never follows a directory symlink out of the tree or around a loop. A ``.py`` entry
    that is no readable regular file (a dangling or looping symlink, a FIFO, a named file that
    does not exist) is not yielded but added to ``unreadable``, so that it is reported.

    ``dirs`` collects every directory listed, and every virtualenv pruned, with its stat
    (root-relative, "" for the root): what a warm `check` watches (see :mod:`flake8_ssot.warm`).
    """
    unreadable = set() if unreadable is None else unreadable
    exclude = list(exclude)
    spec = matcher(exclude)
    # A glob ending in "/" matches a file only through a directory above it, which a walk from
    # the root has pruned already: files need only the others (unless a "!" re-includes).
    file_globs = [g for g in exclude if not g.endswith("/")]
    negated = any(g.startswith("!") for g in exclude)
    file_spec = spec if negated or len(file_globs) == len(exclude) else matcher(file_globs)
    seen: set[tuple[int, int]] = set()
    for given in sorted(set(paths)) if paths else ["."]:
        start = os.path.join(root, given) if not os.path.isabs(given) else given
        rel = relative_to_root(start, root)
        if os.path.isdir(start):
            files = file_spec if rel == "." else spec
            yield from _walk(start, "" if rel == "." else rel + "/", root, spec, files, seen, unreadable, dirs)
        else:
            # A file named explicitly (pre-commit passes every staged file) is still excluded,
            # as flake8 does, so a hook and a full check agree.
            if spec is not None and spec.match_file(rel):
                continue
            st = _regular(start, rel, unreadable)
            if st is not None:
                yield rel, st


def _regular(path: str | os.DirEntry[str], rel: str, unreadable: set[str]) -> os.stat_result | None:
    """The stat of a regular file; reading anything else would fail, or block (a FIFO)."""
    try:
        st = path.stat() if isinstance(path, os.DirEntry) else os.stat(path)
    except OSError:
        st = None
    if st is None or not stat.S_ISREG(st.st_mode) or not _may_read(path, st):
        unreadable.add(rel)
        return None
    return st


def _may_read(path: str | os.DirEntry[str], st: os.stat_result) -> bool:
    """Whether file permissions let this process read it; one more system call only for a file
    not readable by everyone (then analyzing it reports why, instead of the index taking it for empty)."""
    return bool(st.st_mode & stat.S_IROTH) or os.access(path.path if isinstance(path, os.DirEntry) else path, os.R_OK)


def _walk(
    directory: str,
    prefix: str,
    root: Path,
    spec: Matcher | None,
    file_spec: Matcher | None,
    seen: set[tuple[int, int]],
    unreadable: set[str],
    dirs: list[tuple[str, os.stat_result | None]] | None = None,
) -> Iterator[tuple[str, os.stat_result]]:
    listed = listing(directory, seen)
    if listed is None:
        return
    st, entries = listed
    if dirs is not None:
        dirs.append((prefix[:-1], st))
    for entry in entries:
        rel = prefix + entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:  # a symlink loop
            is_dir = False
        if is_dir:
            if is_skipped_dir(entry.name):
                continue
            if spec is not None and spec.match_file(rel + "/"):
                continue
            if is_virtualenv(entry.path):
                if dirs is not None:  # pruned while its marker stays
                    try:
                        dirs.append((rel, os.stat(entry.path)))
                    except OSError:
                        dirs.append((rel, None))
                continue
            yield from _walk(entry.path, rel + "/", root, spec, file_spec, seen, unreadable, dirs)
        elif entry.name.endswith(".py"):
            if file_spec is not None and file_spec.match_file(rel):
                continue
            regular = _regular(entry, rel, unreadable)
            if regular is not None:
                yield rel, regular


def is_excluded(spec: Matcher, relpath: str) -> bool:
    """Whether ``exclude`` skips the root-relative file ``relpath``: through a directory above
    it (as the walk prunes them) or by its own path."""
    parts = relpath.split("/")
    for end in range(1, len(parts)):
        if spec.match_file("/".join(parts[:end]) + "/"):
            return True
    return spec.match_file(relpath)
