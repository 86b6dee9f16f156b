"""Read the allowlist and decide which uses it grandfathers.

Entries count uses per enclosing function (scope), not per line, so edits elsewhere in a
file never turn a grandfathered use into a new one, while one more use anywhere is new.
"""

from __future__ import annotations

import datetime
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from flake8_ssot.codes import bookkeeping_message
from flake8_ssot.model import AllowEntry, AllowlistError, Config, Finding
from flake8_ssot.records import Record, replace

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ENTRY_KEYS = frozenset({"path", "rule", "reason", "expires", "uses"})


class Allowlist(Record):
    # A plain class: the plugin imports this module in every editor run (see flake8_ssot.records).
    __slots__ = ("path", "entries", "_by_path")

    def __init__(self, path: Path, entries: tuple[AllowEntry, ...]) -> None:
        self.path, self.entries = path, entries
        self._by_path: dict[str, dict[str, AllowEntry]] | None = None

    def _fields(self) -> tuple[Any, ...]:
        return self.path, self.entries

    def __repr__(self) -> str:
        return f"Allowlist(path={self.path!r}, entries={self.entries!r})"

    @property
    def by_path(self) -> Mapping[str, Mapping[str, AllowEntry]]:
        if self._by_path is None:
            table: dict[str, dict[str, AllowEntry]] = {}
            for entry in self.entries:
                table.setdefault(entry.path, {})[entry.rule] = entry
            self._by_path = table
        return self._by_path

    def for_path(self, relpath: str) -> Mapping[str, AllowEntry]:
        return self.by_path.get(relpath, {})


DEFAULT_NAME = "ssot-allowlist.toml"
"""Read from the project root when the configuration names no ``allowlist``."""


def location(config: Config) -> tuple[Path, bool]:
    """The allowlist file, and whether the configuration names it (a named file must exist)."""
    if config.allowlist is not None:
        return config.allowlist, True
    return config.root / DEFAULT_NAME, False


def load_allowlist(config: Config, *, missing_ok: bool) -> Allowlist | None:
    path, named = location(config)
    shown = shown_path(path, config.root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if missing_ok or not named:
            return None
        raise AllowlistError(shown, "file not found; create it with `flake8-ssot baseline`") from None
    except OSError as e:
        raise AllowlistError(shown, f"cannot read: {e.strerror or e}") from None
    return Allowlist(path, parse_text(raw, config, shown))


def parse_text(raw: bytes, config: Config, shown: str) -> tuple[AllowEntry, ...]:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise AllowlistError(shown, "not valid UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise AllowlistError(shown, f"invalid TOML: {e}") from None
    return parse_entries(data, config, shown)


def parse_entries(data: Mapping[str, Any], config: Config, shown: str) -> tuple[AllowEntry, ...]:
    for key in data:
        if key != "allow":
            raise AllowlistError(shown, "unknown key (expected [[allow]] entries)", key=key)
    raw_entries = data.get("allow", [])
    if not isinstance(raw_entries, list):
        raise AllowlistError(shown, "expected an array of tables ([[allow]])", key="allow")
    rules = {r.name for r in config.rules}
    seen: dict[tuple[str, str], int] = {}
    entries = []
    for i, raw in enumerate(raw_entries):
        where = f"allow[{i}]"
        if not isinstance(raw, dict):
            raise AllowlistError(shown, "expected a table", key=where)
        for key in raw:
            if key not in ENTRY_KEYS:
                raise AllowlistError(
                    shown, f"unknown key (expected one of: {', '.join(sorted(ENTRY_KEYS))})", key=f"{where}.{key}"
                )
        path = raw.get("path")
        if not isinstance(path, str) or not path:
            raise AllowlistError(shown, "expected a POSIX path relative to the project root", key=f"{where}.path")
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or "\\" in path or path != pure.as_posix():
            raise AllowlistError(
                shown, f"{path!r} must be a normalized POSIX path inside the project root", key=f"{where}.path"
            )
        rule = raw.get("rule")
        if not isinstance(rule, str) or rule not in rules:
            known = ", ".join(sorted(rules)) or "none configured"
            raise AllowlistError(shown, f"unknown rule {rule!r} (rules: {known})", key=f"{where}.rule")
        if (path, rule) in seen:
            raise AllowlistError(
                shown, f"duplicate entry for {path} and rule {rule} (also allow[{seen[path, rule]}])", key=where
            )
        seen[path, rule] = i
        reason = raw.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise AllowlistError(shown, "expected a string", key=f"{where}.reason")
        expires = raw.get("expires")
        if expires is not None and (
            not isinstance(expires, datetime.date) or isinstance(expires, datetime.datetime)
        ):
            raise AllowlistError(shown, "expected a TOML date such as 2026-03-01", key=f"{where}.expires")
        uses = raw.get("uses", {})
        if not isinstance(uses, dict):
            raise AllowlistError(shown, "expected a table of scope = count", key=f"{where}.uses")
        for scope, count in uses.items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise AllowlistError(shown, "expected a positive integer", key=f"{where}.uses.{scope!r}")
        entries.append(
            AllowEntry(path, rule, tuple(sorted(uses.items())), reason, expires)
        )
    return tuple(entries)


def shown_path(path: Path, root: Path) -> str:
    """How messages name the allowlist: relative to the project root (configuration keeps it inside)."""
    return path.relative_to(root).as_posix()


def apply(
    relpath: str,
    uses: Iterable[Finding],
    allowlist: Allowlist | None,
    today: datetime.date,
) -> tuple[list[Finding], list[Finding]]:
    """Mark uses ``allowed``/``expired`` and produce the file's SOT901/SOT902 notes.

    Uses already marked ``noqa`` neither consume nor need an entry.
    """
    entries = allowlist.for_path(relpath) if allowlist else {}
    if not entries:
        # The plugin's per-file cost for the allowlist: this one dict lookup.
        return list(uses), []
    marked: list[Finding] = []
    found: Counter[tuple[str, str]] = Counter()
    for use in uses:
        entry = entries.get(use.rule)
        if use.status == "noqa" or entry is None:
            marked.append(use)
            continue
        if entry.expires is not None and entry.expires < today:
            marked.append(replace(use, status="expired"))
            continue
        found[use.rule, use.scope] += 1
        allowed = entry.allowed(use.scope)
        fits = allowed is None or found[use.rule, use.scope] <= allowed
        marked.append(replace(use, status="allowed") if fits else use)
    notes = []
    for rule, entry in sorted(entries.items()):
        if entry.expires is not None and entry.expires < today:
            detail = f"rule {rule}" + (f" ({entry.reason})" if entry.reason else "")
            notes.append(_note(relpath, "SOT902", rule, date=entry.expires.isoformat(), detail=detail))
            continue
        if not entry.uses:
            if not any(r == rule for r, _ in found):
                notes.append(_note(relpath, "SOT901", rule, detail=f"rule {rule} has no uses left"))
            continue
        slack = [
            f"{scope} {count} allowed, {found[rule, scope]} left"
            for scope, count in entry.uses
            if found[rule, scope] < count
        ]
        if slack:
            notes.append(_note(relpath, "SOT901", rule, detail=f"rule {rule} in " + "; ".join(slack)))
    return marked, notes


def _note(relpath: str, code: str, rule: str, **fields: str) -> Finding:
    return Finding(relpath, 1, 0, code, bookkeeping_message(code, **fields), rule=rule)
