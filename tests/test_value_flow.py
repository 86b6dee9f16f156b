"""Value flow and the deprecated surface, on a project shaped like real ones (issue 11).

The deprecated module binds what real modules bind: a logger, typing names, the SSOT class it
builds, ``__all__``, a compatibility alias and factories returning the SSOT object. Only a
deprecated object carries the deprecation on; only the module's surface is a deprecated
name elsewhere. Expectations are 'line:col CODE target' with flake8's 1-based columns.
"""

from __future__ import annotations

import importlib.machinery
from pathlib import Path

import pytest

from conftest import (
    ENVIRONMENTS, EnvironmentAnalyze, installed_differs, needs_source, place_sources, run_cli, write_tree,
)
from flake8_ssot.config import load_config
from flake8_ssot.engine import Project

APP_FILES: dict[str, str] = {
    "pyproject.toml": """
        [tool.flake8-ssot]

        [[tool.flake8-ssot.rules]]
        name = "websocket-factory"
        deprecated = ["app.ws.factory"]
        replacement = "app.ws.manager.WebSocketManager.create_for_user"

        [[tool.flake8-ssot.rules]]
        name = "client"
        deprecated = ["lib.Client.fetch_all"]
        replacement = "lib.Client.fetch"

        [[tool.flake8-ssot.rules]]
        name = "stdlib"
        deprecated = [
            "unittest.TestCase.assertEquals", "asyncio.get_event_loop", "optparse",
            "datetime.datetime.utcnow", "asyncore", "formatter", "legacy.helpers",
        ]

        [[tool.flake8-ssot.rules]]
        name = "pair"
        deprecated = ["legacy.a", "legacy.b", "core.OldBase"]
    """,
    "app/__init__.py": "",
    "app/ws/__init__.py": """
        from .manager import WebSocketManager
        from .factory import create_websocket_manager
    """,
    "app/ws/manager.py": """
        class WebSocketManager:
            def __init__(self, user_context=None):
                self.user_context = user_context

            async def send_to_user(self, msg):
                return msg

            def broadcast(self, x):
                return x

            @classmethod
            def create_for_user(cls, ctx):
                return cls(ctx)
    """,
    "app/ws/factory.py": '''
        """Deprecated: use app.ws.manager.WebSocketManager.create_for_user."""
        import logging
        from typing import Dict, Optional

        from app.ws.manager import WebSocketManager

        logger = logging.getLogger(__name__)

        __all__ = [
            "IsolatedWebSocketManager",
            "WebSocketManagerFactory",
            "create_websocket_manager",
            "get_websocket_manager_factory",
            "validate_health",
        ]

        IsolatedWebSocketManager = WebSocketManager


        async def create_websocket_manager(user_context: Optional[object] = None):
            return WebSocketManager(user_context=user_context)


        def get_websocket_manager_factory():
            return create_websocket_manager


        def validate_health() -> Dict[str, object]:
            logger.info("health")
            return {"ok": True}


        class WebSocketManagerFactory:
            @classmethod
            async def create_for_user(cls, ctx):
                return WebSocketManager(ctx)
    ''',
    "app/routes/__init__.py": "",
    "app/routes/websocket.py": """
        import logging

        from app.ws import WebSocketManager

        log = logging.getLogger(__name__)


        def handler(ctx):
            log.info("connect")
            return WebSocketManager.create_for_user(ctx)
    """,
    "app/compat.py": """
        from app.ws.factory import WebSocketManager
    """,
    "lib.py": """
        class Client:
            def fetch_all(self):
                return []

            def fetch(self):
                return []

            new_name = fetch_all
    """,
    "sub.py": """
        from lib import Client


        class Sub(Client):
            pass
    """,
    "core.py": """
        class OldBase:
            def run(self):
                return 1
    """,
    "legacy/__init__.py": "",
    "legacy/a.py": "def f():\n    return 1\n",
    "legacy/b.py": "import legacy.a\n",
    "myapp/__init__.py": "",
    "myapp/helpers/tool.py": "",
    "myapp/formatter.pyi": "class Bar: ...\n",
    "myapp/native" + importlib.machinery.EXTENSION_SUFFIXES[0]: "",
    "test/__init__.py": "",
    "test/support/__init__.py": "",
}

VALUE_FLOW = "value flow: what the factory returns is read from its source"
ALIAS_OF_SSOT = ("value flow: that the alias is the SSOT class, whose instances are no deprecated object, is read "
                 "from the deprecated module's source; without it a name spelled like a class gives an instance "
                 "of a deprecated class")
