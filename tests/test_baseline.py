"""`flake8-ssot baseline`: creating the allowlist, the ratchet, keeping what people wrote, safe writes."""

from __future__ import annotations

import difflib
import os
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import filelock
import pytest

from conftest import run_cli, write_tree
from flake8_ssot import allowlist_doc, baseline
from flake8_ssot.config import load_config
from flake8_ssot.engine import Project
from flake8_ssot.model import AllowEntry

Ssot = Callable[..., tuple[int, str, str]]

CREATED = allowlist_doc.HEADER + textwrap.dedent(
    """
    [[allow]]
    path = "app/jobs.py"
    rule = "factory"
    uses."<module>" = 1
    uses."Job.run" = 1

    [[allow]]
    path = "app/jobs.py"
    rule = "settings"
    uses."<module>" = 1
    uses."Job.run" = 1

    [[allow]]
    path = "app/views.py"
    rule = "factory"
    uses."<module>" = 1
    uses.handler = 1
    """
)


def edit(root: Path, relpath: str, old: str, new: str) -> None:
    path = root / relpath
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def allowlist(root: Path) -> str:
    return (root / "ssot-allowlist.toml").read_text()


def diff(before: str, after: str) -> list[str]:
    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if not line.startswith(("---", "+++"))
    ]


def test_creates_the_allowlist_from_todays_uses(migration: Path, ssot: Ssot) -> None:
    edit(migration, "app/views.py", "    return ctx\n", "    return get_factory(ctx)  # noqa: SOT002\n")
    assert ssot("baseline", cwd=migration) == (
        0, "flake8-ssot: created ssot-allowlist.toml: 3 entries, 6 grandfathered uses\n", ""
    )
    assert allowlist(migration) == CREATED  # the noqa'd use in `other` is not written


def test_second_run_changes_nothing(migration: Path, ssot: Ssot) -> None:
    ssot("baseline", cwd=migration)
    path = migration / "ssot-allowlist.toml"
    stamp = path.stat().st_mtime_ns
    assert ssot("baseline", cwd=migration) == (
        0, "flake8-ssot: ssot-allowlist.toml: nothing to tighten (3 entries, 6 grandfathered uses)\n", ""
    )
    assert path.stat().st_mtime_ns == stamp


def test_creates_the_default_file_when_the_configuration_names_none(migration: Path, ssot: Ssot) -> None:
    edit(migration, "pyproject.toml", 'allowlist = "ssot-allowlist.toml"\n', "")
    code, out, err = ssot("baseline", cwd=migration)
    assert (code, out) == (0, "flake8-ssot: created ssot-allowlist.toml: 3 entries, 6 grandfathered uses\n")
    assert err == (
        "flake8-ssot: ssot-allowlist.toml is read from the project root by default; to make it required, "
        'add allowlist = "ssot-allowlist.toml" to [tool.flake8-ssot]\n'
    )
    result = run_cli("flake8", "--select", "SOT", ".", cwd=migration)
    assert (result.returncode, result.stdout) == (0, "")


def test_named_allowlist_in_new_directories(migration: Path, ssot: Ssot) -> None:
    edit(migration, "pyproject.toml", '"ssot-allowlist.toml"', '"ci/lint/ssot.toml"')
    code, out, _ = ssot("baseline", cwd=migration / "app")
    assert (code, out) == (0, "flake8-ssot: created ci/lint/ssot.toml: 3 entries, 6 grandfathered uses\n")
    assert (migration / "ci" / "lint" / "ssot.toml").read_text() == CREATED


def test_tightens_and_drops_entries_no_longer_needed(migration: Path, ssot: Ssot) -> None:
    ssot("baseline", cwd=migration)
    edit(migration, "app/jobs.py", "factory.get_factory(), get_config()", "None, get_config()")
    edit(migration, "app/views.py", "from legacy.factory import get_factory\n", "")
    edit(migration, "app/views.py", "    return get_factory()\n", "    return None\n")
    before = allowlist(migration)
    assert ssot("baseline", cwd=migration) == (
        0,
        "  tightened  app/jobs.py [factory] Job.run 1 -> 0\n"
        "  dropped    app/views.py [factory] no uses left\n"
        "flake8-ssot: updated ssot-allowlist.toml: 2 entries, 3 grandfathered uses (-3, +0)\n",
        "",
    )
    assert diff(before, allowlist(migration)) == [
        "@@ -10 +9,0 @@",
        '-uses."Job.run" = 1',
        "@@ -17,6 +15,0 @@",
        "-",
        "-[[allow]]",
        '-path = "app/views.py"',
        '-rule = "factory"',
        '-uses."<module>" = 1',
        "-uses.handler = 1",
    ]
    result = run_cli("flake8", "--select", "SOT", ".", cwd=migration)
    assert (result.returncode, result.stdout) == (0, "")


