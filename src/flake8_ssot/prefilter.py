"""Decide cheaply whether a file's text can contain a use at all.

Every statically detectable use spells one of a small set of identifiers (a deprecated
name's last component, a re-exported alias); a file whose bytes contain none of them is
never parsed. The identifiers are compiled into one regex shaped like a trie, so the
cost per byte barely grows with the number of rules; a handful of identifiers are first
tried as plain substrings, which rejects a file faster than any regex.
"""

from __future__ import annotations

import bisect
import mmap
import re
from collections.abc import Container, Iterable, Iterator
from typing import Any

_END = ""


def trie_pattern(words: Iterable[str]) -> str:
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        ends = _END in node
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return ("(?:" + body + ")?") if len(branches) == 1 else body + "?"
        return body

    return emit(trie)


# Up to this many identifiers, finding each as a substring (memchr speed) and checking the
# byte after each occurrence beats the regex, which tries every position.
_LITERAL_MAX = 16
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_WORD_BYTES = frozenset(_WORD_CHAR.encode()[0] for _WORD_CHAR in _WORD)
_HIT, _MARKED, _ALIAS = 1, 2, 4
_MARKER = b"SOT"


class Prefilter:
    """Matches text that contains any of ``identifiers`` as a whole word (approximately)."""

    def __init__(self, identifiers: Iterable[str]) -> None:
        self.identifiers = frozenset(i for i in identifiers if i)
        small = len(self.identifiers) <= _LITERAL_MAX
        self._words = tuple(sorted(self.identifiers)) if small else None
        self._words_bytes = tuple(w.encode() for w in self._words) if self._words else None
        # Compiled on first use: the plugin only matches text, the index build only bytes.
        self._text: re.Pattern[str] | None = None
        self._bytes: re.Pattern[bytes] | None = None

    @property
    def pattern(self) -> str:
        # Only the trailing boundary is checked: a leading one would cost a lookbehind at
        # every position, and a rare false hit only costs one parse.
        return "(?:" + trie_pattern(sorted(self.identifiers)) + r")(?![A-Za-z0-9_])"

    def matches_text(self, text: str) -> bool:
        if self._words is not None:
            return any(_spelled(text, w, _WORD) for w in self._words)
        if self._text is None:
            self._text = re.compile(self.pattern)
        return self._text.search(text) is not None

    def matches_bytes(self, data: bytes) -> bool:
        if self._words_bytes is not None:
            return any(_spelled(data, w, _WORD_BYTES) for w in self._words_bytes)
        if self._bytes is None:
            self._bytes = re.compile(self.pattern.encode())
        return self._bytes.search(data) is not None


def _spelled(text: Any, word: Any, word_chars: frozenset[Any]) -> bool:
    """``word`` occurs in ``text`` not followed by a word character: the regex's test, by hand."""
    end = len(text)
    at = text.find(word)
    while at >= 0:
        after = at + len(word)
        if after == end or text[after] not in word_chars:
            return True
        at = text.find(word, at + 1)
    return False


class Scanner:
    """Flags for a file's bytes: spells an identifier, may bind an alias of one, mentions ``SOT``."""

    HIT, MARKED, ALIAS = _HIT, _MARKED, _ALIAS

    def __init__(self, identifiers: Iterable[str], modules: Iterable[str] = ()) -> None:
        self.prefilter = Prefilter(identifiers)
        self.modules = sorted(modules)
        """Last names of deprecated modules: a top-level import from one may re-export a name."""
        self._alias: re.Pattern[bytes] | None = None

    def flags(self, data: bytes | None) -> int:
        if data is None:
            return 0
        flags = _MARKED * (_MARKER in data)
        if self.prefilter.matches_bytes(data):
            flags |= _HIT | self._aliasing(data)
        return flags

    def flags_block(self, blob: bytes | mmap.mmap, starts: list[int]) -> list[int]:
        """Flags of the files joined by NUL into ``blob``, the ``i``-th beginning at ``starts[i]``.

        The files are searched as one block, one identifier at a time: each search runs at
        memchr speed over all of them, and Python only sees the few places a word occurs.
        """
        count = len(starts) - 1
        words = self.prefilter._words_bytes
        if words is None:
            return [self.flags(blob[starts[i]:starts[i + 1] - 1]) for i in range(count)]
        flags = [0] * count
        for i in _files_spelling(blob, starts, _MARKER, ()):
            flags[i] |= _MARKED
        for word in words:
            for i in _files_spelling(blob, starts, word, _WORD_BYTES):
                flags[i] |= _HIT
        for i, f in enumerate(flags):
            if f & _HIT:
                flags[i] |= self._aliasing(blob[starts[i]:starts[i + 1] - 1])
        return flags

    def _aliasing(self, data: bytes) -> int:
        if self._alias is None:
            words = trie_pattern(sorted(self.prefilter.identifiers)).encode()
            # `x as y` and `y = [a.b.]x` at the end of a statement: the only ways to add a name.
            # A top-level `from deprecated.module import name` may re-export any surface name
            # under the same name, distinctive or not: such a module is read for its bindings.
            modules = trie_pattern(self.modules).encode()
            reexport = rb"|^from[ \t]+[\w.]*\b(?:" + modules + rb")\b[\w.]*[ \t]+import\b" if self.modules else b""
            self._alias = re.compile(
                rb"(?:" + words + rb")\s+as\s|=[ \t]*(?:[A-Za-z_][\w.]*\.)?(?:" + words
                + rb")[ \t]*(?:[#;\r\n]|\Z)" + reexport,
                re.MULTILINE,
            )
        return _ALIAS if self._alias.search(data) else 0


def _files_spelling(
    blob: bytes | mmap.mmap, starts: list[int], word: bytes, word_chars: Container[int]
) -> Iterator[int]:
    """Indices of the parts of ``blob`` (beginning at ``starts``) spelling ``word`` before no ``word_chars``.

    ``bytes.find`` is the fastest search for a rare word; a word that is mostly a prefix of
    others (`get` in `getattr`) would bring every such occurrence back to Python, so after a
    few of those a regex with a lookahead takes over.
    """
    end = len(blob)
    at = blob.find(word)
    misses = 0
    while at >= 0:
        after = at + len(word)
        if after == end or blob[after] not in word_chars:
            i = bisect.bisect_right(starts, at) - 1
            yield i
            at = blob.find(word, starts[i + 1])
        elif misses < _MISSES:
            misses += 1
            at = blob.find(word, at + 1)
        else:
            yield from _files_matching(blob, starts, re.compile(re.escape(word) + rb"(?![A-Za-z0-9_])"), at)
            return


# Occurrences of a word as a prefix of another before the regex takes over.
_MISSES = 256


def _files_matching(blob: bytes | mmap.mmap, starts: list[int], pattern: re.Pattern[bytes], at: int) -> Iterator[int]:
    found = pattern.search(blob, at)
    while found is not None:
        i = bisect.bisect_right(starts, found.start()) - 1
        yield i
        found = pattern.search(blob, starts[i + 1])
