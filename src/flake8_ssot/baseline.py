"""`flake8-ssot baseline`: grandfather today's uses in the allowlist, then only ever tighten it.

The first run writes an entry per file and rule, counting uses per enclosing scope. Later runs
drop what is no longer needed (fewer uses, deleted files, whole-file entries turned into counts);
a use no entry covers is growth, written only with ``--allow-growth`` and printed either way.
`fix` calls ``tighten`` after rewriting files.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from flake8_ssot import allowlist, allowlist_doc, options, runner
from flake8_ssot.engine import FileReport, Project
from flake8_ssot.model import AllowEntry

ALLOWLIST_MISSING_OK = True
"""Creating the allowlist named in the configuration is this verb's job."""

Key = tuple[str, str]
Action = Literal["added", "grew", "refused", "tightened", "converted", "dropped"]


@dataclass(frozen=True)
class Change:
    action: Action
    path: str
    rule: str
    detail: str
    delta: int
    """Uses this change grandfathers (positive) or stops grandfathering (negative)."""

    @property
    def line(self) -> str:
        return f"  {self.action:<10} {self.path} [{self.rule}] {self.detail}\n"


@dataclass(frozen=True)
class Outcome:
    shown: str
    """The allowlist as messages name it."""
    named: bool
    """The configuration names the allowlist (else the default location was used)."""
    created: bool
    written: bool
    changes: tuple[Change, ...] = ()
    entries: int = 0
    uses: int = 0
    """Uses grandfathered by count after the run."""
    not_analyzed: tuple[tuple[str, str], ...] = ()
    relaid: bool = False

    @property
    def refused(self) -> list[Change]:
        return [c for c in self.changes if c.action == "refused"]

    @property
    def grown(self) -> list[Change]:
        return [c for c in self.changes if c.action in ("added", "grew")]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-growth",
        action="store_true",
        help="also grandfather uses that no entry covers yet (each one is printed); "
        "without it such uses are refused and stay failures",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the changes without writing the allowlist")
    options.add(parser, "quiet", "jobs", "cache")


def run(args: argparse.Namespace, project: Project) -> int:
    outcome = update(project, grow=args.allow_growth, dry_run=args.dry_run, jobs=args.jobs)
    if not args.quiet:
        sys.stdout.write(describe(outcome, dry_run=args.dry_run))
    sys.stderr.write(warnings(outcome))
    # Exit 0 even when growth was refused: baseline did its job (the file is as tight as it may
    # be); the refused uses stay failures of flake8 / `check`, which is where CI stops.
    return 0


def update(
    project: Project,
    *,
    paths: Iterable[str] | None = None,
    grow: bool = False,
    create: bool = True,
    dry_run: bool = False,
    jobs: int | None = None,
) -> Outcome:
    """Bring the allowlist in line with the uses in ``paths`` (root-relative; default: the project).

    Read, analysis and write happen under the allowlist's lock, so two runs never interleave.
    """
    path, named = allowlist.location(project.config)
    shown = allowlist.shown_path(path, project.root)
    with allowlist_doc.locked(project.root, shown):
        raw = allowlist_doc.read(path, shown)
        if raw is None and not create:
            return Outcome(shown, named, created=False, written=False)
        entries = allowlist.parse_text(raw, project.config, shown) if raw is not None else ()
        covered = set(paths) if paths is not None else None
        if covered is None:
            reports = runner.analyze_project(project, jobs, named=[e.path for e in entries])
        else:
            reports = runner.analyze(project, sorted(p for p in covered if (project.root / p).is_file()), jobs)
        needed, errors = needed_uses(reports)
        targets, changes = plan(
            entries,
            needed,
            covered=covered,
            exists=lambda p: (project.root / p).is_file(),
            skip=set(errors),
            grow=grow or raw is None,
        )
        if raw is None:
            doc = allowlist_doc.Document.new()
        else:
            doc = allowlist_doc.Document.parse(raw.decode("utf-8"), entries)
        for key, uses in targets.items():
            doc.set(key, uses)
        write = (raw is None or bool(targets)) and not dry_run
        if write:
            allowlist_doc.write_atomic(path, doc.render(), shown)
    final = _final(entries, targets)
    return Outcome(
        shown,
        named,
        created=raw is None,
        written=write,
        changes=tuple(changes),
        entries=len(final),
        uses=sum(sum(uses.values()) for uses in final.values()),
        not_analyzed=tuple(sorted(errors.items())),
        relaid=doc.relaid and write,
    )


def tighten(project: Project, paths: Iterable[str]) -> Outcome:
    """Shrink the allowlist entries of ``paths`` (root-relative) after they were rewritten.

    For `fix`: never grows the allowlist and never creates it. The project is reloaded so the
    rewritten files (and any re-exports they dropped) are seen as they are now.
    """
    fresh = Project(project.config, today=project.today, allowlist_missing_ok=True)
    return update(fresh, paths=paths, create=False)


def needed_uses(reports: Iterable[FileReport]) -> tuple[dict[Key, Counter[str]], dict[str, str]]:
    """Uses an allowlist must cover, by (path, rule) and scope; and the files that could not be analyzed.

    A use silenced by ``# noqa`` needs no entry.
    """
    needed: dict[Key, Counter[str]] = {}
    errors: dict[str, str] = {}
    for report in reports:
        if report.error:
            errors[report.path] = report.error
        for use in report.uses:
            if use.status != "noqa":
                needed.setdefault((report.path, use.rule), Counter())[use.scope] += 1
    return needed, errors


