"""`flake8-ssot report`: counts per rule and file by status, history and the Markdown tracker."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLE, run_cli, write_tree

Ssot = Callable[..., tuple[int, str, str]]

# Every status at once: grandfathered (app/jobs.py factory), expired (app/jobs.py settings),
# new and noqa (app/views.py), an entry left over (app/done.py), an entry for a deleted file
# (app/gone.py) and a file that cannot be parsed.
FILES = {
    "app/views.py": """
        from legacy.factory import get_factory


        def handler(ctx):
            return get_factory()


        def other(ctx):
            return get_factory()  # noqa: SOT002
    """,
    "app/done.py": "x = 1\n",
    "app/broken.py": "from legacy.factory import get_factory\ndef f(:\n",
    "ssot-allowlist.toml": """
        [[allow]]
        path = "app/done.py"
        rule = "factory"
        uses.f = 1

        [[allow]]
        path = "app/gone.py"
        rule = "settings"
        uses."<module>" = 1

        [[allow]]
        path = "app/jobs.py"
        rule = "factory"
        reason = "jobs move in Q3"
        expires = 2999-12-31
        uses."<module>" = 1
        uses."Job.run" = 1

        [[allow]]
        path = "app/jobs.py"
        rule = "settings"
        expires = 2000-01-01
        uses."<module>" = 1
        uses."Job.run" = 1

        [[allow]]
        path = "app/views.py"
        rule = "factory"
        uses."<module>" = 1
    """,
}
BROKEN = "flake8-ssot: app/broken.py: not analyzed (syntax error at line 2: invalid syntax); its uses are not counted\n"

TEXT = """\
flake8-ssot report 2026-01-05 (allowlist: ssot-allowlist.toml)

rule      files  uses  grandfathered  noqa  new  expired
factory       2     5              3     1    1        0
settings      1     2              0     0    0        2
total         2     7              3     1    1        2

factory: legacy.factory -> core.Manager.create_for_user
  path          uses  grandfathered  noqa  new  expired  allowlist
  app/done.py      0              0     0    0        0  can be tightened
  app/jobs.py      2              2     0    0        0  expires 2999-12-31
  app/views.py     3              1     1    1        0

settings: legacy.settings.get_config
  path         uses  grandfathered  noqa  new  expired  allowlist
  app/jobs.py     2              0     0    0        2  expired 2000-01-01

allowlist entries for deleted files (run flake8-ssot baseline):
  app/gone.py [settings]

not analyzed (uses unknown):
  app/broken.py: syntax error at line 2: invalid syntax
"""


@pytest.fixture
def project(migration: Path) -> Path:
    write_tree(migration, FILES)
    return migration


def test_text(project: Path, ssot: Ssot) -> None:
    assert ssot("report", "--date", "2026-01-05", cwd=project) == (0, TEXT, BROKEN)


def test_json(project: Path, ssot: Ssot) -> None:
    code, out, err = ssot("report", "--format", "json", "--date", "2026-01-05", cwd=project)
    assert (code, err) == (0, BROKEN)

    def row(path: str, counts: tuple[int, ...], expires: str | None = None, reason: str | None = None,
            can_tighten: bool = False) -> dict[str, object]:
        return {
            "path": path,
            **dict(zip(("uses", "grandfathered", "noqa", "new", "expired"), counts)),
            "expires": expires,
            "reason": reason,
            "can_tighten": can_tighten,
        }

    assert json.loads(out) == {
        "date": "2026-01-05",
        "allowlist": "ssot-allowlist.toml",
        "totals": {"files": 2, "uses": 7, "grandfathered": 3, "noqa": 1, "new": 1, "expired": 2},
        "rules": [
            {
                "rule": "factory",
                "deprecated": ["legacy.factory"],
                "replacement": "core.Manager.create_for_user",
                "files": 2, "uses": 5, "grandfathered": 3, "noqa": 1, "new": 1, "expired": 0,
                "by_file": [
                    row("app/done.py", (0, 0, 0, 0, 0), can_tighten=True),
                    row("app/jobs.py", (2, 2, 0, 0, 0), "2999-12-31", "jobs move in Q3"),
                    row("app/views.py", (3, 1, 1, 1, 0)),
                ],
            },
            {
                "rule": "settings",
                "deprecated": ["legacy.settings.get_config"],
                "replacement": None,
                "files": 1, "uses": 2, "grandfathered": 0, "noqa": 0, "new": 0, "expired": 2,
                "by_file": [row("app/jobs.py", (2, 0, 0, 0, 2), "2000-01-01")],
            },
        ],
        "deleted": [{"path": "app/gone.py", "rule": "settings"}],
        "not_analyzed": [{"path": "app/broken.py", "error": "syntax error at line 2: invalid syntax"}],
    }


MARKDOWN_AFTER = """\
# SSOT migration tracker

