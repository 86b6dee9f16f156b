"""Presenting findings: flake8-style text, JSON for scripts, GitHub annotations, SARIF 2.1.0.

Every format names files as flake8 prints them: relative to the current directory (the
reports handed in carry such paths already). SARIF gives them as URIs relative to the
``%SRCROOT%`` base, which it defines as the current directory; GitHub resolves annotations
against the workspace, where CI runs.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from flake8_ssot import __version__
from flake8_ssot.codes import CODES, bookkeeping_message
from flake8_ssot.engine import FileReport, decode_source
from flake8_ssot.model import Finding
from flake8_ssot.paths import is_inside

Formatter = Callable[[Sequence[FileReport], "Where"], str]

INFORMATION_URI = "https://github.com/flake8-ssot/flake8-ssot"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "flake8-ssot/v1"
SRCROOT = "%SRCROOT%"

# Bookkeeping that asks for tidying rather than flags a use; everything else is an error.
WARNINGS = frozenset({"SOT901", "SOT903"})


def level(code: str) -> str:
    """SARIF level of a code: ``error`` or ``warning``."""
    return "warning" if code in WARNINGS else "error"


def shown(reports: Sequence[FileReport]) -> list[Finding]:
    return [f for report in reports for f in report.shown]


def reported(reports: Sequence[FileReport]) -> list[Finding]:
    """What the machine formats report: shown findings, and SOT999 for a file not analyzed
    (as the plugin reports it), so CI never passes over a file in silence."""
    found = []
    for report in reports:
        if report.error:
            detail = bookkeeping_message("SOT999", detail=report.error)
            found.append(Finding(report.path, 1, 0, "SOT999", detail))
        found.extend(report.shown)
    return found


def text(reports: Sequence[FileReport], where: Where | None = None) -> str:
    return "".join(f"{f.path}:{f.line}:{f.col + 1}: {f.text}\n" for f in shown(reports))


def as_json(reports: Sequence[FileReport], where: Where | None = None) -> str:
    return json.dumps(
        [
            {
                "path": f.path,
                "line": f.line,
                "column": f.col + 1,
                "end_line": f.end_line or f.line,
                "end_column": f.end_col + 1 if f.end_line else f.col + 1,
                "code": f.code,
                "message": f.message,
                "rule": f.rule or None,
                "target": f.target or None,
                "scope": f.scope,
                "status": f.status,
            }
            for f in reported(reports)
        ],
        indent=2,
    ) + "\n"


def github(reports: Sequence[FileReport], where: Where) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""

    def escape(value: str) -> str:
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(value: str) -> str:
        return escape(value).replace(":", "%3A").replace(",", "%2C")

    return "".join(
        f"::{level(f.code)} file={prop(where.path(f.path))},line={f.line},col={where.column(f.path, f.line, f.col)},"
        f"title={prop(f.code)}::{escape(f.text)}\n"
        for f in reported(reports)
    )


def sarif(reports: Sequence[FileReport], where: Where) -> str:
    """SARIF 2.1.0 for code scanning: rule metadata from the codes table, and fingerprints
    that survive edits elsewhere in a file (no line numbers in them)."""
    rule_index = {code: i for i, code in enumerate(CODES)}
    seen: collections.Counter[tuple[str, ...]] = collections.Counter()
    results = []
    for f in reported(reports):
        path = where.path(f.path)
        key = (path, f.code, f.rule, f.target, f.scope)
        seen[key] += 1
        region: dict[str, int] = {"startLine": f.line, "startColumn": where.column(f.path, f.line, f.col)}
        if f.end_line:
            region["endLine"] = f.end_line
            region["endColumn"] = where.column(f.path, f.end_line, f.end_col)
        location: dict[str, Any] = {"uri": urllib.parse.quote(path)}
        if is_inside(path):
            location["uriBaseId"] = SRCROOT
        else:
            location["uri"] = Path(os.path.abspath(os.path.join(where.base, path))).as_uri()
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": rule_index[f.code],
            "level": level(f.code),
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
            "partialFingerprints": {FINGERPRINT: _fingerprint(*key, str(seen[key]))},
        }
        properties = {"rule": f.rule, "target": f.target, "scope": f.scope if f.target else ""}
        if any(properties.values()):
            result["properties"] = {k: v for k, v in properties.items() if v}
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flake8-ssot",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(code) for code in CODES],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": where.base.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [{"executionSuccessful": True}],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _rule(code: str) -> dict[str, Any]:
    c = CODES[code]
    return {
        "id": c.code,
        "name": c.title,
        "shortDescription": {"text": c.template.replace("{", "<").replace("}", ">")},
        "fullDescription": {"text": c.help},
        "help": {"text": c.help},
        "defaultConfiguration": {"level": level(c.code)},
        "properties": {"tags": ["maintainability", "migration" if c.code.startswith("SOT9") else "deprecation"]},
    }


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]


class Where:
    """Where the printed paths are relative to (the current directory), and columns counted
    in characters, not UTF-8 bytes."""

    def __init__(self, base: Path, sources: Mapping[str, list[str]] | None = None) -> None:
        self.base = base
        self._lines: dict[str, list[str]] = dict(sources or {})
        """Lines by printed path: the text read from stdin is not the file on disk."""

    def path(self, path: str) -> str:
        return path

    def lines(self, path: str) -> list[str]:
        """The file's lines as Python decodes them ([] when it cannot be read)."""
        lines = self._lines.get(path)
        if lines is None:
            lines = self._lines[path] = _read_lines(self.base / path)
        return lines

    def column(self, path: str, line: int, col: int) -> int:
        """1-based character column of the AST's 0-based UTF-8 byte offset."""
        lines = self.lines(path)
        if 0 < line <= len(lines):
            return len(lines[line - 1].encode("utf-8")[:col].decode("utf-8", "ignore")) + 1
        return col + 1


def _read_lines(path: Path) -> list[str]:
    try:
        return decode_source(path.read_bytes())
    except (OSError, UnicodeDecodeError, SyntaxError):
        return []


FORMATTERS: dict[str, Formatter] = {"text": text, "json": as_json, "github": github, "sarif": sarif}
