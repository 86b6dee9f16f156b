"""`flake8-ssot check`: the plugin's findings, without the rest of flake8."""

from __future__ import annotations

import argparse
import sys

from flake8_ssot import formats, runner, vcs
from flake8_ssot.engine import Project


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", help="files or directories (default: the project root)")
    parser.add_argument("--format", choices=sorted(formats.FORMATTERS), default="text")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="processes (default: all cores)")
    parser.add_argument(
        vcs.OPTION,
        metavar="REF",
        help="only files added or modified since the merge base of REF and HEAD, committed or not "
        "(untracked files included, deleted files skipped)",
    )


def run(args: argparse.Namespace, project: Project) -> int:
    changed = vcs.changed_files(project.root, args.changed_since) if args.changed_since is not None else None
    files = runner.select(project, args.paths, args.jobs)
    if changed is not None:
        files = [rel for rel in files if rel in changed]
    files = runner.candidates(project, files)
    reports = runner.analyze(project, files, args.jobs)
    sys.stdout.write(formats.FORMATTERS[args.format](reports, project))
    errors = [r for r in reports if r.error]
    for report in errors:
        sys.stderr.write(f"flake8-ssot: {report.path}: {report.error}\n")
    return 1 if errors or formats.shown(reports) else 0
