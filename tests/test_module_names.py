"""One function names a file's module (``paths.module_name``), namespace portions included.

A folder without ``__init__.py`` inside a regular package is a namespace portion (PEP 420) of
it: its files are named through it, by the index, ``discover``, the plugin and every face.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, write_tree
from flake8_ssot import paths


@pytest.mark.parametrize(
    ("files", "relpath", "expected"),
    [
        pytest.param(["app/__init__.py", "app/admin/corpus/__init__.py"], "app/admin/corpus/legacy.py",
                     "app.admin.corpus.legacy", id="namespace portion inside a package"),
        pytest.param(["app/__init__.py", "app/admin/corpus/__init__.py"], "app/admin/corpus/__init__.py",
                     "app.admin.corpus", id="package below a namespace portion"),
        pytest.param(["app/__init__.py"], "app/admin/corpus/legacy.py", "app.admin.corpus.legacy",
                     id="plain folders below a package"),
        pytest.param(["pkg/__init__.py", "pkg/sub/__init__.py"], "pkg/sub/mod.py", "pkg.sub.mod",
                     id="regular packages"),
        pytest.param(["src/app/__init__.py"], "src/app/x.py", "app.x", id="under a source root"),
        pytest.param(["src/__init__.py"], "src/x.py", "src.x", id="a package named src is no source root"),
        pytest.param([], "tests/test_x.py", "tests.test_x", id="in no package"),
        pytest.param(["tests/unit/__init__.py"], "tests/unit/test_x.py", "unit.test_x",
                     id="folders above the highest package are no part of it"),
        pytest.param(["src/ns/pkg/__init__.py"], "src/ns/pkg/m.py", "pkg.m",
                     id="namespace folder above the highest package under a source root"),
        pytest.param(["__init__.py"], "x.py", "project.x", id="the project root is a package"),
        pytest.param(["tools/__init__.py", "tools/validate-modules/checks/__init__.py"],
                     "tools/validate-modules/checks/main.py", "checks.main",
                     id="a folder whose name is no identifier is no namespace portion"),
        pytest.param([], "x.py", "x", id="top-level module"),
    ],
)
def test_module_name(tmp_path: Path, files: list[str], relpath: str, expected: str) -> None:
    root = tmp_path / "project"
    write_tree(root, {name: "" for name in [*files, relpath]})
    paths.forget()
    assert paths.module_name(relpath, root) == expected


NAMESPACE = {
    "app/__init__.py": "",
    # No app/admin/__init__.py: app/admin is a namespace portion of the package app.
    "app/admin/corpus/__init__.py": "",
    "app/admin/corpus/current.py": "def run():\n    return 1\n",
    "app/admin/corpus/legacy.py": """
        import warnings


        def old():
            warnings.warn("old is deprecated; use app.admin.corpus.current.run", DeprecationWarning)
            return 1
    """,
    "app/admin/corpus/user.py": "from .legacy import old\n\nold()\n",
    "app/views.py": (
        "from app.admin.corpus.legacy import old\nimport app.admin.corpus.legacy as lg\n\nold()\nlg.old()\n"
    ),
}
ENFORCED = [
    "app/admin/corpus/user.py:1:21: SOT001 import of deprecated app.admin.corpus.legacy.old;"
    " use app.admin.corpus.current.run (old is deprecated; use app.admin.corpus.current.run)",
    "app/admin/corpus/user.py:3:1: SOT002 call of deprecated app.admin.corpus.legacy.old;"
    " use app.admin.corpus.current.run (old is deprecated; use app.admin.corpus.current.run)",
    "app/views.py:1:37: SOT001 import of deprecated app.admin.corpus.legacy.old;"
    " use app.admin.corpus.current.run (old is deprecated; use app.admin.corpus.current.run)",
    "app/views.py:4:1: SOT002 call of deprecated app.admin.corpus.legacy.old;"
    " use app.admin.corpus.current.run (old is deprecated; use app.admin.corpus.current.run)",
    "app/views.py:5:1: SOT002 call of deprecated app.admin.corpus.legacy.old;"
    " use app.admin.corpus.current.run (old is deprecated; use app.admin.corpus.current.run)",
]


@pytest.fixture
def namespace_project(tmp_path: Path) -> Path:
    write_tree(tmp_path, {"pyproject.toml": "[tool.flake8-ssot]\ndiscover = true\n", **NAMESPACE})
    return tmp_path


def test_discover_names_a_module_below_a_namespace_portion(namespace_project: Path) -> None:
    result = run_cli("flake8-ssot", "discover", "--format", "json", cwd=namespace_project)
    assert (result.returncode, result.stderr) == (0, "")
    assert [(d["kind"], d["name"], d["path"], d["replacement"]) for d in json.loads(result.stdout)] == [
        ("function", "app.admin.corpus.legacy.old", "app/admin/corpus/legacy.py", "app.admin.corpus.current.run"),
    ]


@pytest.mark.parametrize("face", ["check", "flake8"])
def test_discover_true_enforces_uses_of_a_module_below_a_namespace_portion(namespace_project: Path, face: str) -> None:
    args = ("flake8-ssot", "check") if face == "check" else ("flake8", "--select", "SOT", ".")
    result = run_cli(*args, cwd=namespace_project)
    assert (result.returncode, result.stderr) == (1, "")
    assert sorted(line.removeprefix("./") for line in result.stdout.splitlines()) == ENFORCED


def test_a_configured_rule_reaches_a_module_below_a_namespace_portion(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[[tool.flake8-ssot.rules]]\nname = "corpus"\ndeprecated = ["app.admin.corpus.legacy"]\n',
        **NAMESPACE,
    })
    single = run_cli("flake8", "--select", "SOT", "app/admin/corpus/user.py", cwd=tmp_path)
    assert single.stdout.splitlines() == [
        "app/admin/corpus/user.py:1:21: SOT001 import of deprecated app.admin.corpus.legacy.old",
        "app/admin/corpus/user.py:3:1: SOT002 call of deprecated app.admin.corpus.legacy.old",
    ]
