"""Hostile input: broken, odd and huge files, odd directory entries, and code that must never run.

Each hostile file gets one clear message, the other files are still checked, and the exit code
says so: through `flake8-ssot check` and through real flake8, serial and with ``-j 2``.
Projects build on the rule and modules of conftest.BASE_FILES (rule ``factory``: ``legacy.factory``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import BASE_FILES, run_cli, run_cli_unprivileged, write_tree

Ssot = Callable[..., tuple[int, str, str]]

GF = "legacy.factory.get_factory"
REPLACEMENT = "; use core.ws.Manager.create_for_user"
IMPORT = b"from legacy.factory import get_factory\n"
APP = {"app.py": "from legacy.factory import get_factory\n"}
# The configuration and the deprecated module, without BASE_FILES' own uses (its re-exports).
BASE = {
    name: BASE_FILES[name]
    for name in ("pyproject.toml", "legacy/__init__.py", "legacy/factory.py", "core/__init__.py", "core/ws.py")
}


def sot001(line: int = 1, col: int = 28) -> str:
    return f"{line}:{col}: SOT001 import of deprecated {GF}{REPLACEMENT}"


def sot002(line: int, col: int = 1) -> str:
    return f"{line}:{col}: SOT002 call of deprecated {GF}{REPLACEMENT}"


def python_says(source: bytes) -> str:
    """What Python's own compiler objects to, in the engine's words (the text differs by version)."""
    try:
        compile(source, "<hostile>", "exec")
    except SyntaxError as e:
        return f"syntax error{f' at line {e.lineno}' if e.lineno else ''}: {e.msg}"
    raise AssertionError("compiles")


DEEP_LAMBDA = IMPORT + b"f = " + b"lambda: " * 1000 + b"get_factory\n"
DEEP_SUM = IMPORT + b"x = " + b" + ".join([b"get_factory()"] * 1000) + b"\n"
# Deeper than even the retry with a raised recursion limit goes (flake8 itself fails on it).
DEEPEST_SUM = IMPORT + b"x = " + b" + ".join([b"get_factory()"] * 40_000) + b"\n"
DEEP_LAMBDA_USE = f"2:8005: SOT003 reference to deprecated {GF}{REPLACEMENT}"
TEN_MB = IMPORT + (b"DATA = '" + b"x" * 9990 + b"'\n") * 1000 + b"get_factory()\n"
FORM_FEED = (
    b"\x0c\n# \x1c group separator\n" + IMPORT.rstrip() + b"  # noqa: SOT001\n"
    + "s = 'line\u2028separator'\n".encode() + b"get_factory()  # noqa: SOT002\nget_factory()\n"
)
NOT_ANALYZED = "SOT999 file not analyzed: "

# (file name, bytes, what `check` prints on stderr, findings as 'line:col: message',
#  the one flake8 code that reports a file the plugin cannot analyze).
HOSTILE = [
    pytest.param(
        "syntax.py", IMPORT + b"def f(:\n", "syntax error at line 2: invalid syntax", [], "E999", id="syntax error"
    ),
    pytest.param(
        "nul.py", IMPORT + b"x = 1\x00\n", python_says(IMPORT + b"x = 1\x00\n"), [], "E999", id="null byte"
    ),
    pytest.param(
        "latin1.py", IMPORT + b"x = '\xff'\n", "cannot decode: line 2: byte 0xff is not utf-8 (invalid start byte)",
        [], "SOT999", id="not UTF-8, no coding cookie",
    ),
    pytest.param(
        "latin1_cookie.py", b"# -*- coding: latin-1 -*-\n" + IMPORT + b"x = '\xff'\n", None, [sot001(2)], None,
        id="latin-1 with its coding cookie",
    ),
    pytest.param(
        "wrong_cookie.py", b"# coding: utf-8\n" + IMPORT + b"x = '\xff'\n",
        "cannot decode: line 3: byte 0xff is not utf-8 (invalid start byte)", [], "SOT999",
        id="not UTF-8, UTF-8 cookie",
    ),
    pytest.param(
        "unknown_cookie.py", b"# coding: klingon\n" + IMPORT, "cannot decode: unknown encoding: klingon", [], "SOT999",
        id="unknown coding cookie",
    ),
    pytest.param(
        "bom.py", b"\xef\xbb\xbf" + IMPORT + b"get_factory()  # noqa: SOT002\n", None, [sot001()], None, id="BOM"
    ),
    pytest.param(
        "crlf.py", (IMPORT + b"get_factory()\nget_factory()  # noqa: SOT002\n").replace(b"\n", b"\r\n"), None,
        [sot001(), sot002(2)], None, id="CRLF",
    ),
    pytest.param(
        "cr.py", (IMPORT + b"get_factory()\nget_factory()  # noqa: SOT002\n").replace(b"\n", b"\r"), None,
        [sot001(), sot002(2)], None, id="lone CR",
    ),
    pytest.param("formfeed.py", FORM_FEED, None, [sot002(6)], None, id="form feed and other line separators"),
    pytest.param("big.py", TEN_MB, None, [sot001(), sot002(1002)], None, id="10 MB"),
    pytest.param("deep.py", DEEP_LAMBDA, None, [sot001(), DEEP_LAMBDA_USE], None, id="1000-deep lambdas"),
    pytest.param("empty.py", b"", None, [], None, id="empty"),
]


def hostile_project(root: Path, files: dict[str, bytes]) -> None:
    write_tree(root, {**BASE, **APP})
    for name, content in files.items():
        (root / name).write_bytes(content)


@pytest.mark.parametrize(("name", "content", "error", "findings", "flake8_code"), HOSTILE)
def test_check_reports_a_hostile_file_once_and_checks_the_rest(
    tmp_path: Path, ssot: Ssot, name: str, content: bytes, error: str | None, findings: list[str], flake8_code: str
) -> None:
    hostile_project(tmp_path, {name: content})
    expected = [f"app.py:{sot001()}"] + [f"{name}:{f}" for f in findings]
    assert ssot("check", cwd=tmp_path) == (
        1, "".join(f"{line}\n" for line in expected), f"flake8-ssot: {name}: {error}\n" if error else ""
    )


def test_check_deeper_than_the_visitor_can_recurse(tmp_path: Path, ssot: Ssot) -> None:
    """A 1000-term sum is deeper than Python's default recursion limit (pyflakes fails on it:
    see below); the engine retries it with a deeper stack and finds every use. A 40,000-term
    sum is too deep even for that: not analyzed, and said so."""
    hostile_project(tmp_path, {"sum.py": DEEP_SUM})
    calls = "".join(f"sum.py:{sot002(2, 5 + 16 * i)}\n" for i in range(1000))
    assert ssot("check", cwd=tmp_path) == (1, f"app.py:{sot001()}\nsum.py:{sot001()}\n{calls}", "")
    hostile_project(tmp_path, {"sum.py": DEEPEST_SUM})
    assert ssot("check", cwd=tmp_path) == (
        1, f"app.py:{sot001()}\n", "flake8-ssot: sum.py: too deeply nested to analyze\n"
    )


def flake8_lines(output: str) -> dict[str, list[str]]:
    """flake8 output by file (``./`` dropped), each line without the path."""
    found: dict[str, list[str]] = {}
    for line in output.splitlines():
        path, rest = line.split(":", 1)
        found.setdefault(path.removeprefix("./"), []).append(rest)
    return found


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_flake8_reports_each_hostile_file_once(tmp_path: Path, jobs: str) -> None:
    """The plugin under real flake8: SOT999 where it cannot analyze, flake8's E999 for syntax errors.

    Not here: the 1000-term sum, on which pyflakes (part of every flake8 run) fails and flake8
    stops with "pyflakes[F] failed during execution due to RecursionError" -- not this plugin.
    """
    # The 10 MB file costs pycodestyle seconds: once is enough.
    params = [p for p in HOSTILE if jobs == "1" or p.values[0] != "big.py"]
    hostile_project(tmp_path, {p.values[0]: p.values[1] for p in params})
    result = run_cli("flake8", "--select", "SOT,E9", "-j", jobs, ".", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, "")
    found = flake8_lines(result.stdout)
    assert found.pop("app.py") == [sot001()]
    for param in params:
        name, _, error, findings, code = param.values
        if code is None:
            assert found.pop(name, []) == findings, name
        elif code == "SOT999":
            assert found.pop(name) == [f"1:1: {NOT_ANALYZED}{error}"], name
        else:
            (line,) = found.pop(name)
            assert re.fullmatch(rf"\d+:\d+: {code} SyntaxError: .+", line), (name, line)
    assert found == {}


def test_flake8_stdin_deeply_nested(tmp_path: Path) -> None:
    """Nesting deeper than Python's default recursion limit is analyzed, by every face alike."""
    hostile_project(tmp_path, {})
    expected = f"app.py:{sot001()}\napp.py:{DEEP_LAMBDA_USE}\n"
    result = run_cli(
        "flake8", "--select", "SOT", "--stdin-display-name", "app.py", "-", cwd=tmp_path,
        stdin=DEEP_LAMBDA.decode(),
    )
    assert (result.returncode, result.stdout, result.stderr) == (1, expected, "")
    result = run_cli(
        "flake8-ssot", "check", "--stdin-filename", "app.py", "-", cwd=tmp_path, stdin=DEEP_LAMBDA.decode()
    )
    assert (result.returncode, result.stdout, result.stderr) == (1, expected, "")


