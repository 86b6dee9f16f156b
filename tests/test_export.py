"""`flake8-ssot export ruff`: real ruff accepts the table and flags the imports it can see."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, run_cli, write_tree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPLACEMENT = (
    "use app.websocket_core.unified_manager.WebSocketManager.create_for_user"
    " (per-user isolation: use WebSocketManager.create_for_user(user_context))"
)
FACTORY = "app.websocket_core.websocket_manager_factory"
RULE = "(flake8-ssot rule websocket-factory)"
DEPRECATED = f"deprecated {RULE}; {REPLACEMENT}"
GET = f"re-exports deprecated {FACTORY}.get_websocket_manager_factory {RULE}; {REPLACEMENT}"
MODULE = f"re-exports deprecated {FACTORY} {RULE}; {REPLACEMENT}"

# What ruff reports on the example: every import of the deprecated module, and imports of
# (and attribute access through) the public re-exports in app/websocket_core/__init__.py
# and app/compat.py (its __all__).
RUFF_ON_EXAMPLE = [
    f"app/compat.py:3:32: TID251 `{FACTORY}` is banned: {DEPRECATED}",
    f"app/compat.py:4:1: TID251 `{FACTORY}` is banned: {DEPRECATED}",
    f"app/routes/websocket_ssot.py:7:5: TID251 `{FACTORY}` is banned: {DEPRECATED}",
    f"app/routes/websocket_ssot.py:16:36: TID251 `app.websocket_core.get_websocket_manager_factory` is banned: {GET}",
    f"app/routes/websocket_ssot.py:33:40: TID251 `{FACTORY}` is banned: {DEPRECATED}",
    f"app/services/notifier.py:8:15: TID251 `app.compat.get_factory` is banned: {GET}",
    f"app/services/notifier.py:14:12: TID251 `app.compat.legacy_factories` is banned: {MODULE}",
    f"app/websocket_core/__init__.py:4:1: TID251 `{FACTORY}` is banned: {DEPRECATED}",
]


def ruff(cwd: Path) -> list[str]:
    result = run_cli("ruff", "check", "--no-cache", "--output-format", "concise", "--quiet", ".", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr  # 2: ruff rejected the configuration
    return result.stdout.splitlines()


@pytest.fixture
def example(tmp_path: Path) -> Path:
    copy = tmp_path / "example"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".flake8-ssot-cache", "__pycache__"))
    return copy


def test_ruff_flags_the_example_imports_from_pyproject(example: Path) -> None:
    exported = run_cli("flake8-ssot", "export", "ruff", cwd=example)
    assert (exported.stderr, exported.returncode) == ("", 0)
    with (example / "pyproject.toml").open("a") as f:
        f.write('\n[tool.ruff.lint]\nselect = ["TID251"]\n\n' + exported.stdout)
    assert ruff(example) == RUFF_ON_EXAMPLE
    table = tomllib.loads((example / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert table["flake8-tidy-imports"]["banned-api"] == {
        "app.compat.get_factory": {"msg": GET},
        "app.compat.legacy_factories": {"msg": MODULE},
        "app.websocket_core.get_websocket_manager_factory": {"msg": GET},
        FACTORY: {"msg": DEPRECATED},
    }
    # The deprecated module itself, and what the example's allowlist grandfathers (not expired).
    assert table["extend-per-file-ignores"]["app/websocket_core/websocket_manager_factory.py"] == ["TID251"]


def test_ruff_toml_form(example: Path) -> None:
    exported = run_cli("flake8-ssot", "export", "ruff", "--ruff-toml", cwd=example)
    (example / "ruff.toml").write_text('[lint]\nselect = ["TID251"]\n\n' + exported.stdout)
    assert ruff(example) == RUFF_ON_EXAMPLE


PROJECT = {
    "pyproject.toml": """
        [tool.flake8-ssot]
        allowlist = "allow.toml"

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy", "core.ws.OldManager"]
        replacement = "core.ws.Manager"
        exempt = ["scripts/", "/tools/*.py"]

        [[tool.flake8-ssot.rules]]
        name = "settings"
        deprecated = ["core.settings.get_config"]
        message = "read core.config.CONFIG"

        [[tool.flake8-ssot.rules]]
        name = "plain"
        deprecated = ["core.old"]
    """,
    "allow.toml": """
        [[allow]]
        path = "app/old.py"
        rule = "factory"
        reason = "PLAT-1:\\n ported next sprint"

        [[allow]]
        path = "app/expired.py"
        rule = "factory"
        expires = 2000-01-01
    """,
    "legacy/__init__.py": "from legacy.impl import make\n",
    "legacy/impl.py": "def make():\n    return 1\n",
    "core/__init__.py": "",
    "core/ws.py": "class Manager:\n    pass\n\n\nclass OldManager(Manager):\n    pass\n",
    "core/settings.py": "def get_config():\n    return {}\n",
    "app/__init__.py": "",
    "app/new.py": "from legacy import make\nfrom core.ws import OldManager\nfrom core.settings import get_config\n",
    "app/old.py": "from legacy import make\n",
    "app/expired.py": "from legacy import make\n",
    "scripts/run.py": "import legacy\n",
    "tools/gen.py": "import legacy\n",
}


def test_exemptions_and_allowlist_become_per_file_ignores(tmp_path: Path) -> None:
    write_tree(tmp_path, PROJECT)
    exported = run_cli("flake8-ssot", "export", "ruff", cwd=tmp_path).stdout
    lines = exported.splitlines()
    assert '"core.old".msg = "deprecated (flake8-ssot rule plain)"' in lines
    assert lines[lines.index("[tool.ruff.lint.extend-per-file-ignores]") + 1:] == [
        '"app/old.py" = ["TID251"]  # allowlisted for rule factory (PLAT-1: ported next sprint)',
        '"legacy/**" = ["TID251"]  # the deprecated module legacy itself',
        '"scripts/**" = ["TID251"]  # exempt from rule factory',
        '"tools/*.py" = ["TID251"]  # exempt from rule factory',
    ]
    with (tmp_path / "pyproject.toml").open("a") as f:
        f.write('\n[tool.ruff.lint]\nselect = ["TID251"]\n\n' + exported)
    assert ruff(tmp_path) == [
        "app/expired.py:1:1: TID251 `legacy` is banned: deprecated (flake8-ssot rule factory); use core.ws.Manager",
        "app/new.py:1:1: TID251 `legacy` is banned: deprecated (flake8-ssot rule factory); use core.ws.Manager",
        "app/new.py:2:21: TID251 `core.ws.OldManager` is banned: deprecated (flake8-ssot rule factory);"
        " use core.ws.Manager",
        "app/new.py:3:27: TID251 `core.settings.get_config` is banned: deprecated (flake8-ssot rule settings);"
        " read core.config.CONFIG",
    ]


def test_no_rules_exports_an_empty_table(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[tool.flake8-ssot]\n"})
    exported = run_cli("flake8-ssot", "export", "ruff", cwd=tmp_path)
    assert exported.stdout.splitlines()[-1] == "[tool.ruff.lint.flake8-tidy-imports.banned-api]"
    assert tomllib.loads(exported.stdout) == {"tool": {"ruff": {"lint": {"flake8-tidy-imports": {"banned-api": {}}}}}}


def test_wildcards_and_arguments_are_named_not_exported(tmp_path: Path) -> None:
    """banned-api keys are plain dotted names: a wildcard or an argument would ban nothing."""
    write_tree(tmp_path, {
        "pyproject.toml": """
            [tool.flake8-ssot]

            [[tool.flake8-ssot.rules]]
            name = "mixed"
            deprecated = ["app.*.legacy", "app.ws.connect(user_id)", "app.old"]
        """,
        "app/__init__.py": "",
        "app/old.py": "",
        "app/ws.py": "def connect(host, user_id=None):\n    return host\n",
    })
    exported = run_cli("flake8-ssot", "export", "ruff", cwd=tmp_path).stdout
    assert "# Ruff has no spelling for wildcards or deprecated arguments: app.*.legacy, app.ws.connect(user_id)." in (
        exported.splitlines()
    )
    banned = tomllib.loads(exported)["tool"]["ruff"]["lint"]["flake8-tidy-imports"]["banned-api"]
    assert banned == {"app.old": {"msg": "deprecated (flake8-ssot rule mixed)"}}
