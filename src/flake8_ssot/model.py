"""Leaf types shared by every layer: rules, configuration and findings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Status = Literal["new", "allowed", "noqa", "expired"]


class SsotError(Exception):
    """A user-facing problem (bad configuration, allowlist, path) with a one-line message."""

    def __init__(self, file: str | Path, problem: str, *, key: str | None = None) -> None:
        self.file = str(file)
        self.key = key
        self.problem = problem
        where = f"{self.file}: {key}: " if key else f"{self.file}: "
        super().__init__(where + problem)


class ConfigError(SsotError):
    """Invalid configuration."""


class AllowlistError(SsotError):
    """Missing, unreadable or invalid allowlist."""


@dataclass(frozen=True)
class FixTemplate:
    """A call-shape rewrite: ``pattern`` matched on the tree, rewritten to ``replace``."""

    pattern: str
    replace: str


@dataclass(frozen=True)
class Rule:
    name: str
    deprecated: tuple[str, ...]
    replacement: str | None = None
    message: str | None = None
    exempt: tuple[str, ...] = ()
    fixes: tuple[FixTemplate, ...] = ()


@dataclass(frozen=True)
class Config:
    root: Path
    """Directory holding the configuration file; every configured path is relative to it."""
    source: Path
    rules: tuple[Rule, ...]
    allowlist: Path | None = None
    exclude: tuple[str, ...] = ()
    src: tuple[str, ...] = (".", "src")
    """Directories (relative to root) that import names are resolved against."""
    cache: bool = True
    cache_dir: str | None = None
    """Where the cache lives, relative to root (None: ``.flake8-ssot-cache``)."""
    discover: bool = False
    """Also enforce every deprecation the code declares (see :mod:`flake8_ssot.declarations`)."""

    def rule(self, name: str) -> Rule | None:
        return next((r for r in self.rules if r.name == name), None)


@dataclass(frozen=True, order=True)
class Finding:
    """One reported position: a use of a deprecated target, or an SOT9xx bookkeeping note."""

    path: str
    """POSIX path relative to the project root (or as given, for files outside it)."""
    line: int
    col: int
    """0-based column as in the AST; flake8-style output shows ``col + 1``."""
    code: str
    message: str
    """Text after the code."""
    rule: str = ""
    target: str = ""
    """Fully qualified deprecated name this use reaches ("" for bookkeeping)."""
    scope: str = "<module>"
    """Qualified name of the enclosing function or class, as keyed in the allowlist."""
    end_line: int = 0
    end_col: int = 0
    form: str = ""
    """Syntactic shape of the use (see visitor.FORMS); lets ``fix`` pick a rewrite."""
    status: Status = field(default="new", compare=False)

    @property
    def text(self) -> str:
        return f"{self.code} {self.message}"


@dataclass(frozen=True)
class AllowEntry:
    path: str
    rule: str
    uses: tuple[tuple[str, int], ...] = ()
    """(scope, count) pairs; empty means every use of the rule in the file."""
    reason: str | None = None
    expires: datetime.date | None = None

    def allowed(self, scope: str) -> int | None:
        if not self.uses:
            return None
        return dict(self.uses).get(scope, 0)
