"""`flake8-ssot plan`: batches, their order, owners, tests and fix commands, run as users run it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from conftest import HERE, run_cli, write_tree

DOCS = HERE.parent / "docs"

# A package `__init__` (pkg) re-exports the deprecated factory; three packages import it from
# there, one of them in a file whose uses are all `# noqa`'d and one in a file flake8 skips
# (`# flake8: noqa`); a test uses the API itself; tests reach the migrated modules directly
# and through a module that imports one (services/notify.py).
SHIM = {
    "pyproject.toml": """
        [tool.flake8-ssot]
        allowlist = "ssot-allowlist.toml"

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory.get_factory"]
        replacement = "core.make_factory"

        [[tool.flake8-ssot.rules]]
        name = "settings"
        deprecated = ["legacy.settings"]
    """,
    "ssot-allowlist.toml": """
        [[allow]]
        path = "app_b/jobs.py"
        rule = "factory"
        uses.job = 1
    """,
    "legacy/__init__.py": "",
    "legacy/factory.py": "def get_factory():\n    return 1\n",
    "legacy/settings.py": "DEBUG = False\n",
    "core/__init__.py": "def make_factory():\n    return 1\n",
    "pkg/__init__.py": "from legacy.factory import get_factory\n",
    "app_a/__init__.py": "",
    "app_a/views.py": """
        from pkg import get_factory


        def view():
            return get_factory()
    """,
    "app_b/__init__.py": "",
    "app_b/jobs.py": """
        import pkg


        def job():
            return pkg.get_factory()
    """,
    "app_c/__init__.py": "",
    "app_c/api.py": """
        from legacy import settings
        from pkg import get_factory as gf


        def api():
            return gf(), settings.DEBUG
    """,
    "app_c/quiet.py": """
        from pkg import get_factory  # noqa: SOT001

        x = get_factory()  # noqa: SOT002
    """,
    "app_c/skipped.py": """
        # flake8: noqa
        from pkg import get_factory

        y = get_factory()
    """,
    "services/__init__.py": "",
    "services/notify.py": "from app_b.jobs import job\n",
    "tests/test_views.py": "from app_a.views import view\n\n\ndef test_view():\n    assert view()\n",
    "tests/test_notify.py": "def test_notify():\n    from services import notify\n    assert notify.job()\n",
    "tests/test_legacy.py": "from legacy.factory import get_factory\n\n\ndef test_old():\n    assert get_factory()\n",
    "tests/test_core.py": "import core\n",
}

TEXT = """\
flake8-ssot plan: 5 batches, 7 files, 14 uses (by package, at most 10 files a batch)

batch 1 [093939f8] app_a: 1 file, 2 uses
  app_a/views.py: 2 uses (2 new)
  owners: -
  after: -
  tests: pytest tests/test_views.py
  fix: flake8-ssot fix app_a/views.py: rewrites 2 uses, 0 left for a person

batch 2 [053cff61] app_b: 1 file, 1 use
  app_b/jobs.py: 1 use (1 grandfathered)
  owners: -
  after: -
  tests: pytest tests/test_notify.py
  fix: flake8-ssot fix app_b/jobs.py: rewrites 1 use, 0 left for a person

batch 3 [db8d4e9d] app_c: 3 files, 8 uses
  app_c/api.py: 4 uses (4 new)
  app_c/quiet.py: 2 uses (2 noqa)
  app_c/skipped.py: 2 uses (2 noqa)
  owners: -
  after: -
  tests: none found
  fix: flake8-ssot fix app_c/api.py app_c/quiet.py app_c/skipped.py: rewrites 2 uses, 2 left for a person, 4 under # noqa
    app_c/api.py:1:20: SOT001 settings is still used where the fix leaves the code as it is
    app_c/api.py:6:18: SOT003 no fix template covers this reference

batch 4 [b98f1746] tests: 1 file, 2 uses
  tests/test_legacy.py: 2 uses (2 new)
  owners: -
  after: -
  tests: pytest tests/test_legacy.py
  fix: flake8-ssot fix tests/test_legacy.py: rewrites 2 uses, 0 left for a person

