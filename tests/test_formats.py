"""CI output of `flake8-ssot check`: GitHub annotations, SARIF 2.1.0 (schema-validated), JSON.

The project sits in a subfolder of a git working tree, as in a monorepo. Every format names
files relative to the current directory, as flake8 does: run from the working tree's top (as
CI runs), that is what GitHub resolves annotation and code-scanning paths against.
"""

from __future__ import annotations

import json
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import HERE, run_cli, write_tree
from flake8_ssot.codes import CODES

SCHEMA = json.loads((HERE / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
CONFIG = """
    [tool.flake8-ssot]
    allowlist = "allow.toml"

    [[tool.flake8-ssot.rules]]
    name = "factory"
    deprecated = ["legacy.factory"]
    replacement = "core.ws.Manager"
"""
USE = 'from legacy.factory import get_factory\n\n\ndef handler():\n    label = "héllo wörld"; return get_factory()\n'
IMPORT_MSG = "import of deprecated legacy.factory.get_factory; use core.ws.Manager"
CALL_MSG = "call of deprecated legacy.factory.get_factory; use core.ws.Manager"
TIGHTEN_MSG = "allowlist entry can be tightened: rule factory has no uses left; run flake8-ssot baseline"
# The call's column in characters: the AST (and flake8) count UTF-8 bytes, two more here.
CALL_COL = USE.splitlines()[4].index("get_factory()") + 1


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=60)
    write_tree(
        tmp_path / "svc",
        {
            "pyproject.toml": CONFIG,
            "allow.toml": '[[allow]]\npath = "app/clean.py"\nrule = "factory"\n',
            "legacy/__init__.py": "",
            "legacy/factory.py": "def get_factory():\n    return None\n",
            "app/__init__.py": "",
            "app/use.py": USE,
            "app/clean.py": "VALUE = 1\n",
        },
    )
    return tmp_path


def check(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("flake8-ssot", "check", *args, cwd=cwd)


def test_github_annotations(repo: Path) -> None:
    result = check(repo, "--format", "github")
    assert (result.stdout, result.stderr, result.returncode) == (
        f"::warning file=svc/app/clean.py,line=1,col=1,title=SOT901::SOT901 {TIGHTEN_MSG}\n"
        f"::error file=svc/app/use.py,line=1,col=28,title=SOT001::SOT001 {IMPORT_MSG}\n"
        f"::error file=svc/app/use.py,line=5,col={CALL_COL},title=SOT002::SOT002 {CALL_MSG}\n",
        "",
        1,
    )
    # From the project's folder, relative to it (a CI step with working-directory: svc).
    assert check(repo / "svc", "--format", "github").stdout.splitlines()[1] == (
        f"::error file=app/use.py,line=1,col=28,title=SOT001::SOT001 {IMPORT_MSG}"
    )


def test_github_escapes_properties_and_messages(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": CONFIG.replace('allowlist = "allow.toml"', "")
            + 'message = "100%: done,\\r\\nreally"\n',
            "legacy/__init__.py": "",
            "legacy/factory.py": "",
            "odd,na:me.py": "import legacy.factory\n",
        },
    )
    result = check(tmp_path, "--format", "github")
    assert result.stdout == (
        "::error file=odd%2Cna%3Ame.py,line=1,col=8,title=SOT001::SOT001 import of deprecated legacy.factory;"
        " use core.ws.Manager (100%25: done, really)\n"  # a line break in a message is folded
    )


def sarif(cwd: Path, *args: str) -> dict[str, Any]:
    result = check(cwd, "--format", "sarif", *args)
    assert result.returncode in (0, 1), result.stderr
    log: dict[str, Any] = json.loads(result.stdout)
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(log)
    return log


def locations(log: dict[str, Any]) -> list[tuple[Any, ...]]:
    found = []
    for result in log["runs"][0]["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        found.append(
            (result["ruleId"], result["level"], physical["artifactLocation"]["uri"], physical["region"])
        )
    return found


def fingerprints(log: dict[str, Any]) -> list[str]:
    return [r["partialFingerprints"]["flake8-ssot/v1"] for r in log["runs"][0]["results"]]


def test_sarif_is_valid_and_carries_rule_metadata(repo: Path) -> None:
    log = sarif(repo)
    (run,) = log["runs"]
    assert log["version"] == "2.1.0"
    driver = run["tool"]["driver"]
    assert driver["name"] == "flake8-ssot"
    assert [(r["id"], r["name"], r["fullDescription"]["text"]) for r in driver["rules"]] == [
        (c.code, c.title, c.help) for c in CODES.values()
    ]
    assert {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]}["SOT901"] == "warning"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.as_uri() + "/"
    assert locations(log) == [
        ("SOT901", "warning", "svc/app/clean.py", {"startLine": 1, "startColumn": 1}),
        ("SOT001", "error", "svc/app/use.py", {"startLine": 1, "startColumn": 28, "endLine": 1, "endColumn": 39}),
        (
            "SOT002", "error", "svc/app/use.py",
            {"startLine": 5, "startColumn": CALL_COL, "endLine": 5, "endColumn": CALL_COL + len("get_factory()")},
        ),
    ]
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert run["results"][2]["message"] == {"text": CALL_MSG}
    assert run["results"][2]["properties"] == {
        "rule": "factory", "target": "legacy.factory.get_factory", "scope": "handler"
    }
    assert len(set(fingerprints(log))) == 3


