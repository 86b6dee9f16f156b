"""`flake8-ssot plan`: the remaining uses cut into batches that land, test and revert one at a time.

The engine's findings say which files are left (:mod:`flake8_ssot.planning` cuts and orders
them); `fix`'s own per-file dry run says what it would rewrite in each (:func:`_fix_preview`,
the one place that knows `fix`); this module presents the plan as text, JSON or Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flake8_ssot import codeowners, options, planning, runner, vcs
from flake8_ssot.engine import FileReport, Project
from flake8_ssot.model import SsotError
from flake8_ssot.paths import display

FORMATS = ("text", "json", "markdown")
MAX_FILES = 10
"""The default batch size: ten files of mechanical rewrites is a diff of a few hundred lines,
what a reviewer reads in one sitting (see docs/plan.md)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="plan only the files under these paths [default: the whole project]"
    )
    parser.add_argument(
        "--max-files", type=options.positive, default=MAX_FILES, metavar="N",
        help=f"at most N files a batch [default: {MAX_FILES}]",
    )
    parser.add_argument(
        "--by", type=options.choice("grouping", planning.BY), default="package", metavar="KEY",
        help="group files by package (their directory) or by owner (from CODEOWNERS) [default: package]",
    )
    parser.add_argument(
        "--format", type=options.choice("format", FORMATS), default="text", metavar="FORMAT",
        help=f"output format: {', '.join(FORMATS)} [default: text]",
    )
    options.add(parser, "output", "rules", "quiet", "jobs", "cache")


@dataclass(frozen=True)
class Preview:
    """What `fix` would do to one file's selected uses."""

    rewrites: int
    manual: tuple[tuple[int, int, str, str], ...]
    """(line, col, code, reason) of each use left for a person."""


def run(args: argparse.Namespace, project: Project) -> int:
    options.require_existing(args.paths)
    cwd = os.getcwd()
    source = display(project.root, os.path.relpath(project.config.source, project.root).replace(os.sep, "/"), cwd)
    rules = options.chosen_rules(args, [r.name for r in project.config.rules], source)
    owners = _codeowners(project)
    if args.by == "owner" and owners is None:
        raise SsotError(
            "CODEOWNERS", "--by owner needs one (looked in ., .github/ and docs/ of the project and its repository)"
        )
    reports = runner.analyze_project(project, args.jobs)
    if args.paths:
        wanted = set(runner.select(project, args.paths))
        reports = [r for r in reports if r.path in wanted]
    files = planning.planned_files(reports, set(rules))
    owners_of = _owners_of(project, owners)
    group_of = planning.package_of if args.by == "package" else (lambda p: " ".join(owners_of(p)) or planning.NO_OWNER)
    plan = planning.make(
        project, files, group_of, owners_of, args.max_files, set(rules), args.jobs, whole=not args.paths
    )
    planned = {f.path for f in files}
    previews = _fix_preview(project, [r for r in reports if r.path in planned], set(rules), args.jobs)
    view = View(plan, previews, lambda rel: display(project.root, rel, cwd), args)
    if args.quiet < 2:
        options.emit(FORMATTERS[args.format](view), args.output_file)
    for path, error in sorted((r.path, r.error) for r in reports if r.error):
        sys.stderr.write(f"flake8-ssot: {view.shown(path)}: not analyzed ({error}); its uses are not planned\n")
    for cycle in plan.cycles:
        sys.stderr.write(
            f"flake8-ssot: batches {', '.join(cycle)} import through each other's re-exports: land them together\n"
        )
    return 0


def _codeowners(project: Project) -> codeowners.CodeOwners | None:
    """The repository's CODEOWNERS (at the project root, else at the git top); a malformed
    line is skipped with a warning naming it."""
    bases = [project.root]
    top = vcs.worktree_root(project.root)
    if top is not None and top != project.root:
        bases.append(top)
    found = codeowners.find(bases)
    if found is None:
        return None
    shown = display(project.root, os.path.relpath(found, project.root).replace(os.sep, "/"), os.getcwd())
    try:
        text = found.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SsotError(shown, f"cannot read: {getattr(e, 'strerror', None) or e}") from None
    base = found.parent.parent if found.parent.name in (".github", "docs") else found.parent
    parsed, problems = codeowners.parse(found, base, text)
    for line, problem in problems:
        sys.stderr.write(f"flake8-ssot: {shown}:{line}: {problem}; line skipped\n")
    return parsed


