"""Generated programs: the engine never raises, and `flake8-ssot check` agrees with the flake8 plugin.

Programs come from hypothesmith (the Python grammar, and LibCST's node types). Their names are
renamed into the fixture project's deprecated names, aliases and mocking helpers, and import,
use and ``# noqa`` lines are added, so most programs reach a deprecated target from some odd
syntactic context. The agreement test runs both faces for real: `check` through its CLI entry
point, flake8 through its own Application (reading files, applying ``# noqa``, selecting codes),
in this process to stay fast; tests/test_hostile.py runs both as subprocesses.

CI runs a bounded number of examples. ``FLAKE8_SSOT_FUZZ_EXAMPLES=N`` scales every test to N
examples and keeps failures in Hypothesis' database: ``scripts/fuzz.py`` runs such a campaign.
"""

from __future__ import annotations

import ast
import contextlib
import io
import keyword
import os
import re
import tempfile
import tokenize
import warnings
from collections.abc import Iterator
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, event, example, given, reject, settings
from hypothesis import strategies as st

from conftest import BASE_FILES, write_tree
from flake8_ssot import cli
from flake8_ssot import discovery
from flake8_ssot import paths as paths_mod
from flake8_ssot.codes import CODES
from flake8_ssot.config import load_config
from flake8_ssot.engine import Project, decode_source
from flake8_ssot.index import TOO_DEEP
from flake8_ssot.visitor import Visitor

FUZZ_EXAMPLES = int(os.environ.get("FLAKE8_SSOT_FUZZ_EXAMPLES") or 0)
_SLOW = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile("flake8-ssot-ci", deadline=None, database=None, suppress_health_check=_SLOW, print_blob=True)
settings.register_profile("flake8-ssot-fuzz", deadline=None, suppress_health_check=_SLOW, print_blob=True)
PROFILE = settings.get_profile("flake8-ssot-fuzz" if FUZZ_EXAMPLES else "flake8-ssot-ci")


def examples(ci: int) -> settings:
    """``ci`` examples in CI; the campaign's count under scripts/fuzz.py."""
    return settings(PROFILE, max_examples=FUZZ_EXAMPLES or ci)


# -- the fixture project ----------------------------------------------------------------------

PROJECT = {
    **BASE_FILES,
    "pyproject.toml": BASE_FILES["pyproject.toml"] + """
        [[tool.flake8-ssot.rules]]
        name = "cli"
        deprecated = ["optparse"]
    """,
}
PROJECT["pyproject.toml"] = PROJECT["pyproject.toml"].replace(
    "[tool.flake8-ssot]\n", '[tool.flake8-ssot]\n        cache = false\n        allowlist = "allow.toml"\n'
)
# Entries for generated files: counted, whole-file and expired, so SOT901/SOT902 bookkeeping and
# grandfathered uses are compared too.
ALLOWLIST = """
[[allow]]
path = "m0.py"
rule = "factory"
uses."<module>" = 2

[[allow]]
path = "m1.py"
rule = "factory"

[[allow]]
path = "m2.py"
rule = "cli"
expires = 2020-01-01
"""

# Names generated programs are renamed into: deprecated names and their aliases in the project,
# string-target helpers, and names that shadow them.
NAMES = (
    "get_factory", "gf", "lf", "legacy", "factory", "Factory", "create", "create_for_user", "make_manager",
    "OldManager", "Manager", "ws", "core", "compat", "get_factory_compat", "legacy_mod", "compat2", "gfc2", "pkg",
    "stalepkg", "optparse", "OptionParser", "mock", "patch", "importlib", "import_module", "sys", "modules",
    "getattr", "self", "__all__", "__import__",
)
IMPORTS = (
    "import legacy.factory", "import legacy.factory as lf", "from legacy.factory import get_factory as gf",
    "from legacy.factory import *", "from legacy import factory", "from pkg import get_factory", "from pkg import *",
    "import compat", "from compat2 import gfc2", "from core import ws", "from core.ws import OldManager",
    "from stalepkg import get_factory", "import optparse", "from optparse import OptionParser",
    "from unittest import mock", "from unittest.mock import patch", "import importlib", "import sys",
)
USES = (
    "gf()", "lf.get_factory()", "get_factory()", "factory.Factory.create()", "legacy.factory.make_manager(1)",
    "mock.patch('legacy.factory.get_factory')", "patch.object(lf, 'get_factory')", "__import__('optparse')",
    "importlib.import_module('legacy.factory')", "sys.modules['legacy.factory']", "compat.get_factory_compat()",
    "compat.legacy_mod.Factory()", "ws.OldManager()", "x = gf()\nx.create_for_user(1)", "__all__ = ['get_factory']",
    "getattr(lf, 'get_factory')", "isinstance(1, OldManager)", "def f(a: 'Factory') -> 'OldManager': ...",
    "optparse.OptionParser()", "class C(OptionParser):\n    def m(self):\n        return self.x.y()",
    "T = 'legacy.factory.get_factory'\nmock.patch(T)", "class K:\n    m = gf\n    def n(self):\n        self.m()",
    "a, b = gf, lf\nb.Factory()", "sys.modules['legacy.' + 'factory']", "mock.patch.dict(sys.modules, {'optparse': 1})",
)
NOQA = ("", "", "", "  # noqa", "  # noqa: SOT001", "  # noqa:SOT002,E501", "  # NOQA: SOT0", "  # noqa: SOT003 SOT9")


