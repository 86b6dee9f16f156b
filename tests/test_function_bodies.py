"""Uses in a function body that spells no deprecated word itself, reached through what the
enclosing scopes bound: the cases a shortcut skipping such bodies would hide (issue 25 measured
one and dropped it: asking cost what walking saved).

Expectations are 'line:col CODE target' with flake8's 1-based columns, as in test_detection.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

Analyze = Callable[..., list[str]]
GF = "legacy.factory.get_factory"
IMPORT_GF = "from legacy.factory import get_factory as gf\n"

ROWS = [
    pytest.param(IMPORT_GF + "def f():\n    return gf()\n",
                 [f"1:28 SOT001 {GF}", f"3:12 SOT002 {GF}"], id="alias bound in the module"),
    pytest.param("def outer():\n    from legacy import factory as lf\n\n    def inner():\n        return lf\n\n"
                 "    return inner\n",
                 ["2:24 SOT001 legacy.factory", "5:16 SOT003 legacy.factory"],
                 id="alias bound in an enclosing function"),
    pytest.param(IMPORT_GF + "def use():\n    return current()\ndef setup():\n    global current\n    current = gf\n"
                 "def later():\n    return current()\n",
                 [f"1:28 SOT001 {GF}", f"6:15 SOT003 {GF}", f"8:12 SOT002 {GF}"], id="global"),
    pytest.param(IMPORT_GF + "def outer():\n    handle = None\n    def bind():\n        nonlocal handle\n"
                 "        handle = gf\n    def use():\n        return handle()\n    return bind, use\n",
                 [f"1:28 SOT001 {GF}", f"6:18 SOT003 {GF}"], id="nonlocal"),
    pytest.param(IMPORT_GF + "class C:\n    @gf\n    def m(self):\n        return 1\n",
                 [f"1:28 SOT001 {GF}", f"3:6 SOT003 {GF}"], id="decorator"),
    pytest.param(IMPORT_GF + "def f(maker=gf):\n    return maker()\n",
                 [f"1:28 SOT001 {GF}", f"2:13 SOT003 {GF}"], id="default argument"),
    pytest.param(IMPORT_GF + "class K:\n    make = gf\n    def m(self):\n        return self.make()\n",
                 [f"1:28 SOT001 {GF}", f"3:12 SOT003 {GF}", f"5:16 SOT002 {GF}"], id="class body alias through self"),
    pytest.param(IMPORT_GF + "class Holder:\n    def use(self, ctx):\n        return self.made.run(ctx)\n"
                 "    def setup(self):\n        self.made = gf()\n",
                 [f"1:28 SOT001 {GF}", f"4:16 SOT002 {GF}", f"6:21 SOT002 {GF}"],
                 id="attribute a later method sets"),
    pytest.param(IMPORT_GF + "class Helper:\n    thing = gf\nclass Holder:\n    def setup(self):\n"
                 "        self.helper = Helper()\n    def use(self):\n        return self.helper.thing()\n",
                 [f"1:28 SOT001 {GF}", f"3:13 SOT003 {GF}", f"8:16 SOT002 {GF}"],
                 id="attribute set by a method that spells nothing"),
    pytest.param(IMPORT_GF + "class Holder:\n    def __init__(self):\n        self.made = gf()\ndef use():\n"
                 "    h = Holder()\n    return h.made.run()\n",
                 [f"1:28 SOT001 {GF}", f"4:21 SOT002 {GF}", f"7:12 SOT002 {GF}"], id="instance of a module class"),
    pytest.param("from unittest import mock\nTARGET = 'legacy.factory.get_factory'\ndef test():\n"
                 "    with mock.patch(TARGET):\n        pass\n",
                 [f"4:21 SOT004 {GF}"], id="string bound in the module"),
    pytest.param("from legacy.factory import Factory as F\ndef use(x: F):\n    return x.run()\n",
                 ["1:28 SOT001 legacy.factory.Factory", "2:12 SOT003 legacy.factory.Factory",
                  "3:12 SOT002 legacy.factory.Factory.run"], id="parameter annotated with a deprecated class"),
    pytest.param("from legacy import factory as lf\ndef outer():\n    def inner():\n        return lf\n"
                 "    return inner\n",
                 ["1:20 SOT001 legacy.factory", "4:16 SOT003 legacy.factory"], id="nested function in a skipped body"),
    # A leftover of a rewritten import is reported only where nothing can bind the name at run time.
    pytest.param("def f():\n    return get_factory()\n", [f"2:12 SOT002 {GF}"], id="unbound name"),
    pytest.param("def f():\n    return get_factory()\ndef g():\n    globals().update(x=1)\n", [],
                 id="unbound name, any name bound at run time elsewhere"),
]


@pytest.mark.parametrize(("source", "expected"), ROWS)
def test_a_body_reaches_what_the_enclosing_scopes_bound(analyze: Analyze, source: str, expected: list[str]) -> None:
    assert analyze(source) == expected