CLASS_ALIAS = "a class body alias (`new_name = fetch_all`) is read from the class's source"
CLASS_ALIAS_INSTALLED = ("aliases are learned from the project's files only (the prefilter's words): an installed "
                         "class's body alias is not followed yet")
SURFACE = "stale paths and unbound names count for names on the deprecated module's surface, read from its source"
REEXPORTED_SSOT = ("the surface: a name the deprecated module only imports (the SSOT class) is no deprecated name; "
                   "without its source, every name imported from it is")

USES = [
    pytest.param(
        'use.py',
        'from app.ws.factory import create_websocket_manager\n'
        'async def f(ctx, msg):\n'
        '    manager = await create_websocket_manager(ctx)\n'
        '    await manager.send_to_user(msg)\n',
        [
            '1:28 SOT001 app.ws.factory.create_websocket_manager',
            '3:21 SOT002 app.ws.factory.create_websocket_manager',
        ],
        id='factory returns the SSOT object',
    ),
    pytest.param(
        'use.py',
        'from app.ws.factory import IsolatedWebSocketManager\n'
        'm = IsolatedWebSocketManager(1)\n'
        'm.broadcast(2)\n',
        [
            '1:28 SOT001 app.ws.factory.IsolatedWebSocketManager',
            '2:5 SOT002 app.ws.factory.IsolatedWebSocketManager',
        ],
        id='compatibility alias of the SSOT class',
        marks=needs_source([
            '1:28 SOT001 app.ws.factory.IsolatedWebSocketManager',
            '2:5 SOT002 app.ws.factory.IsolatedWebSocketManager',
            '3:1 SOT002 app.ws.factory.IsolatedWebSocketManager',
        ], ALIAS_OF_SSOT),
    ),
    pytest.param(
        'use.py',
        'from app.ws.factory import validate_health\n'
        "report = validate_health(); report.get('ok')\n",
        [
            '1:28 SOT001 app.ws.factory.validate_health',
            '2:10 SOT002 app.ws.factory.validate_health',
        ],
        id='call returning a dict',
    ),
    pytest.param(
        'use.py',
        'from app.ws.factory import get_websocket_manager_factory\n'
        'async def f(ctx):\n'
        '    factory = get_websocket_manager_factory()\n'
        '    return await factory(ctx)\n',
        [
            '1:28 SOT001 app.ws.factory.get_websocket_manager_factory',
            '3:15 SOT002 app.ws.factory.get_websocket_manager_factory',
            '4:18 SOT002 app.ws.factory.get_websocket_manager_factory',
        ],
        id='returned deprecated callable',
        marks=needs_source([
            '1:28 SOT001 app.ws.factory.get_websocket_manager_factory',
            '3:15 SOT002 app.ws.factory.get_websocket_manager_factory',
        ], VALUE_FLOW),
    ),
    pytest.param(
        'use.py',
        'from app.ws.factory import WebSocketManagerFactory\n'
        'async def f(ctx):\n'
        '    f = WebSocketManagerFactory()\n'
        '    await f.create_for_user(ctx)\n',
        [
            '1:28 SOT001 app.ws.factory.WebSocketManagerFactory',
            '3:9 SOT002 app.ws.factory.WebSocketManagerFactory',
            '4:11 SOT002 app.ws.factory.WebSocketManagerFactory',
        ],
        id='instance of a deprecated class',
    ),
    pytest.param(
        'use.py',
        'import asyncio\n'
        'loop = asyncio.get_event_loop()\n'
        'loop.run_until_complete(None)\n',
        [
            '2:8 SOT002 asyncio.get_event_loop',
        ],
        id='no source: only the call',
    ),
    pytest.param(
        'use.py',
        'import optparse\n'
        'p = optparse.OptionParser()\n'
        "p.add_option('-x')\n",
        [
            '1:8 SOT001 optparse',
            '2:5 SOT002 optparse.OptionParser',
            '3:1 SOT002 optparse.OptionParser',
        ],
        id='stdlib class instance stays deprecated',
    ),
    pytest.param(
        'use.py',
        'from datetime import datetime\n'
        'dt = datetime.utcnow()\n'
        'dt.astimezone()\n',
        [
            '2:6 SOT002 datetime.datetime.utcnow',
        ],
        id='stdlib method returning a live object',
    ),
    pytest.param(
        'use.py',
        'from lib import Client\n'
        'c = Client(); c.fetch_all()\n'
        'c.fetch()\n',
        [
            '2:15 SOT002 lib.Client.fetch_all',
        ],
        id='deprecated member through an instance',
    ),
    pytest.param(
        'use.py',
        'from lib import Client\n'
        'Client().fetch_all()\n',
        [
            '2:1 SOT002 lib.Client.fetch_all',
        ],
        id="deprecated member of a call's result",
    ),
    pytest.param(
        'use.py',
        'from lib import Client\n'
        'def sync(c: Client):\n'
        '    c.fetch_all()\n',
        [
            '3:5 SOT002 lib.Client.fetch_all',
        ],
        id='annotated parameter',
    ),
    pytest.param(
        'use.py',
        'from lib import Client\n'
        'class H:\n'
        '    def go(self):\n'
        '        self.client.fetch_all()\n'
        '    def __init__(self):\n'
        '        self.client = Client()\n',
        [
            '4:9 SOT002 lib.Client.fetch_all',
        ],
        id='self attribute set in a later method',
    ),
    pytest.param(
        'use.py',
        'from lib import Client\n'
        'class Sub(Client):\n'
        '    pass\n'
        'Sub().fetch_all()\n',
        [
            '4:1 SOT002 lib.Client.fetch_all',
        ],
        id='inherited member, local subclass',
    ),
    pytest.param(
        'use.py',
        'from sub import Sub\n'
        'Sub().fetch_all()\n',
        [
            '2:1 SOT002 lib.Client.fetch_all',
        ],
        id='inherited member, subclass in another module',
    ),
    pytest.param(
        'use.py',
        'from lib import Client\n'
        'Client().new_name()\n',
        [
            '2:1 SOT002 lib.Client.fetch_all',
        ],
        id='class body alias of a deprecated method',
        marks=[needs_source([], CLASS_ALIAS), installed_differs([], CLASS_ALIAS_INSTALLED)],
    ),
    pytest.param(
        'use.py',
        'import unittest\n'
        'class T(unittest.TestCase):\n'
        '    def test(self):\n'
        '        self.assertEquals(1, 1)\n'
        '        self.assertEqual(1, 1)\n',
        [
            '4:9 SOT002 unittest.TestCase.assertEquals',
        ],
        id='self in a TestCase subclass',
    ),
    pytest.param(
        'use.py',
        'import asyncio.events\n'
        'from asyncio.events import get_event_loop\n'
        'from asyncio import events\n'
        'asyncio.events.get_event_loop()\n'
        'events.get_event_loop = None\n',
        [
            '2:28 SOT001 asyncio.get_event_loop',
            '4:1 SOT002 asyncio.get_event_loop',
            '5:1 SOT003 asyncio.get_event_loop',
        ],
        id='configured re-export: the defining path',
    ),
    pytest.param(
        'use.py',
        'import app.ws.factory as factory_module\n'
        'from app.ws.factory import WebSocketManager\n'
        "factory_module.logger.info('x')\n",
        [
            '1:8 SOT001 app.ws.factory',
            '2:28 SOT001 app.ws.factory.WebSocketManager',
            '3:1 SOT002 app.ws.factory.logger.info',
        ],
        id='module of a name reached through the deprecated path',
    ),
    pytest.param(
        'use.py',
        'from app.ws import WebSocketManager, create_websocket_manager\n',
        [
            '1:38 SOT001 app.ws.factory.create_websocket_manager',
        ],
        id='re-export of a surface name',
    ),
    pytest.param(
        'use.py',
        'from app.ws.factory_v1 import create_websocket_manager\n',
        [
            '1:31 SOT001 app.ws.factory.create_websocket_manager',
        ],
        id='stale path of a vanished module',
        marks=needs_source([], SURFACE),
    ),
    pytest.param(
        'use.py',
        'def f():\n'
        '    return WebSocketManagerFactory()\n',
        [
            '2:12 SOT002 app.ws.factory.WebSocketManagerFactory',
        ],
        id='unbound surface name',
        marks=needs_source([], SURFACE),
    ),
    pytest.param(
        'use.py',
        'from app.ws import IsolatedWebSocketManager\n'
        'def f(m):\n'
        '    return isinstance(m, IsolatedWebSocketManager)\n',
        [
            '1:20 SOT001 app.ws.factory.IsolatedWebSocketManager',
            '3:26 SOT003 app.ws.factory.IsolatedWebSocketManager',
        ],
        id='stale compatibility alias and its later uses',
        marks=needs_source([], SURFACE),
    ),
    pytest.param(
        'use.py',
        'from core import OldBase\n'
        'class Mine(OldBase):\n'
        '    def go(self):\n'
        '        return self.run()\n',
        [
            '1:18 SOT001 core.OldBase',
            '2:12 SOT003 core.OldBase',
        ],
        id='subclass of a deprecated class: only where it names the base',
    ),
]

