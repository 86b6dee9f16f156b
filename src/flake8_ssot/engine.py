"""One engine for every face: the flake8 plugin, `check`, `baseline`, `report` and `fix`.

``Project.analyze`` turns one file's text into findings; everything else only presents,
counts or rewrites what it returns, so no two faces can disagree.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime
import os
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flake8_ssot import allowlist as allowlist_mod
from flake8_ssot.codes import bookkeeping_message, use_message
from flake8_ssot.config import find_config, load_config
from flake8_ssot.index import TOO_DEEP, Deprecations, Index, Resolution, one_line, parse_source
from flake8_ssot.model import Config, Finding
from flake8_ssot.noqa import NoqaMap, file_is_ignored
from flake8_ssot.paths import matcher, relative_to_root
from flake8_ssot.visitor import Use, Visitor


@dataclass(frozen=True)
class FileReport:
    path: str
    uses: tuple[Finding, ...] = ()
    """Every use found, each marked new / allowed / noqa / expired."""
    notes: tuple[Finding, ...] = ()
    """SOT9xx bookkeeping for this file."""
    error: str | None = None
    """Why the file could not be analyzed."""

    @property
    def shown(self) -> list[Finding]:
        """What flake8 shows: new and expired uses plus notes (noqa'd uses are flake8's to drop)."""
        return sorted(
            [u for u in self.uses if u.status in ("new", "expired")] + list(self.notes),
            key=_position,
        )

    @property
    def for_flake8(self) -> list[Finding]:
        """What the plugin yields: flake8 itself applies ``# noqa`` (and ``--disable-noqa``)."""
        return sorted([u for u in self.uses if u.status != "allowed"] + list(self.notes), key=_position)


def _position(f: Finding) -> tuple[int, int, str]:
    return (f.line, f.col, f.code)


def decode_source(data: bytes) -> list[str]:
    """Lines of a file decoded as Python does (coding cookie, BOM, UTF-8 by default).

    Raises UnicodeDecodeError or SyntaxError (bad cookie) for text Python could not run.
    """
    encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
    text = data.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.splitlines(keepends=True)


class Project:
    def __init__(self, config: Config, *, today: datetime.date | None = None) -> None:
        self.config = config
        self.root = config.root
        self.deprecations = Deprecations(config.rules)
        self.index = Index(config, self.deprecations)
        self.allowlist = allowlist_mod.load_allowlist(config)
        self.today = today or datetime.date.today()
        self._exempt = {r.name: matcher(r.exempt) for r in config.rules}
        self._owners: dict[str, str | None] = {}
        self._built = False

    @classmethod
    def from_config_file(cls, path: Path) -> Project:
        return cls(load_config(path))

    def build_index(self) -> None:
        if not self._built:
            self.index.build()
            self._built = True

    def relpath(self, filename: str) -> str:
        return relative_to_root(filename, self.root)

    # -- one file -------------------------------------------------------------------------

    def analyze(self, relpath: str, lines: Sequence[str], tree: ast.Module | None = None) -> FileReport:
        self.build_index()
        text = "".join(lines)
        uses: list[Finding] = []
        if self.index.prefilter.matches_text(text):
            if tree is None:
                tree, error = parse_source(text, relpath)
                if tree is None:
                    return FileReport(relpath, error=error)
            module = self.index.module_of(relpath)
            try:
                found = Visitor(self.index, module, relpath.endswith("__init__.py")).run(tree)
            except RecursionError:
                return FileReport(relpath, error=TOO_DEEP)
            uses = [self._finding(relpath, use) for use in found if not self._exempt_use(relpath, module, use)]
        notes: list[Finding] = []
        if uses or "SOT" in text:
            noqa = NoqaMap(lines)
            uses = [
                dataclasses.replace(u, status="noqa") if (n := noqa.at(u.line)) and n.silences(u.code) else u
                for u in uses
            ]
            notes = _unused_noqa(relpath, noqa, uses)
        marked, bookkeeping = allowlist_mod.apply(relpath, uses, self.allowlist, self.today)
        return FileReport(relpath, tuple(marked), tuple(sorted(bookkeeping + notes, key=_position)))

    def analyze_file(self, relpath: str) -> FileReport:
        """Read and analyze a file on disk; undecodable or unreadable files report an error."""
        try:
            data = (self.root / relpath).read_bytes() if not os.path.isabs(relpath) else Path(relpath).read_bytes()
        except OSError as e:
            return FileReport(relpath, error=f"cannot read: {e.strerror or e}")
        try:
            lines = decode_source(data)
        except (UnicodeDecodeError, SyntaxError) as e:
            return FileReport(relpath, error=f"cannot decode: {one_line(e)}")
        if file_is_ignored(lines):
            return FileReport(relpath)
        return self.analyze(relpath, lines)

    def _finding(self, relpath: str, use: Use) -> Finding:
        rule = use.resolution.rule
        message = use_message(
            use.code,
            use.resolution.target,
            via=use.via,
            spelled=use.spelled,
            replacement=rule.replacement,
            advice=rule.message,
        )
        return Finding(
            path=relpath,
            line=use.line,
            col=use.col,
            code=use.code,
            message=message,
            rule=rule.name,
            target=use.resolution.target,
            scope=use.scope,
            end_line=use.end_line,
            end_col=use.end_col,
            form=use.form,
        )

    def _exempt_use(self, relpath: str, module: str, use: Use) -> bool:
        spec = self._exempt[use.resolution.rule.name]
        if spec is not None and spec.match_file(relpath):
            return True
        return self._defines(module, use.resolution)

    def _defines(self, module: str, resolution: Resolution) -> bool:
        """The file is the deprecated module itself, part of it, or the module defining the name."""
        entry = resolution.entry
        return module == entry or module.startswith(entry + ".") or module == self._owner(entry)

    def _owner(self, entry: str) -> str | None:
        if entry not in self._owners:
            self._owners[entry] = self.index.owner(entry)
        return self._owners[entry]


def _unused_noqa(relpath: str, noqa: NoqaMap, uses: list[Finding]) -> list[Finding]:
    notes = []
    for comment in noqa.comments():
        for code in comment.codes or ():
            if not code.startswith("SOT") or code.startswith("SOT9"):
                continue
            if not any(u.code.startswith(code) and noqa.at(u.line) == comment for u in uses):
                notes.append(
                    Finding(relpath, comment.line, comment.col, "SOT903", bookkeeping_message("SOT903", detail=code))
                )
    return notes


# -- finding the project of a file -------------------------------------------------------


class Projects:
    """Projects by configuration file, found once per directory."""

    def __init__(self) -> None:
        self._by_config: dict[Path, Project] = {}

    def load(self, config_path: Path) -> Project:
        config_path = Path(os.path.abspath(config_path))
        project = self._by_config.get(config_path)
        if project is None:
            project = self._by_config[config_path] = Project.from_config_file(config_path)
        return project

    def find(self, start: Path) -> Project | None:
        found = find_config(Path(os.path.abspath(start)))
        return self.load(found) if found is not None else None
