"""A warm `check`: when nothing it read has changed, print what the last identical run printed.

A whole `check` run is a function of its command line, its working directory, the tool's code,
the date (allowlist entries expire), the Python environment (``sys.path``) and the files it
read. A snapshot records all of them: every directory of the walk (adding, removing or
renaming a file changes its directory's mtime), every ``.py`` file, every file the
configuration search looked at, the allowlist and the directories of ``sys.path`` (a package
installed or removed changes its directory), each with its (mtime_ns, ctime_ns, size, inode).
ctime cannot be set from user space, so a file restored with an old mtime (``cp -p``, ``rsync
-t``, an archive) still reads as changed. A run where any of them changed does the real work
and writes a new snapshot.

This module is what a warm run imports, so it imports nothing but builtins: no engine, no
JSON, no pathlib, no regular expressions.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
import zlib

from flake8_ssot import __version__

TYPE_CHECKING = False  # typing itself costs a warm run a tenth of its time (it imports re)
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import IO, Any

    from flake8_ssot.engine import Project

_FORMAT = 1
CACHE_DIR = ".flake8-ssot-cache"
CONFIG_FILES = ("pyproject.toml", "setup.cfg", "tox.ini", ".flake8")
"""What :func:`flake8_ssot.discovery.find_config` reads in each directory."""
RACY_NS = 2_000_000_000
"""A file changed this close before a run may change again within the same timestamp tick
(2 s: FAT's granularity, and well above any other's); such a run writes no snapshot."""

Stamp = tuple[int, int, int, int]


def stamp(path: str) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino


def code_stamp() -> list[Any]:
    """The package's own files, so that an upgrade or an edit of an editable install counts."""
    package = os.path.dirname(os.path.abspath(__file__))
    names = sorted(n for n in os.listdir(package) if n.endswith(".py"))
    return [__version__, sys.version, names, [stamp(os.path.join(package, n)) for n in names]]


# What decides which Python environment the analysis reads (see flake8_ssot.sources).
_ENVIRONMENT_VARIABLES = ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH")


def key(argv: Sequence[str], cwd: str) -> list[Any]:
    # The environment too: the interpreter, where it finds modules and what selects the project's
    # environment (installed packages are read for what they return and offer), so pre-commit's
    # run never replays a venv's.
    environment = [os.environ.get(name) for name in _ENVIRONMENT_VARIABLES]
    return [_FORMAT, code_stamp(), cwd, list(argv), time.strftime("%Y-%m-%d"), sys.executable, sys.path, environment]


def file_name(argv: Sequence[str], cwd: str) -> str:
    return f"check-{zlib.crc32(repr((cwd, list(argv))).encode('utf-8', 'surrogatepass')):08x}.bin"


def _config_option(argv: Sequence[str]) -> str | None:
    args = iter(argv)
    for arg in args:
        if arg == "--ssot-config":
            return next(args, None)
        if arg.startswith("--ssot-config="):
            return arg.partition("=")[2]
        if arg == "--":
            return None  # given before or after the verb, but not among the paths
    return None


def replay(argv: Sequence[str], stdout: IO[str], stderr: IO[str]) -> int | None:
    """Print the snapshot of this very command and return its exit code, if nothing changed;
    None otherwise (the caller runs the command)."""
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    name = file_name(argv, cwd)
    config = _config_option(argv)
    if config is not None:
        places = [os.path.dirname(os.path.abspath(config))]
    else:
        places, here = [], cwd
        while True:
            places.append(here)
            parent = os.path.dirname(here)
            if parent == here:
                break
            here = parent
    want: list[Any] | None = None
    for place in places:
        try:
            with open(os.path.join(place, CACHE_DIR, name), "rb") as f:
                data = marshal.loads(f.read())  # load(f) reads a file a few bytes at a time
        except (OSError, EOFError, ValueError, TypeError):
            continue
        if want is None:
            want = key(argv, cwd)
        if _valid(data, want):
            stdout.write(data[6])
            stdout.flush()
            stderr.write(data[7])
            code: int = data[8]
            return code
    return None


