"""`fix` writes what a template means: names spelled through the file's own bindings, the
replacement an import already brings reused, member renames through instances, and every use
accounted for (issue 22).

Each row is run by the real CLI (in-process, as the other fix tables); a row whose code runs on
the standard library alone is also executed in a subprocess after the rewrite, so a name that
means something else (an AttributeError, a NameError, a TypeError) fails the test.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import assert_accounted, findings_in_scope, write_tree
from flake8_ssot import cli, discovery, paths

PYPROJECT = """
    [tool.flake8-ssot]
    cache = false

    [[tool.flake8-ssot.rules]]
    name = "utcnow"
    deprecated = ["datetime.datetime.utcnow"]

    [[tool.flake8-ssot.rules.fix]]
    pattern = "datetime.datetime.utcnow()"
    replace = "datetime.datetime.now(tz=datetime.timezone.utc)"

    [[tool.flake8-ssot.rules]]
    name = "loop"
    deprecated = ["asyncio.get_event_loop"]

    [[tool.flake8-ssot.rules.fix]]
    pattern = "get_event_loop"
    replace = "asyncio.get_running_loop"

    [[tool.flake8-ssot.rules]]
    name = "url"
    deprecated = ["django.conf.urls.url"]

    [[tool.flake8-ssot.rules.fix]]
    pattern = "url"
    replace = "django.urls.re_path"