CLEAN = [
    pytest.param(
        'tests/test_routes.py',
        'from unittest.mock import patch\n'
        "@patch('app.routes.websocket.logger')\n"
        'def test(m):\n'
        '    pass\n',
        id='logger of the deprecated module: a vanished name elsewhere',
    ),
    pytest.param(
        'use.py',
        'from app.compat import WebSocketManager\n'
        'WebSocketManager.create_for_user(1)\n',
        id='SSOT class imported by the deprecated module, re-exported',
        marks=needs_source([
            '1:24 SOT001 app.ws.factory.WebSocketManager',
            '2:1 SOT002 app.ws.factory.WebSocketManager.create_for_user',
        ], REEXPORTED_SSOT),
    ),
    pytest.param(
        'use.py',
        'from typing import Dict\n'
        'x: Dict[str, int] = {}\n',
        id='typing name the deprecated module imports',
    ),
    pytest.param(
        'use.py',
        'import sys\n'
        "sys.modules.get('test.support.asyncore')\n",
        id='a vanished path that only ends like a deprecated module',
    ),
    pytest.param(
        'use.py',
        'from myapp import helpers\n',
        id='namespace folder',
    ),
    pytest.param(
        'myapp/user.py',
        'from .formatter import Bar\n'
        'from .native import Baz\n',
        id='stub and extension next to the importer',
    ),
    pytest.param(
        'use.py',
        'from os import *\n'
        'WebSocketManagerFactory()\n',
        id='unbound name with a star import',
    ),
    pytest.param(
        'use.py',
        "globals()['WebSocketManagerFactory'] = object\n"
        'WebSocketManagerFactory()\n',
        id='unbound name written through globals()',
    ),
    pytest.param(
        'legacy/b.py',
        'import legacy.a\n'
        'legacy.a.f()\n',
        id='each deprecated module exempt from its own rule',
    ),
]


