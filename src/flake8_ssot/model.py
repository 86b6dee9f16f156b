"""Leaf types shared by every layer: rules, configuration and findings."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Literal

from flake8_ssot.records import Record

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


# Plain classes on flake8_ssot.records.Record, not dataclasses: every editor run of the
# plugin imports this module (see flake8_ssot.records). Treated as frozen.


class FixTemplate(Record):
    """A call-shape rewrite: ``pattern`` matched on the tree, rewritten to ``replace``."""

    __slots__ = ("pattern", "replace")

    def __init__(self, pattern: str, replace: str) -> None:
        self.pattern, self.replace = pattern, replace


class Rule(Record):
    __slots__ = ("name", "deprecated", "replacement", "message", "exempt", "fixes")

    def __init__(
        self, name: str, deprecated: tuple[str, ...], replacement: str | None = None, message: str | None = None,
        exempt: tuple[str, ...] = (), fixes: tuple[FixTemplate, ...] = (),
    ) -> None:
        self.name, self.deprecated, self.replacement = name, deprecated, replacement
        self.message, self.exempt, self.fixes = message, exempt, fixes


class Config(Record):
    """``root``: the directory holding the configuration file, against which every configured
    path is relative. ``src``: directories (relative to root) that import names are resolved
    against. ``cache_dir``: where the cache lives, relative to root (None:
    ``.flake8-ssot-cache``). ``discover``: also enforce every deprecation the code declares (see
    :mod:`flake8_ssot.declarations`). ``python_environment``: the project's Python environment,
    relative to root or absolute ("": none; None: found as :func:`flake8_ssot.sources.find_environment`
    says)."""

    __slots__ = ("root", "source", "rules", "allowlist", "exclude", "src", "cache", "cache_dir", "discover",
                 "python_environment")

    def __init__(
        self, root: Path, source: Path, rules: tuple[Rule, ...], allowlist: Path | None = None,
        exclude: tuple[str, ...] = (), src: tuple[str, ...] = (".", "src"), cache: bool = True,
        cache_dir: str | None = None, discover: bool = False, python_environment: str | None = None,
    ) -> None:
        self.root, self.source, self.rules, self.allowlist = root, source, rules, allowlist
        self.exclude, self.src, self.cache, self.cache_dir, self.discover = exclude, src, cache, cache_dir, discover
        self.python_environment = python_environment

    def rule(self, name: str) -> Rule | None:
        return next((r for r in self.rules if r.name == name), None)


class Finding(Record):
    """One reported position: a use of a deprecated target, or an SOT9xx bookkeeping note.

    ``path``: POSIX path relative to the project root (or as given, for files outside it).
    ``col``: 0-based column as in the AST; flake8-style output shows ``col + 1``. ``message``:
    the text after the code. ``target``: the fully qualified deprecated name this use reaches
    ("" for bookkeeping). ``scope``: the qualified name of the enclosing function or class, as
    keyed in the allowlist. ``form``: the syntactic shape of the use (see visitor.FORMS); lets
    ``fix`` pick a rewrite.

    Findings compare, hash and sort by every field but ``status``, in field order.
    """

    __slots__ = ("path", "line", "col", "code", "message", "rule", "target", "scope", "end_line", "end_col", "form",
                 "status")

    def __init__(
        self, path: str, line: int, col: int, code: str, message: str, rule: str = "", target: str = "",
        scope: str = "<module>", end_line: int = 0, end_col: int = 0, form: str = "", status: Status = "new",
    ) -> None:
        self.path, self.line, self.col, self.code, self.message = path, line, col, code, message
        self.rule, self.target, self.scope, self.end_line, self.end_col = rule, target, scope, end_line, end_col
        self.form, self.status = form, status

    def _fields(self) -> tuple[Any, ...]:
        return (self.path, self.line, self.col, self.code, self.message, self.rule, self.target, self.scope,
                self.end_line, self.end_col, self.form)

    def __lt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Finding)
        return self._fields() < other._fields()

    def __le__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Finding)
        return self._fields() <= other._fields()

    def __gt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Finding)
        return self._fields() > other._fields()

    def __ge__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Finding)
        return self._fields() >= other._fields()

    @property
    def text(self) -> str:
        return f"{self.code} {self.message}"


class AllowEntry(Record):
    """``uses``: (scope, count) pairs; empty means every use of the rule in the file."""

    __slots__ = ("path", "rule", "uses", "reason", "expires")

    def __init__(
        self, path: str, rule: str, uses: tuple[tuple[str, int], ...] = (), reason: str | None = None,
        expires: datetime.date | None = None,
    ) -> None:
        self.path, self.rule, self.uses, self.reason, self.expires = path, rule, uses, reason, expires

    def allowed(self, scope: str) -> int | None:
        if not self.uses:
            return None
        return dict(self.uses).get(scope, 0)
