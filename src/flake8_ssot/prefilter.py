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
# Every byte that cannot be part of a word becomes a space: the words of a file are then its
# ``split()``, and a whole-word search for many words is one set test (no regex tries every
# position). Bytes beyond ASCII are no word characters here, as in the regex's boundaries.
_TOKENS = bytes(b if b in _WORD_BYTES else 0x20 for b in range(256))


class Prefilter:
    """Matches text that contains any of ``identifiers`` as a whole word (approximately).

    A ``weak`` identifier is a plain word a configured name ends in (``Set`` of ``typing.Set``,
    also an English word in many docstrings): it counts only where code could use it — with
    one of the ``anchors`` (the name's owner: ``typing``, ``timezone``) in the file, or
    after a dot, in a quoted dotted name, in the module an import statement names or in its
    import list, or with a star import in the file. A deprecated module whose source cannot be
    read (``mock`` where it is not installed) is such a word: every import of it names it.
    """

    def __init__(self, identifiers: Iterable[str], weak: Iterable[str] = (), anchors: Iterable[str] = ()) -> None:
        self.identifiers = frozenset(i for i in identifiers if i)
        self.weak = frozenset(weak) & self.identifiers
        self.anchors = frozenset(a for a in anchors if a)
        strong = self.identifiers - self.weak
        small = len(strong) <= _LITERAL_MAX
        self._strong = strong
        self._words = tuple(sorted(strong)) if small else None
        self._words_bytes = tuple(w.encode() for w in self._words) if self._words else None
        # Many words, all ASCII word characters (a Unicode alias is not): a file's tokens are tested.
        tokens = not small and all(w.isascii() and set(w) <= _WORD for w in strong)
        self._strong_tokens = frozenset(w.encode() for w in strong) if tokens else None
        self._weak_words = tuple(sorted(self.weak))
        self._weak_bytes = tuple(w.encode() for w in self._weak_words)
        self._anchor_words = tuple(sorted(self.anchors))
        self._anchor_bytes = tuple(w.encode() for w in self._anchor_words)
        # Compiled on first use: the plugin only matches text, the index build only bytes.
        self._text: re.Pattern[str] | None = None
        self._bytes: re.Pattern[bytes] | None = None
        self._shape_text: re.Pattern[str] | None = None
        self._shape_bytes: re.Pattern[bytes] | None = None

    @property
    def pattern(self) -> str:
        # Both boundaries: `Dict` in `OrderedDict` would cost a parse of every file saying it.
        return r"(?<![A-Za-z0-9_])(?:" + trie_pattern(sorted(self._strong)) + r")(?![A-Za-z0-9_])"

    @property
    def shape(self) -> str:
        """Where a weak word can be code: after a dot, in a quoted dotted name, in any module an
        import statement names (``from mock import Mock`` needs no source to be a use), in an
        import list; or a star import."""
        words = "(?:" + trie_pattern(self._weak_words) + r")(?![A-Za-z0-9_])"
        return (
            r"\.[ \t]*" + words
            + r"""|["'](?:[\w.]*\.)?""" + words + r"""(?:\.[\w.]*)?["']"""
            + r"|\bfrom[ \t]+\.*(?:\w+\.)*" + words + r"[\w.]*[ \t\\\r\n]+import\b"
            + r"|(?:^|;)[ \t]*(?:from[ \t]+[\w.]+[ \t]+)?import[ \t][^\n]*\b" + words
            + r"|\bimport[ \t]*\([^)]*\b" + words
            + r"|\bimport[ \t]+\*"
        )

    def matches_text(self, text: str) -> bool:
        if self._strong_text(text):
            return True
        return bool(self._weak_words) and any(_spelled(text, w, _WORD) for w in self._weak_words) and (
            self.weak_code_text(text)
        )

    def matches_bytes(self, data: bytes) -> bool:
        if self._strong_bytes(data):
            return True
        return bool(self._weak_bytes) and any(_spelled(data, w, _WORD_BYTES) for w in self._weak_bytes) and (
            self.weak_code_bytes(data)
        )

    def weak_code_text(self, text: str) -> bool:
        """A file spelling a weak word: whether it can be code (see the class)."""
        if any(_spelled(text, a, _WORD) for a in self._anchor_words):
            return True
        if self._shape_text is None:
            self._shape_text = re.compile(self.shape, re.MULTILINE)
        return self._shape_text.search(text) is not None

    def weak_code_bytes(self, data: bytes | mmap.mmap) -> bool:
        if any(_spelled(data, a, _WORD_BYTES) for a in self._anchor_bytes):
            return True
        if self._shape_bytes is None:
            self._shape_bytes = re.compile(self.shape.encode(), re.MULTILINE)
        return self._shape_bytes.search(data) is not None

    def _strong_text(self, text: str) -> bool:
        if not self._strong:
            return False
        if self._words is not None:
            return any(_spelled(text, w, _WORD) for w in self._words)
        if self._strong_tokens is not None:
            # UTF-8 keeps ASCII as it is and turns every other character into bytes beyond it.
            return not self._strong_tokens.isdisjoint(
                text.encode("utf-8", "surrogatepass").translate(_TOKENS).split()
            )
        if self._text is None:
            self._text = re.compile(self.pattern)
        return self._text.search(text) is not None

    def _strong_bytes(self, data: bytes) -> bool:
        if not self._strong:
            return False
        if self._words_bytes is not None:
            return any(_spelled(data, w, _WORD_BYTES) for w in self._words_bytes)
        if self._strong_tokens is not None:
            return not self._strong_tokens.isdisjoint(data.translate(_TOKENS).split())
        if self._bytes is None:
            self._bytes = re.compile(self.pattern.encode())
        return self._bytes.search(data) is not None