# -- entries of the directory walk that are not readable files -----------------------------------


def test_odd_directory_entries_are_reported_by_check(tmp_path: Path, ssot: Ssot) -> None:
    hostile_project(tmp_path, {})
    (tmp_path / "dir.py").mkdir()  # a directory named like a module is walked
    (tmp_path / "dir.py" / "inner.py").write_bytes(IMPORT)
    (tmp_path / "dangling.py").symlink_to("nowhere.py")
    (tmp_path / "loop.py").symlink_to("loop.py")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")  # a directory loop: each file is seen once
    os.mkfifo(tmp_path / "fifo.py")  # would block a reader for ever
    assert ssot("check", cwd=tmp_path) == (
        1,
        f"app.py:{sot001()}\ndir.py/inner.py:{sot001()}\n",
        "flake8-ssot: dangling.py: cannot read: No such file or directory\n"
        "flake8-ssot: fifo.py: cannot read: not a regular file\n"
        "flake8-ssot: loop.py: cannot read: Too many levels of symbolic links\n",
    )


def test_device_files_named_like_modules_are_reported_not_read(tmp_path: Path, ssot: Ssot) -> None:
    """A reader of /dev/zero never ends: walked or named, a device is "not a regular file"."""
    hostile_project(tmp_path, {})
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    (tmp_path / "null.py").symlink_to("/dev/null")
    assert ssot("check", cwd=tmp_path) == (
        1,
        f"app.py:{sot001()}\n",
        "flake8-ssot: null.py: cannot read: not a regular file\n"
        "flake8-ssot: zero.py: cannot read: not a regular file\n",
    )
    assert ssot("check", "zero.py", "app.py", cwd=tmp_path) == (
        1, f"app.py:{sot001()}\n", "flake8-ssot: zero.py: cannot read: not a regular file\n"
    )


