"""The `flake8-ssot` command: check, baseline, report, fix, export, discover."""

from __future__ import annotations

import sys
import time

from flake8_ssot import __version__

TYPE_CHECKING = False  # not from typing, which imports re (see flake8_ssot.warm)
# A warm `check` replays its last output after a stat walk (see flake8_ssot.warm): nothing
# else may be imported before that, the engine least of all.
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from flake8_ssot.engine import Project

# verb -> (module with add_arguments/run, one-line help)
VERBS = {
    "check": ("flake8_ssot.check", "report every new use (same findings as the flake8 plugin)"),
    "baseline": ("flake8_ssot.baseline", "create the allowlist from today's uses, or tighten it"),
    "report": ("flake8_ssot.report", "migration progress per rule and file"),
    "export": ("flake8_ssot.export", "print the rules as another linter's configuration (ruff banned-api)"),
    "fix": ("flake8_ssot.fix", "rewrite deprecated uses into the replacement (needs flake8-ssot[fix])"),
    "discover": ("flake8_ssot.discover", "list the APIs the code declares deprecated (warnings.warn, @deprecated)"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser for every verb, or with the options of the verb ``only`` (startup time: a
    verb's module, and what it imports, loads only when that verb runs)."""
    import argparse
    import importlib

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
        sub = verbs.add_parser(verb, help=help_text, description=help_text)
        if only is not None and verb != only:
            continue
        module = importlib.import_module(module_name)
        module.add_arguments(sub)
        # A verb that creates the allowlist (baseline) sets ALLOWLIST_MISSING_OK.
        sub.set_defaults(
            run=module.run,
            allowlist_missing_ok=getattr(module, "ALLOWLIST_MISSING_OK", False),
            # A verb that works without a configuration (discover) sets CONFIG_OPTIONAL.
            config_optional=getattr(module, "CONFIG_OPTIONAL", False),
        )
    return parser


def find_project(config: str | None, paths: Sequence[str] = (), *, allowlist_missing_ok: bool = False) -> Project:
    found = _find_project(config, paths, allowlist_missing_ok=allowlist_missing_ok, required=True)
    assert found is not None
    return found


def _find_project(
    config: str | None, paths: Sequence[str], *, allowlist_missing_ok: bool, required: bool
) -> Project | None:
    from pathlib import Path

    from flake8_ssot.engine import Projects
    from flake8_ssot.model import ConfigError

    projects = Projects(allowlist_missing_ok=allowlist_missing_ok)
    if config:
        return projects.load(Path(config))
    for start in (Path.cwd(), *(Path(p).resolve() for p in paths)):
        project = projects.find(start if start.is_dir() else start.parent)
        if project is not None:
            return project
    if not required:
        return None
    raise ConfigError(
        Path.cwd() / "pyproject.toml", "no [tool.flake8-ssot] configuration found here or above"
    )


def _verb(argv: Sequence[str]) -> str:
    """The verb of a command line ("" when there is none, e.g. for ``--help``)."""
    args = iter(argv)
    for arg in args:
        if arg == "--ssot-config":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    verb = _verb(argv)
    started_ns = time.time_ns()
    if verb == "check":
        from flake8_ssot import warm

        replayed = warm.replay(argv, sys.stdout, sys.stderr)
        if replayed is not None:
            return replayed
    from flake8_ssot.model import SsotError

    args = build_parser(verb).parse_args(argv)
    try:
        project = _find_project(
            args.ssot_config, getattr(args, "paths", ()), allowlist_missing_ok=args.allowlist_missing_ok,
            required=not args.config_optional,
        )
        if verb != "check" or args.changed_since is not None:
            result: int = args.run(args, project)
            return result
        assert project is not None
        return _check(argv, args, project, started_ns)
    except SsotError as e:
        sys.stderr.write(f"flake8-ssot: {e}\n")
        return 2


def _check(argv: Sequence[str], args: argparse.Namespace, project: Project, started_ns: int) -> int:
    """`check`, recording what it prints so that the same command can replay it while nothing changes."""
    import os

    from flake8_ssot import warm

    stdout, stderr = sys.stdout, sys.stderr
    out, err = sys.stdout, sys.stderr = warm.Tee(stdout), warm.Tee(stderr)
    try:
        result: int = args.run(args, project)
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    try:
        warm.record(argv, os.getcwd(), project, args.paths, started_ns, out.text, err.text, result)
    except OSError:
        pass  # the next run does the work again
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
