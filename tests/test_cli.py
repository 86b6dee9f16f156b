"""The command line a ruff or flake8 user expects, run as they run it (a real process each time).

Where flake8 has the flag (``--statistics``, ``--show-source``, ``--select``, stdin), the
reference is flake8 itself running the plugin on the same files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import HERE, run_cli, write_tree
from flake8_ssot import __version__, clidoc

PROJECT = {
    "pyproject.toml": """
        [tool.flake8-ssot]
        allowlist = "allow.toml"
        exclude = ["skip/"]

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
        replacement = "core.Manager"
        message = '''
        per-user
        isolation'''
        exempt = ["app/exempt.py"]
    """,
    "allow.toml": '[[allow]]\npath = "app/old.py"\nrule = "factory"\n',
    "legacy/__init__.py": "",
    "legacy/factory.py": "def get_factory():\n    return None\n",
    "app/__init__.py": "",
    "app/a.py": "from legacy.factory import get_factory\n\nget_factory()\n",
    "app/b.py": "import legacy.factory\n\nx = legacy.factory.get_factory  # noqa: SOT003\n",
    "app/old.py": "from legacy.factory import get_factory\n",
    "app/exempt.py": "from legacy.factory import get_factory\n",
    "skip/s.py": "from legacy.factory import get_factory\n",
}
MSG = "legacy.factory.get_factory; use core.Manager (per-user isolation)"
A1 = f"app/a.py:1:28: SOT001 import of deprecated {MSG}"
A3 = f"app/a.py:3:1: SOT002 call of deprecated {MSG}"
B1 = "app/b.py:1:8: SOT001 import of deprecated legacy.factory; use core.Manager (per-user isolation)"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_tree(root, PROJECT)
    return root


def ssot(*args: str, cwd: Path, stdin: str | None = None) -> tuple[int, str, str]:
    result = run_cli("flake8-ssot", *args, cwd=cwd, stdin=stdin)
    return result.returncode, result.stdout, result.stderr


def flake8(*args: str, cwd: Path, stdin: str | None = None) -> str:
    result = run_cli("flake8", "--select", "SOT", *args, cwd=cwd, stdin=stdin)
    assert result.stderr == ""
    return result.stdout.replace("./", "")


EXPECTED = f"{A1}\n{A3}\n{B1}\n"


@pytest.mark.parametrize(
    ("args", "code", "out"),
    [
        pytest.param([], 1, EXPECTED, id="plain"),
        pytest.param(["--exit-zero"], 0, EXPECTED, id="--exit-zero"),
        pytest.param(["-j", "auto"], 1, EXPECTED, id="-j auto"),
        pytest.param(["-j", "1"], 1, EXPECTED, id="-j 1"),
        pytest.param(["-q"], 1, "app/a.py\napp/b.py\n", id="-q: file names"),
        pytest.param(["-qq"], 1, "", id="-qq: nothing"),
        pytest.param(["--select", "SOT002"], 1, f"{A3}\n", id="--select"),
        pytest.param(["--select", "SOT001,SOT002"], 1, EXPECTED, id="--select a list"),
        pytest.param(["--ignore", "SOT001"], 1, f"{A3}\n", id="--ignore"),
        pytest.param(["--select", "SOT", "--ignore", "SOT00"], 0, "", id="longer prefix wins: ignore"),
        pytest.param(["--select", "SOT001", "--ignore", "SOT0"], 1, f"{A1}\n{B1}\n", id="longer prefix wins: select"),
        pytest.param(
            ["--select", "SOT002", "--extend-select", "SOT001"], 1, EXPECTED, id="--extend-select"
        ),
        pytest.param(["--no-cache"], 1, EXPECTED, id="--no-cache"),
        pytest.param(["app/a.py", "skip/s.py"], 1, f"{A1}\n{A3}\n", id="named files, exclude applies"),
        pytest.param(["--ssot-config", "pyproject.toml"], 1, EXPECTED, id="--ssot-config after the verb"),
    ],
)
def test_flags(project: Path, args: list[str], code: int, out: str) -> None:
    assert ssot("check", *args, cwd=project) == (code, out, "")


def test_ssot_config_before_and_after_the_verb(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = str(project / "pyproject.toml")
    expected = (1, EXPECTED.replace("app/", "../project/app/"), "")
    assert ssot("--ssot-config", config, "check", "../project", cwd=elsewhere) == expected
    assert ssot("check", "../project", "--ssot-config", config, cwd=elsewhere) == expected


@pytest.mark.parametrize(
    ("args", "error"),
    [
        pytest.param(["check", "nope.py"], "nope.py: no such file or directory", id="nonexistent path"),
        pytest.param(
            ["check", "-j", "0"], "argument -j/--jobs: expected a positive number of processes or 'auto', got '0'",
            id="-j 0",
        ),
        pytest.param(
            ["check", "--format", "xml"],
            "argument --format: unknown format 'xml' (expected one of: github, json, sarif, text)",
            id="unknown format",
        ),
        pytest.param(
            ["report", "--format", "xml"],
            "argument --format: unknown format 'xml' (expected one of: json, markdown, text)",
            id="unknown report format",
        ),
        pytest.param(
            ["check", "--select", "sot1"],
            "argument --select: not a code prefix: 'sot1' (expected letters then digits, such as SOT or SOT002)",
            id="bad code prefix",
        ),
        pytest.param(["check", "--bogus"], "unrecognized arguments: --bogus", id="unknown option"),
        pytest.param(
            ["check", "-", "app"], "- (standard input) cannot be mixed with other paths", id="stdin and paths"
        ),
        pytest.param(["discover", "nope.py"], "nope.py: no such file or directory", id="discover nonexistent path"),
        pytest.param(
            ["discover", "--format", "sarif"],
            "argument --format: unknown format 'sarif' (expected one of: text, json, toml)",
            id="unknown discover format",
        ),
        pytest.param(
            ["baseline", "-j", "0"], "argument -j/--jobs: expected a positive number of processes or 'auto', got '0'",
            id="baseline -j 0",
        ),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(project: Path, args: list[str], error: str) -> None:
    assert ssot(*args, cwd=project) == (2, "", f"flake8-ssot: {error}\n")


@pytest.mark.parametrize("verb", ["check", "baseline", "report", "plan", "export", "fix", "discover"])
def test_version_on_every_verb(project: Path, verb: str) -> None:
    assert ssot(verb, "--version", cwd=project) == (0, f"flake8-ssot {__version__}\n", "")
    assert ssot("--version", cwd=project) == (0, f"flake8-ssot {__version__}\n", "")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_output_file_any_format(project: Path, fmt: str) -> None:
    shown = ssot("check", "--format", fmt, cwd=project)
    assert ssot("check", "--format", fmt, "-o", "out.txt", cwd=project) == (1, "", "")
    assert (project / "out.txt").read_text() == shown[1]
    # Never replayed from a warm snapshot: the file is written again.
    (project / "out.txt").unlink()
    assert ssot("check", "--format", fmt, "--output-file", "out.txt", cwd=project) == (1, "", "")
    assert (project / "out.txt").read_text() == shown[1]


def test_output_file_that_cannot_be_written(project: Path) -> None:
    assert ssot("check", "-o", "no/such/dir/out.txt", cwd=project) == (
        2, "", "flake8-ssot: no/such/dir/out.txt: cannot write: No such file or directory\n"
    )


def test_statistics_and_show_source_as_flake8_prints_them(project: Path) -> None:
    write_tree(project, {
        # A statement over several lines (flake8 shows them all), a string target, a tab,
        # non-ASCII before the use (flake8 counts the caret in characters up to a byte offset),
        # a multi-line string, no final newline.
        "app/c.py": "import legacy.factory\nx = print(\n    '\u00e9', legacy.factory.get_factory(),\n)\n"
                    'y = """\nlegacy.factory.get_factory\n"""\nif x:\n\tz = legacy.factory',
        "app/d.py": "from unittest import mock\n\n\n@mock.patch(\n    'legacy.factory.get_factory'\n)\n"
                    "def t(m):\n    pass\n",
    })
    for flags in (["--statistics"], ["--show-source"], ["--show-source", "--statistics"]):
        code, out, err = ssot("check", *flags, cwd=project)
        assert (code, out, err) == (1, flake8(*flags, ".", cwd=project), ""), flags
    assert ssot("check", "--statistics", "app/a.py", "app/b.py", cwd=project)[1].endswith(
        f"2     SOT001 import of deprecated {MSG}\n1     SOT002 call of deprecated {MSG}\n"
    )


def test_stdin_is_checked_under_its_file_name(project: Path) -> None:
    """Configuration, exemptions, exclude and the allowlist all key on --stdin-filename."""
    text = "from legacy.factory import get_factory\n"
    for name, expected in [
        ("app/new.py", f"app/new.py:1:28: SOT001 import of deprecated {MSG}\n"),
        ("app/exempt.py", ""),
        ("app/old.py", ""),
        ("skip/x.py", ""),
    ]:
        plugin = flake8("--stdin-display-name", name, "-", cwd=project, stdin=text)
        assert plugin == expected, name
        assert ssot("check", "--stdin-filename", name, "-", cwd=project, stdin=text) == (
            1 if expected else 0, expected, ""
        ), name
    # From another folder, printed as given (relative to the cwd); never replayed.
    assert ssot("check", "--stdin-filename", "new.py", "-", cwd=project / "app", stdin=text)[1] == (
        f"new.py:1:28: SOT001 import of deprecated {MSG}\n"
    )
    assert ssot("check", "--stdin-filename", "new.py", "-", cwd=project / "app", stdin="x = 1\n") == (0, "", "")


def test_stdin_under_no_configuration_says_nothing(tmp_path: Path) -> None:
    assert ssot("check", "-", cwd=tmp_path, stdin="import os\n") == (0, "", "")


def test_no_cache_writes_no_cache_directory(project: Path) -> None:
    assert ssot("check", "--no-cache", cwd=project)[0] == 1
    assert not (project / ".flake8-ssot-cache").exists()


def test_cache_location(project: Path, tmp_path: Path) -> None:
    config = project / "pyproject.toml"
    config.write_text(config.read_text().replace('exclude = ["skip/"]', 'exclude = ["skip/"]\ncache = "build/cache"'))
    assert ssot("check", cwd=project) == (1, EXPECTED, "")
    assert not (project / ".flake8-ssot-cache").exists()
    assert {"files.json", "index.json", "results.json"} <= set(os.listdir(project / "build" / "cache"))
    elsewhere = tmp_path / "cache"
    assert ssot("check", "--cache-dir", str(elsewhere), cwd=project) == (1, EXPECTED, "")
    (sub,) = os.listdir(elsewhere)
    assert sub.startswith("project-") and "results.json" in os.listdir(elsewhere / sub)


def test_a_message_over_several_lines_prints_on_one(project: Path) -> None:
    """The rule's message is a multi-line TOML string: one line per finding in every face."""
    assert flake8("app/a.py", cwd=project) == f"{A1}\n{A3}\n"
    assert ssot("check", "app/a.py", cwd=project)[1] == f"{A1}\n{A3}\n"
    (found, _) = json.loads(ssot("check", "--format", "json", "app/a.py", cwd=project)[1])
    assert found["message"] == f"import of deprecated {MSG}"


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["."], id="flake8 ."),
        pytest.param(["skip/s.py"], id="flake8 skip/s.py (named)"),
        pytest.param(["skip"], id="flake8 skip (named folder)"),
    ],
)
def test_the_plugin_honours_exclude(project: Path, args: list[str]) -> None:
    assert "skip/" not in flake8(*args, cwd=project)
    assert flake8(*args, cwd=project) == ssot("check", *args, cwd=project)[1]