batch 5 [efa41b5a] pkg: 1 file, 1 use
  pkg/__init__.py: 1 use (1 new)
  owners: -
  after: 093939f8 (batch 1), 053cff61 (batch 2), db8d4e9d (batch 3)
  tests: pytest tests/test_notify.py tests/test_views.py
  fix: flake8-ssot fix pkg/__init__.py: rewrites 1 use, 0 left for a person

last: remove legacy.factory.get_factory from legacy/factory.py (rule factory), after every batch
last: delete legacy/settings.py (legacy.settings, rule settings), after every batch
"""


@pytest.fixture
def shim(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_tree(root, SHIM)
    return root


def ssot(*args: str, cwd: Path) -> tuple[int, str, str]:
    result = run_cli("flake8-ssot", *args, cwd=cwd)
    return result.returncode, result.stdout, result.stderr


def test_text(shim: Path) -> None:
    assert ssot("plan", cwd=shim) == (0, TEXT, "")


def test_same_tree_same_bytes(shim: Path) -> None:
    first = ssot("plan", "--format", "json", "--no-cache", "-j", "1", cwd=shim)
    assert ssot("plan", "--format", "json", cwd=shim) == first
    assert ssot("plan", "--format", "json", "-j", "2", cwd=shim) == first


MARKDOWN = """\
# Migration plan

5 batches, 7 files, 14 uses (by package, at most 10 files a batch); from `flake8-ssot plan --format markdown`.

- [ ] **Batch 1** `093939f8` app_a: 1 file, 2 uses
  - files: `app_a/views.py` (2)
  - owners: none
  - after: none
  - tests: `pytest tests/test_views.py`
  - fix: `flake8-ssot fix app_a/views.py` rewrites 2 uses, 0 left for a person
- [ ] **Batch 2** `053cff61` app_b: 1 file, 1 use
  - files: `app_b/jobs.py` (1)
  - owners: none
  - after: none
  - tests: `pytest tests/test_notify.py`
  - fix: `flake8-ssot fix app_b/jobs.py` rewrites 1 use, 0 left for a person
- [ ] **Batch 3** `db8d4e9d` app_c: 3 files, 8 uses
  - files: `app_c/api.py` (4), `app_c/quiet.py` (2), `app_c/skipped.py` (2)
  - owners: none
  - after: none
  - tests: none found
  - fix: `flake8-ssot fix app_c/api.py app_c/quiet.py app_c/skipped.py` rewrites 2 uses, 2 left for a person, 4 under `# noqa`
    - `app_c/api.py:1:20` SOT001: settings is still used where the fix leaves the code as it is
    - `app_c/api.py:6:18` SOT003: no fix template covers this reference
- [ ] **Batch 4** `b98f1746` tests: 1 file, 2 uses
  - files: `tests/test_legacy.py` (2)
  - owners: none
  - after: none
  - tests: `pytest tests/test_legacy.py`
  - fix: `flake8-ssot fix tests/test_legacy.py` rewrites 2 uses, 0 left for a person
- [ ] **Batch 5** `efa41b5a` pkg: 1 file, 1 use
  - files: `pkg/__init__.py` (1)
  - owners: none
  - after: `093939f8` (batch 1), `053cff61` (batch 2), `db8d4e9d` (batch 3)
  - tests: `pytest tests/test_notify.py tests/test_views.py`
  - fix: `flake8-ssot fix pkg/__init__.py` rewrites 1 use, 0 left for a person
