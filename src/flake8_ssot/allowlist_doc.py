"""The allowlist file on disk: edited in place, written atomically under a lock.

People write comments, ``reason`` and ``expires`` into the allowlist; a regenerated file must keep
them and differ only where entries changed. The file is split into entries (each with the comment
lines directly above its ``[[allow]]`` header) and the gaps between them, so an entry can be
dropped or inserted without touching its neighbours; tomlkit keeps each entry's own formatting.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filelock
import tomlkit
from tomlkit.items import AoT, InlineTable, Item, Table

from flake8_ssot import cache
from flake8_ssot.model import AllowEntry, AllowlistError

Key = tuple[str, str]

HEADER = """\
# flake8-ssot allowlist: uses of deprecated APIs grandfathered during a staged migration.
# Each entry counts the uses of one rule in one file per enclosing function or class
# ("<module>" = top level). `flake8-ssot baseline` only ever tightens this file (new uses
# need --allow-growth); a `reason = "..."` or `expires = YYYY-MM-DD` added by hand is kept.
"""

LOCK_TIMEOUT = 120.0
"""Seconds to wait for another `baseline` or `fix` writing the same allowlist."""

_BLANK_RUN = re.compile(r"(?:^[ \t]*\n){2,}", re.MULTILINE)
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")


@dataclass
class _Gap:
    """Comment and blank lines that belong to no entry."""

    text: str


@dataclass
class _Entry:
    key: Key
    attached: str
    """Comment lines directly above the header (no blank line between): they go with the entry."""
    table: Table

    def text(self) -> str:
        return self.attached + _render_table(self.table)


class Document:
    """An allowlist being edited; ``render()`` gives the new text.

    Its blocks alternate gap, entry, gap, ..., gap: every entry sits between two gaps.
    """

    def __init__(self, blocks: list[_Gap | _Entry], *, relaid: bool = False) -> None:
        self._blocks = blocks
        self.relaid = relaid
        """The original layout (e.g. ``allow = [...]``) could not be kept; entries were rewritten."""

    @classmethod
    def new(cls) -> Document:
        return cls([_Gap(HEADER)])

    @classmethod
    def parse(cls, text: str, entries: Sequence[AllowEntry]) -> Document:
        """Split ``text`` (already validated into ``entries``) into gaps and entries."""
        doc = tomlkit.parse(text)
        allow = doc.get("allow")
        if allow is None:
            return cls([_Gap(text)])
        position = next(i for i, (key, _) in enumerate(doc.body) if key is not None and key.key == "allow")
        before = "".join(item.as_string() for _, item in doc.body[:position])
        if isinstance(allow, AoT):
            # Nothing follows the array in tomlkit's body: every later line belongs to one of
            # its tables (validation allows no other top-level key).
            blocks: list[_Gap | _Entry] = []
            gap = before
            for i, table in enumerate(allow.body):
                trailing = _pop_trailing_trivia(table)
                # The file's opening comments never go with the first entry.
                detached, attached = (gap, "") if i == 0 else _split_attached(gap)
                blocks += [_Gap(detached), _Entry((str(table["path"]), str(table["rule"])), attached, table)]
                gap = trailing
            blocks.append(_Gap(gap))
            parsed = cls(blocks)
            if parsed.render() == text:
                return parsed
        # An inline array, or a layout tomlkit cannot split: rewrite the entries, keep the preamble.
        blocks = [_Gap(before)] if before.strip() else [_Gap(HEADER)]
        rebuilt = cls(blocks, relaid=True)
        for entry in entries:
            rebuilt.set((entry.path, entry.rule), dict(entry.uses), reason=entry.reason, expires=entry.expires)
        return rebuilt

    def set(
        self,
        key: Key,
        uses: Mapping[str, int] | None,
        *,
        reason: str | None = None,
        expires: datetime.date | None = None,
    ) -> None:
        """Give the entry for ``key`` these uses (scope -> count); ``None`` drops it."""
        index = next((i for i, b in enumerate(self._blocks) if isinstance(b, _Entry) and b.key == key), None)
        if index is None:
            if uses is not None:
                self._insert(key, _new_table(key, uses, reason, expires))
        elif uses is None:
            self._drop(index)
        else:
            entry = self._blocks[index]
            assert isinstance(entry, _Entry)
            _set_uses(entry.table, uses)

    def render(self) -> str:
        out = ""
        for block in self._blocks:
            text = block.text if isinstance(block, _Gap) else block.text()
            if out and text and not out.endswith("\n"):
                out += "\n"  # the old last line had no newline, and now something follows it
            out += text
        return out

    def _insert(self, key: Key, table: Table) -> None:
        entry = _Entry(key, "", table)
        entries = [i for i, b in enumerate(self._blocks) if isinstance(b, _Entry)]
        before = [i for i in entries if self._key_at(i) < key]
        if before:
            # Right after the last smaller entry, ahead of any comment that introduces the next one.
            at = before[-1] + 1
            self._blocks[at:at] = [_Gap("\n"), entry]
            # The gap that followed the smaller entry now follows the new one.
            following = self._blocks[at + 2]
            assert isinstance(following, _Gap)
            if following is not self._blocks[-1] and not following.text.startswith("\n"):
                following.text = "\n" + following.text
        elif entries:
            _end_with_blank_line(self._blocks[entries[0] - 1])
            self._blocks[entries[0]:entries[0]] = [entry, _Gap("\n")]
        else:
            _end_with_blank_line(self._blocks[-1])
            self._blocks += [entry, _Gap("")]

    def _key_at(self, index: int) -> Key:
        block = self._blocks[index]
        assert isinstance(block, _Entry)
        return block.key

    def _drop(self, index: int) -> None:
        # An entry always sits between two gaps (parse and _insert keep it so). Each may end or
        # start with the blank line that set the entry apart: merged, they keep one.
        left, right = self._blocks[index - 1], self._blocks[index + 1]
        assert isinstance(left, _Gap)
        assert isinstance(right, _Gap)
        merged = _BLANK_RUN.sub("\n", left.text + right.text)
        if index + 2 == len(self._blocks):
            merged = _strip_trailing_blank_lines(merged)
        if index == 1 and not left.text.strip():
            merged = _LEADING_BLANK_LINES.sub("", merged)  # the first entry went, and nothing was above it
        left.text = merged
        del self._blocks[index:index + 2]


def _end_with_blank_line(block: _Gap | _Entry) -> None:
    """Separate the file's opening comments from an entry inserted right below them."""
    assert isinstance(block, _Gap)
    if block.text.strip() and not block.text.endswith("\n\n"):
        block.text += "\n" if block.text.endswith("\n") else "\n\n"


