"""The project's own style for new code: the line length its linters enforce.

Read from flake8's configuration (``max-line-length`` in ``[flake8]`` of ``setup.cfg``,
``tox.ini`` or ``.flake8``) and ruff's (``line-length`` in ``.ruff.toml``, ``ruff.toml`` or
``[tool.ruff]`` of ``pyproject.toml``) at the project root; the smallest wins. None when the
project configures neither: then no line is too long.
"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def line_length(root: Path) -> int | None:
    found: list[int] = []
    for name in ("setup.cfg", "tox.ini", ".flake8"):
        parser = configparser.RawConfigParser()
        try:
            parser.read(root / name, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
        for key in ("max-line-length", "max_line_length"):
            if parser.has_option("flake8", key):
                value = _positive(parser.get("flake8", key).strip())
                if value is not None:
                    found.append(value)
    for name, table in ((".ruff.toml", ()), ("ruff.toml", ()), ("pyproject.toml", ("tool", "ruff"))):
        try:
            data: object = tomllib.loads((root / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        for key in table:
            data = data.get(key) if isinstance(data, dict) else None
        if not isinstance(data, dict):
            continue
        value = data.get("line-length")
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            found.append(value)
        break  # ruff reads the first of these files that configures it
    return min(found) if found else None


def _positive(text: str) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value > 0 else None