def test_drops_entries_of_deleted_files(migration: Path, ssot: Ssot) -> None:
    ssot("baseline", cwd=migration)
    (migration / "app" / "jobs.py").unlink()
    assert ssot("baseline", cwd=migration) == (
        0,
        "  dropped    app/jobs.py [factory] file deleted\n"
        "  dropped    app/jobs.py [settings] file deleted\n"
        "flake8-ssot: updated ssot-allowlist.toml: 1 entry, 2 grandfathered uses (-4, +0)\n",
        "",
    )
    assert allowlist(migration) == allowlist_doc.HEADER + textwrap.dedent(
        """
        [[allow]]
        path = "app/views.py"
        rule = "factory"
        uses."<module>" = 1
        uses.handler = 1
        """
    )


def test_converts_whole_file_entries_to_counts(migration: Path, ssot: Ssot) -> None:
    write_tree(
        migration,
        {
            "ssot-allowlist.toml": """
                [[allow]]
                path = "app/views.py"
                rule = "factory"
                reason = "legacy views"

                [[allow]]
                path = "legacy/factory.py"
                rule = "factory"
            """
        },
    )
    assert ssot("baseline", cwd=migration)[1] == (
        "  converted  app/views.py [factory] whole file -> <module> 1, handler 1\n"
        "  dropped    legacy/factory.py [factory] no uses left\n"
        "flake8-ssot: updated ssot-allowlist.toml: 1 entry, 2 grandfathered uses (-0, +0)\n"
    )
    assert allowlist(migration) == (
        '[[allow]]\npath = "app/views.py"\nrule = "factory"\nreason = "legacy views"\n'
        'uses."<module>" = 1\nuses.handler = 1\n'
    )


GROWTH = [
    ("app/views.py", "    return ctx\n", "    return get_factory()\n"),
    ("app/views.py", "    return get_factory()\n", "    get_factory()\n    return get_factory()\n"),
    ("app/new.py", None, "from legacy.settings import get_config\n"),
]


def grow(root: Path) -> None:
    for relpath, old, new in GROWTH:
        if old is None:
            write_tree(root, {relpath: new})
        else:
            edit(root, relpath, old, new)


def test_growth_is_refused_and_said(migration: Path, ssot: Ssot) -> None:
    ssot("baseline", cwd=migration)
    grow(migration)
    before = allowlist(migration)
    assert ssot("baseline", cwd=migration) == (
        0,
        "flake8-ssot: ssot-allowlist.toml: nothing to tighten (3 entries, 6 grandfathered uses)\n",
        "flake8-ssot: refused to grandfather 3 new uses (they stay failures); migrate them, or rerun with "
        "--allow-growth:\n"
        "  refused    app/new.py [settings] <module> 1\n"
        "  refused    app/views.py [factory] handler 1 -> 2, other 0 -> 1\n",
    )
    assert allowlist(migration) == before
    result = run_cli("flake8", "--select", "SOT", ".", cwd=migration)
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == [
        "./app/new.py:1:29", "./app/views.py:6:12", "./app/views.py:10:12"
    ]


def test_allow_growth_adds_and_says_so_loudly(migration: Path, ssot: Ssot) -> None:
    ssot("baseline", cwd=migration)
    grow(migration)
    before = allowlist(migration)
    assert ssot("baseline", "--allow-growth", cwd=migration) == (
        0,
        "  added      app/new.py [settings] <module> 1\n"
        "  grew       app/views.py [factory] handler 1 -> 2, other 0 -> 1\n"
        "flake8-ssot: updated ssot-allowlist.toml: 4 entries, 9 grandfathered uses (-0, +3)\n",
        "flake8-ssot: --allow-growth grandfathered 3 more uses; review them in the diff:\n"
        "  added      app/new.py [settings] <module> 1\n"
        "  grew       app/views.py [factory] handler 1 -> 2, other 0 -> 1\n",
    )
    assert diff(before, allowlist(migration)) == [
        "@@ -18,0 +19,5 @@",
        '+path = "app/new.py"',
        '+rule = "settings"',
        '+uses."<module>" = 1',
        "+",
        "+[[allow]]",
        "@@ -22 +27,2 @@",
        "-uses.handler = 1",
        "+uses.handler = 2",
        "+uses.other = 1",
    ]
    result = run_cli("flake8", "--select", "SOT", ".", cwd=migration)
    assert (result.returncode, result.stdout) == (0, "")


def test_dry_run_writes_nothing(migration: Path, ssot: Ssot) -> None:
    assert ssot("baseline", "--dry-run", cwd=migration) == (
        0, "flake8-ssot: would create ssot-allowlist.toml: 3 entries, 6 grandfathered uses\n", ""
    )
    assert not (migration / "ssot-allowlist.toml").exists()
    ssot("baseline", cwd=migration)
    assert ssot("baseline", "--dry-run", cwd=migration) == (
        0, "flake8-ssot: ssot-allowlist.toml: nothing to tighten (3 entries, 6 grandfathered uses)\n", ""
    )
    (migration / "app" / "views.py").unlink()
    before = allowlist(migration)
    assert ssot("baseline", "--dry-run", cwd=migration)[1] == (
        "  dropped    app/views.py [factory] file deleted\n"
        "flake8-ssot: would update ssot-allowlist.toml: 2 entries, 4 grandfathered uses (-2, +0)\n"
    )
    assert allowlist(migration) == before


