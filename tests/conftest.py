from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from flake8_ssot import cache
from flake8_ssot.config import load_config
from flake8_ssot.engine import Project

HERE = Path(__file__).parent
EXAMPLE = HERE.parent / "examples" / "websocket_migration"

# A small project with one deprecated module, a deprecated class in a live module,
# a package that re-exports, a compat module that aliases, and a chain through it.
BASE_FILES: dict[str, str] = {
    "pyproject.toml": """
        [tool.flake8-ssot]

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory", "core.ws.OldManager"]
        replacement = "core.ws.Manager.create_for_user"
    """,
    "legacy/__init__.py": "",
    "legacy/factory.py": """
        class Factory:
            @classmethod
            def create(cls):
                return cls()

            def create_for_user(self, ctx):
                return ctx


        def get_factory():
            return Factory()


        def make_manager(ctx):
            return get_factory().create_for_user(ctx)
    """,
    "core/__init__.py": "",
    "core/ws.py": """
        class Manager:
            @classmethod
            def create_for_user(cls, ctx):
                return cls()


        class OldManager(Manager):
            pass
    """,
    "pkg/__init__.py": """
        from legacy.factory import get_factory
    """,
    "pkg/sub/__init__.py": "",
    "compat.py": """
        from legacy.factory import get_factory as get_factory_compat
        import legacy.factory as legacy_mod
    """,
    "compat2.py": """
        from compat import get_factory_compat as gfc2
    """,
    "stalepkg/__init__.py": """
        # get_factory used to be re-exported here.
    """,
}


def settle() -> None:
    """Wait until files written a moment ago count as settled for a process run next: no cache
    trusts the stat of a file read within a timestamp tick of a change (cache.RACY_NS)."""
    time.sleep(cache.RACY_NS / 1e9 + 0.1)


