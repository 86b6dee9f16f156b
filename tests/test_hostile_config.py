"""Broken configuration and allowlists: one line naming file and key, exit code 2, for every face.

Complements tests/test_config.py and tests/test_allowlist.py with the inputs they do not
cover. flake8 runs in this process through its own Application (what the `flake8` command
runs), which keeps a matrix this size fast; test_config.py runs the same path in subprocesses.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import run_cli, write_tree

Ssot = Callable[..., tuple[int, str, str]]
Flake8 = Callable[..., tuple[int, str, str]]

RULE = '[[tool.flake8-ssot.rules]]\nname = "r"\n'
NOT_INSIDE = "must be a POSIX path inside the project root"


BROKEN_PYPROJECT = [
    pytest.param('[tool.flake8-ssot]\nsrc = ["../lib"]\n', f"tool.flake8-ssot.src[0]: '../lib' {NOT_INSIDE}",
                 id="src escapes the root"),
    pytest.param('[tool.flake8-ssot]\nsrc = "src"\n', "tool.flake8-ssot.src: expected a list of strings",
                 id="src is a string"),
    pytest.param('[tool.flake8-ssot]\nexclude = "gen/"\n', "tool.flake8-ssot.exclude: expected a list of strings",
                 id="exclude is a string"),
    pytest.param('[tool.flake8-ssot]\nexclude = ["gen/", "../x"]\n',
                 f"tool.flake8-ssot.exclude[1]: '../x' {NOT_INSIDE}", id="exclude escapes the root"),
    pytest.param('[tool.flake8-ssot]\nallowlist = "/etc/allow.toml"\n',
                 f"tool.flake8-ssot.allowlist: '/etc/allow.toml' {NOT_INSIDE}", id="absolute allowlist"),
    pytest.param("[tool.flake8-ssot]\nallowlist = 'conf\\allow.toml'\n",
                 f"tool.flake8-ssot.allowlist: 'conf\\\\allow.toml' {NOT_INSIDE}", id="backslash in allowlist"),
    pytest.param('[tool.flake8-ssot]\nallowlist = ""\n',
                 "tool.flake8-ssot.allowlist: expected a path relative to the project root", id="empty allowlist"),
    pytest.param("[tool.flake8-ssot]\ncache = 1\n",
                 "tool.flake8-ssot.cache: expected true, false or a directory relative to the project root",
                 id="cache is a number"),
    pytest.param('[[tool.flake8-ssot]]\nrules = []\n', "tool.flake8-ssot: expected a table", id="array of tables"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = "bad name"\ndeprecated = ["a"]\n',
                 "tool.flake8-ssot.rules[0].name: expected a rule name (letters, digits, '-', '_', '.')",
                 id="rule name with a space"),
    pytest.param('[[tool.flake8-ssot.rules]]\nname = 7\ndeprecated = ["a"]\n',
                 "tool.flake8-ssot.rules[0].name: expected a rule name (letters, digits, '-', '_', '.')",
                 id="rule name is a number"),
    pytest.param(RULE + 'deprecated = ["a.b."]\n', "tool.flake8-ssot.rules[0].deprecated[0]: not a dotted name: 'a.b.'",
                 id="trailing dot"),
    pytest.param(RULE + 'deprecated = [".a"]\n', "tool.flake8-ssot.rules[0].deprecated[0]: not a dotted name: '.a'",
                 id="relative dotted name"),
    pytest.param(RULE + 'deprecated = ["a", " b"]\n',
                 "tool.flake8-ssot.rules[0].deprecated[1]: not a dotted name: ' b'", id="space in dotted name"),
    pytest.param(RULE + 'deprecated = ["1a.b"]\n', "tool.flake8-ssot.rules[0].deprecated[0]: not a dotted name: '1a.b'",
                 id="not an identifier"),
    pytest.param(RULE + 'deprecated = ["a", 1]\n', "tool.flake8-ssot.rules[0].deprecated: expected a list of strings",
                 id="number among the names"),
    pytest.param(RULE + 'deprecated = ["a"]\nexempt = "a.py"\n',
                 "tool.flake8-ssot.rules[0].exempt: expected a list of strings", id="exempt is a string"),
    pytest.param(RULE + 'deprecated = ["a"]\nreplacement = ""\n',
                 "tool.flake8-ssot.rules[0].replacement: not a dotted name: ''", id="empty replacement"),
    pytest.param(RULE + 'deprecated = ["a"]\nreplacement = 3\n',
                 "tool.flake8-ssot.rules[0].replacement: expected a string",
                 id="replacement is a number"),
    pytest.param(RULE + 'deprecated = ["a"]\nfix = "a() -> b()"\n',
                 "tool.flake8-ssot.rules[0].fix: expected an array of tables", id="fix is a string"),
    pytest.param(RULE + 'deprecated = ["a"]\nfix = [1]\n', "tool.flake8-ssot.rules[0].fix[0]: expected a table",
                 id="fix entry is a number"),
    pytest.param(RULE + 'deprecated = ["a"]\n[[tool.flake8-ssot.rules.fix]]\npattern = "a()"\n'
                 'replace = "b()"\nwith = 1\n',
                 "tool.flake8-ssot.rules[0].fix[0].with: unknown key (expected one of: pattern, replace)",
                 id="fix unknown key"),
    pytest.param(b"[tool.flake8-ssot]\n# caf\xe9\n", "not valid UTF-8", id="not UTF-8"),
    pytest.param('[tool.flake8-ssot]\nallowlist = "a.toml"\nallowlist = "b.toml"\n',
                 "invalid TOML: Cannot overwrite a value (at line 3, column 21)", id="key given twice"),
]


@pytest.mark.parametrize(("content", "problem"), BROKEN_PYPROJECT)
def test_broken_pyproject(
    tmp_path: Path, ssot: Ssot, flake8_app: Flake8, content: str | bytes, problem: str
) -> None:
    write_tree(tmp_path, {"a.py": "import optparse\n"})
    path = tmp_path / "pyproject.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    expected = (2, "", f"flake8-ssot: {path}: {problem}\n")
    assert ssot("check", cwd=tmp_path) == expected
    assert flake8_app("--select", "SOT", "a.py", cwd=tmp_path) == expected


BROKEN_INI = [
    pytest.param(b"[flake8\nssot-rules = r: optparse\n",
                 "{cfg}: invalid INI: File contains no section headers.", True, id="broken section header"),
    pytest.param(b"[flake8]\nssot-rules = r: optparse\nssot-messages = r: caf\xe9\n", "{cfg}: not valid UTF-8", True,
                 id="not UTF-8"),
    # flake8 itself fails with a traceback reading this file (configparser.DuplicateOptionError).
    pytest.param(b"[flake8]\nssot-rules = r: optparse\nssot-rules = s: imp\n",
                 "{cfg}: invalid INI: While reading from '{cfg}' [line  3]: option 'ssot-rules' in section 'flake8' "
                 "already exists", False, id="option given twice"),
    pytest.param(b"[flake8]\nssot-config =\n", "{cfg}: ssot-config: line 2: expected the path of a configuration file",
                 True, id="empty ssot-config"),
    # Like flake8's own --ssot-config option, the key may point outside: that file decides the root.
    pytest.param(b"[flake8]\nssot-config = ../missing.toml\n",
                 "{root}/missing.toml: cannot read: No such file or directory", True, id="ssot-config names no file"),
    pytest.param(b"[flake8]\nssot-rules = r:\n",
                 "{cfg}: ssot-rules: line 2: expected 'name: dotted.name[, ...] [-> replacement]'", True,
                 id="rule without names"),
    pytest.param(b"[flake8]\nssot-rules = r: optparse\nssot-exempt = r: ../x.py\n",
                 f"{{cfg}}: [flake8] ssot.rules[0].exempt[0]: '../x.py' {NOT_INSIDE}", True,
                 id="exempt escapes the root"),
    pytest.param(b"[flake8]\nssot-rules = r: optparse\nssot-exempt = x: a.py\n", "{cfg}: ssot-exempt: unknown rule 'x'",
                 True, id="exempt for an unknown rule"),
    pytest.param(b"[flake8]\nssot-rules = r: optparse -> \n",
                 "{cfg}: [flake8] ssot.rules[0].replacement: not a dotted name: ''", True,
                 id="arrow without replacement"),
]


@pytest.mark.parametrize(("content", "message", "flake8_reads_it"), BROKEN_INI)
def test_broken_flake8_ini(
    tmp_path: Path, ssot: Ssot, flake8_app: Flake8, content: bytes, message: str, flake8_reads_it: bool
) -> None:
    """A setup.cfg with ssot-* options that cannot be read is reported, not taken for no configuration."""
    root = tmp_path / "project"
    write_tree(root, {"a.py": "import optparse\n"})
    (root / "setup.cfg").write_bytes(content)
    expected = (2, "", f"flake8-ssot: {message.format(cfg=root / 'setup.cfg', root=tmp_path)}\n")
    assert ssot("check", cwd=root) == expected
    if flake8_reads_it:
        assert flake8_app("--select", "SOT", "a.py", cwd=root) == expected


def test_ini_without_ssot_options_is_not_ours(tmp_path: Path, ssot: Ssot) -> None:
    write_tree(tmp_path, {"a.py": "x = 1\n", "setup.cfg": "[metadata]\nname = ssot-tools\n[flake8\n"})
    # No configuration: nothing to check, as for any file under no configured project.
    assert ssot("check", cwd=tmp_path) == (0, "", "")
    assert ssot("report", cwd=tmp_path) == (
        2, "", f"flake8-ssot: {tmp_path}/pyproject.toml: no [tool.flake8-ssot] configuration found here or above\n"
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        pytest.param("missing.toml", "cannot read: No such file or directory", id="missing"),
        pytest.param("conf", "cannot read: Is a directory", id="a directory"),
    ],
)
def test_ssot_config_option_that_cannot_be_read(
    tmp_path: Path, ssot: Ssot, flake8_app: Flake8, name: str, problem: str
) -> None:
    write_tree(tmp_path, {"a.py": "x = 1\n", "conf/x.txt": ""})
    expected = (2, "", f"flake8-ssot: {tmp_path / name}: {problem}\n")
    assert ssot("--ssot-config", name, "check", cwd=tmp_path) == expected
    assert flake8_app("--ssot-config", name, "a.py", cwd=tmp_path) == expected


def test_ssot_config_names_an_ini_without_rules(tmp_path: Path, ssot: Ssot, flake8_app: Flake8) -> None:
    write_tree(tmp_path, {"a.py": "import optparse\n", "other.cfg": "[flake8]\nmax-line-length = 100\n"})
    expected = (2, "", f"flake8-ssot: {tmp_path / 'other.cfg'}: no ssot-rules in the [flake8] section\n")
    assert ssot("--ssot-config", "other.cfg", "check", cwd=tmp_path) == expected
    assert flake8_app("--ssot-config", "other.cfg", "a.py", cwd=tmp_path) == expected


BROKEN_ALLOWLIST = [
    pytest.param('path = "x.py"\nrule = "factory"\nexpires = 2026-03-01T10:00:00\n',
                 "allow[0].expires: expected a TOML date such as 2026-03-01", id="expires is a datetime"),
    pytest.param('path = "x.py"\nrule = "factory"\nexpires = 2026-02-30\n',
                 "invalid TOML: Invalid date or datetime (at line 5, column 11)", id="no such date"),
    pytest.param('path = "x.py"\nrule = "factory"\nexpires = 2026\n',
                 "allow[0].expires: expected a TOML date such as 2026-03-01", id="expires is a year"),
    pytest.param('path = "./app/views.py"\nrule = "factory"\n',
                 "allow[0].path: './app/views.py' must be a normalized POSIX path inside the project root",
                 id="path not normalized"),
    pytest.param("path = 'app\\views.py'\nrule = \"factory\"\n",
                 "allow[0].path: 'app\\\\views.py' must be a normalized POSIX path inside the project root",
                 id="backslash in path"),
    pytest.param('path = ""\nrule = "factory"\n', "allow[0].path: expected a POSIX path relative to the project root",
                 id="empty path"),
    pytest.param('path = "x.py"\nrule = 3\n', "allow[0].rule: unknown rule 3 (rules: factory, settings)",
                 id="rule is a number"),
    pytest.param('path = "x.py"\nrule = ""\n', "allow[0].rule: unknown rule '' (rules: factory, settings)",
                 id="empty rule"),
    pytest.param('path = "x.py"\nrule = "factory"\nuses.handler = true\n',
                 "allow[0].uses.'handler': expected a positive integer", id="count is a boolean"),
    pytest.param('path = "x.py"\nrule = "factory"\nuses.handler = "2"\n',
                 "allow[0].uses.'handler': expected a positive integer", id="count is a string"),
    pytest.param('path = "x.py"\nrule = "factory"\npath = "y.py"\n',
                 "invalid TOML: Cannot overwrite a value (at line 5, column 14)", id="key given twice"),
]


@pytest.mark.parametrize(("entry", "problem"), BROKEN_ALLOWLIST)
def test_broken_allowlist_entry(
    migration: Path, ssot: Ssot, flake8_app: Flake8, entry: str, problem: str
) -> None:
    allowlist = migration / "ssot-allowlist.toml"
    allowlist.write_text("# grandfathered\n[[allow]]\n" + entry)
    before = allowlist.read_bytes()
    expected = (2, "", f"flake8-ssot: ssot-allowlist.toml: {problem}\n")
    for verb in (["check"], ["report"], ["baseline"], ["fix", "--diff"]):
        assert ssot(*verb, cwd=migration) == expected, verb
    assert flake8_app("--select", "SOT", ".", cwd=migration) == expected
    assert allowlist.read_bytes() == before


def test_allowlist_that_is_a_dangling_symlink(migration: Path, ssot: Ssot) -> None:
    (migration / "ssot-allowlist.toml").symlink_to("gone.toml")
    assert ssot("check", cwd=migration) == (
        2, "", "flake8-ssot: ssot-allowlist.toml: file not found; create it with `flake8-ssot baseline`\n"
    )


def test_one_subprocess_run_per_face(tmp_path: Path) -> None:
    """The in-process runs above match the installed commands."""
    write_tree(tmp_path, {"a.py": "x = 1\n", "pyproject.toml": '[tool.flake8-ssot]\nsrc = ["../lib"]\n'})
    expected = f"flake8-ssot: {tmp_path}/pyproject.toml: tool.flake8-ssot.src[0]: '../lib' {NOT_INSIDE}\n"
    for command in (("flake8", "a.py"), ("flake8-ssot", "check")):
        result = run_cli(*command, cwd=tmp_path)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", expected), command
