"""A use that needs no source is found whether or not the deprecated module's source exists.

pre-commit runs the hook in an environment of its own, without the project's dependencies; CI
and editors run it where they are installed; a half-migrated project has deleted the module
its code still imports. Each row is one file of a project whose configuration names modules,
members and wildcards; the project is checked where their sources are reachable (installed on
``sys.path`` through PYTHONPATH, or in the project) and where none is, through flake8 and
``flake8-ssot check`` in a subprocess, and every face must print the same lines everywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run_cli, settle, write_tree

CONFIG = """
[tool.flake8-ssot]

[[tool.flake8-ssot.rules]]
name = "mock"
deprecated = ["mock"]

[[tool.flake8-ssot.rules]]
name = "six"
deprecated = ["six"]

[[tool.flake8-ssot.rules]]
name = "foo"
deprecated = ["foo"]

[[tool.flake8-ssot.rules]]
name = "baz"
deprecated = ["baz.*"]

[[tool.flake8-ssot.rules]]
name = "legacy"
deprecated = ["legacy", "app.oldapi"]

[[tool.flake8-ssot.rules]]
name = "attic"
deprecated = ["attic.tools.helper", "toplib.thing", "oldpkg.*.compat"]
"""

# Installed packages, as small as their real counterparts' shapes (`six.moves` is an object).
SITE = {
    "mock/__init__.py": "class Mock:\n    pass\n\n\nclass MagicMock(Mock):\n    pass\n",
    "six.py": "PY3 = True\n\n\nclass _MovedItems:\n    pass\n\n\nmoves = _MovedItems()\n",
    "foo/__init__.py": "",
    "foo/bar.py": "class Bar:\n    pass\n",
    "baz/__init__.py": "",
    "baz/qux.py": "def helper():\n    return 1\n",
    "attic/__init__.py": "",
    "attic/tools.py": "def helper():\n    return 1\n",
    "toplib.py": "def thing():\n    return 1\n",
    "oldpkg/__init__.py": "",
    "oldpkg/v1/__init__.py": "",
    "oldpkg/v1/compat.py": "def shim():\n    return 1\n",
}
# A project module re-exporting from an uninstalled one: the alias is learned all the same.
REEXPORTER = {"compat_mock.py": "from mock import Mock as FakeMock\n"}
# The project's own deprecated modules, deleted in the environment without sources.
OWN = {
    "legacy.py": "def thing():\n    return 1\n",
    "app/oldapi.py": "def helper():\n    return 1\n",
}

ROWS = [
    pytest.param("from mock import Mock\nMock()\n",
                 ["1:18: SOT001 import of deprecated mock.Mock", "2:1: SOT002 call of deprecated mock.Mock"],
                 id="from-import of a module"),
    pytest.param("import mock\nmock.Mock()\n",
                 ["1:8: SOT001 import of deprecated mock", "2:1: SOT002 call of deprecated mock.Mock"],
                 id="plain import and attribute"),
    pytest.param("import mock as m\nm.MagicMock()\n",
                 ["1:8: SOT001 import of deprecated mock", "2:1: SOT002 call of deprecated mock.MagicMock"],
                 id="aliased import"),
    pytest.param("from mock import Mock as M\nM()\n",
                 ["1:18: SOT001 import of deprecated mock.Mock", "2:1: SOT002 call of deprecated mock.Mock"],
                 id="aliased from-import"),
    pytest.param("def f():\n    from mock import Mock\n    return Mock()\n",
                 ["2:22: SOT001 import of deprecated mock.Mock", "3:12: SOT002 call of deprecated mock.Mock"],
                 id="function-local from-import"),
    pytest.param("from mock import *\n", ["1:18: SOT001 import of deprecated mock"], id="star import"),
    pytest.param("x = 1; import mock\n", ["1:15: SOT001 import of deprecated mock"], id="import after a semicolon"),
    pytest.param("from mock \\\n    import Mock\n", ["2:12: SOT001 import of deprecated mock.Mock"],
                 id="from-import continued on the next line"),
    pytest.param("from six.moves import urllib\nurllib.parse.quote('x')\n",
                 ["1:23: SOT001 import of deprecated six.moves.urllib",
                  "2:1: SOT002 call of deprecated six.moves.urllib.parse.quote"],
                 id="from-import of a submodule"),
    pytest.param("import six.moves\nsix.moves.urllib.parse.quote('x')\n",
                 ["1:8: SOT001 import of deprecated six.moves",
                  "2:1: SOT002 call of deprecated six.moves.urllib.parse.quote"],
                 id="attribute chain through an imported submodule"),
    pytest.param("import importlib\nimportlib.import_module('six.moves')\n",
                 ["2:25: SOT004 string names deprecated six.moves"], id="string target"),
    pytest.param("from foo.bar import Bar\nBar()\n",
                 ["1:21: SOT001 import of deprecated foo.bar.Bar", "2:1: SOT002 call of deprecated foo.bar.Bar"],
                 id="top-level entry, from-import of its submodule"),
    pytest.param("from baz.qux import helper\nhelper()\n",
                 ["1:21: SOT001 import of deprecated baz.qux.helper",
                  "2:1: SOT002 call of deprecated baz.qux.helper"],
                 id="wildcard entry"),
    pytest.param("from legacy import thing\nthing()\n",
                 ["1:20: SOT001 import of deprecated legacy.thing", "2:1: SOT002 call of deprecated legacy.thing"],
                 id="project module, deleted"),
    pytest.param("from attic.tools import helper\nhelper()\n",
                 ["1:25: SOT001 import of deprecated attic.tools.helper",
                  "2:1: SOT002 call of deprecated attic.tools.helper"],
                 id="dotted member entry"),
    pytest.param("from attic.tools import (\n    helper,\n)\n",
                 ["2:5: SOT001 import of deprecated attic.tools.helper"], id="parenthesised from-import"),
    pytest.param("import attic.tools\nattic.tools.helper()\n",
                 ["2:1: SOT002 call of deprecated attic.tools.helper"], id="dotted member through its module"),
    pytest.param("import unittest.mock\nunittest.mock.patch('attic.tools.helper')\n",
                 ["2:21: SOT004 string names deprecated attic.tools.helper"], id="string target of a member"),
    pytest.param("from toplib import thing\nthing()\n",
                 ["1:20: SOT001 import of deprecated toplib.thing", "2:1: SOT002 call of deprecated toplib.thing"],
                 id="member of a top-level module"),
    pytest.param("import toplib as t\nt.thing()\n", ["2:1: SOT002 call of deprecated toplib.thing"],
                 id="member through an aliased module"),
    pytest.param("from oldpkg.v1.compat import shim\nshim()\n",
                 ["1:30: SOT001 import of deprecated oldpkg.v1.compat.shim",
                  "2:1: SOT002 call of deprecated oldpkg.v1.compat.shim"],
                 id="inner wildcard entry"),
    pytest.param("from oldpkg.v1 import compat\ncompat.shim()\n",
                 ["1:23: SOT001 import of deprecated oldpkg.v1.compat",
                  "2:1: SOT002 call of deprecated oldpkg.v1.compat.shim"],
                 id="inner wildcard entry, module imported from its package"),
    pytest.param("from compat_mock import FakeMock\nFakeMock()\n",
                 ["1:25: SOT001 import of deprecated mock.Mock (as compat_mock.FakeMock)",
                  "2:1: SOT002 call of deprecated mock.Mock (as compat_mock.FakeMock)"],
                 id="re-export by a project module"),
]
# Relative imports, from a file of the project's package `app`.
RELATIVE = [
    pytest.param("from .oldapi import helper\nhelper()\n",
                 ["1:21: SOT001 import of deprecated app.oldapi.helper",
                  "2:1: SOT002 call of deprecated app.oldapi.helper"],
                 id="relative from-import"),
    pytest.param("from . import oldapi\noldapi.helper()\n",
                 ["1:15: SOT001 import of deprecated app.oldapi",
                  "2:1: SOT002 call of deprecated app.oldapi.helper"],
                 id="relative import of the module"),
]
CLEAN = [
    pytest.param('"""Not from mock objects, nor six of them."""\n# import mock\nx = "mock"\n', id="prose"),
    pytest.param("from unittest import mock\nmock.patch('os.getcwd')\n", id="another module named mock"),
]

ENVIRONMENTS = ["installed", "absent"]
FACES = ["flake8", "check"]


def _files() -> dict[str, str]:
    files = {f"row{i}.py": row.values[0] for i, row in enumerate(ROWS)}
    files.update({f"app/row{i}.py": row.values[0] for i, row in enumerate(RELATIVE)})
    files.update({f"clean{i}.py": row.values[0] for i, row in enumerate(CLEAN)})
    return files


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, list[str]]]:
    """Each environment's project checked once by each face: file -> its lines."""
    found: dict[tuple[str, str], dict[str, list[str]]] = {}
    for environment in ENVIRONMENTS:
        base = tmp_path_factory.mktemp(environment)
        root = base / "project"
        write_tree(root, {"pyproject.toml": CONFIG, "app/__init__.py": "", **REEXPORTER, **_files()})
        env = {"PYTHONPATH": ""}
        if environment == "installed":
            write_tree(root, OWN)
            write_tree(base / "site", SITE)
            env = {"PYTHONPATH": str(base / "site")}
        for face, args in (("flake8", ("flake8", "--select", "SOT", ".")), ("check", ("flake8-ssot", "check"))):
            result = run_cli(*args, cwd=root, env=env)
            assert result.stderr == "" and result.returncode == 1, result.stderr
            lines: dict[str, list[str]] = {}
            for line in result.stdout.splitlines():
                path, rest = line.removeprefix("./").split(":", 1)
                lines.setdefault(path, []).append(rest)
            found[environment, face] = lines
    return found


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize(("source", "expected"), ROWS)
def test_found_with_or_without_the_source(
    outputs: dict[tuple[str, str], dict[str, list[str]]], environment: str, face: str, source: str,
    expected: list[str],
) -> None:
    relpath = next(f"row{i}.py" for i, row in enumerate(ROWS) if row.values[0] == source)
    assert outputs[environment, face].get(relpath, []) == expected


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize(("source", "expected"), RELATIVE)
def test_relative_imports_with_or_without_the_source(
    outputs: dict[tuple[str, str], dict[str, list[str]]], environment: str, face: str, source: str,
    expected: list[str],
) -> None:
    relpath = next(f"app/row{i}.py" for i, row in enumerate(RELATIVE) if row.values[0] == source)
    assert outputs[environment, face].get(relpath, []) == expected


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("source", CLEAN)
def test_clean_with_or_without_the_source(
    outputs: dict[tuple[str, str], dict[str, list[str]]], environment: str, face: str, source: str
) -> None:
    relpath = next(f"clean{i}.py" for i, row in enumerate(CLEAN) if row.values[0] == source)
    assert outputs[environment, face].get(relpath, []) == []