HAND_WRITTEN = """\
# Allowlist of the payments team.
# Ask #platform before adding to it.

# --- jobs ---------------------------------------------------------------
[[allow]]
path = "app/jobs.py"
rule = "factory"
reason = "the job runner is replaced in Q3"   # owner: ana
expires = 2999-12-31
uses = { "<module>" = 1, "Job.run" = 1 }

# The settings migration is blocked on #42.
[[allow]]
path = "app/jobs.py"
rule = "settings"
uses."<module>" = 1
uses."Job.run" = 1

# --- views --------------------------------------------------------------
[[allow]]
path = "app/views.py"
rule = "factory"
uses.handler = 1   # the call
uses."<module>" = 1

[[allow]]
path = "app/zzz.py"
rule = "factory"
reason = "gone soon"
uses."<module>" = 3

# end of file
"""


def test_keeps_what_people_wrote_and_the_diff_shows_only_the_change(migration: Path, ssot: Ssot) -> None:
    write_tree(migration, {"app/zzz.py": "import legacy.factory\n"})
    (migration / "ssot-allowlist.toml").write_text(HAND_WRITTEN)
    assert ssot("baseline", cwd=migration)[1] == (
        "  tightened  app/zzz.py [factory] <module> 3 -> 1\n"
        "flake8-ssot: updated ssot-allowlist.toml: 4 entries, 7 grandfathered uses (-2, +0)\n"
    )
    assert diff(HAND_WRITTEN, allowlist(migration)) == ["@@ -30 +30 @@", '-uses."<module>" = 3', '+uses."<module>" = 1']

    # Fewer uses, a deleted file, a new file allowed in, in one run.
    edit(migration, "app/jobs.py", "factory.get_factory(), get_config()", "None, get_config()")
    (migration / "app" / "zzz.py").unlink()
    write_tree(migration, {"app/users.py": "from legacy.settings import get_config\n"})
    before = allowlist(migration)
    ssot("baseline", "--allow-growth", cwd=migration)
    assert diff(before, allowlist(migration)) == [
        "@@ -10 +10 @@",
        '-uses = { "<module>" = 1, "Job.run" = 1 }',
        '+uses = { "<module>" = 1 }',
        "@@ -18,0 +19,5 @@",
        "+[[allow]]",
        '+path = "app/users.py"',
        '+rule = "settings"',
        '+uses."<module>" = 1',
        "+",
        "@@ -26,6 +30,0 @@",
        "-[[allow]]",
        '-path = "app/zzz.py"',
        '-rule = "factory"',
        '-reason = "gone soon"',
        '-uses."<module>" = 1',
        "-",
    ]
    assert ssot("baseline", cwd=migration)[1].endswith("nothing to tighten (4 entries, 6 grandfathered uses)\n")


def test_what_people_wrote_survives_an_ascii_locale(migration: Path) -> None:
    # A CI container's POSIX locale: the allowlist is TOML, UTF-8 whatever the locale says.
    assert run_cli("flake8-ssot", "baseline", cwd=migration).returncode == 0
    path = migration / "ssot-allowlist.toml"
    views = 'path = "app/views.py"\nrule = "factory"\n'
    path.write_text(path.read_text().replace(views, views + 'reason = "müssen wir – später"\n'), encoding="utf-8")
    (migration / "app" / "jobs.py").unlink()
    ascii_locale = {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}
    result = run_cli("flake8-ssot", "baseline", cwd=migration, env=ascii_locale)
    assert (result.returncode, result.stderr) == (0, "")
    assert path.read_text(encoding="utf-8") == allowlist_doc.HEADER + (
        '\n[[allow]]\n' + views + 'reason = "müssen wir – später"\nuses."<module>" = 1\nuses.handler = 1\n'
    )


