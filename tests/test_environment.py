"""The project's Python environment, read and never run (issue 23, point 3).

The forms that need a dependency's source (a re-export by an installed package, what its
factory returns, the members its classes inherit) give the same findings wherever the linter
runs once the analysis reads the project's environment: found as a user expects (an active
VIRTUAL_ENV, a .venv next to the configuration) or named by the setting or the flag. The
environment's interpreter is never started and its .pth files' import lines never run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import run_cli, write_tree

CONFIG = """
    [tool.flake8-ssot]

    [[tool.flake8-ssot.rules]]
    name = "old"
    deprecated = ["extpkg._old.old_func", "extpkg.factory.Old.go"]
    replacement = "extpkg.new_func"
"""
EXTPKG = {
    "extpkg/__init__.py": "from extpkg._old import old_func\nfrom extpkg.factory import Base, make\n",
    "extpkg/_old.py": "def old_func():\n    return 1\n",
    "extpkg/factory.py": "class Old:\n    def go(self):\n        return 1\n\n\nclass Base(Old):\n    pass\n\n\n"
                         "def make():\n    return Old()\n",
}
USE = "import extpkg\nfrom extpkg import old_func\n\nold_func()\nx = extpkg.make()\nx.go()\nextpkg.Base().go()\n"
NEEDS_SOURCE = [
    "use.py:2:20: SOT001 import of deprecated extpkg._old.old_func (as extpkg.old_func); use extpkg.new_func",
    "use.py:4:1: SOT002 call of deprecated extpkg._old.old_func (as extpkg.old_func); use extpkg.new_func",
    "use.py:6:1: SOT002 call of deprecated extpkg.factory.Old.go (via x); use extpkg.new_func",
    "use.py:7:1: SOT002 call of deprecated extpkg.factory.Old.go (via extpkg.Base()); use extpkg.new_func",
]


def site_packages(env: Path) -> Path:
    return env / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"


def make_env(env: Path, extra: dict[str, str] | None = None) -> Path:
    """A real virtual environment (no pip) holding extpkg and ``extra`` files in site-packages."""
    venv.create(env, with_pip=False)
    write_tree(site_packages(env), {**EXTPKG, **(extra or {})})
    return env


def check(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, list[str], str]:
    result = run_cli("flake8-ssot", "check", "--no-cache", *args, ".", cwd=cwd, env={
        "VIRTUAL_ENV": "", "CONDA_PREFIX": "", **(env or {}),
    })
    return result.returncode, result.stdout.splitlines(), result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_tree(root, {"pyproject.toml": CONFIG, "use.py": USE})
    return root


@pytest.mark.parametrize(
    ("layout", "args", "variables", "found"),
    [
        pytest.param(".venv", (), {}, True, id="a .venv next to the configuration"),
        pytest.param("venv", (), {}, True, id="a venv next to the configuration"),
        pytest.param("../outside", (), {"VIRTUAL_ENV": "{env}"}, True, id="an active VIRTUAL_ENV"),
        pytest.param("../outside", ("--python-environment", "{env}"), {}, True, id="the flag"),
        pytest.param("../outside", ("--python-environment", "{env}/bin/python"), {}, True,
                     id="the flag naming the interpreter"),
        pytest.param("envs/py", (), {}, False, id="an environment nothing points at"),
        pytest.param(".venv", ("--python-environment", ""), {}, False, id="the flag turning it off"),
        pytest.param(None, (), {}, False, id="no environment"),
    ],
)
def test_forms_that_need_a_dependencys_source_read_the_projects_environment(
    project: Path, layout: str | None, args: tuple[str, ...], variables: dict[str, str], found: bool
) -> None:
    env = make_env(project / layout) if layout is not None else project / ".venv"
    args = tuple(a.replace("{env}", str(env)) for a in args)
    variables = {k: v.replace("{env}", str(env)) for k, v in variables.items()}
    assert check(project, *args, env=variables) == ((1, NEEDS_SOURCE, "") if found else (0, [], ""))


@pytest.mark.parametrize(
    ("setting", "found"),
    [
        pytest.param('python-environment = "envs/py"', True, id="relative to the project root"),
        pytest.param('python-environment = "envs/py/bin/python"', True, id="its interpreter"),
        pytest.param("python-environment = false", False, id="false: the linter's own interpreter"),
    ],
)
def test_the_setting_names_the_environment(project: Path, setting: str, found: bool) -> None:
    make_env(project / "envs/py")
    make_env(project / ".venv")  # the default, overridden by the setting
    (project / "pyproject.toml").write_text(f"[tool.flake8-ssot]\n{setting}\n" + CONFIG.replace(
        "    [tool.flake8-ssot]\n", "").replace("\n    ", "\n"))
    assert check(project) == ((1, NEEDS_SOURCE, "") if found else (0, [], ""))


def test_the_flake8_plugin_reads_the_same_environment(project: Path, tmp_path: Path) -> None:
    env = make_env(tmp_path / "outside")
    flake8 = run_cli("flake8", "--select", "SOT", "--ssot-python-environment", str(env), "use.py", cwd=project,
                     env={"VIRTUAL_ENV": ""})
    assert (flake8.returncode, flake8.stdout.splitlines(), flake8.stderr) == (1, NEEDS_SOURCE, "")
    make_env(project / ".venv")
    flake8 = run_cli("flake8", "--select", "SOT", "use.py", cwd=project, env={"VIRTUAL_ENV": ""})
    assert (flake8.returncode, flake8.stdout.splitlines(), flake8.stderr) == (1, NEEDS_SOURCE, "")


def test_the_environment_is_read_never_run(project: Path, tmp_path: Path) -> None:
    """A pull request may ship a .venv: its interpreter and its .pth files' code never run."""
    ran = tmp_path / "ran"
    env = make_env(project / ".venv", {
        "evil.pth": f"import os; open({str(ran / 'pth')!r}, 'w').close()\n{tmp_path / 'elsewhere'}\n",
    })
    ran.mkdir()
    for name in ("python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"):
        interpreter = env / "bin" / name
        interpreter.unlink()
        interpreter.write_text(f"#!/bin/sh\ntouch {ran / name}\n")
        interpreter.chmod(0o755)
    # A path line of a .pth file counts: a module there is read too.
    write_tree(tmp_path, {"elsewhere/extpkg2.py": "from extpkg._old import old_func\n"})
    write_tree(project, {"use2.py": "from extpkg2 import old_func\n"})
    expected = [*NEEDS_SOURCE, "use2.py:1:21: SOT001 import of deprecated extpkg._old.old_func (as extpkg2.old_func);"
                " use extpkg.new_func"]
    assert check(project) == (1, expected, "")
    assert check(project, "--python-environment", str(env / "bin" / "python")) == (1, expected, "")
    flake8 = run_cli("flake8", "--select", "SOT", "use.py", cwd=project, env={"VIRTUAL_ENV": ""})
    assert (flake8.returncode, flake8.stdout.splitlines()) == (1, NEEDS_SOURCE)
    assert sorted(os.listdir(ran)) == []


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        pytest.param('python-environment = "missing"', "'missing' does not exist", id="missing"),
        pytest.param('python-environment = "use.py"',
                     "'use.py' is not a Python environment (no pyvenv.cfg, no lib/pythonX.Y in it)", id="a file"),
        pytest.param('python-environment = "."',
                     "'.' is not a Python environment (no pyvenv.cfg, no lib/pythonX.Y in it)", id="a folder"),
        pytest.param("python-environment = true", "expected the path of a Python environment, or false",
                     id="true"),
        pytest.param('python-environment = ""', "expected the path of a Python environment, or false", id="empty"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(project: Path, setting: str, message: str) -> None:
    text = CONFIG.replace("    [tool.flake8-ssot]\n", f"    [tool.flake8-ssot]\n    {setting}\n")
    write_tree(project, {"pyproject.toml": text})
    expected = f"flake8-ssot: {project / 'pyproject.toml'}: tool.flake8-ssot.python-environment: {message}\n"
    for command in (["flake8-ssot", "check"], ["flake8", "--select", "SOT"]):
        result = run_cli(*command, ".", cwd=project)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", expected), command


def test_a_bad_flag_is_one_line_and_exit_2(project: Path) -> None:
    result = run_cli("flake8-ssot", "check", "--python-environment", "nowhere", ".", cwd=project)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "flake8-ssot: --python-environment: 'nowhere' does not exist\n"
    )
    result = run_cli("flake8", "--select", "SOT", "--ssot-python-environment", "use.py", ".", cwd=project)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "flake8-ssot: --ssot-python-environment: 'use.py' is not a Python environment "
        "(no pyvenv.cfg, no lib/pythonX.Y in it)\n"
    )