"""

DJANGO = {
    "django/__init__.py": "",
    "django/conf/__init__.py": "",
    "django/conf/urls.py": "def url(*args):\n    return args\n",
    "django/urls/__init__.py": "def re_path(*args):\n    return args\n\n\ndef path(*args):\n    return args\n",
}


@dataclass
class Run:
    new: str
    out: str
    err: str
    code: int


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, **DJANGO})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    discovery.forget()
    paths.forget()
    capsys.readouterr()
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def fix(project: Path, capsys: pytest.CaptureFixture[str], source: str, relpath: str = "use.py") -> Run:
    write_tree(project, {relpath: source})
    before = findings_in_scope(relpath)
    code, out, err = run(project, capsys, "fix", relpath)
    assert_accounted(out, err, before, relpath)
    return Run((project / relpath).read_text(), out, err, code)


def execute(project: Path, relpath: str) -> None:
    """Run the rewritten file: a name that means something else fails here."""
    done = subprocess.run(
        [sys.executable, relpath], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


RUNS = "\n\nprint(f())\n"

REWRITES = [
    pytest.param(
        """
        from datetime import datetime


        def f():
            return datetime.utcnow()
        """,
        """
        from datetime import datetime, timezone


        def f():
            return datetime.now(tz=timezone.utc)
        """,
        True,
        id="from datetime import datetime: through that binding, timezone added to its line",
    ),
    pytest.param(
        """
        import datetime


        def f():
            return datetime.datetime.utcnow()
        """,
        """
        import datetime


        def f():
            return datetime.datetime.now(tz=datetime.timezone.utc)
        """,
        True,
        id="import datetime: the qualified text as is, the import kept",
    ),
    pytest.param(
        """
        import datetime as dt


        def f():
            return dt.datetime.utcnow()
        """,
        """
        import datetime as dt


        def f():
            return dt.datetime.now(tz=dt.timezone.utc)
        """,
        True,
        id="import datetime as dt: through the alias",
    ),
    pytest.param(
        """
        from datetime import datetime, timezone as tz


        def f():
            return datetime.utcnow()
        """,
        """
        from datetime import datetime, timezone as tz


        def f():
            return datetime.now(tz=tz.utc)
        """,
        True,
        id="timezone imported under an alias: reused",
    ),
    pytest.param(
        """
        import asyncio
        from asyncio import get_event_loop, get_running_loop


        async def main():
            return get_event_loop() is get_running_loop()


        def f():
            return asyncio.run(main())
        """,
        """
        import asyncio
        from asyncio import get_running_loop


        async def main():
            return get_running_loop() is get_running_loop()


        def f():
            return asyncio.run(main())
        """,
        True,
        id="deprecated name imported next to its replacement: the replacement reused",
    ),
    pytest.param(
        """
        from django.conf.urls import url
        from django.urls import path, re_path

        urlpatterns = [url("^a/$", None), re_path("^b/$", None), path("c/", None)]
        """,
        """
        from django.urls import path, re_path

        urlpatterns = [re_path("^a/$", None), re_path("^b/$", None), path("c/", None)]
        """,
        False,
        id="a replacement the file already imports is reused, not imported as the old name",
    ),
]


# The rule's replacement is the template's own head (`datetime`): a name the template writes in
# full still means itself, not the replacement's class (`datetime.datetime.datetime.now`).
WITH_REPLACEMENT = {
    "template only": PYPROJECT,
    "replacement too": PYPROJECT.replace(
        'deprecated = ["datetime.datetime.utcnow"]\n',
        'deprecated = ["datetime.datetime.utcnow"]\n    replacement = "datetime.datetime.now"\n',
    ),
}


@pytest.mark.parametrize("config", list(WITH_REPLACEMENT))
@pytest.mark.parametrize(("source", "expected", "runs"), REWRITES)
def test_rewrite(
    project: Path, capsys: pytest.CaptureFixture[str], source: str, expected: str, runs: bool, config: str
) -> None:
    assert WITH_REPLACEMENT[config].count("replacement =") == (config == "replacement too")
    write_tree(project, {"pyproject.toml": WITH_REPLACEMENT[config]})
    tail = RUNS if runs else ""
    done = fix(project, capsys, dedent(source) + tail)
    assert done.new == dedent(expected) + tail, done.out + done.err
    assert (done.code, done.err) == (0, "")
    if runs:
        execute(project, "use.py")
    again = fix(project, capsys, done.new)
    assert again.new == done.new
    assert "fixed 0 uses" in again.out


LEFT = [
    pytest.param(
        """
        from datetime import datetime


        def f(default=datetime.utcnow):
            return default
        """,
        ["use.py:4:15: manual: no fix template covers this reference (SOT003)"],
        id="default=datetime.utcnow: counted and explained",
    ),
    pytest.param(
        """
        from datetime import datetime


        def f():
            return datetime
        """,
        [],
        id="noop: no use",
    ),
]


@pytest.mark.parametrize(("source", "manual"), LEFT)
def test_left(project: Path, capsys: pytest.CaptureFixture[str], source: str, manual: list[str]) -> None:
    done = fix(project, capsys, dedent(source))
    assert done.new == dedent(source)
    assert [line for line in done.out.splitlines() if ": manual: " in line] == manual
    assert done.err == ""


REFUSED = [
    pytest.param(
        """
        from datetime import datetime
        import time as timezone


        def f():
            return datetime.utcnow(), timezone.time()
        """,
        "use.py:6:12: manual: datetime already means something else here (SOT002)",
        id="timezone bound to another module, datetime to the class: no safe spelling",
    ),
]


@pytest.mark.parametrize(("source", "manual"), REFUSED)
def test_refused(project: Path, capsys: pytest.CaptureFixture[str], source: str, manual: str) -> None:
    done = fix(project, capsys, dedent(source))
    assert done.new == dedent(source)
    assert [line for line in done.out.splitlines() if ": manual: " in line] == [manual]
    assert done.err == ""


UTCNOW = "from datetime import datetime\nimport time as timezone\n\n\ndef f():\n    return datetime.utcnow()\n"


@pytest.mark.parametrize(
    ("source", "wrong", "written", "problem"),
    [
        pytest.param(
            UTCNOW,
            UTCNOW.replace("datetime.utcnow()", "datetime.datetime.now(tz=datetime.timezone.utc)"),
            ["datetime.datetime.now", "datetime.timezone.utc"],
            "datetime.datetime.now, which the rewrite writes, would not be reached by the name written for it",
            id="the template's text written as is under from datetime import datetime",
        ),
        pytest.param(
            "import datetime\n\n\ndef f():\n    return datetime.datetime.utcnow()\n",
            "def f():\n    return datetime.datetime.now(tz=datetime.timezone.utc)\n",
            ["datetime.datetime.now", "datetime.timezone.utc"],
            "datetime.datetime.now, which the rewrite writes, would not be reached by the name written for it",
            id="the import the new code reads removed",
        ),
        pytest.param(
            "import time as timezone\nfrom datetime import datetime\n\n\n"
            "def f():\n    return datetime.utcnow(), timezone.time()\n",
            "import time as timezone\nfrom datetime import datetime, timezone\n\n\n"
            "def f():\n    return datetime.now(tz=timezone.utc), timezone.time()\n",
            ["datetime.datetime.now", "datetime.timezone.utc"],
            "a name reaching time would reach something else after the rewrite",
            id="a new import shadowing a name the file uses",
        ),
    ],
)
def test_a_rewrite_that_means_something_else_is_never_written(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    source: str, wrong: str, written: list[str], problem: str,
) -> None:
    """The meaning check behind every rewrite: text that parses, is pyflakes-clean where the old
    was, and has lost exactly the uses fixed, but whose names reach something else, stays unwritten."""
    from flake8_ssot import rewrite

    def planned(templates: object, index: object, relpath: str, text: str, uses: list, *_: object) -> rewrite.Result:
        line = text.splitlines().index(next(t for t in text.splitlines() if "utcnow()" in t)) + 1
        start = text.splitlines()[line - 1].index("datetime")
        end = text.splitlines()[line - 1].index("()") + 2
        return rewrite.Result(wrong, fixed=list(uses), written=written, changed=[((line, start, line, end), [])])

    monkeypatch.setattr(rewrite, "rewrite", planned)
    done = fix(project, capsys, source)
    assert done.new == source
    assert done.err == f"flake8-ssot: use.py: skipped: {problem}; nothing changed (1 use left to migrate by hand)\n"


MEMBER_RULES = {
    "replacement": """
        [[tool.flake8-ssot.rules]]
        name = "assert-equals"
        deprecated = ["unittest.TestCase.assertEquals"]
        replacement = "unittest.TestCase.assertEqual"
    """,
    "name template": """
        [[tool.flake8-ssot.rules]]
        name = "assert-equals"
        deprecated = ["unittest.TestCase.assertEquals"]

        [[tool.flake8-ssot.rules.fix]]
        pattern = "unittest.TestCase.assertEquals"
        replace = "unittest.TestCase.assertEqual"
    """,
    "call template": """
        [[tool.flake8-ssot.rules]]
        name = "assert-equals"
        deprecated = ["unittest.TestCase.assertEquals"]

        [[tool.flake8-ssot.rules.fix]]
        pattern = "unittest.TestCase.assertEquals($a, $b)"
        replace = "unittest.TestCase.assertEqual($a, $b)"
    """,
}

TESTCASE = """
    import unittest
    from unittest import mock


    class T(unittest.TestCase):
        def test_self(self):
            self.assertEquals(1, 1)
            check = self.assertEquals
            check(2, 2)

        @classmethod
        def helper(cls):
            return cls.assertEquals

        def test_patched(self):
            with mock.patch.object(unittest.TestCase, "assertEquals"):
                pass
            with mock.patch("unittest.TestCase.assertEquals"):
                pass

        def test_instance(self):
            check(self, 3)
            super().assertEquals(4, 4)


    def check(case: unittest.TestCase, x):
        case.assertEquals(x, x)
        unittest.TestCase.assertEquals(case, x, x)


    if __name__ == "__main__":
        unittest.main()
