"""The on-disk cache in ``<root>/.flake8-ssot-cache/``: best-effort JSON files, git-ignored by themselves.

Nothing here is ever required: a missing, corrupted or foreign file reads as absent, and a
read-only checkout simply runs without writing one.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

CACHE_DIR = ".flake8-ssot-cache"
GITIGNORE = "# Created by flake8-ssot\n*\n"

Stat = tuple[int, int, int, int]
"""(mtime_ns, size, ctime_ns, inode): how every cache entry recognises an unchanged file.

ctime cannot be set from user space, so a file given new content of the same size and its old
mtime back (``cp -p``, ``rsync -t``, ``touch -r``, an unpacked archive) still reads as changed;
the inode tells a file replaced by a rename from the one that was there."""

RACY_NS = 2_000_000_000
"""A file changed this close before it was read may change again within the same timestamp
tick unseen (2 s: FAT's granularity, and well above any other's): its stat vouches for nothing
(as flake8_ssot.warm.RACY_NS)."""

UNSETTLED: Stat = (0, -1, 0, 0)
"""Recorded instead of the stat of a file that changed just before it was read: no file has it."""


_locations: dict[str, str] = {}
"""Project root -> cache directory, where the configuration or the command line moved it."""


def set_location(root: Path, location: str | None) -> None:
    """Keep the cache of the project at ``root`` in ``location`` (relative to the root, or
    absolute); None puts it back in ``.flake8-ssot-cache``."""
    if location is None:
        _locations.pop(str(root), None)
    else:
        _locations[str(root)] = os.path.join(root, location)


def directory(root: Path | str) -> str:
    """The cache directory of the project at ``root``."""
    return _locations.get(str(root)) or os.path.join(root, CACHE_DIR)


def code_stamp() -> list[int]:
    """When flake8-ssot's own code last changed: part of every cache key, so that an upgrade,
    or an edit to an editable install, never reuses what older code computed."""
    global _code_stamp
    if _code_stamp is None:
        package = os.path.dirname(os.path.abspath(__file__))
        stamps = [stat_of(os.path.join(package, name)) for name in os.listdir(package) if name.endswith(".py")]
        _code_stamp = [len(stamps), max((st[0] for st in stamps if st), default=0)]
    return _code_stamp


_code_stamp: list[int] | None = None


def stat_of(path: str) -> Stat | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ctime_ns, st.st_ino


def stamp(st: os.stat_result) -> Stat:
    """The :data:`Stat` of a stat result."""
    return st.st_mtime_ns, st.st_size, st.st_ctime_ns, st.st_ino


def settled(stat: Stat | None, read_ns: int) -> Stat | None:
    """What a cache entry records for a file whose content was read at ``read_ns`` (or
    before) with this stat taken before the read: the stat itself if the file last changed
    well before then, else :data:`UNSETTLED`, which the next run finds changed. A change
    within one timestamp tick of the read could leave the stat as it was."""
    if stat is None:
        return None
    return stat if stat[2] < read_ns - RACY_NS else UNSETTLED


def read_source(path: str, size: int = -1) -> bytes | None:
    """A file's bytes, or None when it cannot be read.

    One open/read/close without Python's buffering layer: a cold run reads every file of the
    project, and ``open().read()`` costs three times as much per small file.
    """
    try:
        # Non-blocking: a FIFO named like a source file reads as empty instead of hanging the run.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if size < 0 and not stat.S_ISREG(os.fstat(fd).st_mode):
            return None  # the walk yields regular files only; a named path may be a device
        want = size + 1 if size >= 0 else 1 << 16
        data = os.read(fd, want)
        if len(data) < want:
            return data
        chunks = [data]
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def load(root: Path, name: str, key: object) -> dict[str, Any] | None:
    """The cache file's contents when it was written for ``key``; None otherwise."""
    raw = read_source(os.path.join(directory(root), name))
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    return data


def save(root: Path, name: str, key: object, data: dict[str, Any]) -> None:
    write_cache_file(root, name, json.dumps({"key": key, **data}, separators=(",", ":")))


def write_cache_file(root: Path, name: str, text: str) -> None:
    """Atomically replace a cache file; any failure leaves the run without a cache."""
    write_cache_bytes(root, name, text.encode())


def write_cache_bytes(root: Path, name: str, data: bytes) -> None:
    import tempfile  # only runs that changed something write

    where = Path(directory(root))
    try:
        make_directory(where, parents=where != root / CACHE_DIR)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, where / name)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


def make_directory(where: Path, *, parents: bool = False) -> None:
    """Create a directory of flake8-ssot's own, which git ignores by itself (OSError if it cannot)."""
    where.mkdir(parents=parents, exist_ok=True)
    ignore = where / ".gitignore"
    if not ignore.exists():
        ignore.write_text(GITIGNORE)


def vcs_stamp(root: Path) -> list[list[int] | None] | None:
    """What changes when git rewrites the working tree (checkout, pull, merge, commit, add).

    A single-file run trusts the cache for files it does not lint; a new stamp says files may
    have changed behind the editor's back, so that run refreshes the whole index instead.
    """
    for directory in (root, *root.parents):
        dotgit = os.path.join(directory, ".git")
        if os.path.isdir(dotgit):
            gitdir = dotgit
        elif os.path.isfile(dotgit):
            # A worktree or submodule: ".git" names the real git directory.
            # A path, in the bytes the file system has: not necessarily UTF-8.
            text = os.fsdecode(read_source(dotgit) or b"").strip()
            if not text.startswith("gitdir:"):
                return None
            gitdir = os.path.join(directory, text[len("gitdir:"):].strip())
        else:
            continue
        stats = (stat_of(os.path.join(gitdir, name)) for name in ("HEAD", "index"))
        return [list(st) if st else None for st in stats]
    return None
