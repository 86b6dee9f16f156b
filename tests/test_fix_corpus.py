"""`fix` over real third-party code: pyparsing 3.0.9's own examples and its camelCase synonyms.

pyparsing 3 renamed its API to PEP 8 names and kept the camelCase ones as synonyms that "will
be removed in a future release" (docs/whats_new_in_3_0_0.rst). The rules below deprecate the
module-level synonyms and move each to its new name, as a team migrating would write them;
`fix` runs over the package and 16 of its examples (every import style: ``import pyparsing as
pp``, ``from pyparsing import (...)``, ``from pyparsing import *``).

Every changed file must parse, byte-compile, have no pyflakes message it did not have, and run
to the same exit status and output as before; a second run changes nothing; the package still
imports. The sdist comes from PyPI (pinned); without the registry the test is skipped.
"""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from pyflakes.api import check as pyflakes_check
from pyflakes.reporter import Reporter

from conftest import run_cli

PACKAGE = "pyparsing==3.0.9"
EXAMPLES = [
    "cLibHeader", "configParse", "dhcpd_leases_parser", "dictExample", "fourFn", "jsonParser", "listAllMatches",
    "nested", "nested_markup", "parseResultsSumExample", "pgn", "removeLineBreaks", "scanExamples", "simpleBool",
    "withAttribute", "wordsToNum",
]
SYNONYMS = {
    "pyparsing.helpers": {
        "delimitedList": "delimited_list", "countedArray": "counted_array", "oneOf": "one_of", "dictOf": "dict_of",
        "originalTextFor": "original_text_for", "nestedExpr": "nested_expr", "makeHTMLTags": "make_html_tags",
        "makeXMLTags": "make_xml_tags", "opAssoc": "OpAssoc", "infixNotation": "infix_notation",
        "cStyleComment": "c_style_comment", "htmlComment": "html_comment", "restOfLine": "rest_of_line",
        "dblSlashComment": "dbl_slash_comment", "cppStyleComment": "cpp_style_comment",
        "javaStyleComment": "java_style_comment", "pythonStyleComment": "python_style_comment",
    },
    "pyparsing.core": {
        "tokenMap": "token_map", "dblQuotedString": "dbl_quoted_string", "sglQuotedString": "sgl_quoted_string",
        "quotedString": "quoted_string", "lineEnd": "line_end", "lineStart": "line_start",
        "stringEnd": "string_end", "stringStart": "string_start",
    },
    "pyparsing.actions": {
        "replaceWith": "replace_with", "removeQuotes": "remove_quotes", "withAttribute": "with_attribute",
        "withClass": "with_class",
    },
}


def rules() -> str:
    deprecated = "".join(f'    "{module}.{old}",\n' for module, names in SYNONYMS.items() for old in names)
    fixes = "".join(
        f'\n[[tool.flake8-ssot.rules.fix]]\npattern = "{old}"\nreplace = "pyparsing.{new}"\n'
        for names in SYNONYMS.values() for old, new in names.items()
    )
    return (
        '\n[tool.flake8-ssot]\ncache = false\n\n[[tool.flake8-ssot.rules]]\nname = "pep8-names"\n'
        'message = "pyparsing 3: camelCase synonyms will be removed in a future release"\n'
        f"deprecated = [\n{deprecated}]\n{fixes}"
    )


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pyparsing's sdist, unpacked (skips without the registry)."""
    where = tmp_path_factory.mktemp("sdist")
    try:
        got = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "--disable-pip-version-check", "--retries", "1", "--timeout", "15", "-q", "-d", str(where), PACKAGE],
            capture_output=True, text=True, timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"the package registry did not answer for {PACKAGE}")
    archives = list(where.glob("pyparsing-*.tar.gz"))
    if got.returncode != 0 or not archives:
        pytest.skip(f"cannot download {PACKAGE} from the package registry: {got.stderr.strip()[-200:]}")
    with tarfile.open(archives[0]) as tar:
        tar.extractall(where, filter="data")
    return where / archives[0].name.removesuffix(".tar.gz")


def pyflakes_messages(text: str, name: str) -> set[str]:
    out = io.StringIO()
    pyflakes_check(text, name, Reporter(out, out))
    return {line.split(":", 3)[-1].strip() for line in out.getvalue().splitlines()}


RUN_ALL = """
import contextlib, io, json, runpy, sys, warnings
warnings.simplefilter("ignore")
results = {}
for name in sys.argv[1:]:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(f"examples/{name}.py", run_name="__main__")
        outcome = "ok"
    except BaseException as e:
        outcome = type(e).__name__
    results[name] = [outcome, out.getvalue()]
print(json.dumps(results))
"""


def run_examples(root: Path) -> dict[str, list[str]]:
    """Each example run as a script (in one process): how it ended, and what it printed."""
    result = subprocess.run(
        [sys.executable, "-c", RUN_ALL, *EXAMPLES], cwd=root, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(root)},
    )
    found: dict[str, list[str]] = json.loads(result.stdout.splitlines()[-1])
    return found


def _uses(root: Path) -> list[str]:
    return run_cli("flake8-ssot", "check", ".", cwd=root).stdout.splitlines()


def test_fix_migrates_pyparsing_examples_safely(sdist: Path, tmp_path: Path) -> None:
    before = tmp_path / "before"
    shutil.copytree(sdist / "pyparsing", before / "pyparsing")
    (before / "examples").mkdir()
    for name in EXAMPLES:
        shutil.copy(sdist / "examples" / f"{name}.py", before / "examples")
    (before / "pyproject.toml").write_text((sdist / "pyproject.toml").read_text() + rules())
    after = tmp_path / "after"
    shutil.copytree(before, after)

    uses_before = _uses(before)
    start = time.perf_counter()
    fixed = run_cli("flake8-ssot", "fix", cwd=after)
    elapsed = time.perf_counter() - start
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stderr == ""
    uses_after = _uses(after)
    summary = fixed.stdout.splitlines()
    print(f"uses {len(uses_before)} -> {len(uses_after)} in {elapsed:.1f} s; {summary[-1]}")

    changed = []
    for path in sorted(before.rglob("*.py")):
        relpath = path.relative_to(before).as_posix()
        old, new = path.read_text(), (after / relpath).read_text()
        if old == new:
            continue
        changed.append(relpath)
        compile(ast.parse(new), relpath, "exec")
        assert pyflakes_messages(new, relpath) <= pyflakes_messages(old, relpath), relpath
    # Every example is rewritten; the package's own compatibility surface (its star imports and
    # __all__ entries of the synonyms) is what stays, for a person: it is the library's public API.
    assert changed == [f"examples/{name}.py" for name in sorted(EXAMPLES)]
    assert not [use for use in uses_after if use.startswith("examples/")]
    assert {use.split(":")[0] for use in uses_after} <= {
        "pyparsing/__init__.py", "pyparsing/common.py", "pyparsing/core.py", "pyparsing/helpers.py"
    }
    assert len(uses_after) < len(uses_before) / 2
    ran = run_examples(before)
    assert sum(outcome == "ok" for outcome, _ in ran.values()) >= 12  # a few need input files
    assert run_examples(after) == ran
    imported = subprocess.run(
        [sys.executable, "-c", "import pyparsing; print(pyparsing.__version__)"], cwd=after, capture_output=True,
        text=True, timeout=60,
    )
    assert imported.stdout.strip() == "3.0.9", imported.stderr

    again = run_cli("flake8-ssot", "fix", "--diff", cwd=after)
    assert (again.returncode, again.stdout) == (0, "")