def test_an_ini_configuration_names_the_environment(tmp_path: Path) -> None:
    make_env(tmp_path / "envs/py")
    write_tree(tmp_path, {
        "setup.cfg": "[flake8]\nssot-rules = old: extpkg._old.old_func -> extpkg.new_func\n"
                     "ssot-python-environment = envs/py\n",
        "use.py": "from extpkg import old_func\n",
    })
    assert check(tmp_path) == (1, [
        "use.py:1:20: SOT001 import of deprecated extpkg._old.old_func (as extpkg.old_func); use extpkg.new_func"
    ], "")


def test_false_in_a_flake8_ini_file_turns_the_environment_off(tmp_path: Path) -> None:
    make_env(tmp_path / ".venv")
    write_tree(tmp_path, {
        "setup.cfg": "[flake8]\nssot-rules = old: extpkg._old.old_func\nssot-python-environment = false\n",
        "use.py": "from extpkg import old_func\n",
    })
    for command in (["flake8", "--select", "SOT"], ["flake8-ssot", "check", "--no-cache"]):
        result = run_cli(*command, "use.py", cwd=tmp_path, env={"VIRTUAL_ENV": ""})
        assert (result.returncode, result.stdout, result.stderr) == (0, "", ""), command
    (tmp_path / "setup.cfg").write_text("[flake8]\nssot-rules = old: extpkg._old.old_func\n")
    result = run_cli("flake8", "--select", "SOT", "use.py", cwd=tmp_path, env={"VIRTUAL_ENV": ""})
    assert (result.returncode, result.stdout) == (
        1, "use.py:1:20: SOT001 import of deprecated extpkg._old.old_func (as extpkg.old_func)\n"
    )