- [ ] **Last**: remove `legacy.factory.get_factory` from `legacy/factory.py` (rule `factory`)
- [ ] **Last**: delete `legacy/settings.py` (`legacy.settings`, rule `settings`)
"""


def test_markdown(shim: Path) -> None:
    assert ssot("plan", "--format", "markdown", cwd=shim) == (0, MARKDOWN, "")


def schema() -> dict[str, object]:
    """The schema docs/plan.md publishes."""
    text = (DOCS / "plan.md").read_text(encoding="utf-8")
    block = text.split("<!-- plan-schema -->\n```json\n", 1)[1].split("\n```", 1)[0]
    loaded: dict[str, object] = json.loads(block)
    return loaded


def batch(id_: str, group: str, files: list[tuple[str, tuple[int, ...]]], tests: list[str],
          rewrites: int, manual: list[dict[str, object]] | None = None, after: tuple[str, ...] = ()) -> dict[str, object]:
    return {
        "id": id_,
        "group": group,
        "files": [{"path": path, **dict(zip(("uses", "grandfathered", "noqa", "new", "expired"), c))} for path, c in files],
        "owners": [],
        "after": list(after),
        "tests": tests,
        "test_command": " ".join(["pytest", *tests]) if tests else None,
        "fix": {
            "command": " ".join(["flake8-ssot fix", *(path for path, _ in files)]),
            "rewrites": rewrites,
            "manual": manual or [],
            "noqa": sum(c[2] for _, c in files),
        },
    }


API_MANUAL = [
    {"path": "app_c/api.py", "line": 1, "col": 20, "code": "SOT001",
     "reason": "settings is still used where the fix leaves the code as it is"},
    {"path": "app_c/api.py", "line": 6, "col": 18, "code": "SOT003", "reason": "no fix template covers this reference"},
]
ALL = ["093939f8", "053cff61", "db8d4e9d", "e82dc763", "b98f1746", "efa41b5a"]
JSON = {
    "by": "package",
    "max_files": 2,
    "batches": [
        batch("093939f8", "app_a", [("app_a/views.py", (2, 0, 0, 2, 0))], ["tests/test_views.py"], 2),
        batch("053cff61", "app_b", [("app_b/jobs.py", (1, 1, 0, 0, 0))], ["tests/test_notify.py"], 1),
        batch("db8d4e9d", "app_c", [("app_c/api.py", (4, 0, 0, 4, 0)), ("app_c/quiet.py", (2, 0, 2, 0, 0))], [], 2,
              API_MANUAL),
        batch("e82dc763", "app_c", [("app_c/skipped.py", (2, 0, 2, 0, 0))], [], 0),
        batch("b98f1746", "tests", [("tests/test_legacy.py", (2, 0, 0, 2, 0))], ["tests/test_legacy.py"], 2),
        batch("efa41b5a", "pkg", [("pkg/__init__.py", (1, 0, 0, 1, 0))], ["tests/test_notify.py", "tests/test_views.py"],
              1, after=("093939f8", "053cff61", "db8d4e9d", "e82dc763")),
    ],
    "last": [
        {"rule": "factory", "target": "legacy.factory.get_factory", "path": "legacy/factory.py",
         "deletes_module": False, "after": ALL},
        {"rule": "settings", "target": "legacy.settings", "path": "legacy/settings.py", "deletes_module": True,
         "after": ALL},
    ],
}


def test_json_follows_the_published_schema(shim: Path) -> None:
    code, out, err = ssot("plan", "--format", "json", "--max-files", "2", cwd=shim)
    assert (code, err) == (0, "")
    assert json.loads(out) == JSON
    jsonschema.validate(json.loads(out), schema())


def test_paths_are_relative_to_the_current_directory(shim: Path) -> None:
    code, out, err = ssot("plan", "--format", "json", "-q", "--select", "factory", ".", cwd=shim / "app_c")
    assert (code, err) == (0, "")
    data = json.loads(out)
    jsonschema.validate(data, schema())
    assert [[f["path"] for f in b["files"]] for b in data["batches"]] == [["api.py", "quiet.py", "skipped.py"]]
    assert data["batches"][0]["fix"] == {
        "command": "flake8-ssot fix api.py quiet.py skipped.py", "rewrites": 2, "manual": [], "noqa": 4
    }
    assert data["last"] == []  # files elsewhere may still use it
    code, out, err = ssot("plan", "--format", "json", "-q", "--select", "factory", cwd=shim / "app_c")
    assert [r["path"] for r in json.loads(out)["last"]] == ["../legacy/factory.py"]


def test_landing_one_batch_leaves_the_others_as_they_were(shim: Path) -> None:
    """Migrate batch 1 with the command the plan gives, plan again: the other batches keep
    their ids and files; only the batch that followed it forgets it."""
    before = json.loads(ssot("plan", "--format", "json", "--max-files", "2", cwd=shim)[1])
    first = before["batches"][0]
    result = run_cli(*first["fix"]["command"].split(), cwd=shim)
    assert (result.returncode, result.stderr) == (0, "")
    assert "from core import make_factory" in (shim / "app_a" / "views.py").read_text()
    after = json.loads(ssot("plan", "--format", "json", "--max-files", "2", cwd=shim)[1])
    assert [(b["id"], b["files"], b["fix"]) for b in after["batches"]] == [
        (b["id"], b["files"], b["fix"]) for b in before["batches"][1:]
    ]
    # pkg follows what is left of its importers, and views.py's test no longer reaches it.
    assert (after["batches"][-1]["after"], after["batches"][-1]["tests"]) == (
        before["batches"][-1]["after"][1:], ["tests/test_notify.py"]
    )
    again = ssot("plan", "--format", "json", "--max-files", "2", cwd=shim)
    assert json.loads(again[1]) == after


OWNERS = """\
# Everyone owns what nobody else does; later lines win.
*                   @acme/everyone
/app_c/             @acme/c-team
app_c/quiet.py      @carol
tests/*             @acme/qa
pkg/                @acme/core dave@example.com
app_b/              team-b
!app_a/             @acme/a-team
"""
OWNER_TEXT = """\
flake8-ssot plan: 5 batches, 8 files, 16 uses (by owner, at most 10 files a batch)

batch 1 [7893d557] @acme/c-team: 2 files, 6 uses
  app_c/api.py: 4 uses (4 new)
  app_c/skipped.py: 2 uses (2 noqa)
  owners: @acme/c-team
  after: -
  tests: none found
  fix: flake8-ssot fix app_c/api.py app_c/skipped.py: rewrites 2 uses, 2 left for a person, 2 under # noqa
    app_c/api.py:1:20: SOT001 settings is still used where the fix leaves the code as it is
    app_c/api.py:6:18: SOT003 no fix template covers this reference

batch 2 [4b9f57b4] @acme/everyone: 3 files, 5 uses
  app_a/views.py: 2 uses (2 new)
  app_b/jobs.py: 1 use (1 grandfathered)
  tests/unit/test_deep.py: 2 uses (2 new)
  owners: @acme/everyone
  after: -
  tests: pytest tests/test_notify.py tests/test_views.py tests/unit/test_deep.py
  fix: flake8-ssot fix app_a/views.py app_b/jobs.py tests/unit/test_deep.py: rewrites 5 uses, 0 left for a person

batch 3 [cf5e6b81] @acme/qa: 1 file, 2 uses
  tests/test_legacy.py: 2 uses (2 new)
  owners: @acme/qa
  after: -
  tests: pytest tests/test_legacy.py
  fix: flake8-ssot fix tests/test_legacy.py: rewrites 2 uses, 0 left for a person

batch 4 [9ed61ac0] @carol: 1 file, 2 uses
  app_c/quiet.py: 2 uses (2 noqa)
  owners: @carol
  after: -
  tests: none found
  fix: flake8-ssot fix app_c/quiet.py: rewrites 0 uses, 0 left for a person, 2 under # noqa

batch 5 [0715ad38] @acme/core dave@example.com: 1 file, 1 use
  pkg/__init__.py: 1 use (1 new)
  owners: @acme/core dave@example.com
  after: 7893d557 (batch 1), 4b9f57b4 (batch 2), 9ed61ac0 (batch 4)
  tests: pytest tests/test_notify.py tests/test_views.py
  fix: flake8-ssot fix pkg/__init__.py: rewrites 1 use, 0 left for a person

last: remove legacy.factory.get_factory from legacy/factory.py (rule factory), after every batch
last: delete legacy/settings.py (legacy.settings, rule settings), after every batch
"""
WARNINGS = """\
flake8-ssot: .github/CODEOWNERS:7: 'team-b' is not an owner (@user, @org/team or an e-mail address); line skipped
flake8-ssot: .github/CODEOWNERS:8: negated pattern '!app_a/' (CODEOWNERS has no '!'); line skipped
"""


def test_by_owner_last_matching_line_wins(shim: Path) -> None:
    """Overlapping patterns: quiet.py is @carol's (the last line matching it), the rest of
    app_c the c-team's; tests/* owns tests/ but not tests/unit/; app_b's malformed line is
    skipped with a warning, so the catch-all owns it."""
    write_tree(shim, {
        ".github/CODEOWNERS": OWNERS,
        "tests/unit/test_deep.py": "from legacy.factory import get_factory\n\n\ndef test_deep():\n    assert get_factory()\n",
    })
    assert ssot("plan", "--by", "owner", cwd=shim) == (0, OWNER_TEXT, WARNINGS)


@pytest.mark.parametrize(
    "place", [pytest.param("CODEOWNERS", id="root"), pytest.param("docs/CODEOWNERS", id="docs/")]
)
def test_codeowners_in_its_other_places(shim: Path, place: str) -> None:
    write_tree(shim, {place: "*.py @acme/py\npkg/ @acme/core\n"})
    code, out, err = ssot("plan", "--by", "owner", "--format", "json", cwd=shim)
    assert (code, err) == (0, "")
    assert [(b["group"], len(b["files"])) for b in json.loads(out)["batches"]] == [("@acme/py", 6), ("@acme/core", 1)]


def test_owners_shown_when_grouping_by_package(shim: Path) -> None:
    write_tree(shim, {".github/CODEOWNERS": "* @acme/everyone\napp_c/quiet.py @carol\n"})
    code, out, err = ssot("plan", "--format", "json", cwd=shim)
    assert (code, err) == (0, "")
    assert [b["owners"] for b in json.loads(out)["batches"]] == [
        ["@acme/everyone"], ["@acme/everyone"], ["@acme/everyone", "@carol"], ["@acme/everyone"], ["@acme/everyone"]
    ]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        pytest.param(["--by", "owner"], "CODEOWNERS: --by owner needs one (looked in ., .github/ and docs/ of the "
                     "project and its repository)", id="--by owner without CODEOWNERS"),
        pytest.param(["--max-files", "0"], "argument --max-files: expected a positive number, got '0'",
                     id="--max-files 0"),
        pytest.param(["--max-files", "ten"], "argument --max-files: expected a positive number, got 'ten'",
                     id="--max-files not a number"),
        pytest.param(["--by", "team"], "argument --by: unknown grouping 'team' (expected one of: package, owner)",
                     id="unknown grouping"),
        pytest.param(["--select", "factroy"], "pyproject.toml: --select: no rule named 'factroy' (rules: factory, "
                     "settings)", id="unknown rule"),
        pytest.param(["--ignore", "a b"], "argument --ignore: not a rule name: 'a b'", id="not a rule name"),
        pytest.param(["nope"], "nope: no such file or directory", id="missing path"),
    ],
)
def test_bad_input_is_one_line(shim: Path, args: list[str], error: str) -> None:
    assert ssot("plan", *args, cwd=shim) == (2, "", f"flake8-ssot: {error}\n")


def test_select_and_ignore_by_rule_name(shim: Path) -> None:
    code, out, err = ssot("plan", "--format", "json", "--ignore", "factory", cwd=shim)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [[f["path"] for f in b["files"]] for b in data["batches"]] == [["app_c/api.py"]]
    assert data["batches"][0]["fix"]["manual"] == API_MANUAL
    assert [r["target"] for r in data["last"]] == ["legacy.settings"]


def test_output_file_and_quiet(shim: Path) -> None:
    assert ssot("plan", "-q", "-o", "plan.txt", cwd=shim) == (0, "", "")
    assert (shim / "plan.txt").read_text() == TEXT.split("\n", 2)[2]
    assert ssot("plan", "-qq", cwd=shim) == (0, "", "")


def test_a_shim_importing_through_another_comes_after_it(shim: Path) -> None:
    """A chain of re-exports: compat re-exports pkg's name; its importer (which reaches pkg's
    binding through it as well), then compat, then pkg."""
    write_tree(shim, {
        "compat/__init__.py": "from pkg import get_factory\n",
        "app_d/__init__.py": "",
        "app_d/old.py": "from compat import get_factory\n\nget_factory()\n",
    })
    code, out, err = ssot("plan", "--format", "json", cwd=shim)
    assert (code, err) == (0, "")
    order = [(b["group"], b["after"]) for b in json.loads(out)["batches"]]
    ids = {b["group"]: b["id"] for b in json.loads(out)["batches"]}
    assert order == [
        ("app_a", []), ("app_b", []), ("app_c", []), ("app_d", []), ("tests", []),
        ("compat", [ids["app_d"]]),
        ("pkg", [ids["app_a"], ids["app_b"], ids["app_c"], ids["app_d"], ids["compat"]]),
    ]


def test_nothing_left(shim: Path) -> None:
    write_tree(shim, {
        "pyproject.toml": '[[tool.flake8-ssot.rules]]\nname = "gone"\ndeprecated = ["legacy.settings.DEBUG"]\n',
        "ssot-allowlist.toml": "",
    })
    (shim / "app_c" / "api.py").write_text("")
    assert ssot("plan", cwd=shim) == (0, "flake8-ssot plan: 0 batches, 0 files, 0 uses (by package, at most 10 files a "
                                      "batch)\n\nlast: remove legacy.settings.DEBUG from legacy/settings.py (rule gone), "
                                      "nothing is left to migrate\n", "")


def test_the_documented_example(tmp_path: Path) -> None:
    import shutil

    from conftest import EXAMPLE

    example = tmp_path / "example"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns(".flake8-ssot-cache", "__pycache__"))
    documented = (DOCS / "plan.md").read_text(encoding="utf-8").split("$ flake8-ssot plan\n", 1)[1].split("```", 1)[0]
    assert ssot("plan", cwd=example) == (0, documented, "")


def test_a_packages_own_tests_go_with_it(shim: Path) -> None:
    write_tree(shim, {
        "app_a/tests/__init__.py": "",
        "app_a/tests/unit/test_old.py": "from legacy.factory import get_factory\n",
    })
    code, out, err = ssot("plan", "--format", "json", cwd=shim)
    assert (code, err) == (0, "")
    assert [(b["group"], [f["path"] for f in b["files"]]) for b in json.loads(out)["batches"]][:2] == [
        ("app_a", ["app_a/tests/unit/test_old.py", "app_a/views.py"]), ("app_b", ["app_b/jobs.py"])
    ]


CYCLE = {
    "pyproject.toml": """
        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory.get_factory"]
        replacement = "core.make_factory"
    """,
    "legacy/__init__.py": "",
    "legacy/factory.py": "def get_factory():\n    return 1\n",
    "core/__init__.py": "def make_factory():\n    return 1\n",
    "pkg_x/__init__.py": "from pkg_y import get_factory\n",
    "pkg_y/__init__.py": "from legacy.factory import get_factory\n",
    "pkg_x/use.py": "from pkg_y import get_factory\n\nget_factory()\n",
    "pkg_y/use.py": "from pkg_x import get_factory\n\nget_factory()\n",
}


@pytest.mark.parametrize(
    ("files", "expected", "err"),
    [
        pytest.param({}, [
            ("pkg_x", ["pkg_x/use.py"], []),
            ("pkg_y", ["pkg_y/use.py"], []),
            ("pkg_x (re-exports)", ["pkg_x/__init__.py"], ["pkg_y"]),
            ("pkg_y (re-exports)", ["pkg_y/__init__.py"], ["pkg_x", "pkg_y", "pkg_x (re-exports)"]),
        ], "", id="re-exporters moved out of the cycle"),
        pytest.param({
            "pkg_x/__init__.py": "from legacy.factory import get_factory\nfrom pkg_y import get_factory as again\n",
            "pkg_y/__init__.py": "from pkg_x import get_factory\n",
        }, [
            ("pkg_x", ["pkg_x/use.py"], []),
            ("pkg_y", ["pkg_y/use.py"], []),
            ("pkg_x (re-exports)", ["pkg_x/__init__.py"], ["pkg_x", "pkg_y"]),
            ("pkg_y (re-exports)", ["pkg_y/__init__.py"], ["pkg_x"]),
        ], "flake8-ssot: batches {pkg_x (re-exports)}, {pkg_y (re-exports)} import through each other's re-exports: "
           "land them together\n", id="re-exporters importing through each other"),
    ],
)
def test_batches_importing_through_each_others_reexports(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, list[str], list[str]]], err: str
) -> None:
    """pkg_x's module imports through pkg_y's __init__ and pkg_y's through pkg_x's: no order of
    the two package batches works, so the re-exporting modules get batches of their own."""
    write_tree(tmp_path, {**CYCLE, **files})
    code, out, stderr = ssot("plan", "--format", "json", cwd=tmp_path)
    batches = json.loads(out)["batches"]
    ids = {b["group"]: b["id"] for b in batches}
    assert (code, stderr) == (0, err.format(**ids))
    assert [(b["group"], [f["path"] for f in b["files"]], b["after"]) for b in batches] == [
        (group, paths, [ids[a] for a in after]) for group, paths, after in expected
    ]


@pytest.mark.parametrize(
    ("codeowners", "expected"),
    [
        pytest.param("/app_c/ @c\n/app_c/quiet.py\n", {"app_c/api.py": "@c", "app_c/quiet.py": "(no owner)"},
                     id="a later line without owners unowns"),
        pytest.param("[Backend] @acme/backend\napp_c/ @c # the C team\n", {"app_c/api.py": "@c"},
                     id="GitLab section header skipped, trailing comment"),
        pytest.param("**/quiet.py carol@example.com\n", {"app_c/quiet.py": "carol@example.com"},
                     id="e-mail owner, ** pattern"),
        pytest.param("app_c/*.py @c\napp_c/q* @q\n", {"app_c/api.py": "@c", "app_c/quiet.py": "@q"},
                     id="globs, last match"),
        pytest.param("*.PY @upper\n", {"app_c/api.py": "(no owner)"}, id="case matters"),
    ],
)
def test_codeowners_rules(shim: Path, codeowners: str, expected: dict[str, str]) -> None:
    write_tree(shim, {"CODEOWNERS": codeowners})
    code, out, err = ssot("plan", "--by", "owner", "--format", "json", cwd=shim)
    assert (code, err) == (0, "")
    group = {f["path"]: b["group"] for b in json.loads(out)["batches"] for f in b["files"]}
    assert {path: group[path] for path in expected} == expected