def write_project(root: Path) -> None:
    write_tree(root, {**PROJECT, "allow.toml": ALLOWLIST})


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("fuzz-project")
    write_project(root)
    project = Project(load_config(root / "pyproject.toml"))
    project.build_index()
    return project


# -- programs -------------------------------------------------------------------------------

def _names(source: str) -> list[tuple[int, int, str]] | None:
    """(offset, length, name) of every renamable NAME token; None when tokenize cannot follow."""
    lines = io.StringIO(source).readlines()
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    return [
        (starts[t.start[0] - 1] + t.start[1], len(t.string), t.string)
        for t in tokens
        if t.type == tokenize.NAME and not keyword.iskeyword(t.string) and not keyword.issoftkeyword(t.string)
    ]


# Built once: building hypothesmith's grammar strategy costs a second.
GRAMMAR = hypothesmith.from_grammar()
LIBCST = hypothesmith.from_node()


@st.composite
def programs(draw: st.DrawFn, base: st.SearchStrategy[str] = GRAMMAR) -> str:
    """A generated module, renamed into the project's names, between import lines and uses."""
    source = draw(base)
    found = _names(source)
    if found:
        renamed = {}
        for name in sorted({name for _, _, name in found}):
            choice = draw(st.one_of(st.none(), st.sampled_from(NAMES)))
            if choice is not None:
                renamed[name] = choice
        for offset, length, name in sorted(found, reverse=True):
            if name in renamed:
                source = source[:offset] + renamed[name] + source[offset + length:]
    head = [draw(st.sampled_from(IMPORTS)) + draw(st.sampled_from(NOQA)) for _ in range(draw(st.integers(0, 4)))]
    tail = [draw(st.sampled_from(USES)) + draw(st.sampled_from(NOQA)) for _ in range(draw(st.integers(0, 4)))]
    if draw(st.booleans()):
        tail = ["def wrapper(self):"] + ["    " + line.replace("\n", "\n    ") for line in tail or ["pass"]]
    if not source.endswith(("\n", "\r")):
        source += "\n"
    return "".join(line + "\n" for line in head) + source + "".join(line + "\n" for line in tail)


def encoded(program: str) -> bytes:
    try:
        return program.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in a string literal
        reject()


# -- the engine never raises -------------------------------------------------------------------

KNOWN_ERRORS = re.compile(rf"syntax error( at line \d+)?: .+|cannot parse: .+|{TOO_DEEP}")


