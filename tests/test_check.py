"""`flake8-ssot check`: the plugin's findings without the rest of flake8, fast.

The reference is real flake8 running the plugin: on the bundled example and on a generated
monorepo that uses the deprecated API in every form the plugin detects (re-exports through
package ``__init__`` files, aliases, ``# noqa``, an allowlist), check must print the very same
reports.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLE, HERE, run_cli, write_tree

sys.path.insert(0, str(HERE.parent / "benchmarks"))
import corpus  # noqa: E402 - the benchmark's generator, shared so both test the same shapes

Ssot = Callable[..., tuple[int, str, str]]
USE = "from legacy.factory import get_factory\n\n\ndef handler():\n    return get_factory()\n"
IMPORT = "SOT001 import of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user"
CALL = "SOT002 call of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user"


CLEAN = {
    "pyproject.toml": """
        [tool.flake8-ssot]
        exclude = ["migrations/*.py", "vendor/"]

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
        replacement = "core.ws.Manager.create_for_user"
    """,
    "legacy/__init__.py": "",
    "legacy/factory.py": "def get_factory():\n    return None\n",
    "core/__init__.py": "",
    "core/ws.py": "class Manager:\n    pass\n",
}


@pytest.fixture
def base_project(tmp_path: Path) -> Path:
    """A project with no use yet of its deprecated module."""
    write_tree(tmp_path, CLEAN)
    return tmp_path


def flake8_reports(root: Path) -> list[str]:
    """What flake8 prints for the plugin's codes, paths as check prints them (no leading ./)."""
    result = run_cli("flake8", "--select", "SOT", ".", cwd=root)
    assert result.stderr == ""
    return [line.removeprefix("./") for line in result.stdout.splitlines()]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    target = tmp_path / "example"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".flake8-ssot-cache", "__pycache__"))
    return target


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated") / "monorepo"
    corpus.generate_monorepo(root, modules=150, user_rate=0.3)
    return root


def test_same_reports_as_flake8_on_the_example(example: Path) -> None:
    expected = flake8_reports(example)
    assert len(expected) > 10
    result = run_cli("flake8-ssot", "check", cwd=example)
    assert (result.stdout.splitlines(), result.stderr, result.returncode) == (expected, "", 1)


def test_same_reports_as_flake8_on_a_generated_monorepo(monorepo: Path, ssot: Ssot) -> None:
    expected = flake8_reports(monorepo)
    # Every form of use, the re-exports and the noqa'd and allowlisted uses are in there.
    assert {line.split(": ")[1].split()[0] for line in expected} == {"SOT001", "SOT002", "SOT003", "SOT004"}
    for jobs in ("1", "2"):
        shutil.rmtree(monorepo / ".flake8-ssot-cache", ignore_errors=True)
        cold = ssot("check", "-j", jobs, cwd=monorepo)
        warm = ssot("check", "-j", jobs, cwd=monorepo)
        assert cold == warm == (1, "\n".join(expected) + "\n", "")


def test_json_lists_what_text_shows(monorepo: Path, ssot: Ssot) -> None:
    code, out, _ = ssot("check", "--format", "json", cwd=monorepo)
    found = json.loads(out)
    text = ssot("check", cwd=monorepo)[1].splitlines()
    assert code == 1
    assert [f"{f['path']}:{f['line']}:{f['column']}: {f['code']} {f['message']}" for f in found] == text


def test_exit_codes(base_project: Path, ssot: Ssot) -> None:
    assert ssot("check", cwd=base_project) == (0, "", "")
    write_tree(base_project, {"app/use.py": USE})
    assert ssot("check", cwd=base_project) == (1, f"app/use.py:1:28: {IMPORT}\napp/use.py:5:12: {CALL}\n", "")
    write_tree(base_project, {"pyproject.toml": "[tool.flake8-ssot]\nrules = 3\n"})
    config = base_project / "pyproject.toml"
    expected = f"flake8-ssot: {config}: tool.flake8-ssot.rules: expected an array of tables\n"
    assert ssot("check", cwd=base_project) == (2, "", expected)


def test_a_file_that_cannot_be_parsed_fails_the_check(base_project: Path, ssot: Ssot) -> None:
    write_tree(base_project, {"app/broken.py": "from legacy.factory import get_factory\ndef (:\n"})
    code, out, err = ssot("check", cwd=base_project)
    assert (code, out) == (1, "")
    assert err.startswith("flake8-ssot: app/broken.py: syntax error at line 2")


def test_the_default_path_is_the_current_directory(base_project: Path, ssot: Ssot) -> None:
    """As for flake8 and ruff: from a subfolder, that folder, printed relative to it."""
    write_tree(base_project, {"app/use.py": USE, "other/deep/use.py": USE})
    everything = ssot("check", cwd=base_project)
    assert everything[1].count("SOT002") == 2
    assert ssot("check", cwd=base_project / "other" / "deep") == (
        1, f"use.py:1:28: {IMPORT}\nuse.py:5:12: {CALL}\n", ""
    )
    assert ssot("check", "../..", cwd=base_project / "other" / "deep") == (
        1, everything[1].replace("app/", "../../app/").replace("other/deep/", ""), ""
    )


