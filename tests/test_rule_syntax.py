"""What the peers can say, said here: wildcard components in deprecated paths (flake8-tidy-imports'
banned-modules) and deprecated arguments (pylint's deprecated-argument), through real flake8.

The peer rows are ported from their own tests: flake8-tidy-imports'
``test_I251_is_module_banned`` / ``test_I251_wildcard_precedence`` and pylint's
``tests/checkers/unittest_deprecated.py`` (its ``myfunction1..3`` and ``MyClass`` fixtures).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import run_cli, write_tree

Flake8 = Callable[..., tuple[int, str, str]]


def rules_toml(*rules: tuple[str, list[str], str | None]) -> str:
    out = "[tool.flake8-ssot]\n"
    for name, deprecated, replacement in rules:
        out += f'\n[[tool.flake8-ssot.rules]]\nname = "{name}"\ndeprecated = {deprecated!r}\n'.replace("'", '"')
        if replacement:
            out += f'replacement = "{replacement}"\n'
    return out


# -- wildcards -------------------------------------------------------------------------------

# (pattern, imported module, flagged). Ported from flake8-tidy-imports' test_I251_is_module_banned;
# where this project differs it says why: a deprecated module deprecates what is inside it.
IS_BANNED = [
    ("foo", "foo", True),
    ("foo", "foo.bar", True),  # tidy-imports: False (it bans the import string only)
    ("foo.bar.*", "foo.bar", True),
    ("foo.bar.*", "foo.bar.baz", True),
    ("foo.bar.*", "foo.bar.baz.quux", True),
    ("foo.*", "foobar", False),
    ("foo.*", "f", False),
    ("foo.bar.*", "foo.bark.baz", False),
    ("site.*.migrations", "site.migrations", True),
    ("site.*.migrations", "site.app.migrations", True),
    ("site.*.migrations", "site.app.production.migrations", True),
    ("site.*.migrations", "site.app", False),
    ("site.*.migrations", "site.migrations.foo", True),  # tidy-imports: False (as above)
    ("site.*.migrations.*", "site.migrations.foo", True),
    ("site.*.migrations.*", "site.app.migrations.foo", True),
    ("site.*.migrations.*", "site.app.production.migrations.foo", True),
    ("site.*.migrations.*", "site.app", False),
    ("foo.*.bar.*.baz", "foo.bar.baz", True),
    ("foo.*.bar.*.baz", "foo.quux.bar.baz", True),
    ("foo.*.bar.*.baz", "foo.quux.bar.qiix.baz", True),
    ("foo.*.bar.*.baz", "foo.baz.bar", False),
    ("*.foo", "foo", False),
    ("*.foo", "bar.foo", True),
    ("*.foo", "bar.bazfoo", False),
    # Ours: the spellings.
    ("app.*.legacy", "app.legacy", True),
    ("app.*.legacy", "app.v1.api.legacy", True),
    ("app.*.legacy", "app.v1.legacy_v2", False),
    ("app.*.legacy", "other.v1.legacy", False),
    ("*.compat.old_api", "pkg.compat.old_api", True),
    ("*.compat.old_api", "pkg.sub.compat.old_api", True),
    ("*.compat.old_api", "compat.old_api", False),
    ("*.compat.old_api", "pkg.compat.new_api", False),
]


@pytest.mark.parametrize(
    ("pattern", "module", "flagged"),
    [pytest.param(p, m, f, id=f"{p} {'flags' if f else 'passes'} {m}") for p, m, f in IS_BANNED],
)
def test_wildcard_matches(tmp_path: Path, flake8_app: Flake8, pattern: str, module: str, flagged: bool) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": rules_toml(("banned", [pattern], None)),
        "use.py": f"import {module}\n",
    })
    expected = f"use.py:1:8: SOT001 import of deprecated {module}\n" if flagged else ""
    assert flake8_app("--select", "SOT", "use.py", cwd=tmp_path) == (int(flagged), expected, "")


# Ported from test_I251_wildcard_precedence: each rule names its own replacement, which the
# message shows. The most specific pattern wins (tidy-imports takes the first one listed).
PRECEDENCE_RULES = rules_toml(
    ("concrete", ["foo"], "concrete"),
    ("structured-general", ["foo.*"], "structured_general"),
    ("structured-specific", ["foo.bar.*"], "structured_specific"),
    ("unstructured-first", ["foo.*.baz"], "unstructured_first"),
    ("unstructured-second", ["foo.*.quux.baz"], "unstructured_second"),
)


@pytest.mark.parametrize(
    ("module", "winner"),
    [
        pytest.param("foo", "concrete", id="foo"),
        pytest.param("foo.bar", "structured_specific", id="foo.bar"),
        pytest.param("foo.bar.bat", "structured_specific", id="foo.bar.bat"),
        pytest.param("foo.bat", "structured_general", id="foo.bat"),
        pytest.param("foo.baz", "unstructured_first", id="foo.baz"),
        pytest.param("foo.bar.bat.baz", "unstructured_first", id="foo.bar.bat.baz"),
        # tidy-imports: unstructured first (listed first); here the pattern naming more wins.
        pytest.param("foo.quux.baz", "unstructured_second", id="foo.quux.baz"),
    ],
)
def test_wildcard_precedence(tmp_path: Path, flake8_app: Flake8, module: str, winner: str) -> None:
    write_tree(tmp_path, {"pyproject.toml": PRECEDENCE_RULES, "use.py": f"import {module}\n"})
    assert flake8_app("--select", "SOT", "use.py", cwd=tmp_path) == (
        1, f"use.py:1:8: SOT001 import of deprecated {module}; use {winner}\n", ""
    )


WILDCARD_FILES = {
    "pyproject.toml": rules_toml(("legacy", ["app.*.legacy", "*.compat.old_api"], "app.core")),
    "app/__init__.py": "",
    "app/v1/__init__.py": "",
    "app/v1/legacy.py": "import logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
                        "def fetch_rows():\n    return []\n",
    "app/v1/api.py": "from app.v1.legacy import fetch_rows, logger\n",
    "app/v2/__init__.py": "",
    "app/v2/compat.py": "def old_api():\n    return 1\n\n\ndef new_api():\n    return 2\n",
}

WILDCARD_ROWS = [
    pytest.param(
        "from app.v1.legacy import fetch_rows\nfetch_rows()\n",
        ["1:27: SOT001 import of deprecated app.v1.legacy.fetch_rows; use app.core",
         "2:1: SOT002 call of deprecated app.v1.legacy.fetch_rows; use app.core"],
        id="from-import of a name of a matched module, and its call",
    ),
    pytest.param(
        "import app.v1.legacy as lg\nlg.fetch_rows()\n",
        ["1:8: SOT001 import of deprecated app.v1.legacy; use app.core",
         "2:1: SOT002 call of deprecated app.v1.legacy.fetch_rows; use app.core"],
        id="module alias",
    ),
    pytest.param(
        "from app.v1.api import fetch_rows\n",
        ["1:24: SOT001 import of deprecated app.v1.legacy.fetch_rows (as app.v1.api.fetch_rows); use app.core"],
        id="re-export of a matched module's name",
    ),
    pytest.param(
        "from app.v1.api import logger\n", [],
        id="a name a matched module merely imports is not re-exported (its surface)",
    ),
    pytest.param(
        "from unittest import mock\n@mock.patch('app.v1.legacy.fetch_rows')\ndef test(m): pass\n",
        ["2:13: SOT004 string names deprecated app.v1.legacy.fetch_rows; use app.core"],
        id="mock.patch string",
    ),
    pytest.param(
        "from app.v2.compat import old_api, new_api\nold_api()\nnew_api()\n",
        ["1:27: SOT001 import of deprecated app.v2.compat.old_api; use app.core",
         "2:1: SOT002 call of deprecated app.v2.compat.old_api; use app.core"],
        id="leading wildcard: a name, not its siblings",
    ),
    pytest.param("import app.v2.compat\napp.v2.compat.new_api()\n", [], id="the module of a matched name"),
    pytest.param("import json as old_api\n", ["1:8: SOT005 old_api rebound to json; name it for what it is"],
                 id="laundering a wildcard's name"),
]


@pytest.mark.parametrize(("source", "expected"), WILDCARD_ROWS)
def test_wildcard_uses(tmp_path: Path, flake8_app: Flake8, source: str, expected: list[str]) -> None:
    write_tree(tmp_path, {**WILDCARD_FILES, "use.py": source})
    code, report, err = flake8_app("--select", "SOT", "use.py", cwd=tmp_path)
    assert (code, report.splitlines(), err) == (1 if expected else 0, [f"use.py:{e}" for e in expected], "")


@pytest.mark.parametrize(
    ("relpath", "source"),
    [
        pytest.param("app/v1/legacy.py", "from app.v2.compat import old_api\n", id="a matched module"),
        pytest.param("app/v2/compat.py", "import pkgutil\n\n\ndef old_api():\n    return 1\n\n\n"
                     "HANDLERS = {'old': pkgutil.resolve_name('app.v2.compat.old_api')}\n",
                     id="the module defining a matched name"),
    ],
)
def test_wildcard_exemptions(tmp_path: Path, flake8_app: Flake8, relpath: str, source: str) -> None:
    write_tree(tmp_path, {**WILDCARD_FILES, relpath: source})
    assert flake8_app("--select", "SOT", relpath, cwd=tmp_path) == (0, "", "")


# -- deprecated arguments --------------------------------------------------------------------

# pylint's fixtures, in a module of their own (calls inside the defining module are exempt).
API = """
    def myfunction1(arg1, deprecated_arg1='spam'):
        pass


    def myfunction2(arg1, deprecated_arg1, arg2='foo', deprecated_arg2='spam'):
        pass


    def myfunction3(arg1, *, deprecated_arg1='spam'):
        pass


    def variadic(*args, deprecated_arg1=None, **kwargs):
        pass


    class MyClass:
        def __init__(self, deprecated_arg=None):
            pass

        def mymethod1(self, arg1, deprecated_arg1=None):
            pass

        def mymethod3(self, arg1, *, deprecated_arg1=None):
            pass

        @classmethod
        def build(cls, deprecated_arg1=None):
            pass

        @staticmethod
        def helper(deprecated_arg1=None):
            pass