def _spelled(text: Any, word: Any, word_chars: frozenset[Any]) -> bool:
    """``word`` occurs in ``text`` as a whole word: the regex's test, by hand."""
    end = len(text)
    at = text.find(word)
    while at >= 0:
        after = at + len(word)
        if (after == end or text[after] not in word_chars) and (at == 0 or text[at - 1] not in word_chars):
            return True
        at = text.find(word, at + 1)
    return False


class Scanner:
    """Flags for a file's bytes: spells an identifier, may bind an alias of one, mentions ``SOT``."""

    HIT, MARKED, ALIAS = _HIT, _MARKED, _ALIAS

    def __init__(
        self, identifiers: Iterable[str], modules: Iterable[str] = (), weak: Iterable[str] = (),
        anchors: Iterable[str] = (),
    ) -> None:
        self.prefilter = Prefilter(identifiers, weak, anchors)
        self.modules = sorted(modules)
        """Last names of deprecated modules: a top-level import from one may re-export a name."""
        self._alias: re.Pattern[bytes] | None = None
        self._alias_words: frozenset[bytes] | None = None

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
        prefilter = self.prefilter
        words = prefilter._words_bytes
        if words is None and prefilter._strong:
            return [self.flags(blob[starts[i]:starts[i + 1] - 1]) for i in range(count)]
        flags = [0] * count
        for i in _files_spelling(blob, starts, _MARKER, ()):
            flags[i] |= _MARKED
        for word in words or ():
            for i in _files_spelling(blob, starts, word, _WORD_BYTES):
                flags[i] |= _HIT
        weak = {i for word in prefilter._weak_bytes for i in _files_spelling(blob, starts, word, _WORD_BYTES)}
        for i in sorted(weak):
            if not flags[i] & _HIT and prefilter.weak_code_bytes(blob[starts[i]:starts[i + 1] - 1]):
                flags[i] |= _HIT
        for i, f in enumerate(flags):
            if f & _HIT:
                flags[i] |= self._aliasing(blob[starts[i]:starts[i + 1] - 1])
        return flags

    def _aliasing(self, data: bytes) -> int:
        if self._alias is None:
            identifiers = sorted(self.prefilter.identifiers)
            # A top-level `from deprecated.module import name` may re-export any surface name
            # under the same name, distinctive or not: such a module is read for its bindings.
            modules = trie_pattern(self.modules).encode()
            reexport = rb"^from[ \t]+[\w.]*\b(?:" + modules + rb")\b[\w.]*[ \t]+import\b" if self.modules else b""
            if all(w.isascii() and set(w) <= _WORD for w in identifiers):
                # The same test without a pattern of every identifier, which would cost an editor's
                # run a compilation of hundreds of alternatives: find each `as` and `=`, then look
                # the name up (see _binds_alias).
                self._alias_words = frozenset(w.encode() for w in identifiers)
                self._alias = re.compile(reexport or rb"(?!)", re.MULTILINE)
            else:
                words = trie_pattern(identifiers).encode()
                # `x as y` and `y = [a.b.]x` at the end of a statement: the only ways to add a name.
                self._alias = re.compile(
                    rb"(?:" + words + rb")\s+as\s|=[ \t]*(?:[A-Za-z_][\w.]*\.)?(?:" + words
                    + rb")[ \t]*(?:[#;\r\n]|\Z)" + (b"|" + reexport if reexport else b""),
                    re.MULTILINE,
                )
        if self._alias_words is not None and _binds_alias(data, self._alias_words):
            return _ALIAS
        return _ALIAS if self._alias.search(data) else 0


_AS = re.compile(rb"\s+as\s")
_BIND = re.compile(rb"=[ \t]*([\w.]+)[ \t]*(?:[#;\r\n]|\Z)")
_NAME_START = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")


def _binds_alias(data: bytes, words: frozenset[bytes]) -> bool:
    """Whether ``data`` spells `x as ` or `= [a.b.]x` at the end of a statement, ``x`` in ``words``
    (ASCII identifiers): what :meth:`Scanner._aliasing`'s pattern of the words would match. Each
    of its two alternatives is searched on its own, so that neither hides a match of the other."""
    for found in _AS.finditer(data):
        # The word characters before the blank: the pattern's word is one of their tails.
        end = start = found.start()
        while start and data[start - 1] in _WORD_BYTES:
            start -= 1
        if start < end and any(data[i:end] in words for i in range(start, end)):
            return True
    for found in _BIND.finditer(data):
        owner, dot, last = found.group(1).rpartition(b".")
        if last in words and (not dot or (owner[:1] and owner[0] in _NAME_START)):
            return True
    return False


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
        if (after == end or blob[after] not in word_chars) and (at == 0 or blob[at - 1] not in word_chars):
            i = bisect.bisect_right(starts, at) - 1
            yield i
            at = blob.find(word, starts[i + 1])
        elif misses < _MISSES:
            misses += 1
            at = blob.find(word, at + 1)
        else:
            whole = re.compile(rb"(?<![A-Za-z0-9_])" + re.escape(word) + rb"(?![A-Za-z0-9_])")
            yield from _files_matching(blob, starts, whole, at)
            return


# Occurrences of a word inside another before the regex takes over.
_MISSES = 256


def _files_matching(blob: bytes | mmap.mmap, starts: list[int], pattern: re.Pattern[bytes], at: int) -> Iterator[int]:
    found = pattern.search(blob, at)
    while found is not None:
        i = bisect.bisect_right(starts, found.start()) - 1
        yield i
        found = pattern.search(blob, starts[i + 1])
