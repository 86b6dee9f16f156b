"""A warm `check` replays its last output, but only while nothing it depends on changed.

Every test runs the command twice on an unchanged tree (the second run must replay without
analyzing anything), changes one input, and compares the next run with a run from scratch
in a copy of the tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import write_tree
from flake8_ssot import engine, warm

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
    "pkg/__init__.py": "from legacy.factory import get_factory\n",
    "app/__init__.py": "",
    "app/use.py": "from pkg import get_factory\n\nget_factory()\n",
    "app/clean.py": "def f():\n    return 1\n",
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    write_tree(root, FILES)
    # Files written a moment ago may change again within one timestamp tick, so a real run
    # records no snapshot then; the tests' edits are far apart, and sizes differ anyway.
    monkeypatch.setattr(warm, "RACY_NS", 0)
    return root


@pytest.fixture
def analyzed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    detect_file = engine.Project.detect_file

    def counting(self: engine.Project, relpath: str) -> engine.Detected:
        seen.append(relpath)
        return detect_file(self, relpath)

    monkeypatch.setattr(engine.Project, "detect_file", counting)
    return seen


def fresh(root: Path, ssot: Ssot, *args: str, cwd: str = ".") -> tuple[int, str, str]:
    copy = root.parent / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(CACHE))
    try:
        return ssot("check", *args, cwd=copy / cwd)
    finally:
        shutil.rmtree(copy)


def replays(root: Path, *args: str, cwd: str = ".") -> bool:
    import io

    here = os.getcwd()
    os.chdir(root / cwd)
    try:
        return warm.replay(["check", *args], io.StringIO(), io.StringIO()) is not None
    finally:
        os.chdir(here)


def warmed(root: Path, ssot: Ssot, analyzed: list[str], *args: str, cwd: str = ".") -> tuple[int, str, str]:
    first = ssot("check", *args, cwd=root / cwd)
    if not replays(root, *args, cwd=cwd):  # the first run created the cache directory, during the run
        assert ssot("check", *args, cwd=root / cwd) == first
    assert replays(root, *args, cwd=cwd)
    analyzed.clear()
    assert ssot("check", *args, cwd=root / cwd) == first
    assert analyzed == []
    return first


def _same_size_edit(root: Path) -> None:
    path = root / "app/clean.py"
    st = path.stat()
    path.write_text("def f():\n    return 2\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as cp -p or an archive restores it


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: write_tree(r, {"app/clean.py": "from legacy.factory import get_factory\n"}),
                     id="a file starts using it"),
        pytest.param(_same_size_edit, id="same size, mtime restored"),
        pytest.param(lambda r: write_tree(r, {"app/sub/new.py": "import legacy.factory\n"}), id="a new package"),
        pytest.param(lambda r: write_tree(r, {"app/new.py": "import legacy.factory\n"}), id="a new file"),
        pytest.param(lambda r: (r / "app/use.py").unlink(), id="a file deleted"),
        pytest.param(lambda r: (r / "app/use.py").rename(r / "app/used.py"), id="a file renamed"),
        pytest.param(lambda r: write_tree(r, {"pkg/__init__.py": "# moved\n"}), id="a dependency changed"),
        pytest.param(lambda r: write_tree(r, {"allow.toml": '[[allow]]\npath = "app/use.py"\nrule = "factory"\n'}),
                     id="allowlist"),
        pytest.param(lambda r: write_tree(r, {"pyproject.toml": FILES["pyproject.toml"] + 'message = "x"\n'}),
                     id="configuration"),
        pytest.param(lambda r: write_tree(r, {"pyproject.toml": FILES["pyproject.toml"].replace(
            "allowlist", "exclude = ['app/']\nallowlist")}),
                     id="exclude"),
        pytest.param(lambda r: (r / "app/use.py").chmod(0o644), id="metadata only"),
    ],
)
def test_a_change_ends_the_replay(project: Path, ssot: Ssot, analyzed: list[str],
                                  change: Callable[[Path], None], request: pytest.FixtureRequest) -> None:
    before = warmed(project, ssot, analyzed)
    time.sleep(0.01)  # past the filesystem's timestamp tick
    change(project)
    assert not replays(project)
    after = ssot("check", cwd=project)
    assert after == fresh(project, ssot)
    if request.node.callspec.id not in ("same size, mtime restored", "metadata only"):
        assert after != before


def test_a_configuration_appearing_below_ends_the_replay(project: Path, ssot: Ssot, analyzed: list[str]) -> None:
    before = warmed(project, ssot, analyzed, cwd="app")
    write_tree(project, {"app/pyproject.toml": "[tool.flake8-ssot]\n"})
    assert not replays(project, cwd="app")
    assert ssot("check", cwd=project / "app") == fresh(project, ssot, cwd="app") != before


def test_arguments_and_directory_have_their_own_snapshots(project: Path, ssot: Ssot, analyzed: list[str]) -> None:
    text = warmed(project, ssot, analyzed)
    as_json = warmed(project, ssot, analyzed, "--format", "json")
    from_app = warmed(project, ssot, analyzed, cwd="app")
    assert text != as_json
    assert from_app == fresh(project, ssot, cwd="app")
    assert ssot("check", cwd=project) == text


def test_tomorrow_ends_the_replay(project: Path, ssot: Ssot, analyzed: list[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    warmed(project, ssot, analyzed)
    monkeypatch.setattr(time, "strftime", lambda fmt, *a: "2999-01-01")
    assert not replays(project)


def test_named_files_and_changed_since_are_never_replayed(project: Path, ssot: Ssot) -> None:
    ssot("check", "app/use.py", cwd=project)
    assert not replays(project, "app/use.py")
    ssot("check", "app", cwd=project)
    assert replays(project, "app")


def test_an_edit_of_the_tool_ends_the_replay(project: Path, ssot: Ssot, analyzed: list[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    warmed(project, ssot, analyzed)
    monkeypatch.setattr(warm, "__version__", "99")
    assert not replays(project)


def test_a_warm_process_imports_no_engine(project: Path, ssot: Ssot) -> None:
    """A real process, with the real guard against files changed a moment ago."""
    cmd = [sys.executable, "-X", "importtime", "-m", "flake8_ssot.cli", "check"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV")}
    first = subprocess.run(cmd, cwd=project, capture_output=True, text=True, env=env, timeout=120)
    assert "flake8_ssot.engine" in first.stderr
    assert not list((project / CACHE).glob("check-*"))  # the tree was written just now
    time.sleep(2.1)  # warm.RACY_NS of the real process
    second = subprocess.run(cmd, cwd=project, capture_output=True, text=True, env=env, timeout=120)
    assert list((project / CACHE).glob("check-*"))
    third = subprocess.run(cmd, cwd=project, capture_output=True, text=True, env=env, timeout=120)
    assert (third.returncode, third.stdout) == (second.returncode, second.stdout) == (first.returncode, first.stdout)
    assert "flake8_ssot.engine" in second.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in third.stderr.splitlines()}
    assert "flake8_ssot.warm" in imported
    assert not imported & {"flake8_ssot.engine", "flake8_ssot.model", "json", "pathlib", "re", "typing", "ast"}


def test_an_explicit_configuration_has_its_own_snapshot(project: Path, ssot: Ssot, analyzed: list[str]) -> None:
    config = str(project / "pyproject.toml")
    for spelled in (["--ssot-config", config], [f"--ssot-config={config}"]):
        first = ssot(*spelled, "check", cwd=project / "app")
        if not replays_argv(project / "app", [*spelled, "check"]):
            assert ssot(*spelled, "check", cwd=project / "app") == first
        assert replays_argv(project / "app", [*spelled, "check"])
    write_tree(project, {"pyproject.toml": FILES["pyproject.toml"] + 'message = "x"\n'})
    assert not replays_argv(project / "app", ["--ssot-config", config, "check"])


def replays_argv(cwd: Path, argv: list[str]) -> bool:
    import io

    here = os.getcwd()
    os.chdir(cwd)
    try:
        return warm.replay(argv, io.StringIO(), io.StringIO()) is not None
    finally:
        os.chdir(here)


@pytest.mark.parametrize("damage", [b"", b"not marshal", b"\xe9\x00\x00\x00"])
def test_a_damaged_snapshot_is_no_snapshot(project: Path, ssot: Ssot, analyzed: list[str], damage: bytes) -> None:
    before = warmed(project, ssot, analyzed)
    for snapshot in (project / CACHE).glob("check-*.bin"):
        snapshot.write_bytes(damage)
    assert not replays(project)
    assert ssot("check", cwd=project) == before


def test_what_the_walk_prunes_and_cannot_decode(project: Path, ssot: Ssot, analyzed: list[str]) -> None:
    """A virtualenv inside the project stays pruned while its marker stays; an undecodable
    file goes the general way (and its error is replayed)."""
    write_tree(project, {"env/pyvenv.cfg": "home = /usr\n", "env/lib/x.py": "import legacy.factory\n"})
    (project / "app/latin.py").write_bytes(b"import legacy.factory\nx = '\xe9'\n")
    before = warmed(project, ssot, analyzed)
    assert "app/latin.py" in before[2]
    (project / "env/pyvenv.cfg").unlink()
    assert not replays(project)
    assert ssot("check", cwd=project) == fresh(project, ssot) != before
