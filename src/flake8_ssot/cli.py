"""The `flake8-ssot` command: check, baseline, report, plan, fix, export, discover, server."""

from __future__ import annotations

import sys
import time


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
    "plan": ("flake8_ssot.plan", "cut the remaining uses into batches to land, test and revert one at a time"),
    "export": ("flake8_ssot.export", "print the rules as another linter's configuration (ruff banned-api)"),
    "fix": ("flake8_ssot.fix", "rewrite deprecated uses into the replacement (needs flake8-ssot[fix])"),
    "discover": ("flake8_ssot.discover", "list the APIs the code declares deprecated (warnings.warn, @deprecated)"),
    "server": ("flake8_ssot.server", "a language server: diagnostics and quick fixes (needs flake8-ssot[lsp])"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser for every verb, or with the options of the verb ``only`` (startup time: a
    verb's module, and what it imports, loads only when that verb runs)."""
    import importlib

    from flake8_ssot import options

    parser = options.Parser(
        prog="flake8-ssot", description="Find, track and fix uses of deprecated APIs.",
        epilog="Run `flake8-ssot COMMAND --help` for a command's options.",
    )
    options.add_global(parser)
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND", required=True, title="Commands")
    for verb, (module_name, help_text) in VERBS.items():
        sub = verbs.add_parser(
            verb, prog=f"flake8-ssot {verb}", help=help_text, description=help_text[:1].upper() + help_text[1:]
        )
        if only is not None and verb != only:
            continue
        module = importlib.import_module(module_name)
        module.add_arguments(sub)
        group = sub.add_argument_group("Global options")
        options.add(group, *options.GLOBAL)
        # A verb that creates the allowlist (baseline) sets ALLOWLIST_MISSING_OK.
        sub.set_defaults(
            run=module.run,
            allowlist_missing_ok=getattr(module, "ALLOWLIST_MISSING_OK", False),
            # A verb that works without a configuration (discover) sets CONFIG_OPTIONAL.
            config_optional=getattr(module, "CONFIG_OPTIONAL", False),
            # A verb that finds each file's project as it goes (server) is handed none.
            own_projects=getattr(module, "OWN_PROJECTS", False),
        )
    return parser


def find_project(
    config: str | None,
    paths: Sequence[str] = (),
    *,
    allowlist_missing_ok: bool = False,
    cache: bool = True,
    cache_dir: str | None = None,
    python_environment: str | None = None,
) -> Project:
    """The project of a verb that works on one: the configuration named, else the nearest one
    above the current directory, else above the first path that has one."""
    found = _find_project(
        config, paths, allowlist_missing_ok=allowlist_missing_ok, cache=cache, cache_dir=cache_dir, required=True,
        python_environment=python_environment,
    )
    assert found is not None
    return found


def _find_project(
    config: str | None,
    paths: Sequence[str],
    *,
    allowlist_missing_ok: bool,
    cache: bool,
    cache_dir: str | None,
    required: bool,
    python_environment: str | None = None,
) -> Project | None:
    from pathlib import Path

    from flake8_ssot.engine import Projects
    from flake8_ssot.model import ConfigError

    projects = Projects(
        allowlist_missing_ok=allowlist_missing_ok, cache=cache, cache_dir=cache_dir,
        python_environment=python_environment,
    )
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


# What a warm replay cannot stand for: output somewhere else, no cache, input that is not a file.
_NOT_REPLAYED = ("-o", "--output-file", "--no-cache", "--cache-dir", "--stdin-filename", "-h", "--help", "--version")


def replayable(argv: Sequence[str]) -> bool:
    """Whether a `check` command line may be answered by a warm replay (see flake8_ssot.warm)."""
    for arg in argv:
        if arg == "--":
            return "-" not in argv[argv.index("--") + 1:]
        if arg == "-" or arg.startswith(_NOT_REPLAYED):
            return False
        if arg.startswith("-") and not arg.startswith("--") and "o" in arg[1:]:
            return False  # -o clustered behind a short flag (-qo FILE)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    verb = _verb(argv)
    started_ns = time.time_ns()
    if verb == "check" and replayable(argv):
        from flake8_ssot import warm

        replayed = warm.replay(argv, sys.stdout, sys.stderr)
        if replayed is not None:
            return replayed
    from flake8_ssot.model import SsotError

    args = build_parser(verb).parse_args(argv)
    try:
        if verb == "check":
            return _check(argv, args, started_ns)
        if verb == "fix" and args.paths and not args.ssot_config:
            return _fix_per_project(args)
        if args.own_projects:
            code: int = args.run(args, None)
            return code
        # `discover` needs no configuration (config_optional): it reads what the code declares.
        project = _find_project(
            args.ssot_config, getattr(args, "paths", ()), allowlist_missing_ok=args.allowlist_missing_ok,
            cache=not getattr(args, "no_cache", False), cache_dir=getattr(args, "cache_dir", None),
            required=not args.config_optional, python_environment=args.python_environment,
        )
        result: int = args.run(args, project)
        return result
    except SsotError as e:
        sys.stderr.write(f"flake8-ssot: {e}\n")
        return 2


def _fix_per_project(args: argparse.Namespace) -> int:
    """`fix PATHS` in a monorepo: each path under its own project, as `check` finds them."""
    import argparse

    from flake8_ssot import check, options
    from flake8_ssot.engine import Projects

    options.require_existing(args.paths)
    projects = Projects(cache=not args.no_cache, cache_dir=args.cache_dir, python_environment=args.python_environment)
    result = 0
    for project, paths, _ in check.plan(projects, None, args.paths):
        code: int = args.run(argparse.Namespace(**{**vars(args), "paths": paths}), project)
        result = max(result, code)
    return result


def _check(argv: Sequence[str], args: argparse.Namespace, started_ns: int) -> int:
    """`check`, recording what it prints so that the same command can replay it while nothing changes."""
    import os

    from flake8_ssot import check, warm

    if not replayable(argv) or args.changed_since is not None:
        return check.run(args).code
    stdout, stderr = sys.stdout, sys.stderr
    out, err = sys.stdout, sys.stderr = warm.Tee(stdout), warm.Tee(stderr)
    try:
        outcome = check.run(args)
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    if outcome.project is not None:
        try:
            warm.record(argv, os.getcwd(), outcome.project, outcome.paths, started_ns, out.text, err.text, outcome.code)
        except OSError:
            pass  # the next run does the work again
    return outcome.code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
