"""The plugin in a full flake8 run reuses what `check` and earlier runs cached, never a stale answer.

Real flake8 processes: a run that reuses every file's findings never imports the visitor
(the module that walks a parsed file), and prints exactly what a run in a fresh copy of the
tree, without any cache, prints.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import settle, write_tree
from flake8_ssot import engine
from flake8_ssot.config import load_config

Ssot = Callable[..., tuple[int, str, str]]
CACHE = ".flake8-ssot-cache"
FILES = {
    "pyproject.toml": """
        [tool.flake8-ssot]
        allowlist = "allow.toml"

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
    """,
    "allow.toml": "",
    "legacy/__init__.py": "",
    "legacy/factory.py": "def get_factory():\n    return None\n",
    "pkg/__init__.py": "from legacy.factory import get_factory\n\n__all__ = ['get_factory']\n",
    "app/__init__.py": "",
    "app/use.py": "from pkg import get_factory\n\nget_factory()\n",
    "app/direct.py": "import legacy.factory\n\nlegacy.factory.get_factory()\n",
    "app/clean.py": "def get_factory():\n    return 1\n",
}
VISITOR = "flake8_ssot.visitor"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_tree(root, FILES)
    settle()  # what the first run caches is trusted by the next
    return root


def flake8(root: Path, *args: str, stdin: str | None = None) -> tuple[int, str, bool]:
    """(exit code, stdout, whether any file was analyzed) of a real flake8 process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAKE8")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "flake8", *args], cwd=root, input=stdin, capture_output=True,
        text=True, env=env, timeout=300,
    )
    errors = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    assert errors == []
    return done.returncode, done.stdout, VISITOR in done.stderr


def fresh(root: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    copy = root.parent / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(CACHE))
    try:
        code, out, analyzed = flake8(copy, *args, stdin=stdin)
        assert analyzed
        return code, out
    finally:
        shutil.rmtree(copy)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_warm_flake8_run_analyzes_nothing(project: Path, jobs: str) -> None:
    code, out, analyzed = flake8(project, "-j", jobs, ".")
    assert analyzed and code == 1 and "SOT002" in out
    assert not list((project / CACHE).glob(".journal-*"))  # merged when the run ended
    assert flake8(project, "-j", jobs, ".") == (code, out, False)
    assert (code, out) == fresh(project, "-j", jobs, ".")


def test_flake8_reuses_what_check_cached(project: Path, ssot: Ssot) -> None:
    ssot("check", cwd=project)
    code, out, analyzed = flake8(project, ".")
    assert not analyzed
    assert (code, out) == fresh(project, ".")


def test_check_reuses_what_flake8_cached(project: Path, ssot: Ssot, monkeypatch: pytest.MonkeyPatch) -> None:
    flake8(project, "-j", "2", ".")
    analyzed: list[str] = []
    detect = engine.Project.detect
    monkeypatch.setattr(engine.Project, "detect", lambda self, rel, *a: analyzed.append(rel) or detect(self, rel, *a))
    first = ssot("check", cwd=project)
    assert analyzed == []
    assert "app/use.py:3:1: SOT002" in first[1]


def test_an_editor_buffer_is_its_own_text(project: Path) -> None:
    flake8(project, ".")
    args = ("--stdin-display-name", "app/use.py", "-")
    same = (project / "app/use.py").read_text()
    assert flake8(project, *args, stdin=same)[2] is False  # the buffer is the file on disk
    edited = same.replace("get_factory()\n", "get_factory()  # noqa: SOT002\nx = get_factory\n")
    code, out, analyzed = flake8(project, *args, stdin=edited)
    assert analyzed
    assert (code, out) == fresh(project, *args, stdin=edited)


def _same_size_edit(root: Path) -> None:
    path = root / "app/clean.py"
    st = path.stat()
    path.write_text("from legacy import factory  # x\n")  # as long as what it replaces
    assert path.stat().st_size == st.st_size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_same_size_edit, id="file content (same size, mtime restored)"),
        pytest.param(lambda r: write_tree(r, {"pkg/__init__.py": "# moved away\n"}), id="dependency module"),
        pytest.param(lambda r: write_tree(r, {"pyproject.toml": FILES["pyproject.toml"] + 'message = "go"\n'}),
                     id="configuration"),
        pytest.param(lambda r: write_tree(r, {"pyproject.toml": FILES["pyproject.toml"].replace(
            '"legacy.factory"', '"legacy.factory.get_factory"')}), id="rules"),
        pytest.param(lambda r: write_tree(r, {"allow.toml": '[[allow]]\npath = "app/use.py"\nrule = "factory"\n'}),
                     id="allowlist"),
        pytest.param(lambda r: write_tree(r, {"compat.py": "from legacy.factory import get_factory as gx\n",
                                              "app/clean.py": "from compat import gx\n\ngx()\n"}),
                     id="a new alias"),
    ],
)
@pytest.mark.parametrize("warmed_by", ["flake8", "check"])
def test_a_change_invalidates_the_reuse(project: Path, ssot: Ssot, change: Callable[[Path], None],
                                        warmed_by: str) -> None:
    before = flake8(project, "-j", "2", ".")
    if warmed_by == "check":
        shutil.rmtree(project / CACHE)
        ssot("check", cwd=project)
    assert flake8(project, "-j", "2", ".")[:2] == before[:2]
    change(project)
    code, out, _ = flake8(project, "-j", "2", ".")
    assert (code, out) == fresh(project, "-j", "2", ".")
    assert out != before[1]
    # ... and the run after it reuses the new answers, once they are settled.
    settle()
    flake8(project, "-j", "2", ".")
    assert flake8(project, "-j", "2", ".") == (code, out, False)


def test_journals_are_merged_by_their_owner_only(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What flake8's workers record reaches results.json through the process that loaded it."""
    import json

    from flake8_ssot import results

    monkeypatch.chdir(project)
    loaded = engine.Project(load_config(project / "pyproject.toml"))
    loaded.build_index()
    run = results.PluginResults(loaded)
    lines = (project / "app/use.py").read_text().splitlines(keepends=True)
    monkeypatch.setattr(os, "getpid", lambda: run.owner + 1)  # as a forked worker
    found = run.detect("app/use.py", lines, None, on_disk=True)
    run.finish()  # a worker saves nothing
    journal, = (project / CACHE).glob(f".journal-{run.owner}-*.jsonl")
    with open(journal, "a") as f:
        f.write('["cut short\n' + json.dumps(["another key", "app/clean.py", {}]) + "\n")
    monkeypatch.undo()
    run.finish()
    assert not journal.exists()
    saved = json.loads((project / CACHE / "results.json").read_text())["files"]
    assert sorted(saved) == ["app/use.py"]
    again = results.PluginResults(loaded)
    assert again.store.get_text("app/use.py", results.digest("".join(lines))) == found
    assert again.store.get("app/use.py") == found  # the stat held while it was analyzed: check reuses it too