def plan(
    entries: Sequence[AllowEntry],
    needed: Mapping[Key, Mapping[str, int]],
    *,
    covered: set[str] | None,
    exists: Callable[[str], bool],
    skip: set[str],
    grow: bool,
) -> tuple[dict[Key, dict[str, int] | None], list[Change]]:
    """New uses per changed entry (``None``: drop it), and the changes to print.

    Entries outside ``covered`` paths (``None``: all), and of files in ``skip`` (not analyzed),
    stay as they are.
    """
    current = {(e.path, e.rule): e for e in entries}
    targets: dict[Key, dict[str, int] | None] = {}
    changes: list[Change] = []
    for key in sorted(set(current) | set(needed)):
        path, rule = key
        if (covered is not None and path not in covered) or path in skip:
            continue
        entry = current.get(key)
        want = dict(sorted(needed.get(key, {}).items()))
        if entry is None:
            if want:
                changes.append(Change("added" if grow else "refused", path, rule, _scopes(want), sum(want.values())))
                if grow:
                    targets[key] = want
            continue
        allowed = dict(entry.uses)
        if not exists(path):
            targets[key] = None
            changes.append(Change("dropped", path, rule, "file deleted", -sum(allowed.values())))
            continue
        if not allowed:
            # A whole-file entry becomes today's counts: it already granted all of them.
            targets[key] = want or None
            detail = f"whole file -> {_scopes(want)}" if want else "no uses left"
            changes.append(Change("converted" if want else "dropped", path, rule, detail, 0))
            continue
        kept = {s: min(n, want[s]) for s, n in allowed.items() if s in want}
        more = {s: n - allowed.get(s, 0) for s, n in want.items() if n > allowed.get(s, 0)}
        less = {s: n - kept.get(s, 0) for s, n in allowed.items() if n > kept.get(s, 0)}
        result = {**kept, **{s: want[s] for s in more}} if grow else kept
        if less:
            action: Action = "tightened" if result else "dropped"
            detail = _deltas(allowed, kept, less) if want else "no uses left"
            changes.append(Change(action, path, rule, detail, -sum(less.values())))
        if more:
            detail = _deltas(allowed, want, more)
            changes.append(Change("grew" if grow else "refused", path, rule, detail, sum(more.values())))
        if result != allowed:
            targets[key] = dict(sorted(result.items())) or None
    return targets, changes


def _scopes(uses: Mapping[str, int]) -> str:
    return ", ".join(f"{scope} {n}" for scope, n in sorted(uses.items()))


def _deltas(before: Mapping[str, int], after: Mapping[str, int], scopes: Mapping[str, int]) -> str:
    return ", ".join(f"{s} {before.get(s, 0)} -> {after.get(s, 0)}" for s in sorted(scopes))


def _final(entries: Sequence[AllowEntry], targets: Mapping[Key, dict[str, int] | None]) -> dict[Key, dict[str, int]]:
    final = {(e.path, e.rule): dict(e.uses) for e in entries}
    for key, uses in targets.items():
        if uses is None:
            final.pop(key, None)
        else:
            final[key] = uses
    return final


# -- output -------------------------------------------------------------------------------


def describe(outcome: Outcome, *, dry_run: bool = False) -> str:
    """What changed, one line per entry, and a summary line (stdout)."""
    out = [c.line for c in outcome.changes if c.action != "refused" and not outcome.created]
    counts = f"{_n(outcome.entries, 'entry', 'entries')}, {_n(outcome.uses, 'grandfathered use')}"
    if outcome.created:
        verb = "would create" if dry_run else "created"
        out.append(f"flake8-ssot: {verb} {outcome.shown}: {counts}\n")
    elif not outcome.written and not (dry_run and out):
        out.append(f"flake8-ssot: {outcome.shown}: nothing to tighten ({counts})\n")
    else:
        removed = -sum(c.delta for c in outcome.changes if c.delta < 0)
        added = sum(c.delta for c in outcome.grown)
        verb = "would update" if dry_run else "updated"
        out.append(f"flake8-ssot: {verb} {outcome.shown}: {counts} (-{removed}, +{added})\n")
    return "".join(out)


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def warnings(outcome: Outcome) -> str:
    """Growth, refused growth, files left alone and layout changes (stderr): what a person must see."""
    out: list[str] = []
    if outcome.grown and not outcome.created:
        added = sum(c.delta for c in outcome.grown)
        out.append(f"flake8-ssot: --allow-growth grandfathered {_n(added, 'more use')}; review them in the diff:\n")
        out += [c.line for c in outcome.grown]
    if outcome.refused:
        refused = sum(c.delta for c in outcome.refused)
        out.append(
            f"flake8-ssot: refused to grandfather {_n(refused, 'new use')} (they stay failures); "
            "migrate them, or rerun with --allow-growth:\n"
        )
        out += [c.line for c in outcome.refused]
    for path, error in outcome.not_analyzed:
        out.append(f"flake8-ssot: {path}: not analyzed ({error}); its allowlist entries were left as they are\n")
    if outcome.relaid:
        out.append(f"flake8-ssot: {outcome.shown}: rewrote the entries as [[allow]] tables\n")
    if outcome.created and not outcome.named:
        out.append(
            f"flake8-ssot: {outcome.shown} is read from the project root by default; to make it required, "
            f'add allowlist = "{outcome.shown}" to [tool.flake8-ssot]\n'
        )
    return "".join(out)
