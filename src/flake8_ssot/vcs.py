"""What git knows: the working tree's top directory, and the files changed since a ref."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from flake8_ssot.model import SsotError
from flake8_ssot.paths import is_inside, relative_to_root

OPTION = "--changed-since"


def worktree_root(path: Path) -> Path | None:
    """The nearest directory at or above ``path`` holding ``.git`` (a directory, or a file in
    worktrees and submodules); CI annotations name files relative to it."""
    for directory in (path, *path.parents):
        if (directory / ".git").exists():
            return directory
    return None


def changed_files(root: Path, ref: str) -> set[str]:
    """Root-relative paths of the files added or modified since ``ref``, deleted ones left out.

    "Since" means since the merge base of ``ref`` and HEAD, as a pull request sees it, up to
    the working tree: commits on this branch, staged and unstaged edits, and untracked files
    that are not ignored. Files outside ``root`` are left out.
    """
    if ref.startswith("-"):
        raise SsotError(root, f"not a git ref: {ref!r}", key=OPTION)
    shown = _run(root, "rev-parse", "--show-toplevel")
    if shown.returncode != 0:
        raise SsotError(root, "not inside a git working tree", key=OPTION)
    top = Path(shown.stdout.strip())
    if _run(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise SsotError(root, f"unknown git ref {ref!r}", key=OPTION)
    base = _run(root, "merge-base", ref, "HEAD")
    if base.returncode != 0:
        raise SsotError(
            root,
            f"no common history with {ref!r} (a shallow clone? fetch the full history, e.g. fetch-depth: 0)",
            key=OPTION,
        )
    # Run from the top so that paths are relative to it whatever diff.relative says.
    diff = _git(top, "diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", base.stdout.strip(), "--")
    untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard", "--full-name")
    changed = set()
    for name in (diff + untracked).split("\0"):
        if name:
            rel = relative_to_root(os.path.join(top, name), root)
            if is_inside(rel):
                changed.add(rel)
    return changed


def _git(cwd: Path, *args: str) -> str:
    done = _run(cwd, *args)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise SsotError(cwd, f"git {args[0]} failed: {lines[0] if lines else done.returncode}", key=OPTION)
    return done.stdout


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, encoding="utf-8", errors="surrogateescape", check=False
        )
    except OSError as e:
        raise SsotError(cwd, f"cannot run git: {e.strerror or e}", key=OPTION) from None
