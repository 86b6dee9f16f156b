"""A monorepo: a git root with two configured projects, one nested in the other's tree, and code
under no configuration. `check` prints exactly what `flake8 --select SOT` prints, in the same
order, wherever it is run from; one pre-commit hook entry covers the whole repository.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli, write_tree
from test_precommit import git, hook_section, skip_if_registry_unreachable, snapshot, try_repo

API_MSG = "legacy.factory.get_factory; use core.Manager"
FILES = {
    "services/api/pyproject.toml": """
        [tool.flake8-ssot]
        allowlist = "allow.toml"
        exclude = ["migrations/"]

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
        replacement = "core.Manager"
        exempt = ["tests/*.py"]
    """,
    "services/api/allow.toml": '[[allow]]\npath = "app/old.py"\nrule = "factory"\n',
    "services/api/legacy/__init__.py": "",
    "services/api/legacy/factory.py": "def get_factory():\n    return None\n",
    "services/api/app/__init__.py": "",
    "services/api/app/a.py": "from legacy.factory import get_factory\n\nget_factory()\n",
    "services/api/app/old.py": "from legacy.factory import get_factory\n",
    "services/api/migrations/m.py": "from legacy.factory import get_factory\n",
    "services/api/tests/t.py": "from legacy.factory import get_factory\n",
    # A project of its own inside the api's tree, in a flake8 INI file: its files are its own.
    "services/api/plugins/setup.cfg": "[flake8]\nssot-rules =\n    oldapi: old.api -> new.api\nssot-exclude = gen/\n",
    "services/api/plugins/old/__init__.py": "",
    "services/api/plugins/old/api.py": "def f():\n    return 1\n",
    "services/api/plugins/p.py": "from old.api import f\nfrom legacy.factory import get_factory\n",
    "services/api/plugins/gen/g.py": "from old.api import f\n",
    "top.py": "from legacy.factory import get_factory\n",
    "tools/t.py": "from old.api import f\n",
}


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mono") / "repo"
    write_tree(root, FILES)
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=60)
    return root


def flake8(cwd: Path, *args: str) -> list[str]:
    result = run_cli("flake8", "--select", "SOT", *args, cwd=cwd)
    assert result.stderr == ""
    return [line.removeprefix("./") for line in result.stdout.splitlines()]


def check(cwd: Path, *args: str) -> tuple[int, list[str], str]:
    result = run_cli("flake8-ssot", "check", *args, cwd=cwd)
    return result.returncode, result.stdout.splitlines(), result.stderr


ALL = [
    f"services/api/app/a.py:1:28: SOT001 import of deprecated {API_MSG}",
    f"services/api/app/a.py:3:1: SOT002 call of deprecated {API_MSG}",
    "services/api/plugins/p.py:1:21: SOT001 import of deprecated old.api.f; use new.api",
]


@pytest.mark.parametrize(
    ("cwd", "prefix"),
    [
        pytest.param(".", "", id="git root"),
        pytest.param("services", "services/", id="folder above both projects"),
        pytest.param("services/api", "services/api/", id="outer project"),
        pytest.param("services/api/app", "services/api/app/", id="subfolder"),
        pytest.param("services/api/plugins", "services/api/plugins/", id="nested project"),
        pytest.param("tools", "tools/", id="under no project"),
    ],
)
def test_check_prints_what_flake8_prints(monorepo: Path, cwd: str, prefix: str) -> None:
    expected = [line.removeprefix(prefix) for line in ALL if line.startswith(prefix)]
    assert flake8(monorepo / cwd) == expected
    for _ in range(2):  # cold, then warm
        assert check(monorepo / cwd) == (1 if expected else 0, expected, "")


def test_named_files_as_pre_commit_passes_them(monorepo: Path) -> None:
    named = sorted(name for name in FILES if name.endswith(".py"))
    assert flake8(monorepo, *named) == ALL
    assert check(monorepo, *named) == (1, ALL, "")
    assert check(monorepo, "top.py", "tools/t.py") == (0, [], "")


def test_machine_formats_name_files_relative_to_the_cwd(monorepo: Path) -> None:
    result = run_cli("flake8-ssot", "check", "--format", "json", cwd=monorepo / "services")
    assert [f"{f['path']}:{f['line']}" for f in json.loads(result.stdout)] == [
        "api/app/a.py:1", "api/app/a.py:3", "api/plugins/p.py:1"
    ]
    result = run_cli("flake8-ssot", "check", "--format", "sarif", cwd=monorepo / "services")
    (run,) = json.loads(result.stdout)["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (monorepo / "services").as_uri() + "/"
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]] == [
        {"uri": "api/app/a.py", "uriBaseId": "%SRCROOT%"},
        {"uri": "api/app/a.py", "uriBaseId": "%SRCROOT%"},
        {"uri": "api/plugins/p.py", "uriBaseId": "%SRCROOT%"},
    ]
    result = run_cli("flake8-ssot", "check", "--format", "github", cwd=monorepo)
    assert [line.split(",")[0] for line in result.stdout.splitlines()] == [
        "::error file=services/api/app/a.py", "::error file=services/api/app/a.py",
        "::error file=services/api/plugins/p.py",
    ]


def test_one_pre_commit_hook_entry_for_the_whole_monorepo(tmp_path: Path) -> None:
    hooks = snapshot(tmp_path / "hooks")
    work = tmp_path / "work"
    write_tree(work, FILES)
    git("init", "-q", cwd=work)
    git("add", "-A", cwd=work)
    failed = try_repo(hooks, work, tmp_path / "pre-commit-home")
    skip_if_registry_unreachable(failed, tmp_path / "probe")
    assert hook_section(failed.stdout) == [
        "flake8-ssot...Failed", "- hook id: flake8-ssot", "- exit code: 1", *ALL,
    ], failed.stdout + failed.stderr
    assert failed.returncode == 1

    (work / "services/api/app/a.py").write_text("from core import Manager\n\nManager()\n")
    (work / "services/api/plugins/p.py").write_text("from new.api import f\n")
    git("add", "-A", cwd=work)
    passed = try_repo(hooks, work, tmp_path / "pre-commit-home")
    skip_if_registry_unreachable(passed, tmp_path / "probe")
    assert hook_section(passed.stdout) == ["flake8-ssot...Passed"], passed.stdout + passed.stderr
    assert passed.returncode == 0


def test_fix_takes_each_file_under_its_own_project(monorepo: Path) -> None:
    """Named from the git root, files of two projects (and one under none) are fixed each by its
    own rules; what fix prints, the diff too, is relative to the current directory."""
    result = run_cli("flake8-ssot", "fix", "--diff", "services/api/app/a.py", "services/api/plugins/p.py", "top.py",
                     cwd=monorepo)
    assert (result.returncode, result.stdout) == (
        1, "--- a/services/api/plugins/p.py\n+++ b/services/api/plugins/p.py\n@@ -1,2 +1 @@\n"
        "-from old.api import f\n from legacy.factory import get_factory\n"
    )
    assert result.stderr == (
        "services/api/app/a.py:1:28: manual: no fix template or replacement covers this name (SOT001)\n"
        "services/api/app/a.py:3:1: manual: no fix template covers this call (SOT002)\n"
        "flake8-ssot: would fix 0 uses in 0 files; 2 left to migrate by hand\n"
        "services/api/plugins/p.py: would fix 1 use\n"
        "services/api/plugins/p.py:1:21: would remove re-export p.f (no uses left in the project)\n"
        "flake8-ssot: would fix 1 use in 1 file; 0 left to migrate by hand\n"
    )
    assert run_cli("flake8-ssot", "fix", "--diff", "top.py", cwd=monorepo).returncode == 0


def test_a_cold_check_lists_each_directory_once(
    monorepo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The search for nested configurations and each project's file walk share one listing."""
    import os

    from flake8_ssot import cli, discovery, paths

    listed: list[str] = []
    scandir = os.scandir

    def counted(path: str) -> object:
        listed.append(os.path.relpath(path, monorepo))
        return scandir(path)

    monkeypatch.chdir(monorepo)
    monkeypatch.setattr(os, "scandir", counted)
    discovery.forget()
    paths.forget()
    assert cli.main(["check", "--no-cache", "."]) == 1
    assert capsys.readouterr().out.splitlines() == ALL
    walked = sorted(set(listed))
    assert {"services", "services/api/plugins", "tools"} <= set(walked)
    assert sorted(listed) == walked
