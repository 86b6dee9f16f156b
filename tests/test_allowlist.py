"""The allowlist through real flake8: what it grandfathers, what stays new, and its bookkeeping codes.

Projects come from conftest.MIGRATION_FILES; the allowlist is written by `flake8-ssot baseline`
or by hand, as users do.
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import run_cli, write_tree
from flake8_ssot.config import load_config
from flake8_ssot.engine import Project

GF = "legacy.factory.get_factory"
REPLACEMENT = "; use core.Manager.create_for_user"
Ssot = Callable[..., tuple[int, str, str]]
Baseline = Callable[[Path], None]


def flake8(
    root: Path, *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return run_cli("flake8", "--select", "SOT", *args, cwd=cwd or root, stdin=stdin)


@pytest.fixture
def baseline(ssot: Ssot) -> Baseline:
    def run(root: Path) -> None:
        code, _, err = ssot("baseline", cwd=root)
        assert code == 0, err

    return run


def findings(output: str) -> list[str]:
    """flake8 lines without the path, which depends on how flake8 was given the file."""
    return [re.sub(r"^.*?:(\d+:\d+: )", r"\1", line) for line in output.splitlines()]


def edit(root: Path, relpath: str, old: str, new: str) -> None:
    path = root / relpath
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_adoption_in_one_command(migration: Path, baseline: Baseline) -> None:
    before = flake8(migration)
    assert (before.returncode, before.stderr) == (
        2, "flake8-ssot: ssot-allowlist.toml: file not found; create it with `flake8-ssot baseline`\n"
    )
    baseline(migration)
    result = flake8(migration)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("from legacy", "import os\nimport sys\n\n\nfrom legacy", id="lines inserted above"),
        pytest.param("\n\n\ndef handler", "\ndef handler", id="blank lines removed"),
        pytest.param(
            "from legacy.factory import get_factory\n",
            "from legacy.factory import (\n    get_factory,\n)\n",
            id="import reformatted over lines",
        ),
        pytest.param(
            "    return get_factory()\n",
            '    """Serve."""\n    result = (\n        get_factory()\n    )\n    return result\n',
            id="call reformatted and moved down",
        ),
        pytest.param("def other(ctx):", "def before(x):\n    return x\n\n\ndef other(ctx):", id="function added"),
        pytest.param("def handler(ctx):", "def handler(ctx, *, extra=None):", id="signature changed"),
    ],
)
def test_unrelated_edits_stay_grandfathered(migration: Path, baseline: Baseline, old: str, new: str) -> None:
    baseline(migration)
    edit(migration, "app/views.py", old, new)
    result = flake8(migration)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("relpath", "old", "new", "expected"),
    [
        pytest.param(
            "app/new.py",
            None,
            "from legacy.factory import get_factory\n",
            [f"./app/new.py:1:28: SOT001 import of deprecated {GF}{REPLACEMENT}"],
            id="file without an entry",
        ),
        pytest.param(
            "app/views.py",
            "    return ctx\n",
            "    return get_factory()\n",
            [f"./app/views.py:9:12: SOT002 call of deprecated {GF}{REPLACEMENT}"],
            id="another function of an allowlisted file",
        ),
        pytest.param(
            "app/views.py",
            "    return get_factory()\n",
            "    get_factory()\n    return get_factory()\n",
            [f"./app/views.py:6:12: SOT002 call of deprecated {GF}{REPLACEMENT}"],
            id="one more use in an allowlisted function",
        ),
        pytest.param(
            "app/jobs.py",
            "class Job:",
            "get_config()\n\n\nclass Job:",
            ["./app/jobs.py:5:1: SOT002 call of deprecated legacy.settings.get_config"],
            id="one more use at module level, other rule",
        ),
    ],
)
def test_new_uses_are_reported(
    migration: Path, baseline: Baseline, relpath: str, old: str | None, new: str, expected: list[str]
) -> None:
    baseline(migration)
    if old is None:
        write_tree(migration, {relpath: new})
    else:
        edit(migration, relpath, old, new)
    result = flake8(migration)
    assert (result.returncode, result.stdout.splitlines(), result.stderr) == (1, expected, "")


def test_stale_entries_report_sot901(migration: Path, baseline: Baseline) -> None:
    baseline(migration)
    edit(migration, "app/views.py", "    return get_factory()\n", "    return None\n")
    edit(migration, "app/jobs.py", "factory.get_factory(), get_config()", "None, get_config()")
    result = flake8(migration)
    assert result.stdout.splitlines() == [
        "./app/jobs.py:1:1: SOT901 allowlist entry can be tightened: rule factory in Job.run 1 allowed, 0 left; "
        "run flake8-ssot baseline",
        "./app/views.py:1:1: SOT901 allowlist entry can be tightened: rule factory in handler 1 allowed, 0 left; "
        "run flake8-ssot baseline",
    ]
    baseline(migration)
    result = flake8(migration)
    assert (result.returncode, result.stdout) == (0, "")


def test_whole_file_entry_grants_every_use_until_none_is_left(migration: Path) -> None:
    (migration / "ssot-allowlist.toml").write_text('[[allow]]\npath = "app/views.py"\nrule = "factory"\n')
    edit(migration, "app/views.py", "    return ctx\n", "    return get_factory()\n")
    assert findings(flake8(migration, "app/views.py").stdout) == []
    write_tree(migration, {"app/views.py": "x = 1\n"})
    assert findings(flake8(migration, "app/views.py").stdout) == [
        "1:1: SOT901 allowlist entry can be tightened: rule factory has no uses left; run flake8-ssot baseline"
    ]


@pytest.mark.parametrize(
    ("expires", "expected"),
    [
        pytest.param("2999-12-31", [], id="not yet"),
        pytest.param(
            "2000-01-01",
            [
                "1:1: SOT902 allowlist entry expired on 2000-01-01: rule factory (views move in #12)",
                f"1:28: SOT001 import of deprecated {GF}{REPLACEMENT}",
                f"5:12: SOT002 call of deprecated {GF}{REPLACEMENT}",
            ],
            id="past",
        ),
    ],
)
def test_expired_entries_grandfather_nothing(migration: Path, expires: str, expected: list[str]) -> None:
    (migration / "ssot-allowlist.toml").write_text(
        f'[[allow]]\npath = "app/views.py"\nrule = "factory"\nreason = "views move in #12"\nexpires = {expires}\n'
        'uses."<module>" = 1\nuses.handler = 1\n'
    )
    assert findings(flake8(migration, "app/views.py").stdout) == expected


SETTINGS_STALE = "1:1: SOT901 allowlist entry can be tightened: rule settings in Job.run 2 allowed, 1 left; " \
    "run flake8-ssot baseline"


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        pytest.param(
            "expires = 2000-01-01\nuses.\"Job.run\" = 1\n",
            [
                SETTINGS_STALE,
                "1:1: SOT902 allowlist entry expired on 2000-01-01: rule factory",
                "1:20: SOT001 import of deprecated legacy.factory" + REPLACEMENT,
                "7:16: SOT002 call of deprecated legacy.factory.get_factory" + REPLACEMENT,
            ],
            id="expired",
        ),
        pytest.param("", [SETTINGS_STALE], id="whole file"),
    ],
)
def test_the_entry_of_one_rule_leaves_the_notes_of_the_next(migration: Path, factory: str, expected: list[str]) -> None:
    (migration / "ssot-allowlist.toml").write_text(
        f'[[allow]]\npath = "app/jobs.py"\nrule = "factory"\n{factory}\n'
        '[[allow]]\npath = "app/jobs.py"\nrule = "settings"\nuses."<module>" = 1\nuses."Job.run" = 2\n'
    )
    assert findings(flake8(migration, "app/jobs.py").stdout) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(datetime.date(2026, 2, 28), [], id="the day before"),
        pytest.param(datetime.date(2026, 3, 1), [], id="the day itself"),
        pytest.param(
            datetime.date(2026, 3, 2),
            [
                "1:1: SOT902 allowlist entry expired on 2026-03-01: rule factory",
                f"1:28: SOT001 import of deprecated {GF}{REPLACEMENT}",
                f"5:12: SOT002 call of deprecated {GF}{REPLACEMENT}",
            ],
            id="the day after",
        ),
    ],
)
def test_an_entry_grandfathers_through_its_expiry_date(
    migration: Path, today: datetime.date, expected: list[str]
) -> None:
    (migration / "ssot-allowlist.toml").write_text(
        '[[allow]]\npath = "app/views.py"\nrule = "factory"\nexpires = 2026-03-01\n'
        'uses."<module>" = 1\nuses.handler = 1\n'
    )
    # flake8 judges as of the real today; the engine it runs takes the day as a parameter.
    project = Project(load_config(migration / "pyproject.toml"), today=today)
    shown = project.analyze_file("app/views.py").shown
    assert [f"{f.line}:{f.col + 1}: {f.text}" for f in shown] == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "from legacy.factory import get_factory  # noqa: SOT001\n",
            [],
            id="noqa with the code silences the use",
        ),
        pytest.param("from legacy.factory import get_factory  # noqa\n", [], id="bare noqa silences the use"),
        pytest.param(
            "from legacy.factory import get_factory  # noqa: SOT002\n",
            [
                "1:28: SOT001 import of deprecated legacy.factory.get_factory; use core.Manager.create_for_user",
                "1:41: SOT903 unused noqa: no SOT002 use on this line",
            ],
            id="noqa for another code: the use stays, the noqa is unused",
        ),
        pytest.param(
            "import os  # noqa: SOT001, E501\n",
            ["1:12: SOT903 unused noqa: no SOT001 use on this line"],
            id="noqa on a line without uses",
        ),
        pytest.param("import os  # noqa: E501\n", [], id="other plugins' noqa are not ours to judge"),
    ],
)
def test_noqa(migration: Path, source: str, expected: list[str]) -> None:
    write_tree(migration, {"app/new.py": source, "ssot-allowlist.toml": ""})
    assert findings(flake8(migration, "app/new.py").stdout) == expected


def test_noqa_uses_do_not_consume_the_allowlist(migration: Path, baseline: Baseline) -> None:
    baseline(migration)
    # The grandfathered call gets a noqa: the entry for `handler` is no longer needed.
    edit(migration, "app/views.py", "    return get_factory()\n", "    return get_factory()  # noqa: SOT002\n")
    assert findings(flake8(migration, "app/views.py").stdout) == [
        "1:1: SOT901 allowlist entry can be tightened: rule factory in handler 1 allowed, 0 left; "
        "run flake8-ssot baseline"
    ]


@pytest.mark.parametrize(
    ("cwd", "args", "stdin"),
    [
        pytest.param(".", ["app/views.py", "./app/views.py", "{abs}", "."], False, id="from the root"),
        pytest.param("app", ["views.py", ".", "{abs}"], False, id="from a subfolder"),
        pytest.param("..", ["{abs}"], False, id="from outside the project"),
        pytest.param(".", ["--stdin-display-name", "app/views.py", "-"], True, id="stdin relative"),
        pytest.param(".", ["--stdin-display-name", "{abs}", "-"], True, id="stdin absolute"),
        pytest.param("app", ["--stdin-display-name", "views.py", "-"], True, id="stdin from a subfolder"),
        pytest.param("..", ["--stdin-display-name", "{abs}", "-"], True, id="stdin from outside"),
    ],
)
def test_every_way_of_naming_a_file_reaches_the_same_entry(
    migration: Path, baseline: Baseline, cwd: str, args: list[str], stdin: bool
) -> None:
    baseline(migration)
    edit(migration, "app/views.py", "    return ctx\n", "    return get_factory()\n")
    absolute = str(migration / "app" / "views.py")
    args = [a.replace("{abs}", absolute) for a in args]
    source = (migration / "app" / "views.py").read_text() if stdin else None
    result = flake8(migration, *args, cwd=(migration / cwd).resolve(), stdin=source)
    files = 1 if stdin else len(args)
    expected = [f"9:12: SOT002 call of deprecated {GF}{REPLACEMENT}"] * files
    assert (findings(result.stdout), result.stderr) == (expected, "")


BAD_ALLOWLISTS = [
    pytest.param("[[allow]\n", "invalid TOML: Expected ']]' at the end of an array declaration (at line 1, column 8)",
                 id="invalid TOML"),
    pytest.param(b"# \xff\n", "not valid UTF-8", id="not UTF-8"),
    pytest.param("[[entry]]\n", "entry: unknown key (expected [[allow]] entries)", id="unknown top-level key"),
    pytest.param('allow = "x"\n', "allow: expected an array of tables ([[allow]])", id="allow not an array"),
    pytest.param('[[allow]]\nrule = "factory"\n', "allow[0].path: expected a POSIX path relative to the project root",
                 id="missing path"),
    pytest.param(
        '[[allow]]\npath = "/abs/x.py"\nrule = "factory"\n',
        "allow[0].path: '/abs/x.py' must be a normalized POSIX path inside the project root",
        id="absolute path",
    ),
    pytest.param(
        '[[allow]]\npath = "app/../x.py"\nrule = "factory"\n',
        "allow[0].path: 'app/../x.py' must be a normalized POSIX path inside the project root",
        id="path leaving the root",
    ),
    pytest.param(
        '[[allow]]\npath = "x.py"\nrule = "factroy"\n',
        "allow[0].rule: unknown rule 'factroy' (rules: factory, settings)",
        id="unknown rule",
    ),
    pytest.param(
        '[[allow]]\npath = "x.py"\nrule = "factory"\n[[allow]]\npath = "x.py"\nrule = "factory"\n',
        "allow[1]: duplicate entry for x.py and rule factory (also allow[0])",
        id="duplicate entry",
    ),
    pytest.param(
        '[[allow]]\npath = "x.py"\nrule = "factory"\nexpires = "2026-03-01"\n',
        "allow[0].expires: expected a TOML date such as 2026-03-01",
        id="expires as a string",
    ),
    pytest.param(
        '[[allow]]\npath = "x.py"\nrule = "factory"\nuses.handler = 0\n',
        "allow[0].uses.'handler': expected a positive integer",
        id="zero count",
    ),
    pytest.param(
        '[[allow]]\npath = "x.py"\nrule = "factory"\nusage.handler = 1\n',
        "allow[0].usage: unknown key (expected one of: expires, path, reason, rule, uses)",
        id="misspelt key",
    ),
    pytest.param("allow = [1]\n", "allow[0]: expected a table", id="entry not a table"),
    pytest.param(
        '[[allow]]\npath = "x.py"\nrule = "factory"\nreason = 12\n', "allow[0].reason: expected a string",
        id="reason not a string",
    ),
    pytest.param(
        '[[allow]]\npath = "x.py"\nrule = "factory"\nuses = 3\n', "allow[0].uses: expected a table of scope = count",
        id="uses not a table",
    ),
    pytest.param(None, "file not found; create it with `flake8-ssot baseline`", id="missing"),
    pytest.param("directory", "cannot read: Is a directory", id="unreadable"),
]


@pytest.mark.parametrize(("content", "problem"), BAD_ALLOWLISTS)
def test_bad_allowlist_stops_flake8_and_every_verb(
    migration: Path, ssot: Ssot, content: str | bytes | None, problem: str
) -> None:
    path = migration / "ssot-allowlist.toml"
    if content == "directory":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    before = path.read_bytes() if path.is_file() else None
    expected = f"flake8-ssot: ssot-allowlist.toml: {problem}\n"
    result = flake8(migration, ".")
    assert (result.returncode, result.stdout, result.stderr) == (2, "", expected)
    verbs = [["check"], ["report"]] + [["baseline", "--allow-growth"]] * (content is not None)
    for verb in verbs:  # a missing allowlist is what baseline creates
        assert ssot(*verb, cwd=migration) == (2, "", expected), verb
    assert (path.read_bytes() if path.is_file() else None) == before


def test_bad_allowlist_of_a_project_found_from_the_file(migration: Path, tmp_path: Path) -> None:
    """Run from outside the project, flake8 finds the configuration from the file, and stops as well."""
    (migration / "ssot-allowlist.toml").write_text('[[allow]]\npath = "x.py"\nrule = "nope"\n')
    result = flake8(migration, str(migration / "app" / "views.py"), cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "flake8-ssot: ssot-allowlist.toml: allow[0].rule: unknown rule 'nope' (rules: factory, settings)\n"
    )


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        pytest.param(
            "from legacy.settings import get_config\n",
            ["1:29: SOT001 import of deprecated legacy.settings.get_config"],
            id="a use of a rule the file has no entry for",
        ),
        pytest.param("from legacy.settings import get_config  # noqa: SOT001\n", [], id="a use under noqa"),
    ],
)
def test_a_use_no_entry_covers_leaves_the_later_uses_grandfathered(
    migration: Path, baseline: Baseline, first_line: str, expected: list[str]
) -> None:
    baseline(migration)
    edit(migration, "app/views.py", "from legacy.factory", first_line + "from legacy.factory")
    assert findings(flake8(migration, "app/views.py").stdout) == expected


def test_check_names_the_file_and_rule_of_every_allowlist_note(migration: Path, ssot: Ssot) -> None:
    (migration / "ssot-allowlist.toml").write_text(
        '[[allow]]\npath = "app/__init__.py"\nrule = "settings"\n\n'
        '[[allow]]\npath = "app/jobs.py"\nrule = "factory"\nuses."<module>" = 1\nuses."Job.run" = 2\n\n'
        '[[allow]]\npath = "app/jobs.py"\nrule = "settings"\nuses."<module>" = 1\nuses."Job.run" = 1\n\n'
        '[[allow]]\npath = "app/views.py"\nrule = "factory"\nreason = "views move in #12"\nexpires = 2000-01-01\n'
        'uses."<module>" = 1\nuses.handler = 1\n'
    )

    def finding(path: str, line: int, col: int, code: str, message: str, **fields: object) -> dict[str, object]:
        return {
            "path": path, "line": line, "column": col, "end_line": line, "end_column": col, "code": code,
            "message": message, "rule": "settings" if "settings" in message else "factory", "target": None,
            "scope": "<module>", "status": "new", **fields,
        }

    code, out, err = ssot("check", "--format", "json", cwd=migration)
    assert (code, err) == (1, "")
    assert json.loads(out) == [
        finding("app/__init__.py", 1, 1, "SOT901",
                "allowlist entry can be tightened: rule settings has no uses left; run flake8-ssot baseline"),
        finding("app/jobs.py", 1, 1, "SOT901",
                "allowlist entry can be tightened: rule factory in Job.run 2 allowed, 1 left; "
                "run flake8-ssot baseline"),
        finding("app/views.py", 1, 1, "SOT902",
                "allowlist entry expired on 2000-01-01: rule factory (views move in #12)"),
        finding("app/views.py", 1, 28, "SOT001", f"import of deprecated {GF}{REPLACEMENT}", end_column=39, target=GF,
                status="expired"),
        finding("app/views.py", 5, 12, "SOT002", f"call of deprecated {GF}{REPLACEMENT}", end_column=25, target=GF,
                scope="handler", status="expired"),
    ]


def test_an_entry_in_a_project_without_rules(tmp_path: Path, ssot: Ssot) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[tool.flake8-ssot]\nallowlist = "ssot-allowlist.toml"\n',
        "ssot-allowlist.toml": '[[allow]]\npath = "x.py"\nrule = "factory"\n',
        "x.py": "x = 1\n",
    })
    assert ssot("check", cwd=tmp_path) == (
        2, "", "flake8-ssot: ssot-allowlist.toml: allow[0].rule: unknown rule 'factory' (rules: none configured)\n"
    )
