"""Presenting findings: flake8-style text, JSON, GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

from flake8_ssot.engine import FileReport
from flake8_ssot.model import Finding


def shown(reports: Sequence[FileReport]) -> list[Finding]:
    return [f for report in reports for f in report.shown]


def text(reports: Sequence[FileReport]) -> str:
    return "".join(f"{f.path}:{f.line}:{f.col + 1}: {f.text}\n" for f in shown(reports))


def as_json(reports: Sequence[FileReport]) -> str:
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
            for f in shown(reports)
        ],
        indent=2,
    ) + "\n"


def github(reports: Sequence[FileReport]) -> str:
    def escape(value: str) -> str:
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(value: str) -> str:
        return escape(value).replace(":", "%3A").replace(",", "%2C")

    return "".join(
        f"::error file={prop(f.path)},line={f.line},col={f.col + 1},title={prop(f.code)}::{escape(f.text)}\n"
        for f in shown(reports)
    )


FORMATTERS = {"text": text, "json": as_json, "github": github}