def test_no_site_leaks_into_the_absent_environment() -> None:
    """The environment without sources really has none: this interpreter cannot find them."""
    from flake8_ssot import sources

    assert [sources.source_of(m) for m in ("mock", "six", "foo.bar", "baz.qux", "attic.tools")] == [None] * 5
    assert "PYTHONPATH" not in os.environ or not os.environ["PYTHONPATH"]
    assert Path(__file__).exists()


def _marked_rows(module: object, letter: str, mark: str) -> set[tuple[str, str]]:
    """(letter, id) of every row of ``module``'s tables that carries ``mark``."""
    rows = set()
    for table in vars(module).values():
        if isinstance(table, list):
            for row in table:
                if any(m.name == mark for m in getattr(row, "marks", ())):
                    rows.add((letter, row.id))
    return rows


def test_the_docs_list_exactly_the_rows_that_differ_by_environment() -> None:
    import re

    import test_detection
    import test_evasion
    import test_laundering
    import test_value_flow

    tables = [(test_detection, "D"), (test_evasion, "E"), (test_value_flow, "V"), (test_laundering, "L")]
    text = (Path(__file__).parent.parent / "docs" / "what-is-caught.md").read_text()
    section = text.split("## With and without the deprecated module's source")[1].split("\n## ")[0]
    needs, gaps = section.split("Where the source is installed rather than in the project")
    marked = set().union(*(_marked_rows(module, letter, "needs_source") for module, letter in tables))
    listed = set(re.findall(r"^\| ([DEVL]): `([^`]+)` \|", needs, re.MULTILINE))
    assert marked and listed == marked
    marked = set().union(*(_marked_rows(module, letter, "installed_differs") for module, letter in tables))
    assert set(re.findall(r"([DEVL]): `([^`]+)`", gaps)) == marked


