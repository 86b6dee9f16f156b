"""MkDocs hooks: the codes' navigation and table come from the one codes table.

Adding a code is adding it to ``src/flake8_ssot/codes.py`` and writing ``docs/codes/<CODE>.md``
(in the shape of the others): the navigation and the table of ``docs/codes/index.md`` follow,
and ``mkdocs build --strict`` fails while the page is missing.
"""

from __future__ import annotations

from typing import Any

from flake8_ssot.codes import CODES

MARKER = "<!-- codes-table: generated from src/flake8_ssot/codes.py when the site is built -->"


def code_pages() -> list[dict[str, str]]:
    return [{f"{code.code} {code.title}": f"codes/{code.code}.md"} for code in CODES.values()]


def codes_table() -> str:
    rows = ["| code | name | message | what to do |", "|---|---|---|---|"]
    for code in CODES.values():
        message = code.template.replace("{", "<").replace("}", ">")
        rows.append(f"| [{code.code}]({code.code}.md) | {code.title} | `{message}` | {code.help} |")
    return "\n".join(rows) + "\n"


def on_config(config: Any) -> Any:
    for entry in config["nav"]:
        if isinstance(entry, dict) and "Codes" in entry:
            entry["Codes"] = [{"Overview": "codes/index.md"}, *code_pages()]
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri == "codes/index.md":
        if MARKER not in markdown:
            raise ValueError(f"docs/codes/index.md: the marker {MARKER!r} is missing")
        return markdown.replace(MARKER, codes_table())
    return markdown
