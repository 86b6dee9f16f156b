"""Configuration: parsing, discovery, and one-line errors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, write_tree
from flake8_ssot.config import load_config
from flake8_ssot.discovery import find_config
from flake8_ssot.model import ConfigError, FixTemplate, Rule

RULE = '[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = ["a.b"]\n'

D0 = "tool.flake8-ssot.rules[0].deprecated[0]: "  # the key of a malformed entry
BROKEN_TOML = [
    pytest.param(
        "[tool.flake8-ssot\n",
        "invalid TOML: Expected ']' at the end of a table declaration (at line 1, column 18)",
        id="invalid TOML",
    ),
    pytest.param('[tool]\nflake8-ssot = 3\n', "tool.flake8-ssot: expected a table", id="table is not a table"),
    pytest.param("[tool.flake8-ssot]\nrulez = []\n",
                 "tool.flake8-ssot.rulez: unknown key"
                 " (expected one of: allowlist, cache, discover, exclude, python-environment, rules, src)",
                 id="unknown top-level key"),
    pytest.param("[tool.flake8-ssot]\nrules = {}\n", "tool.flake8-ssot.rules: expected an array of tables",
                 id="rules not an array"),
    pytest.param(
        "[tool.flake8-ssot]\nrules = [1]\n", "tool.flake8-ssot.rules[0]: expected a table", id="rule not a table"
    ),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndepreciated = ["a"]\n',
                 "tool.flake8-ssot.rules[0].depreciated: unknown key "
                 "(expected one of: deprecated, exempt, fix, message, name, replacement)",
                 id="typo in rule key"),
    pytest.param('[[tool.flake8-ssot.rules]]\ndeprecated = ["a"]\n',
                 "tool.flake8-ssot.rules[0].name: expected a rule name (letters, digits, '-', '_', '.')",
                 id="missing name"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\n',
                 "tool.flake8-ssot.rules[0].deprecated: expected a list of strings", id="missing deprecated"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = "a.b"\n',
                 "tool.flake8-ssot.rules[0].deprecated: expected a list of strings", id="deprecated is a string"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = []\n',
                 "tool.flake8-ssot.rules[0].deprecated: expected at least one dotted name", id="empty deprecated"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = [""]\n',
                 "tool.flake8-ssot.rules[0].deprecated[0]: not a dotted name: ''", id="empty dotted name"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = ["a..b"]\n',
                 "tool.flake8-ssot.rules[0].deprecated[0]: not a dotted name: 'a..b'", id="malformed dotted name"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = ["app.ws.f(a, b)"]\n',
                 D0 + "one argument per entry: 'app.ws.f(a, b)' (write each argument as its own entry)",
                 id="two arguments in one entry"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = ["app.ws.f()"]\n',
                 D0 + "expected a parameter name between the parentheses: 'app.ws.f()'",
                 id="empty argument"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = ["app.ws.f(1x)"]\n',
                 D0 + "expected a parameter name between the parentheses: 'app.ws.f(1x)'",
                 id="argument not a name"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = ["app.ws.f(x"]\n',
                 "tool.flake8-ssot.rules[0].deprecated[0]: not a dotted name: 'app.ws.f(x'", id="unclosed parenthesis"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = ["app.*.f(x)"]\n',
                 D0 + "a deprecated argument needs the callable's full path, without '*': 'app.*.f(x)'",
                 id="wildcard with an argument"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = ["*"]\n',
                 D0 + "a wildcard alone would deprecate every module: '*'",
                 id="wildcard alone"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = ["*.*"]\n',
                 D0 + "a wildcard alone would deprecate every module: '*.*'",
                 id="wildcards only"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = ["app.leg*"]\n',
                 D0 + "'*' stands for whole components only: 'app.leg*'",
                 id="partial wildcard"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = ["a.b"]\nreplacement = "c/d"\n',
                 "tool.flake8-ssot.rules[0].replacement: not a dotted name: 'c/d'", id="malformed replacement"),
    pytest.param(RULE + RULE, "tool.flake8-ssot.rules[1].name: duplicate rule name 'r' (also rules[0])",
                 id="duplicate rule names"),
    pytest.param(RULE + '[[tool.flake8-ssot.rules]]\nname = "s"\ndeprecated = ["a.b"]\n',
                 "tool.flake8-ssot.rules[1].deprecated: 'a.b' is already deprecated by rule 'r'",
                 id="same name in two rules"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "r"\ndeprecated = ["a.f(x)"]\n'
                 '[[tool.flake8-ssot.rules]]\nname = "s"\ndeprecated = ["a.f(x)"]\n',
                 "tool.flake8-ssot.rules[1].deprecated: 'a.f(x)' is already deprecated by rule 'r'",
                 id="same argument in two rules"),
    pytest.param('[tool.flake8-ssot]\nallowlist = "../outside.toml"\n',
                 "tool.flake8-ssot.allowlist: '../outside.toml' must be a POSIX path inside the project root",
                 id="allowlist escapes the root"),
    pytest.param('[tool.flake8-ssot]\nallowlist = 3\n',
                 "tool.flake8-ssot.allowlist: expected a path relative to the project root", id="allowlist wrong type"),
    pytest.param(RULE + 'exempt = ["/abs/../x"]\n',
                 "tool.flake8-ssot.rules[0].exempt[0]: 'abs/../x' must be a POSIX path inside the project root",
                 id="exempt escapes the root"),
    pytest.param("[tool.flake8-ssot]\ncache = ['yes']\n",
                 "tool.flake8-ssot.cache: expected true, false or a directory relative to the project root",
                 id="cache wrong type"),
    pytest.param("[tool.flake8-ssot]\ncache = '../elsewhere'\n",
                 "tool.flake8-ssot.cache: '../elsewhere' must be a POSIX path inside the project root",
                 id="cache location outside the root"),
    pytest.param(RULE + "[[tool.flake8-ssot.rules.fix]]\npattern = 'f()'\n",
                 "tool.flake8-ssot.rules[0].fix[0].replace: expected a non-empty string", id="fix without replace"),
    pytest.param(
        RULE + "message = 3\n", "tool.flake8-ssot.rules[0].message: expected a string", id="message wrong type"
    ),
]


@pytest.mark.parametrize(("content", "problem"), BROKEN_TOML)
@pytest.mark.parametrize("face", ["flake8", "flake8-ssot"])
def test_broken_pyproject_is_one_line_and_exit_2(tmp_path: Path, content: str, problem: str, face: str) -> None:
    write_tree(tmp_path, {"pyproject.toml": content, "a.py": "x = 1\n"})
    args = ("flake8", "a.py") if face == "flake8" else ("flake8-ssot", "check", "a.py")
    result = run_cli(*args, cwd=tmp_path)
    assert (result.stderr, result.stdout, result.returncode) == (
        f"flake8-ssot: {tmp_path}/pyproject.toml: {problem}\n", "", 2
    )


def test_non_utf8_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.flake8-ssot]\nx = '\xff'\n")
    with pytest.raises(ConfigError, match="pyproject.toml: not valid UTF-8$"):
        load_config(tmp_path / "pyproject.toml")


def test_unreadable_explicit_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="missing.toml: cannot read: No such file or directory$"):
        load_config(tmp_path / "missing.toml")


def test_explicit_toml_without_table(tmp_path: Path) -> None:
    write_tree(tmp_path, {"other.toml": "[tool.black]\n"})
    with pytest.raises(ConfigError, match=r"other.toml: no \[tool.flake8-ssot\] table$"):
        load_config(tmp_path / "other.toml")


def test_full_toml_config(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": """
        [tool.flake8-ssot]
        allowlist = "ssot-allowlist.toml"
        exclude = ["migrations/"]
        src = ["src"]
        cache = false

        [[tool.flake8-ssot.rules]]
        name = "ws"
        deprecated = ["a.b", "a.c.F", "a.b"]
        replacement = "n.M.create"
        message = "isolation"
        exempt = ["a/b.py"]

        [[tool.flake8-ssot.rules.fix]]
        pattern = "f().g($x)"
        replace = "M.g($x)"
    """})
    config = load_config(tmp_path / "pyproject.toml")
    assert config.root == tmp_path
    assert config.allowlist == tmp_path / "ssot-allowlist.toml"
    assert (config.exclude, config.src, config.cache) == (("migrations/",), ("src",), False)
    assert config.rules == (
        Rule("ws", ("a.b", "a.c.F"), "n.M.create", "isolation", ("a/b.py",), (FixTemplate("f().g($x)", "M.g($x)"),)),
    )


INI = """
[flake8]
max-line-length = 100
ssot-rules =
    ws: a.b.factory, a.b.Old -> n.M.create
    # a comment line
    cli: optparse
