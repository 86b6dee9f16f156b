"""`flake8-ssot check`: the plugin's findings, without the rest of flake8.

Each file is checked under its own project: the nearest configuration above it (or the one
``--ssot-config`` names), with that project's index, ``exclude`` and allowlist, exactly as
the plugin finds it under flake8; a file under no configuration is not checked. Output names
files relative to the current directory, sorted as flake8 sorts them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flake8_ssot import discovery, formats, options, records, runner, vcs
from flake8_ssot.engine import FileReport, Project, Projects, decode_source, decode_error
from flake8_ssot.model import Finding
from flake8_ssot.noqa import file_is_ignored, logical_lines
from flake8_ssot.paths import display, is_skipped_dir, is_virtualenv, listing, one_listing_per_directory

FORMATS = sorted(formats.FORMATTERS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.add(parser, "paths")
    parser.add_argument(
        "--format", type=options.choice("format", FORMATS), default="text", metavar="FORMAT",
        help=f"output format: {', '.join(FORMATS)} [default: text]",
    )
    options.add(parser, "output", "exit-zero", "statistics", "show-source", "quiet", "stdin", "jobs")
    parser.add_argument(
        vcs.OPTION,
        metavar="REF",
        help="only files added or modified since the merge base of REF and HEAD, committed or not "
        "(untracked files included, deleted files skipped)",
    )
    options.add(parser, "select", "cache")


@dataclass
class Outcome:
    code: int
    project: Project | None = None
    """The one project the run checked, when a snapshot of it can replay the run (see flake8_ssot.warm)."""
    paths: Sequence[str] = ()


Group = tuple[Project, list[str], list[str]]
"""A project, the paths to walk in it, and the root-relative folders of nested projects to leave out."""


def run(args: argparse.Namespace) -> Outcome:
    paths = list(args.paths)
    stdin = paths == [options.STDIN] or (not paths and args.stdin_filename is not None)
    if options.STDIN in paths and not stdin:
        options.fail("- (standard input) cannot be mixed with other paths")
    if not stdin:
        paths = paths or ["."]
        options.require_existing(paths)
    projects = Projects(cache=not args.no_cache, cache_dir=args.cache_dir, python_environment=args.python_environment)
    fixed = projects.load(Path(args.ssot_config)) if args.ssot_config else None
    cwd = os.getcwd()
    sources: dict[str, list[str]] = {}
    if stdin:
        checked = _stdin(projects, fixed, args.stdin_filename or "stdin", sources)
        groups: list[Group] = []
    else:
        with one_listing_per_directory():
            groups = plan(projects, fixed, paths)
            checked = _check(groups, args)
    absolute = [os.path.abspath(p) for p in paths if os.path.isabs(p)] if not stdin else []
    reports = sorted(
        (_displayed(project, report, cwd, absolute) for project, report in checked), key=lambda r: r.path
    )
    select, ignore = options.selection(args)
    if select is not None or ignore:
        reports = [_selected(r, select, ignore) for r in reports]
    where = formats.Where(Path(cwd), sources)
    if args.format == "text":
        text = _text(reports, args, where)
    else:
        text = formats.FORMATTERS[args.format](reports, where)
    options.emit(text, args.output_file)
    errors = [r for r in reports if r.error]
    for report in errors:
        sys.stderr.write(f"flake8-ssot: {report.path}: {report.error}\n")
    found = bool(errors or formats.shown(reports))
    single = groups[0][0] if len(groups) == 1 and not groups[0][2] and len(projects.loaded) == 1 else None
    return Outcome(0 if args.exit_zero or not found else 1, single, paths)


def _check(groups: list[Group], args: argparse.Namespace) -> list[tuple[Project, FileReport]]:
    checked: list[tuple[Project, FileReport]] = []
    for project, group_paths, nested in groups:
        # The whole project: the index's own walk lists its files (one walk, not two).
        whole = all(os.path.abspath(p) == str(project.root) for p in group_paths)
        files = runner.select(project, None if whole else group_paths, args.jobs)
        if nested:
            files = [rel for rel in files if not _under(rel, nested)]
        if args.changed_since is not None:
            changed = vcs.changed_files(project.root, args.changed_since)
            files = [rel for rel in files if rel in changed]
        files = runner.candidates(project, files)
        checked += [(project, r) for r in runner.analyze(project, files, args.jobs)]
    return checked


# -- which files, under which project ---------------------------------------------------------


def plan(projects: Projects, fixed: Project | None, paths: Sequence[str]) -> list[Group]:
    """A :data:`Group` per project, in the order found. A file belongs to the nearest
    configuration above it."""
    groups: dict[Project, tuple[list[str], list[str]]] = {}

    def add(project: Project, path: str, nested: Iterable[str] = ()) -> None:
        walk, skip = groups.setdefault(project, ([], []))
        if path not in walk:
            walk.append(path)
        skip.extend(n for n in nested if n not in skip)

    for path in paths:
        absolute = os.path.abspath(path)
        if fixed is not None:
            add(fixed, path)
            continue
        is_dir = os.path.isdir(absolute)
        project = projects.find(Path(absolute if is_dir else os.path.dirname(absolute)))
        if not is_dir:
            if project is not None:
                add(project, path)
            continue
        below = _configured_below(absolute)
        if project is not None:
            add(project, path, [project.relpath(d) for d in below])
        for directory in below:
            inner = projects.find(Path(directory))
            if inner is None:  # pragma: no cover - found configured a moment ago
                continue
            deeper = [d for d in below if d != directory and d.startswith(os.path.join(directory, ""))]
            add(inner, os.path.relpath(directory), [inner.relpath(d) for d in deeper])
    return [(project, walk, skip) for project, (walk, skip) in groups.items()]


def _configured_below(top: str) -> list[str]:
    """Folders under ``top`` (not ``top`` itself) holding a flake8-ssot configuration, found by
    the same walk that finds the files (tool directories and virtualenvs are not entered)."""
    found: list[str] = []
    seen: set[tuple[int, int]] = set()

    def walk(directory: str, own: bool) -> None:
        listed = listing(directory, seen)
        if listed is None:
            return
        entries = listed[1]
        if own and not _CONFIG_NAMES.isdisjoint(e.name for e in entries):
            if discovery.config_in(Path(directory)) is not None:
                found.append(directory)
        for entry in entries:
            try:
                if not entry.is_dir():
                    continue
            except OSError:
                continue
            if not is_skipped_dir(entry.name) and not is_virtualenv(entry.path):
                walk(entry.path, True)

    walk(top, False)
    return found


_CONFIG_NAMES = frozenset({"pyproject.toml", *discovery.INI_FILES})


def _under(relpath: str, folders: Sequence[str]) -> bool:
    return any(relpath.startswith(folder + "/") for folder in folders)


def _stdin(
    projects: Projects, fixed: Project | None, name: str, sources: dict[str, list[str]]
) -> list[tuple[Project, FileReport]]:
    """The text on standard input, checked as the file ``name`` (which need not exist)."""
    data = sys.stdin.buffer.read()
    absolute = os.path.abspath(name)
    project = fixed or projects.find(Path(os.path.dirname(absolute)))
    if project is None:
        return []
    relpath = project.relpath(name)
    if project.excluded(relpath):
        return []
    try:
        lines = decode_source(data)
    except (UnicodeDecodeError, SyntaxError) as e:
        text = data.decode("latin-1")
        if project.skips(relpath, text):
            return []
        return [(project, FileReport(relpath, error=decode_error(data, e)))]
    sources[display(project.root, relpath, os.getcwd())] = lines
    report = unsaved(project, relpath, lines)
    return [] if report is None else [(project, report)]


def unsaved(project: Project, relpath: str, lines: Sequence[str]) -> FileReport | None:
    """What `check` reports for ``lines`` as the text of the file ``relpath``, whatever the file
    on disk holds (an editor's buffer); None when it reports nothing for it (``exclude``,
    ``# flake8: noqa``, a text that can yield nothing)."""
    if project.excluded(relpath) or file_is_ignored(lines):
        return None
    project.build_index(targets=[relpath])
    if project.skips(relpath, "".join(lines)):
        return None
    return project.judge(relpath, project.detect(relpath, lines))


# -- presenting ---------------------------------------------------------------------------------


def _displayed(project: Project, report: FileReport, cwd: str, absolute: Sequence[str] = ()) -> FileReport:
    path = display(project.root, report.path, cwd, absolute)
    if path == report.path:
        return report
    return FileReport(
        path,
        tuple(records.replace(f, path=path) for f in report.uses),
        tuple(records.replace(f, path=path) for f in report.notes),
        report.error,
    )


def _selected(report: FileReport, select: Sequence[str] | None, ignore: Sequence[str]) -> FileReport:
    def keep(f: Finding) -> bool:
        return options.selected(f.code, select, ignore)

    error = report.error if options.selected("SOT999", select, ignore) else None
    uses = tuple(f for f in report.uses if keep(f))
    return FileReport(report.path, uses, tuple(f for f in report.notes if keep(f)), error)


def _text(reports: Sequence[FileReport], args: argparse.Namespace, where: formats.Where) -> str:
    shown = formats.shown(reports)
    if args.quiet >= 2:
        return ""
    if args.quiet:
        return "".join(f"{path}\n" for path in dict.fromkeys(f.path for f in shown))
    out = []
    logical: dict[str, dict[int, tuple[int, int]]] = {}
    for f in shown:
        out.append(f"{f.path}:{f.line}:{f.col + 1}: {f.text}\n")
        if args.show_source:
            out.append(_source(f, where, logical))
    if args.statistics:
        out += _statistics(shown)
    return "".join(out)


def _source(f: Finding, where: formats.Where, logical: dict[str, dict[int, tuple[int, int]]]) -> str:
    """flake8's --show-source: the lines of the token run holding the finding (a statement over
    several lines shows them all), and a caret under the column, counted as flake8 counts it."""
    lines = where.lines(f.path)
    if f.path not in logical:
        logical[f.path] = logical_lines(lines)
    span = logical[f.path].get(f.line)
    if span is None:
        return ""  # flake8 has no physical line for it either
    text = "".join(lines[span[0] - 1:span[1]])
    indent = "".join(c if c.isspace() else " " for c in text[: f.col])
    return f"{text}{indent}^\n"


def _statistics(shown: Sequence[Finding]) -> list[str]:
    """flake8's --statistics: per code, the count and the message of its first finding in
    path order."""
    counts: dict[str, int] = {}
    first: dict[str, Finding] = {}
    for f in sorted(shown, key=lambda f: f.path):  # stable: each file's own order stays
        counts[f.code] = counts.get(f.code, 0) + 1
        first.setdefault(f.code, f)
    return [f"{counts[code]:<5} {code} {first[code].message}\n" for code in sorted(counts)]
