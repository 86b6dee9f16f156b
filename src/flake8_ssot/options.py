"""The command-line options a ruff or flake8 user expects, shared by every verb that takes them.

A verb asks for the ones that make sense for it by name (``add(parser, "jobs", "cache")``), so
each flag has one spelling, one help text and one validation everywhere. The parser reports a
wrong command line on one line (exit 2), as ruff does, not with argparse's usage block.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from flake8_ssot import __version__

CODE_PREFIX = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}$")
"""What flake8 accepts as a code prefix (and therefore ``--select``/``--ignore`` here)."""
STDIN = "-"
Container = argparse._ActionsContainer
"""A parser or an argument group of one."""


class Parser(argparse.ArgumentParser):
    """argparse with ruff's help layout and one-line errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "Arguments"
        self._optionals.title = "Options"
        self.add_argument("-h", "--help", action="help", help="print help")

    def error(self, message: str) -> NoReturn:
        fail(message)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """ruff's layout: ``Usage:``, sections in title case, defaults shown as ``[default: X]``."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=100)

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        if usage is None:
            words = ["%(prog)s", "[OPTIONS]"]
            for action in actions:
                if action.option_strings:
                    continue
                name = action.metavar or action.dest.upper()
                words.append(f"[{name}]..." if action.nargs in ("*", "?") else f"<{name}>")
            usage = " ".join(words)
        super().add_usage(usage, actions, groups, "Usage: " if prefix is None else prefix)

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):
            # The commands themselves, without a "COMMAND" line above them.
            return "".join(self._format_action(sub) for sub in action._get_subactions())
        return super()._format_action(action)

    def _expand_help(self, action: argparse.Action) -> str:
        text = super()._expand_help(action)
        return text[:1].upper() + text[1:]

    def start_section(self, heading: str | None) -> None:
        super().start_section(heading[:1].upper() + heading[1:] if heading else heading)


def fail(message: str) -> NoReturn:
    """A wrong command line: one line on stderr, exit 2."""
    sys.stderr.write(f"flake8-ssot: {message}\n")
    raise SystemExit(2)


# -- value types ------------------------------------------------------------------------------


def jobs(value: str) -> int | None:
    """``auto`` (None: every core) or a positive number of processes."""
    if value == "auto":
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of processes or 'auto', got {value!r}")
    return number


def code_prefixes(value: str) -> list[str]:
    """A comma-separated list of code prefixes such as ``SOT00,SOT9``."""
    prefixes = [p.strip() for p in value.split(",") if p.strip()]
    for prefix in prefixes:
        if not CODE_PREFIX.match(prefix):
            raise argparse.ArgumentTypeError(
                f"not a code prefix: {prefix!r} (expected letters then digits, such as SOT or SOT002)"
            )
    return prefixes


RULE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
"""What the configuration accepts as a rule name."""


def rule_names(value: str) -> list[str]:
    """A comma-separated list of rule names such as ``websocket-factory,settings``."""
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected comma-separated rule names, got {value!r}")
    for name in names:
        if not RULE_NAME.match(name):
            raise argparse.ArgumentTypeError(f"not a rule name: {name!r}")
    return names


def positive(value: str) -> int:
    """A number of 1 or more."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value!r}")
    return number


def choice(name: str, choices: Sequence[str]) -> Callable[[str], str]:
    """A value from ``choices``, with an error that reads the same on every Python version."""

    def check(value: str) -> str:
        if value not in choices:
            raise argparse.ArgumentTypeError(f"unknown {name} {value!r} (expected one of: {', '.join(choices)})")
        return value

    check.__name__ = name
    return check


# -- the shared options ---------------------------------------------------------------------


def _paths(parser: Container) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH",
        help="files or directories to check, or - for standard input [default: .]",
    )


def _stdin(parser: Container) -> None:
    parser.add_argument(
        "--stdin-filename", metavar="PATH",
        help="the name of the file read from standard input: its configuration, exemptions and "
        "allowlist entries apply, and findings are printed under it",
    )


def _output(parser: Container) -> None:
    parser.add_argument(
        "-o", "--output-file", metavar="FILE",
        help="write the output to FILE instead of standard output (any format)",
    )


def _exit_zero(parser: Container) -> None:
    parser.add_argument(
        "--exit-zero", action="store_true",
        help="exit 0 even when there are findings (a bad command line or configuration still exits 2)",
    )


def _statistics(parser: Container) -> None:
    parser.add_argument(
        "--statistics", action="store_true",
        help="after the findings, count them per code, as flake8 does (text format)",
    )


def _select(parser: Container) -> None:
    group = parser.add_argument_group("Rule selection")
    group.add_argument(
        "--select", type=code_prefixes, metavar="CODES",
        help="only report codes starting with one of these comma-separated prefixes [default: SOT]",
    )
    group.add_argument(
        "--extend-select", type=code_prefixes, metavar="CODES", action="extend", default=[],
        help="also report codes starting with these prefixes",
    )
    group.add_argument(
        "--ignore", type=code_prefixes, metavar="CODES", action="extend", default=[],
        help="do not report codes starting with these prefixes (the longer prefix wins over --select)",
    )


def _rules(parser: Container) -> None:
    group = parser.add_argument_group("Rule selection")
    group.add_argument(
        "--select", type=rule_names, metavar="RULES", action="extend",
        help="only the uses of these comma-separated rule names (as configured) [default: every rule]",
    )
    group.add_argument(
        "--ignore", type=rule_names, metavar="RULES", action="extend", default=[],
        help="leave out the uses of these comma-separated rule names",
    )