def _owners_of(project: Project, owners: codeowners.CodeOwners | None) -> Callable[[str], tuple[str, ...]]:
    if owners is None:
        return lambda relpath: ()

    def of(relpath: str) -> tuple[str, ...]:
        return owners.owners(os.path.relpath(project.root / relpath, owners.base).replace(os.sep, "/"))

    return of


def _fix_preview(
    project: Project, reports: Sequence[FileReport], rules: set[str], jobs: int | None
) -> dict[str, Preview] | None:
    """What `fix` would do to each file, from its own per-file dry run (``fix.fix_file``), or
    None without LibCST. The only function that knows how `fix` is called."""
    try:
        from flake8_ssot import fix, rewrite
    except ImportError as e:  # pragma: no cover - the test environment has the fix extra
        if (e.name or "libcst").partition(".")[0] != "libcst":
            raise
        return None
    from flake8_ssot.pool import fork_map

    templates = rewrite.compile_templates(project.config, project.index)

    def one(report: FileReport) -> Preview:
        open_uses = [u for u in report.uses if u.rule in rules and u.status != "noqa"]
        if not open_uses:
            return Preview(0, ())
        outcome = fix.fix_file(project, templates, report)
        if outcome.skipped is not None:
            manual = tuple((u.line, u.col, u.code, f"skipped: {outcome.skipped}") for u in open_uses)
        else:
            manual = tuple(
                (f.line, f.col, f.code, reason) for f, reason in sorted(outcome.manual, key=lambda m: m[0])
                if f.rule in rules
            )
        return Preview(len(open_uses) - len(manual), manual)

    return dict(zip((r.path for r in reports), fork_map(one, reports, jobs, 4)))


# -- presenting ------------------------------------------------------------------------------


class View:
    """The plan as the formats show it: paths relative to the current directory, commands ready to run."""

    def __init__(
        self, plan: planning.Plan, previews: dict[str, Preview] | None, shown: Callable[[str], str],
        args: argparse.Namespace,
    ) -> None:
        self.plan, self.previews, self.shown, self.args = plan, previews, shown, args
        self.number = {b.id: n for n, b in enumerate(plan.batches, 1)}

    @property
    def summary(self) -> str:
        batches, files = len(self.plan.batches), sum(len(b.files) for b in self.plan.batches)
        uses = sum(b.uses for b in self.plan.batches)
        return (
            f"{_n(batches, 'batch', 'batches')}, {_n(files, 'file')}, {_n(uses, 'use')} "
            f"(by {self.args.by}, at most {self.args.max_files} files a batch)"
        )

    def test_command(self, batch: planning.Batch) -> str | None:
        return _command("pytest", [self.shown(t) for t in batch.tests]) if batch.tests else None

    def fix_command(self, batch: planning.Batch) -> str:
        return _command("flake8-ssot fix", [self.shown(f.path) for f in batch.files])

    def fix(self, batch: planning.Batch) -> dict[str, Any] | None:
        """rewrites, manual (path, line, col, code, reason) and noqa, for the batch's selected uses."""
        if self.previews is None:
            return None
        manual = [
            {"path": self.shown(f.path), "line": line, "col": col + 1, "code": code, "reason": reason}
            for f in batch.files for line, col, code, reason in self.previews[f.path].manual
        ]
        return {
            "command": self.fix_command(batch),
            "rewrites": sum(self.previews[f.path].rewrites for f in batch.files),
            "manual": manual,
            "noqa": sum(f.counts["noqa"] for f in batch.files),
        }

    def last(self, removal: planning.Removal, tick: str = "") -> str:
        """The step, with names and paths between ``tick``s (Markdown's backticks)."""
        path, target, rule = (f"{tick}{s}{tick}" for s in (self.shown(removal.path), removal.target, removal.rule))
        if removal.whole:
            return f"delete {path} ({target}, rule {rule})"
        return f"remove {target} from {path} (rule {rule})"


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _command(program: str, paths: Sequence[str]) -> str:
    return " ".join([program, *(shlex.quote(p) for p in paths)])


def _counts(counts: dict[str, int] | Any) -> str:
    parts = ", ".join(f"{counts[c]} {c}" for c in planning.COLUMNS[1:] if counts[c])
    return f"{_n(counts['uses'], 'use')} ({parts})"


