"""The machine's CPython standard library as a corpus: no traceback, every unparsable file reported once.

`check` never parses a file whose text spells no identifier of the rules (the prefilter), so
"every unparsable file" means: every file the prefilter lets through that Python cannot decode or
parse is reported exactly once, with a one-line reason; a file Python reads fine is reported only
when it is too deeply nested for the visitor. A broad rule set (``os.path.join``, ``typing.List``,
``print``...) makes most files pass the prefilter, so most of the corpus is parsed.

CI runs a deterministic sample (every 16th file, plus the stdlib's deliberately broken files:
its ``bad*`` modules and test data); ``FLAKE8_SSOT_CORPUS=full`` runs every file
(``python scripts/fuzz.py --corpus`` does that).
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import sysconfig
import warnings
from pathlib import Path

import pytest

from conftest import write_tree
from flake8_ssot import cli
from flake8_ssot import discovery
from flake8_ssot import paths as paths_mod
from flake8_ssot.config import load_config
from flake8_ssot.engine import Project

STDLIB = Path(sysconfig.get_paths()["stdlib"])
FULL = os.environ.get("FLAKE8_SSOT_CORPUS") == "full"

PYPROJECT = """
[tool.flake8-ssot]
cache = false

[[tool.flake8-ssot.rules]]
name = "builtin-generics"
deprecated = ["typing.List", "typing.Dict", "typing.Optional"]
replacement = "builtins.list"

[[tool.flake8-ssot.rules]]
name = "implicit-loop"
deprecated = ["asyncio.get_event_loop"]

[[tool.flake8-ssot.rules]]
name = "dead-modules"
deprecated = ["imp", "optparse", "asynchat", "asyncore"]

[[tool.flake8-ssot.rules]]
name = "logging"
deprecated = ["builtins.print"]

[[tool.flake8-ssot.rules]]
name = "pathlib"
deprecated = ["os.path.join"]
replacement = "pathlib.Path.joinpath"
"""
IDENTIFIERS = re.compile(rb"\b(?:List|Dict|Optional|get_event_loop|imp|optparse|asynchat|asyncore|print|join)\b")
ERRORS = re.compile(
    r"syntax error( at line \d+)?: .+|cannot decode: .+|cannot parse: .+|too deeply nested to analyze"
)


def stdlib_files() -> list[Path]:
    """Every .py file of the standard library, site-packages and bytecode caches aside."""
    found = []
    for directory, dirs, files in os.walk(STDLIB):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__"))
        found += [Path(directory, f) for f in sorted(files) if f.endswith(".py")]
    return found


def sample(files: list[Path]) -> list[Path]:
    if FULL:
        return files
    return [
        f for i, f in enumerate(files)
        if i % 16 == 0 or f.name.startswith("bad") or f.parent.name in ("data", "tokenizedata")
    ]


def parses(path: Path) -> bool:
    """What Python's own parser says (cookie, BOM and all), independently of the engine."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(path.read_bytes(), str(path))
    except (SyntaxError, ValueError):
        return False
    return True


def test_stdlib_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = sample(stdlib_files())
    assert len(files) > (1000 if FULL else 100)
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT})
    monkeypatch.chdir(tmp_path)
    discovery.forget()
    paths_mod.forget()
    out, err = io.StringIO(), io.StringIO()
    # In this process, -j 1: forked workers would clobber the coverage data of the test run.
    jobs = "2" if FULL else "1"
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        # The files are outside the project: --ssot-config checks them under it.
        code = cli.main(["check", "--ssot-config", "pyproject.toml", "-j", jobs, *map(str, files)])
    errors: dict[str, str] = {}
    for line in err.getvalue().splitlines():
        match = re.fullmatch(r"flake8-ssot: (/.+?\.py): (.+)", line)
        assert match, line
        path, error = match.groups()
        assert ERRORS.fullmatch(error), line
        assert path not in errors, f"reported twice: {line}"
        errors[path] = error
    broken = {str(f) for f in files if not parses(f)}
    # What the prefilter selects: a whole configured word (a plain one where code could use it).
    prefilter = Project(load_config(tmp_path / "pyproject.toml")).index.prefilter
    mentioning = {str(f) for f in files if prefilter.matches_bytes(f.read_bytes())}
    assert mentioning <= {str(f) for f in files if IDENTIFIERS.search(f.read_bytes())}
    assert broken & mentioning <= set(errors), "an unparsable file the prefilter selects went unreported"
    too_deep = {path for path, error in errors.items() if error == "too deeply nested to analyze"}
    assert set(errors) - too_deep <= broken, "a file Python parses was reported as unparsable"
    assert broken & mentioning, "the sample holds no unparsable file the rules select: nothing was tested"
    findings = out.getvalue().splitlines()
    assert len(findings) > (1000 if FULL else 50)
    for line in findings:
        assert re.fullmatch(r"/.+?\.py:\d+:\d+: SOT00[1-4] .+ deprecated "
                            r"(typing|asyncio|imp|optparse|asynchat|asyncore|builtins|os)\b.*", line), line
    assert code == 1


def test_stdlib_sample_check_and_flake8_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real-world code: `check` and the plugin under flake8 print the same findings."""
    from flake8.main.application import Application

    files = [str(f) for f in sample(stdlib_files())[:: 1 if FULL else 8]]
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT})
    monkeypatch.chdir(tmp_path)
    discovery.forget()
    paths_mod.forget()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", "--ssot-config", "pyproject.toml", "-j", "1", *files])
    app = Application()
    report = tmp_path / "flake8.txt"
    app.run(["--select", "SOT", "--ssot-config", "pyproject.toml", "-j", "1", "--output-file", str(report),
             *files])
    assert not app.catastrophic_failure
    expected = out.getvalue().splitlines()
    for line in err.getvalue().splitlines():
        path, error = re.fullmatch(r"flake8-ssot: (.+?): (.+)", line).groups()  # type: ignore[union-attr]
        if not error.startswith("syntax error"):  # flake8's E999, not selected here
            expected.append(f"{path}:1:1: SOT999 file not analyzed: {error}")
    assert sorted(report.read_text().splitlines()) == sorted(expected)
    assert (code, app.exit_code()) == (1, 1)