def test_sarif_fingerprints_survive_moves_and_tell_new_uses_apart(repo: Path) -> None:
    before = fingerprints(sarif(repo / "svc"))
    use = repo / "svc" / "app" / "use.py"
    use.write_text("# A header pushes every line down.\nimport os\n\n" + USE + "\n\ndef other():\n    return os.sep\n")
    moved = sarif(repo / "svc")
    assert fingerprints(moved) == before
    assert [loc[3]["startLine"] for loc in locations(moved)] == [1, 4, 8]
    use.write_text(USE + "    get_factory()\n")
    assert set(before) < set(fingerprints(sarif(repo / "svc")))


def test_sarif_paths_are_uri_references(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": CONFIG.replace('allowlist = "allow.toml"', ""),
            "legacy/__init__.py": "",
            "legacy/factory.py": "",
            "my dir/100% done.py": "import legacy.factory\n",
        },
    )
    log = sarif(tmp_path)
    (location,) = [loc[2] for loc in locations(log)]
    assert location == "my%20dir/100%25%20done.py"
    assert urllib.parse.unquote(location) == "my dir/100% done.py"
    # Not in a git working tree: paths are relative to the project root.
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


def test_a_file_not_analyzed_is_reported_not_skipped(repo: Path) -> None:
    write_tree(repo / "svc", {"app/broken.py": "from legacy.factory import (\n"})
    assert locations(sarif(repo, "svc/app/broken.py")) == [
        ("SOT999", "error", "svc/app/broken.py", {"startLine": 1, "startColumn": 1}),
    ]
    github = check(repo, "--format", "github", "svc/app/broken.py")
    assert github.stdout.startswith(
        "::error file=svc/app/broken.py,line=1,col=1,title=SOT999::SOT999 file not analyzed: syntax error"
    )
    assert github.stderr.startswith("flake8-ssot: svc/app/broken.py: syntax error")
    assert github.returncode == 1
    (entry,) = json.loads(check(repo / "svc", "--format", "json", "app/broken.py").stdout)
    assert (entry["code"], entry["path"], entry["line"]) == ("SOT999", "app/broken.py", 1)


def test_json_for_scripts(repo: Path) -> None:
    result = check(repo / "svc", "--format", "json", "app/use.py")
    assert json.loads(result.stdout) == [
        {
            "path": "app/use.py", "line": 1, "column": 28, "end_line": 1, "end_column": 39, "code": "SOT001",
            "message": IMPORT_MSG, "rule": "factory", "target": "legacy.factory.get_factory", "scope": "<module>",
            "status": "new",
        },
        {
            # JSON keeps flake8's columns (UTF-8 bytes), like the plugin and the text format.
            "path": "app/use.py", "line": 5, "column": CALL_COL + 2, "end_line": 5,
            "end_column": CALL_COL + 2 + len("get_factory()"), "code": "SOT002", "message": CALL_MSG,
            "rule": "factory", "target": "legacy.factory.get_factory", "scope": "handler", "status": "new",
        },
    ]
    assert result.returncode == 1


def test_clean_project_exits_zero_with_an_empty_log(repo: Path) -> None:
    (repo / "svc" / "app" / "use.py").write_text("VALUE = 2\n")
    (repo / "svc" / "allow.toml").write_text("")
    result = check(repo / "svc", "--format", "sarif")
    assert (json.loads(result.stdout)["runs"][0]["results"], result.returncode) == ([], 0)
    assert check(repo / "svc", "--format", "github").stdout == ""


def test_files_outside_the_project_and_undecodable_ones(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.py"
    outside.write_text("import legacy.factory\n")
    (repo / "svc" / "app" / "latin.py").write_bytes(b"import legacy.factory  # caf\xe9\n")
    # A file outside the project is checked under it only when --ssot-config says so.
    log = sarif(repo / "svc", "--ssot-config", "pyproject.toml", str(outside), "app/latin.py")
    assert locations(log) == [
        ("SOT001", "error", outside.as_uri(), {"startLine": 1, "startColumn": 8, "endLine": 1, "endColumn": 22}),
        ("SOT999", "error", "app/latin.py", {"startLine": 1, "startColumn": 1}),
    ]
    assert "uriBaseId" not in log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