ssot_messages =
    ws: per-user isolation: use M.create(ctx)
ssot-exempt =
    ws: a/b/factory.py, tests/**
ssot-allowlist = allow.toml
ssot-exclude = build/, gen/
ssot-src = src
ssot-cache = false
"""


@pytest.mark.parametrize("name", ["setup.cfg", "tox.ini", ".flake8"])
def test_flake8_ini_config(tmp_path: Path, name: str) -> None:
    write_tree(tmp_path, {name: INI})
    assert find_config(tmp_path / "deep" / "er") == tmp_path / name
    config = load_config(tmp_path / name)
    assert config.rules == (
        Rule("ws", ("a.b.factory", "a.b.Old"), "n.M.create", "per-user isolation: use M.create(ctx)",
             ("a/b/factory.py", "tests/**")),
        Rule("cli", ("optparse",)),
    )
    assert (config.allowlist, config.exclude, config.src, config.cache) == (
        tmp_path / "allow.toml", ("build/", "gen/"), ("src",), False
    )


def test_ini_rules_reach_flake8(tmp_path: Path) -> None:
    write_tree(tmp_path, {"setup.cfg": "[flake8]\nssot-rules =\n    cli: optparse -> argparse\n",
                          "a.py": "import optparse\n"})
    result = run_cli("flake8", "--select", "SOT", "a.py", cwd=tmp_path)
    assert result.stdout == "a.py:1:8: SOT001 import of deprecated optparse; use argparse\n"


def test_ini_wildcards_and_arguments_reach_flake8(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "setup.cfg": "[flake8]\nssot-rules =\n    cli: *.optparse, subprocess.run(shell) -> shlex.join\n",
        "a.py": "import optparse\nimport subprocess\nsubprocess.run(['ls'], shell=True)\n",
    })
    result = run_cli("flake8", "--select", "SOT", "a.py", cwd=tmp_path)
    assert result.stdout == "a.py:3:24: SOT002 call of deprecated subprocess.run(shell); use shlex.join\n"


BROKEN_INI = [
    pytest.param(
        "[flake8]\nssot-rules =\n    just-a-name\n",
        "ssot-rules: line 3: expected 'name: dotted.name[, ...] [-> replacement]'",
        id="rule line without colon",
    ),
    pytest.param(
        "[flake8]\nssot-rules =\n    r: a..b\n",
        "ssot-rules: line 3: not a dotted name: 'a..b'",
        id="bad dotted name",
    ),
    pytest.param(
        "[flake8]\nssot-rules =\n    r: a.b, app.f(a, b)\n",
        "ssot-rules: line 3: one argument per entry: 'app.f(a, b)' (write each argument as its own entry)",
        id="two arguments in one entry (the comma inside parentheses is no separator)",
    ),
    pytest.param(
        "[flake8]\nssot-rules =\n    r: app.*\n    s: *\n",
        "ssot-rules: line 4: a wildcard alone would deprecate every module: '*'",
        id="wildcard alone",
    ),
    pytest.param("[flake8]\nssot-rules = r: a\nssot-mesages = r: x\n",
                 "ssot-mesages: line 3: unknown option (expected ssot-allowlist, ssot-cache, ssot-config, "
                 "ssot-discover, ssot-exclude, ssot-exempt, ssot-messages, ssot-python-environment, ssot-rules, "
                 "ssot-src)", id="unknown option"),
    pytest.param("[flake8]\nssot-rules = r: a\nssot-messages = q: x\n", "ssot-messages: unknown rule 'q'",
                 id="message for unknown rule"),
    pytest.param("[flake8]\nssot-rules = r: a\nssot-messages =\n    nocolon\n",
                 "ssot-messages: line 4: expected 'rule-name: value'", id="message without rule name"),
    pytest.param("[flake8]\nssot-rules = r: a\nssot-cache = maybe\n", "ssot-cache: expected true or false",
                 id="bad cache value"),
]


@pytest.mark.parametrize(("content", "problem"), BROKEN_INI)
def test_broken_ini_is_one_line(tmp_path: Path, content: str, problem: str) -> None:
    write_tree(tmp_path, {"setup.cfg": content, "a.py": "x = 1\n"})
    result = run_cli("flake8", "a.py", cwd=tmp_path)
    assert (result.stderr, result.returncode) == (f"flake8-ssot: {tmp_path}/setup.cfg: {problem}\n", 2)


def test_ini_pointing_at_toml(tmp_path: Path) -> None:
    write_tree(tmp_path, {"tox.ini": "[flake8]\nssot-config = conf/ssot.toml\n",
                          "conf/ssot.toml": RULE})
    config = load_config(tmp_path / "tox.ini")
    assert config.root == tmp_path / "conf"
    assert [r.name for r in config.rules] == ["r"]


def test_pyproject_wins_over_ini_in_the_same_directory(tmp_path: Path) -> None:
    write_tree(tmp_path, {"setup.cfg": "[flake8]\nssot-rules = a: x\n", "pyproject.toml": RULE})
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"


def test_nearest_configuration_wins(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": RULE, "sub/pyproject.toml": "[tool.black]\n",
                          "sub/inner/setup.cfg": "[flake8]\nmax-line-length = 3\n"})
    assert find_config(tmp_path / "sub" / "inner") == tmp_path / "pyproject.toml"