@pytest.mark.parametrize("folder", ["build", ".venv", "node_modules", "env"])
def test_the_plugin_skips_what_the_walk_skips(project: Path, folder: str) -> None:
    """Tool folders and virtualenvs below a folder flake8 was named; named themselves, checked."""
    write_tree(project, {f"{folder}/m.py": "from legacy.factory import get_factory\n", "env/pyvenv.cfg": ""})
    assert flake8(".", cwd=project) == ssot("check", ".", cwd=project)[1] == EXPECTED
    named = f"{folder}/m.py:1:28: SOT001 import of deprecated {MSG}\n"
    assert flake8(f"{folder}/m.py", cwd=project) == ssot("check", f"{folder}/m.py", cwd=project)[1] == named


def test_help_reads_like_ruffs(project: Path) -> None:
    code, out, _ = ssot("check", "--help", cwd=project)
    assert code == 0
    assert out.startswith("Usage: flake8-ssot check [OPTIONS] [PATH]...\n\nReport every new use")
    assert "\nArguments:\n  PATH " in out and "\nOptions:\n  -h, --help " in out
    assert "\nRule selection:\n" in out and "\nGlobal options:\n  --ssot-config PATH" in out


def test_cli_reference_is_generated_from_the_parser() -> None:
    """docs/cli.md is what the parser says; regenerate it with `python -m flake8_ssot.clidoc > docs/cli.md`."""
    reference = (HERE.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    assert reference == clidoc.render()
    for option in ("--exit-zero", "--output-file", "--statistics", "--select", "--ignore", "--extend-select",
                   "--stdin-filename", "--no-cache", "--cache-dir", "--jobs", "--quiet", "--show-source",
                   "--version", "--ssot-config"):
        assert f"`{option}" in reference, option


def test_a_2500_term_expression_is_analyzed_in_every_format(project: Path) -> None:
    """Deeper than Python's recursion limit: every face finds the uses (the plugin: test_hostile)."""
    write_tree(project, {"app/deep.py": "from legacy.factory import get_factory\nx = "
                         + " + ".join(["get_factory()"] * 2500) + "\n"})
    code, out, err = ssot("check", "app/deep.py", cwd=project)
    assert (code, len(out.splitlines()), err) == (1, 2501, "")
    for fmt in ("json", "github"):
        assert len(ssot("check", "--format", fmt, "app/deep.py", cwd=project)[1].splitlines()) >= 2501, fmt
    (run,) = json.loads(ssot("check", "--format", "sarif", "app/deep.py", cwd=project)[1])["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["SOT001"] + ["SOT002"] * 2500


@pytest.mark.parametrize("verb", [["report"], ["export", "ruff"], ["baseline", "--dry-run"]])
def test_ssot_config_after_any_verb(project: Path, tmp_path: Path, verb: list[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = str(project / "pyproject.toml")
    before = ssot("--ssot-config", config, *verb, cwd=elsewhere)
    assert before[0] == 0 and before[1], before
    assert ssot(*verb, "--ssot-config", config, cwd=elsewhere) == before
    assert ssot(*verb, cwd=elsewhere)[2].endswith("no [tool.flake8-ssot] configuration found here or above\n")


@pytest.mark.parametrize(
    ("argv", "replayed"),
    [
        pytest.param(["check"], True, id="plain"),
        pytest.param(["check", "--statistics", "--select", "SOT0", "-q"], True, id="flags in the key"),
        pytest.param(["check", "-o", "out.txt"], False, id="-o"),
        pytest.param(["check", "-qo", "out.txt"], False, id="-o behind -q"),
        pytest.param(["check", "--output-file=out.txt"], False, id="--output-file="),
        pytest.param(["check", "--no-cache"], False, id="--no-cache"),
        pytest.param(["check", "--cache-dir", "c"], False, id="--cache-dir"),
        pytest.param(["check", "-"], False, id="stdin"),
        pytest.param(["check", "--stdin-filename", "a.py"], False, id="--stdin-filename"),
    ],
)
def test_what_a_warm_run_may_replay(argv: list[str], replayed: bool) -> None:
    """A snapshot stands for output on stdout of files on disk, cached: nothing else replays it."""
    from flake8_ssot import cli

    assert cli.replayable(argv) is replayed