def _render_table(table: Table) -> str:
    doc = tomlkit.document()
    aot = tomlkit.aot()
    aot.append(table)
    doc.append("allow", aot)
    return doc.as_string()


def _pop_trailing_trivia(table: Table) -> str:
    """Take the comments and blank lines after an entry's last key: they introduce what follows."""
    body = table.value.body
    cut = len(body)
    while cut and body[cut - 1][0] is None:
        cut -= 1
    trailing = "".join(item.as_string() for _, item in body[cut:])
    del body[cut:]
    return trailing


def _split_attached(gap: str) -> tuple[str, str]:
    lines = gap.splitlines(keepends=True)
    cut = len(lines)
    while cut and lines[cut - 1].lstrip().startswith("#"):
        cut -= 1
    return "".join(lines[:cut]), "".join(lines[cut:])


def _strip_trailing_blank_lines(text: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and not lines[-1].strip():
        lines.pop()
    return "".join(lines)


def _new_table(
    key: Key, uses: Mapping[str, int], reason: str | None, expires: datetime.date | None
) -> Table:
    table = tomlkit.table()
    table.add("path", key[0])
    table.add("rule", key[1])
    if reason is not None:
        table.add("reason", reason)
    if expires is not None:
        table.add("expires", expires)
    _append_uses(table, uses)
    return table


def _append_uses(table: Table, uses: Mapping[str, int]) -> None:
    # One dotted key per scope: a changed count is a one-line diff.
    for scope in sorted(uses):
        table.append(tomlkit.key(["uses", scope]), uses[scope])


def _set_uses(table: Table, uses: Mapping[str, int]) -> None:
    current: dict[str, Any] = dict(table["uses"]) if "uses" in table else {}
    if current and set(uses) <= set(current):
        # Only counts went down: edit in place, keeping the layout a person chose.
        proxy = table["uses"]
        if isinstance(proxy, InlineTable):
            table["uses"] = _inline_like(proxy, {s: uses[s] for s in current if s in uses})
            return
        for scope in current:
            if scope not in uses:
                del proxy[scope]
            elif uses[scope] != current[scope]:
                proxy[scope] = uses[scope]
        return
    if "uses" in table:
        del table["uses"]
    _append_uses(table, uses)


def _inline_like(old: InlineTable, uses: Mapping[str, int]) -> Item:
    """``uses = { ... }`` with fewer scopes, spaced like the old one (tomlkit's delete leaves gaps)."""
    pad = " " if old.as_string().startswith("{ ") else ""
    body = ", ".join(f"{tomlkit.key(scope).as_string()} = {n}" for scope, n in uses.items())
    # Assigned in place of the old one, it takes over its comment (tomlkit keeps the trivia).
    item: Item = tomlkit.parse(f"uses = {{{pad}{body}{pad}}}")["uses"]
    return item


# -- reading and writing ------------------------------------------------------------------


@contextlib.contextmanager
def locked(root: Path, shown: str) -> Iterator[None]:
    """Hold the allowlist's lock across read-modify-write, so concurrent runs never lose an edit.

    The lock file lives in the (git-ignored) cache directory, not next to the allowlist.
    """
    # Always here, wherever the cache is configured to go: every run that writes this
    # allowlist must queue on the same lock, whatever its command line says.
    directory = root / cache.CACHE_DIR
    try:
        cache.make_directory(directory)
    except OSError as e:
        raise AllowlistError(shown, f"cannot create the lock directory {cache.CACHE_DIR}: {e.strerror or e}") from None
    lock = filelock.FileLock(directory / f"{shown.replace('/', '%')}.lock", timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise AllowlistError(
            shown, f"still locked by another flake8-ssot run after {LOCK_TIMEOUT:.0f}s ({lock.lock_file})"
        ) from None
    except OSError as e:
        raise AllowlistError(shown, f"cannot lock: {e.strerror or e}") from None
    try:
        yield
    finally:
        lock.release()


def read(path: Path, shown: str) -> bytes | None:
    """The allowlist's bytes; ``None`` when it does not exist yet."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise AllowlistError(shown, f"cannot read: {e.strerror or e}") from None


def write_atomic(path: Path, text: str, shown: str) -> None:
    """Replace ``path`` with ``text`` in one rename: readers and an interrupted run see old or new, never half.

    The temporary file is ``.<name>.<random>.tmp`` next to it: a rename within one directory
    is atomic, and one left by a power cut is plainly ours.
    """
    try:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise AllowlistError(shown, f"cannot write: {e.strerror or e}") from None
    try:
        # UTF-8 whatever the locale (TOML's encoding), and the newlines the text has.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise AllowlistError(shown, f"cannot write: {e.strerror or e}") from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
