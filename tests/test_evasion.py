"""Ways code can reach a deprecated API, beyond tests/test_detection.py: docs/what-is-caught.md.

CAUGHT: forms decided within one file plus the project's re-exports. PARTLY: the line that
brings the deprecated name in is flagged, a later use through a value the tool cannot follow
is not. MISSED: forms no static analysis of one file can decide, pinned here so that the
docs' table changes when the behaviour does. Same fixture and notation as test_detection.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EnvironmentAnalyze, write_tree

Ssot = Callable[..., tuple[int, str, str]]


@pytest.fixture
def analyze(analyze_everywhere: EnvironmentAnalyze) -> EnvironmentAnalyze:
    """Every row in each environment of conftest.ENVIRONMENTS."""
    return analyze_everywhere


GF = "legacy.factory.get_factory"
F = "legacy.factory.Factory"
IMPORT_GF = "from legacy.factory import get_factory\n"
IMPORT_F = "from legacy.factory import Factory\n"
GF1 = f"1:28 SOT001 {GF}"
F1 = f"1:28 SOT001 {F}"

CAUGHT = [
    pytest.param(IMPORT_GF + "f, g = get_factory, 1\nf()\n", [GF1, f"2:8 SOT003 {GF}", f"3:1 SOT002 {GF}"],
                 id="tuple unpacking"),
    pytest.param(IMPORT_GF + "(a, (f, b)) = (1, [get_factory, 2])\nf()\n",
                 [GF1, f"2:20 SOT003 {GF}", f"3:1 SOT002 {GF}"], id="nested unpacking"),
    pytest.param(IMPORT_GF + "f, *rest, g = get_factory, 1, 2, 3\nf()\ng()\n",
                 [GF1, f"2:15 SOT003 {GF}", f"3:1 SOT002 {GF}"], id="starred unpacking"),
    pytest.param(IMPORT_GF + "f = 1\ng = get_factory\nf, g = g, f\nf()\ng()\n",
                 [GF1, f"3:5 SOT003 {GF}", f"4:8 SOT003 {GF}", f"5:1 SOT002 {GF}"], id="swap"),
    pytest.param(IMPORT_GF + "a = b = get_factory\nb()\n", [GF1, f"2:9 SOT003 {GF}", f"3:1 SOT002 {GF}"],
                 id="chained assignment"),
    pytest.param(IMPORT_GF + "f: object = get_factory\nf()\n", [GF1, f"2:13 SOT003 {GF}", f"3:1 SOT002 {GF}"],
                 id="annotated assignment"),
    pytest.param(IMPORT_GF + "if (f := get_factory):\n    f()\n", [GF1, f"2:10 SOT003 {GF}", f"3:5 SOT002 {GF}"],
                 id="walrus"),
    pytest.param(IMPORT_GF + "def outer():\n    f = get_factory\n    def inner():\n        return f()\n",
                 [GF1, f"3:9 SOT003 {GF}", f"5:16 SOT002 {GF}"], id="closure"),
    pytest.param("def outer():\n    from legacy.factory import get_factory as f\n    def inner():\n        nonlocal f\n"
                 "        f()\n", [f"2:32 SOT001 {GF}", f"5:9 SOT002 {GF}"], id="nonlocal"),
    pytest.param("f = None\ndef setup():\n    global f\n    from legacy.factory import get_factory as f\n"
                 "def use():\n    f()\n", [f"4:32 SOT001 {GF}", f"6:5 SOT002 {GF}"], id="global rebinding"),
    pytest.param(IMPORT_GF + "class A:\n    make = get_factory\nA.make()\n",
                 [GF1, f"3:12 SOT003 {GF}", f"4:1 SOT002 {GF}"], id="class attribute through the class"),
    pytest.param(IMPORT_F + "class View:\n    factory_class = Factory\n    def go(self):\n"
                 "        return self.factory_class.create()\n",
                 [F1, f"3:21 SOT003 {F}", f"5:16 SOT002 {F}.create"], id="class attribute through self"),
    pytest.param(IMPORT_F + "class A:\n    F = Factory\n    @classmethod\n    def go(cls):\n        return cls.F()\n",
                 [F1, f"3:9 SOT003 {F}", f"6:16 SOT002 {F}"], id="class attribute through cls"),
    pytest.param(IMPORT_F + "class A:\n    F = Factory\nB = A\nx = B.F\n",
                 [F1, f"3:9 SOT003 {F}", f"5:5 SOT003 {F}"], id="class attribute through an alias of the class"),
    pytest.param("from unittest import mock\nTARGET = 'legacy.factory.get_factory'\n@mock.patch(TARGET)\n"
                 "def test(m): pass\n", [f"3:13 SOT004 {GF}"], id="constant string in a variable"),
    pytest.param("import importlib\nPKG = 'legacy'\nimportlib.import_module(PKG + '.factory')\n",
                 ["3:25 SOT004 legacy.factory"], id="constant strings added"),
    pytest.param("import importlib\nPKG = 'legacy'\nm = importlib.import_module(f'{PKG}.factory')\nm.get_factory()\n",
                 ["3:29 SOT004 legacy.factory", f"4:1 SOT002 {GF}"], id="f-string of constants"),
    pytest.param("import legacy.factory as lf\nNAME = 'get_factory'\ngetattr(lf, NAME)()\n",
                 ["1:8 SOT001 legacy.factory", f"3:13 SOT004 {GF}"], id="getattr with a constant in a variable"),
    pytest.param("import sys\nKEY = 'legacy.factory'\nif flag:\n    KEY = 'other'\nsys.modules[KEY]\n",
                 ["5:13 SOT004 legacy.factory"], id="constant on one branch only"),
    pytest.param("import sys\nfrom unittest import mock\nmock.patch.dict(sys.modules, {'legacy.factory': None})\n",
                 ["3:31 SOT004 legacy.factory"], id="patch.dict of sys.modules"),
    pytest.param("from unittest.mock import patch\n@patch.dict('sys.modules', values={'legacy.factory': None})\n"
                 "def test(): pass\n", ["2:36 SOT004 legacy.factory"], id="patch.dict of 'sys.modules'"),
    pytest.param("import typing\nimport legacy.factory\ny = typing.cast('legacy.factory.Factory', None)\n",
                 ["2:8 SOT001 legacy.factory", f"3:17 SOT003 {F}"], id="typing.cast with a string"),
    pytest.param("def t(mocker):\n    mocker.patch('legacy.factory.get_factory')\n", [f"2:18 SOT004 {GF}"],
                 id="pytest-mock target"),
    pytest.param("from unittest import mock\nimport legacy.factory as lf\nmock.patch.multiple(lf, get_factory=None)\n",
                 ["2:8 SOT001 legacy.factory", f"3:25 SOT004 {GF}"], id="patch.multiple on a module"),
    pytest.param("from unittest import mock\nmock.patch.multiple('legacy.factory', get_factory=None, **extra)\n",
                 [f"2:39 SOT004 {GF}"], id="patch.multiple on a module path"),
    pytest.param("import legacy.factory as lf\nmatch x:\n    case [lf.Factory() as f, *rest] if f:\n        pass\n"
                 "    case {'k': lf.get_factory, **others}:\n        pass\n",
                 ["1:8 SOT001 legacy.factory", f"3:11 SOT003 {F}", f"5:16 SOT003 {GF}"], id="match patterns"),
    pytest.param(IMPORT_GF + "__all__ = []\n__all__.extend(['get_factory'])\n", [GF1, f"3:17 SOT004 {GF}"],
                 id="__all__.extend"),
    pytest.param("import pkgutil\npkgutil.resolve_name('legacy.factory:get_factory')\n", [f"2:22 SOT004 {GF}"],
                 id="pkgutil.resolve_name"),
    pytest.param("import importlib.util\nimportlib.util.find_spec('legacy.factory')\n",
                 ["2:26 SOT004 legacy.factory"], id="find_spec"),
    pytest.param("m = __import__('legacy.factory', fromlist=['get_factory'])\n", ["1:16 SOT004 legacy.factory"],
                 id="__import__ with fromlist"),
    pytest.param("import sys\nsys.modules['legacy.factory'].get_factory()\n", ["2:13 SOT004 legacy.factory"],
                 id="attribute of a sys.modules entry"),
    pytest.param(IMPORT_F + "try:\n    pass\nexcept Factory:\n    pass\n", [F1, f"4:8 SOT003 {F}"], id="except clause"),
    pytest.param(IMPORT_F + "match x:\n    case Factory():\n        pass\n", [F1, f"3:10 SOT003 {F}"],
                 id="match class pattern"),
    pytest.param("import legacy\nlegacy.factory.get_factory()\n", [f"2:1 SOT002 {GF}"],
                 id="submodule reached through its package"),
    pytest.param(IMPORT_GF + "import dataclasses\n@dataclasses.dataclass\nclass A:\n"
                 "    f: object = dataclasses.field(default_factory=get_factory)\n",
                 [GF1, f"5:51 SOT003 {GF}"], id="dataclass field factory"),
    pytest.param(IMPORT_F + "def use(factory: Factory):\n    return factory.create_for_user(1)\n",
                 [F1, f"2:18 SOT003 {F}", f"3:12 SOT002 {F}.create_for_user"], id="annotated parameter"),
]

PARTLY = [
    pytest.param(IMPORT_GF + "def h(f=get_factory):\n    return f()\n", [GF1, f"2:9 SOT003 {GF}"],
                 id="default argument called in the body"),
    pytest.param(IMPORT_GF + "handlers = {'a': get_factory}\nhandlers['a']()\n", [GF1, f"2:18 SOT003 {GF}"],
                 id="call through a container"),
    pytest.param(IMPORT_GF + "for f in (get_factory,):\n    f()\n", [GF1, f"2:11 SOT003 {GF}"],
                 id="loop variable"),
    pytest.param(IMPORT_GF + "import functools\np = functools.partial(get_factory)\np()\n",
                 [GF1, f"3:23 SOT003 {GF}"], id="functools.partial"),
    pytest.param(IMPORT_F + "class Mine(Factory):\n    pass\nMine.create()\n", [F1, f"2:12 SOT003 {F}"],
                 id="subclass"),
    pytest.param("import legacy.factory as lf\nvars(lf)['get_factory']()\n",
                 ["1:8 SOT001 legacy.factory", "2:6 SOT003 legacy.factory"], id="module namespace as a dict"),
    pytest.param("import legacy.factory as lf\nlf.__dict__['get_factory']()\n",
                 ["1:8 SOT001 legacy.factory", "2:1 SOT003 legacy.factory.__dict__"], id="module __dict__"),
    pytest.param("import legacy.factory\nx = None  # type: legacy.factory.Factory\n", ["1:8 SOT001 legacy.factory"],
                 id="type comment"),
    pytest.param(IMPORT_GF + "globals()['get_factory']()\n", [GF1], id="globals() lookup"),
]

MISSED = [
    pytest.param("def use(factory):\n    return factory.create_for_user(1)\n", id="instance passed in from elsewhere"),
    pytest.param("exec('from legacy.factory import get_factory')\neval('__import__(\"legacy.factory\")')\n",
                 id="exec and eval of constant code"),
    pytest.param("import importlib, sys\nimportlib.import_module(sys.argv[1])\n", id="name known at run time only"),
    pytest.param("from unittest import mock\nfrom consts import TARGET\nmock.patch(TARGET)\n",
                 id="constant string from another module"),
    pytest.param("import importlib\nimportlib.import_module('leg' + 'acy.fac' + 'tory')\n",
                 id="identifier split across strings"),
    pytest.param("from core.ws import Manager\nclass Sub(Manager):\n    pass\nSub.create_for_user(1)\n",
                 id="live class (not deprecated)"),
]


@pytest.mark.parametrize(("source", "expected"), CAUGHT + PARTLY)
def test_flagged(analyze: EnvironmentAnalyze, source: str, expected: list[str]) -> None:
    assert analyze(source) == analyze.expect(expected)


@pytest.mark.parametrize("source", MISSED)
def test_missed(analyze: EnvironmentAnalyze, source: str) -> None:
    assert analyze(source) == analyze.expect([])


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(IMPORT_GF + "class A:\n    def get_factory(self):\n        return 1\n    def go(self):\n"
                     "        return self.get_factory()\n", [GF1], id="method with the deprecated name"),
        pytest.param(IMPORT_GF + "class A:\n    make = get_factory\n    make = staticmethod(len)\nA.make()\n",
                     [GF1, f"3:12 SOT003 {GF}"], id="class attribute rebound in the body"),
        pytest.param(IMPORT_GF + "f, g = 1, get_factory\nf()\n", [GF1, f"2:11 SOT003 {GF}"],
                     id="unpacking pairs positions"),
        pytest.param(IMPORT_GF + "f, g = get_factory\nf()\n", [GF1, f"2:8 SOT003 {GF}"],
                     id="unpacking a non-display binds nothing"),
        pytest.param("from unittest import mock\nTARGET = 'legacy.factory.get_factory'\nTARGET = 'x.y'\n"
                     "mock.patch(TARGET)\n", [], id="constant rebound before use"),
        pytest.param("import importlib\nimportlib.import_module(f'{mod!r}.factory')\n", [],
                     id="f-string with a conversion"),
        pytest.param("import importlib\nimportlib.import_module('.factory')\n", [], id="relative name, no package"),
        pytest.param("getattr(x, 'get_factory')\n", [], id="getattr on an unknown object"),
        pytest.param(IMPORT_GF + "a, *b, c = (get_factory,)\na()\n", [GF1, f"2:13 SOT003 {GF}"],
                     id="too few values to unpack"),
    ],
)
def test_precision(analyze: EnvironmentAnalyze, source: str, expected: list[str]) -> None:
    assert analyze(source) == analyze.expect(expected)


def test_fix_leaves_the_new_shapes_to_a_person(tmp_path: Path, ssot: Ssot) -> None:
    """`self.make()` passes self to a function stored on the class, and a string held in a
    variable is written elsewhere: `fix` rewrites neither, and says why; what it can rewrite, it does."""
    write_tree(tmp_path, {
        "pyproject.toml": """
            [[tool.flake8-ssot.rules]]
            name = "factory"
            deprecated = ["legacy.factory.get_factory"]
            replacement = "core.ws.make"

            [[tool.flake8-ssot.rules.fix]]
            pattern = "legacy.factory.get_factory()"
            replace = "core.ws.make()"
        """,
        "legacy/__init__.py": "",
        "legacy/factory.py": "def get_factory():\n    return 1\n",
        "core/__init__.py": "",
        "core/ws.py": "def make():\n    return 1\n",
        "use.py": """
            from unittest import mock
            from legacy.factory import get_factory

            TARGET = "legacy.factory.get_factory"


            class A:
                make = get_factory

                def go(self):
                    return self.make()


            @mock.patch(TARGET)
            def test(m):
                f, g = get_factory, 1
                return f(), A.make()
        """,
    })
    code, out, err = ssot("fix", "--diff", cwd=tmp_path)
    assert code == 1
    assert "-    return f(), A.make()\n+    return core.ws.make(), core.ws.make()\n" in out
    assert "-        return self.make()\n" not in out
    assert err.splitlines()[1:] == [
        "use.py:2:28: manual: get_factory is still used where the fix leaves the code as it is (SOT001)",
        "use.py:8:12: manual: no fix template covers this reference (SOT003)",
        "use.py:11:16: manual: reached through self: a function stored on the class receives self as well (SOT002)",
        "use.py:14:13: manual: a string held in a variable or built from parts: change it where it is written "
        "(SOT004)",
        "use.py:16:12: manual: no fix template covers this reference (SOT003)",
        "flake8-ssot: would fix 2 uses in 1 file; 5 left to migrate by hand",
    ]