@pytest.mark.parametrize(
    ("text", "drop", "expected"),
    [
        pytest.param(
            "# head\n\n[[allow]]\npath = 'a'\nrule = 'r'\n\n# about b\n[[allow]]\npath = 'b'\nrule = 'r'\n",
            ("b", "r"),
            "# head\n\n[[allow]]\npath = 'a'\nrule = 'r'\n",
            id="comment directly above a dropped entry goes with it",
        ),
        pytest.param(
            "# head\n\n[[allow]]\npath = 'a'\nrule = 'r'\n\n# section\n\n[[allow]]\npath = 'b'\nrule = 'r'\n",
            ("b", "r"),
            "# head\n\n[[allow]]\npath = 'a'\nrule = 'r'\n\n# section\n",
            id="a comment set apart by a blank line stays",
        ),
        pytest.param(
            "# head\n[[allow]]\npath = 'a'\nrule = 'r'\n\n[[allow]]\npath = 'b'\nrule = 'r'\n",
            ("a", "r"),
            "# head\n\n[[allow]]\npath = 'b'\nrule = 'r'\n",
            id="the file's opening comment never goes with the first entry",
        ),
        pytest.param(
            "[[allow]]\npath = 'a'\nrule = 'r'\n[[allow]]\npath = 'b'\nrule = 'r'\n[[allow]]\npath = 'c'\nrule = 'r'",
            ("b", "r"),
            "[[allow]]\npath = 'a'\nrule = 'r'\n[[allow]]\npath = 'c'\nrule = 'r'",
            id="no blank lines, no newline at the end",
        ),
        pytest.param(
            "# head\n\n[[allow]]\npath = 'a'\nrule = 'r'\n\n  # about b\n[[allow]]\npath = 'b'\nrule = 'r'\n",
            ("b", "r"),
            "# head\n\n[[allow]]\npath = 'a'\nrule = 'r'\n",
            id="an indented comment directly above a dropped entry goes with it",
        ),
        pytest.param(
            "[[allow]]\npath = 'a'\nrule = 'r'\n\n# section\n\n# about b\n# more\n[[allow]]\npath = 'b'\nrule = 'r'\n",
            ("b", "r"),
            "[[allow]]\npath = 'a'\nrule = 'r'\n\n# section\n",
            id="every comment line directly above goes, the one set apart stays",
        ),
        pytest.param(
            "[[allow]]\npath = 'a'\nrule = 'r'\n\n# about b\n# more\n[[allow]]\npath = 'b'\nrule = 'r'\n",
            ("a", "r"),
            "# about b\n# more\n[[allow]]\npath = 'b'\nrule = 'r'\n",
            id="the first entry without comments above: no blank line opens the file",
        ),
        pytest.param(
            "[[allow]]\npath = 'a'\nrule = 'r'\n\n[[allow]]\npath = 'b'\nrule = 'r'\n\n"
            "[[allow]]\npath = 'c'\nrule = 'r'\n",
            ("b", "r"),
            "[[allow]]\npath = 'a'\nrule = 'r'\n\n[[allow]]\npath = 'c'\nrule = 'r'\n",
            id="one blank line stays between the neighbours",
        ),
    ],
)
def test_dropping_entries_keeps_the_rest_byte_for_byte(text: str, drop: tuple[str, str], expected: str) -> None:
    entries = [AllowEntry(p, "r") for p in ("a", "b", "c") if f"path = '{p}'" in text]
    doc = allowlist_doc.Document.parse(text, entries)
    assert doc.render() == text
    doc.set(drop, None)
    assert doc.render() == expected


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        pytest.param(
            "# head\n\n[[allow]]\npath = 'b'\nrule = 'r'\n",
            ("a", "r"),
            '# head\n\n[[allow]]\npath = "a"\nrule = "r"\nuses.f = 1\n\n[[allow]]\npath = \'b\'\nrule = \'r\'\n',
            id="before the first entry",
        ),
        pytest.param(
            "# head\n[[allow]]\npath = 'b'\nrule = 'r'\n",
            ("a", "r"),
            '# head\n\n[[allow]]\npath = "a"\nrule = "r"\nuses.f = 1\n\n[[allow]]\npath = \'b\'\nrule = \'r\'\n',
            id="before the first entry, below a comment",
        ),
        pytest.param(
            "[[allow]]\npath = 'a'\nrule = 'r'\n[[allow]]\npath = 'c'\nrule = 'r'",
            ("b", "r"),
            "[[allow]]\npath = 'a'\nrule = 'r'\n\n[[allow]]\npath = \"b\"\nrule = \"r\"\nuses.f = 1\n\n"
            "[[allow]]\npath = 'c'\nrule = 'r'",
            id="between entries",
        ),
        pytest.param(
            "[[allow]]\npath = 'a'\nrule = 'r'",
            ("b", "r"),
            "[[allow]]\npath = 'a'\nrule = 'r'\n\n[[allow]]\npath = \"b\"\nrule = \"r\"\nuses.f = 1\n",
            id="after the last entry without a final newline",
        ),
        pytest.param(
            "# nothing yet",
            ("b", "r"),
            '# nothing yet\n\n[[allow]]\npath = "b"\nrule = "r"\nuses.f = 1\n',
            id="into a file without entries",
        ),
    ],
)
def test_inserting_entries_keeps_the_rest_byte_for_byte(text: str, key: tuple[str, str], expected: str) -> None:
    entries = [AllowEntry(p, "r") for p in ("a", "b", "c") if f"path = '{p}'" in text]
    doc = allowlist_doc.Document.parse(text, entries)
    doc.set(key, {"f": 1})
    assert doc.render() == expected


