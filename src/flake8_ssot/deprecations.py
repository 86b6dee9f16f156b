"""The configured deprecated names: matched by dotted prefix, wildcards and deprecated
arguments, and the names a stale path or an unbound name may spell (:class:`Deprecations`);
what a dotted name reaches (:class:`Resolution`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from flake8_ssot.config import split_argument
from flake8_ssot.model import Rule
from flake8_ssot.records import Record

How = Literal["direct", "reexport", "stale"]


class Resolution(Record):
    """What a dotted name reaches: ``target``, the canonical deprecated dotted name (the
    configured name plus any attributes), by ``rule``'s configured name ``entry``."""

    __slots__ = ("target", "rule", "entry", "how")

    def __init__(self, target: str, rule: Rule, entry: str, how: How) -> None:
        self.target, self.rule, self.entry, self.how = target, rule, entry, how


def distinctive(name: str) -> bool:
    """Whether a surface name is evidence of a use where nothing binds it (``create_manager``,
    ``OptionParser``); a plain word such as ``loop`` or ``read`` vanishing from a module is not."""
    core = name.strip("_")
    return "_" in core or (any(c.isupper() for c in core[1:]) and any(c.islower() for c in core))


class Deprecations:
    """The configured deprecated names, matched by dotted prefix (most specific wins).

    Besides plain dotted names, an entry may be a wildcard (``app.*.legacy``: see
    :func:`wildcard`) or a deprecated argument (``app.ws.create(user_id)``): then the callable
    is resolved like any deprecated name, but only a call passing that argument is a use.
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.entries: dict[str, Rule] = {}
        self.arguments: dict[str, list[tuple[str, str, Rule]]] = {}
        """A callable with deprecated arguments -> (parameter, the configured entry, its rule)."""
        for rule in rules:
            for entry in rule.deprecated:
                path, parameter = split_argument(entry)
                if parameter is None:
                    self.entries[entry] = rule
                else:
                    self.arguments.setdefault(path, []).append((parameter, entry, rule))
        self.argument_only: set[str] = set()
        """Callables only some of whose arguments are deprecated (keys of ``entries`` too, so that
        every path to them resolves; a use of one is a call passing such an argument)."""
        for path, found in self.arguments.items():
            if path not in self.entries:
                self.entries[path] = found[0][2]
                self.argument_only.add(path)
        self.wildcards: list[tuple[re.Pattern[str], str]] = sorted(
            ((wildcard(entry), entry) for entry in self.entries if "*" in entry),
            key=lambda item: _specificity(item[1]),
        )
        self.canonical: dict[str, str] = {}
        """Another path of a configured name (where it is defined) -> the configured name."""
        self.by_last: dict[str, list[str]] = {}
        """Names a stale path or an unbound name may spell -> the deprecated names they mean."""
        self.names: dict[str, list[str]] = {}
        """The name of each deprecated API (its last component) -> its entries: what SOT005 guards."""
        self.words: set[str] = set()
        self.modules: set[str] = set()
        """Last names of the deprecated entries known to be modules."""
        self.maybe_modules: set[str] = set()
        """Last names of the entries nothing defines (a deleted module, a module ``__getattr__``)."""
        for entry in self.entries:
            last = word(entry)
            if distinctive(last) and "*" not in entry and entry not in self.argument_only:
                self.by_last.setdefault(last, []).append(entry)
            if entry not in self.argument_only:
                self.names.setdefault(last, []).append(entry)
            self.words.add(last)
        self.identifiers = frozenset(self.words)

    def add_members(self, entry: str, names: Iterable[str]) -> None:
        """A deprecated module's surface: the names a stale path or an unbound name may spell.

        The module's own last component is no such name: a vanished path that merely ends in
        it (another package's ``support.asyncore``) is no evidence of a use.
        """
        self.modules.add(entry.rsplit(".", 1)[-1])
        self.forget_stale(entry)
        for name in names:
            members = self.by_last.setdefault(name, [])
            if f"{entry}.{name}" not in members:
                members.append(f"{entry}.{name}")
                self.names.setdefault(name, []).append(f"{entry}.{name}")
            self.words.add(name)
        self.identifiers = frozenset(self.words)

    def forget_stale(self, entry: str) -> None:
        """No stale path or unbound name can mean ``entry`` itself."""
        last = entry.rsplit(".", 1)[-1]
        meant = self.by_last.get(last, [])
        if entry in meant:
            meant.remove(entry)
            if not meant:
                del self.by_last[last]

    def add_path(self, path: str, entry: str) -> None:
        """``path`` binds the same object as the configured ``entry`` (its definition)."""
        if path not in self.entries:
            self.entries[path] = self.entries[entry]
            self.canonical[path] = entry
            if entry in self.argument_only:
                self.argument_only.add(path)
            self.words.add(path.rsplit(".", 1)[-1])
            self.identifiers = frozenset(self.words)

    def weak_words(self) -> tuple[frozenset[str], frozenset[str]]:
        """Plain words configured names end in (``Set`` of ``typing.Set``), and the other parts
        of those names: see :class:`flake8_ssot.prefilter.Prefilter`."""
        weak = frozenset(w for w in self.words if w not in self.modules and not distinctive(w))
        # The name's owner (`timezone` of `django.utils.timezone.utc`): every spelling of the
        # full path, and every import from the module, spells it; `django` would be everywhere.
        # A wildcard is no owner: `*` would be found in every file.
        anchors = frozenset(
            entry.split(".")[-2] for entry in self.entries
            if "." in entry and entry.rpartition(".")[2] in weak and entry.split(".")[-2] != "*"
        )
        return weak, anchors

    def match(self, dotted: str) -> str | None:
        """The entry ``dotted`` or its longest prefix is; a deprecation of the whole object wins
        over one of some of its arguments, whatever the lengths."""
        argument = None
        while dotted:
            if dotted in self.entries:
                if dotted not in self.argument_only:
                    return dotted
                argument = argument or dotted
            for pattern, entry in self.wildcards:
                if pattern.match(dotted):
                    return entry
            dotted = dotted.rpartition(".")[0]
        return argument

    def covers(self, entry: str, module: str) -> bool:
        """Whether ``module`` is the deprecated ``entry`` or inside it."""
        if "*" in entry:
            return any(pattern.match(module) for pattern, e in self.wildcards if e == entry) or (
                "." in module and self.covers(entry, module.rpartition(".")[0])
            )
        entry = split_argument(entry)[0]
        return module == entry or module.startswith(entry + ".")

    def resolution(self, dotted: str, entry: str, how: How) -> Resolution:
        """``dotted`` reaches ``entry`` (a key of ``entries``): named by the configured name."""
        if "*" in entry:
            return Resolution(dotted, self.entries[entry], entry, how)
        configured = self.canonical.get(entry, entry)
        return Resolution(configured + dotted[len(entry):], self.entries[entry], configured, how)

    def stale(self, name: str, module: str) -> str | None:
        """The deprecated name ``module.name`` most plausibly meant, if ``name`` spells one."""
        return _nearest(self.by_last.get(name), module)

    def named(self, name: str, module: str, *, configured: bool = False) -> str | None:
        """The deprecated API named ``name`` that ``module`` most plausibly means (see ``names``);
        with ``configured``, only a configured name, not a name of a deprecated module's surface."""
        candidates = self.names.get(name)
        if configured and candidates:
            candidates = [c for c in candidates if c in self.entries]
        return _nearest(candidates, module)


def _nearest(candidates: list[str] | None, module: str) -> str | None:
    """Of deprecated names, the one sharing the longest package path with ``module``."""
    if not candidates:
        return None
    parts = module.split(".")

    def shared(entry: str) -> int:
        n = 0
        for a, b in zip(parts, entry.split(".")):
            if a != b:
                break
            n += 1
        return n

    return max(candidates, key=shared)


def word(entry: str) -> str:
    """The name every spelling of a deprecated entry contains: its last component, or for a
    wildcard the last one that is no ``*``."""
    return next((part for part in reversed(entry.split(".")) if part != "*"), entry)


def wildcard(entry: str) -> re.Pattern[str]:
    """A dotted name with ``*`` components as a regex over dotted names.

    As flake8-tidy-imports' banned-modules: ``*`` stands for any number of components, none
    included (``app.*.legacy`` matches ``app.legacy`` and ``app.v1.api.legacy``), but a
    leading one for at least one (``*.compat`` matches ``pkg.compat``, not ``compat``).
    """
    regex = ""
    for i, part in enumerate(entry.split(".")):
        if part == "*":
            regex += r"[^.]+(?:\.[^.]+)*" if i == 0 else r"(?:\.[^.]+)*"
        else:
            regex += ("" if i == 0 else r"\.") + re.escape(part)
    return re.compile(regex + r"\Z")


def _specificity(entry: str) -> tuple[int, int, int]:
    """Sort key of wildcards matching the same name: a pattern without a trailing ``*`` first
    (as flake8-tidy-imports), then the one naming more components, then the longer."""
    parts = entry.split(".")
    return (parts[-1] == "*", -sum(part != "*" for part in parts), -len(entry))
