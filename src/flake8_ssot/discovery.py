"""Where the configuration is: the nearest file above a directory that configures flake8-ssot.

The flake8 plugin asks this for every run, in projects that never configured flake8-ssot
too, so it imports nothing the answer does not need (parsing is :mod:`flake8_ssot.config`'s).
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

INI_FILES = ("setup.cfg", "tox.ini", ".flake8")
_INI_OPTION = re.compile(rb"^[ \t]*ssot[-_]", re.MULTILINE)


def find_config(start: Path) -> Path | None:
    """Nearest pyproject.toml with our table, or flake8 INI file with ``ssot-rules``, upward."""
    # The plugin asks for every directory flake8 walks: each answer is its own directory's
    # configuration or its parent's, so a new directory costs one look inside it.
    key = str(start)
    try:
        return _found[key]
    except KeyError:
        pass
    found = _config_in(start)
    if found is None and start.parent != start:
        found = find_config(start.parent)
    _found[key] = found
    return found


_found: dict[str, Path | None] = {}


def config_in(directory: Path) -> Path | None:
    """The configuration file in ``directory`` itself, if it holds one."""
    return _config_in(directory)


def forget() -> None:
    """Forget which directories hold a configuration, for a process that lints more than once.

    VS Code's flake8 extension runs flake8 inside its long-lived server: a configuration
    created or removed since the last run must count.
    """
    _config_in.cache_clear()
    _found.clear()


@functools.lru_cache(maxsize=1024)
def _config_in(directory: Path) -> Path | None:
    pyproject = directory / "pyproject.toml"
    if _mentions(pyproject, b"flake8-ssot") and _has_toml_table(pyproject):
        return pyproject
    for name in INI_FILES:
        candidate = directory / name
        if _mentions(candidate, b"ssot") and (ini_section(candidate) is not None or _broken_ini(candidate)):
            return candidate
    return None


def _mentions(path: Path, needle: bytes) -> bool:
    try:
        return needle in path.read_bytes()
    except OSError:
        return False


def _broken_ini(path: Path) -> bool:
    """An INI file with ``ssot-*`` option lines that cannot be read is still ours: load_config says why.

    flake8 skips such a file with a log message only; taking it for no configuration would
    silently turn every check off.
    """
    import configparser  # only for an INI file that mentions us

    try:
        data = path.read_bytes()
        if _INI_OPTION.search(data) is None:
            return False
        configparser.RawConfigParser().read_string(data.decode("utf-8"), source=str(path))
    except OSError:
        return False
    except (UnicodeDecodeError, configparser.Error):
        return True
    return False


def _has_toml_table(path: Path) -> bool:
    if sys.version_info >= (3, 11):
        import tomllib  # only for a pyproject.toml that mentions us
    else:  # pragma: no cover
        import tomli as tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # A broken file that mentions us is still ours: load_config reports why.
        return True
    return isinstance(data.get("tool"), dict) and "flake8-ssot" in data["tool"]


def ini_section(path: Path) -> dict[str, tuple[str, int]] | None:
    """``ssot-*`` options of the ``[flake8]`` section, with their line numbers."""
    import configparser

    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error:
        return None
    if not parser.has_section("flake8"):
        return None
    options = {
        key.replace("_", "-")[len("ssot-"):]: value
        for key, value in parser.items("flake8")
        if key.replace("_", "-").startswith("ssot-")
    }
    if not options.keys() & {"rules", "config", "discover"}:
        return None
    lines = text.splitlines()
    return {key: (value, _line_of(lines, key)) for key, value in options.items()}


def _line_of(lines: list[str], key: str) -> int:
    pattern = re.compile(rf"\s*ssot[-_]{re.escape(key).replace('-', '[-_]')}\s*[=:]", re.I)
    return next((n for n, line in enumerate(lines, 1) if pattern.match(line)), 0)