# The project's deprecated modules, in the project, installed or deleted (conftest.ENVIRONMENTS).
SOURCES = ["app/ws/factory.py", "lib.py", "legacy", "core.py"]


@pytest.fixture(params=ENVIRONMENTS)
def analyze(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EnvironmentAnalyze:
    write_tree(tmp_path, APP_FILES)
    place_sources(tmp_path, SOURCES, request.param, monkeypatch)
    return EnvironmentAnalyze(tmp_path, request.param, request)


@pytest.mark.parametrize(("relpath", "source", "expected"), USES)
def test_uses(analyze: EnvironmentAnalyze, relpath: str, source: str, expected: list[str]) -> None:
    assert analyze(source, relpath) == analyze.expect(expected)


@pytest.mark.parametrize(("relpath", "source"), CLEAN)
def test_clean(analyze: EnvironmentAnalyze, relpath: str, source: str) -> None:
    assert analyze(source, relpath) == analyze.expect([])


HANDLERS = """\
from app.ws.factory import (
    IsolatedWebSocketManager,
    WebSocketManagerFactory,
    create_websocket_manager,
    get_websocket_manager_factory,
    validate_health,
)


async def handle(ctx, msg, x):
    manager = await create_websocket_manager(ctx)
    await manager.send_to_user(msg)
    m = IsolatedWebSocketManager(ctx)
    m.broadcast(x)
    report = validate_health(); report.get("ok")
    factory = get_websocket_manager_factory()
    mgr = await factory(ctx)
    f = WebSocketManagerFactory()
    await f.create_for_user(ctx)
    return mgr
"""
USE = "; use app.ws.manager.WebSocketManager.create_for_user"
FACTORY = "app.ws.factory"
PROJECT_OUTPUT = [
    f"app/compat.py:1:28: SOT001 import of deprecated {FACTORY}.WebSocketManager{USE}",
    f"app/handlers.py:2:5: SOT001 import of deprecated {FACTORY}.IsolatedWebSocketManager{USE}",
    f"app/handlers.py:3:5: SOT001 import of deprecated {FACTORY}.WebSocketManagerFactory{USE}",
    f"app/handlers.py:4:5: SOT001 import of deprecated {FACTORY}.create_websocket_manager{USE}",
    f"app/handlers.py:5:5: SOT001 import of deprecated {FACTORY}.get_websocket_manager_factory{USE}",
    f"app/handlers.py:6:5: SOT001 import of deprecated {FACTORY}.validate_health{USE}",
    f"app/handlers.py:11:21: SOT002 call of deprecated {FACTORY}.create_websocket_manager{USE}",
    f"app/handlers.py:13:9: SOT002 call of deprecated {FACTORY}.IsolatedWebSocketManager{USE}",
    f"app/handlers.py:15:14: SOT002 call of deprecated {FACTORY}.validate_health{USE}",
    f"app/handlers.py:16:15: SOT002 call of deprecated {FACTORY}.get_websocket_manager_factory{USE}",
    f"app/handlers.py:17:17: SOT002 call of deprecated {FACTORY}.get_websocket_manager_factory"
    f" (via factory, a value it returned){USE}",
    f"app/handlers.py:18:9: SOT002 call of deprecated {FACTORY}.WebSocketManagerFactory{USE}",
    f"app/handlers.py:19:11: SOT002 call of deprecated {FACTORY}.WebSocketManagerFactory"
    f" (via f.create_for_user, called on a value it returned){USE}",
    f"app/left.py:2:12: SOT002 call of deprecated {FACTORY}.WebSocketManagerFactory"
    f" (as WebSocketManagerFactory, which nothing binds here){USE}",
    f"app/ws/__init__.py:2:22: SOT001 import of deprecated {FACTORY}.create_websocket_manager{USE}",
]


def test_project_with_incidental_bindings(tmp_path: Path) -> None:
    """The whole project through the real flake8 and `check`: exactly the lines that must change."""
    write_tree(tmp_path, {
        **APP_FILES,
        "app/handlers.py": HANDLERS,
        "app/left.py": "def f():\n    return WebSocketManagerFactory()\n",
    })
    flake8 = run_cli("flake8", "--select", "SOT", "app", "lib.py", "sub.py", "core.py", "legacy", "myapp", cwd=tmp_path)
    check = run_cli("flake8-ssot", "check", ".", cwd=tmp_path)
    assert (flake8.returncode, flake8.stderr) == (1, "")
    assert sorted(flake8.stdout.splitlines()) == sorted(PROJECT_OUTPUT)
    assert (check.returncode, check.stdout.splitlines(), check.stderr) == (1, PROJECT_OUTPUT, "")


def test_a_cached_finding_follows_an_installed_modules_source(tmp_path: Path) -> None:
    """What a call returns may be read from an installed package: its change invalidates the cache."""
    site = tmp_path / "site"
    project = tmp_path / "project"
    write_tree(site, {"extlib.py": "class Old:\n    def go(self): ...\ndef make():\n    return Old()\n"})
    write_tree(project, {
        "pyproject.toml": '[[tool.flake8-ssot.rules]]\nname = "ext"\ndeprecated = ["extlib.make", "extlib.Old"]\n',
        "use.py": "import extlib\nx = extlib.make()\nx.go()\n",
    })
    env = {"PYTHONPATH": str(site)}
    result_call = "use.py:3:1: SOT002 call of deprecated extlib.make (via x.go, called on a value it returned)\n"
    first = run_cli("flake8-ssot", "check", ".", cwd=project, env=env)
    assert first.stdout == "use.py:2:5: SOT002 call of deprecated extlib.make\n" + result_call
    (site / "extlib.py").write_text("class Old:\n    def go(self): ...\nclass New:\n    def go(self): ...\n"
                                    "def make():\n    return New()\n")
    second = run_cli("flake8-ssot", "check", ".", cwd=project, env=env)
    assert (second.returncode, second.stdout) == (1, "use.py:2:5: SOT002 call of deprecated extlib.make\n")


@pytest.mark.parametrize(
    ("source", "parsed"),
    [
        pytest.param('"""Set up the Type of Text."""\nx = 1\n', False, id="plain words in prose"),
        pytest.param("import typing as t\nx: t.Set[int]\n", True, id="anchor"),
        pytest.param("from compat import Set\n", True, id="import line"),
        pytest.param("from compat import (\n    Set,\n)\n", True, id="parenthesised import"),
        pytest.param("import compat\nx: compat.Set[int]\n", True, id="after a dot"),
        pytest.param("from unittest import mock\nmock.patch('compat.Set')\n", True, id="quoted"),
        pytest.param("from compat import *\nx: Set[int]\n", True, id="star import"),
    ],
)
def test_plain_words_count_where_code_can_use_them(tmp_path: Path, source: str, parsed: bool) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[[tool.flake8-ssot.rules]]\nname = "typing"\ndeprecated = ["typing.Set"]\n',
        "compat.py": "from typing import Set\n",
        "use.py": source,
    })
    project = Project(load_config(tmp_path / "pyproject.toml"))
    project.build_index()
    assert ("use.py" in project.index.hits) is parsed
    assert project.index.prefilter.matches_text(source) is parsed