def _fix_line(fixed: dict[str, Any], tick: str = "") -> str:
    line = f"rewrites {_n(fixed['rewrites'], 'use')}, {len(fixed['manual'])} left for a person"
    return line + (f", {fixed['noqa']} under {tick}# noqa{tick}" if fixed["noqa"] else "")


def text(view: View) -> str:
    out = [] if view.args.quiet else [f"flake8-ssot plan: {view.summary}\n"]
    for n, batch in enumerate(view.plan.batches, 1):
        size = f"{_n(len(batch.files), 'file')}, {_n(batch.uses, 'use')}"
        out += ["\n" if out else "", f"batch {n} [{batch.id}] {batch.group}: {size}\n"]
        out += [f"  {view.shown(f.path)}: {_counts(f.counts)}\n" for f in batch.files]
        out.append(f"  owners: {' '.join(batch.owners) or '-'}\n")
        after = ", ".join(f"{a} (batch {view.number[a]})" for a in batch.after)
        out.append(f"  after: {after or '-'}\n")
        command = view.test_command(batch)
        out.append(f"  tests: {command or 'none found'}\n")
        fixed = view.fix(batch)
        if fixed is None:  # pragma: no cover - the test environment has the fix extra
            out.append("  fix: install flake8-ssot[fix] to see what it rewrites\n")
        else:
            out.append(f"  fix: {fixed['command']}: {_fix_line(fixed)}\n")
            out += [f"    {m['path']}:{m['line']}:{m['col']}: {m['code']} {m['reason']}\n" for m in fixed["manual"]]
    if view.plan.removals and out:
        out.append("\n")
        after = "after every batch" if view.plan.batches else "nothing is left to migrate"
        out += [f"last: {view.last(r)}, {after}\n" for r in view.plan.removals]
    return "".join(out)


def as_json(view: View) -> str:
    ids = [b.id for b in view.plan.batches]
    data = {
        "by": view.args.by,
        "max_files": view.args.max_files,
        "batches": [
            {
                "id": b.id,
                "group": b.group,
                "files": [{"path": view.shown(f.path), **f.counts} for f in b.files],
                "owners": list(b.owners),
                "after": list(b.after),
                "tests": [view.shown(t) for t in b.tests],
                "test_command": view.test_command(b),
                "fix": view.fix(b),
            }
            for b in view.plan.batches
        ],
        "last": [
            {"rule": r.rule, "target": r.target, "path": view.shown(r.path), "deletes_module": r.whole, "after": ids}
            for r in view.plan.removals
        ],
    }
    return json.dumps(data, indent=2) + "\n"


def markdown(view: View) -> str:
    out = [
        "# Migration plan\n",
        "\n",
        f"{view.summary[:1].upper()}{view.summary[1:]}; from `flake8-ssot plan --format markdown`.\n",
        "\n",
    ]
    for n, batch in enumerate(view.plan.batches, 1):
        size = f"{_n(len(batch.files), 'file')}, {_n(batch.uses, 'use')}"
        out.append(f"- [ ] **Batch {n}** `{batch.id}` {batch.group}: {size}\n")
        files = ", ".join(f"`{view.shown(f.path)}` ({f.counts['uses']})" for f in batch.files)
        out.append(f"  - files: {files}\n")
        out.append(f"  - owners: {' '.join(batch.owners) or 'none'}\n")
        after = ", ".join(f"`{a}` (batch {view.number[a]})" for a in batch.after)
        out.append(f"  - after: {after or 'none'}\n")
        command = view.test_command(batch)
        out.append(f"  - tests: {f'`{command}`' if command else 'none found'}\n")
        fixed = view.fix(batch)
        if fixed is None:  # pragma: no cover - the test environment has the fix extra
            out.append(f"  - fix: `{view.fix_command(batch)}`\n")
        else:
            out.append(f"  - fix: `{fixed['command']}` {_fix_line(fixed, '`')}\n")
            out += [f"    - `{m['path']}:{m['line']}:{m['col']}` {m['code']}: {m['reason']}\n" for m in fixed["manual"]]
    for removal in view.plan.removals:
        out.append(f"- [ ] **Last**: {view.last(removal, '`')}\n")
    return "".join(out)


FORMATTERS: dict[str, Callable[[View], str]] = {"text": text, "json": as_json, "markdown": markdown}