def test_named_files_that_cannot_be_read(tmp_path: Path, ssot: Ssot) -> None:
    hostile_project(tmp_path, {})
    os.mkfifo(tmp_path / "fifo.py")
    (tmp_path / "dangling.py").symlink_to("missing.py")
    assert ssot("check", "dangling.py", "fifo.py", "app.py", cwd=tmp_path) == (
        1,
        f"app.py:{sot001()}\n",
        "flake8-ssot: dangling.py: cannot read: No such file or directory\n"
        "flake8-ssot: fifo.py: cannot read: not a regular file\n",
    )


def test_unreadable_by_permission(tmp_path: Path) -> None:
    hostile_project(tmp_path, {"secret.py": IMPORT})
    (tmp_path / "secret.py").chmod(0)
    for named in [(), ("secret.py", "app.py")]:
        result = run_cli_unprivileged("flake8-ssot", "check", *named, cwd=tmp_path)
        assert (result.returncode, result.stdout, result.stderr) == (
            1, f"app.py:{sot001()}\n", "flake8-ssot: secret.py: cannot read: Permission denied\n"
        ), named


def test_flake8_walk_with_broken_symlinks(tmp_path: Path) -> None:
    """flake8 reports its own E902 for them; the plugin's index walk skips them quietly.

    A FIFO is left out: flake8 itself blocks reading it.
    """
    hostile_project(tmp_path, {})
    (tmp_path / "dangling.py").symlink_to("nowhere.py")
    (tmp_path / "loop.py").symlink_to("loop.py")
    result = run_cli("flake8", "--select", "SOT,E902", ".", cwd=tmp_path)
    found = flake8_lines(result.stdout)
    assert (result.returncode, result.stderr, found.pop("app.py")) == (1, "", [sot001()])
    assert sorted(found) == ["dangling.py", "loop.py"]
    assert all(len(lines) == 1 and " E902 " in lines[0] for lines in found.values())