"""


@pytest.mark.parametrize("rule", list(MEMBER_RULES), ids=list(MEMBER_RULES))
def test_member_renamed_through_instances(
    project: Path, capsys: pytest.CaptureFixture[str], rule: str
) -> None:
    """unittest.TestCase.assertEquals -> assertEqual, however the rule says it: `self` is kept."""
    write_tree(project, {"pyproject.toml": PYPROJECT + MEMBER_RULES[rule]})
    done = fix(project, capsys, dedent(TESTCASE), "test_use.py")
    assert done.new == dedent(TESTCASE).replace("assertEquals", "assertEqual"), done.out + done.err
    assert (done.code, done.err) == (0, "")
    assert "fixed 8 uses in 1 file; 0 left" in done.out
    execute(project, "test_use.py")


def test_check_reports_a_member_reached_through_super(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(project, {"pyproject.toml": PYPROJECT + MEMBER_RULES["replacement"], "test_use.py": dedent(TESTCASE)})
    code, out, _ = run(project, capsys, "check", "test_use.py")
    assert code == 1
    assert (
        "test_use.py:23:9: SOT002 call of deprecated unittest.TestCase.assertEquals; use unittest.TestCase.assertEqual"
        in out.splitlines()
    )


def test_member_rename_under_an_alias_of_the_class(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(project, {"pyproject.toml": PYPROJECT + MEMBER_RULES["replacement"]})
    source = (
        "import unittest\nfrom unittest import TestCase as TC\n\n\nclass T(TC):\n    def test(self):\n"
        "        TC.assertEquals(self, 1, 1)\n\n\nunittest.main()\n"
    )
    done = fix(project, capsys, source, "test_use.py")
    assert done.new == source.replace("assertEquals", "assertEqual")
    assert done.err == ""
    execute(project, "test_use.py")


def _fix_on_a_terminal(project: Path, *args: str) -> tuple[str, str]:
    """The real CLI with stderr on a pseudo-terminal: (stdout, what the terminal showed)."""
    import os
    import pty

    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "flake8-ssot"), "fix", *args], cwd=project,
            stdout=subprocess.PIPE, stderr=terminal, text=True, timeout=300,
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal side is closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    return done.stdout, shown.decode()


def test_progress_on_a_terminal_only(project: Path) -> None:
    write_tree(project, {"use.py": "from datetime import datetime\n\nx = datetime.utcnow()\n"})
    out, shown = _fix_on_a_terminal(project, "--diff")
    assert "flake8-ssot: fix: 1/1 files rewritten" in shown
    assert re.search(r"flake8-ssot: fix: \d+/\d+ files analysed", shown)
    # The line is cleared before the report.
    assert shown.replace("\r\n", "\n").endswith(
        "files rewritten\r\x1b[Kuse.py: would fix 1 use\n"
        "flake8-ssot: would fix 1 use in 1 file; 0 left to migrate by hand\n"
    )
    assert "+x = datetime.now(tz=timezone.utc)" in out
    quiet_out, quiet = _fix_on_a_terminal(project, "--diff", "-q")
    assert quiet == "" and quiet_out == out
    piped = subprocess.run(
        [str(Path(sys.executable).parent / "flake8-ssot"), "fix", "--diff"], cwd=project, capture_output=True,
        text=True, timeout=300,
    )
    assert piped.stderr == (
        "use.py: would fix 1 use\nflake8-ssot: would fix 1 use in 1 file; 0 left to migrate by hand\n"
    )


def test_patch_object_of_a_moved_class_follows_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`patch.object(Client, "get")` names the new class's member once `Client` is the new class."""
    write_tree(project, {
        "pyproject.toml": PYPROJECT + """
            [[tool.flake8-ssot.rules]]
            name = "client"
            deprecated = ["oldmod.Client"]

            [[tool.flake8-ssot.rules.fix]]
            pattern = "Client"
            replace = "newmod.Client"
        """,
        "oldmod.py": "class Client:\n    def get(self):\n        return 1\n",
        "newmod.py": "class Client:\n    def get(self):\n        return 2\n",
    })
    source = dedent("""
        from unittest import mock

        from oldmod import Client


        def f():
            with mock.patch.object(Client, "get", return_value=3):
                return Client().get()
    """) + RUNS
    done = fix(project, capsys, source)
    assert done.new == source.replace("from oldmod", "from newmod"), done.out + done.err
    assert done.err == ""
    assert "fixed 3 uses in 1 file; 0 left" in done.out
    execute(project, "use.py")
