"""Per-file findings kept between CLI runs, so that unchanged files are not analyzed again.

What :meth:`Project.detect` finds in a file depends on its own text, on the modules its
names were resolved through, and on project-wide facts (rules, identifiers, which modules
own the deprecated names). Each entry records the first two with their (mtime, size), the
third as the cache's key; an entry is reused only while all of them hold, so an edit to a
re-exporting module re-analyzes exactly the files that resolved names through it. The
allowlist and today's date are applied afresh on every run (see :meth:`Project.judge`).
"""

from __future__ import annotations

import json
from typing import Any

from flake8_ssot import __version__, cache
from flake8_ssot.engine import Detected, Project
from flake8_ssot.model import Finding
from flake8_ssot.noqa import Noqa
from flake8_ssot.paths import is_inside

RESULTS_CACHE = "results.json"
_FORMAT = 2

Entry = dict[str, Any]


def key(project: Project) -> list[Any]:
    """Everything besides a file's own dependencies that its findings depend on."""
    index = project.index
    config = project.config
    rules = [[r.name, list(r.deprecated), r.replacement, r.message, list(r.exempt)] for r in config.rules]
    owners = [[entry, index.owner(entry)] for entry in sorted(index.deprecations.entries)]
    members = [[name, sorted(entries)] for name, entries in sorted(index.deprecations.by_last.items())]
    material = [_FORMAT, __version__, cache.code_stamp(), rules, list(config.src), sorted(index.prefilter.identifiers),
                owners, members]
    result: list[Any] = json.loads(json.dumps(material))
    return result


def detect(project: Project, relpath: str) -> tuple[Detected, Entry | None]:
    """What :meth:`Project.detect_file` finds, and the cache entry recording what it depended on."""
    index = project.index
    stat = index.stat(relpath) if is_inside(relpath) else None
    with index.tracking() as deps:
        found = project.detect_file(relpath)
    if stat is None or (found.error or "").startswith("cannot read"):
        return found, None
    entry = {
        "s": list(stat),
        "m": index.module_of(relpath),
        "modules": deps.modules,
        "files": {rel: index.summary_stat(rel) for rel in sorted(deps.files)},
        "d": _dump(found),
    }
    return found, entry


class ResultCache:
    """The entries of ``results.json`` written for this project's current key."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.enabled = project.config.cache
        self.key = key(project) if self.enabled else []
        data = cache.load(project.root, RESULTS_CACHE, self.key) if self.enabled else None
        entries = data.get("files") if data else None
        self.entries: dict[str, Entry] = entries if isinstance(entries, dict) else {}
        self.changed = False

    def get(self, relpath: str) -> Detected | None:
        """The cached findings when neither the file nor anything it resolved through changed."""
        entry = self.entries.get(relpath)
        if entry is None:
            return None
        index = self.project.index
        try:
            if tuple(entry["s"]) != index.stat(relpath) or entry["m"] != index.module_of(relpath):
                return None
            for module, found in entry["modules"].items():
                if index.module_file(module) != found:
                    return None
            for rel, stat in entry["files"].items():
                current = index.stat(rel)
                if stat is None or current is None or tuple(stat) != current:
                    return None
            return _load(relpath, entry["d"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return None  # a damaged entry is a missing one

    def put(self, relpath: str, entry: Entry | None) -> None:
        if entry is not None and self.enabled:
            self.entries[relpath] = entry
            self.changed = True

    def save(self) -> None:
        if not (self.enabled and self.changed):
            return
        index = self.project.index
        if index.complete:
            self.entries = {rel: e for rel, e in self.entries.items() if rel in index.files}
        cache.save(self.project.root, RESULTS_CACHE, self.key, {"files": dict(sorted(self.entries.items()))})
        self.changed = False


def _dump(found: Detected) -> dict[str, Any]:
    def row(f: Finding) -> list[Any]:
        return [f.line, f.col, f.code, f.message, f.rule, f.target, f.scope, f.end_line, f.end_col, f.form, f.status]

    return {
        "u": [row(f) for f in found.uses],
        "n": [row(f) for f in found.notes],
        "e": found.error,
        "i": found.ignored,
        "q": None if found.line_one is None else [found.line_one.line, found.line_one.col, found.line_one.codes],
    }


def _load(relpath: str, data: dict[str, Any]) -> Detected:
    def finding(row: list[Any]) -> Finding:
        line, col, code, message, rule, target, scope, end_line, end_col, form, status = row
        if status not in ("new", "noqa", "allowed", "expired"):
            raise ValueError(status)
        return Finding(relpath, line, col, code, message, rule, target, scope, end_line, end_col, form, status)

    return Detected(
        uses=tuple(finding(r) for r in data["u"]),
        notes=tuple(finding(r) for r in data["n"]),
        error=data["e"],
        ignored=bool(data["i"]),
        line_one=_noqa(data["q"]),
    )


def _noqa(data: list[Any] | None) -> Noqa | None:
    if data is None:
        return None
    line, col, codes = data
    return Noqa(int(line), int(col), None if codes is None else tuple(str(c) for c in codes))