# -- serial and parallel `check` over many files, hostile ones included ---------------------------


def test_check_parallel_run_matches_serial(tmp_path: Path) -> None:
    files = {p.values[0]: p.values[1] for p in HOSTILE}
    files.update({f"many/m{i:02}.py": IMPORT + b"get_factory()\n" for i in range(30)})
    files["sum.py"] = DEEPEST_SUM
    (tmp_path / "many").mkdir()
    hostile_project(tmp_path, files)
    runs = [run_cli("flake8-ssot", "check", "-j", jobs, cwd=tmp_path) for jobs in ("1", "2")]
    serial, parallel = runs
    assert (serial.returncode, serial.stdout, serial.stderr) == (parallel.returncode, parallel.stdout, parallel.stderr)
    errors = {p.values[0]: p.values[2] for p in HOSTILE if p.values[2]} | {"sum.py": "too deeply nested to analyze"}
    assert serial.stderr == "".join(f"flake8-ssot: {name}: {error}\n" for name, error in sorted(errors.items()))
    assert serial.stdout.count("\n") == 1 + 60 + sum(len(p.values[3]) for p in HOSTILE)
    assert serial.returncode == 1


# -- the linted code is never imported or executed ----------------------------------------------

SENTINEL_CODE = """
import os as _os
with open({sentinel!r}, "a") as _f:
    _f.write(__name__ + "\\n")
"""


