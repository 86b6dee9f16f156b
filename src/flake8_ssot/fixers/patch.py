"""`fix --diff`: a patch that ``git apply`` and ``patch -p1`` apply to exactly what `fix` writes."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

NO_NEWLINE = "\\ No newline at end of file\n"


def lines(text: str) -> list[str]:
    """Lines as patch tools count them: split after each ``\\n`` only (a lone ``\\r`` or a form feed is content)."""
    parts = text.split("\n")
    out = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def unified(path: str, old: str, new: str) -> Iterator[str]:
    """The unified diff of one file, each line ending in a newline; a last line without one is
    followed by ``\\ No newline at end of file``, as diff(1) and git write it."""
    for line in difflib.unified_diff(lines(old), lines(new), f"a/{path}", f"b/{path}"):
        if line.endswith("\n"):
            yield line
        else:
            yield line + "\n"
            yield NO_NEWLINE


def encoded(path: str, old: str, new: str, encoding: str) -> bytes:
    """The diff in the file's own encoding, so that the patch's context matches the bytes on disk.

    A byte order mark is content of the first line (``utf-8-sig`` decoding dropped it).
    """
    if encoding.lower().replace("_", "-") == "utf-8-sig":
        old, new, encoding = "\ufeff" + old, "\ufeff" + new, "utf-8"
    return "".join(unified(path, old, new)).encode(encoding)
