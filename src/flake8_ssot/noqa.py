"""``# noqa`` exactly as flake8 reads it, so `check`, `baseline` and `report` agree with flake8."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence

from flake8_ssot.records import Record

# flake8.defaults.NOQA_INLINE_REGEXP and NOQA_FILE, copied so the CLI need not import flake8.
NOQA_INLINE = re.compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE
)
NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.I)
# NOQA_FILE at the start of any line of a whole text: one search instead of a match per line.
_NOQA_FILE_ANYWHERE = re.compile(r"^[^\S\n]*# flake8[:=][^\S\n]*noqa", re.I | re.M)
_SPLIT = re.compile(r"[,\s]")


class Noqa(Record):
    """``codes``: None for a bare ``# noqa``."""

    # A plain class: the plugin imports this module in every editor run (see flake8_ssot.records).
    __slots__ = ("line", "col", "codes")

    def __init__(self, line: int, col: int, codes: tuple[str, ...] | None) -> None:
        self.line, self.col, self.codes = line, col, codes

    def silences(self, code: str) -> bool:
        return self.codes is None or code.startswith(self.codes)


def file_is_ignored(lines: Sequence[str]) -> bool:
    """flake8 skips a file in which any line starts with ``# flake8: noqa``."""
    return _NOQA_FILE_ANYWHERE.search("".join(lines)) is not None


class NoqaMap:
    """For each line, the ``# noqa`` flake8 would apply to an error reported there."""

    def __init__(self, lines: Sequence[str]) -> None:
        self._lines = lines
        self._ranges: dict[int, tuple[int, int]] | None = None
        self._found: dict[tuple[int, int], Noqa | None] = {}
        self._comments: dict[int, list[tuple[int, int]]] = {}

    def _line_ranges(self) -> dict[int, tuple[int, int]]:
        # Mirrors flake8's FileProcessor._noqa_line_mapping: every line of a token run up
        # to a NEWLINE/NL shares the joined text of that run.
        ranges: dict[int, tuple[int, int]] = {}
        text = "".join(self._lines)
        if NOQA_INLINE.search(text) is None:
            return ranges  # tokenizing is the expensive part; most files have no noqa at all
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, SyntaxError):
            return ranges
        low, high = len(self._lines) + 2, -1
        for kind, _, token_start, token_end, _ in tokens:
            start, end = token_start[0], token_end[0]
            if kind in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            low, high = min(low, start), max(high, end)
            if kind == tokenize.COMMENT:
                self._comments.setdefault(start, []).append((token_start[1], token_end[1]))
            if kind in (tokenize.NL, tokenize.NEWLINE):
                for n in range(low, high + 1):
                    ranges[n] = (low, high)
                low, high = len(self._lines) + 2, -1
        return ranges

    def at(self, line: int) -> Noqa | None:
        if self._ranges is None:
            self._ranges = self._line_ranges()
        span = self._ranges.get(line)
        if span is None:
            return None
        if span not in self._found:
            self._found[span] = self._search(*span)
        return self._found[span]

    def _search(self, low: int, high: int) -> Noqa | None:
        joined = "".join(self._lines[low - 1:high])
        match = NOQA_INLINE.search(joined)
        if match is None:
            return None
        before = joined[: match.start()]
        line = low + before.count("\n")
        col = match.start() - (before.rfind("\n") + 1)
        codes = match.group("codes")
        parsed = tuple(c for c in _SPLIT.split(codes) if c) if codes else None
        return Noqa(line, col, parsed)

    def comments(self) -> list[Noqa]:
        """Every noqa that applies to some line and is a real comment (not text in a string)."""
        if self._ranges is None:
            self._ranges = self._line_ranges()
        found = {self.at(span[0]) for span in set(self._ranges.values())}
        return sorted(
            (n for n in found if n is not None and self._in_comment(n)), key=lambda n: (n.line, n.col)
        )

    def _in_comment(self, noqa: Noqa) -> bool:
        return any(start <= noqa.col < end for start, end in self._comments.get(noqa.line, ()))


def first_line_noqa(lines: Sequence[str]) -> Noqa | None:
    """``NoqaMap(lines).at(1)``, tokenizing only line 1's token run, for a file Python parsed
    (whose tokens then run to the end): where no use needs the rest of the map."""
    text = "".join(lines)
    if NOQA_INLINE.search(text) is None:
        return None
    low, high = len(lines) + 2, -1
    try:
        for kind, _, token_start, token_end, _ in tokenize.generate_tokens(io.StringIO(text).readline):
            if kind in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            low, high = min(low, token_start[0]), max(high, token_end[0])
            if kind in (tokenize.NL, tokenize.NEWLINE):
                break
        else:
            return None
    except (tokenize.TokenError, SyntaxError):
        return None
    noqa = NoqaMap(lines)
    noqa._ranges = {n: (low, high) for n in range(low, high + 1)}
    return noqa.at(1)


def logical_lines(lines: Sequence[str]) -> dict[int, tuple[int, int]]:
    """For each line, the first and last line of the token run holding it, as flake8 joins them
    for ``--show-source`` (FileProcessor._noqa_line_mapping); empty when the text does not tokenize."""
    ranges: dict[int, tuple[int, int]] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("".join(lines)).readline))
    except (tokenize.TokenError, SyntaxError):
        return ranges
    low, high = len(lines) + 2, -1
    for kind, _, token_start, token_end, _ in tokens:
        if kind in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        low, high = min(low, token_start[0]), max(high, token_end[0])
        if kind in (tokenize.NL, tokenize.NEWLINE):
            for n in range(low, high + 1):
                ranges[n] = (low, high)
            low, high = len(lines) + 2, -1
    return ranges
