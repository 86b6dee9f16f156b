"""A repository's ``CODEOWNERS`` file: where it is, what it says, who owns a path.

GitHub's rules: the first of ``.github/CODEOWNERS``, ``CODEOWNERS`` and ``docs/CODEOWNERS``
is the file; each line is a pattern and its owners (``@user``, ``@org/team``, an e-mail
address), none meaning "no owner"; the last matching line wins. Patterns are gitignore's
(pathspec's), except that a pattern whose last component is a wildcard (``docs/*``) matches
files, not the contents of directories it matches; ``!`` and ``[ ]`` do not exist there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
"""Where GitHub looks, in its order, relative to the repository's top."""

_OWNER = re.compile(r"^(@[\w.-]+(/[\w.-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$")
# GitLab's section headers ([Docs], ^[Docs][2] @owner): not GitHub syntax, but not a mistake either.
_SECTION = re.compile(r"^\^?\[[^\]]*\]")
Rule = tuple[str, "re.Pattern[str] | None", tuple[str, ...]]
"""(pattern, its regex, the owners)."""


class CodeOwners:
    """The rules of one ``CODEOWNERS`` file; ``base``: the directory its patterns are relative to."""

    def __init__(self, path: Path, base: Path, rules: Sequence[Rule]) -> None:
        self.path, self.base, self.rules = path, base, rules

    def owners(self, path: str) -> tuple[str, ...]:
        """The owners of a path relative to ``base`` (empty: nobody), by the last matching line."""
        for pattern, regex, owners in reversed(self.rules):
            found = regex.match(path) if regex is not None else None
            if found is None:
                continue
            if found.groupdict().get("ps_d") and any(c in pattern.rstrip("/").rpartition("/")[2] for c in "*?"):
                continue  # docs/* owns docs/a.py, not docs/sub/a.py
            return owners
        return ()


def find(bases: Iterable[Path]) -> Path | None:
    """The first ``CODEOWNERS`` in GitHub's places under the first of ``bases`` that has one."""
    for base in bases:
        for place in PLACES:
            candidate = base / place
            if candidate.is_file():
                return candidate
    return None


def parse(path: Path, base: Path, text: str) -> tuple[CodeOwners, list[tuple[int, str]]]:
    """The file's rules, and (line number, problem) for each line skipped as malformed."""
    import pathspec

    rules: list[Rule] = []
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or _SECTION.match(stripped):
            continue
        # A space inside a pattern is written "\ "; a "#" after the owners starts a comment.
        words = re.split(r"(?<!\\)\s+", stripped)
        words = words[: next((i for i, w in enumerate(words) if i and w.startswith("#")), len(words))]
        pattern, owners = words[0].replace("\\ ", " "), tuple(words[1:])
        bad = next((o for o in owners if not _OWNER.match(o)), None)
        if pattern.startswith("!"):
            problems.append((number, f"negated pattern {pattern!r} (CODEOWNERS has no '!')"))
        elif "[" in pattern and not pattern.startswith("\\["):
            problems.append((number, f"character range in {pattern!r} (CODEOWNERS has no '[ ]')"))
        elif bad is not None:
            problems.append((number, f"{bad!r} is not an owner (@user, @org/team or an e-mail address)"))
        else:
            try:
                compiled = pathspec.GitIgnoreSpec.from_lines([pattern]).patterns[0]
            except ValueError:  # pathspec's GitWildMatchPatternError: an escape at the end...
                problems.append((number, f"not a pattern: {pattern!r}"))
                continue
            rules.append((pattern, compiled.regex, owners))
    return CodeOwners(path, base, rules), problems
