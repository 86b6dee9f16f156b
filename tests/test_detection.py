"""What the engine finds, per code, on the fixture project of conftest.BASE_FILES.

Expectations are 'line:col CODE target' with flake8's 1-based columns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EnvironmentAnalyze, needs_source, write_tree

Ssot = Callable[..., tuple[int, str, str]]


@pytest.fixture
def analyze(analyze_everywhere: EnvironmentAnalyze) -> EnvironmentAnalyze:
    """Every row in each environment of conftest.ENVIRONMENTS."""
    return analyze_everywhere


GF = "legacy.factory.get_factory"
VALUE_FLOW = "value flow: that the call returns a deprecated object is read from the callee's source"
SURFACE = "a stale path is recognised by a name on the deprecated module's surface, read from its source"

SOT001 = [
    pytest.param("import legacy.factory\n", ["1:8 SOT001 legacy.factory"], id="import module"),
    pytest.param("import legacy.factory as lf\n", ["1:8 SOT001 legacy.factory"], id="import as"),
    pytest.param("from legacy import factory\n", ["1:20 SOT001 legacy.factory"], id="from package import module"),
    pytest.param("from legacy.factory import get_factory\n", [f"1:28 SOT001 {GF}"], id="from-import name"),
    pytest.param(
        "from legacy.factory import get_factory as gf, Factory\n",
        [f"1:28 SOT001 {GF}", "1:47 SOT001 legacy.factory.Factory"],
        id="multi-name aliased",
    ),
    pytest.param(
        "from legacy.factory import (\n    Factory,\n    get_factory as gf,\n)\n",
        ["2:5 SOT001 legacy.factory.Factory", f"3:5 SOT001 {GF}"],
        id="parenthesised multi-line",
    ),
    pytest.param(
        "def f():\n    from legacy.factory import get_factory\n    return get_factory()\n",
        [f"2:32 SOT001 {GF}", f"3:12 SOT002 {GF}"],
        id="function-local import",
    ),
    pytest.param(
        "try:\n    from core.ws import Manager\nexcept ImportError:\n"
        "    from legacy.factory import Factory as Manager\nm = Manager.create_for_user(1)\n",
        ["4:32 SOT001 legacy.factory.Factory", "5:5 SOT002 legacy.factory.Factory.create_for_user"],
        id="try/except ImportError fallback",
    ),
    pytest.param(
        "if flag:\n    from legacy.factory import get_factory\nelse:\n"
        "    from core.ws import Manager as get_factory\nget_factory()\n",
        [f"2:32 SOT001 {GF}", f"5:1 SOT002 {GF}"],
        id="if/else alternative imports",
    ),
    pytest.param(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from legacy.factory import Factory\n"
        "def f(x: 'Factory') -> None: ...\n",
        ["3:32 SOT001 legacy.factory.Factory", "4:10 SOT003 legacy.factory.Factory"],
        id="TYPE_CHECKING import and string annotation",
    ),
    pytest.param(
        "from legacy.factory import *\nget_factory()\n",
        ["1:28 SOT001 legacy.factory", f"2:1 SOT002 {GF}"],
        id="star import of deprecated module",
        marks=needs_source(["1:28 SOT001 legacy.factory"],
                           "the names a star import binds are the module's surface, read from its source"),
    ),
    pytest.param(
        "from pkg import *\nget_factory()\n",
        [f"1:17 SOT001 {GF}", f"2:1 SOT002 {GF}"],
        id="star import of re-exporting package",
    ),
    pytest.param(
        "from core.ws import OldManager, Manager\nclass X(OldManager): pass\n",
        ["1:21 SOT001 core.ws.OldManager", "2:9 SOT003 core.ws.OldManager"],
        id="deprecated class in live module",
    ),
]

SOT002 = [
    pytest.param(
        "import legacy.factory as lf\nlf.get_factory()\n",
        ["1:8 SOT001 legacy.factory", f"2:1 SOT002 {GF}"],
        id="module alias attribute call",
    ),
    pytest.param(
        "import legacy.factory\nlegacy.factory.get_factory()\n",
        ["1:8 SOT001 legacy.factory", f"2:1 SOT002 {GF}"],
        id="full dotted chain",
    ),
    pytest.param(
        "from legacy.factory import Factory\nFactory.create()\n",
        ["1:28 SOT001 legacy.factory.Factory", "2:1 SOT002 legacy.factory.Factory.create"],
        id="method through deprecated class",
    ),
    pytest.param(
        "from core import ws\nws.OldManager()\nws.Manager()\n",
        ["2:1 SOT002 core.ws.OldManager"],
        id="deprecated dotted name only",
    ),
    pytest.param(
        "from legacy.factory import get_factory\nf = lambda: get_factory()\n",
        [f"1:28 SOT001 {GF}", f"2:13 SOT002 {GF}"],
        id="in lambda",
    ),
    pytest.param(
        "import legacy.factory as lf\nxs = [lf.make_manager(c) for c in range(3)]\n",
        ["1:8 SOT001 legacy.factory", "2:7 SOT002 legacy.factory.make_manager"],
        id="in comprehension",
    ),
    pytest.param(
        "from legacy.factory import get_factory\nf = get_factory\nf()\n",
        [f"1:28 SOT001 {GF}", f"2:5 SOT003 {GF}", f"3:1 SOT002 {GF}"],
        id="rebinding to another name",
    ),
    pytest.param(
        "from legacy.factory import get_factory\n@get_factory()\ndef f(): pass\n",
        [f"1:28 SOT001 {GF}", f"2:2 SOT002 {GF}"],
        id="decorator factory",
    ),
    pytest.param(
        "from legacy.factory import get_factory\n"
        "def handler(ctx):\n    factory = get_factory()\n    return factory.create_for_user(ctx)\n",
        [f"1:28 SOT001 {GF}", f"3:15 SOT002 {GF}", f"4:12 SOT002 {GF}"],
        id="call on a local bound to a deprecated call",
        marks=needs_source([f"1:28 SOT001 {GF}", f"3:15 SOT002 {GF}"], VALUE_FLOW),
    ),
    pytest.param(
        "from legacy.factory import Factory\nclass H:\n    def go(self, ctx):\n"
        "        return self.factory.create_for_user(ctx)\n"
        "    def __init__(self):\n        self.factory = Factory()\n",
        ["1:28 SOT001 legacy.factory.Factory", "4:16 SOT002 legacy.factory.Factory",
         "6:24 SOT002 legacy.factory.Factory"],
        id="call on a self attribute bound in another method",
    ),
    pytest.param(
        "from legacy.factory import get_factory\nif flag:\n    get_factory = None\nget_factory()\n",
        [f"1:28 SOT001 {GF}", f"4:1 SOT002 {GF}"],
        id="rebound on one branch only",
    ),
    pytest.param(
        "from legacy.factory import get_factory\n"
        "async def f():\n    async with get_factory() as factory:\n        factory.create_for_user(1)\n",
        [f"1:28 SOT001 {GF}", f"3:16 SOT002 {GF}", f"4:9 SOT002 {GF}"],
        id="with-as binds the result",
        marks=needs_source([f"1:28 SOT001 {GF}", f"3:16 SOT002 {GF}"], VALUE_FLOW),
    ),
]

SOT003 = [
    pytest.param(
        "from legacy.factory import get_factory\n@get_factory\ndef f(): pass\n",
        [f"1:28 SOT001 {GF}", f"2:2 SOT003 {GF}"],
        id="decorator",
    ),
    pytest.param(
        "from legacy.factory import get_factory\ndef f(factory=get_factory): pass\n",
        [f"1:28 SOT001 {GF}", f"2:15 SOT003 {GF}"],
        id="default argument",
    ),
    pytest.param(
        "from legacy.factory import Factory\ndef f(x: Factory) -> Factory: ...\n",
        ["1:28 SOT001 legacy.factory.Factory", "2:10 SOT003 legacy.factory.Factory",
         "2:22 SOT003 legacy.factory.Factory"],
        id="annotations",
    ),
    pytest.param(
        "from legacy.factory import Factory\nisinstance(x, Factory)\n",
        ["1:28 SOT001 legacy.factory.Factory", "2:15 SOT003 legacy.factory.Factory"],
        id="isinstance",
    ),
    pytest.param(
        "from legacy.factory import get_factory\nhandlers = {'f': get_factory}\n",
        [f"1:28 SOT001 {GF}", f"2:18 SOT003 {GF}"],
        id="dict value",
    ),
    pytest.param(
        "import legacy.factory\nlegacy.factory.get_factory = None\n",
        ["1:8 SOT001 legacy.factory", f"2:1 SOT003 {GF}"],
        id="assignment to module attribute",
    ),
    pytest.param(
        "import importlib\nm = importlib.import_module('legacy.factory')\nm.Factory\n",
        ["2:29 SOT004 legacy.factory", "3:1 SOT003 legacy.factory.Factory"],
        id="module bound by import_module",
    ),
]

SOT004 = [
    pytest.param(
        "from unittest import mock\n@mock.patch('legacy.factory.get_factory')\ndef test(m): pass\n",
        [f"2:13 SOT004 {GF}"],
        id="mock.patch decorator",
    ),
    pytest.param(
        "from unittest.mock import patch\nimport legacy.factory as lf\n"
        "with patch.object(lf, 'get_factory'):\n    pass\n",
        ["2:8 SOT001 legacy.factory", f"3:23 SOT004 {GF}"],
        id="patch.object",
    ),
    pytest.param(
        "def test(monkeypatch):\n    monkeypatch.setattr('legacy.factory.get_factory', lambda: None)\n",
        [f"2:25 SOT004 {GF}"],
        id="monkeypatch.setattr dotted string",
    ),
    pytest.param(
        "import legacy.factory as lf\ndef test(monkeypatch):\n    monkeypatch.setattr(lf, 'get_factory', None)\n",
        ["1:8 SOT001 legacy.factory", f"3:29 SOT004 {GF}"],
        id="monkeypatch.setattr object and name",
    ),
    pytest.param(
        "import importlib\nimportlib.import_module('legacy.factory')\n",
        ["2:25 SOT004 legacy.factory"],
        id="importlib.import_module",
    ),
    pytest.param(
        "import importlib\nimportlib.import_module('.factory', 'legacy')\n",
        ["2:25 SOT004 legacy.factory"],
        id="import_module relative with package",
    ),
    pytest.param("__import__('legacy.factory')\n", ["1:12 SOT004 legacy.factory"], id="__import__"),
    pytest.param(
        "import legacy.factory as lf\ngetattr(lf, 'get_factory')()\n",
        ["1:8 SOT001 legacy.factory", f"2:13 SOT004 {GF}"],
        id="getattr constant name",
    ),
    pytest.param(
        "from legacy.factory import get_factory\n__all__ = ['get_factory', 'other']\n",
        [f"1:28 SOT001 {GF}", f"2:12 SOT004 {GF}"],
        id="__all__ entry",
    ),
    pytest.param(
        "import sys\nsys.modules['legacy.factory']\n",
        ["2:13 SOT004 legacy.factory"],
        id="sys.modules key",
    ),
    pytest.param("import sys\nsys.modules.get('legacy.factory')\n", ["2:17 SOT004 legacy.factory"],
                 id="sys.modules.get key"),
    pytest.param("import sys\nsys.modules.pop('legacy.factory', None)\n", ["2:17 SOT004 legacy.factory"],
                 id="sys.modules.pop key"),
    *(
        pytest.param(f"import legacy.factory as lf\n{call}(lf, 'get_factory'{rest})\n",
                     ["1:8 SOT001 legacy.factory", f"2:{len(call) + 6} SOT004 {GF}"], id=f"{call} constant name")
        for call, rest in [("hasattr", ""), ("setattr", ", None"), ("delattr", "")]
    ),
    pytest.param(
        "from unittest import mock\nmock.patch('pkg.get_factory')\n",
        [f"2:12 SOT004 {GF}"],
        id="patch target through re-export",
    ),
    pytest.param(
        "from unittest import mock\nmock.patch('stalepkg.get_factory')\n",
        [f"2:12 SOT004 {GF}"],
        id="patch target through stale path",
        marks=needs_source([], SURFACE),
    ),
]

REEXPORTS = [
    pytest.param(
        "from pkg import get_factory\nget_factory()\n",
        [f"1:17 SOT001 {GF}", f"2:1 SOT002 {GF}"],
        id="package __init__ re-export",
    ),
    pytest.param(
        "import compat\ncompat.get_factory_compat()\n", [f"2:1 SOT002 {GF}"], id="aliased re-export"
    ),
    pytest.param(
        "import compat\ncompat.legacy_mod.Factory()\n",
        ["2:1 SOT002 legacy.factory.Factory"],
        id="re-exported module alias",
    ),
    pytest.param(
        "from compat2 import gfc2\ngfc2()\n",
        [f"1:21 SOT001 {GF}", f"2:1 SOT002 {GF}"],
        id="chain of re-exports",
    ),
    pytest.param(
        "from stalepkg import get_factory\n",
        [f"1:22 SOT001 {GF}"],
        id="stale path: package no longer binds the name",
        marks=needs_source([], SURFACE),
    ),
    pytest.param(
        "from pkg import make_manager\n",
        ["1:17 SOT001 legacy.factory.make_manager"],
        id="stale path to a name only the deprecated module defines",
        marks=needs_source([], SURFACE),
    ),
]

PASSES = [
    pytest.param(
        "class A:\n    def get_factory(self):\n        return 1\n"
        "    def go(self):\n        return self.get_factory()\n",
        id="same-named method",
    ),
    pytest.param("def f(get_factory):\n    return get_factory()\n", id="parameter shares the name"),
    pytest.param(
        '"""Use get_factory() from legacy.factory."""\n# legacy.factory.get_factory()\n'
        "x = 'legacy.factory.get_factory'\n",
        id="docstring comment and prose string",
    ),
    pytest.param("def get_factory():\n    return 1\nget_factory()\n", id="local definition"),
    pytest.param("import os\nos.get_factory()\n", id="unrelated module attribute"),
    pytest.param("from legacyx.factory import get_factory\n", id="similar module outside the project"),
    pytest.param("from pkg import sub\n", id="submodule of re-exporting package"),
    pytest.param(
        "class A:\n    get_factory = 1\n    def f(self):\n        return get_factory\n",
        id="class attribute invisible in method",
    ),
    pytest.param("from unittest import mock\nmock.patch('core.ws.Manager')\n", id="patch of live name"),
    pytest.param("class A:\n    def f(self):\n        getattr(self, 'get_factory')()\n", id="getattr on self"),
    pytest.param("x.get_factory_compat()\n", id="alias name on unknown object"),
    pytest.param(
        "from typing import Literal\nx: Literal['get_factory'] = 'get_factory'\n", id="Literal string"
    ),
]

PRECISION = [
    pytest.param(
        "from legacy.factory import get_factory\ndef f(get_factory):\n    return get_factory()\n",
        [f"1:28 SOT001 {GF}"],
        id="parameter shadows module import",
    ),
    pytest.param(
        "from legacy.factory import get_factory\nget_factory = lambda: 1\nget_factory()\n",
        [f"1:28 SOT001 {GF}"],
        id="rebound before use",
    ),
    pytest.param(
        "from legacy.factory import Factory\n[Factory for Factory in range(3)]\n",
        ["1:28 SOT001 legacy.factory.Factory"],
        id="comprehension target shadows",
    ),
    pytest.param(
        "from legacy.factory import get_factory\ndel get_factory\nget_factory = 3\nprint(get_factory)\n",
        [f"1:28 SOT001 {GF}"],
        id="deleted then rebound",
    ),
    pytest.param(
        "def f():\n    from legacy.factory import get_factory\n    return 1\n"
        "def g(get_factory=None):\n    return get_factory()\n",
        [f"2:32 SOT001 {GF}"],
        id="function-local import does not leak",
    ),
    pytest.param(
        "from legacy.factory import get_factory\ndef f(ctx):\n    factory = get_factory()\n"
        "    factory = object()\n    return factory.create_for_user(ctx)\n",
        [f"1:28 SOT001 {GF}", f"3:15 SOT002 {GF}"],
        id="result rebound before use",
    ),
]


@pytest.mark.parametrize(("source", "expected"), SOT001 + SOT002 + SOT003 + SOT004 + REEXPORTS + PRECISION)
def test_finds(analyze: EnvironmentAnalyze, source: str, expected: list[str]) -> None:
    assert analyze(source) == analyze.expect(expected)


@pytest.mark.parametrize("source", PASSES)
def test_passes(analyze: EnvironmentAnalyze, source: str) -> None:
    assert analyze(source) == analyze.expect([])


@pytest.mark.parametrize(
    ("relpath", "source", "expected"),
    [
        pytest.param(
            "legacy/user.py", "from .factory import get_factory\n", [f"1:22 SOT001 {GF}"], id="sibling relative"
        ),
        pytest.param(
            "pkg/sub/mod.py", "from .. import get_factory\n", [f"1:16 SOT001 {GF}"], id="parent package re-export"
        ),
        pytest.param(
            "pkg/sub/__init__.py",
            "from ...legacy import factory\n",
            [],
            id="beyond top-level package is ignored",
        ),
        pytest.param(
            "pkg/sub/mod2.py",
            "import importlib\nimportlib.import_module('..get_factory', __package__)\n",
            [f"2:25 SOT004 {GF}"],
            id="relative import_module against __package__",
        ),
    ],
)
def test_relative_imports(analyze: EnvironmentAnalyze, relpath: str, source: str, expected: list[str]) -> None:
    assert analyze(source, relpath) == analyze.expect(expected)


def test_defining_module_is_exempt(analyze: EnvironmentAnalyze) -> None:
    source = "from legacy.factory import Factory\n\ndef get_factory():\n    return Factory()\n"
    assert analyze(source, "legacy/factory.py") == analyze.expect([])


BROAD = '[[tool.flake8-ssot.rules]]\nname = "broad"\ndeprecated = ["legacy"]\nreplacement = "core"\n'
NARROW = (
    '[[tool.flake8-ssot.rules]]\nname = "narrow"\ndeprecated = ["legacy.factory.get_factory"]\n'
    'replacement = "core.ws.Manager.create_for_user"\n'
)


@pytest.mark.parametrize("rules", [BROAD + NARROW, NARROW + BROAD], ids=["broad first", "narrow first"])
def test_the_most_specific_name_wins_when_rules_overlap(tmp_path: Path, ssot: Ssot, rules: str) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "[tool.flake8-ssot]\n\n" + rules,
        "legacy/__init__.py": "",
        "legacy/factory.py": "def get_factory():\n    pass\n",
        "app.py": "from legacy.factory import get_factory\nimport legacy.factory\n"
                  "get_factory()\nlegacy.factory.other()\n",
    })
    code, out, err = ssot("check", "--format", "json", cwd=tmp_path)
    assert (code, err) == (1, "")
    assert [(f["line"], f["rule"], f["message"]) for f in json.loads(out)] == [
        (1, "narrow", f"import of deprecated {GF}; use core.ws.Manager.create_for_user"),
        (2, "broad", "import of deprecated legacy.factory; use core"),
        (3, "narrow", f"call of deprecated {GF}; use core.ws.Manager.create_for_user"),
        (4, "broad", "call of deprecated legacy.factory.other; use core"),
    ]
