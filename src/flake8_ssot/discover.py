"""`flake8-ssot discover`: the APIs the code itself declares deprecated, and the rules they make."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys

from flake8_ssot import declarations, derived_rules, options
from flake8_ssot.engine import Project
from flake8_ssot.model import Config

CONFIG_OPTIONAL = True
"""Runs without a configuration too: its output is how a project starts one."""

FORMATS = ("text", "json", "toml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH",
        help="files or directories to read [default: the project root, else .]",
    )
    parser.add_argument(
        "--format", type=options.choice("format", FORMATS), default="text", metavar="FORMAT",
        help=f"output format: {', '.join(FORMATS)} [default: text]; toml: a [[tool.flake8-ssot.rules]] "
        "block to paste into pyproject.toml",
    )
    options.add(parser, "output", "jobs", "cache")


def run(args: argparse.Namespace, project: Project | None) -> int:
    options.require_existing(args.paths)
    if project is not None:
        config = project.config
    else:
        root = declarations.root_for(args.paths)
        # Nobody asked for a cache directory in a tree without a configuration.
        config = Config(root=root, source=root / "pyproject.toml", rules=(), cache=False)
    unreadable: set[str] = set()
    found = declarations.scan(config, args.paths or None, args.jobs, unreadable)
    options.emit(FORMATTERS[args.format](found, config), args.output_file)
    for relpath in sorted(unreadable):
        # What it declares is unknown: as for bad input, say which file and fail.
        sys.stderr.write(f"flake8-ssot: {_shown_path(config, relpath)}: cannot read: {_why(config, relpath)}\n")
    return 2 if unreadable else 0


def _why(config: Config, relpath: str) -> str:
    path = os.path.join(config.root, relpath)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "not a regular file"  # opening a FIFO would wait for a writer
        os.close(os.open(path, os.O_RDONLY))
    except OSError as e:
        return e.strerror or str(e)
    return "not readable"  # pragma: no cover - readable again since the walk


def _shown_path(config: Config, relpath: str) -> str:
    """Relative to the current directory, as flake8 prints paths."""
    path = os.path.relpath(os.path.join(config.root, relpath))
    return path.replace(os.sep, "/")


def text(found: list[declarations.Declaration], config: Config) -> str:
    out = []
    for d in found:
        if d.replacement:
            target = f" -> {d.replacement}"
        elif d.named:
            target = f" -> {d.named}? (unresolved)"
        else:
            target = ""
        message = " ".join(d.message.split())
        where = f"{_shown_path(config, d.path)}:{d.line}"
        out.append(f"{where}: {d.kind} {d.name}{target}" + (f": {message}" if message else ""))
    files = len({d.path for d in found})
    resolved = sum(1 for d in found if d.replacement)
    out.append(f"{len(found)} deprecation(s) declared in {files} file(s), {resolved} with a resolved replacement")
    return "\n".join(out) + "\n"


def as_json(found: list[declarations.Declaration], config: Config) -> str:
    return json.dumps([{**d.to_json(), "path": _shown_path(config, d.path)} for d in found], indent=2) + "\n"


def toml(found: list[declarations.Declaration], config: Config) -> str:
    return derived_rules.toml_rules(found)


FORMATTERS = {"text": text, "json": as_json, "toml": toml}