def test_codeowners_that_cannot_be_read(shim: Path) -> None:
    (shim / "CODEOWNERS").write_bytes(b"\xff @x\n")
    assert ssot("plan", cwd=shim) == (
        2, "", "flake8-ssot: CODEOWNERS: cannot read: 'utf-8' codec can't decode byte 0xff in position 0: "
        "invalid start byte\n"
    )


def test_a_file_that_cannot_be_analyzed_is_named(shim: Path) -> None:
    write_tree(shim, {"app_c/broken.py": "from pkg import get_factory\ndef f(:\n"})
    code, out, err = ssot("plan", "-qq", cwd=shim)
    assert (code, out, err) == (
        0, "", "flake8-ssot: app_c/broken.py: not analyzed (syntax error at line 2: invalid syntax); its uses are not "
        "planned\n"
    )


def test_codeowners_at_the_top_of_the_repository(tmp_path: Path) -> None:
    """A project in a subdirectory of a monorepo: CODEOWNERS patterns are relative to the top
    (and /services/, the later line, wins over /services/project/app_c/)."""
    import subprocess

    root = tmp_path / "services" / "project"
    write_tree(root, SHIM)
    write_tree(tmp_path, {".github/CODEOWNERS": "/services/project/app_c/ @c\n/services/ @services\n"
                          "/services/project/pkg/ @core\n"})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    code, out, err = ssot("plan", "--by", "owner", "--format", "json", cwd=root)
    assert (code, err) == (0, "")
    assert [(b["group"], len(b["files"])) for b in json.loads(out)["batches"]] == [
        ("@services", 6), ("@core", 1)
    ]


