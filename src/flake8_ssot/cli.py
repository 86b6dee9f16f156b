"""The `flake8-ssot` command: check, baseline, report, fix, export."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from flake8_ssot import __version__
from flake8_ssot.engine import Project, Projects
from flake8_ssot.model import ConfigError, SsotError

# verb -> (module with add_arguments/run, one-line help)
VERBS = {
    "check": ("flake8_ssot.check", "report every new use (same findings as the flake8 plugin)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flake8-ssot", description="Find, track and fix uses of deprecated APIs."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--ssot-config",
        metavar="PATH",
        help="configuration file (default: nearest pyproject.toml with [tool.flake8-ssot])",
    )
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND", required=True)
    for verb, (module_name, help_text) in VERBS.items():
        module = importlib.import_module(module_name)
        sub = verbs.add_parser(verb, help=help_text, description=help_text)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def find_project(config: str | None, paths: Sequence[str] = ()) -> Project:
    projects = Projects()
    if config:
        return projects.load(Path(config))
    for start in (Path.cwd(), *(Path(p).resolve() for p in paths)):
        project = projects.find(start if start.is_dir() else start.parent)
        if project is not None:
            return project
    raise ConfigError(
        Path.cwd() / "pyproject.toml", "no [tool.flake8-ssot] configuration found here or above"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        project = find_project(args.ssot_config, getattr(args, "paths", ()))
        result: int = args.run(args, project)
        return result
    except SsotError as e:
        sys.stderr.write(f"flake8-ssot: {e}\n")
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
