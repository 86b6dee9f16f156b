"""`flake8-ssot check --changed-since REF`: only what this branch changed, in a real git repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import run_cli, write_tree

GIT = ["git", "-c", "user.name=flake8-ssot tests", "-c", "user.email=tests@invalid", "-c", "commit.gpgsign=false"]
USE = "import legacy.factory\n"
PROJECT = {
    "pyproject.toml": """
        [tool.flake8-ssot]
        exclude = ["vendor/"]

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
    """,
    "legacy/__init__.py": "",
    "legacy/factory.py": "",
}
# Every file already uses the deprecated module: which ones are reported says which were selected.
BASE = ["edited.py", "staged.py", "unstaged.py", "renamed.py", "deleted.py", "edited_on_main.py", "untouched.py"]


def git(*args: str, cwd: Path) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=60).stdout


def reported(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.split(":", 1)[0] for line in result.stdout.splitlines()]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main has the base files and one later commit; the branch ``work`` forked before it."""
    write_tree(tmp_path, {**PROJECT, **{name: USE for name in BASE}, ".gitignore": "ignored.py\n"})
    git("init", "-q", "-b", "main", cwd=tmp_path)
    git("add", "-A", cwd=tmp_path)
    git("commit", "-q", "-m", "base", cwd=tmp_path)
    git("checkout", "-q", "-b", "work", cwd=tmp_path)
    git("checkout", "-q", "main", cwd=tmp_path)
    (tmp_path / "edited_on_main.py").write_text(USE + "x = 1\n")
    git("commit", "-q", "-am", "main moves on", cwd=tmp_path)
    git("checkout", "-q", "work", cwd=tmp_path)
    (tmp_path / "edited.py").write_text(USE + "y = 2\n")
    write_tree(tmp_path, {"added.py": USE, "vendor/lib.py": USE})
    git("mv", "renamed.py", "renamed_to.py", cwd=tmp_path)
    git("rm", "-q", "deleted.py", cwd=tmp_path)
    git("add", "-A", cwd=tmp_path)
    git("commit", "-q", "-m", "branch work", cwd=tmp_path)
    (tmp_path / "staged.py").write_text(USE + "z = 3\n")
    git("add", "staged.py", cwd=tmp_path)
    (tmp_path / "unstaged.py").write_text(USE + "w = 4\n")
    write_tree(tmp_path, {"untracked.py": USE, "ignored.py": USE})
    return tmp_path


def test_lints_what_the_branch_changed_committed_or_not(repo: Path) -> None:
    result = run_cli("flake8-ssot", "check", "--changed-since", "main", cwd=repo)
    # Not: deleted or renamed-away files, files main changed since the fork, ignored, excluded.
    assert reported(result) == ["added.py", "edited.py", "renamed_to.py", "staged.py", "unstaged.py", "untracked.py"]
    assert (result.stderr, result.returncode) == ("", 1)


def test_paths_narrow_the_changed_files(repo: Path) -> None:
    result = run_cli("flake8-ssot", "check", "--changed-since", "main", "edited.py", "untouched.py", cwd=repo)
    assert reported(result) == ["edited.py"]


def test_nothing_changed_is_clean(repo: Path) -> None:
    result = run_cli("flake8-ssot", "check", "--changed-since", "HEAD", "edited.py", cwd=repo)
    assert (result.stdout, result.returncode) == ("", 0)


def test_only_files_of_the_project_in_a_subfolder(repo: Path) -> None:
    """In a monorepo the project is one folder: changes elsewhere are not its files."""
    write_tree(repo / "svc", {**PROJECT, "svc_use.py": USE})
    result = run_cli("flake8-ssot", "check", "--changed-since", "main", cwd=repo / "svc")
    assert reported(result) == ["svc_use.py"]


@pytest.mark.parametrize(
    ("ref", "problem"),
    [
        pytest.param("no-such-branch", "unknown git ref 'no-such-branch'", id="unknown ref"),
        pytest.param("-p", "not a git ref: '-p'", id="looks like an option"),
        pytest.param("lonely", "no common history with 'lonely' (a shallow clone? fetch the full history, "
                     "e.g. fetch-depth: 0)", id="unrelated history"),
    ],
)
def test_bad_ref_is_one_line(repo: Path, ref: str, problem: str) -> None:
    git("checkout", "-q", "--orphan", "lonely", cwd=repo)
    git("commit", "-q", "-m", "unrelated", cwd=repo)
    git("checkout", "-q", "work", cwd=repo)
    result = run_cli("flake8-ssot", "check", f"--changed-since={ref}", cwd=repo)
    expected = f"flake8-ssot: {repo}: --changed-since: {problem}\n"
    assert (result.stdout, result.stderr, result.returncode) == ("", expected, 2)


def test_outside_a_git_working_tree_is_one_line(tmp_path: Path) -> None:
    write_tree(tmp_path, PROJECT)
    result = run_cli("flake8-ssot", "check", "--changed-since", "main", cwd=tmp_path)
    assert (result.stderr, result.returncode) == (
        f"flake8-ssot: {tmp_path}: --changed-since: not inside a git working tree\n", 2
    )


def test_git_failing_is_one_line(repo: Path) -> None:
    (repo / ".git" / "index").write_bytes(b"not an index")
    result = run_cli("flake8-ssot", "check", "--changed-since", "main", cwd=repo)
    # git's own first line follows (its wording varies between git versions).
    assert result.stderr.startswith(f"flake8-ssot: {repo}: --changed-since: git diff failed: ")
    assert (len(result.stderr.splitlines()), result.returncode) == (1, 2)


def test_git_missing_is_one_line(repo: Path) -> None:
    result = run_cli("flake8-ssot", "check", "--changed-since", "main", cwd=repo, env={"PATH": str(repo / "nowhere")})
    assert (result.stderr, result.returncode) == (
        f"flake8-ssot: {repo}: --changed-since: cannot run git: No such file or directory\n", 2
    )