def test_paths_narrow_the_check(base_project: Path, ssot: Ssot) -> None:
    write_tree(base_project, {"app/use.py": USE, "other/use.py": USE})
    assert ssot("check", "app", cwd=base_project)[1] == f"app/use.py:1:28: {IMPORT}\napp/use.py:5:12: {CALL}\n"
    assert ssot("check", "other/use.py", cwd=base_project)[1].count("other/use.py") == 2


@pytest.mark.parametrize(
    "skipped",
    [
        pytest.param("migrations/0001.py", id="exclude glob"),
        pytest.param("vendor/lib/mod.py", id="exclude glob of a directory"),
        pytest.param(".venv/lib/mod.py", id=".venv"),
        pytest.param("venv/mod.py", id="venv"),
        pytest.param("env/lib/mod.py", id="any virtualenv (pyvenv.cfg)"),
        pytest.param("build/lib/mod.py", id="build"),
        pytest.param("node_modules/pkg/mod.py", id="node_modules"),
        pytest.param(".git/hooks/mod.py", id=".git"),
        pytest.param(".tox/py311/mod.py", id=".tox"),
        pytest.param("pkg.egg-info/mod.py", id="egg-info"),
    ],
)
def test_excluded_and_tool_directories_are_skipped(base_project: Path, ssot: Ssot, skipped: str) -> None:
    write_tree(base_project, {"app/use.py": USE, skipped: USE, "env/pyvenv.cfg": ""})
    code, out, _ = ssot("check", cwd=base_project)
    assert (code, out) == (1, f"app/use.py:1:28: {IMPORT}\napp/use.py:5:12: {CALL}\n")


@pytest.mark.parametrize(
    ("exclude", "args", "expected"),
    [
        pytest.param('["vendor/"]', ("vendor/lib",), [], id="walk starting inside an excluded directory"),
        pytest.param('["vendor/"]', ("vendor/lib/mod.py",), [], id="file inside an excluded directory"),
        pytest.param('["*.py", "!keep/"]', (), [], id="negating a directory keeps files a glob excludes (as git)"),
        pytest.param('["*.py", "!keep/*.py"]', (), ["keep/mod.py"], id="negated file glob"),
        pytest.param('["gen/", "*_pb2.py"]', (), ["app/mod.py", "keep/mod.py", "vendor/lib/mod.py"],
                     id="directory and file globs together"),
    ],
)
def test_exclude_globs(base_project: Path, ssot: Ssot, exclude: str, args: tuple[str, ...],
                       expected: list[str]) -> None:
    config = base_project / "pyproject.toml"
    config.write_text(config.read_text().replace('exclude = ["migrations/*.py", "vendor/"]', f"exclude = {exclude}"))
    files = ("vendor/lib/mod.py", "keep/mod.py", "app/mod.py", "gen/mod.py", "app/x_pb2.py")
    write_tree(base_project, dict.fromkeys(files, USE))
    out = ssot("check", *args, cwd=base_project)[1]
    assert sorted({line.split(":")[0] for line in out.splitlines()}) == expected


def test_parallel_output_is_deterministic(base_project: Path, ssot: Ssot) -> None:
    # Enough candidate files for a process pool, uses spread unevenly across them.
    write_tree(base_project, {f"app/m{i:02d}.py": USE + "get_factory()\n" * (i % 3) for i in range(40)})
    serial = ssot("check", "-j", "1", cwd=base_project)
    assert serial[1].count("SOT002") == 40 + 39
    for _ in range(2):
        shutil.rmtree(base_project / ".flake8-ssot-cache")
        assert ssot("check", "-j", "2", cwd=base_project) == serial


def test_a_rule_under_a_namespace_package_never_imported(tmp_path: Path, ssot: Ssot,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A deprecated name under a namespace package on the path (a checkout without
    ``__init__.py``, as a directory next to the project): its source cannot be located without
    importing the package, so it is not read, and nothing fails."""
    outside = tmp_path / "outside"
    write_tree(outside, {"nsonly_pkg/inner/mod.py": "def old():\n    pass\n"})
    monkeypatch.syspath_prepend(str(outside))
    root = tmp_path / "project"
    write_tree(root, {
        "pyproject.toml": """
            [tool.flake8-ssot]

            [[tool.flake8-ssot.rules]]
            name = "ns"
            deprecated = ["nsonly_pkg.inner.mod.old"]
        """,
        "app.py": "from nsonly_pkg.inner.mod import old\n",
    })
    assert ssot("check", cwd=root) == (
        1, "app.py:1:34: SOT001 import of deprecated nsonly_pkg.inner.mod.old\n", ""
    )
