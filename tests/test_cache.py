"""The on-disk cache (.flake8-ssot-cache/): never stale after an edit, never required.

After every edit, a run with the cache must print what a run without it prints. Editors lint
one file per keystroke: a warm single-file flake8 run reads the linted file only.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli, run_cli_unprivileged, settle, write_tree
from flake8_ssot import cache, engine, index

Ssot = Callable[..., tuple[int, str, str]]
CACHE = ".flake8-ssot-cache"
FILES = {
    "pyproject.toml": """
        [tool.flake8-ssot]

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
    """,
    "legacy/__init__.py": "",
    "legacy/factory.py": "def get_factory():\n    return None\n",
    "pkg/__init__.py": "from legacy.factory import get_factory\n",
    "compat.py": "gx = None\n",
    "app/__init__.py": "",
    "app/via_pkg.py": "from pkg import get_factory\n\nget_factory()\n",
    "app/via_alias.py": "from compat import gx\n\ngx()\n",
    "app/direct.py": "import legacy.factory\n\nlegacy.factory.get_factory()\n",
    "app/clean.py": "def get_factory():\n    return 1\n",
}
REEXPORT = "app/via_pkg.py:3:1: SOT002 call of deprecated legacy.factory.get_factory (as pkg.get_factory)"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_tree(root, FILES)
    return root


def without_cache(root: Path, ssot: Ssot) -> tuple[int, str, str]:
    """What check prints for the tree as it is now, computed from scratch in a copy."""
    copy = root.parent / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(CACHE))
    try:
        return ssot("check", cwd=copy)
    finally:
        shutil.rmtree(copy)


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        pytest.param(
            {"pkg/__init__.py": "# get_factory moved out\n"},
            "app/via_pkg.py:3:1: SOT002 call of deprecated legacy.factory.get_factory (as pkg.get_factory, which no "
            "longer exists)",
            id="re-export removed: the dependent use becomes a stale path",
        ),
        pytest.param(
            {"compat.py": "from legacy.factory import get_factory as gx\n"},
            "app/via_alias.py:3:1: SOT002 call of deprecated legacy.factory.get_factory (as compat.gx)",
            id="alias added: a file spelling only the alias is now checked",
        ),
        pytest.param(
            {"app/clean.py": "from pkg import get_factory\n"},
            "app/clean.py:1:17: SOT001 import of deprecated legacy.factory.get_factory (as pkg.get_factory)",
            id="a clean file starts using it",
        ),
        pytest.param(
            {"app/direct.py": "import legacy\n"},
            None,
            id="a use removed",
        ),
    ],
)
def test_an_edit_invalidates_what_it_affects(project: Path, ssot: Ssot, edits: dict[str, str],
                                             expected: str | None) -> None:
    before = ssot("check", cwd=project)
    assert REEXPORT in before[1]
    assert ssot("check", cwd=project) == before  # warm, nothing changed
    write_tree(project, edits)
    after = ssot("check", cwd=project)
    assert after == without_cache(project, ssot)
    assert after != before
    if expected:
        assert expected in after[1]


@pytest.mark.parametrize("deleted", ["app/via_pkg.py", "pkg/__init__.py", "compat.py", "legacy/factory.py"])
def test_a_deleted_file_invalidates_what_it_affects(project: Path, ssot: Ssot, deleted: str) -> None:
    write_tree(project, {"compat.py": "from legacy.factory import get_factory as gx\n"})
    before = ssot("check", cwd=project)
    (project / deleted).unlink()
    after = ssot("check", cwd=project)
    assert after == without_cache(project, ssot)
    # Every use spells the deprecated module's path: deleting the module leaves them uses.
    assert (after == before) == (deleted == "legacy/factory.py")


def test_unchanged_files_are_not_analyzed_again(project: Path, ssot: Ssot, monkeypatch: pytest.MonkeyPatch) -> None:
    analyzed: list[str] = []
    detect = engine.Project.detect

    def counting(self: engine.Project, relpath: str, *args: Any) -> engine.Detected:
        analyzed.append(relpath)
        return detect(self, relpath, *args)

    monkeypatch.setattr(engine.Project, "detect", counting)
    monkeypatch.setattr(cache, "RACY_NS", 0)  # no wait for settled files: what a run cached is trusted
    first = ssot("check", "-j", "1", cwd=project)
    assert sorted(analyzed) == ["app/clean.py", "app/direct.py", "app/via_pkg.py", "legacy/factory.py",
                                "pkg/__init__.py"]
    analyzed.clear()
    assert ssot("check", "-j", "1", cwd=project) == first
    assert analyzed == []
    # Only the re-exporting module and the file resolving a name through it are analyzed again.
    write_tree(project, {"pkg/__init__.py": "from legacy.factory import get_factory  # still here\n"})
    assert ssot("check", "-j", "1", cwd=project) == first
    assert sorted(analyzed) == ["app/via_pkg.py", "pkg/__init__.py"]


@pytest.mark.parametrize("name", ["index.json", "files.json", "results.json"])
@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: "{not json", id="not JSON"),
        pytest.param(lambda data: "[]", id="not an object"),
        pytest.param(lambda data: json.dumps({"key": data["key"]}), id="fields missing"),
        pytest.param(
            lambda data: json.dumps({k: v if k == "key" else {"app/direct.py": [1, "x"]} for k, v in data.items()}),
            id="fields of the wrong shape",
        ),
    ],
)
def test_a_damaged_cache_is_rebuilt_silently(project: Path, ssot: Ssot, name: str,
                                             damage: Callable[[dict[str, object]], str]) -> None:
    expected = ssot("check", cwd=project)
    one_file = ssot("check", "app/via_pkg.py", cwd=project)
    path = project / CACHE / name
    original = json.loads(path.read_text())
    path.write_text(damage(original))
    assert ssot("check", "app/via_pkg.py", cwd=project) == one_file
    path.write_text(damage(original))
    assert ssot("check", cwd=project) == expected
    assert ssot("check", cwd=project) == expected
    assert isinstance(json.loads(path.read_text()), dict)


def test_the_cache_ignores_itself_in_git(project: Path, ssot: Ssot) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, timeout=60)
    ssot("check", cwd=project)
    cached = sorted(str(p.relative_to(project)) for p in (project / CACHE).iterdir())
    assert f"{CACHE}/.gitignore" in cached and len(cached) > 1, cached
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *cached, "app/direct.py"], cwd=project, capture_output=True, text=True,
        timeout=60,
    )
    # Every file of the cache, its own .gitignore included; nothing else.
    assert (ignored.stdout.splitlines(), ignored.returncode) == (cached, 0)
    assert (project / CACHE / ".gitignore").read_text() == "# Created by flake8-ssot\n*\n"
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=project, capture_output=True, text=True,
        timeout=60, check=True,
    )
    assert CACHE not in status.stdout and "app/direct.py" in status.stdout


def test_a_moved_cache_moves_back_when_the_setting_goes(project: Path, ssot: Ssot) -> None:
    # One process, two runs: an editor's server, or this in-process harness.
    config = project / "pyproject.toml"
    original = config.read_text()
    config.write_text(original.replace("[tool.flake8-ssot]\n", '[tool.flake8-ssot]\ncache = "build/ssot"\n'))
    # From a subfolder: the configured location is relative to the project root.
    first = ssot("check", cwd=project / "app")
    assert sorted(os.listdir(project / "build" / "ssot")) == [".gitignore", "files.json", "index.json", "results.json"]
    assert not (project / CACHE).exists()
    config.write_text(original)
    assert ssot("check", cwd=project / "app") == first
    assert sorted(os.listdir(project / CACHE)) == [".gitignore", "files.json", "index.json", "results.json"]


def test_an_unwritable_cache_directory_runs_without_a_cache(project: Path, ssot: Ssot) -> None:
    # A file where the directory would go fails like a read-only checkout (which root ignores).
    (project / CACHE).write_text("not a directory\n")
    expected = without_cache(project, ssot)
    assert ssot("check", cwd=project) == ssot("check", cwd=project) == expected
    assert (project / CACHE).read_text() == "not a directory\n"
    result = run_cli("flake8", "--select", "SOT", "app/via_pkg.py", cwd=project)
    assert (result.stdout.splitlines()[1], result.stderr) == (REEXPORT, "")


def test_a_read_only_project_runs_without_a_cache(project: Path, ssot: Ssot) -> None:
    expected = without_cache(project, ssot)
    for directory in [project, *project.rglob("*")]:
        if directory.is_dir():
            directory.chmod(0o555)
    try:
        result = run_cli_unprivileged("flake8-ssot", "check", cwd=project)
        assert (result.returncode, result.stdout, result.stderr) == expected
        assert not (project / CACHE).exists()
    finally:
        for directory in [project, *project.rglob("*")]:
            if directory.is_dir():
                directory.chmod(0o755)


READ_NS = 1_700_000_000_000_000_000


@pytest.mark.parametrize(
    ("changed_ns", "trusted"),
    [
        pytest.param(READ_NS - cache.RACY_NS - 1, True, id="changed over 2 s before the read"),
        pytest.param(READ_NS - cache.RACY_NS, False, id="changed exactly 2 s before"),
        pytest.param(READ_NS - 1, False, id="changed just before"),
    ],
)
def test_a_stat_vouches_for_what_was_read_once_the_file_has_settled(changed_ns: int, trusted: bool) -> None:
    stat = (changed_ns - 5, 120, changed_ns, 42)
    assert cache.settled(stat, READ_NS) == (stat if trusted else cache.UNSETTLED)
    assert cache.settled(None, READ_NS) is None


def _same_size(old: str, new: str) -> str:
    """``new`` padded with a comment to the length of ``old``."""
    assert len(new) + 3 <= len(old)
    return new + "#" + "x" * (len(old) - len(new) - 2) + "\n"


def test_flake8_sees_an_edit_that_restores_the_mtime(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`cp -p`, `rsync -t`, an unpacked archive: same size, same mtime, new content (new ctime).
    The index's flags are keyed by the ctime too, so flake8 does not take the file for clean."""
    write_tree(project, {"app/clean.py": "x = 1\n# " + "-" * 60 + "\n"})  # spells no identifier
    monkeypatch.setattr(index, "RACY_NS", 0)  # no wait for settled files: the flags are trusted
    time.sleep(0.05)
    assert "app/clean.py" not in flake8_in_process(["."], project, monkeypatch, capsys)
    path = project / "app/clean.py"
    before = path.stat()
    path.write_text(_same_size(path.read_text(), "import legacy.factory\nlegacy.factory.get_factory()\n"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    time.sleep(0.05)
    out = flake8_in_process(["."], project, monkeypatch, capsys)
    assert "./app/clean.py:2:1: SOT002 call of deprecated legacy.factory.get_factory" in out


@pytest.mark.parametrize(
    ("path", "new", "expected"),
    [
        pytest.param(
            "app/clean.py", "import legacy.factory\nlegacy.factory.get_factory()\n",
            "app/clean.py:2:1: SOT002 call of deprecated legacy.factory.get_factory",
            id="the file itself",
        ),
        pytest.param(
            "pkg/__init__.py", "# get_factory moved out\n",
            "app/via_pkg.py:3:1: SOT002 call of deprecated legacy.factory.get_factory (as pkg.get_factory, which no "
            "longer exists)",
            id="a module it resolved a name through",
        ),
    ],
)
def test_check_sees_an_edit_that_restores_the_mtime(project: Path, ssot: Ssot, monkeypatch: pytest.MonkeyPatch,
                                                    path: str, new: str, expected: str) -> None:
    """`cp -p`, `rsync -t`, `touch -r`: same size, same mtime, new content (new ctime). No
    cached finding, summary or flag outlives it."""
    from flake8_ssot import warm

    # Spells an identifier, uses nothing: its findings (none) are cached.
    write_tree(project, {"app/clean.py": "def get_factory():\n    return 1\n# " + "-" * 40 + "\n"})
    # No wait for settled files: what the first run cached is trusted by the second.
    for module in (cache, index, warm):
        monkeypatch.setattr(module, "RACY_NS", 0, raising=False)
    time.sleep(0.05)
    before = ssot("check", cwd=project)
    assert expected not in before[1]
    assert ssot("check", cwd=project) == before
    file = project / path
    st = file.stat()
    file.write_text(_same_size(file.read_text(), new))
    os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (file.stat().st_size, file.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    time.sleep(0.05)
    after = ssot("check", cwd=project)
    assert expected in after[1]
    assert after == without_cache(project, ssot)


def test_a_file_read_just_after_a_change_is_analyzed_again(
    project: Path, ssot: Ssot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within a timestamp tick of a change, another change may leave every stat as it was: what
    a run read then is not trusted by the next one, until it has settled."""
    analyzed: list[str] = []
    detect = engine.Project.detect
    monkeypatch.setattr(engine.Project, "detect", lambda self, rel, *a: analyzed.append(rel) or detect(self, rel, *a))
    first = ssot("check", "-j", "1", cwd=project)  # files written a moment ago
    assert "app/via_pkg.py" in analyzed
    analyzed.clear()
    assert ssot("check", "-j", "1", cwd=project) == first
    assert "app/via_pkg.py" in analyzed
    settle()
    assert ssot("check", "-j", "1", cwd=project) == first  # records settled stats
    analyzed.clear()
    assert ssot("check", "-j", "1", cwd=project) == first
    assert analyzed == []


def test_flake8_answers_unchanged_files_from_the_index(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A file the build saw spell nothing, unchanged since, costs flake8's plugin one stat, no
    search of its text; one that changed after the build is searched."""
    from flake8_ssot.plugin import Plugin

    write_tree(project, {f"app/plain_{i}.py": "x = 1\n" for i in range(5)})
    # Written a moment ago: the files count as settled (a real run waits 2 s for that).
    monkeypatch.setattr(index, "RACY_NS", 0)
    time.sleep(0.05)
    searched: list[str] = []
    skips = engine.Project.skips

    def counting(self: engine.Project, relpath: str, text: str) -> bool:
        searched.append(relpath)
        return skips(self, relpath, text)

    monkeypatch.setattr(engine.Project, "skips", counting)
    expected = flake8_in_process(["."], project, monkeypatch, capsys)
    assert "./app/via_pkg.py:3:1: SOT002" in expected
    assert not any(rel.startswith("app/plain_") for rel in searched)
    searched.clear()
    parse_options = Plugin.parse_options.__func__  # type: ignore[attr-defined]

    def then_edit(cls: type[Plugin], options: Any) -> None:
        parse_options(cls, options)
        # After the build, before flake8 reads the file: the index's flags no longer describe it.
        write_tree(project, {"app/plain_3.py": "import legacy.factory\n"})

    monkeypatch.setattr(Plugin, "parse_options", classmethod(then_edit))
    out = flake8_in_process(["."], project, monkeypatch, capsys)
    assert "./app/plain_3.py:1:8: SOT001 import of deprecated legacy.factory" in out
    assert [rel for rel in searched if rel.startswith("app/plain_")] == ["app/plain_3.py"]


# -- editors: one file per keystroke ---------------------------------------------------------


def flake8_in_process(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str], stdin: str | None = None) -> str:
    from flake8.main.application import Application

    monkeypatch.chdir(cwd)
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    capsys.readouterr()
    Application().run(["--select", "SOT", "-j", "1", *args])
    return capsys.readouterr().out


@pytest.mark.parametrize("stdin", [False, True], ids=["file", "stdin"])
def test_a_warm_single_file_run_reads_only_that_file(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str], stdin: bool) -> None:
    settle()
    assert run_cli("flake8", "--select", "SOT", ".", cwd=project).returncode == 1  # a full run warms the cache
    reads: list[str] = []
    read_source = cache.read_source

    def counting(path: str, size: int = -1) -> bytes | None:
        rel = Path(path).relative_to(project).as_posix()
        if not rel.startswith(CACHE):
            reads.append(rel)
        return read_source(path, size)

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("a single-file run walked the project")

    monkeypatch.setattr(cache, "read_source", counting)
    monkeypatch.setattr(index, "iter_python_files", no_walk)
    args = ["--stdin-display-name", "app/via_pkg.py", "-"] if stdin else ["app/via_pkg.py"]
    text = (project / "app/via_pkg.py").read_text() if stdin else None
    out = flake8_in_process(args, project, monkeypatch, capsys, stdin=text)
    assert REEXPORT in out
    # The linted file and nothing else: its findings, and the summary of the module its import
    # resolves through, come from the cache the full run left (see test_plugin_cache.py).
    assert sorted(reads) == ["app/via_pkg.py"]


def test_a_single_file_run_trusts_the_cache_until_a_full_run_or_git_changes(project: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, timeout=60)
    subprocess.run(["git", "add", "."], cwd=project, check=True, timeout=60)

    def lint(*args: str) -> str:
        result = run_cli("flake8", "--select", "SOT", *args, cwd=project)
        assert result.stderr == ""
        return result.stdout

    lint(".")
    # An alias appears behind the editor's back in a file the index never depended on: the
    # single-file run does not rescan the project, so it cannot know yet (the trade-off).
    write_tree(project, {"compat.py": "from legacy.factory import get_factory as gx\n"})
    assert lint("app/via_alias.py") == ""
    # git changing the working tree (here: staging) makes the next single-file run refresh.
    subprocess.run(["git", "add", "compat.py"], cwd=project, check=True, timeout=60)
    assert "app/via_alias.py:3:1: SOT002" in lint("app/via_alias.py")


def test_a_full_run_refreshes_what_single_file_runs_trusted(project: Path) -> None:
    assert run_cli("flake8", "--select", "SOT", ".", cwd=project).returncode == 1
    write_tree(project, {"compat.py": "from legacy.factory import get_factory as gx\n"})
    assert run_cli("flake8", "--select", "SOT", "app/via_alias.py", cwd=project).stdout == ""
    assert "app/via_alias.py:3:1: SOT002" in run_cli("flake8", "--select", "SOT", "app", cwd=project).stdout
    assert "app/via_alias.py:3:1: SOT002" in run_cli("flake8", "--select", "SOT", "app/via_alias.py",
                                                     cwd=project).stdout


def test_linting_the_file_that_adds_an_alias_teaches_the_index(project: Path) -> None:
    assert run_cli("flake8", "--select", "SOT", ".", cwd=project).returncode == 1
    write_tree(project, {"compat.py": "from legacy.factory import get_factory as gx\n"})
    # The editor lints the file being edited, then another one: the alias is known.
    assert "compat.py:1:28: SOT001" in run_cli("flake8", "--select", "SOT", "compat.py", cwd=project).stdout
    assert "app/via_alias.py:3:1: SOT002" in run_cli("flake8", "--select", "SOT", "app/via_alias.py",
                                                     cwd=project).stdout


# -- the cold build, and the cache files themselves --------------------------------------------


def test_a_cold_build_in_worker_processes_finds_the_same(project: Path, ssot: Ssot,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(project, {f"app/m{i}.py": "import legacy.factory as lf\n" if i % 3 else "x = 1\n" for i in range(30)})
    serial = ssot("check", "-j", "1", cwd=project)
    shutil.rmtree(project / CACHE)
    # Make the project count as large: files are read and scanned in chunks by two workers.
    monkeypatch.setattr(index, "_PARALLEL_SCAN", 2)
    monkeypatch.setattr(index, "_SCAN_CHUNK", 4)
    assert ssot("check", "-j", "2", cwd=project) == serial
    assert ssot("check", "-j", "2", cwd=project) == serial


def test_a_file_that_changes_during_a_cold_build_is_read_again(project: Path, ssot: Ssot,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(project, {f"app/m{i}.py": "x = 1\n" for i in range(30)})
    write_tree(project, {"compat.py": "from legacy.factory import get_factory as gx\n"})
    serial = ssot("check", "-j", "1", cwd=project)
    shutil.rmtree(project / CACHE)
    walk = index.iter_python_files

    def stale_sizes(*args: object, **kwargs: object) -> object:
        # The walk saw app/via_alias.py before an edit grew it: its bytes do not fit the
        # place kept for them, and the alias round (for `gx`) must read it again.
        for rel, st in walk(*args, **kwargs):  # type: ignore[arg-type]
            if rel == "app/via_alias.py":
                fields = list(st)
                fields[6] -= 3  # st_size
                st = os.stat_result(fields, {n: getattr(st, n) for n in ("st_atime_ns", "st_mtime_ns", "st_ctime_ns")})
            yield rel, st

    monkeypatch.setattr(index, "iter_python_files", stale_sizes)
    monkeypatch.setattr(index, "_PARALLEL_SCAN", 2)
    monkeypatch.setattr(index, "_SCAN_CHUNK", 4)
    for jobs in ("1", "2"):  # in this process, then in workers
        shutil.rmtree(project / CACHE, ignore_errors=True)
        assert ssot("check", "-j", jobs, cwd=project) == serial


def test_many_rules_are_searched_as_a_set_of_words(project: Path, ssot: Ssot) -> None:
    rules = "".join(
        f'\n[[tool.flake8-ssot.rules]]\nname = "r{i}"\ndeprecated = ["legacy.gone.helper_{i}"]\n' for i in range(40)
    )
    write_tree(project, {"app/extra.py": "from legacy.gone import helper_17\n"})
    (project / "pyproject.toml").write_text((project / "pyproject.toml").read_text() + rules)
    code, out, _ = ssot("check", cwd=project)
    assert "app/extra.py:1:25: SOT001 import of deprecated legacy.gone.helper_17" in out
    assert out == without_cache(project, ssot)[1]


def test_read_source(tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    big.write_bytes(b"x = 1\n" * 50_000)
    assert cache.read_source(str(big)) == big.read_bytes()  # size unknown: read to the end
    assert cache.read_source(str(big), 10) == big.read_bytes()  # grew since its stat
    assert cache.read_source(str(tmp_path)) is None  # a directory
    assert cache.read_source(os.devnull) is None  # a device never ends
    assert cache.read_source(str(tmp_path / "missing.py")) is None


@pytest.mark.parametrize(
    ("length", "size", "reads"),
    [
        pytest.param(100_000, 100_000, 1, id="size known: one read (one byte more shows the end)"),
        pytest.param(100, -1, 1, id="size unknown, a small file: one read"),
        pytest.param(0, 0, 1, id="an empty file"),
        pytest.param(100_000, 50_000, 3, id="grew since its stat: read on to the end"),
    ],
)
def test_a_file_is_read_in_one_call_when_its_size_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, length: int, size: int, reads: int
) -> None:
    # A cold run reads every file of the project: system calls per file are its cost.
    path = tmp_path / "m.py"
    path.write_bytes(b"x" * length)
    calls: list[int] = []
    read = os.read

    def counted(fd: int, n: int) -> bytes:
        calls.append(n)
        return read(fd, n)

    monkeypatch.setattr(os, "read", counted)
    assert cache.read_source(str(path), size) == b"x" * length
    assert len(calls) == reads


def test_the_git_stamp_follows_a_worktree(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / "tree" / "sub").mkdir(parents=True)
    (tmp_path / "tree" / ".git").write_text("gitdir: ../real\n")
    stamp = cache.vcs_stamp(tmp_path / "tree" / "sub")
    assert stamp is not None and stamp[0] is not None and stamp[1] is None  # no index yet
    (tmp_path / "tree" / ".git").write_text("not a git file\n")
    assert cache.vcs_stamp(tmp_path / "tree" / "sub") is None
    # A git directory whose name is not UTF-8 (Latin-1 bytes): the file holds the bytes as they are.
    latin = os.fsencode(tmp_path) + b"/r\xe9al"
    os.rename(tmp_path / "real", latin)
    (tmp_path / "tree" / ".git").write_bytes(b"gitdir: ../r\xe9al\n")
    stamp = cache.vcs_stamp(tmp_path / "tree" / "sub")
    assert stamp is not None and stamp[0] == list(cache.stat_of(os.fsdecode(latin + b"/HEAD")) or ())


def test_each_cache_file_is_written_whole_then_renamed_into_place(
    project: Path, ssot: Ssot, monkeypatch: pytest.MonkeyPatch
) -> None:
    renames: list[tuple[str, str]] = []
    rename = os.replace

    def recorded(src: str, dst: str) -> None:
        renames.append((os.path.relpath(src, project), os.path.relpath(dst, project)))
        rename(src, dst)

    monkeypatch.setattr(os, "replace", recorded)
    ssot("check", cwd=project)
    # From a temporary file next to it (a rename within one directory is atomic), named as ours.
    assert sorted((re.sub(r"\.\w{8}\.tmp$", ".RANDOM.tmp", src), dst) for src, dst in renames) == [
        (f"{CACHE}/.{name}.RANDOM.tmp", f"{CACHE}/{name}") for name in ("files.json", "index.json", "results.json")
    ]


def test_a_failed_write_leaves_no_temporary_file(project: Path, ssot: Ssot, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    assert ssot("check", cwd=project) == without_cache(project, ssot)
    assert sorted(p.name for p in (project / CACHE).iterdir()) == [".gitignore"]


@pytest.mark.parametrize(
    ("texts", "word", "expected"),
    [
        pytest.param([b"a get(", b"get", b"x"], b"get", [0, 1], id="whole words, one report per file"),
        pytest.param([b"getattr get_x", b"target", b"get_it get"], b"get", [2],
                     id="prefix or suffix of others: whole words only"),
        pytest.param([b"getx " * 300 + b"get", b"get."], b"get", [0, 1], id="regex takes over after many prefixes"),
        pytest.param([b"getx " * 300, b"nothing"], b"get", [], id="regex takeover finds nothing"),
    ],
)
def test_block_search(texts: list[bytes], word: bytes, expected: list[int]) -> None:
    from flake8_ssot import prefilter

    blob = b"\0".join(texts)
    starts = [0]
    for text in texts:
        starts.append(starts[-1] + len(text) + 1)
    assert list(prefilter._files_spelling(blob, starts, word, prefilter._WORD_BYTES)) == expected
    flags = prefilter.Scanner([word.decode()]).flags_block(blob, starts)
    assert [i for i, f in enumerate(flags) if f & prefilter.Scanner.HIT] == expected
