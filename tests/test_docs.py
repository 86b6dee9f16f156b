"""The documentation keeps up with the code: every code has its page, every configuration key and
CLI flag is documented, and every relative link in the README and the docs resolves.

`mkdocs build --strict` (in .ci/run) checks the site's links and anchors as MkDocs renders them;
these tests check the same from the sources, the README included, which the site does not hold.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from pathlib import Path

import pytest

from flake8_ssot import allowlist, config
from flake8_ssot.cli import build_parser
from flake8_ssot.codes import CODES

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
SECTIONS = (
    "What it does", "Why is this bad?", "Example", "Use instead", "Options", "Fix safety", "Known limits",
)


def headings(text: str, level: int) -> list[str]:
    return re.findall(rf"^{'#' * level} (.+)$", without_code(text), re.MULTILINE)


def without_code(text: str) -> str:
    """Markdown outside fenced code blocks (a `# comment` in a shell block is no heading)."""
    return re.sub(r"^(```+|~~~+).*?^\1[ \t]*$", "", text, flags=re.MULTILINE | re.DOTALL)


# -- codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(CODES), ids=list(CODES))
def test_every_code_has_a_page_in_ruffs_shape(code: str) -> None:
    page = DOCS / "codes" / f"{code}.md"
    assert page.is_file(), f"{code} is in src/flake8_ssot/codes.py but has no page {page.relative_to(ROOT)}"
    text = page.read_text(encoding="utf-8")
    assert headings(text, 1) == [f"{code}: {CODES[code].title}"]
    assert headings(text, 2) == list(SECTIONS)
    # The message as the code table spells it, up to its first field.
    assert CODES[code].template.split("{")[0] in text


def test_no_page_for_a_code_that_does_not_exist() -> None:
    pages = {p.stem for p in (DOCS / "codes").glob("*.md")} - {"index"}
    assert pages == set(CODES)


# -- configuration ----------------------------------------------------------------------------

# Section of docs/configuration.md -> the keys the parser accepts there.
CONFIG_SECTIONS = {
    "`[tool.flake8-ssot]`": config.TOP_KEYS,
    "`[[tool.flake8-ssot.rules]]`": config.RULE_KEYS,
    "`[[tool.flake8-ssot.rules.fix]]`": config.FIX_KEYS,
    "The allowlist: `[[allow]]`": allowlist.ENTRY_KEYS,
    "In flake8's own config (small projects)": frozenset(f"ssot-{key}" for key in config.INI_KEYS),
}


def reference_rows(section: str) -> dict[str, list[str]]:
    """The rows of the key table under ``## section`` of docs/configuration.md: key -> other cells."""
    text = without_code((DOCS / "configuration.md").read_text(encoding="utf-8"))
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    body = dict(zip(parts[1::2], parts[2::2]))[section]
    rows: dict[str, list[str]] = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        key = re.fullmatch(r"`([a-z-]+)`", cells[0]) if line.startswith("|") else None
        if key:
            rows[key.group(1)] = cells[1:]
    return rows


@pytest.mark.parametrize("section", list(CONFIG_SECTIONS))
def test_every_configuration_key_is_documented(section: str) -> None:
    rows = reference_rows(section)
    assert set(rows) == set(CONFIG_SECTIONS[section]), (
        f"docs/configuration.md, {section}: undocumented {sorted(set(CONFIG_SECTIONS[section]) - set(rows))}, "
        f"not accepted by the parser {sorted(set(rows) - set(CONFIG_SECTIONS[section]))}"
    )
    for key, cells in rows.items():
        assert len(cells) == 4 and all(cells), f"{section} {key}: type, default, example and meaning, each given"


# -- CLI --------------------------------------------------------------------------------------


def parsers() -> dict[str, argparse.ArgumentParser]:
    """The top-level parser ("") and each verb's."""
    parser = build_parser()
    verbs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"": parser, **verbs.choices}


@pytest.mark.parametrize(
    ("verb", "flag"),
    [
        pytest.param(verb, flag, id=f"{verb or 'flake8-ssot'} {flag}")
        for verb, parser in parsers().items()
        for action in parser._actions
        for flag in action.option_strings
    ],
)
def test_every_cli_flag_is_documented(verb: str, flag: str) -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    if verb:
        # The verb's section: the level-2 heading naming it, with its subsections (options, ...).
        sections = re.split(r"^(?=## )", text, flags=re.MULTILINE)
        text = next((s for s in sections if re.search(rf"\b{verb}\b", s.partition("\n")[0])), "")
        assert text, f"docs/cli.md has no section for {verb}"
    if flag in ("-h", "--help") and verb:
        return  # every verb has it; documented once, at the top
    assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text), f"docs/cli.md does not document {verb} {flag}"


# -- links ------------------------------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def slugs(path: Path) -> set[str]:
    """The anchors of a Markdown file's headings, as MkDocs (Python-Markdown's toc) and GitHub make them."""
    found = set()
    for level in range(1, 7):
        for heading in headings(path.read_text(encoding="utf-8"), level):
            text = re.sub(r"\s*\{[^}]*\}\s*$", "", heading).replace("`", "")
            ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
            found.add(re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_text).strip().lower()))
            found.add(re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-"))
    return found


def relative_links() -> list[tuple[Path, str]]:
    files = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *sorted(DOCS.rglob("*.md"))]
    return [
        (path, target)
        for path in files
        for target in LINK.findall(without_code(path.read_text(encoding="utf-8")))
        if not re.match(r"[a-z]+:", target)
    ]


@pytest.mark.parametrize(
    ("source", "target"),
    [pytest.param(s, t, id=f"{s.relative_to(ROOT)} -> {t}") for s, t in relative_links()],
)
def test_relative_link_resolves(source: Path, target: str) -> None:
    file, _, anchor = target.partition("#")
    path = (source.parent / file).resolve() if file else source
    assert path.exists(), f"{source.relative_to(ROOT)}: {target}: no such file"
    if source.is_relative_to(DOCS):
        assert path.is_relative_to(DOCS), f"{target}: the site holds only docs/; link the repository's URL"
    if anchor:
        assert anchor in slugs(path), f"{source.relative_to(ROOT)}: {target}: no such heading"


def test_readme_is_a_first_read() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 350


# The README's first screen: users and CI copy these two lines as they are.
SETUP = "\n".join([
    "```sh",
    "# Install and run on the bundled example (a WebSocket-factory migration):",
    "python3 -m venv .venv && .venv/bin/pip install -e . && cd examples/websocket_migration"
    " && ../../.venv/bin/flake8 --select SOT .",
    "",
    "# Install and run the tests:",
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]'"
    " && .venv/bin/pytest -n auto --cov --cov-report=term-missing",
    "```",
    "",
])


def test_readme_keeps_its_two_setup_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```")
    assert readme[start:readme.index("```\n", start + 3) + 4] == SETUP
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pytest" -n auto --cov --cov-report=term-missing\n' in ci
