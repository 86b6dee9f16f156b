from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

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
