"""`flake8-ssot report`: how much of each migration is left, per rule and per file.

Counts come from the same findings flake8 shows, by status: grandfathered by the allowlist,
silenced by ``# noqa`` (still migration debt, so counted apart), new, or past an entry's
``expires``. ``--history FILE`` appends a dated record per run, and the Markdown tracker then
draws a burn-down chart from it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flake8_ssot import allowlist, options, runner
from flake8_ssot.engine import FileReport, Project
from flake8_ssot.model import AllowEntry, Rule, SsotError

COLUMNS = ("uses", "grandfathered", "noqa", "new", "expired")
"""Counts per rule and file; ``uses`` is every use still in the code, whatever its status."""
_STATUS_COLUMN = {"allowed": "grandfathered", "noqa": "noqa", "new": "new", "expired": "expired"}


@dataclass(frozen=True)
class FileRow:
    path: str
    counts: Mapping[str, int]
    entry: AllowEntry | None
    can_tighten: bool
    """The allowlist grants more than the file still needs (an SOT901 note)."""

    @property
    def done(self) -> bool:
        return self.counts["uses"] == 0


@dataclass(frozen=True)
class RuleProgress:
    rule: Rule
    files: tuple[FileRow, ...]
    """Files with uses of the rule or an allowlist entry for it, by path."""

    @property
    def totals(self) -> dict[str, int]:
        totals = {"files": sum(1 for f in self.files if not f.done)}
        for column in COLUMNS:
            totals[column] = sum(f.counts[column] for f in self.files)
        return totals


@dataclass(frozen=True)
class Progress:
    date: datetime.date
    allowlist: str | None
    rules: tuple[RuleProgress, ...]
    deleted: tuple[AllowEntry, ...]
    """Allowlist entries for files that no longer exist."""
    not_analyzed: tuple[tuple[str, str], ...]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "files": len({f.path for r in self.rules for f in r.files if not f.done}),
            **{c: sum(r.totals[c] for r in self.rules) for c in COLUMNS},
        }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", type=options.choice("format", sorted(FORMATS)), default="text", metavar="FORMAT",
        help=f"output format: {', '.join(sorted(FORMATS))} [default: text]",
    )
    options.add(parser, "output")
    parser.add_argument(
        "--history",
        metavar="FILE",
        help="JSON-lines file: append this run's counts, and draw a burn-down chart from it (markdown)",
    )
    parser.add_argument(
        "--date",
        type=_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="date the run (and judge `expires`) as of this day, e.g. to backfill history (default: today)",
    )
    options.add(parser, "jobs", "cache")


def run(args: argparse.Namespace, project: Project) -> int:
    if args.date is not None:
        project.today = args.date
    history: list[dict[str, Any]] = []
    if args.history:
        history = read_history(Path(args.history))
    progress = collect(project, args.jobs)
    if args.history:
        record = to_record(progress)
        append_history(Path(args.history), record)
        history.append(record)
    options.emit(FORMATS[args.format](progress, history), args.output_file)
    for path, error in progress.not_analyzed:
        sys.stderr.write(f"flake8-ssot: {path}: not analyzed ({error}); its uses are not counted\n")
    return 0


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-03-01, got {value!r}") from None


# -- counting -------------------------------------------------------------------------------


def collect(project: Project, jobs: int | None = None) -> Progress:
    reports = runner.analyze_project(project, jobs)
    return summarize(project, reports)


def summarize(project: Project, reports: Sequence[FileReport]) -> Progress:
    counts: dict[tuple[str, str], Counter[str]] = {}
    tighten: set[tuple[str, str]] = set()
    for report in reports:
        for use in report.uses:
            counter = counts.setdefault((use.rule, report.path), Counter())
            counter["uses"] += 1
            counter[_STATUS_COLUMN[use.status]] += 1
        tighten |= {(note.rule, report.path) for note in report.notes if note.code == "SOT901"}
    entries = {(e.rule, e.path): e for e in project.allowlist.entries} if project.allowlist else {}
    deleted = tuple(e for e in entries.values() if not (project.root / e.path).is_file())
    live = {key for key in entries if entries[key] not in deleted}
    rules = []
    for rule in project.config.rules:
        paths = sorted({p for r, p in counts if r == rule.name} | {p for r, p in live if r == rule.name})
        rows = tuple(
            FileRow(
                path,
                {c: counts.get((rule.name, path), Counter())[c] for c in COLUMNS},
                entries.get((rule.name, path)),
                (rule.name, path) in tighten,
            )
            for path in paths
        )
        rules.append(RuleProgress(rule, rows))
    shown = allowlist.shown_path(project.allowlist.path, project.root) if project.allowlist else None
    return Progress(
        project.today,
        shown,
        tuple(rules),
        tuple(sorted(deleted, key=lambda e: (e.path, e.rule))),
        tuple(sorted((r.path, r.error) for r in reports if r.error)),
    )


def _entry_notes(row: FileRow, today: datetime.date) -> list[str]:
    notes = []
    entry = row.entry
    if entry is not None and entry.expires is not None:
        notes.append(f"{'expired' if entry.expires < today else 'expires'} {entry.expires.isoformat()}")
    if row.can_tighten:
        notes.append("can be tightened")
    return notes


# -- history --------------------------------------------------------------------------------


def to_record(progress: Progress) -> dict[str, Any]:
    return {
        "date": progress.date.isoformat(),
        "totals": progress.totals,
        "rules": {
            r.rule.name: {
                **r.totals,
                "by_file": {f.path: f.counts["uses"] for f in r.files if not f.done},
            }
            for r in progress.rules
        },
    }


def read_history(path: Path) -> list[dict[str, Any]]:
    """Earlier records; a missing file is an empty history, a damaged one stops the run."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as e:
        raise SsotError(path, f"cannot read: {getattr(e, 'strerror', None) or e}") from None
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise SsotError(path, f"invalid JSON: {e.msg}", key=f"line {number}") from None
        if not _is_record(record):
            raise SsotError(path, "not a flake8-ssot report record (needs date, totals, rules)", key=f"line {number}")
        records.append(record)
    return records