"""

ARGUMENT_RULES = """
    [tool.flake8-ssot]

    [[tool.flake8-ssot.rules]]
    name = "args"
    deprecated = [
        "lib.api.myfunction1(deprecated_arg1)",
        "lib.api.myfunction2(deprecated_arg1)",
        "lib.api.myfunction2(deprecated_arg2)",
        "lib.api.myfunction3(deprecated_arg1)",
        "lib.api.variadic(deprecated_arg1)",
        "lib.api.MyClass(deprecated_arg)",
        "lib.api.MyClass.mymethod1(deprecated_arg1)",
        "lib.api.MyClass.mymethod3(deprecated_arg1)",
        "lib.api.MyClass.build(deprecated_arg1)",
        "lib.api.MyClass.helper(deprecated_arg1)",
        "extlib.client.connect(timeout)",
    ]
    replacement = "lib.api.newfunction"

    [[tool.flake8-ssot.rules]]
    name = "retries"
    deprecated = ["lib.api.myfunction2(arg2)"]
    message = "pass a RetryPolicy"
"""

ARGUMENT_FILES = {
    "pyproject.toml": ARGUMENT_RULES,
    "lib/__init__.py": "from lib.api import myfunction2 as reexported\n",
    "lib/api.py": API,
}

IMPORT = "from lib.api import myfunction1, myfunction2, myfunction3, variadic, MyClass\n"
USE = "; use lib.api.newfunction"
POS = " (given by position)"


def msg(target: str, by_position: bool = False) -> str:
    return f"SOT002 call of deprecated lib.api.{target}{POS if by_position else ''}{USE}"


ARGUMENT_ROWS = [
    # pylint's unittest_deprecated.py
    pytest.param("myfunction1(None, 'deprecated')\n", [f"2:19: {msg('myfunction1(deprecated_arg1)', True)}"],
                 id="pylint: function, deprecated argument by position"),
    pytest.param("myfunction1(None, deprecated_arg1='deprecated')\n",
                 [f"2:19: {msg('myfunction1(deprecated_arg1)')}"], id="pylint: function, by keyword"),
    pytest.param("myfunction1(arg1=None)\n", None, id="pylint: function, not used"),
    pytest.param("myfunction3(None, deprecated_arg1='deprecated')\n",
                 [f"2:19: {msg('myfunction3(deprecated_arg1)')}"], id="pylint: function, keyword-only"),
    pytest.param("MyClass().mymethod1(None, 'deprecated')\n",
                 [f"2:27: {msg('MyClass.mymethod1(deprecated_arg1)', True)}"], id="pylint: method, by position"),
    pytest.param("MyClass().mymethod1(None, deprecated_arg1='deprecated')\n",
                 [f"2:27: {msg('MyClass.mymethod1(deprecated_arg1)')}"], id="pylint: method, by keyword"),
    pytest.param("MyClass().mymethod1(None)\n", None, id="pylint: method, not used"),
    pytest.param("MyClass().mymethod3(None, deprecated_arg1='deprecated')\n",
                 [f"2:27: {msg('MyClass.mymethod3(deprecated_arg1)')}"], id="pylint: method, keyword-only"),
    pytest.param(
        "myfunction2(None, 'deprecated', deprecated_arg2='deprecated')\n",
        [f"2:19: {msg('myfunction2(deprecated_arg1)', True)}", f"2:33: {msg('myfunction2(deprecated_arg2)')}"],
        id="pylint: two deprecated arguments, by position and keyword",
    ),
    pytest.param(
        "myfunction2(None, deprecated_arg1='deprecated', deprecated_arg2='deprecated')\n",
        [f"2:19: {msg('myfunction2(deprecated_arg1)')}", f"2:49: {msg('myfunction2(deprecated_arg2)')}"],
        id="pylint: two deprecated arguments by keyword",
    ),
    pytest.param("MyClass(5)\n", [f"2:9: {msg('MyClass(deprecated_arg)', True)}"],
                 id="pylint: class, constructor argument by position"),
    pytest.param("MyClass(deprecated_arg=5)\n", [f"2:9: {msg('MyClass(deprecated_arg)')}"],
                 id="pylint: class, by keyword"),
    pytest.param("MyClass()\n", None, id="pylint: class, not used"),
    # Ours: how the callable is reached.
    pytest.param("m = MyClass()\nm.mymethod1(None, 2)\n", [f"3:19: {msg('MyClass.mymethod1(deprecated_arg1)', True)}"],
                 id="method through an instance in a variable"),
    pytest.param("class H:\n    def go(self):\n        return self.c.mymethod1(None, 2)\n\n"
                 "    def __init__(self):\n        self.c = MyClass()\n",
                 [f"4:39: {msg('MyClass.mymethod1(deprecated_arg1)', True)}"],
                 id="method through a self attribute set in a later method"),
    pytest.param("def f(c: MyClass):\n    return c.mymethod1(None, deprecated_arg1=2)\n",
                 [f"3:30: {msg('MyClass.mymethod1(deprecated_arg1)')}"],
                 id="method through an annotated parameter"),
    pytest.param("MyClass.mymethod1(MyClass(), None, 2)\n",
                 [f"2:36: {msg('MyClass.mymethod1(deprecated_arg1)', True)}"],
                 id="method through the class: self is passed explicitly"),
    pytest.param("MyClass.build(1)\nMyClass().build(deprecated_arg1=2)\n",
                 [f"2:15: {msg('MyClass.build(deprecated_arg1)', True)}",
                  f"3:17: {msg('MyClass.build(deprecated_arg1)')}"],
                 id="classmethod: cls is always bound"),
    pytest.param("MyClass.helper(1)\nMyClass().helper(1)\n",
                 [f"2:16: {msg('MyClass.helper(deprecated_arg1)', True)}",
                  f"3:18: {msg('MyClass.helper(deprecated_arg1)', True)}"],
                 id="staticmethod: nothing bound"),
    pytest.param("import lib.api as api\napi.myfunction2(1, 2, 3)\n",
                 [f"3:20: {msg('myfunction2(deprecated_arg1)', True)}",
                  "3:23: SOT002 call of deprecated lib.api.myfunction2(arg2) (given by position); pass a RetryPolicy"],
                 id="module attribute; two rules on one callable"),
    pytest.param("from lib import reexported\nreexported(None, arg2=1)\n",
                 ["3:18: SOT002 call of deprecated lib.api.myfunction2(arg2); pass a RetryPolicy"],
                 id="re-export under another name"),
    pytest.param("from lib.api import myfunction1 as f\nf(None, 'x')\n",
                 [f"3:9: {msg('myfunction1(deprecated_arg1)', True)}"], id="aliased import"),
    pytest.param("args = (1, 2)\nmyfunction2(*args, 3)\n", None, id="after *args the position is unknown"),
    pytest.param("myfunction2(None, *rest)\n", None, id="*args at the position: unknown"),
    pytest.param("kw = {}\nmyfunction1(None, **kw)\n", None, id="**kwargs: unknown"),
    pytest.param("variadic(1, 2, 3)\n", None, id="positional arguments land in *args"),
    pytest.param("variadic(deprecated_arg1=1)\n", [f"2:10: {msg('variadic(deprecated_arg1)')}"],
                 id="keyword after *args"),
    # Ours: the callable itself is no deprecated API.
    pytest.param("x = myfunction1\nmyfunction1.__name__\n", None, id="references are no uses"),
    pytest.param("from unittest import mock\nmock.patch('lib.api.myfunction1')\n", None,
                 id="string targets are no uses"),
    # A signature that cannot be read: keyword only.
    pytest.param("from extlib.client import connect\nconnect('h', 5)\nconnect('h', timeout=5)\n",
                 ["4:14: SOT002 call of deprecated extlib.client.connect(timeout); use lib.api.newfunction"],
                 id="unreadable signature: keyword only"),
]


@pytest.mark.parametrize(("source", "expected"), ARGUMENT_ROWS)
def test_deprecated_arguments(tmp_path: Path, flake8_app: Flake8, source: str, expected: list[str] | None) -> None:
    write_tree(tmp_path, {**ARGUMENT_FILES, "use.py": IMPORT + source})
    code, report, err = flake8_app("--select", "SOT", "use.py", cwd=tmp_path)
    lines = [f"use.py:{e}" for e in expected or []]
    assert (code, report.splitlines(), err) == (1 if lines else 0, lines, "")


def test_a_whole_deprecation_wins_over_an_argument(tmp_path: Path, flake8_app: Flake8) -> None:
    config = rules_toml(("module", ["lib.api"], "lib.v2"), ("arg", ["lib.api.myfunction1(deprecated_arg1)"], None))
    write_tree(tmp_path, {**ARGUMENT_FILES, "pyproject.toml": config,
                          "use.py": "from lib.api import myfunction1\nmyfunction1(1, 2)\n"})
    assert flake8_app("--select", "SOT", "use.py", cwd=tmp_path) == (1, (
        "use.py:1:21: SOT001 import of deprecated lib.api.myfunction1; use lib.v2\n"
        "use.py:2:1: SOT002 call of deprecated lib.api.myfunction1; use lib.v2\n"
    ), "")


def test_the_signature_edit_is_seen(tmp_path: Path) -> None:
    """The position comes from the callee's source: moving the parameter moves the finding, in
    second runs (check and flake8) whose caches hold the first answers."""
    write_tree(tmp_path, {**ARGUMENT_FILES, "use.py": IMPORT + "myfunction1(1, 2)\n"})
    before = f"use.py:2:16: {msg('myfunction1(deprecated_arg1)', True)}\n"
    for face in (("flake8-ssot", "check"), ("flake8", "--select", "SOT")):
        run = run_cli(*face, "use.py", cwd=tmp_path)
        assert (run.returncode, run.stdout) == (1, before)
    api = tmp_path / "lib/api.py"
    api.write_text(api.read_text().replace("def myfunction1(arg1, deprecated_arg1='spam')",
                                           "def myfunction1(deprecated_arg1='spam', arg1=None)"))
    after = f"use.py:2:13: {msg('myfunction1(deprecated_arg1)', True)}\n"
    for face in (("flake8-ssot", "check"), ("flake8", "--select", "SOT")):
        run = run_cli(*face, "use.py", cwd=tmp_path)
        assert (run.returncode, run.stdout) == (1, after)


# -- one project, every face ------------------------------------------------------------------

ALL_FILES = {
    "pyproject.toml": """
        [tool.flake8-ssot]

        [[tool.flake8-ssot.rules]]
        name = "ws"
        deprecated = ["app.ws.factory", "app.*.legacy", "app.ws.manager.connect(user_id)"]
        replacement = "app.ws.manager.connect_ctx"
    """,
    "app/__init__.py": "",
    "app/ws/__init__.py": "",
    "app/ws/factory.py": "def create_websocket_manager(user_id):\n    return user_id\n",
    "app/ws/manager.py": "def connect(host, user_id=None):\n    return host\n\n\n"
                         "def connect_ctx(host, ctx):\n    return host\n",
    "app/v1/__init__.py": "",
    "app/v1/legacy.py": "def rows():\n    return []\n",
    "app/services/__init__.py": "",
    "app/services/ctx.py": "def make_ctx(user_id):\n    return user_id\n",
    "app/routes.py": """
        from app.services.ctx import make_ctx as create_websocket_manager
        from app.v1 import legacy
        from app.ws.manager import connect


        def handler(user_id):
            connect("h", user_id)
            connect("h", user_id=user_id)
            connect("h")
            return create_websocket_manager(user_id), legacy.rows()
    """,
}

ALL_EXPECTED = [
    "app/routes.py:1:30: SOT005 create_websocket_manager rebound to app.services.ctx.make_ctx; name it for what it is",
    "app/routes.py:2:20: SOT001 import of deprecated app.v1.legacy; use app.ws.manager.connect_ctx",
    "app/routes.py:7:18: SOT002 call of deprecated app.ws.manager.connect(user_id) (given by position); "
    "use app.ws.manager.connect_ctx",
    "app/routes.py:8:18: SOT002 call of deprecated app.ws.manager.connect(user_id); use app.ws.manager.connect_ctx",
    "app/routes.py:10:47: SOT002 call of deprecated app.v1.legacy.rows; use app.ws.manager.connect_ctx",
]


def test_check_and_flake8_agree_on_all_three(tmp_path: Path) -> None:
    write_tree(tmp_path, ALL_FILES)
    flake8 = run_cli("flake8", "--select", "SOT", ".", cwd=tmp_path)
    check = run_cli("flake8-ssot", "check", cwd=tmp_path)
    assert (flake8.returncode, flake8.stdout.splitlines(), flake8.stderr) == (1, [f"./{e}" for e in ALL_EXPECTED], "")
    assert (check.returncode, check.stdout.splitlines(), check.stderr) == (1, ALL_EXPECTED, "")


def test_fix_leaves_arguments_and_laundering_to_a_person(tmp_path: Path) -> None:
    write_tree(tmp_path, ALL_FILES)
    fixed = run_cli("flake8-ssot", "fix", "--diff", cwd=tmp_path)
    assert (fixed.returncode, fixed.stdout, fixed.stderr.splitlines()) == (0, "", [
        "app/routes.py:1:30: manual: a deprecated API's name on another object: rename the binding and its uses"
        " (SOT005)",
        "app/routes.py:2:20: manual: no fix template or replacement covers this name (SOT001)",
        "app/routes.py:7:18: manual: a deprecated argument: pass what the replacement takes instead (SOT002)",
        "app/routes.py:8:18: manual: a deprecated argument: pass what the replacement takes instead (SOT002)",
        "app/routes.py:10:47: manual: no fix template covers this call (SOT002)",
        "flake8-ssot: would fix 0 uses in 0 files; 5 left to migrate by hand",
    ])
