"""`flake8-ssot fix`: exact rewrites per kind, what is left as manual, and the safety rules.

Each rewrite case checks the exact new text, that it parses, and that a second run changes
nothing. The CLI runs in-process for the tables (LibCST's import alone costs most of a
subprocess) and as a real subprocess for the end-to-end cases.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import EXAMPLE, assert_accounted, findings_in_scope, run_cli, write_tree
from flake8_ssot import cli
from flake8_ssot.config import load_config
from flake8_ssot.engine import FileReport, Project
from flake8_ssot.model import ConfigError, Finding

FILES: dict[str, str] = {
    "pyproject.toml": """
        [tool.flake8-ssot]
        cache = false

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
        replacement = "core.ws.Manager.create_for_user"

        [[tool.flake8-ssot.rules.fix]]
        pattern = "get_factory().create_for_user($ctx)"
        replace = "Manager.create_for_user($ctx)"

        [[tool.flake8-ssot.rules.fix]]
        pattern = "make_manager($ctx)"
        replace = "Manager.create_for_user($ctx)"

        [[tool.flake8-ssot.rules]]
        name = "fetch"
        deprecated = ["lib.old.helpers.fetch"]
        replacement = "lib.new.helpers.fetch_data"

        [[tool.flake8-ssot.rules]]
        name = "pkg-move"
        deprecated = ["oldpkg"]
        replacement = "newpkg"
    """,
    "legacy/__init__.py": "",
    "legacy/factory.py": """
        class Factory:
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


        class Other:
            pass
    """,
    "lib/__init__.py": "",
    "lib/old/__init__.py": "",
    "lib/old/helpers.py": "def fetch(url, timeout=3):\n    return url\n\n\ndef other():\n    return 1\n",
    "lib/new/__init__.py": "",
    "lib/new/helpers.py": "def fetch_data(url, timeout=3):\n    return url\n",
    "lib/sub/__init__.py": "",
    "oldpkg/__init__.py": "",
    "oldpkg/util.py": "def f():\n    return 1\n",
    "newpkg/__init__.py": "",
    "newpkg/util.py": "def f():\n    return 1\n",
    "reexp.py": "from lib.old.helpers import fetch\n",
}


@dataclass
class Run:
    new: str
    out: str
    err: str
    code: int


Fixer = Callable[..., Run]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(tmp_path, FILES)
    return tmp_path


@pytest.fixture
def fixer(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Fixer:
    monkeypatch.chdir(project)

    def run(source: str | None, relpath: str = "use.py", *args: str) -> Run:
        if source is not None:
            write_tree(project, {relpath: source})
        before = findings_in_scope(relpath)
        capsys.readouterr()
        code = cli.main(["fix", *args, relpath])
        captured = capsys.readouterr()
        if "-q" not in args:
            assert_accounted(captured.out, captured.err, before, relpath)
        path = project / relpath
        new = path.read_bytes().decode("utf-8", "replace") if path.is_file() else ""
        return Run(new, captured.out, captured.err, code)

    return run


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def check_rewrite(fixer: Fixer, source: str, expected: str, relpath: str = "use.py") -> Run:
    """The exact rewrite, still valid Python, and a fixpoint."""
    first = fixer(source, relpath)
    assert first.new == dedent(expected), first.out + first.err
    assert (first.code, first.err) == (0, "")
    ast.parse(first.new)
    again = fixer(None, relpath)
    assert again.new == first.new
    assert "fixed 0 uses in 0 files" in again.out
    return first


# -- call-shape templates ------------------------------------------------------------------

TEMPLATES = [
    pytest.param(
        """
        from legacy.factory import get_factory
        from core.ws import Manager


        def f(ctx):
            return get_factory().create_for_user(ctx)
        """,
        """
        from core.ws import Manager


        def f(ctx):
            return Manager.create_for_user(ctx)
        """,
        id="one statement, replacement already imported",
    ),
    pytest.param(
        """
        from core.ws import Other
        from legacy.factory import get_factory as gf


        def f(ctx):
            return gf().create_for_user(ctx)
        """,
        """
        from core.ws import Manager, Other


        def f(ctx):
            return Manager.create_for_user(ctx)
        """,
        id="alias; import merged into the existing from-line, sorted",
    ),
    pytest.param(
        """
        import legacy.factory as lf


        def f(ctx):
            return lf.get_factory().create_for_user(ctx)
        """,
        """
        from core.ws import Manager


        def f(ctx):
            return Manager.create_for_user(ctx)
        """,
        id="module alias; new import takes the removed one's place",
    ),
    pytest.param(
        """
        import os
        import legacy.factory

        x = legacy.factory.get_factory().create_for_user(make(1, b=os.sep))
        y = (legacy.factory.get_factory().create_for_user(1)).send()
        """,
        """
        import os
        from core.ws import Manager

        x = Manager.create_for_user(make(1, b=os.sep))
        y = (Manager.create_for_user(1)).send()
        """,
        id="full dotted path, placeholder holding a call, parenthesized",
    ),
    pytest.param(
        """
        \"\"\"Doc.\"\"\"
        import sys


        def g(c):
            return make_manager(c)


        from legacy.factory import make_manager
        """,
        """
        \"\"\"Doc.\"\"\"
        import sys


        def g(c):
            return Manager.create_for_user(c)


        from core.ws import Manager
        """,
        id="import after use: replaced where it was",
    ),
    pytest.param(
        """
        \"\"\"Doc.\"\"\"
        import sys


        def g(c):
            from legacy.factory import make_manager
            return make_manager(c)


        def h(c):
            from legacy.factory import get_factory

            return get_factory().create_for_user(c)
        """,
        """
        \"\"\"Doc.\"\"\"
        import sys


        def g(c):
            from core.ws import Manager
            return Manager.create_for_user(c)


        def h(c):
            from core.ws import Manager

            return Manager.create_for_user(c)
        """,
        id="function-local imports stay function-local",
    ),
    pytest.param(
        """
        from legacy.factory import (
            Factory,  # old
            get_factory,  # also old
        )

        x = get_factory().create_for_user(1)
        y = Factory
        """,
        """
        from legacy.factory import (
            Factory,  # old
        )
        from core.ws import Manager

        x = Manager.create_for_user(1)
        y = Factory
        """,
        id="multi-name import keeps the other names and their comments",
    ),
    pytest.param(
        """
        from legacy.factory import get_factory as g2, Factory as F2


        def f(ctx):
            # Build it.
            manager = g2().create_for_user(  # the user
                ctx,  # their context
            )  # done
            return manager, F2
        """,
        """
        from legacy.factory import Factory as F2
        from core.ws import Manager


        def f(ctx):
            # Build it.
            manager = Manager.create_for_user(  # the user
                ctx,  # their context
            )  # done
            return manager, F2
        """,
        id="comments inside the arguments and around the statement",
    ),
    pytest.param(
        """
        from .factory import get_factory

        x = get_factory().create_for_user(get_factory().create_for_user(1))
        """,
        """
        from core.ws import Manager

        x = Manager.create_for_user(Manager.create_for_user(1))
        """,
        id="relative import, nested matches",
    ),
    pytest.param(
        """
        from core.ws import Manager
        from legacy.factory import get_factory


        def endpoint(ctx):
            import os.path
            user = ctx.user

            factory = get_factory()
            first = factory.create_for_user(user)
            return first, factory.create_for_user(ctx.other)
        """,
        """
        from core.ws import Manager


        def endpoint(ctx):
            import os.path
            user = ctx.user

            first = Manager.create_for_user(user)
            return first, Manager.create_for_user(ctx.other)
        """,
        id="two-statement form, used twice",
    ),
    pytest.param(
        """
        from core.ws import Manager


        def endpoint(ctx):
            from legacy.factory import get_factory

            # One factory per process.
            factory: object = get_factory()  # deprecated
            return factory.create_for_user(ctx)
        """,
        """
        from core.ws import Manager


        def endpoint(ctx):
            # One factory per process.
            # deprecated
            return Manager.create_for_user(ctx)
        """,
        id="two-statement form keeps the comments of the removed line",
    ),
]


@pytest.mark.parametrize(("source", "expected"), TEMPLATES)
def test_template_rewrites(fixer: Fixer, source: str, expected: str) -> None:
    check_rewrite(fixer, source, expected, "legacy/client.py" if "from .factory" in source else "use.py")


MANUAL = [
    pytest.param(
        """
        from legacy.factory import get_factory

        Manager = 3
        x = get_factory().create_for_user(1)


        def f(ctx):
            factory = get_factory()
            return factory.create_for_user(ctx)
        """,
        [
            "use.py:1:28: manual: get_factory is still used where the fix leaves the code as it is (SOT001)",
            "use.py:4:5: manual: Manager already means something else here (SOT002)",
            "use.py:8:15: manual: Manager already means something else here (SOT002)",
            "use.py:9:12: manual: Manager already means something else here (SOT002)",
        ],
        id="the replacement's name is taken",
    ),
    pytest.param(
        """
        from legacy.factory import get_factory

        y = get_factory(  # why
        ).create_for_user(2)
        z = get_factory().create_for_user(ctx=3)
        w = get_factory().create_for_user(4)  # noqa: SOT002
        """,
        [
            "use.py:1:28: manual: get_factory is still used where the fix leaves the code as it is (SOT001)",
            "use.py:3:5: manual: a comment inside the expression would be lost (SOT002)",
            "use.py:5:5: manual: no fix template covers this call (SOT002)",
        ],
        id="comment in the pattern's part, other call shape, noqa left alone",
    ),
    pytest.param(
        """
        from legacy.factory import get_factory


        def leaks(ctx):
            factory = get_factory()
            factory.create_for_user(ctx)
            return factory


        def rebinds(ctx):
            factory = get_factory()
            factory = factory.create_for_user(ctx)


        class Session:
            def __init__(self):
                self.factory = get_factory()

            def open(self, ctx):
                return self.factory.create_for_user(ctx)


        module_factory = get_factory()
        """,
        [
            "use.py:1:28: manual: get_factory is still used where the fix leaves the code as it is (SOT001)",
            "use.py:5:15: manual: factory escapes the function (SOT002)",
            "use.py:6:5: manual: factory escapes the function (SOT002)",
            "use.py:11:15: manual: factory escapes the function (SOT002)",
            "use.py:12:15: manual: factory escapes the function (SOT002)",
            "use.py:17:24: manual: self.factory escapes the function (SOT002)",
            "use.py:20:16: manual: self.factory escapes the function (SOT002)",
            "use.py:23:18: manual: module_factory is a module global (other modules may use it) (SOT002)",
        ],
        id="two-statement forms whose variable escapes",
    ),
    pytest.param(
        """
        import importlib
        from legacy import factory
        from legacy.factory import *

        __all__ = ["factory"]
        isinstance(1, factory.Factory)
        importlib.import_module("legacy.factory")
        x: "factory.Factory"
        """,
        [
            "use.py:2:20: manual: factory is still used where the fix leaves the code as it is (SOT001)",
            "use.py:3:28: manual: star import: import the names you use from the replacement (SOT001)",
            "use.py:5:12: manual: public name listed in __all__: remove it when nothing imports it from here (SOT004)",
            "use.py:6:15: manual: no fix template covers this reference (SOT003)",
            "use.py:7:25: manual: names the deprecated module itself, which has no replacement module (SOT004)",
            "use.py:8:4: manual: name inside a string annotation (SOT003)",
        ],
        id="shapes no template covers",
    ),
]


MANUAL += [
    pytest.param(
        """
        from legacy.factory import get_factory


        def pairs(ctx):
            factory = get_factory(); first = factory.create_for_user(1)
            unused = get_factory()
            other = get_factory()
            other.reset(ctx)
            built = get_factory("x")
            built.create_for_user(ctx)
            called = get_factory()
            return called(), dict(factory=1)


        class Holder:
            factory = get_factory()

            def open(self, ctx):
                return self.factory.create_for_user(ctx)


        def odd(args):
            get_factory().pool.create_for_user(1)
            other().create_for_user(get_factory())
            get_factory().create_for_user(*args)
        """,
        [
            "use.py:1:28: manual: get_factory is still used where the fix leaves the code as it is (SOT001)",
            "use.py:5:15: manual: factory = ... shares its line with other statements (SOT002)",
            "use.py:5:38: manual: factory = ... shares its line with other statements (SOT002)",
            "use.py:6:14: manual: unused is not used in a shape a fix template covers (SOT002)",
            "use.py:7:13: manual: other.reset(ctx) is not covered by a fix template (SOT002)",
            "use.py:8:5: manual: other.reset(ctx) is not covered by a fix template (SOT002)",
            "use.py:9:13: manual: no fix template covers this call (SOT002)",
            "use.py:10:5: manual: no fix template covers this call (SOT002)",
            "use.py:11:14: manual: called escapes the function (SOT002)",
            "use.py:12:12: manual: no fix template covers this call (SOT002)",
            "use.py:16:15: manual: factory is a class attribute (other code may use it) (SOT002)",
            "use.py:19:16: manual: self.factory escapes the function (SOT002)",
            "use.py:23:5: manual: no fix template covers this call (SOT002)",
            "use.py:24:29: manual: no fix template covers this call (SOT002)",
            "use.py:25:5: manual: no fix template covers this call (SOT002)",
        ],
        id="two-statement forms and calls that do not fit",
    ),
    pytest.param(
        """
        from unittest import mock


        @mock.patch("legacy.factory.get_factory")
        class TestA:
            def test(self, factory):
                pass


        @mock.patch("legacy.factory.get_factory")
        @mock.patch("os.getcwd", lambda: 1)
        def test_b(factory):
            pass


        @mock.patch("legacy.factory.get_factory")
        def test_c():
            pass


        def test_d(monkeypatch):
            mock.patch("legacy.factory.get_factory").start()
            mock.patch("legacy.factory.get_factory", new=1)
            monkeypatch.setattr("legacy.factory.get_factory", lambda: None)
            mock.patch("legacy.factory.Factory")
        """,
        [
            "use.py:4:13: manual: mock.patch(...) decorates a class: adapt its tests by hand (SOT004)",
            "use.py:10:13: manual: stacked patch decorators with arguments: adapt the test by hand (SOT004)",
            "use.py:16:13: manual: the patched test takes no argument for the mock: adapt it by hand (SOT004)",
            "use.py:22:16: manual: mock.patch(...) used neither as a decorator nor in with ... as: adapt it by hand "
            "(SOT004)",
            "use.py:23:16: manual: mock.patch(...) with more arguments: patch the replacement by hand (SOT004)",
            "use.py:24:25: manual: names legacy.factory.get_factory outside mock.patch(...): no same-shape "
            "replacement (SOT004)",
            "use.py:25:16: manual: no same-shape replacement for this string target (SOT004)",
        ],
        id="mock.patch shapes a rewrite cannot follow",
    ),
    pytest.param(
        """
        from legacy.factory import get_factory


        def other():
            Manager = 1
            return Manager


        def f(ctx):
            return get_factory().create_for_user(ctx)
        """,
        [
            "use.py:1:28: manual: get_factory is still used where the fix leaves the code as it is (SOT001)",
            "use.py:10:12: manual: Manager already means something else in this file (SOT002)",
        ],
        id="the replacement's name is a variable elsewhere in the file",
    ),
]


@pytest.mark.parametrize(("source", "expected"), MANUAL)
def test_uncovered_shapes_are_left_and_listed(fixer: Fixer, source: str, expected: list[str]) -> None:
    run = fixer(source)
    assert run.new == dedent(source)
    manual = [line for line in run.out.splitlines() if ": manual: " in line]
    assert manual == expected
    assert run.out.splitlines()[-1] == f"flake8-ssot: fixed 0 uses in 0 files; {len(expected)} left to migrate by hand"


# -- moved names -----------------------------------------------------------------------------

MOVES = [
    pytest.param(
        """
        from lib.old.helpers import fetch


        def get(url):
            return fetch(url, timeout=1), fetch.__name__
        """,
        """
        from lib.new.helpers import fetch_data


        def get(url):
            return fetch_data(url, timeout=1), fetch_data.__name__
        """,
        id="from-import renamed with its uses",
    ),
    pytest.param(
        """
        from lib.old.helpers import fetch as grab, other

        grab("u")
        other()
        """,
        """
        from lib.old.helpers import other
        from lib.new.helpers import fetch_data as grab

        grab("u")
        other()
        """,
        id="alias kept, multi-name import split",
    ),
    pytest.param(
        """
        from lib.old.helpers import fetch

        fetch_data = 1
        fetch("u")
        """,
        """
        from lib.new.helpers import fetch_data as fetch

        fetch_data = 1
        fetch("u")
        """,
        id="new name taken: imported under the old name",
    ),
    pytest.param(
        """
        import lib.old.helpers
        import lib.old.helpers as h

        lib.old.helpers.fetch("u")
        h.fetch("v")
        h.other()
        """,
        """
        import lib.new.helpers
        import lib.old.helpers as h

        lib.new.helpers.fetch_data("u")
        lib.new.helpers.fetch_data("v")
        h.other()
        """,
        id="module attribute uses keep the module style",
    ),
    pytest.param(
        """
        import oldpkg.util
        import oldpkg.util as u
        from oldpkg import util
        from oldpkg.util import f
        from oldpkg.util import *

        oldpkg.util.f()
        u.f()
        util.f()
        f()
        """,
        """
        import newpkg.util
        import newpkg.util as u
        from newpkg import util
        from newpkg.util import f
        from newpkg.util import *

        newpkg.util.f()
        u.f()
        util.f()
        f()
        """,
        id="module move, every import form",
    ),
    pytest.param(
        """
        from unittest import mock
        import importlib


        @mock.patch("lib.old.helpers.fetch")
        def test_a(m):
            m.return_value = 1


        def test_b():
            with mock.patch('oldpkg.util.f') as f:
                importlib.import_module("oldpkg.util")
        """,
        """
        from unittest import mock
        import importlib


        @mock.patch("lib.new.helpers.fetch_data")
        def test_a(m):
            m.return_value = 1


        def test_b():
            with mock.patch('newpkg.util.f') as f:
                importlib.import_module("newpkg.util")
        """,
        id="string targets",
    ),
]


MOVES += [
    pytest.param(
        """
        import oldpkg.util

        oldpkg.util.f()
        print(oldpkg.__name__)
        x = (oldpkg.util.f)()
        """,
        """
        import newpkg.util
        import newpkg

        newpkg.util.f()
        print(newpkg.__name__)
        x = (newpkg.util.f)()
        """,
        id="import a.b also binding a: every use gets its own import",
    ),
    pytest.param(
        """
        from lib.old.helpers import fetch


        def f():
            global counter
            return (fetch)(1)
        """,
        """
        from lib.new.helpers import fetch_data


        def f():
            global counter
            return (fetch_data)(1)
        """,
        id="parenthesized use renamed",
    ),
]


@pytest.mark.parametrize(("source", "expected"), MOVES)
def test_moved_names(fixer: Fixer, source: str, expected: str) -> None:
    check_rewrite(fixer, source, expected)


def test_moves_left_for_a_person(fixer: Fixer) -> None:
    run = fixer(
        """
        import lib.old.helpers as h
        from lib.old.helpers import *

        lib = 3
        h.fetch(1)
        x = mock.patch("reexp.fetch")
        """
    )
    assert run.new == dedent("""
        import lib.old.helpers as h
        from lib.old.helpers import *

        lib = 3
        h.fetch(1)
        x = mock.patch("reexp.fetch")
    """)
    assert run.out.splitlines() == [
        "use.py:2:29: manual: star import: import the names you use from the replacement (SOT001)",
        "use.py:5:1: manual: lib already means something else here (SOT002)",
        "use.py:6:16: manual: names lib.old.helpers.fetch through another path: point it where the new code looks "
        "it up (SOT004)",
        "flake8-ssot: fixed 0 uses in 0 files; 3 left to migrate by hand",
    ]


@pytest.mark.parametrize(
    ("relpath", "source", "expected"),
    [
        pytest.param("lib/client.py", "from .old.helpers import fetch\n", "from .new.helpers import fetch_data\n",
                     id="one level"),
        pytest.param("lib/sub/client.py", "from ..old.helpers import fetch as f2\n\nf2(1)\n",
                     "from ..new.helpers import fetch_data as f2\n\nf2(1)\n", id="two levels"),
        pytest.param("lib/sub/client.py", "from ..old import helpers\n\nhelpers.fetch(1)\n",
                     "import lib.new.helpers\n\nlib.new.helpers.fetch_data(1)\n",
                     id="module of the moved name imported relatively: no longer needed"),
    ],
)
def test_relative_imports_stay_relative(fixer: Fixer, relpath: str, source: str, expected: str) -> None:
    check_rewrite(fixer, source, expected, relpath)


# -- mock.patch under a template ----------------------------------------------------------------


def test_mock_patch_follows_the_template(fixer: Fixer) -> None:
    check_rewrite(
        fixer,
        """
        from unittest import mock


        class TestX:
            @mock.patch("legacy.factory.get_factory")
            @mock.patch("os.getcwd")
            def test_a(self, cwd, factory):
                factory.return_value.create_for_user.return_value = 1
                factory.return_value.create_for_user.assert_called_once_with(2)


        def test_c():
            with mock.patch("legacy.factory.make_manager") as m:
                m.return_value = 3
        """,
        """
        from unittest import mock


        class TestX:
            @mock.patch("core.ws.Manager.create_for_user")
            @mock.patch("os.getcwd")
            def test_a(self, cwd, factory):
                factory.return_value = 1
                factory.assert_called_once_with(2)


        def test_c():
            with mock.patch("core.ws.Manager.create_for_user") as m:
                m.return_value = 3
        """,
    )


def test_mock_used_beyond_the_template_is_manual(fixer: Fixer) -> None:
    run = fixer(
        """
        from unittest import mock


        @mock.patch("legacy.factory.get_factory")
        def test_b(factory):
            factory.assert_called_once()
        """
    )
    assert run.out.splitlines()[0] == (
        "use.py:4:13: manual: mock factory is used beyond factory.return_value.create_for_user: "
        "adapt the test by hand (SOT004)"
    )


# -- the template language ---------------------------------------------------------------------

BAD_TEMPLATES = [
    pytest.param("f(", "g", "pattern: not a Python expression: '(' was never closed", id="syntax"),
    pytest.param("$x", "g($x)", "pattern: a pattern cannot be a bare placeholder", id="bare placeholder"),
    pytest.param("f($x, $x)", "g($x)", "pattern: placeholder $x appears twice", id="placeholder twice"),
    pytest.param("f($x)", "g()", "replace: placeholder $x of the pattern is missing (its expression would be dropped)",
                 id="placeholder dropped"),
    pytest.param("f($x)", "g($x, $x)", "replace: placeholder $x appears twice (its expression would run twice)",
                 id="placeholder duplicated"),
    pytest.param("f($x)", "g($x, $y)", "replace: unknown placeholder $y (not in the pattern)",
                 id="unknown placeholder"),
    pytest.param("f($x) + 1", "g($x)",
                 "pattern: a pattern matches calls, attributes, names and literals only, not 'f($x) + 1'",
                 id="operator in pattern"),
    pytest.param("f(**$x)", "g($x)", "pattern: a pattern cannot match **keyword arguments", id="double star"),
    pytest.param("f($x)", "lambda: $x", "replace: not supported in a template: 'lambda: $x'", id="lambda"),
    pytest.param("f($1)", "g", "pattern: '$' must start a placeholder such as $ctx", id="bad placeholder"),
    pytest.param("$a.b($c)", "d($a, $c)", "pattern: a pattern needs a name of the deprecated API", id="no name"),
    pytest.param("f(__ssot_x__)", "g", "pattern: names starting with __ssot_ are reserved", id="reserved"),
]


@pytest.mark.parametrize(("pattern", "replace", "problem"), BAD_TEMPLATES)
def test_template_syntax_errors_stop_at_load(tmp_path: Path, pattern: str, replace: str, problem: str) -> None:
    write_tree(tmp_path, {"pyproject.toml": f"""
        [[tool.flake8-ssot.rules]]
        name = "r"
        deprecated = ["a.b"]

        [[tool.flake8-ssot.rules.fix]]
        pattern = {pattern!r}
        replace = {replace!r}
    """})
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "pyproject.toml")
    assert str(raised.value) == f"{tmp_path / 'pyproject.toml'}: tool.flake8-ssot.rules[0].fix[0].{problem}"


@pytest.mark.parametrize(
    ("deprecated", "pattern", "replace", "problem"),
    [
        pytest.param('["legacy.factory"]', "nothing()", "Manager.create_for_user()",
                     "pattern: 'nothing' is not a name of rule 'r''s deprecated API; write it in full", id="unknown"),
        pytest.param('["oldpkg.util", "newpkg.util"]', "f()", "Manager.create_for_user()",
                     "pattern: 'f' is ambiguous (oldpkg.util.f or newpkg.util.f); write it in full",
                     id="ambiguous"),
        pytest.param('["legacy.factory"]', "get_factory()", "unknown_name()",
                     "replace: 'unknown_name' is neither the rule's replacement (Manager...), a fully qualified "
                     "name, nor a builtin", id="replace name"),
    ],
)
def test_template_names_are_resolved_against_the_project(
    project: Path, deprecated: str, pattern: str, replace: str, problem: str
) -> None:
    (project / "pyproject.toml").write_text(dedent(f"""
        [[tool.flake8-ssot.rules]]
        name = "r"
        deprecated = {deprecated}
        replacement = "core.ws.Manager.create_for_user"

        [[tool.flake8-ssot.rules.fix]]
        pattern = "{pattern}"
        replace = "{replace}"
    """))
    result = run_cli("flake8-ssot", "fix", cwd=project)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"flake8-ssot: {project / 'pyproject.toml'}: tool.flake8-ssot.rules[0].fix[0].{problem}\n"


def test_noqa_keeps_what_it_silences(fixer: Fixer) -> None:
    run = check_rewrite(
        fixer,
        """
        from legacy.factory import Factory, get_factory, make_manager  # noqa: SOT001


        def f(ctx):
            factory: Factory = get_factory()  # noqa: SOT003
            return factory.create_for_user(ctx), make_manager(ctx)
        """,
        """
        from legacy.factory import Factory, get_factory, make_manager  # noqa: SOT001
        from core.ws import Manager


        def f(ctx):
            factory: Factory = get_factory()  # noqa: SOT003
            return factory.create_for_user(ctx), Manager.create_for_user(ctx)
        """,
    )
    assert run.out.splitlines()[1:3] == [
        "use.py:6:24: manual: a # noqa on factory = ... keeps it (SOT002)",
        "use.py:7:12: manual: a # noqa on factory = ... keeps it (SOT002)",
    ]


def test_full_names_builtins_and_operators_in_replace(fixer: Fixer, project: Path) -> None:
    (project / "pyproject.toml").write_text(dedent("""
        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]

        [[tool.flake8-ssot.rules.fix]]
        pattern = "legacy.factory.make_manager($ctx)"
        replace = "list(core.ws.Other.build($ctx or 1)) + [len]"

        [[tool.flake8-ssot.rules.fix]]
        pattern = "get_factory().create_for_user($ctx)"
        replace = "os.path.join(pathlib.Path.cwd(), $ctx)"
    """))
    check_rewrite(
        fixer,
        """
        import os
        from legacy.factory import get_factory, make_manager

        x = make_manager(a if b else c).y
        y = get_factory().create_for_user("p")
        """,
        """
        import os
        import core.ws
        import pathlib

        x = (list(core.ws.Other.build((a if b else c) or 1)) + [len]).y
        y = os.path.join(pathlib.Path.cwd(), "p")
        """,
    )


def write_rules(project: Path, rules: str) -> None:
    (project / "pyproject.toml").write_text("[tool.flake8-ssot]\ncache = false\n" + dedent(rules))


def test_literals_constants_and_unwrapping(fixer: Fixer, project: Path) -> None:
    write_rules(project, """
        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
        replacement = "core.ws.Manager.create_for_user"

        [[tool.flake8-ssot.rules.fix]]
        pattern = "make_manager($ctx, 'main', strict=True, size=2)"
        replace = "Manager.create_for_user($ctx)"

        [[tool.flake8-ssot.rules.fix]]
        pattern = "legacy.factory.identity($value)"
        replace = "$value"

        [[tool.flake8-ssot.rules.fix]]
        pattern = "get_factory(None).create_for_user($ctx)"
        replace = "len($ctx)"

        [[tool.flake8-ssot.rules.fix]]
        pattern = "Factory"
        replace = "core.ws.Other()"
    """)
    source = """
        from unittest import mock
        from legacy.factory import Factory, get_factory, identity, make_manager

        a = make_manager(1, "main", size=2, strict=True)
        b = make_manager(1, "other", strict=True, size=2)
        c = make_manager(1, "main", strict=False, size=2)
        c2 = make_manager(1, name, strict=True, size=2)
        c3 = make_manager(1, "ma" f"{x}", strict=True, size=2)
        d = identity(x + 1).real
        d2 = Factory
        e = get_factory(None).create_for_user([1])
        f = get_factory(0).create_for_user([1])
        g = mock.patch("legacy.factory.get_factory")
        h = mock.patch("legacy.factory.identity")
    """
    run = fixer(source)
    assert run.new == dedent("""
        from unittest import mock
        from legacy.factory import get_factory, make_manager
        import core.ws
        from core.ws import Manager

        a = Manager.create_for_user(1)
        b = make_manager(1, "other", strict=True, size=2)
        c = make_manager(1, "main", strict=False, size=2)
        c2 = make_manager(1, name, strict=True, size=2)
        c3 = make_manager(1, "ma" f"{x}", strict=True, size=2)
        d = (x + 1).real
        d2 = core.ws.Other()
        e = len([1])
        f = get_factory(0).create_for_user([1])
        g = mock.patch("legacy.factory.get_factory")
        h = mock.patch("legacy.factory.identity")
    """)
    assert [line.split(": manual: ")[1] for line in run.out.splitlines() if "manual" in line] == [
        "get_factory is still used where the fix leaves the code as it is (SOT001)",
        "make_manager is still used where the fix leaves the code as it is (SOT001)",
        *["no fix template covers this call (SOT002)"] * 5,
        "no same-shape replacement for this string target (SOT004)",
        "no same-shape replacement for this string target (SOT004)",
    ]


def test_mock_patch_of_a_module_function_is_left(fixer: Fixer, project: Path) -> None:
    write_rules(project, """
        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]

        [[tool.flake8-ssot.rules.fix]]
        pattern = "get_factory().create_for_user($ctx)"
        replace = "core.ws.Other($ctx)"
    """)
    run = fixer('from unittest import mock\n\n\n@mock.patch("legacy.factory.get_factory")\ndef t(m):\n    pass\n')
    assert run.out.splitlines()[0] == (
        "use.py:4:13: manual: patches legacy.factory.get_factory: patch core.ws.Other where the new code "
        "looks it up (SOT004)"
    )


def test_typing_aliases_become_builtins(fixer: Fixer, project: Path) -> None:
    write_rules(project, """
        [[tool.flake8-ssot.rules]]
        name = "builtin-generics"
        deprecated = ["typing.List", "typing.Dict"]

        [[tool.flake8-ssot.rules.fix]]
        pattern = "typing.List"
        replace = "builtins.list"

        [[tool.flake8-ssot.rules.fix]]
        pattern = "typing.Dict"
        replace = "builtins.dict"
    """)
    check_rewrite(
        fixer,
        """
        import typing
        from typing import (
            Any,
            Dict,  # mappings
            List,
        )


        def f(x: List[int], y: typing.Dict[str, Any]) -> Dict[str, List[int]]:
            return {}
        """,
        """
        from typing import (
            Any,
        )


        def f(x: list[int], y: dict[str, Any]) -> dict[str, list[int]]:
            return {}
        """,
    )


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        pytest.param("from core.ws import Other\n", "from core.ws import Manager, Other\n", id="sorted, before"),
        pytest.param("from core.ws import Abc, Zed\n", "from core.ws import Abc, Manager, Zed\n",
                     id="sorted, between"),
        pytest.param("from core.ws import Zed, Abc\n", "from core.ws import Zed, Abc, Manager\n",
                     id="unsorted: at the end"),
        pytest.param("from core.ws import (\n    Abc,  # first\n    Other,\n)\n",
                     "from core.ws import (\n    Abc,  # first\n    Manager,\n    Other,\n)\n",
                     id="multi-line, middle"),
        pytest.param("from core.ws import (\n    Abc,\n    Base,  # last\n)\n",
                     "from core.ws import (\n    Abc,\n    Base,  # last\n    Manager,\n)\n", id="multi-line, end"),
        pytest.param("from core.ws import (Abc,\n    Base)\n", "from core.ws import (Abc,\n    Base,\n    Manager)\n",
                     id="multi-line without trailing comma"),
    ],
)
def test_needed_import_joins_the_existing_from_line(fixer: Fixer, existing: str, expected: str) -> None:
    tail = "from legacy.factory import make_manager\n\nx = make_manager(1)\n"
    check_rewrite(fixer, existing + tail, expected + "\nx = Manager.create_for_user(1)\n")


def test_removed_import_leaves_pass_and_drops_its_own_comment(fixer: Fixer) -> None:
    check_rewrite(
        fixer,
        """
        from core.ws import Manager

        # The factory.
        try:
            # Old path.
            from legacy.factory import make_manager  # deprecated
        except ImportError:
            raise

        x = make_manager(1)
        """,
        """
        from core.ws import Manager

        # The factory.
        try:
            # Old path.
            pass
        except ImportError:
            raise

        x = Manager.create_for_user(1)
        """,
    )


def test_relative_import_into_another_package_becomes_absolute(fixer: Fixer, project: Path) -> None:
    write_rules(project, """
        [[tool.flake8-ssot.rules]]
        name = "fetch"
        deprecated = ["lib.old.helpers.fetch"]

        [[tool.flake8-ssot.rules.fix]]
        pattern = "fetch"
        replace = "newpkg.util.f"
    """)
    check_rewrite(fixer, "from .old.helpers import fetch\n\nfetch()\n", "from newpkg.util import f\n\nf()\n",
                  "lib/client.py")


def test_modules_outside_the_project_are_found_without_importing(fixer: Fixer, project: Path) -> None:
    write_rules(project, """
        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]

        [[tool.flake8-ssot.rules.fix]]
        pattern = "make_manager($ctx)"
        replace = "sys.intern(xml.etree.ElementTree.fromstring($ctx))"
    """)
    check_rewrite(
        fixer,
        "from legacy.factory import make_manager\n\nx = make_manager(1)\n",
        "import sys\nimport xml.etree.ElementTree\n\n"
        "x = sys.intern(xml.etree.ElementTree.fromstring(1))\n",
    )


def test_a_module_outside_the_project_is_read_never_imported(
    fixer: Fixer, project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path_factory.mktemp("site")
    marker = site / "imported"
    write_tree(site, {
        "ssot_tripwire/__init__.py": f"open({str(marker)!r}, 'w').close()\n",
        "ssot_tripwire/tools.py": f"open({str(marker)!r}, 'w').close()\n\ndef convert(x):\n    return x\n",
    })
    monkeypatch.syspath_prepend(str(site))
    write_rules(project, """
        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]

        [[tool.flake8-ssot.rules.fix]]
        pattern = "make_manager($ctx)"
        replace = "ssot_tripwire.tools.convert($ctx)"
    """)
    check_rewrite(
        fixer,
        "from legacy.factory import make_manager\n\nx = make_manager(1)\n",
        "import ssot_tripwire.tools\n\nx = ssot_tripwire.tools.convert(1)\n",
    )
    assert not marker.exists()
    assert not any(name.startswith("ssot_tripwire") for name in sys.modules)


# -- moves implied by `replacement` ----------------------------------------------------------


@pytest.mark.parametrize(
    "replacement",
    [
        pytest.param("lib.new.helpers", id="name to module"),
        pytest.param("lib.new.helpers.missing", id="not defined"),
        pytest.param("elsewhere.helpers.fetch_data", id="outside the project"),
        pytest.param("lib.broken.fetch_data", id="replacement module does not parse"),
    ],
)
def test_no_move_without_a_verifiable_replacement(fixer: Fixer, project: Path, replacement: str) -> None:
    (project / "lib/broken.py").write_text("def fetch_data(:\n")
    write_rules(project, f"""
        [[tool.flake8-ssot.rules]]
        name = "fetch"
        deprecated = ["lib.old.helpers.fetch"]
        replacement = "{replacement}"
    """)
    run = fixer("from lib.old.helpers import fetch\n\nfetch(1)\n")
    assert run.new == "from lib.old.helpers import fetch\n\nfetch(1)\n"
    assert "use.py:3:1: manual: no fix template covers this call (SOT002)" in run.out


@pytest.mark.parametrize(
    ("old", "new", "moved"),
    [
        pytest.param("def fetch(url, timeout=3):", "def fetch_data(url, timeout=3):", True, id="same signature"),
        pytest.param("def fetch(url, timeout=3):", "def fetch_data(url, *, timeout=3):", False, id="keyword-only"),
        pytest.param("def fetch(url):", "def fetch_data(url, timeout=3):", False, id="extra parameter"),
        pytest.param("class fetch:\n    def __init__(self, url): ...\n", "def fetch_data(url):", False,
                     id="class to function"),
        pytest.param("def fetch(url, *args, **kwargs):", "def fetch_data(url, *args, **kwargs):", True,
                     id="same variadic signature"),
    ],
)
def test_replacement_is_a_move_only_when_the_shapes_agree(
    fixer: Fixer, project: Path, old: str, new: str, moved: bool
) -> None:
    (project / "lib/old/helpers.py").write_text(f"{old}\n    return url\n" if old.startswith("def") else old)
    (project / "lib/new/helpers.py").write_text(f"{new}\n    return url\n")
    run = fixer("from lib.old.helpers import fetch\n\nfetch(1)\n")
    assert (run.new == "from lib.new.helpers import fetch_data\n\nfetch_data(1)\n") is moved
    assert ("use.py:3:1: manual: no fix template covers this call (SOT002)" in run.out) is not moved


# -- safety --------------------------------------------------------------------------------------


def test_unparsable_and_undecodable_files_are_skipped(project: Path, fixer: Fixer) -> None:
    (project / "broken.py").write_text("from legacy.factory import get_factory\ndef f(:\n")
    (project / "latin.py").write_bytes(b"from legacy.factory import get_factory\nx = '\xff'\n")
    run = fixer(None, ".")
    assert run.err == (
        "flake8-ssot: broken.py: skipped: syntax error at line 2: invalid syntax\n"
        "flake8-ssot: latin.py: skipped: cannot decode: line 2: byte 0xff is not utf-8 (invalid start byte)\n"
    )
    assert run.code == 0
    assert (project / "broken.py").read_text() == "from legacy.factory import get_factory\ndef f(:\n"


@pytest.mark.parametrize(
    ("new", "fixed", "problem"),
    [
        pytest.param("x = (\n", 0, "the rewrite does not parse ('(' was never closed (use.py, line 1))", id="syntax"),
        pytest.param("from legacy.factory import make_manager\n\nx = make_manager(1)\n", 0,
                     "the rewrite would lose the comment '# keep'", id="comment"),
        pytest.param("from legacy.factory import make_manager  # keep\n\nx = make_manager(1), make_manager(2)\n", 0,
                     "the rewritten text would still use legacy.factory.make_manager (SOT002)",
                     id="new use"),
        pytest.param("from legacy.factory import make_manager  # keep\n\nx = 1\n", 0,
                     "the rewrite would remove a use of legacy.factory.make_manager it did not rewrite (SOT002)",
                     id="use gone"),
        pytest.param("from legacy.factory import make_manager  # keep\n\nx = " + " + ".join(["1"] * 40_000) + "\n", 0,
                     "the rewrite cannot be analyzed (too deeply nested to analyze)", id="too deep"),
    ],
)
def test_a_wrong_rewrite_is_never_written(
    fixer: Fixer, project: Path, monkeypatch: pytest.MonkeyPatch, new: str, fixed: int, problem: str
) -> None:
    """The guard behind every rewrite: a result the engine disagrees with stays unwritten."""
    from flake8_ssot import rewrite

    def wrong(
        templates: object, index: object, relpath: str, text: str, uses: list[Finding], *_: object
    ) -> rewrite.Result:
        return rewrite.Result(new, fixed=[u for u in uses if u.code == "SOT002"][:fixed] or uses[:0])

    source = "from legacy.factory import make_manager  # keep\n\nx = make_manager(1)\n"
    monkeypatch.setattr(rewrite, "rewrite", wrong)
    run = fixer(source)
    assert run.new == source
    assert run.err == f"flake8-ssot: use.py: skipped: {problem}; nothing changed (2 uses left to migrate by hand)\n"
    assert "fixed 0 uses in 0 files; 2 left to migrate by hand" in run.out


def test_a_rewrite_the_file_encoding_cannot_hold_is_skipped(fixer: Fixer, project: Path) -> None:
    write_rules(project, """
        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]

        [[tool.flake8-ssot.rules.fix]]
        pattern = "make_manager($ctx)"
        replace = "core.ws.Manager.créer($ctx)"
    """)
    source = "# -*- coding: ascii -*-\nfrom legacy.factory import make_manager\n\nx = make_manager(1)\n"
    run = fixer(source)
    assert run.new == source
    assert run.err.startswith(
        "flake8-ssot: use.py: skipped: the rewrite cannot be written in the file's encoding ascii: 'ascii' codec "
    )


def test_a_file_gone_before_its_rewrite_is_skipped(project: Path) -> None:
    from flake8_ssot import fix, rewrite

    proj = Project(load_config(project / "pyproject.toml"))
    proj.build_index()
    report = FileReport("gone.py", uses=())
    outcome = fix.fix_file(proj, rewrite.compile_templates(proj.config, proj.index), report)
    assert outcome.skipped == "cannot read: [Errno 2] No such file or directory: '" + str(project / "gone.py") + "'"


def test_encoding_line_endings_and_mode_are_kept(project: Path, fixer: Fixer) -> None:
    source = (
        "# -*- coding: latin-1 -*-\r\n"
        "from legacy.factory import make_manager\r\n"
        "\r\n"
        "x = make_manager('caf\xe9')  # caf\xe9\r\n"
    )
    path = project / "use.py"
    path.write_bytes(source.encode("latin-1"))
    path.chmod(0o755)
    fixer(None)
    assert path.read_bytes() == (
        "# -*- coding: latin-1 -*-\r\n"
        "from core.ws import Manager\r\n"
        "\r\n"
        "x = Manager.create_for_user('caf\xe9')  # caf\xe9\r\n"
    ).encode("latin-1")
    assert path.stat().st_mode & 0o777 == 0o755
    assert not [p for p in project.iterdir() if p.name.endswith(".tmp")]


def test_columns_count_bytes_in_the_engine_and_characters_in_libcst(fixer: Fixer) -> None:
    check_rewrite(
        fixer,
        "from legacy.factory import make_manager\n\nx = {'é': make_manager('€')}\n",
        "from core.ws import Manager\n\nx = {'é': Manager.create_for_user('€')}\n",
    )


def test_diff_prints_and_writes_nothing(fixer: Fixer) -> None:
    source = "from legacy.factory import make_manager\n\nx = make_manager(1)\ny = make_manager\n"
    run = fixer(source, "use.py", "--diff")
    assert run.new == source
    assert (run.code, run.out) == (1, (
        "--- a/use.py\n"
        "+++ b/use.py\n"
        "@@ -1,4 +1,5 @@\n"
        " from legacy.factory import make_manager\n"
        "+from core.ws import Manager\n"
        " \n"
        "-x = make_manager(1)\n"
        "+x = Manager.create_for_user(1)\n"
        " y = make_manager\n"
    ))
    assert run.err == (
        "use.py: would fix 1 use\n"
        "use.py:1:28: manual: make_manager is still used where the fix leaves the code as it is (SOT001)\n"
        "use.py:4:5: manual: no fix template covers this reference (SOT003)\n"
        "flake8-ssot: would fix 1 use in 1 file; 2 left to migrate by hand\n"
    )
    assert fixer("y = 1\n", "use.py", "--diff").code == 0


def test_manual_positions_are_those_of_the_written_file(fixer: Fixer) -> None:
    run = fixer(
        "from legacy.factory import get_factory, make_manager\n\ndef f():\n    return make_manager(1)\n\n\n"
        "x = [\n    get_factory(),\n]\n"
    )
    assert run.new == (
        "from legacy.factory import get_factory\nfrom core.ws import Manager\n\ndef f():\n"
        "    return Manager.create_for_user(1)\n\n\nx = [\n    get_factory(),\n]\n"
    )
    assert run.out == (
        "use.py: fixed 2 uses\n"
        "use.py:1:28: manual: get_factory is still used where the fix leaves the code as it is (SOT001)\n"
        "use.py:9:5: manual: no fix template covers this call (SOT002)\n"
        "flake8-ssot: fixed 2 uses in 1 file; 2 left to migrate by hand\n"
    )


def test_imports_added_above_a_def_keep_two_blank_lines(fixer: Fixer) -> None:
    # A star import binds no name LibCST can follow: the new import goes after the top block.
    check_rewrite(
        fixer,
        "from legacy.factory import *\ndef f():\n    return make_manager(1), get_factory\n",
        "from legacy.factory import *\nfrom core.ws import Manager\n\n\n"
        "def f():\n    return Manager.create_for_user(1), get_factory\n",
    )


def test_without_libcst_fix_says_how_to_install_it(project: Path) -> None:
    code = "import sys; sys.modules['libcst'] = None; from flake8_ssot.cli import main; sys.exit(main(['fix']))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "flake8-ssot: fix needs LibCST: pip install 'flake8-ssot[fix]'\n"


def test_the_plugin_never_imports_libcst(project: Path) -> None:
    (project / "use.py").write_text("from legacy.factory import make_manager\n")
    code = (
        "import sys; sys.modules['libcst'] = None; from flake8.main.cli import main; "
        "main(['--select', 'SOT', 'use.py'])"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=120)
    assert result.stdout == "use.py:1:28: SOT001 import of deprecated legacy.factory.make_manager; " \
                            "use core.ws.Manager.create_for_user\n"


def test_allowlist_is_tightened_for_fixed_files(project: Path, fixer: Fixer) -> None:
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(text.replace("cache = false", 'cache = false\nallowlist = "allow.toml"'))
    (project / "use.py").write_text("from legacy.factory import make_manager\n\nx = make_manager(1)\n")
    (project / "other.py").write_text("from legacy.factory import Factory\n\nx = Factory\n")
    assert run_cli("flake8-ssot", "baseline", cwd=project).returncode == 0
    before = (project / "allow.toml").read_text()
    assert 'path = "use.py"' in before
    run = fixer(None, ".")
    after = (project / "allow.toml").read_text()
    assert 'path = "use.py"' not in after and 'path = "other.py"' in after
    assert "flake8-ssot: updated allow.toml" in run.out


# -- dead re-exports ------------------------------------------------------------------------------

REEXPORT_FILES: dict[str, str] = {
    "pyproject.toml": """
        [tool.flake8-ssot]
        cache = false

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
        replacement = "core.ws.Manager.create_for_user"

        [[tool.flake8-ssot.rules.fix]]
        pattern = "get_factory().create_for_user($ctx)"
        replace = "Manager.create_for_user($ctx)"
    """,
    "legacy/__init__.py": "",
    "legacy/factory.py": FILES["legacy/factory.py"],
    "core/__init__.py": "",
    "core/ws.py": FILES["core/ws.py"],
    "pkg/__init__.py": "",
}
SIMPLE_REEXPORT = 'from legacy.factory import get_factory\n\n__all__ = ["get_factory"]\n'


@dataclass
class ProjectRun:
    files: dict[str, str]
    """Every file of the tree written, as it is after the run."""
    out: str
    err: str
    code: int


ProjectFixer = Callable[..., ProjectRun]


@pytest.fixture
def fix_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> ProjectFixer:
    """Write a tree over REEXPORT_FILES, run `flake8-ssot fix` on the whole project in-process."""
    monkeypatch.chdir(tmp_path)
    written: list[str] = []

    def run(files: dict[str, str] | None, *args: str) -> ProjectRun:
        if files is not None:
            write_tree(tmp_path, {**REEXPORT_FILES, **files})
            written[:] = sorted(files)
        capsys.readouterr()
        code = cli.main(["fix", *args])
        captured = capsys.readouterr()
        return ProjectRun({p: (tmp_path / p).read_text() for p in written}, captured.out, captured.err, code)

    return run


def check_project_fix(fix_project: ProjectFixer, files: dict[str, str], expected: dict[str, str], out: str) -> None:
    """The exact rewrite of every file, still valid Python, the exact report, and a fixpoint."""
    first = fix_project(files)
    assert first.files == {path: dedent(text) for path, text in expected.items()}
    assert (first.out, first.err, first.code) == (dedent(out), "", 0)
    for text in first.files.values():
        ast.parse(text)
    again = fix_project(None)
    assert again.files == first.files
    assert "flake8-ssot: fixed 0 uses in 0 files" in again.out


REEXPORTS = [
    pytest.param(
        {
            "pkg/__init__.py": '"""The package."""\n' + SIMPLE_REEXPORT,
            "use.py": "from pkg import get_factory\n\n\ndef f(ctx):\n    return get_factory().create_for_user(ctx)\n",
        },
        {
            "pkg/__init__.py": '"""The package."""\n\n__all__ = []\n',
            "use.py": "from core.ws import Manager\n\n\ndef f(ctx):\n    return Manager.create_for_user(ctx)\n",
        },
        """
        pkg/__init__.py: fixed 2 uses
        pkg/__init__.py:2:28: removed re-export pkg.get_factory (no uses left in the project)
        use.py: fixed 2 uses
        flake8-ssot: fixed 4 uses in 2 files; 0 left to migrate by hand
        """,
        id="single name, its last caller rewritten in the same run",
    ),
    pytest.param(
        {
            "pkg/__init__.py": """
                from legacy.factory import Factory, get_factory  # old names


                class Sub(Factory):
                    pass


                __all__ = (
                    "Sub",
                    "get_factory",  # deprecated
                )
            """,
        },
        {
            "pkg/__init__.py": """
                from legacy.factory import Factory  # old names


                class Sub(Factory):
                    pass


                __all__ = (
                    "Sub",
                )
            """,
        },
        """
        pkg/__init__.py: fixed 2 uses
        pkg/__init__.py:1:37: removed re-export pkg.get_factory (no uses left in the project)
        pkg/__init__.py:1:28: manual: Factory is still used where the fix leaves the code as it is (SOT001)
        pkg/__init__.py:4:11: manual: no fix template covers this reference (SOT003)
        flake8-ssot: fixed 2 uses in 1 file; 2 left to migrate by hand
        """,
        id="one name of a multi-name import, comments kept, tuple",
    ),
    pytest.param(
        {
            "pkg/__init__.py": """
                from legacy import factory as old_factory
                from legacy.factory import get_factory as legacy_get, make_manager

                __all__ = ["old_factory"]
                __all__ += ["legacy_get"]
                __all__.append("make_manager")
            """,
        },
        {"pkg/__init__.py": "__all__ = []\n__all__ += []\n"},
        """
        pkg/__init__.py: fixed 6 uses
        pkg/__init__.py:1:20: removed re-export pkg.old_factory (no uses left in the project)
        pkg/__init__.py:2:28: removed re-export pkg.legacy_get (no uses left in the project)
        pkg/__init__.py:2:55: removed re-export pkg.make_manager (no uses left in the project)
        flake8-ssot: fixed 6 uses in 1 file; 0 left to migrate by hand
        """,
        id="aliases, a module, __all__ += and append",
    ),
    pytest.param(
        {
            "pkg/__init__.py": SIMPLE_REEXPORT,
            "pkg/compat.py": 'from pkg import get_factory as get\n\n__all__ = ["get"]\n',
            "use.py": "from pkg.compat import get\n\nx = get().create_for_user(1)\n",
        },
        {
            "pkg/__init__.py": "__all__ = []\n",
            "pkg/compat.py": "__all__ = []\n",
            "use.py": "from core.ws import Manager\n\nx = Manager.create_for_user(1)\n",
        },
        """
        pkg/__init__.py: fixed 2 uses
        pkg/__init__.py:1:28: removed re-export pkg.get_factory (no uses left in the project)
        pkg/compat.py: fixed 2 uses
        pkg/compat.py:1:17: removed re-export pkg.compat.get (no uses left in the project)
        use.py: fixed 2 uses
        flake8-ssot: fixed 6 uses in 3 files; 0 left to migrate by hand
        """,
        id="a chain of re-exports goes in one run",
    ),
    pytest.param(
        {
            "a.py": "from legacy.factory import get_factory\n\nx = get_factory().create_for_user(1)\n",
            "b.py": 'from a import get_factory\n\n__all__ = ["get_factory"]\n',
        },
        {
            "a.py": "from core.ws import Manager\n\nx = Manager.create_for_user(1)\n",
            "b.py": "__all__ = []\n",
        },
        """
        a.py: fixed 2 uses
        a.py:1:28: removed re-export a.get_factory (no uses left in the project)
        b.py: fixed 2 uses
        b.py:1:15: removed re-export b.get_factory (no uses left in the project)
        flake8-ssot: fixed 4 uses in 2 files; 0 left to migrate by hand
        """,
        id="an import the rewrite left unused, re-exported by a module that goes too",
    ),
]


@pytest.mark.parametrize(("files", "expected", "out"), REEXPORTS)
def test_dead_reexports_are_removed(
    fix_project: ProjectFixer, files: dict[str, str], expected: dict[str, str], out: str
) -> None:
    check_project_fix(fix_project, files, expected, out)


KEPT_REEXPORTS = [
    pytest.param(
        {"other.py": "from pkg import get_factory\n\nfactory = get_factory()\n"},
        [
            "other.py:1:17: manual: get_factory is still used where the fix leaves the code as it is (SOT001)",
            "other.py:3:11: manual: factory is a module global (other modules may use it) (SOT002)",
            "pkg/__init__.py:1:28: manual: re-export still used by 1 file (other.py) (SOT001)",
            "pkg/__init__.py:3:12: manual: re-export still used by 1 file (other.py) (SOT004)",
        ],
        id="used elsewhere",
    ),
    pytest.param(
        {
            "star.py": "from pkg import *\n\nprint(get_factory)\n",
            "strings.py": 'from unittest import mock\n\nx = mock.patch("pkg.get_factory")\ny = "pkg.get_factory"\n',
        },
        [
            "pkg/__init__.py:1:28: manual: re-export still used by 2 files (star.py, strings.py) (SOT001)",
            "pkg/__init__.py:3:12: manual: re-export still used by 2 files (star.py, strings.py) (SOT004)",
            "star.py:1:17: manual: star import: import the names you use from the replacement (SOT001)",
            "star.py:3:7: manual: no fix template covers this reference (SOT003)",
            "strings.py:3:16: manual: mock.patch(...) used neither as a decorator nor in with ... as: adapt it by "
            "hand (SOT004)",
        ],
        id="star import and string target",
    ),
    pytest.param(
        {
            "a.py": "import pkg\n\nx = [pkg.get_factory.__name__]\n",
            "b.py": "import pkg as p\n\nx = p.get_factory\n",
            # c.py spells no deprecated name: only what reaches through it is a use.
            "c.py": "from pkg import *\n",
            "d.py": "import c\n\nx = c.get_factory\n",
            "e.py": "from pkg import get_factory as gf\n\nprint(gf)\n",
        },
        [
            "a.py:3:6: manual: no fix template covers this reference (SOT003)",
            "b.py:3:5: manual: no fix template covers this reference (SOT003)",
            "d.py:3:5: manual: no fix template covers this reference (SOT003)",
            "e.py:1:17: manual: gf is still used where the fix leaves the code as it is (SOT001)",
            "e.py:3:7: manual: no fix template covers this reference (SOT003)",
            "pkg/__init__.py:1:28: manual: re-export still used by 4 files (a.py, b.py, d.py, ...) (SOT001)",
            "pkg/__init__.py:3:12: manual: re-export still used by 4 files (a.py, b.py, d.py, ...) (SOT004)",
        ],
        id="through module attributes, aliases and star imports",
    ),
    pytest.param(
        {"deep.py": "from pkg import get_factory\n\nx = " + " + ".join(["1"] * 900) + "\n"},
        [
            "pkg/__init__.py:1:28: manual: re-export still used by 1 file (deep.py: not analyzed) (SOT001)",
            "pkg/__init__.py:3:12: manual: re-export still used by 1 file (deep.py: not analyzed) (SOT004)",
        ],
        id="a file too deep to analyze but valid Python spells the name",
    ),
]


@pytest.mark.parametrize(("files", "manual"), KEPT_REEXPORTS)
def test_reexports_still_used_are_kept(fix_project: ProjectFixer, files: dict[str, str], manual: list[str]) -> None:
    run = fix_project({"pkg/__init__.py": SIMPLE_REEXPORT, **files})
    assert run.files == {path: dedent(text) for path, text in {"pkg/__init__.py": SIMPLE_REEXPORT, **files}.items()}
    assert [line for line in run.out.splitlines() if ": manual: " in line] == manual
    assert "removed re-export" not in run.out


@pytest.mark.parametrize(
    ("source", "manual"),
    [
        pytest.param(
            'from legacy.factory import get_factory  # noqa: SOT001\n\n__all__ = ["get_factory"]\n',
            ["pkg/__init__.py:3:12: manual: public name listed in __all__: remove it when nothing imports it from "
             "here (SOT004)"],
            id="noqa on the import",
        ),
        pytest.param(
            'from legacy.factory import get_factory\n\n__all__ = ["get_factory"]  # noqa: SOT004\n',
            ["pkg/__init__.py:1:28: manual: re-exported in __all__: remove get_factory when nothing imports it from "
             "here (SOT001)"],
            id="noqa on the __all__ entry",
        ),
        pytest.param(
            'from legacy.factory import get_factory\n\n__all__ = ["A"] + ["get_factory"]\n',
            ["pkg/__init__.py:1:28: manual: re-exported in __all__: remove get_factory when nothing imports it from "
             "here (SOT001)"],
            id="an __all__ the fix cannot edit",
        ),
        pytest.param(
            'from legacy.factory import get_factory\n\n__all__: list[str] = ["get_factory"]\n',
            ["pkg/__init__.py:1:28: manual: re-exported in __all__: remove get_factory when nothing imports it from "
             "here (SOT001)"],
            id="an annotated __all__, whose entries the engine does not report",
        ),
        pytest.param(
            "from legacy.factory import get_factory\n\n\ndef get_factory():\n    return 1\n",
            ["pkg/__init__.py:1:28: manual: get_factory is not used in this file (a re-export?): remove it by hand "
             "(SOT001)"],
            id="the name bound again",
        ),
        pytest.param(
            'from legacy.factory import get_factory\n\n__all__.append("get_factory"); x = 1\n',
            ["pkg/__init__.py:1:28: manual: re-exported in __all__: remove get_factory when nothing imports it from "
             "here (SOT001)",
             "pkg/__init__.py:3:16: manual: public name listed in __all__: remove it when nothing imports it from "
             "here (SOT004)"],
            id="__all__.append sharing its line",
        ),
        pytest.param(
            "def f():\n    from legacy.factory import get_factory\n",
            ["pkg/__init__.py:2:32: manual: get_factory is not used in this file (a re-export?): remove it by hand "
             "(SOT001)"],
            id="a function-local import is no re-export",
        ),
    ],
)
def test_reexports_the_fix_does_not_decide_on(fix_project: ProjectFixer, source: str, manual: list[str]) -> None:
    run = fix_project({"pkg/__init__.py": source})
    assert run.files == {"pkg/__init__.py": source}
    assert [line for line in run.out.splitlines() if ": manual: " in line] == manual


def test_an_import_the_rewrite_left_unused_stays_while_another_file_imports_it(fix_project: ProjectFixer) -> None:
    run = fix_project({
        "a.py": "from legacy.factory import get_factory\n\nx = get_factory().create_for_user(1)\n",
        "b.py": "from a import get_factory\n\ny = get_factory\n",
    })
    assert run.files["a.py"] == (
        "from legacy.factory import get_factory\nfrom core.ws import Manager\n\nx = Manager.create_for_user(1)\n"
    )
    assert run.out == (
        "a.py: fixed 1 use\n"
        "a.py:1:28: manual: re-export still used by 1 file (b.py) (SOT001)\n"
        "b.py:1:15: manual: get_factory is still used where the fix leaves the code as it is (SOT001)\n"
        "b.py:3:5: manual: no fix template covers this reference (SOT003)\n"
        "flake8-ssot: fixed 1 use in 1 file; 3 left to migrate by hand\n"
    )


def test_keep_reexports_lists_them_as_manual(fix_project: ProjectFixer) -> None:
    files = {
        "pkg/__init__.py": SIMPLE_REEXPORT,
        "use.py": "from pkg import get_factory\n\nx = get_factory().create_for_user(1)\n",
    }
    run = fix_project(files, "--keep-reexports")
    assert run.files == {
        "pkg/__init__.py": SIMPLE_REEXPORT,
        "use.py": "from core.ws import Manager\n\nx = Manager.create_for_user(1)\n",
    }
    assert run.out == (
        "pkg/__init__.py:1:28: manual: re-export kept (--keep-reexports) (SOT001)\n"
        "pkg/__init__.py:3:12: manual: re-export kept (--keep-reexports) (SOT004)\n"
        "use.py: fixed 2 uses\n"
        "flake8-ssot: fixed 2 uses in 1 file; 2 left to migrate by hand\n"
    )
    # Without the flag, a later run takes them.
    later = fix_project(None)
    assert later.files["pkg/__init__.py"] == "__all__ = []\n"


def test_diff_shows_the_removal_and_writes_nothing(fix_project: ProjectFixer) -> None:
    files = {
        "pkg/__init__.py": SIMPLE_REEXPORT,
        "use.py": "from pkg import get_factory\n\nx = get_factory().create_for_user(1)\n",
    }
    run = fix_project(files, "--diff")
    assert run.files == files
    assert run.code == 1
    assert run.out == (
        "--- a/pkg/__init__.py\n+++ b/pkg/__init__.py\n@@ -1,3 +1 @@\n"
        "-from legacy.factory import get_factory\n-\n-__all__ = [\"get_factory\"]\n+__all__ = []\n"
        "--- a/use.py\n+++ b/use.py\n@@ -1,3 +1,3 @@\n"
        "-from pkg import get_factory\n+from core.ws import Manager\n \n"
        "-x = get_factory().create_for_user(1)\n+x = Manager.create_for_user(1)\n"
    )
    assert run.err == (
        "pkg/__init__.py: would fix 2 uses\n"
        "pkg/__init__.py:1:28: would remove re-export pkg.get_factory (no uses left in the project)\n"
        "use.py: would fix 2 uses\n"
        "flake8-ssot: would fix 4 uses in 2 files; 0 left to migrate by hand\n"
    )


def test_reexports_of_a_rule_without_fix_templates(fix_project: ProjectFixer) -> None:
    """Removing a dead re-export needs no template: the rule only names what is deprecated."""
    files = {
        "pyproject.toml": """
            [tool.flake8-ssot]
            cache = false

            [[tool.flake8-ssot.rules]]
            name = "factory"
            deprecated = ["legacy.factory"]
        """,
        "pkg/__init__.py": SIMPLE_REEXPORT,
        "use.py": "def f():\n    from legacy.factory import make_manager\n    return make_manager(1)\n",
    }
    run = fix_project(files)
    assert run.files["pkg/__init__.py"] == "__all__ = []\n"
    assert run.files["use.py"] == dedent(files["use.py"])
    assert run.out == (
        "pkg/__init__.py: fixed 2 uses\n"
        "pkg/__init__.py:1:28: removed re-export pkg.get_factory (no uses left in the project)\n"
        "use.py:2:32: manual: no fix template or replacement covers this name (SOT001)\n"
        "use.py:3:12: manual: no fix template covers this call (SOT002)\n"
        "flake8-ssot: fixed 2 uses in 1 file; 2 left to migrate by hand\n"
    )


ALL_LAYOUTS = [
    pytest.param('__all__ = ["A", "get_factory"]', '__all__ = ["A"]', id="last of a list"),
    pytest.param('__all__ = ["get_factory", "A"]', '__all__ = ["A"]', id="first of a list"),
    pytest.param('__all__ = ["A", "get_factory", ]', '__all__ = ["A", ]', id="trailing comma"),
    pytest.param('__all__ = ("A", "get_factory")', '__all__ = ("A",)', id="tuple keeps a comma"),
    pytest.param('__all__ = "A", "get_factory"', '__all__ = "A",', id="tuple without parentheses"),
    pytest.param('__all__ = "get_factory",', "__all__ = ()", id="bare tuple emptied"),
    pytest.param('__all__.extend(["A", "get_factory"])', '__all__.extend(["A"])', id="extend"),
    pytest.param(
        """
        __all__ = [
            "A",  # the class
            # Legacy:
            "get_factory",  # old
            "B",
        ]
        """,
        """
        __all__ = [
            "A",  # the class
            # Legacy:
            "B",
        ]
        """,
        id="one per line, comments kept but the dropped entry's own",
    ),
    pytest.param(
        '__all__ = [\n    "A",  # a\n    "get_factory"  # old\n]\n',
        '__all__ = [\n    "A"  # a\n]\n',
        id="last one per line, no trailing comma",
    ),
    pytest.param(
        '__all__ = [\n    "get_factory",  # old\n    # More:\n    "A",\n]\n',
        '__all__ = [\n    # More:\n    "A",\n]\n',
        id="first one per line",
    ),
    pytest.param('__all__ = [\n    "get_factory",\n]\n', "__all__ = []\n", id="emptied"),
    pytest.param('__all__ = [\n    "A",\n    "get_factory"]\n', '__all__ = [\n    "A"\n]\n',
                 id="bracket on the last line"),
    pytest.param('__all__ = [\n    "get_factory", "A",\n]\n', '__all__ = [\n    "A",\n]\n',
                 id="two on the first line"),
    pytest.param('__all__ = ["A", "get_factory",\n    "B"]\n', '__all__ = ["A",\n    "B"]\n',
                 id="two on the last line"),
    pytest.param(
        'if True:\n    __all__ = ["A", "get_factory"]\nelse:\n    __all__ = ["get_factory"]\n',
        'if True:\n    __all__ = ["A"]\nelse:\n    __all__ = []\n',
        id="in branches",
    ),
]


@pytest.mark.parametrize(("before", "after"), ALL_LAYOUTS)
def test_all_entries_go_with_the_reexport(fix_project: ProjectFixer, before: str, after: str) -> None:
    header = "from legacy.factory import get_factory\n\nA = B = 1\n"
    run = fix_project({"pkg/__init__.py": header + dedent(before).rstrip("\n") + "\n"})
    assert run.files["pkg/__init__.py"] == "A = B = 1\n" + dedent(after).rstrip("\n") + "\n", run.out + run.err
    assert "removed re-export pkg.get_factory" in run.out
    ast.parse(run.files["pkg/__init__.py"])


# -- the example project, end to end ------------------------------------------------------------


def _tree(root: Path) -> dict[str, str]:
    """The sources and configuration under ``root``."""
    paths = sorted(root.rglob("*.py")) + sorted(root.glob("*.toml"))
    return {p.relative_to(root).as_posix(): p.read_text() for p in paths}


def test_example_is_migrated_completely(tmp_path: Path) -> None:
    """Issue 5's proof: one `fix` run, then flake8 reports no use, the code parses, the tests pass."""
    example = tmp_path / "example"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns(".flake8-ssot-cache", "__pycache__"))
    before = run_cli("flake8", "--select", "SOT0", ".", cwd=example)
    assert len(before.stdout.splitlines()) == 15  # 3 more uses are grandfathered by the allowlist
    fixed = run_cli("flake8-ssot", "fix", cwd=example)
    assert (fixed.returncode, fixed.stderr) == (0, "")
    assert fixed.stdout == (
        "app/compat.py: fixed 4 uses\n"
        "app/compat.py:3:32: removed re-export app.compat.legacy_factories (no uses left in the project)\n"
        "app/compat.py:5:5: removed re-export app.compat.get_factory (no uses left in the project)\n"
        "app/jobs/nightly.py: fixed 2 uses\n"
        "app/routes/websocket_ssot.py: fixed 7 uses\n"
        "app/services/notifier.py: fixed 2 uses\n"
        "app/websocket_core/__init__.py: fixed 2 uses\n"
        "app/websocket_core/__init__.py:4:58: removed re-export app.websocket_core.get_websocket_manager_factory"
        " (no uses left in the project)\n"
        "tests/test_routes.py: fixed 1 use\n"
        "flake8-ssot: fixed 18 uses in 6 files; 0 left to migrate by hand\n"
        "  dropped    app/jobs/nightly.py [websocket-factory] no uses left\n"
        "  dropped    app/services/notifier.py [websocket-factory] no uses left\n"
        "  dropped    tests/test_routes.py [websocket-factory] no uses left\n"
        "flake8-ssot: updated ssot-allowlist.toml: 1 entry, 1 grandfathered use (-5, +0)\n"
    )
    after = run_cli("flake8", "--select", "SOT0", ".", cwd=example)
    assert (after.returncode, after.stdout, after.stderr) == (0, "", "")
    files = _tree(example)
    for path, text in files.items():
        if path.endswith(".py"):
            ast.parse(text, path)
    assert files["app/websocket_core/__init__.py"] == (
        '"""WebSocket core: import the manager from here."""\n\n'
        "from app.websocket_core.unified_manager import UserContext, WebSocketManager\n\n"
        '__all__ = ["UserContext", "WebSocketManager"]\n'
    )
    assert files["app/compat.py"] == (
        '"""Old import paths, kept so that half-migrated callers keep working."""\n\n__all__ = []\n'
    )
    # The allowlist lost the entries of the migrated files; the stale one of a file fix did not touch stays.
    allowlist = files["ssot-allowlist.toml"]
    assert [line for line in allowlist.splitlines() if line.startswith("path = ")] == [
        'path = "app/routes/health.py"'
    ]
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=example, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "7 passed" in tests.stdout
    again = run_cli("flake8-ssot", "fix", cwd=example)
    assert (again.returncode, again.stdout, again.stderr) == (
        0, "flake8-ssot: fixed 0 uses in 0 files; 0 left to migrate by hand\n", ""
    )
    assert _tree(example) == files


def test_byte_order_mark_is_kept(project: Path, fixer: Fixer) -> None:
    path = project / "use.py"
    path.write_bytes(b"\xef\xbb\xbffrom legacy.factory import make_manager\n\nx = make_manager(1)\n")
    fixer(None)
    assert path.read_bytes() == b"\xef\xbb\xbffrom core.ws import Manager\n\nx = Manager.create_for_user(1)\n"