Generated on 2026-01-12 by `flake8-ssot report --format markdown`.

| rule | files | uses | grandfathered | noqa | new | expired |
|:--|--:|--:|--:|--:|--:|--:|
| `factory` | 1 | 3 | 1 | 1 | 1 | 0 |
| `settings` | 0 | 0 | 0 | 0 | 0 | 0 |
| **total** | 1 | 3 | 1 | 1 | 1 | 0 |

## `factory`

Deprecated: `legacy.factory`; use `core.Manager.create_for_user` instead.

- [x] `app/done.py`: done; run `flake8-ssot baseline` to drop its allowlist entry
- [x] `app/jobs.py`: done
- [ ] `app/views.py`: 3 uses (1 grandfathered, 1 noqa, 1 new)

```mermaid
xychart-beta
    title "factory: uses remaining"
    x-axis ["2026-01-01", "2026-01-05", "2026-01-12"]
    y-axis "uses" 0 --> 5
    line [5, 3, 3]
```

## `settings`

Deprecated: `legacy.settings.get_config`.

- [x] `app/jobs.py`: done

```mermaid
xychart-beta
    title "settings: uses remaining"
    x-axis ["2026-01-01", "2026-01-05", "2026-01-12"]
    y-axis "uses" 0 --> 2
    line [2, 2, 0]
```
"""


def test_markdown_tracker_with_burn_down(project: Path, ssot: Ssot) -> None:
    (project / "app" / "broken.py").unlink()
    history = project / "progress.jsonl"

    def report(date: str) -> str:
        code, out, err = ssot("report", "--format", "markdown", "--history", "progress.jsonl", "--date", date,
                              cwd=project)
        assert (code, err) == (0, "")
        return out

    # An older record, of a rule since retired, and a blank line: neither disturbs the charts.
    history.write_text('{"date": "2025-12-01", "totals": {"uses": 9}, "rules": {"retired": {"uses": 9}}}\n\n')
    report("2026-01-01")
    (project / "app" / "jobs.py").write_text("from legacy.settings import get_config\nget_config()\n")
    report("2026-01-05")
    report("2026-01-05")  # a second run the same day replaces that day's point
    (project / "app" / "jobs.py").unlink()
    tracker, deleted = report("2026-01-12").split("\n## Allowlist entries for deleted files\n")
    assert tracker == MARKDOWN_AFTER
    assert deleted.splitlines()[1:] == [
        "- `app/gone.py` (`settings`): run `flake8-ssot baseline` to drop it",
        "- `app/jobs.py` (`factory`): run `flake8-ssot baseline` to drop it",
        "- `app/jobs.py` (`settings`): run `flake8-ssot baseline` to drop it",
    ]
    records = [json.loads(line) for line in history.read_text().splitlines()[2:]]
    assert [(r["date"], r["totals"]["uses"]) for r in records] == [
        ("2026-01-01", 7), ("2026-01-05", 5), ("2026-01-05", 5), ("2026-01-12", 3)
    ]
    assert records[0]["rules"]["settings"] == {
        "files": 1, "uses": 2, "grandfathered": 0, "noqa": 0, "new": 0, "expired": 2, "by_file": {"app/jobs.py": 2}
    }


MARKDOWN_WITHOUT_HISTORY = """\
# SSOT migration tracker

Generated on 2026-01-05 by `flake8-ssot report --format markdown`.

| rule | files | uses | grandfathered | noqa | new | expired |
|:--|--:|--:|--:|--:|--:|--:|
| `factory` | 1 | 3 | 1 | 1 | 1 | 0 |
| `settings` | 0 | 0 | 0 | 0 | 0 | 0 |
| **total** | 1 | 3 | 1 | 1 | 1 | 0 |

## `factory`

Deprecated: `legacy.factory`; use `core.Manager.create_for_user` instead.

- [x] `app/done.py`: done; run `flake8-ssot baseline` to drop its allowlist entry
- [ ] `app/views.py`: 3 uses (1 grandfathered, 1 noqa, 1 new)