def test_linted_code_is_never_imported_or_executed(tmp_path: Path) -> None:
    """Every module (the deprecated one, a re-exporting __init__, conftest.py, setup.py) would
    write the sentinel if imported; every face of the tool runs and it stays absent."""
    root = tmp_path / "project"
    sentinel = tmp_path / "EXECUTED"
    run = SENTINEL_CODE.format(sentinel=str(sentinel))
    write_tree(root, {
        "pyproject.toml": """
            [tool.flake8-ssot]
            allowlist = "ssot-allowlist.toml"

            [[tool.flake8-ssot.rules]]
            name = "factory"
            deprecated = ["legacy.factory"]
            replacement = "core.ws.Manager.create_for_user"

            [[tool.flake8-ssot.rules.fix]]
            pattern = "legacy.factory.get_factory().create_for_user($ctx)"
            replace = "core.ws.Manager.create_for_user($ctx)"
        """,
        "legacy/__init__.py": run + "from legacy.factory import get_factory\n",
        "legacy/factory.py": run + (
            "class F:\n    def create_for_user(self, ctx):\n        return ctx\n\n\n"
            "def get_factory():\n    return F()\n\n\ndef __getattr__(name):\n    return get_factory\n"
        ),
        "core/__init__.py": run,
        "core/ws.py": run + "class Manager:\n    @classmethod\n    def create_for_user(cls, ctx):\n"
                            "        return ctx\n",
        "app/__init__.py": run + "from legacy import *\n",
        "app/use.py": run + (
            "from legacy.factory import get_factory\n\n\ndef handler(ctx):\n"
            "    return get_factory().create_for_user(ctx)\n"
        ),
        "app/strings.py": run + "import importlib\nimportlib.import_module('legacy.factory')\n",
        "conftest.py": run,
        "setup.py": run + "from legacy import get_factory\n",
    })
    before = {p.relative_to(root) for p in root.rglob("*")}
    commands = [
        ("flake8-ssot", "baseline"),  # first: the configuration names an allowlist
        ("flake8", "--select", "SOT", "."),
        ("flake8", "--select", "SOT", "-j", "2", "app", "legacy", "setup.py"),
        ("flake8-ssot", "check"),
        ("flake8-ssot", "report", "--format", "json"),
        ("flake8-ssot", "plan", "--format", "json"),
        ("flake8-ssot", "export", "ruff"),
        ("flake8-ssot", "fix", "--diff"),
        ("flake8-ssot", "fix"),
        ("flake8-ssot", "check", "app/use.py"),
    ]
    codes = {}
    for command in commands:
        result = run_cli(*command, cwd=root)
        assert "Traceback" not in result.stderr, command
        codes[" ".join(command)] = result.returncode
    assert not sentinel.exists(), sentinel.read_text()
    # No bytecode either: nothing was even compiled to a .pyc.
    created = {str(p.relative_to(root)) for p in root.rglob("*")} - {str(p) for p in before}
    # Besides the allowlist: the tool's cache, and the data files of a coverage run measuring it.
    assert sorted(p for p in created if not p.startswith((".flake8-ssot-cache", ".coverage."))) == [
        "ssot-allowlist.toml"
    ]
    fixed = (root / "app" / "use.py").read_text()
    assert "Manager.create_for_user(ctx)" in fixed and "get_factory" not in fixed
    assert set(codes.values()) <= {0, 1}, codes
    # The sentinel works: importing the project does write it.
    subprocess.run([sys.executable, "-B", "-c", "import app.use, legacy.factory"], cwd=root, check=True, timeout=60)
    assert {"app", "legacy", "legacy.factory", "app.use"} <= set(sentinel.read_text().splitlines())


# -- determinism ---------------------------------------------------------------------------------

# Source, and how many lines `check` prints for it (stdout, stderr).
USES = [
    ("from legacy.factory import get_factory\n\n\ndef f():\n    return get_factory()\n", 2, 0),
    ("import legacy.factory as lf\nx = lf.Factory.create()\n", 2, 0),
    ("from pkg import *\nget_factory()\n", 2, 0),
    ("from unittest import mock\n\n\n@mock.patch('compat.get_factory_compat')\ndef test(m):\n    pass\n", 1, 0),
    ("import compat2\ncompat2.gfc2()  # noqa: SOT002\ny = 1  # noqa: SOT001\n", 1, 0),
    ("from legacy.factory import get_factory\ndef f(:\n", 0, 1),
    ("x = 1\n", 0, 0),
]
BASE_FILES_USES = 4
"""compat.py, compat2.py and pkg/__init__.py re-export: uses too."""


