"""Decide cheaply whether a file's text can contain a use at all.

Every statically detectable use spells one of a small set of identifiers (a deprecated
name's last component, a re-exported alias); a file whose bytes contain none of them is
never parsed. The identifiers are compiled into one regex shaped like a trie, so the
cost per byte barely grows with the number of rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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


class Prefilter:
    """Matches text that contains any of ``identifiers`` as a whole word (approximately)."""

    def __init__(self, identifiers: Iterable[str]) -> None:
        self.identifiers = frozenset(i for i in identifiers if i)
        if self.identifiers:
            # Only the trailing boundary is checked: a leading one would cost a lookbehind at
            # every position, and a rare false hit only costs one parse.
            pattern = "(?:" + trie_pattern(sorted(self.identifiers)) + r")(?![A-Za-z0-9_])"
            self._text = re.compile(pattern)
            self._bytes = re.compile(pattern.encode())

    def matches_text(self, text: str) -> bool:
        return bool(self.identifiers) and self._text.search(text) is not None

    def matches_bytes(self, data: bytes) -> bool:
        return bool(self.identifiers) and self._bytes.search(data) is not None