## `settings`

Deprecated: `legacy.settings.get_config`.

No uses left.

## Allowlist entries for deleted files

- `app/gone.py` (`settings`): run `flake8-ssot baseline` to drop it
- `app/jobs.py` (`factory`): run `flake8-ssot baseline` to drop it
- `app/jobs.py` (`settings`): run `flake8-ssot baseline` to drop it

## Not analyzed (uses unknown)

- `app/broken.py`: syntax error at line 2: invalid syntax
"""

TEXT_AFTER = """\
flake8-ssot report 2026-01-05 (allowlist: ssot-allowlist.toml)

rule      files  uses  grandfathered  noqa  new  expired
factory       1     3              1     1    1        0
settings      0     0              0     0    0        0
total         1     3              1     1    1        0

factory: legacy.factory -> core.Manager.create_for_user
  path          uses  grandfathered  noqa  new  expired  allowlist
  app/done.py      0              0     0    0        0  can be tightened
  app/views.py     3              1     1    1        0

allowlist entries for deleted files (run flake8-ssot baseline):
  app/gone.py [settings]
  app/jobs.py [factory]
  app/jobs.py [settings]

not analyzed (uses unknown):
  app/broken.py: syntax error at line 2: invalid syntax
"""


def test_a_rule_with_no_uses_left(project: Path, ssot: Ssot) -> None:
    (project / "app" / "jobs.py").unlink()
    assert ssot("report", "--format", "markdown", "--date", "2026-01-05", cwd=project) == (
        0, MARKDOWN_WITHOUT_HISTORY, BROKEN
    )
    assert ssot("report", "--date", "2026-01-05", cwd=project) == (0, TEXT_AFTER, BROKEN)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param('{"date": "2026-01-01", "totals": {}, "rules": {}}\nnot json\n',
                     "line 2: invalid JSON: Expecting value", id="not JSON"),
        pytest.param('{"date": "someday", "totals": {}, "rules": {}}\n',
                     "line 1: not a flake8-ssot report record (needs date, totals, rules)", id="bad date"),
        pytest.param('[1, 2]\n', "line 1: not a flake8-ssot report record (needs date, totals, rules)",
                     id="not an object"),
        pytest.param('{"date": "2026-01-01", "totals": {}, "rules": {"r": {"uses": "many"}}}\n',
                     "line 1: not a flake8-ssot report record (needs date, totals, rules)", id="bad counts"),
        pytest.param(None, "cannot read: Is a directory", id="unreadable"),
    ],
)
def test_damaged_history_stops_with_one_line(project: Path, ssot: Ssot, content: str | None, problem: str) -> None:
    history = project / "progress.jsonl"
    if content is None:
        history.mkdir()
    else:
        history.write_text(content)
    expected = f"flake8-ssot: progress.jsonl: {problem}\n"
    assert ssot("report", "--history", "progress.jsonl", cwd=project) == (2, "", expected)
    if content is not None:
        assert history.read_text() == content  # nothing appended


def test_history_that_cannot_be_written(project: Path, ssot: Ssot) -> None:
    assert ssot("report", "--history", "missing/progress.jsonl", cwd=project) == (
        2, "", "flake8-ssot: missing/progress.jsonl: cannot write: No such file or directory\n"
    )


def test_bad_date_is_a_usage_error(project: Path, ssot: Ssot, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        ssot("report", "--date", "yesterday", cwd=project)
    out, err = capsys.readouterr()
    assert (exit_.value.code, out, err) == (
        2, "", "flake8-ssot: argument --date: expected a date like 2026-03-01, got 'yesterday'\n"
    )


def test_without_allowlist_everything_is_new(migration: Path, ssot: Ssot) -> None:
    (migration / "pyproject.toml").write_text(
        (migration / "pyproject.toml").read_text().replace('allowlist = "ssot-allowlist.toml"\n', "")
    )
    code, out, _ = ssot("report", "--date", "2026-01-05", cwd=migration)
    assert out.splitlines()[:5] == [
        "flake8-ssot report 2026-01-05 (allowlist: none)",
        "",
        "rule      files  uses  grandfathered  noqa  new  expired",
        "factory       2     4              0     0    4        0",
        "settings      1     2              0     0    2        0",
    ]


EXAMPLE_REPORT = """\
flake8-ssot report 2026-01-05 (allowlist: ssot-allowlist.toml)

