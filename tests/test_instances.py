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


LOADER = "import importlib.machinery\n\nmod = importlib.machinery.SourceFileLoader('x', 'x.py').load_module()\n"
LOADER_VAR = (
    "from importlib.machinery import SourceFileLoader\n\nloader = SourceFileLoader('x', 'x.py')\nloader.load_module()\n"
)
FILE_LOADER = "importlib._bootstrap_external.FileLoader.load_module"
MIXIN = """
    import unittest


    class _Utils(object):
        def check(self, a, b):
            self.assertEquals(a, b)


    class T(unittest.TestCase, _Utils):
        def test(self):
            self.check(1, 1)
"""
INHERITED = [
    pytest.param(
        [FILE_LOADER], LOADER,
        [f"use.py:3:7: SOT002 call of deprecated {FILE_LOADER} (via importlib.machinery.SourceFileLoader())"],
        id="a standard-library class's inherited member on an instance created in place",
    ),
    pytest.param(
        [FILE_LOADER], LOADER_VAR,
        [f"use.py:4:1: SOT002 call of deprecated {FILE_LOADER} (via loader)"],
        id="a standard-library class's inherited member on a local instance",
    ),
    pytest.param(
        [FILE_LOADER],
        "from importlib.machinery import SourceFileLoader\n\n\nclass Mine(SourceFileLoader):\n"
        "    def go(self):\n        return self.load_module()\n\n\nMine('x', 'x.py').load_module()\n",
        [f"use.py:6:16: SOT002 call of deprecated {FILE_LOADER}",
         f"use.py:9:1: SOT002 call of deprecated {FILE_LOADER}"],
        id="a project subclass of a standard-library class",
    ),
    pytest.param(
        ["extlib.base.Base.old"],
        "from extlib import Child\n\nChild().old()\nc = Child()\nc.old()\nc.new()\n",
        ["use.py:3:1: SOT002 call of deprecated extlib.base.Base.old (via Child())",
         "use.py:5:1: SOT002 call of deprecated extlib.base.Base.old (via c)"],
        id="an installed class's member inherited from another installed module",
    ),
    pytest.param(
        ["importlib.abc.Loader.load_module"], LOADER,
        ["use.py:3:7: SOT002 call of deprecated importlib.abc.Loader.load_module"
         " (via importlib.machinery.SourceFileLoader())"],
        id="a member of an abstract base class a standard-library class is registered with",
    ),
    pytest.param(
        ["importlib.abc.Loader.load_module"], LOADER_VAR,
        ["use.py:4:1: SOT002 call of deprecated importlib.abc.Loader.load_module (via loader)"],
        id="a member of an abstract base class, on a local instance",
    ),
    pytest.param(
        ["extlib.abcs.Proto.old"],
        "from extlib.abcs import Impl, Decorated\n\nImpl().old()\nDecorated().old()\n",
        ["use.py:3:1: SOT002 call of deprecated extlib.abcs.Proto.old (via Impl())",
         "use.py:4:1: SOT002 call of deprecated extlib.abcs.Proto.old (via Decorated())"],
        id="registered with register() and @register in an installed package",
    ),
    pytest.param(
        ["unittest.TestCase.assertEquals"], MIXIN,
        ["use.py:6:9: SOT002 call of deprecated unittest.TestCase.assertEquals"],
        id="a mixin whose subclass in the module derives from the defining class",
    ),
    pytest.param(
        ["unittest.case.TestCase.assertEquals"], MIXIN,
        ["use.py:6:9: SOT002 call of deprecated unittest.case.TestCase.assertEquals"
         " (as unittest.TestCase.assertEquals)"],
        id="a mixin, the member named where it is defined",
    ),
]
NOT_INHERITED = [
    pytest.param(
        [FILE_LOADER],
        "from importlib.machinery import SourceFileLoader\n\n\nclass Mine(SourceFileLoader):\n"
        "    def load_module(self, name=None):\n        return None\n\n\nMine('x', 'x.py').load_module()\n",
        id="a project subclass overriding the member",
    ),
    pytest.param(
        ["extlib.base.Base.old"],
        "from extlib import Child\n\nChild().new()\nChild().other.old()\n",
        id="another member of an installed class",
    ),
    pytest.param(
        ["extlib.base.Base.old"],
        "from extlib import Own\n\nOwn().old()\n",
        id="an installed class that defines the member itself",
    ),
    pytest.param(
        ["extlib.abcs.Proto.old"],
        "from extlib.abcs import Other\n\nOther().old()\n",
        id="a class no abstract base class registers",
    ),
    pytest.param(
        ["extlib.abcs.Proto.old"],
        "from extlib.abcs import Impl\n\nImpl().new()\n",
        id="another member of a registered class",
    ),
    pytest.param(
        ["importlib.abc.Loader.load_module"],
        "import zipimport\n\nzipimport.zipimporter('x.zip').load_module('m')\n",
        id="a standard-library loader importlib.abc does not register",
    ),
    pytest.param(
        ["unittest.TestCase.assertEquals"],
        "import unittest\n\n\nclass _Utils(object):\n    def check(self, a, b):\n        self.assertEquals(a, b)\n\n\n"
        "class T(_Utils):\n    pass\n",
        id="a mixin whose subclasses do not derive from the defining class",
    ),
    pytest.param(
        ["unittest.TestCase.assertEquals"],
        "import unittest\n\n\nclass _Utils(object):\n    def check(self, a, b):\n        self.assertEquals(a, b)\n",
        id="a mixin without subclasses in the module",
    ),
]
EXTLIB = {
    "extlib/__init__.py": "from .base import Base\n\n\nclass Child(Base):\n    other = None\n\n\n"
                          "class Own(Base):\n    def old(self):\n        return 2\n",
    "extlib/base.py": "class Base:\n    def old(self):\n        return 1\n\n    def new(self):\n        return 1\n",
    "extlib/abcs.py": """
        import abc


        class Proto(abc.ABC):
            @abc.abstractmethod
            def old(self):
                ...


        class Impl:
            def old(self):
                return 1

            def new(self):
                return 2


        @Proto.register
        class Decorated:
            def old(self):
                return 1


        class Other:
            def old(self):
                return 1


        Proto.register(Impl)
    """,
}


def _inherited_project(tmp_path: Path, deprecated: list[str], source: str) -> list[str]:
    write_tree(tmp_path / "site", EXTLIB)
    project = tmp_path / "project"
    write_tree(project, {
        "pyproject.toml": f'[[tool.flake8-ssot.rules]]\nname = "old"\ndeprecated = {deprecated!r}\n'.replace("'", '"'),
        "use.py": source,
    })
    result = run_cli("flake8-ssot", "check", "--no-cache", ".", cwd=project, env={"PYTHONPATH": str(tmp_path / "site")})
    assert result.stderr == ""
    assert result.returncode == (1 if result.stdout else 0), result.stdout
    return result.stdout.splitlines()


@pytest.mark.parametrize(("deprecated", "source", "expected"), INHERITED)
def test_inherited_members_of_classes_outside_the_project(
    tmp_path: Path, deprecated: list[str], source: str, expected: list[str]
) -> None:
    assert _inherited_project(tmp_path, deprecated, source) == expected


@pytest.mark.parametrize(("deprecated", "source"), NOT_INHERITED)
def test_members_not_inherited_from_a_deprecated_one(tmp_path: Path, deprecated: list[str], source: str) -> None:
    assert _inherited_project(tmp_path, deprecated, source) == []
