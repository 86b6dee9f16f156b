"""Instances of classes: what a use of one is (issue 23, points 5 and 6).

An instance of a deprecated class is not the class: creating it, naming the class and calling
a method on it are uses; an attribute of it, or what its method returns, is another object.
Deprecated members are found on instances of installed and standard-library classes as on the
project's own, and through a mixin whose subclasses in the module inherit them. Every row runs
the real ``flake8-ssot check`` and compares its whole output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, write_tree

FACTORY_CONFIG = """
    [tool.flake8-ssot]

    [[tool.flake8-ssot.rules]]
    name = "factory"
    deprecated = ["pkg.Factory"]
"""
PKG = """
    class Factory:
        def __init__(self):
            self._counts = {}

        def make(self):
            return Factory()

        def create(self):
            return 1
"""
HOLDER = """
    from pkg import Factory


    class Holder:
        def __init__(self):
            self.factory = Factory()

        def count(self, k):
            return self.factory._counts.get(k)
"""
CREATED = "use.py:6:24: SOT002 call of deprecated pkg.Factory"
IMPORTED = "use.py:1:17: SOT001 import of deprecated pkg.Factory"


def check(tmp_path: Path, files: dict[str, str]) -> list[str]:
    write_tree(tmp_path, files)
    result = run_cli("flake8-ssot", "check", "--no-cache", ".", cwd=tmp_path)
    assert result.stderr == ""
    assert result.returncode == (1 if result.stdout else 0), result.stdout
    return result.stdout.splitlines()


INSTANCE_USES = [
    pytest.param(
        HOLDER,
        [IMPORTED, CREATED],
        id="an attribute of a self attribute holding an instance",
    ),
    pytest.param(
        HOLDER + "\n        def other(self):\n            return self.factory.create()\n",
        [IMPORTED, CREATED,
         "use.py:12:16: SOT002 call of deprecated pkg.Factory"
         " (via self.factory.create, called on a value it returned)"],
        id="a method of a self attribute holding an instance",
    ),
    pytest.param(
        "from pkg import Factory\nf = Factory()\nf._counts.get(1)\nx = f._counts\n",
        ["use.py:1:17: SOT001 import of deprecated pkg.Factory", "use.py:2:5: SOT002 call of deprecated pkg.Factory"],
        id="an attribute of a local instance",
    ),
    pytest.param(
        "from pkg import Factory\nf = Factory()\nf.create()\n",
        ["use.py:1:17: SOT001 import of deprecated pkg.Factory", "use.py:2:5: SOT002 call of deprecated pkg.Factory",
         "use.py:3:1: SOT002 call of deprecated pkg.Factory (via f.create, called on a value it returned)"],
        id="a method of a local instance",
    ),
    pytest.param(
        "from pkg import Factory\nf = Factory()\nf.make().create()\ng = f.make()\ng.create()\n",
        ["use.py:1:17: SOT001 import of deprecated pkg.Factory", "use.py:2:5: SOT002 call of deprecated pkg.Factory",
         "use.py:3:1: SOT002 call of deprecated pkg.Factory (via f.make, called on a value it returned)",
         "use.py:4:5: SOT002 call of deprecated pkg.Factory (via f.make, called on a value it returned)"],
        id="what a method of an instance returns",
    ),
    pytest.param(
        "from pkg import Factory\nFactory().create()\nFactory()._counts.get(1)\n",
        ["use.py:1:17: SOT001 import of deprecated pkg.Factory", "use.py:2:1: SOT002 call of deprecated pkg.Factory",
         "use.py:3:1: SOT002 call of deprecated pkg.Factory"],
        id="members of an instance created in place",
    ),
    pytest.param(
        "from pkg import Factory\ndef g(x: Factory, k):\n    x._counts.get(k)\n    x.create()\n",
        [IMPORTED, "use.py:2:10: SOT003 reference to deprecated pkg.Factory",
         "use.py:4:5: SOT002 call of deprecated pkg.Factory.create (via x)"],
        id="members of an annotated parameter",
    ),
    pytest.param(
        "from pkg import Factory\nFactory.create(None)\n",
        [IMPORTED, "use.py:2:1: SOT002 call of deprecated pkg.Factory.create"],
        id="a method through the class itself",
    ),
]


@pytest.mark.parametrize(("source", "expected"), INSTANCE_USES)
def test_uses_of_an_instance_of_a_deprecated_class(tmp_path: Path, source: str, expected: list[str]) -> None:
    files = {"pyproject.toml": FACTORY_CONFIG, "pkg/__init__.py": PKG, "use.py": source}
    assert check(tmp_path, files) == expected