rule               files  uses  grandfathered  noqa  new  expired
websocket-factory      6    18              3     0   13        2

websocket-factory: app.websocket_core.websocket_manager_factory -> \
app.websocket_core.unified_manager.WebSocketManager.create_for_user
  path                            uses  grandfathered  noqa  new  expired  allowlist
  app/compat.py                      4              0     0    4        0
  app/jobs/nightly.py                2              2     0    0        0
  app/routes/health.py               0              0     0    0        0  can be tightened
  app/routes/websocket_ssot.py       7              0     0    7        0
  app/services/notifier.py           2              0     0    0        2  expired 2025-06-30
  app/websocket_core/__init__.py     2              0     0    2        0
  tests/test_routes.py               1              1     0    0        0
"""


def test_example_project(tmp_path: Path) -> None:
    example = tmp_path / "example"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns(".flake8-ssot-cache", "__pycache__"))
    result = run_cli("flake8-ssot", "report", "--date", "2026-01-05", cwd=example)
    assert (result.returncode, result.stdout, result.stderr) == (0, EXAMPLE_REPORT, "")


@pytest.mark.parametrize(
    ("date", "counts", "row"),
    [
        pytest.param("2026-02-28", "2     0    2        0", "2     0    0        0  expires 2026-03-01",
                     id="the day before"),
        pytest.param("2026-03-01", "2     0    2        0", "2     0    0        0  expires 2026-03-01",
                     id="the day itself"),
        pytest.param("2026-03-02", "0     0    2        2", "0     0    0        2  expired 2026-03-01",
                     id="the day after"),
    ],
)
def test_an_entry_grandfathers_through_its_expiry_date(
    migration: Path, ssot: Ssot, date: str, counts: str, row: str
) -> None:
    (migration / "ssot-allowlist.toml").write_text(
        '[[allow]]\npath = "app/views.py"\nrule = "factory"\nexpires = 2026-03-01\n'
        'uses."<module>" = 1\nuses.handler = 1\n'
    )
    code, out, err = ssot("report", "--date", date, cwd=migration)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[3] == f"factory       2     4              {counts}"
    assert lines[10] == f"  app/views.py     2              {row}"


NOQA_TEXT = """\
flake8-ssot report 2026-01-05 (allowlist: none)

rule      files  uses  grandfathered  noqa  new  expired
factory       3     5              0     3    2        0
settings      0     0              0     0    0        0
total         3     5              0     3    2        0

factory: legacy.factory -> core.Manager.create_for_user
  path            uses  grandfathered  noqa  new  expired  allowlist
  app/line.py        1              0     1    0        0
  app/skipped.py     2              0     2    0        0
  app/views.py       2              0     0    2        0
"""


def test_noqa_of_a_line_and_of_a_whole_file_are_counted(migration: Path) -> None:
    """`# flake8: noqa` hides a file from flake8 (and `check`), not from the migration: report
    and plan count its uses as noqa, as they count a line's `# noqa`."""
    (migration / "pyproject.toml").write_text(
        (migration / "pyproject.toml").read_text().replace('allowlist = "ssot-allowlist.toml"\n', "")
    )
    (migration / "app" / "jobs.py").unlink()
    write_tree(migration, {
        "app/line.py": "from legacy.factory import get_factory  # noqa: SOT001\n",
        "app/skipped.py": "# flake8: noqa\nfrom legacy.factory import get_factory\n\nget_factory()\n",
    })
    views = (
        "app/views.py:5:12: SOT002 call of deprecated legacy.factory.get_factory; use core.Manager.create_for_user\n"
    )
    result = run_cli("flake8-ssot", "check", "--select", "SOT002", cwd=migration)
    assert (result.returncode, result.stdout, result.stderr) == (1, views, "")
    result = run_cli("flake8-ssot", "report", "--date", "2026-01-05", cwd=migration)
    assert (result.returncode, result.stdout, result.stderr) == (0, NOQA_TEXT, "")
    result = run_cli("flake8-ssot", "plan", "--format", "json", cwd=migration)
    files = [f for b in json.loads(result.stdout)["batches"] for f in b["files"]]
    assert [(f["path"], f["uses"], f["noqa"]) for f in files] == [
        ("app/line.py", 1, 1), ("app/skipped.py", 2, 2), ("app/views.py", 2, 0)
    ]