ENTRY = "[[allow]]\npath = 'a'\nrule = 'r'\n"


@pytest.mark.parametrize(
    ("uses", "counts", "expected"),
    [
        pytest.param(
            "uses = { f = 2, g = 1 }\n", {"f": 1, "g": 1}, "uses = { f = 1, g = 1 }\n", id="inline, counts down"
        ),
        pytest.param(
            "uses = {f = 1, g = 2}\n", {"g": 2}, "uses = {g = 2}\n", id="inline without spaces, a scope gone"
        ),
        pytest.param(
            "uses = { f = 1, g = 1, h = 1 }\n",
            {"f": 1, "g": 1},
            "uses = { f = 1, g = 1 }\n",
            id="inline, the last scope gone",
        ),
        pytest.param(
            "uses = { f = 1, g = 1 }  # why\n", {"f": 1}, "uses = { f = 1 }  # why\n", id="inline, its comment kept"
        ),
        pytest.param("uses.g = 2\nuses.f = 1\n", {"f": 1, "g": 1}, "uses.g = 1\nuses.f = 1\n", id="dotted, order kept"),
        pytest.param("uses = { f = 1 }\n", {"f": 1, "g": 1}, "uses.f = 1\nuses.g = 1\n", id="a new scope: rewritten"),
    ],
)
def test_lower_counts_keep_the_layout_a_person_chose(uses: str, counts: dict[str, int], expected: str) -> None:
    doc = allowlist_doc.Document.parse(ENTRY + uses, [AllowEntry("a", "r")])
    doc.set(("a", "r"), counts)
    assert doc.render() == ENTRY + expected


def test_an_inline_array_without_comments_gets_the_header() -> None:
    doc = allowlist_doc.Document.parse("allow = [{path = 'a', rule = 'r'}]\n", [AllowEntry("a", "r")])
    assert doc.relaid
    doc.set(("a", "r"), {"f": 1})
    assert doc.render() == allowlist_doc.HEADER + '\n[[allow]]\npath = "a"\nrule = "r"\nuses.f = 1\n'


def test_inline_array_is_rewritten_as_tables(migration: Path, ssot: Ssot) -> None:
    (migration / "app" / "jobs.py").unlink()
    (migration / "ssot-allowlist.toml").write_text(
        '# mine\nallow = [{path = "app/views.py", rule = "factory", reason = "r", expires = 2999-12-31}]\n'
    )
    code, out, err = ssot("baseline", cwd=migration)
    assert (code, err) == (0, "flake8-ssot: ssot-allowlist.toml: rewrote the entries as [[allow]] tables\n")
    assert allowlist(migration) == (
        '# mine\n\n[[allow]]\npath = "app/views.py"\nrule = "factory"\nreason = "r"\nexpires = 2999-12-31\n'
        'uses."<module>" = 1\nuses.handler = 1\n'
    )


def test_entries_of_a_file_that_cannot_be_analyzed_are_kept(migration: Path, ssot: Ssot) -> None:
    ssot("baseline", cwd=migration)
    before = allowlist(migration)
    edit(migration, "app/views.py", "def other(ctx):", "def other(ctx:")
    code, out, err = ssot("baseline", cwd=migration)
    assert (code, out) == (
        0, "flake8-ssot: ssot-allowlist.toml: nothing to tighten (3 entries, 6 grandfathered uses)\n"
    )
    assert err == (
        "flake8-ssot: app/views.py: not analyzed (syntax error at line 8: '(' was never closed); "
        "its allowlist entries were left as they are\n"
    )
    assert allowlist(migration) == before


def test_tighten_for_fix_shrinks_only_the_given_files(migration: Path, ssot: Ssot) -> None:
    ssot("baseline", cwd=migration)
    project = Project(load_config(migration / "pyproject.toml"))
    # What `fix` does: rewrite files, then tighten their entries.
    write_tree(migration, {"app/views.py": "from core import Manager\n", "app/new.py": "import legacy.factory\n"})
    edit(migration, "app/jobs.py", "factory.get_factory(), get_config()", "None, get_config()")
    outcome = baseline.tighten(project, ["app/views.py", "app/new.py"])
    assert [c.line for c in outcome.changes] == [
        "  refused    app/new.py [factory] <module> 1\n",
        "  dropped    app/views.py [factory] no uses left\n",
    ]
    assert outcome.written
    assert "app/views.py" not in allowlist(migration)
    assert 'uses."Job.run" = 1' in allowlist(migration)  # app/jobs.py was not named


def test_tighten_never_creates_the_allowlist(migration: Path) -> None:
    project = Project(load_config(migration / "pyproject.toml"), allowlist_missing_ok=True)
    outcome = baseline.tighten(project, ["app/views.py"])
    assert outcome == baseline.Outcome("ssot-allowlist.toml", True, created=False, written=False)
    assert not (migration / "ssot-allowlist.toml").exists()


