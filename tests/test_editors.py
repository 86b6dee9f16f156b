"""Editors lint unsaved buffers through flake8's stdin mode: everything keys on the display name.

Configuration discovery, rule exemptions and the allowlist must see the same root-relative
path whether the editor passes the name relative to its cwd or absolute, from the project
root, a subfolder, outside the project, or through a symlink.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import run_cli, write_tree

BUFFER = "from legacy.factory import get_factory\n\nget_factory()\n"
FINDINGS = [
    "1:28: SOT001 import of deprecated legacy.factory.get_factory; use core.ws.Manager",
    "3:1: SOT002 call of deprecated legacy.factory.get_factory; use core.ws.Manager",
]
PROJECT = {
    "pyproject.toml": """
        [tool.flake8-ssot]
        allowlist = "ssot-allowlist.toml"

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
        replacement = "core.ws.Manager"
        exempt = ["generated/**"]
    """,
    "ssot-allowlist.toml": """
        [[allow]]
        path = "app/old.py"
        rule = "factory"
        reason = "migrated in PLAT-12"
    """,
    "legacy/__init__.py": "",
    "legacy/factory.py": "def get_factory():\n    return None\n",
    "app/__init__.py": "",
    # On disk the allowlisted file is clean; the editor's buffer holds the uses.
    "app/old.py": "VALUE = 1\n",
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """``proj/`` is the project; ``link`` points at it; the tmp dir itself is outside it."""
    write_tree(tmp_path / "proj", PROJECT)
    (tmp_path / "link").symlink_to(tmp_path / "proj", target_is_directory=True)
    return tmp_path


# (where the editor runs, how it names the buffer) for a buffer at proj/<file>.
SPELLINGS = [
    pytest.param("proj", "{file}", id="root cwd, relative"),
    pytest.param("proj", "{abs}", id="root cwd, absolute"),
    pytest.param("proj/app", "{from_app}", id="subfolder cwd, relative"),
    pytest.param(".", "proj/{file}", id="outside cwd, relative"),
    pytest.param(".", "{abs}", id="outside cwd, absolute"),
    pytest.param(".", "{link}", id="outside cwd, through a symlink"),
    pytest.param("proj", "{link}", id="root cwd, name through a symlink"),
]


@pytest.mark.parametrize(("cwd", "spelling"), SPELLINGS)
@pytest.mark.parametrize(
    ("file", "flagged"),
    [
        pytest.param("app/new.py", True, id="new file"),
        pytest.param("app/old.py", False, id="allowlisted"),
        pytest.param("generated/api.py", False, id="exempt"),
    ],
)
def test_stdin_keys_on_the_display_name(workspace: Path, cwd: str, spelling: str, file: str, flagged: bool) -> None:
    name = spelling.format(
        file=file,
        abs=workspace / "proj" / file,
        link=workspace / "link" / file,
        from_app=os.path.relpath(file, "app"),
    )
    result = run_cli("flake8", "--stdin-display-name", name, "-", cwd=workspace / cwd, stdin=BUFFER)
    expected = "".join(f"{name}:{line}\n" for line in FINDINGS) if flagged else ""
    assert (result.stdout, result.stderr, result.returncode) == (expected, "", 1 if flagged else 0)


def test_stdin_of_a_deprecated_module_itself_is_exempt(workspace: Path) -> None:
    result = run_cli(
        "flake8", "--stdin-display-name", str(workspace / "proj/legacy/factory.py"), "-",
        cwd=workspace, stdin="import legacy.factory\n\nlegacy.factory.get_factory()\n",
    )
    assert (result.stdout, result.returncode) == ("", 0)


IN_PROCESS = textwrap.dedent(
    """
    # What VS Code's flake8 extension does: run flake8's __main__ again and again in its own
    # long-lived process (runpy), with the buffer on a replaced stdin.
    import contextlib, io, pathlib, runpy, sys

    def lint(source):
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        sys.argv = ["flake8", "--stdin-display-name", str(pathlib.Path("app/new.py").resolve()), "-"]
        sys.stdin = io.TextIOWrapper(io.BytesIO(source.encode()), encoding="utf-8")
        with contextlib.suppress(SystemExit), contextlib.redirect_stdout(out):
            runpy.run_module("flake8", run_name="__main__")
        out.seek(0)
        return out.read()

    buffer = sys.argv[1]
    config, off = pathlib.Path("pyproject.toml"), pathlib.Path("pyproject.toml.off")
    config.rename(off)
    print("no configuration:", lint(buffer).count("SOT0"))
    off.rename(config)
    print("configuration added:", lint(buffer).count("SOT0"))
    config.rename(off)
    print("configuration removed:", lint(buffer).count("SOT0"))
    """
)


def test_a_long_lived_process_sees_configuration_changes(workspace: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, BUFFER], cwd=workspace / "proj", capture_output=True, text=True, timeout=120
    )
    assert (result.stdout, result.stderr) == (
        "no configuration: 0\nconfiguration added: 2\nconfiguration removed: 0\n", ""
    )