def _is_record(record: object) -> bool:
    if not isinstance(record, dict) or not isinstance(record.get("rules"), dict):
        return False
    try:
        datetime.date.fromisoformat(record.get("date", ""))
    except (TypeError, ValueError):
        return False
    return isinstance(record.get("totals"), dict) and all(
        isinstance(r, dict) and isinstance(r.get("uses"), int) for r in record["rules"].values()
    )


def append_history(path: Path, record: Mapping[str, Any]) -> None:
    line = json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n"
    try:
        # One write of one line in append mode: concurrent runs add whole lines.
        with path.open("a", encoding="utf-8") as f:
            f.write(line)
    except OSError as e:
        raise SsotError(path, f"cannot write: {e.strerror or e}") from None


def burn_down(history: Sequence[Mapping[str, Any]], rule: str) -> list[tuple[str, int]]:
    """(date, uses) per day, the day's last record winning; days without the rule are skipped."""
    by_day: dict[str, int] = {}
    for record in history:
        counts = record["rules"].get(rule)
        if counts is not None:
            by_day[record["date"]] = counts["uses"]
    return sorted(by_day.items())


# -- formats --------------------------------------------------------------------------------


def text(progress: Progress, history: Sequence[Mapping[str, Any]] = ()) -> str:
    title = f"flake8-ssot report {progress.date.isoformat()}"
    out = [f"{title} (allowlist: {progress.allowlist or 'none'})\n", "\n"]
    header = ("rule", "files", *COLUMNS)
    rows = [(r.rule.name, *map(str, r.totals.values())) for r in progress.rules]
    if len(progress.rules) > 1:
        rows.append(("total", *map(str, progress.totals.values())))
    out += _table(header, rows, indent="")
    for r in progress.rules:
        if not r.files:
            continue
        target = ", ".join(r.rule.deprecated) + (f" -> {r.rule.replacement}" if r.rule.replacement else "")
        out += ["\n", f"{r.rule.name}: {target}\n"]
        file_rows = [
            (f.path, *(str(f.counts[c]) for c in COLUMNS), "; ".join(_entry_notes(f, progress.date)))
            for f in r.files
        ]
        out += _table(("path", *COLUMNS, "allowlist"), file_rows, indent="  ")
    if progress.deleted:
        out += ["\n", "allowlist entries for deleted files (run flake8-ssot baseline):\n"]
        out += [f"  {e.path} [{e.rule}]\n" for e in progress.deleted]
    if progress.not_analyzed:
        out += ["\n", "not analyzed (uses unknown):\n"]
        out += [f"  {path}: {error}\n" for path, error in progress.not_analyzed]
    return "".join(out)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        # First column left-aligned, counts right-aligned under their headers, notes left-aligned.
        cells = [
            cell.ljust(widths[i]) if i == 0 or (i == len(header) - 1 and header[i] == "allowlist")
            else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append((indent + "  ".join(cells)).rstrip() + "\n")
    return lines


def as_json(progress: Progress, history: Sequence[Mapping[str, Any]] = ()) -> str:
    data = {
        "date": progress.date.isoformat(),
        "allowlist": progress.allowlist,
        "totals": progress.totals,
        "rules": [
            {
                "rule": r.rule.name,
                "deprecated": list(r.rule.deprecated),
                "replacement": r.rule.replacement,
                **r.totals,
                "by_file": [
                    {
                        "path": f.path,
                        **f.counts,
                        "expires": f.entry.expires.isoformat() if f.entry and f.entry.expires else None,
                        "reason": f.entry.reason if f.entry else None,
                        "can_tighten": f.can_tighten,
                    }
                    for f in r.files
                ],
            }
            for r in progress.rules
        ],
        "deleted": [{"path": e.path, "rule": e.rule} for e in progress.deleted],
        "not_analyzed": [{"path": p, "error": e} for p, e in progress.not_analyzed],
    }
    return json.dumps(data, indent=2) + "\n"


def markdown(progress: Progress, history: Sequence[Mapping[str, Any]] = ()) -> str:
    """A ready-to-paste tracker: summary table, a checklist per rule, a burn-down chart."""
    out = [
        "# SSOT migration tracker\n",
        "\n",
        f"Generated on {progress.date.isoformat()} by `flake8-ssot report --format markdown`.\n",
        "\n",
        "| rule | files | " + " | ".join(COLUMNS) + " |\n",
        "|:--|" + "--:|" * (len(COLUMNS) + 1) + "\n",
    ]
    out += [f"| `{r.rule.name}` | " + " | ".join(map(str, r.totals.values())) + " |\n" for r in progress.rules]
    if len(progress.rules) > 1:
        out.append("| **total** | " + " | ".join(map(str, progress.totals.values())) + " |\n")
    for r in progress.rules:
        out += ["\n", f"## `{r.rule.name}`\n", "\n"]
        deprecated = ", ".join(f"`{d}`" for d in r.rule.deprecated)
        use = f"; use `{r.rule.replacement}` instead" if r.rule.replacement else ""
        out += [f"Deprecated: {deprecated}{use}.\n", "\n"]
        out += _checklist(r, progress.date, history)
        points = burn_down(history, r.rule.name)
        if points:
            out += ["\n", *_chart(r.rule.name, points)]
    if progress.deleted:
        out += ["\n", "## Allowlist entries for deleted files\n", "\n"]
        out += [f"- `{e.path}` (`{e.rule}`): run `flake8-ssot baseline` to drop it\n" for e in progress.deleted]
    if progress.not_analyzed:
        out += ["\n", "## Not analyzed (uses unknown)\n", "\n"]
        out += [f"- `{path}`: {error}\n" for path, error in progress.not_analyzed]
    return "".join(out)


def _checklist(r: RuleProgress, today: datetime.date, history: Sequence[Mapping[str, Any]]) -> list[str]:
    items: dict[str, str] = {}
    earlier = {path for record in history for path in record["rules"].get(r.rule.name, {}).get("by_file", {})}
    for path in earlier:
        items[path] = f"- [x] `{path}`: done\n"
    for f in r.files:
        if f.done:
            items[f.path] = f"- [x] `{f.path}`: done; run `flake8-ssot baseline` to drop its allowlist entry\n"
            continue
        parts = ", ".join(f"{f.counts[c]} {c}" for c in COLUMNS[1:] if f.counts[c])
        notes = _entry_notes(f, today)
        if f.entry is not None and f.entry.reason:
            notes.append(f.entry.reason)
        plural = "use" if f.counts["uses"] == 1 else "uses"
        extra = "".join(f"; {n}" for n in notes)
        items[f.path] = f"- [ ] `{f.path}`: {f.counts['uses']} {plural} ({parts}){extra}\n"
    if not items:
        return ["No uses left.\n"]
    return [items[path] for path in sorted(items)]


def _chart(rule: str, points: Sequence[tuple[str, int]]) -> list[str]:
    top = max(max(n for _, n in points), 1)
    return [
        "```mermaid\n",
        "xychart-beta\n",
        f'    title "{rule}: uses remaining"\n',
        "    x-axis [" + ", ".join(f'"{day}"' for day, _ in points) + "]\n",
        f'    y-axis "uses" 0 --> {top}\n',
        "    line [" + ", ".join(str(n) for _, n in points) + "]\n",
        "```\n",
    ]


FORMATS: dict[str, Callable[[Progress, Sequence[Mapping[str, Any]]], str]] = {
    "text": text,
    "json": as_json,
    "markdown": markdown,
}