def _valid(data: Any, want: list[Any]) -> bool:
    try:
        if data[0] != want:
            return False
        _, root, watched, stamps, dirs, files, _, _, _ = data
        for path, recorded in zip(watched, stamps):
            if stamp(path) != recorded:
                return False
        if len(watched) != len(stamps) or len(dirs) != len(files):
            return False
        stat, sep = os.stat, os.sep
        for group, (directory, st_dir) in zip(files, dirs):
            base = os.path.join(root, directory) if directory else root
            if stamp(base) != st_dir:
                return False
            base += sep
            for entry in group:
                st = stat(base + entry[0])
                if (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino) != entry[1:]:
                    return False
        return True
    except (OSError, TypeError, ValueError, IndexError):
        return False


class Tee:
    """A text stream that passes everything on and remembers it."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def record(
    argv: Sequence[str], cwd: str, project: Project, paths: Iterable[str], started_ns: int,
    out: str, err: str, code: int,
) -> None:
    """Write the snapshot of a `check` run that just printed ``out`` and ``err``, when it can
    be replayed safely: the whole project was walked, and nothing changed just before the run."""
    from flake8_ssot import cache

    root = str(project.root)
    index = project.index
    if (
        not project.config.cache or project.config.cache_dir is not None
        or not index.complete or index.unreadable or code not in (0, 1)
        or not all(os.path.isdir(p) and _inside(os.path.abspath(p), root) for p in paths)
    ):
        return
    watched: list[str] = []
    if _config_option(argv) is not None:
        watched.append(str(project.config.source))
    else:
        if not _inside(cwd, root):
            return  # found through a named path: the search from cwd is not this snapshot's
        here = cwd
        while True:
            watched += [os.path.join(here, n) for n in CONFIG_FILES]
            if here == root or os.path.dirname(here) == here:
                break
            here = os.path.dirname(here)
        watched.append(str(project.config.source))
    if project.config.allowlist is not None:
        watched.append(str(project.config.allowlist))
    # A package installed or removed changes the directory that holds it: this interpreter's
    # sys.path and the project environment's.
    watched += dict.fromkeys(p for p in [*sys.path, *(index.python_path or ())] if p and os.path.isdir(p))
    # Every directory the walk lists, and the .py files in each (the index holds them all).
    by_dir: dict[str, list[str]] = {}
    for rel in index.files:
        directory, _, base = rel.rpartition("/")
        by_dir.setdefault(directory, []).append(base)
    if index.walked is None:
        return  # no walk of this run to vouch for the files
    # The index's own walk, every stat taken before any file was read: a file changing
    # afterwards then differs from its snapshot, and the next run does the work again.
    walked, stats = index.walked
    dirs = [(rel, _stamp(st)) for rel, st in walked]
    for rel, _ in walked:
        if rel:
            # A file there may come to configure a project of its own (see flake8_ssot.check)
            # without its directory's mtime changing; a new one changes that mtime.
            watched += [p for p in (os.path.join(root, rel, n) for n in CONFIG_FILES) if os.path.exists(p)]
    stamps = [stamp(p) for p in watched]
    files = [
        [(base, st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
         for base in by_dir.pop(directory, ()) for st in [stats[f"{directory}/{base}" if directory else base]]]
        for directory, _ in dirs
    ]
    if by_dir:
        return  # a file outside the directories listed: this walk is not the engine's
    newest = max((st[1] for st in [*stamps, *(st for _, st in dirs)] if st), default=0)
    newest = max([newest, *(entry[2] for group in files for entry in group)])
    if newest >= started_ns - RACY_NS:
        return
    data = (key(argv, cwd), root, watched, stamps, dirs, files, out, err, code)
    cache.write_cache_bytes(project.root, file_name(argv, cwd), marshal.dumps(data))


def _stamp(st: os.stat_result | None) -> Stamp | None:
    return None if st is None else (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(os.path.join(root, ""))