def _cache(parser: Container) -> None:
    group = parser.add_argument_group("Cache")
    group.add_argument(
        "--no-cache", action="store_true",
        help="neither read nor write the cache (no cache directory is created)",
    )
    group.add_argument(
        "--cache-dir", metavar="DIR",
        help="where the cache lives [default: the `cache` setting, else .flake8-ssot-cache in the project root]",
    )


def _jobs(parser: Container) -> None:
    parser.add_argument(
        "-j", "--jobs", type=jobs, default=None, metavar="N",
        help="processes to run, or auto for one per core [default: auto]",
    )


def _quiet(parser: Container) -> None:
    parser.add_argument(
        "-q", "--quiet", action="count", default=0,
        help="print less: once for file names only (check) or no summary, twice for nothing",
    )


def _show_source(parser: Container) -> None:
    parser.add_argument(
        "--show-source", action="store_true",
        help="print the source line and a caret under each finding, as flake8 does (text format)",
    )


def _config(parser: Container, *, verb: bool = True) -> None:
    parser.add_argument(
        "--ssot-config", metavar="PATH",
        # Given to the verb, the option must not reset what was given before the verb.
        default=argparse.SUPPRESS if verb else None,
        help="configuration file for every file [default: the nearest pyproject.toml with "
        "[tool.flake8-ssot] (or flake8 INI file with ssot-rules) above each file]",
    )


def python_environment(value: str) -> str:
    """A Python environment (its directory, or its interpreter), read and never run; "" for none."""
    from flake8_ssot import sources

    if value:
        problem = sources.environment_problem(value)
        if problem is not None:
            fail(f"--python-environment: {problem}")
    return value


def _environment(parser: Container, *, verb: bool = True) -> None:
    parser.add_argument(
        "--python-environment", metavar="PATH", type=python_environment,
        default=argparse.SUPPRESS if verb else None,
        help="the project's Python environment (a venv directory or its interpreter), whose installed packages "
        "are read, never run; '' for none [default: the `python-environment` setting, else an active "
        "VIRTUAL_ENV, else a .venv or venv next to the configuration]",
    )


def _version(parser: Container) -> None:
    parser.add_argument("--version", action="version", version=f"flake8-ssot {__version__}", help="print the version")


OPTIONS: dict[str, Callable[[Container], None]] = {
    "paths": _paths,
    "stdin": _stdin,
    "output": _output,
    "exit-zero": _exit_zero,
    "statistics": _statistics,
    "select": _select,
    "rules": _rules,
    "cache": _cache,
    "jobs": _jobs,
    "quiet": _quiet,
    "show-source": _show_source,
    "config": _config,
    "environment": _environment,
    "version": _version,
}
"""Every shared option set by name; a verb adds the ones that make sense for it."""

GLOBAL = ("config", "environment", "version")
"""What every verb takes, after the verb as well as before it."""


def add(parser: Container, *names: str) -> None:
    """Add the named option sets (keys of :data:`OPTIONS`) to a verb's parser."""
    for name in names:
        OPTIONS[name](parser)


def add_global(parser: Container) -> None:
    """The options of the command itself, before any verb."""
    _version(parser)
    _config(parser, verb=False)
    _environment(parser, verb=False)


# -- applying them ---------------------------------------------------------------------------


def require_existing(paths: Sequence[str]) -> None:
    """A named path that does not exist is a wrong command line (a dangling symlink exists:
    reading it is what fails, and that is reported per file)."""
    import os

    for path in paths:
        if not os.path.lexists(path):
            fail(f"{path}: no such file or directory")


def emit(text: str, output_file: str | None) -> None:
    """Print ``text``, or write it to ``-o FILE`` (then nothing goes to standard output)."""
    if output_file is None:
        sys.stdout.write(text)
        return
    try:
        with open(output_file, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        from flake8_ssot.model import SsotError

        raise SsotError(output_file, f"cannot write: {e.strerror or e}") from None


def selected(code: str, select: Sequence[str] | None, ignore: Sequence[str]) -> bool:
    """flake8's decision: a code matching both lists goes with the longer matching prefix."""
    chosen = max((len(p) for p in select if code.startswith(p)), default=-1) if select is not None else 0
    if chosen < 0:
        return False
    ignored = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return ignored < 0 or (select is not None and chosen > ignored)


def chosen_rules(args: argparse.Namespace, known: Sequence[str], source: str) -> list[str]:
    """The rule names ``--select``/``--ignore`` (by rule name) leave, in the configuration's order;
    a name the configuration (``source``) does not have is bad input."""
    for flag, names in (("--select", args.select or []), ("--ignore", args.ignore)):
        for name in names:
            if name not in known:
                from flake8_ssot.model import SsotError

                raise SsotError(source, f"{flag}: no rule named {name!r} (rules: {', '.join(known)})")
    return [n for n in known if (args.select is None or n in args.select) and n not in args.ignore]


def selection(args: argparse.Namespace) -> tuple[list[str] | None, list[str]]:
    """(select, ignore) from the command line; select is None when everything is selected."""
    select = getattr(args, "select", None)
    extend = getattr(args, "extend_select", None) or []
    if select is None and not extend:
        return None, list(getattr(args, "ignore", None) or [])
    return [*(select if select is not None else ["SOT"]), *extend], list(getattr(args, "ignore", None) or [])
