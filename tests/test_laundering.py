"""SOT005, alias laundering: a deprecated API's name given to another object, through real flake8.

Every row is a file of the project below, linted by flake8 (in process, through its own
Application) with exact output.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ENVIRONMENTS, needs_source, place_sources, run_cli, write_tree

Flake8 = Callable[..., tuple[int, str, str]]

FILES = {
    "pyproject.toml": """
        [tool.flake8-ssot]

        [[tool.flake8-ssot.rules]]
        name = "ws-factory"
        deprecated = ["app.ws.factory"]
        replacement = "app.ws.manager.WebSocketManager.create_for_user"

        [[tool.flake8-ssot.rules]]
        name = "legacy-utils"
        deprecated = ["app.legacy_utils"]

        [[tool.flake8-ssot.rules]]
        name = "plain-words"
        deprecated = ["app.tz.utc", "typing.List"]
    """,
    "app/__init__.py": "",
    "app/legacy_utils.py": "def dump(x):\n    return x\n",
    "app/tz.py": "utc = None\n",
    "app/ws/__init__.py": "",
    "app/ws/factory.py": """
        from app.vendor.packaging import version


        def create_websocket_manager(user_id):
            return user_id


        def get_factory():
            return None


        parse_version = version.Version
    """,
    "app/ws/manager.py": """
        class WebSocketManager:
            @classmethod
            def create_for_user(cls, ctx):
                return cls()
    """,
    "app/compat.py": "from app.ws.factory import create_websocket_manager as cwm\n",
    "app/services/__init__.py": "",
    "app/services/user_context.py": """
        def create_defensive_user_execution_context(user_id):
            return user_id
    """,
}

CTX = "app.services.user_context.create_defensive_user_execution_context"
IMPORT_CTX = "from app.services.user_context import create_defensive_user_execution_context\n"
ALIASED = IMPORT_CTX.rstrip("\n") + " as create_websocket_manager"
LAUNDERED = f"create_websocket_manager rebound to {CTX}; name it for what it is"

SURFACE_NAME = ("the deprecated API's name (`create_websocket_manager`) is a name on the deprecated module's "
                "surface, read from its source")

FLAGGED = [
    pytest.param(
        ALIASED + "\n",
        [f"1:39: SOT005 {LAUNDERED}"],
        id="aliased from-import (the issue's example)",
        marks=needs_source([], SURFACE_NAME),
    ),
    pytest.param(
        "from app.services.user_context import (\n"
        "    create_defensive_user_execution_context as create_websocket_manager,\n)\n",
        [f"2:5: SOT005 {LAUNDERED}"],
        id="parenthesised aliased from-import",
        marks=needs_source([], SURFACE_NAME),
    ),
    pytest.param(
        "from app.services import user_context as legacy_utils\n",
        ["1:26: SOT005 legacy_utils rebound to app.services.user_context; name it for what it is"],
        id="from-import of a module under a deprecated module's name",
    ),
    pytest.param(
        "import json as legacy_utils\n",
        ["1:8: SOT005 legacy_utils rebound to json; name it for what it is"],
        id="import of another module under a deprecated module's name",
    ),
    pytest.param(
        "import app.services.user_context as legacy_utils\n",
        ["1:8: SOT005 legacy_utils rebound to app.services.user_context; name it for what it is"],
        id="import of a project module under a deprecated module's name",
    ),
    pytest.param(
        IMPORT_CTX + "create_websocket_manager = create_defensive_user_execution_context\n",
        [f"2:1: SOT005 {LAUNDERED}"],
        id="assignment",
        marks=needs_source([], SURFACE_NAME),
    ),
    pytest.param(
        "from typing import Callable\n" + IMPORT_CTX
        + "create_websocket_manager: Callable[[int], int] = create_defensive_user_execution_context\n",
        [f"3:1: SOT005 {LAUNDERED}"],
        id="annotated assignment",
        marks=needs_source([], SURFACE_NAME),
    ),
    pytest.param(
        "import app.services.user_context as uc\n"
        "create_websocket_manager = uc.create_defensive_user_execution_context\n",
        [f"2:1: SOT005 {LAUNDERED}"],
        id="assignment of a module attribute",
        marks=needs_source([], SURFACE_NAME),
    ),
    pytest.param(
        IMPORT_CTX + "x, create_websocket_manager = 1, create_defensive_user_execution_context\n",
        [f"2:4: SOT005 {LAUNDERED}"],
        id="tuple unpacking",
        marks=needs_source([], SURFACE_NAME),
    ),
    pytest.param(
        "def handler(ctx):\n    " + ALIASED + "\n"
        "    return create_websocket_manager(ctx)\n",
        [f"2:43: SOT005 {LAUNDERED}"],
        id="function-local aliased import, and its call is no SOT002",
        marks=needs_source([], SURFACE_NAME),
    ),
    pytest.param(
        "import json\n\n\nclass Handler:\n    legacy_utils = json\n",
        ["5:5: SOT005 legacy_utils rebound to json; name it for what it is"],
        id="class body assignment of a configured name",
    ),
    pytest.param(
        "def _make(user_id):\n    return user_id\n\n\ncreate_websocket_manager = _make\n",
        ["5:1: SOT005 create_websocket_manager rebound to use._make; name it for what it is"],
        id="a function of the same file",
        marks=needs_source([], SURFACE_NAME),
    ),
    pytest.param(
        "import json\nget_factory = json.loads\n",
        ["2:1: SOT005 get_factory rebound to json.loads; name it for what it is"],
        id="a surface name of a deprecated module",
        marks=needs_source([], SURFACE_NAME),
    ),
    pytest.param(
        ALIASED + "\n"
        "create_websocket_manager(1)\nf = create_websocket_manager\n",
        [f"1:39: SOT005 {LAUNDERED}"],
        id="uses of the laundered name are no uses of the deprecated API",
        marks=needs_source([], SURFACE_NAME),
    ),
    pytest.param(
        "from app.ws.factory import create_websocket_manager\n\n\ndef f():\n    " + ALIASED + "\n",
        ["1:28: SOT001 import of deprecated app.ws.factory.create_websocket_manager; "
         "use app.ws.manager.WebSocketManager.create_for_user",
         f"5:43: SOT005 {LAUNDERED}"],
        id="the real import in another scope is no alternative",
        marks=needs_source([
            "1:28: SOT001 import of deprecated app.ws.factory.create_websocket_manager; "
            "use app.ws.manager.WebSocketManager.create_for_user",
        ], SURFACE_NAME),
    ),
]

CLEAN = [
    pytest.param(
        "try:\n    from app.ws.factory import create_websocket_manager\nexcept ImportError:\n"
        "    " + ALIASED + "\n"
        "create_websocket_manager(1)\n",
        [
            "2:32: SOT001 import of deprecated app.ws.factory.create_websocket_manager; "
            "use app.ws.manager.WebSocketManager.create_for_user",
            "5:1: SOT002 call of deprecated app.ws.factory.create_websocket_manager; "
            "use app.ws.manager.WebSocketManager.create_for_user",
        ],
        id="a fallback where the real import fails: an alternative, not a disguise",
    ),
    pytest.param(
        "if flag:\n    import app.legacy_utils as legacy_utils\nelse:\n    import json as legacy_utils\n",
        ["2:12: SOT001 import of deprecated app.legacy_utils"],
        id="if/else alternative of the real module",
    ),
    pytest.param(
        "from app.ws.factory import create_websocket_manager as create_websocket_manager\n",
        ["1:28: SOT001 import of deprecated app.ws.factory.create_websocket_manager; "
         "use app.ws.manager.WebSocketManager.create_for_user"],
        id="the real thing under its own name",
    ),
    pytest.param(
        "from app.compat import cwm as create_websocket_manager\n",
        ["1:24: SOT001 import of deprecated app.ws.factory.create_websocket_manager (as app.compat.cwm); "
         "use app.ws.manager.WebSocketManager.create_for_user"],
        id="a re-export of the real thing",
    ),
    pytest.param(
        "from app.ws.factory import get_factory as create_websocket_manager\ncreate_websocket_manager()\n",
        ["1:28: SOT001 import of deprecated app.ws.factory.get_factory; "
         "use app.ws.manager.WebSocketManager.create_for_user",
         "2:1: SOT002 call of deprecated app.ws.factory.get_factory; "
         "use app.ws.manager.WebSocketManager.create_for_user"],
        id="another deprecated object is reported as the use it is",
    ),
    pytest.param(
        ALIASED + "  # noqa: SOT005\n",
        [],
        id="noqa SOT005",
        marks=needs_source(["1:108: SOT903 unused noqa: no SOT005 use on this line"], SURFACE_NAME),
    ),
    pytest.param(
        ALIASED + "\n"
        "__all__ = ['create_websocket_manager']\n",
        [],
        id="a compatibility export the module declares in __all__ (what fix writes)",
    ),
    pytest.param("def create_websocket_manager(user_id):\n    return user_id\n", [], id="a definition elsewhere"),
    pytest.param("class legacy_utils:\n    pass\n", [], id="a class definition elsewhere"),
    pytest.param("create_websocket_manager = None\n", [], id="None (an optional import's fallback)"),
    pytest.param("create_websocket_manager = make()\n", [], id="a call's result: no named object"),
    pytest.param("create_websocket_manager = lambda user_id: user_id\n", [], id="a lambda"),
    pytest.param("create_websocket_manager = unknown_name\n", [], id="a name nothing binds"),
    pytest.param("from other.pkg import create_websocket_manager\n", [], id="same name from elsewhere: no rename"),
    pytest.param("def f(create_websocket_manager):\n    return create_websocket_manager\n", [], id="a parameter"),
    pytest.param("from datetime import timezone\nutc = timezone.utc\n", [], id="plain word utc"),
    pytest.param("List = list\n", [], id="plain word List"),
    pytest.param("import json as legacy\n", [], id="not a deprecated name"),
    pytest.param(
        "from other.vendored.packaging.version import Version as parse_version\n",
        [],
        id="the API is itself an alias of an object of that name (pkg_resources.parse_version)",
    ),
    pytest.param(
        "import json\n\n\nclass Finder:\n    get_factory = json.loads\n",
        [],
        id="class body: a member named like a surface name (a protocol's method: find_module = _shim)",
    ),
    pytest.param(
        "for create_websocket_manager in handlers:\n    pass\n", [], id="a loop target",
    ),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(tmp_path, FILES)
    return tmp_path


# The deprecated modules, in the project, installed or deleted (conftest.ENVIRONMENTS).
SOURCES = ["app/ws/factory.py", "app/legacy_utils.py", "app/tz.py"]
ROWS = FLAGGED + CLEAN


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[str]]]:
    """Every row a file of one project per environment, linted by one flake8 run: file -> lines."""
    found = {}
    for environment in ENVIRONMENTS:
        root = tmp_path_factory.mktemp("laundering")
        write_tree(root, {**FILES, **{f"use{i}.py": row.values[0] for i, row in enumerate(ROWS)}})
        env = place_sources(root, SOURCES, environment)
        result = run_cli("flake8", "--select", "SOT", *(f"use{i}.py" for i in range(len(ROWS))), cwd=root, env=env)
        assert result.stderr == ""
        lines: dict[str, list[str]] = {}
        for line in result.stdout.splitlines():
            path, rest = line.split(":", 1)
            lines.setdefault(path, []).append(rest)
        found[environment] = lines
    return found


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize(("source", "expected"), ROWS)
def test_laundering(
    linted: dict[str, dict[str, list[str]]], request: pytest.FixtureRequest, environment: str, source: str,
    expected: list[str],
) -> None:
    relpath = next(f"use{i}.py" for i, row in enumerate(ROWS) if row.values[0] == source)
    marker = request.node.get_closest_marker("needs_source")
    if marker is not None and environment == "no source":
        expected = marker.kwargs["absent"]
    # Each row is a file of its own: a name it defines is in its module, not in `use`.
    expected = [line.replace(" use.", f" {relpath[:-3]}.") for line in expected]
    assert linted[environment].get(relpath, []) == expected


@pytest.mark.parametrize(
    ("relpath", "source"),
    [
        pytest.param(
            "app/ws/factory.py",
            "def _create(user_id):\n    return user_id\n\n\ncreate_websocket_manager = _create\n",
            id="the deprecated module defines its API by an alias",
        ),
        pytest.param(
            "app/legacy_utils.py",
            "from app.services.user_context import create_defensive_user_execution_context as dump_v2\n"
            "legacy_utils = dump_v2\n",
            id="inside the deprecated module",
        ),
    ],
)
def test_the_deprecated_api_own_definition(project: Path, flake8_app: Flake8, relpath: str, source: str) -> None:
    write_tree(project, {relpath: source})
    assert flake8_app("--select", "SOT", relpath, cwd=project) == (0, "", "")


def test_exempt_glob(project: Path, flake8_app: Flake8) -> None:
    config = FILES["pyproject.toml"].replace(
        'name = "legacy-utils"\n', 'name = "legacy-utils"\n        exempt = ["shims/"]\n'
    )
    write_tree(project, {"pyproject.toml": config, "shims/j.py": "import json as legacy_utils\n",
                         "other.py": "import json as legacy_utils\n"})
    assert flake8_app("--select", "SOT", "shims", "other.py", cwd=project) == (
        1, "other.py:1:8: SOT005 legacy_utils rebound to json; name it for what it is\n", ""
    )


LAUNDERING_FILES = {
    "app/routes/__init__.py": "",
    "app/routes/ws.py": """
        from ..services.user_context import create_defensive_user_execution_context as create_websocket_manager


        async def connect(user_id):
            return create_websocket_manager(user_id)
    """,
    "app/routes/health.py": """
        import json as legacy_utils


        class Probe:
            def run(self):
                from app.ws.factory import create_websocket_manager
                return create_websocket_manager(1), legacy_utils.dumps({})
    """,
}

EXPECTED = [
    "app/routes/health.py:1:8: SOT005 legacy_utils rebound to json; name it for what it is",
    "app/routes/health.py:6:36: SOT001 import of deprecated app.ws.factory.create_websocket_manager; "
    "use app.ws.manager.WebSocketManager.create_for_user",
    "app/routes/health.py:7:16: SOT002 call of deprecated app.ws.factory.create_websocket_manager; "
    "use app.ws.manager.WebSocketManager.create_for_user",
    f"app/routes/ws.py:1:37: SOT005 {LAUNDERED}",
]


def test_check_flake8_baseline_and_report_agree(project: Path) -> None:
    """One engine: flake8 and `check` print the same lines; `baseline` grandfathers SOT005 by its
    rule and scope like any use, and `report` counts it."""
    write_tree(project, LAUNDERING_FILES)
    flake8 = run_cli("flake8", "--select", "SOT", "app/routes", cwd=project)
    check = run_cli("flake8-ssot", "check", "app/routes", cwd=project)
    assert (flake8.returncode, flake8.stdout.splitlines(), flake8.stderr) == (1, EXPECTED, "")
    assert (check.returncode, check.stdout.splitlines(), check.stderr) == (1, EXPECTED, "")

    config = project / "pyproject.toml"
    allowlist = '[tool.flake8-ssot]\nallowlist = "allow.toml"\n'
    config.write_text(config.read_text().replace("[tool.flake8-ssot]\n", allowlist))
    baseline = run_cli("flake8-ssot", "baseline", cwd=project)
    assert baseline.returncode == 0, baseline.stderr
    allow = (project / "allow.toml").read_text()
    assert 'path = "app/routes/ws.py"\nrule = "ws-factory"\nuses."<module>" = 1\n' in allow
    assert 'path = "app/routes/health.py"\nrule = "legacy-utils"\nuses."<module>" = 1\n' in allow
    assert run_cli("flake8", "--select", "SOT", "app/routes", cwd=project).stdout == ""
    assert run_cli("flake8-ssot", "check", "app/routes", cwd=project).returncode == 0

    # A new laundering in an allowlisted file fails again.
    ws = project / "app/routes/ws.py"
    ws.write_text(ws.read_text() + "\n\ndef again():\n    from app import services as create_websocket_manager\n")
    again = ("app/routes/ws.py:9:21: SOT005 create_websocket_manager rebound to app.services; "
             "name it for what it is")
    assert run_cli("flake8", "--select", "SOT", "app/routes", cwd=project).stdout.splitlines() == [again]
    assert run_cli("flake8-ssot", "check", "app/routes", cwd=project).stdout.splitlines() == [again]

    report = run_cli("flake8-ssot", "report", cwd=project)
    assert report.returncode == 0, report.stderr
    assert report.stdout.splitlines()[2:7] == [
        "rule          files  uses  grandfathered  noqa  new  expired",
        "ws-factory        3     5              4     0    1        0",
        "legacy-utils      1     1              1     0    0        0",
        "plain-words       0     0              0     0    0        0",
        "total             3     6              5     0    1        0",
    ]


def test_check_reads_a_file_that_spells_only_the_laundered_name(project: Path) -> None:
    """Neither the deprecated module nor any of its names but the one laundered is spelled: the
    prefilter still lets the file through (the deprecated API's name is the word)."""
    write_tree(project, {"quiet.py": "import json as legacy_utils\n"})
    check = run_cli("flake8-ssot", "check", "quiet.py", cwd=project)
    quiet = "quiet.py:1:8: SOT005 legacy_utils rebound to json; name it for what it is\n"
    assert (check.returncode, check.stdout) == (1, quiet)
    everything = run_cli("flake8-ssot", "check", cwd=project)
    assert everything.stdout == (
        "app/compat.py:1:28: SOT001 import of deprecated app.ws.factory.create_websocket_manager; "
        "use app.ws.manager.WebSocketManager.create_for_user\n" + quiet
    )


def test_a_re_export_that_stops_being_the_real_thing_is_seen(project: Path) -> None:
    """Whether a binding launders depends on another module: editing that module changes the
    finding in second runs, whose caches hold the first answers."""
    write_tree(project, {"use.py": "from app.compat import cwm as create_websocket_manager\n"})
    real = ("use.py:1:24: SOT001 import of deprecated app.ws.factory.create_websocket_manager (as app.compat.cwm); "
            "use app.ws.manager.WebSocketManager.create_for_user\n")
    for face in (("flake8-ssot", "check"), ("flake8", "--select", "SOT")):
        run = run_cli(*face, "use.py", cwd=project)
        assert (run.returncode, run.stdout) == (1, real)
    write_tree(project, {"app/compat.py": IMPORT_CTX.replace("\n", " as cwm\n")})
    laundered = "use.py:1:24: SOT005 create_websocket_manager rebound to app.compat.cwm; name it for what it is\n"
    for face in (("flake8-ssot", "check"), ("flake8", "--select", "SOT")):
        run = run_cli(*face, "use.py", cwd=project)
        assert (run.returncode, run.stdout) == (1, laundered)
