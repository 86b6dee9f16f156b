"""The plugin through the real flake8 CLI: paths, stdin, -j, config discovery, noqa."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import BASE_FILES, run_cli, write_tree

GF_MESSAGE = "SOT002 call of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user"
USE = "from legacy.factory import get_factory\n\n\ndef handler():\n    return get_factory()\n"
EXPECTED = [
    "1:28: SOT001 import of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user",
    f"5:12: {GF_MESSAGE}",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(tmp_path, {**BASE_FILES, "app/__init__.py": "", "app/handlers.py": USE})
    return tmp_path


def expected(prefix: str) -> str:
    return "".join(f"{prefix}{line}\n" for line in EXPECTED)


@pytest.mark.parametrize(
    ("cwd", "target", "prefix"),
    [
        pytest.param(".", "app", "app/handlers.py:", id="directory"),
        pytest.param(".", "app/handlers.py", "app/handlers.py:", id="relative file"),
        pytest.param("app", "handlers.py", "handlers.py:", id="from a subfolder"),
        pytest.param("app", ".", "./handlers.py:", id="subfolder dot"),
    ],
)
def test_paths_as_given(project: Path, cwd: str, target: str, prefix: str) -> None:
    result = run_cli("flake8", "--select", "SOT", target, cwd=project / cwd)
    assert (result.stdout, result.stderr, result.returncode) == (expected(prefix), "", 1)


def test_absolute_path(project: Path) -> None:
    target = str(project / "app" / "handlers.py")
    result = run_cli("flake8", "--select", "SOT", target, cwd=project)
    assert result.stdout == expected(f"{target}:")


@pytest.mark.parametrize("display", ["app/handlers.py", "ABS"], ids=["relative display name", "absolute display name"])
@pytest.mark.parametrize("cwd", [".", "app"], ids=["root cwd", "subfolder cwd"])
def test_stdin_as_editors_run_it(project: Path, display: str, cwd: str) -> None:
    name = str(project / "app/handlers.py") if display == "ABS" else display
    if cwd == "app" and display != "ABS":
        name = "handlers.py"
    result = run_cli(
        "flake8", "--select", "SOT", "--stdin-display-name", name, "-", cwd=project / cwd, stdin=USE + "x = 1\n"
    )
    assert result.stdout == expected(f"{name}:")


def test_stdin_lints_the_unsaved_buffer_not_the_file(project: Path) -> None:
    result = run_cli(
        "flake8", "--select", "SOT", "--stdin-display-name", "app/handlers.py", "-",
        cwd=project, stdin="def handler():\n    return 1\n",
    )
    assert (result.stdout, result.returncode) == ("", 0)


def test_parallel_matches_serial(project: Path) -> None:
    for i in range(12):
        write_tree(project, {f"app/m{i}.py": USE})
    serial = run_cli("flake8", "--select", "SOT", "-j", "1", ".", cwd=project)
    parallel = run_cli("flake8", "--select", "SOT", "-j", "2", ".", cwd=project)
    assert serial.stdout == parallel.stdout
    assert serial.stdout.count("SOT002") == 13


def test_noqa_is_honoured(project: Path) -> None:
    write_tree(project, {"app/handlers.py": USE.replace("get_factory()\n", "get_factory()  # noqa: SOT002\n")})
    result = run_cli("flake8", "--select", "SOT", "app/handlers.py", cwd=project)
    assert result.stdout == f"app/handlers.py:{EXPECTED[0]}\n"
    disabled = run_cli("flake8", "--select", "SOT", "--disable-noqa", "app/handlers.py", cwd=project)
    assert disabled.stdout == expected("app/handlers.py:")


def test_unused_noqa_is_reported(project: Path) -> None:
    write_tree(project, {
        "app/clean.py": "x = 1  # noqa: SOT001\ny = 2  # noqa: E501,SOT003\n"
        "z = '# noqa: SOT002 (prose, not a comment)'\n"
    })
    result = run_cli("flake8", "--select", "SOT", "app/clean.py", cwd=project)
    assert result.stdout == (
        "app/clean.py:1:8: SOT903 unused noqa: no SOT001 use on this line\n"
        "app/clean.py:2:8: SOT903 unused noqa: no SOT003 use on this line\n"
    )


def test_no_configuration_reports_nothing(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.py": "import legacy.factory\n"})
    result = run_cli("flake8", "--select", "SOT", ".", cwd=tmp_path)
    assert (result.stdout, result.stderr, result.returncode) == ("", "", 0)


def test_configuration_without_rules_reports_nothing(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[tool.flake8-ssot]\n", "m.py": "import legacy.factory\n"})
    result = run_cli("flake8", "--select", "SOT", ".", cwd=tmp_path)
    assert (result.stdout, result.stderr, result.returncode) == ("", "", 0)


def test_monorepo_finds_each_subprojects_configuration(tmp_path: Path) -> None:
    """pre-commit runs from the git root, which has no configuration of its own."""
    rules = '[[tool.flake8-ssot.rules]]\nname = "{n}"\ndeprecated = ["{d}"]\n'
    write_tree(tmp_path, {
        "one/pyproject.toml": rules.format(n="old-json", d="simplejson"),
        "one/a.py": "import simplejson\nimport optparse\n",
        "two/pyproject.toml": rules.format(n="old-cli", d="optparse"),
        "two/b.py": "import simplejson\nimport optparse\n",
    })
    result = run_cli("flake8", "--select", "SOT", "one/a.py", "two/b.py", cwd=tmp_path)
    assert result.stdout == (
        "one/a.py:1:8: SOT001 import of deprecated simplejson\n"
        "two/b.py:2:8: SOT001 import of deprecated optparse\n"
    )


def test_monorepo_bad_subproject_config_is_one_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"one/pyproject.toml": "[tool.flake8-ssot]\nrulez = 1\n", "one/a.py": "x = 1\n"})
    result = run_cli("flake8", "--select", "SOT", "one/a.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"flake8-ssot: {tmp_path}/one/pyproject.toml: tool.flake8-ssot.rulez: unknown key "
        "(expected one of: allowlist, cache, discover, exclude, python-environment, rules, src)\n"
    )
    assert result.stdout == ""


def test_config_found_per_file_below_a_directory_argument(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "sub/pyproject.toml": '[[tool.flake8-ssot.rules]]\nname = "x"\ndeprecated = ["optparse"]\n',
        "sub/pkg/a.py": "import optparse\n",
        "broken/pyproject.toml": "[tool.flake8-ssot]\nrules = 3\n",
        "broken/b.py": "x = 1\n",
    })
    result = run_cli("flake8", "--select", "SOT", ".", cwd=tmp_path)
    assert result.stdout == (
        f"./broken/b.py:1:1: SOT900 configuration error: {tmp_path}/broken/pyproject.toml: "
        "tool.flake8-ssot.rules: expected an array of tables\n"
        "./sub/pkg/a.py:1:8: SOT001 import of deprecated optparse\n"
    )


def test_explicit_config_option(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "conf/ssot.toml": '[[tool.flake8-ssot.rules]]\nname = "x"\ndeprecated = ["optparse"]\n',
        "conf/a.py": "import optparse\n",
    })
    result = run_cli("flake8", "--select", "SOT", "--ssot-config", "conf/ssot.toml", "conf/a.py", cwd=tmp_path)
    assert result.stdout == "conf/a.py:1:8: SOT001 import of deprecated optparse\n"


def test_exempt_globs_key_on_the_root_relative_path(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[[tool.flake8-ssot.rules]]\nname = "x"\ndeprecated = ["optparse"]\n'
        'exempt = ["scripts/**"]\n',
        "scripts/tool/a.py": "import optparse\n",
        "app/a.py": "import optparse\n",
    })
    result = run_cli("flake8", "--select", "SOT", ".", cwd=tmp_path / "scripts")
    assert result.stdout == ""
    stdin = run_cli(
        "flake8", "--select", "SOT", "--stdin-display-name", str(tmp_path / "scripts/tool/a.py"), "-",
        cwd=tmp_path / "app", stdin="import optparse\n",
    )
    assert stdin.stdout == ""
    result = run_cli("flake8", "--select", "SOT", ".", cwd=tmp_path)
    assert result.stdout == "./app/a.py:1:8: SOT001 import of deprecated optparse\n"


def test_rule_message_and_replacement_in_the_message(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[[tool.flake8-ssot.rules]]\nname = "x"\ndeprecated = ["optparse.OptionParser"]\n'
        'replacement = "argparse.ArgumentParser"\nmessage = "argparse is the SSOT"\n',
        "a.py": "import optparse\noptparse.OptionParser()\n",
        "b.py": "",
    })
    result = run_cli("flake8", "--select", "SOT", "a.py", cwd=tmp_path)
    assert result.stdout == (
        "a.py:2:1: SOT002 call of deprecated optparse.OptionParser; use argparse.ArgumentParser "
        "(argparse is the SSOT)\n"
    )


@pytest.mark.parametrize("stdin", [pytest.param(False, id="files"), pytest.param(True, id="stdin")])
def test_an_unconfigured_project_imports_no_engine(tmp_path: Path, stdin: bool) -> None:
    # Installed globally, the plugin runs in every project: without a configuration it must
    # cost flake8 next to nothing (`-X importtime` lists every module imported).
    write_tree(tmp_path, {"app/mod.py": "from legacy.factory import get_factory\n\nget_factory()\n"})
    args = ("--stdin-display-name", "app/mod.py", "-") if stdin else ("app",)
    result = run_cli("flake8", *args, cwd=tmp_path, stdin=(tmp_path / "app/mod.py").read_text() if stdin else None,
                     env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert (result.returncode, result.stdout) == (0, "")
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "import time:" in line}
    assert "flake8_ssot.discovery" in imported  # the plugin ran and looked for a configuration
    assert {m for m in imported if m.startswith("flake8_ssot.")} <= {
        "flake8_ssot.plugin", "flake8_ssot.discovery", "flake8_ssot.paths"
    }