def test_a_star_reexport_comes_after_its_importers(shim: Path) -> None:
    write_tree(shim, {
        "starpkg/__init__.py": "from legacy.factory import *\n\nget_factory()\n",
        "app_s/__init__.py": "",
        "app_s/use.py": "from starpkg import get_factory\n\nget_factory()\n",
    })
    code, out, err = ssot("plan", "--format", "json", "--select", "factory", "app_s", "starpkg", cwd=shim)
    assert (code, err) == (0, "")
    batches = json.loads(out)["batches"]
    assert [(b["group"], b["after"]) for b in batches] == [("app_s", []), ("starpkg", [batches[0]["id"]])]


def test_a_character_range_or_a_broken_pattern_is_skipped_with_a_warning(shim: Path) -> None:
    write_tree(shim, {"CODEOWNERS": "* @all\napp_[ab]/ @x\napp_c\\\n"})
    code, out, err = ssot("plan", "-qq", "--by", "owner", cwd=shim)
    assert (code, out, err) == (0, "", (
        "flake8-ssot: CODEOWNERS:2: character range in 'app_[ab]/' (CODEOWNERS has no '[ ]'); line skipped\n"
        "flake8-ssot: CODEOWNERS:3: not a pattern: 'app_c\\\\'; line skipped\n"
    ))
