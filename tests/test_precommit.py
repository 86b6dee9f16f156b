"""The pre-commit hook this repository publishes, run by real pre-commit.

``pre-commit try-repo`` installs the hook from a repository into a fresh virtualenv, which
downloads the package's build and runtime dependencies: the test is skipped, saying so, only
when the package registry cannot be reached.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli, write_tree

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
INSTALL_TIMEOUT = 900
GIT = ["git", "-c", "user.name=flake8-ssot tests", "-c", "user.email=tests@invalid", "-c", "commit.gpgsign=false"]

PROJECT = {
    "pyproject.toml": """
        [tool.flake8-ssot]
        exclude = ["migrations/"]

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
        replacement = "core.ws.Manager"
    """,
    "legacy/__init__.py": "",
    "legacy/factory.py": "def get_factory():\n    return None\n",
    "migrations/0001_old.py": "from legacy.factory import get_factory\n",
}
USE = "from legacy.factory import get_factory\n\nget_factory()\n"
FIXED = "from core.ws import Manager\n\nManager()\n"


def git(*args: str, cwd: Path) -> None:
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, timeout=120)


def snapshot(dest: Path) -> Path:
    """This repository's working tree as a one-commit repository.

    try-repo's own shadow repository carries staged and modified files but not untracked
    ones, so a hook or module not committed yet would be missing; a snapshot of every file
    git would see (tracked or untracked, not ignored) is the tree as it stands.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    if listed.returncode == 0:
        for name in filter(None, listed.stdout.split("\0")):
            if (REPO / name).is_file():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(REPO / name, dest / name)
    else:  # not a git checkout (an unpacked sdist): the sources and packaging are enough
        for name in (".pre-commit-hooks.yaml", "pyproject.toml", "README.md", "src"):
            copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy2
            copy(REPO / name, dest / name)
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", "snapshot", cwd=dest)
    return dest


def try_repo(hooks: Path, work: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "pre-commit"), "try-repo", str(hooks), "flake8-ssot", "--color", "never"],
        cwd=work,
        capture_output=True,
        text=True,
        env={**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"},
        timeout=INSTALL_TIMEOUT,
    )


def skip_if_registry_unreachable(result: subprocess.CompletedProcess[str], tmp: Path) -> None:
    """A run that could not install the hook is skipped only when pip cannot reach the registry."""
    if result.returncode in (0, 1) and "An unexpected error has occurred" not in result.stdout + result.stderr:
        return
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir", "-d", str(tmp), "setuptools>=69"],
        capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False,
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"package registry unreachable, pre-commit cannot install the hook's environment: {last}")


def hook_section(output: str) -> list[str]:
    """The hook's status line and its output, without the config header (temp paths, revs)
    and pre-commit's own [INFO] lines (stashing unstaged changes)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("flake8-ssot."))
    return [re.sub(r"\.{3,}", "...", line) for line in lines[start:] if line.strip() and not line.startswith("[")]


def test_hook_fails_on_a_staged_use_and_passes_once_fixed(tmp_path: Path) -> None:
    hooks = snapshot(tmp_path / "hooks")
    work = tmp_path / "work"
    write_tree(work, {**PROJECT, "app/use.py": USE})
    git("init", "-q", cwd=work)
    git("add", "-A", cwd=work)
    # Fixed in the working tree but not staged: pre-commit checks what would be committed.
    (work / "app/use.py").write_text(FIXED)

    failed = try_repo(hooks, work, tmp_path / "pre-commit-home")
    skip_if_registry_unreachable(failed, tmp_path / "probe")
    assert hook_section(failed.stdout) == [
        "flake8-ssot...Failed",
        "- hook id: flake8-ssot",
        "- exit code: 1",
        "app/use.py:1:28: SOT001 import of deprecated legacy.factory.get_factory; use core.ws.Manager",
        "app/use.py:3:1: SOT002 call of deprecated legacy.factory.get_factory; use core.ws.Manager",
    ], failed.stdout + failed.stderr
    assert failed.returncode == 1

    git("add", "app/use.py", cwd=work)
    passed = try_repo(hooks, work, tmp_path / "pre-commit-home")
    skip_if_registry_unreachable(passed, tmp_path / "probe")
    assert hook_section(passed.stdout) == ["flake8-ssot...Passed"], passed.stdout + passed.stderr
    assert passed.returncode == 0


def test_files_named_like_pre_commit_does_honour_exclude(tmp_path: Path) -> None:
    """pre-commit passes every staged file by name; excluded ones stay excluded, as in flake8."""
    write_tree(tmp_path, {**PROJECT, "app/use.py": USE})
    result = run_cli("flake8-ssot", "check", "migrations/0001_old.py", "legacy/factory.py", cwd=tmp_path)
    assert (result.stdout, result.stderr, result.returncode) == ("", "", 0)
    result = run_cli("flake8-ssot", "check", "migrations/0001_old.py", "app/use.py", cwd=tmp_path)
    assert result.stdout.splitlines() == [
        "app/use.py:1:28: SOT001 import of deprecated legacy.factory.get_factory; use core.ws.Manager",
        "app/use.py:3:1: SOT002 call of deprecated legacy.factory.get_factory; use core.ws.Manager",
    ]


def test_published_hook_definition_is_valid_for_pre_commit() -> None:
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert (hook["id"], hook["entry"], hook["language"], hook["types"], hook["require_serial"]) == (
        "flake8-ssot", "flake8-ssot check", "python", ["python"], True
    )


def test_hook_reads_the_projects_environment_as_check_in_it_does(tmp_path: Path) -> None:
    """pre-commit's isolated hook environment lacks the project's packages; the hook reads the
    project's .venv (never running it) and reports exactly what `check` run in that venv reports."""
    import site

    from test_environment import CONFIG, NEEDS_SOURCE, USE, make_env, site_packages

    hooks = snapshot(tmp_path / "hooks")
    work = tmp_path / "work"
    write_tree(work, {"pyproject.toml": CONFIG, "use.py": USE, ".gitignore": ".venv/\n"})
    env = make_env(work / ".venv")
    # flake8-ssot installed in the project's venv too: this environment's packages, by path lines.
    (site_packages(env) / "dev.pth").write_text("\n".join([*site.getsitepackages(), str(REPO / "src")]) + "\n")
    in_venv = subprocess.run(
        [str(env / "bin" / "python"), "-m", "flake8_ssot.cli", "check", "--no-cache", "."], cwd=work,
        capture_output=True, text=True, timeout=300, env={**os.environ, "VIRTUAL_ENV": str(env)},
    )
    assert (in_venv.returncode, in_venv.stdout.splitlines(), in_venv.stderr) == (1, NEEDS_SOURCE, "")
    git("init", "-q", cwd=work)
    git("add", "-A", cwd=work)

    hooked = try_repo(hooks, work, tmp_path / "pre-commit-home")
    skip_if_registry_unreachable(hooked, tmp_path / "probe")
    assert hook_section(hooked.stdout) == [
        "flake8-ssot...Failed", "- hook id: flake8-ssot", "- exit code: 1", *in_venv.stdout.splitlines(),
    ], hooked.stdout + hooked.stderr