def _engine_holds(project: Project, program: str) -> None:
    data = encoded(program)
    try:
        lines = decode_source(data)
    except (UnicodeDecodeError, SyntaxError):
        reject()  # a generated coding cookie naming another encoding
    report = project.analyze("gen/mod.py", lines)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse("".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    if report.error is not None:
        event("not analyzed")
        assert KNOWN_ERRORS.fullmatch(report.error), report.error
        assert tree is None or report.error == TOO_DEEP
        return
    if tree is not None:
        try:
            Visitor(project.index, "gen.mod", False).run(tree)
        except RecursionError:
            pass
    event("finds uses" if report.uses else "finds nothing")
    count = len(lines)
    for finding in [*report.uses, *report.notes]:
        assert finding.code in CODES
        assert 1 <= finding.line <= max(count, 1) and finding.col >= 0, finding
        assert finding.end_line == 0 or (finding.end_line, finding.end_col) >= (finding.line, finding.col), finding
        assert finding.path == "gen/mod.py"
        if finding.target:
            assert finding.target in finding.message


@examples(ci=100)
@given(programs())
def test_engine_never_raises_on_grammar_programs(project: Project, program: str) -> None:
    _engine_holds(project, program)


@examples(ci=15)
@given(programs(LIBCST))
def test_engine_never_raises_on_libcst_programs(project: Project, program: str) -> None:
    _engine_holds(project, program)


@examples(ci=60)
@given(st.binary(max_size=400), st.sampled_from([b"", b"\xef\xbb\xbf", b"# coding: latin-1\n", b"# coding: utf-16\n"]))
def test_engine_never_raises_on_bytes(project: Project, data: bytes, head: bytes) -> None:
    """Arbitrary bytes through the file reader: decoding, line splitting, parsing, or one error."""
    path = project.root / "gen" / "bytes.py"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(head + b"from legacy.factory import get_factory\n" + data)
    report = project.analyze_file("gen/bytes.py")
    assert report.error is None or KNOWN_ERRORS.fullmatch(report.error) or report.error.startswith("cannot decode: ")


# -- `check` and the plugin agree -------------------------------------------------------------------

@contextlib.contextmanager
def chdir(path: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def run_check(root: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        discovery.forget()
        paths_mod.forget()
        code = cli.main(["check", "-j", "1"])
    return code, out.getvalue(), err.getvalue()


def run_flake8(root: Path) -> tuple[int, str]:
    from flake8.main.application import Application

    report = root / ".flake8-report"
    printed = io.StringIO()
    app = Application()
    with chdir(root), contextlib.redirect_stdout(printed):
        app.run(["--select", "SOT,E999", "-j", "1", "--output-file", str(report), "."])
    if app.catastrophic_failure:
        # pyflakes and pycodestyle run in every flake8 run and have their own limits (deep
        # nesting); only a failure of this plugin is this test's business.
        assert "flake8-ssot" not in printed.getvalue(), printed.getvalue()
        reject()
    return app.exit_code(), "".join(line.removeprefix("./") for line in report.read_text().splitlines(True))


def _key(line: str) -> tuple[str, int, int, str]:
    path, row, col, rest = line.split(":", 3)
    return path, int(row), int(col), rest


def compare(files: dict[str, str]) -> list[str]:
    """Run both faces over a fresh project holding ``files``; assert they agree; return the findings."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_project(root)
        for name, program in files.items():
            (root / name).write_bytes(encoded(program))
        code, out, err = run_check(root)
        flake8_code, report = run_flake8(root)
    flake8_lines = report.splitlines()
    syntax = {line.split(":", 1)[0] for line in flake8_lines if ": E999 " in line}
    expected = out.splitlines()
    for line in err.splitlines():
        match = re.fullmatch(r"flake8-ssot: (.+?): (.+)", line)
        assert match, line
        path, error = match.groups()
        if error.startswith("syntax error"):
            assert path in syntax, (path, error)  # Python's parser agrees: flake8 reports E999
        else:
            expected.append(f"{path}:1:1: SOT999 file not analyzed: {error}")
    found = [line for line in flake8_lines if ": E999 " not in line]
    assert sorted(found, key=_key) == sorted(expected, key=_key)
    assert code == (1 if out or err else 0)
    assert flake8_code == (1 if flake8_lines else 0)
    return found


@examples(ci=30)
@given(st.lists(programs(), min_size=1, max_size=4))
# Found by this test: flake8 drops the allowlist's line-1 notes under a `# noqa` on line 1.
@example(["import legacy.factory  # noqa\n\n"])
def test_check_and_flake8_agree(batch: list[str]) -> None:
    # Besides the allowlisted m0..m2, a file in a package and one outside every package.
    names = ["m0.py", "m1.py", "m2.py", "pkg/sub/gen.py"][: len(batch)]
    found = [line for line in compare(dict(zip(names, batch))) if line.split(":", 1)[0] in names]
    event(f"{min(len(found), 5)}{'+' if len(found) >= 5 else ''} findings in generated files")


def test_agreement_is_not_vacuous() -> None:
    """The comparison sees findings of every kind, noqa, bookkeeping and errors (no hypothesis)."""
    found = compare({
        "m0.py": "import legacy.factory as lf  # noqa: SOT001\nlf.get_factory()\nlf.get_factory()\n"
                 "lf.get_factory()\nx = 1  # noqa: SOT002\n",
        "m1.py": "x = 1\n",
        "m2.py": "import optparse\n",
        "pkg/sub/gen.py": "from unittest import mock\n@mock.patch('pkg.get_factory')\ndef t(m): pass\n"
                          "f = " + "lambda: " * 1000 + "mock\n",
        "m3.py": "from legacy.factory import get_factory\ndef f(:\n",
        # Python cannot decode it (flake8 reads it as latin-1 anyway): SOT999 in both faces.
        "m4.py": "# coding: ascii\nimport legacy.factory\nx = 'caf\u00e9'\n",
    })
    generated = [line for line in found if not line.startswith(("compat", "pkg/__init__"))]
    # The 1000 nested lambdas are analyzed (see flake8_ssot.engine.deep): gen.py's string target.
    assert [line.split(" ")[1] for line in generated] == [
        "SOT002", "SOT903", "SOT901", "SOT902", "SOT001", "SOT999", "SOT004",
    ], generated