# -- safety -------------------------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file(migration: Path, ssot: Ssot, monkeypatch: pytest.MonkeyPatch) -> None:
    ssot("baseline", cwd=migration)
    (migration / "app" / "jobs.py").unlink()
    before = allowlist(migration)

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    assert ssot("baseline", cwd=migration) == (
        2, "", "flake8-ssot: ssot-allowlist.toml: cannot write: No space left on device\n"
    )
    assert allowlist(migration) == before
    assert sorted(p.name for p in migration.iterdir() if p.name.startswith(".ssot")) == []


def test_a_run_killed_mid_write_leaves_the_old_file(migration: Path, ssot: Ssot) -> None:
    ssot("baseline", cwd=migration)
    (migration / "app" / "jobs.py").unlink()
    before = allowlist(migration)
    # The new text is in the temporary file, flushed, when the process dies before the rename.
    script = (
        "import os, signal, sys\n"
        "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from flake8_ssot.cli import main\n"
        "sys.exit(main(['baseline']))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=migration, capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL
    assert allowlist(migration) == before
    # The next run finishes the job.
    assert ssot("baseline", cwd=migration)[1].endswith("1 entry, 2 grandfathered uses (-4, +0)\n")


def test_waits_for_another_run_and_keeps_its_edit(migration: Path, ssot: Ssot) -> None:
    ssot("baseline", cwd=migration)
    (migration / "app" / "jobs.py").unlink()
    path = migration / "ssot-allowlist.toml"
    lock = filelock.FileLock(migration / ".flake8-ssot-cache" / "ssot-allowlist.toml.lock")
    with lock:
        exe = Path(sys.executable).parent / "flake8-ssot"
        waiting = subprocess.Popen([exe, "baseline"], cwd=migration, stdout=subprocess.PIPE, text=True)
        # Another writer, holding the lock, edits the file: the waiting run must read this version.
        views = 'path = "app/views.py"\nrule = "factory"\n'
        path.write_text(path.read_text().replace(views, views + 'reason = "mine"\n'))
    out, _ = waiting.communicate(timeout=120)
    assert waiting.returncode == 0
    assert out.endswith("1 entry, 2 grandfathered uses (-4, +0)\n")
    assert 'path = "app/views.py"\nrule = "factory"\nreason = "mine"\n' in path.read_text()


def test_a_second_run_is_blocked_while_the_lock_is_held(migration: Path, ssot: Ssot) -> None:
    ssot("baseline", cwd=migration)
    (migration / "app" / "jobs.py").unlink()
    path = migration / "ssot-allowlist.toml"
    before = path.read_bytes()
    exe = Path(sys.executable).parent / "flake8-ssot"
    with filelock.FileLock(migration / ".flake8-ssot-cache" / "ssot-allowlist.toml.lock"):
        waiting = subprocess.Popen([exe, "baseline"], cwd=migration, stdout=subprocess.PIPE, text=True)
        # Unblocked, this run takes well under a second; blocked, it neither ends nor writes.
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(timeout=4)
        assert path.read_bytes() == before
    out, _ = waiting.communicate(timeout=120)
    assert (waiting.returncode, out) == (
        0,
        "  dropped    app/jobs.py [factory] file deleted\n"
        "  dropped    app/jobs.py [settings] file deleted\n"
        "flake8-ssot: updated ssot-allowlist.toml: 1 entry, 2 grandfathered uses (-4, +0)\n",
    )
    assert path.read_bytes() != before


# Tightens the entries of one file (as `fix` does). The first run pauses between reading the
# allowlist and writing it until the second is about to take the lock: the window in which an
# unlocked writer would lose the other's edit.
TIGHTEN_ONE = """
import contextlib, sys, time
from pathlib import Path
from flake8_ssot import allowlist_doc, baseline, cli

relpath, has_read, locking = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
read, locked = allowlist_doc.read, allowlist_doc.locked

def slow_read(path, shown):
    raw = read(path, shown)
    if relpath == "app/views.py":
        has_read.write_text("")
        for _ in range(600):
            if locking.exists():
                break
            time.sleep(0.05)
        time.sleep(0.5)
    return raw

@contextlib.contextmanager
def announced(root, shown):
    if relpath != "app/views.py":
        locking.write_text("")
    with locked(root, shown):
        yield

allowlist_doc.read, allowlist_doc.locked = slow_read, announced
outcome = baseline.update(cli.find_project(None), paths=[relpath], create=False)
sys.stdout.write(baseline.describe(outcome))
"""


def test_two_runs_with_different_edits_both_survive(migration: Path, ssot: Ssot, tmp_path: Path) -> None:
    ssot("baseline", cwd=migration)
    (migration / "app" / "views.py").write_text("def handler(ctx):\n    return ctx\n")
    (migration / "app" / "jobs.py").write_text("from legacy import factory\n")
    markers = [str(tmp_path / "first-has-read"), str(tmp_path / "second-is-locking")]
    first = subprocess.Popen(
        [sys.executable, "-c", TIGHTEN_ONE, "app/views.py", *markers], cwd=migration, stdout=subprocess.PIPE, text=True,
    )
    for _ in range(1200):
        if Path(markers[0]).exists() or first.poll() is not None:
            break
        time.sleep(0.05)
    assert Path(markers[0]).exists()
    # The first run has read the allowlist and not yet written it: the second must wait for it.
    second = subprocess.run(
        [sys.executable, "-c", TIGHTEN_ONE, "app/jobs.py", *markers], cwd=migration, capture_output=True, text=True,
        timeout=120,
    )
    assert first.wait(timeout=120) == 0
    assert second.returncode == 0, second.stderr
    assert allowlist(migration) == allowlist_doc.HEADER + textwrap.dedent(
        """
        [[allow]]
        path = "app/jobs.py"
        rule = "factory"
        uses."<module>" = 1
        """
    )
    first.communicate()


# A full `baseline` run that says when it is about to take the allowlist's lock.
BASELINE_ANNOUNCED = """
import contextlib, sys
from pathlib import Path
from flake8_ssot import allowlist_doc, cli

locked = allowlist_doc.locked

@contextlib.contextmanager
def announced(root, shown):
    Path(sys.argv[1]).write_text("")
    with locked(root, shown):
        yield

allowlist_doc.locked = announced
sys.exit(cli.main(["baseline"]))
"""


@pytest.mark.parametrize(
    ("exclude", "replacement", "expected"),
    [
        pytest.param(False, None, (2, "", "flake8-ssot: ssot-allowlist.toml: cannot read: Is a directory\n"),
                     id="replaced by a directory"),
        pytest.param(
            False, "[[allow]\n",
            (2, "", "flake8-ssot: ssot-allowlist.toml: invalid TOML: Expected ']]' at the end of an array "
                    "declaration (at line 1, column 8)\n"),
            id="replaced by invalid TOML",
        ),
        # Entries for a file `exclude` skips: analyzed because the allowlist read under the lock names them.
        pytest.param(
            True, CREATED,
            (0, "flake8-ssot: ssot-allowlist.toml: nothing to tighten (3 entries, 6 grandfathered uses)\n", ""),
            id="entries added for an excluded file",
        ),
    ],
)
def test_the_allowlist_is_read_again_under_the_lock(
    migration: Path, ssot: Ssot, tmp_path: Path, exclude: bool, replacement: str | None,
    expected: tuple[int, str, str],
) -> None:
    if exclude:
        edit(migration, "pyproject.toml", "[tool.flake8-ssot]\n", '[tool.flake8-ssot]\nexclude = ["app/jobs.py"]\n')
    ssot("baseline", cwd=migration)
    path = migration / "ssot-allowlist.toml"
    marker = tmp_path / "locking"
    with filelock.FileLock(migration / ".flake8-ssot-cache" / "ssot-allowlist.toml.lock"):
        waiting = subprocess.Popen(
            [sys.executable, "-c", BASELINE_ANNOUNCED, str(marker)], cwd=migration, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )
        for _ in range(1200):
            if marker.exists() or waiting.poll() is not None:
                break
            time.sleep(0.05)
        # Another run, holding the lock, changed the file the waiting run read at its start.
        path.unlink()
        if replacement is None:
            path.mkdir()
        else:
            path.write_text(replacement)
    out, err = waiting.communicate(timeout=120)
    assert (waiting.returncode, out, err) == expected
    if replacement is not None and expected[0] == 0:
        assert allowlist(migration) == replacement


def test_gives_up_on_a_lock_held_too_long(
    migration: Path, ssot: Ssot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ssot("baseline", cwd=migration)
    monkeypatch.setattr(allowlist_doc, "LOCK_TIMEOUT", 0.2)
    lock = migration / ".flake8-ssot-cache" / "ssot-allowlist.toml.lock"
    with filelock.FileLock(lock):
        assert ssot("baseline", cwd=migration) == (
            2, "", f"flake8-ssot: ssot-allowlist.toml: still locked by another flake8-ssot run after 0s ({lock})\n"
        )


def test_cannot_create_the_lock(migration: Path, ssot: Ssot) -> None:
    (migration / ".flake8-ssot-cache").write_text("not a directory")
    assert ssot("baseline", cwd=migration) == (
        2, "", "flake8-ssot: ssot-allowlist.toml: cannot create the lock directory .flake8-ssot-cache: File exists\n"
    )


def test_cannot_take_the_lock(migration: Path, ssot: Ssot) -> None:
    (migration / ".flake8-ssot-cache" / "ssot-allowlist.toml.lock").mkdir(parents=True)
    code, out, err = ssot("baseline", cwd=migration)
    assert (code, out) == (2, "")
    assert err.startswith("flake8-ssot: ssot-allowlist.toml: cannot lock: ")


def test_no_temporary_file_is_left_when_the_disk_is_full(
    migration: Path, ssot: Ssot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", disk_full)
    assert ssot("baseline", cwd=migration) == (
        2, "", "flake8-ssot: ssot-allowlist.toml: cannot write: No space left on device\n"
    )
    assert not (migration / "ssot-allowlist.toml").exists()


def test_a_failed_write_is_reported_even_when_its_cleanup_fails(
    migration: Path, ssot: Ssot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The disk went read-only mid-write: removing the temporary file fails too, and the error
    # that counts is the first.
    def io_error(fd: int) -> None:
        raise OSError(5, "Input/output error")

    def read_only(path: str) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(os, "fsync", io_error)
    monkeypatch.setattr(os, "unlink", read_only)
    assert ssot("baseline", cwd=migration) == (
        2, "", "flake8-ssot: ssot-allowlist.toml: cannot write: Input/output error\n"
    )
    assert not (migration / "ssot-allowlist.toml").exists()


def test_an_interrupt_mid_write_removes_the_temporary_file(
    migration: Path, ssot: Ssot, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowlist_path = migration / "ssot-allowlist.toml"
    renamed = os.replace
    written: list[str] = []

    def interrupted(src: str, dst: str) -> None:
        if Path(dst) != allowlist_path:  # the cache's own files
            return renamed(src, dst)
        written.append(f"{os.path.relpath(src, migration)} {Path(src).read_text() == CREATED}")
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ssot("baseline", cwd=migration)
    # The whole text was in a temporary file next to the allowlist (a rename within one directory
    # is atomic), named as ours; it is gone, and no allowlist was written.
    assert [re.sub(r"\.\w{8}\.tmp ", ".RANDOM.tmp ", w) for w in written] == [".ssot-allowlist.toml.RANDOM.tmp True"]
    assert [p.name for p in migration.iterdir() if "ssot-allowlist" in p.name] == []


def test_keeps_the_file_mode(migration: Path, ssot: Ssot) -> None:
    ssot("baseline", cwd=migration)
    path = migration / "ssot-allowlist.toml"
    path.chmod(0o640)
    (migration / "app" / "jobs.py").unlink()
    ssot("baseline", cwd=migration)
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("umask", "mode"),
    [
        pytest.param(0o022, 0o644, id="umask 022"),
        pytest.param(0o027, 0o640, id="umask 027"),
        pytest.param(0o077, 0o600, id="umask 077"),
    ],
)
def test_a_new_allowlist_gets_the_mode_of_a_new_file(migration: Path, umask: int, mode: int) -> None:
    exe = Path(sys.executable).parent / "flake8-ssot"
    result = subprocess.run([exe, "baseline"], cwd=migration, capture_output=True, text=True, umask=umask, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    assert oct((migration / "ssot-allowlist.toml").stat().st_mode & 0o7777) == oct(mode)


def test_help_explains_every_option(migration: Path) -> None:
    result = run_cli("flake8-ssot", "baseline", "--help", cwd=migration)
    assert (result.returncode, result.stderr) == (0, "")
    # Spacing and the spelling of "-j JOBS" follow the terminal's width and Python's version.
    text = " ".join(result.stdout.split())
    for option, explanation in [
        ("--allow-growth", "Also grandfather uses that no entry covers yet (each one is printed); without it such "
                           "uses are refused and stay failures"),
        ("--dry-run", "Print the changes without writing the allowlist"),
        ("--jobs N", "Processes to run, or auto for one per core [default: auto]"),
        ("--no-cache", "Neither read nor write the cache (no cache directory is created)"),
    ]:
        assert f"{option} {explanation}" in text


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jobs(migration: Path, ssot: Ssot, jobs: str) -> None:
    assert ssot("baseline", "-j", jobs, cwd=migration) == (
        0, "flake8-ssot: created ssot-allowlist.toml: 3 entries, 6 grandfathered uses\n", ""
    )
    assert allowlist(migration) == CREATED


def test_jobs_must_be_a_number(migration: Path, ssot: Ssot, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        ssot("baseline", "--jobs", "many", cwd=migration)
    out, err = capsys.readouterr()
    assert (exit_.value.code, out) == (2, "")
    # One line, as every usage error (flake8_ssot.options).
    assert err == "flake8-ssot: argument -j/--jobs: expected a positive number of processes or 'auto', got 'many'\n"
    assert not (migration / "ssot-allowlist.toml").exists()


def test_console_script(migration: Path) -> None:
    result = run_cli("flake8-ssot", "baseline", cwd=migration)
    assert (result.returncode, result.stdout, result.stderr) == (
        0, "flake8-ssot: created ssot-allowlist.toml: 3 entries, 6 grandfathered uses\n", ""
    )