def test_output_is_the_same_on_every_run_serial_or_parallel(tmp_path: Path) -> None:
    """Sixty files, `check` and flake8, -j 1 and -j 2, twice each: one output, in one order."""
    picks = [USES[i % len(USES)] for i in range(60)]
    files = {f"app/{chr(97 + i % 26)}{i:02}/m{i}.py": source for i, (source, _, _) in enumerate(picks)}
    write_tree(tmp_path, {**BASE_FILES, **files})
    outputs = {}
    for attempt in ("cold", "warm"):  # without, then with the cache the previous runs left
        for jobs in ("1", "2"):
            if attempt == "cold":
                shutil.rmtree(tmp_path / ".flake8-ssot-cache", ignore_errors=True)
            check = run_cli("flake8-ssot", "check", "-j", jobs, cwd=tmp_path)
            flake8 = run_cli("flake8", "--select", "SOT", "-j", jobs, ".", cwd=tmp_path)
            assert check.returncode == flake8.returncode == 1
            outputs[f"check -j {jobs} {attempt}"] = check.stdout
            outputs[f"flake8 -j {jobs} {attempt}"] = flake8.stdout.replace("./", "")
            assert flake8.stderr == ""
            assert check.stderr.count("\n") == sum(errors for _, _, errors in picks), check.stderr
    assert len(set(outputs.values())) == 1, outputs.keys()
    lines = next(iter(outputs.values())).splitlines()
    assert lines == sorted(lines, key=lambda line: (line.split(":")[0], *map(int, line.split(":")[1:3])))
    assert len(lines) == sum(found for _, found, _ in picks) + BASE_FILES_USES


# -- concurrent baseline runs ------------------------------------------------------------------


def test_concurrent_baseline_runs_lose_nothing(migration: Path, tmp_path: Path) -> None:
    """Five `baseline` runs at once, on a fresh project: the allowlist parses, and equals one run's."""
    reference = tmp_path / "reference"
    shutil.copytree(migration, reference)
    exe = Path(sys.executable).parent / "flake8-ssot"
    assert subprocess.run([exe, "baseline"], cwd=reference, capture_output=True, timeout=120).returncode == 0
    runs = [
        subprocess.Popen([exe, "baseline"], cwd=migration, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(5)
    ]
    results = [(run.wait(timeout=120), *run.communicate()) for run in runs]
    assert all(code == 0 and "Traceback" not in err for code, _, err in results), results
    assert (migration / "ssot-allowlist.toml").read_text() == (reference / "ssot-allowlist.toml").read_text()
    check = run_cli("flake8-ssot", "check", cwd=migration)
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "")


def test_concurrent_baseline_runs_while_uses_go_away(migration: Path) -> None:
    """Tightening runs racing each other never drop an entry that is still needed."""
    assert run_cli("flake8-ssot", "baseline", cwd=migration).returncode == 0
    (migration / "app" / "views.py").write_text(textwrap.dedent("""
        def handler(ctx):
            return ctx
    """))
    exe = Path(sys.executable).parent / "flake8-ssot"
    runs = [subprocess.Popen([exe, "baseline"], cwd=migration, stdout=subprocess.PIPE, text=True) for _ in range(4)]
    assert [run.wait(timeout=120) for run in runs] == [0] * 4
    for run in runs:
        run.communicate()
    text = (migration / "ssot-allowlist.toml").read_text()
    assert 'path = "app/views.py"' not in text
    assert text.count('path = "app/jobs.py"') == 2
    check = run_cli("flake8-ssot", "check", cwd=migration)
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "")


# -- notes under a noqa: what flake8 drops, `check` drops -----------------------------------------