def test_no_cache_carries_findings_from_one_environment_to_another(tmp_path: Path) -> None:
    """pre-commit's environment and the project's venv share the working tree and its cache: a
    finding that needs an installed module's source appears exactly where the module is, whichever
    ran last (the per-file results, the warm `check` replay and flake8's plugin alike)."""
    site, root = tmp_path / "site", tmp_path / "project"
    write_tree(site, {"extlib.py": "class Old:\n    def go(self): ...\n\n\ndef make():\n    return Old()\n"})
    write_tree(root, {
        "pyproject.toml": '[[tool.flake8-ssot.rules]]\nname = "ext"\ndeprecated = ["extlib"]\n',
        "use.py": "from extlib import make\nx = make()\nx.go()\nfrom extlib import *\nOld()\n",
    })
    common = [
        "use.py:1:20: SOT001 import of deprecated extlib.make",
        "use.py:2:5: SOT002 call of deprecated extlib.make",
        "use.py:4:20: SOT001 import of deprecated extlib",
    ]
    installed = [
        *common[:2],
        "use.py:3:1: SOT002 call of deprecated extlib.make (via x.go, called on a value it returned)",
        common[2],
        "use.py:5:1: SOT002 call of deprecated extlib.Old",
    ]
    settle()
    # The second run writes a warm snapshot (the first made the cache directory a moment ago).
    for i, environment in enumerate(["installed", "installed", "absent", "installed", "absent"]):
        env = {"PYTHONPATH": str(site) if environment == "installed" else ""}
        for args in (("flake8-ssot", "check"), ("flake8", "--select", "SOT", ".")):
            result = run_cli(*args, cwd=root, env=env)
            expected = installed if environment == "installed" else common
            assert [line.removeprefix("./") for line in result.stdout.splitlines()] == expected, (environment, args)
        if i == 0:
            settle()


def test_a_package_installed_since_the_last_run_is_read(tmp_path: Path) -> None:
    """The same environment, a package installed into it since the last run (its sys.path
    directory changed): the warm `check` does not replay the run from before."""
    site, root = tmp_path / "site", tmp_path / "project"
    site.mkdir()
    write_tree(root, {
        "pyproject.toml": '[[tool.flake8-ssot.rules]]\nname = "ext"\ndeprecated = ["extlib"]\n',
        "use.py": "from extlib import *\nOld()\n",
    })
    env = {"PYTHONPATH": str(site)}
    settle()
    for i in range(2):  # the second run writes a warm snapshot
        assert run_cli("flake8-ssot", "check", cwd=root, env=env).stdout == (
            "use.py:1:20: SOT001 import of deprecated extlib\n"
        )
        if i == 0:
            settle()
    write_tree(site, {"extlib.py": "class Old:\n    pass\n"})
    assert run_cli("flake8-ssot", "check", cwd=root, env=env).stdout == (
        "use.py:1:20: SOT001 import of deprecated extlib\nuse.py:2:1: SOT002 call of deprecated extlib.Old\n"
    )