def write_tree(root: Path, files: Mapping[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip("\n"))


@pytest.fixture
def base_project(tmp_path: Path) -> Path:
    write_tree(tmp_path, BASE_FILES)
    return tmp_path


def summarize(project: Project, relpath: str) -> list[str]:
    """Findings flake8 would show for a file, as 'line:col CODE target' (col 1-based)."""
    report = project.analyze_file(relpath)
    assert report.error is None, report.error
    return [f"{f.line}:{f.col + 1} {f.code} {f.target}".rstrip() for f in report.shown]


@pytest.fixture
def analyze(base_project: Path) -> Callable[..., list[str]]:
    def run(source: str, relpath: str = "use.py", files: Mapping[str, str] | None = None) -> list[str]:
        write_tree(base_project, {relpath: source, **(files or {})})
        project = Project(load_config(base_project / "pyproject.toml"))
        return summarize(project, relpath)

    return run


# The environments every row of the detection tables runs in: the deprecated modules' source
# (legacy/, core/ of BASE_FILES) in the project, installed on sys.path, or nowhere (pre-commit's
# isolated environment, a deleted module). A row may differ only where the form needs the
# source: it says so with `needs_source` (docs/what-is-caught.md lists them).
ENVIRONMENTS = ["in the project", "installed", "no source"]
_SOURCE_DIRS = ("legacy", "core")


def needs_source(absent: list[str], why: str) -> pytest.MarkDecorator:
    """A row whose form needs the deprecated module's source: ``absent`` is what is found without it."""
    return pytest.mark.needs_source(absent=absent, why=why)


def installed_differs(found: list[str], why: str) -> pytest.MarkDecorator:
    """A row whose result differs where the source is installed rather than in the project: a
    known gap, ``found`` being what is found there."""
    return pytest.mark.installed_differs(found=found, why=why)


class EnvironmentAnalyze:
    """``analyze`` of the base project in one of :data:`ENVIRONMENTS`; ``expect`` is a row's
    expectation there."""

    def __init__(self, root: Path, environment: str, request: pytest.FixtureRequest) -> None:
        self.root, self.environment, self.request = root, environment, request

    def __call__(self, source: str, relpath: str = "use.py", files: Mapping[str, str] | None = None) -> list[str]:
        write_tree(self.root, {relpath: source, **(files or {})})
        project = Project(load_config(self.root / "pyproject.toml"))
        return summarize(project, relpath)

    def expect(self, expected: list[str]) -> list[str]:
        marker = self.request.node.get_closest_marker("needs_source")
        if marker is not None and self.environment == "no source":
            return list(marker.kwargs["absent"])
        gap = self.request.node.get_closest_marker("installed_differs")
        if gap is not None and self.environment == "installed":
            return list(gap.kwargs["found"])
        return expected


def place_sources(
    root: Path, paths: list[str], environment: str, monkeypatch: pytest.MonkeyPatch | None = None
) -> dict[str, str]:
    """Put the deprecated modules' source (files or folders of the project at ``root``) where
    ``environment`` has it: left in the project, installed on ``sys.path`` (in a directory
    the project walk skips, with the ``__init__.py`` of the packages above them), or deleted.
    Returns the environment variables a subprocess needs to see it (PYTHONPATH)."""
    import shutil

    from flake8_ssot import sources

    if environment != "in the project":
        site = root / "site-packages"
        for path in paths:
            if environment == "installed":
                parts = path.split("/")
                for depth in range(1, len(parts)):
                    init = Path(*parts[:depth], "__init__.py")
                    if (root / init).exists() and not (site / init).exists():
                        (site / init).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy(root / init, site / init)
                (site / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(root / path), str(site / path))
            elif (root / path).is_dir():
                shutil.rmtree(root / path)
            else:
                (root / path).unlink()
        if environment == "installed" and monkeypatch is not None:
            monkeypatch.syspath_prepend(str(site))
            # What this test's sys.path finds, forgotten when it ends (no other test sees it).
            monkeypatch.setattr(sources, "_found", {})
    return {"PYTHONPATH": str(root / "site-packages") if environment == "installed" else ""}


@pytest.fixture(params=ENVIRONMENTS)
def analyze_everywhere(
    request: pytest.FixtureRequest, base_project: Path, monkeypatch: pytest.MonkeyPatch
) -> EnvironmentAnalyze:
    place_sources(base_project, list(_SOURCE_DIRS), request.param, monkeypatch)
    return EnvironmentAnalyze(base_project, request.param, request)


def findings_in_scope(relpath: str) -> int:
    """How many uses the engine finds under a path of the project in the current directory, those
    the allowlist grandfathers included and those a ``# noqa`` silences not: what `fix` covers."""
    from flake8_ssot import discovery, runner
    from flake8_ssot import paths as paths_mod

    discovery.forget()
    paths_mod.forget()
    project = Project(load_config(Path("pyproject.toml")))
    project.build_index()
    files = runner.candidates(project, runner.select(project, [relpath]))
    found = sum(1 for report in runner.analyze(project, files, 1) for use in report.uses if use.status != "noqa")
    discovery.forget()
    paths_mod.forget()
    return found


def assert_accounted(out: str, err: str, expected: int, scope: str = "") -> None:
    """`fix`'s summary: fixed + left for a person equals the findings in scope, and each use of
    the scope left is listed with its reason (a skipped file's line counts its uses)."""
    import re

    summary = re.search(r"flake8-ssot: (?:would fix|fixed) (\d+) uses? in \d+ files?; (\d+) left", out + err)
    assert summary is not None, out + err
    fixed, left = int(summary[1]), int(summary[2])
    assert fixed + left == expected, out + err
    scope = "" if scope in (".", "./") else scope
    listed = [
        line for line in (out + err).splitlines()
        if (": manual: " in line or ": skipped: " in line) and line.removeprefix("flake8-ssot: ").startswith(scope)
    ]
    reasons = sum(
        1 if ": manual: " in line else int(m[1]) if (m := re.search(r"\((\d+) uses? left to migrate by hand\)", line))
        else 0  # a file that cannot be read: the engine found no use in it either
        for line in listed
    )
    assert reasons == left, out + err


def run_cli(
    *args: str, cwd: Path, stdin: str | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a console entry point of this environment (flake8, flake8-ssot) as users do."""
    exe = Path(sys.executable).parent / args[0]
    return subprocess.run(
        [str(exe), *args[1:]],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


# A project in mid-migration, for the allowlist / baseline / report tests: two rules, uses at
# module level, in a function and in a method.
MIGRATION_FILES: dict[str, str] = {
    "pyproject.toml": """
        [tool.flake8-ssot]
        allowlist = "ssot-allowlist.toml"

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
        replacement = "core.Manager.create_for_user"

        [[tool.flake8-ssot.rules]]
        name = "settings"
        deprecated = ["legacy.settings.get_config"]
    """,
    "legacy/__init__.py": "",
    "legacy/factory.py": "def get_factory():\n    return 1\n",
    "legacy/settings.py": "def get_config():\n    return {}\n",
    "app/__init__.py": "",
    "app/views.py": """
        from legacy.factory import get_factory


        def handler(ctx):
            return get_factory()


        def other(ctx):
            return ctx
    """,
    "app/jobs.py": """
        from legacy import factory
        from legacy.settings import get_config


        class Job:
            def run(self):
                return factory.get_factory(), get_config()
    """,
}


@pytest.fixture
def migration(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_tree(root, MIGRATION_FILES)
    return root


@pytest.fixture
def ssot(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run the `flake8-ssot` CLI in this process (fast): (exit code, stdout, stderr)."""
    from flake8_ssot import cli, discovery, paths

    def run(*args: str, cwd: Path) -> tuple[int, str, str]:
        monkeypatch.chdir(cwd)
        discovery.forget()
        paths.forget()
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def flake8_app(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., tuple[int, str, str]]:
    """Real flake8 in this process, through its own Application (-j 1): (exit code, report, stderr).

    What the `flake8` command runs, without a process start: for large test matrices.
    """
    from flake8.main.application import Application

    output = tmp_path_factory.mktemp("flake8") / "report.txt"

    def run(*args: str, cwd: Path) -> tuple[int, str, str]:
        monkeypatch.chdir(cwd)
        output.unlink(missing_ok=True)
        capsys.readouterr()
        app = Application()
        try:
            app.run(["--output-file", str(output), "-j", "1", *args])
            code = app.exit_code()
        except SystemExit as e:
            code = int(e.code or 0)
        report = output.read_text() if output.exists() else ""
        return code, report, capsys.readouterr().err

    return run


def _drop_root_overrides() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Take away root's CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (1, 2) from the bounding set.

    uid 0 without them is held to file modes like any owner, and still reaches what only root
    may (a venv under /root): so permission tests run, not skip, as root in CI.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_cli_unprivileged(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``run_cli`` where file permissions bind: as root, in a child without root's overrides."""
    if os.geteuid() != 0:
        return run_cli(*args, cwd=cwd)
    exe = Path(sys.executable).parent / args[0]
    try:
        return subprocess.run(
            [str(exe), *args[1:]], cwd=cwd, capture_output=True, text=True, timeout=300,
            preexec_fn=_drop_root_overrides,
        )
    except subprocess.SubprocessError as e:  # pragma: no cover - a container without CAP_SETPCAP
        pytest.skip(f"cannot drop root's file-permission override: {e}")