def test_noqa_covering_notes_silences_them_in_check_and_flake8(migration: Path, ssot: Ssot) -> None:
    """Found by tests/test_properties.py: notes are positioned lines too, and flake8 applies noqa to them."""
    assert ssot("baseline", cwd=migration)[0] == 0
    # Line 1 under a bare noqa: the now-stale entry's SOT901 (reported at line 1) is silenced;
    # an unused SOT001 under a noqa that also names SOT903 is silenced as well.
    (migration / "app" / "views.py").write_text(
        "from legacy.factory import get_factory  # noqa\n\n\ndef handler(ctx):\n    return ctx  # noqa: SOT001,SOT903\n"
    )
    (migration / "app" / "jobs.py").write_text("x = 1  # noqa: SOT001\n")  # no noqa on line 1 covers SOT901
    expected = [
        "app/jobs.py:1:1: SOT901 allowlist entry can be tightened: rule factory in <module> 1 allowed, 0 left; "
        "Job.run 1 allowed, 0 left; run flake8-ssot baseline",
        "app/jobs.py:1:1: SOT901 allowlist entry can be tightened: rule settings in <module> 1 allowed, 0 left; "
        "Job.run 1 allowed, 0 left; run flake8-ssot baseline",
        "app/jobs.py:1:8: SOT903 unused noqa: no SOT001 use on this line",
    ]
    for attempt in ("cold", "cached"):
        code, out, err = ssot("check", cwd=migration)
        assert (code, out.splitlines(), err) == (1, expected, ""), attempt
    flake8 = run_cli("flake8", "--select", "SOT", ".", cwd=migration)
    assert flake8.stdout.replace("./", "").splitlines() == expected
    disabled = run_cli("flake8", "--select", "SOT", "--disable-noqa", "app/views.py", cwd=migration)
    assert [line.split(" ")[1] for line in disabled.stdout.splitlines()] == ["SOT901", "SOT001", "SOT903"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            IMPORT + b"x = '\xff'\n",
            [f"1:1: {NOT_ANALYZED}cannot decode: line 2: byte 0xff is not utf-8 (invalid start byte)"],
            id="undecodable, with a use",
        ),
        pytest.param(b"x = '\xff'\n", [], id="undecodable, nothing to analyze"),
        pytest.param(b"# -*- coding: utf-8 -*-\n" + IMPORT, [sot001(2)], id="ASCII with a cookie"),
        pytest.param("s = 'caf\u00e9'\n".encode() + IMPORT, [sot001(2)], id="UTF-8 beyond ASCII"),
    ],
)
def test_plugin_reports_what_python_cannot_decode(
    tmp_path: Path, flake8_app: Callable[..., tuple[int, str, str]], content: bytes, expected: list[str]
) -> None:
    """flake8 lints undecodable bytes as latin-1; the plugin says SOT999, as `check` does, when it would analyze."""
    hostile_project(tmp_path, {"m.py": content})
    code, report, err = flake8_app("--select", "SOT", "m.py", cwd=tmp_path)
    assert (code, report.splitlines(), err) == (1 if expected else 0, [f"m.py:{e}" for e in expected], "")


def test_undecodable_files_outside_the_project(tmp_path: Path, ssot: Ssot) -> None:
    """Files named outside the project are always read; one that can yield nothing is still not reported."""
    root = tmp_path / "project"
    hostile_project(root, {})
    (tmp_path / "quiet.py").write_bytes(b"x = '\xff'\n")
    (tmp_path / "loud.py").write_bytes(IMPORT + b"x = '\xff'\n")
    named = [str(tmp_path / "quiet.py"), str(tmp_path / "loud.py")]
    assert ssot("check", "--ssot-config", "pyproject.toml", *named, cwd=root) == (
        1, "", f"flake8-ssot: {tmp_path}/loud.py: cannot decode: line 2: byte 0xff is not utf-8 (invalid start byte)\n"
    )
    # Named by a relative path, it is printed relative to the current directory, as flake8 prints it.
    assert ssot("check", "--ssot-config", "pyproject.toml", "../loud.py", cwd=root)[2] == (
        "flake8-ssot: ../loud.py: cannot decode: line 2: byte 0xff is not utf-8 (invalid start byte)\n"
    )
    # Without --ssot-config a file belongs to the configuration above it: here none.
    assert ssot("check", *named, cwd=root) == (0, "", "")