def test_the_search_path_is_the_one_the_interpreter_would_have(tmp_path: Path) -> None:
    """Read from the files, the environment's path is what its interpreter reports (minus the
    zip archive and the current directory, which hold no installed package)."""
    from flake8_ssot import sources

    env = make_env(tmp_path / "env", {"paths.pth": f"{tmp_path / 'extra'}\n# a comment\nimport os\n"})
    (tmp_path / "extra").mkdir()
    reported = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import sys; print('\\n'.join(sys.path))"],
        capture_output=True, text=True, check=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    ).stdout.splitlines()
    expected = [p for p in reported if p and os.path.isdir(p)]
    os.environ.pop("PYTHONPATH", None)
    assert list(sources.environment_path(str(env))) == expected


def test_fix_finds_the_replacements_module_in_the_projects_environment(project: Path) -> None:
    """A fix template may name a module installed only in the project's environment."""
    write_tree(project, {
        "pyproject.toml": CONFIG + """
            [[tool.flake8-ssot.rules.fix]]
            pattern = "old_func()"
            replace = "extpkg.factory.make()"
        """,
        "use.py": "from extpkg._old import old_func\n\nold_func()\n",
    })
    make_env(project / ".venv")
    variables = {"VIRTUAL_ENV": "", "CONDA_PREFIX": ""}
    fixed = run_cli("flake8-ssot", "fix", "--no-cache", "-q", ".", cwd=project, env=variables)
    assert (fixed.returncode, fixed.stderr) == (0, "")
    assert (project / "use.py").read_text() == "from extpkg.factory import make\n\nmake()\n"
    (project / "use.py").write_text("from extpkg._old import old_func\n\nold_func()\n")
    refused = run_cli("flake8-ssot", "fix", "--no-cache", "--python-environment", "", ".", cwd=project, env=variables)
    assert (refused.returncode, refused.stdout, refused.stderr) == (2, "", (
        f"flake8-ssot: {project / 'pyproject.toml'}: tool.flake8-ssot.rules[0].fix[0].replace: "
        "'extpkg.factory.make': extpkg is neither the rule's replacement (new_func...) nor a module of the project "
        "or an installed one; write the name in full (package.module.Name...)\n"
    ))


def test_a_file_reading_the_environment_is_cached_until_the_environment_changes(
    project: Path, ssot: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-file results record where each outside module was found in the project's
    environment, and are reused while it is found there again (not on this interpreter's path)."""
    from flake8_ssot import cache, engine

    env = make_env(project / ".venv")
    analyzed: list[str] = []
    detect = engine.Project.detect
    monkeypatch.setattr(engine.Project, "detect", lambda self, rel, *a: analyzed.append(rel) or detect(self, rel, *a))
    monkeypatch.setattr(cache, "RACY_NS", 0)  # no wait for settled files: what a run cached is trusted
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    first = ssot("check", "-j", "1", ".", cwd=project)
    assert (first[0], first[1].splitlines()) == (1, NEEDS_SOURCE)
    analyzed.clear()
    # Another command line (no replay of the last run's output): the file's cached findings.
    assert ssot("check", "-j", "1", "use.py", cwd=project) == first
    assert analyzed == []
    # The package upgraded in place: it no longer re-exports the deprecated function.
    upgraded = "from extpkg.factory import Base, make\n\n\ndef old_func():\n    return 2\n"
    write_tree(site_packages(env), {"extpkg/__init__.py": upgraded})
    after = ssot("check", "-j", "1", "use.py", cwd=project)
    assert analyzed == ["use.py"]
    assert after[1].splitlines() == NEEDS_SOURCE[2:]
