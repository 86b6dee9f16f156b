"""The project's own deprecation helpers and decorators, told by what they do, not their names.

A *helper* is a function that warns with a deprecation category about its caller: its message
shows its parameters (``f"{module}.{attribute} is deprecated"``) or it warns with ``stacklevel``
3 or more; so is a function that passes its own parameters on to a helper. Each call of a
helper declares the API the call sits in. A *decorator* is a function whose nested def or class
warns with a deprecation category (or calls a helper), or that calls such a decorator: each
application declares what it decorates. Each file's scan (:mod:`flake8_ssot.declarations`)
records the facts this module joins across the project: the warnings and helper calls of every
function (``Facts``), each call of a possible helper (``Site``), each application of a possible
decorator (``Applied``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

Facts = dict[str, Any]
"""``p``/``k``: positional/keyword-only parameters; ``w``: [category, readings of its message
(one per branch, the fullest first), about the caller, past the caller's frame]
of its own warnings; ``c``: [callee, args, kwargs, passes its parameters on] of its calls of
possible helpers; ``n``: ["w", category, readings, def] or ["c", callee, [], def] inside its nested defs."""
Site = list[Any]
"""[callee, api, kind, line, args, kwargs, candidates, declares nothing (passes its function's
parameters on, or is made under a condition on the call), function, replacement]."""
Applied = list[Any]
"""[decorator, decorated, kind, line, args, kwargs] (no args for a bare ``@decorator``)."""
Found = tuple[str, str, int, str, str, str | None, dict[str, list[str]]]
"""(name, kind, line, category, message, replacement as spelled or None, candidates by spelling)."""

_MAX_ROUNDS = 16
_INITS = ("__init__", "__new__", "__init_subclass__")


def empty() -> dict[str, Any]:
    """What a file that declares nothing shows."""
    return {"d": [], "f": {}, "s": [], "a": []}


class Helper:
    """A helper or decorator: the category it warns with and its messages, over its parameters."""

    __slots__ = ("category", "templates", "params")

    def __init__(self, category: str, templates: list[tuple[str, str]], params: list[str]) -> None:
        self.category, self.templates, self.params = category, templates, params

    def bind(self, args: list[str | None], kwargs: dict[str, str]) -> dict[str, str]:
        """What each parameter is in one call (as the call's text shows it)."""
        env = {p: a for p, a in zip(self.params, args) if a is not None}
        env.update((k, v) for k, v in kwargs.items() if k in self.params)
        return env

    def message(self, args: list[str | None], kwargs: dict[str, str], prefer: str = "") -> str:
        """The message one call shows: of the readings (``prefer``'s def's first), the first
        whose parameters the call gives a value (``use {canonical_name}`` only when one is passed)."""
        env = self.bind(args, kwargs)
        readings = [t for t, where in self.templates if where == prefer] or [t for t, _ in self.templates]
        given = {p for p in self.params if env.get(p)}
        template = next((t for t in readings if all(
            p in given for p in re.findall(r"\{([A-Za-z_]\w*)\}", t) if p in self.params
        )), readings[0])
        return re.sub(r"\{([A-Za-z_]\w*)\}", lambda m: env.get(m.group(1), m.group(0)), template)


class Warners:
    """The helpers and decorators of a project, from every file's facts."""

    def __init__(self, files: Iterable[dict[str, Any]], is_deprecation: Callable[[str], bool],
                 canonical: Callable[[str], str]) -> None:
        facts: dict[str, Facts] = {}
        called: set[str] = set()
        for data in files:
            facts.update(data["f"])
            called.update(site[0] for site in data["s"])
        self.canonical = canonical
        self.helpers: dict[str, Helper] = {}
        self.decorators: dict[str, Helper] = {}
        self.candidates: set[str] = set()
        """Functions whose warning shows their parameters: helpers once something calls them."""
        called = {canonical(c) for c in called} | {
            canonical(c[0]) for f in facts.values() for c in [*f["c"], *(n[1:] for n in f["n"] if n[0] == "c")]
        }
        for name, f in facts.items():
            about_caller = [(c, ts, deep) for c, ts, caller, deep in f["w"] if caller and is_deprecation(c)]
            if not about_caller:
                continue
            self.candidates.add(name)
            # `def f(name): warn(f"{name} is deprecated")` with no caller in sight is an API of
            # its own; a private one, one warning past its caller's frame or one called is a helper.
            category, readings, deep = about_caller[0]
            if deep or name.rpartition(".")[2].startswith("_") or name in called:
                self.helpers[name] = Helper(category, [(t, "") for t in readings], [*f["p"], *f["k"]])
        self._fixpoint(facts, self.helpers, lambda f: [(c[0], c) for c in f["c"] if c[3]], via_message=True)
        for name, f in facts.items():
            found: list[tuple[str, str]] = []
            category = ""
            for what, target, readings, where in f["n"]:
                helper = self.helpers.get(canonical(target)) if what == "c" else None
                if what == "w" and is_deprecation(target):
                    category = category or target
                    found += [(t, where) for t in readings]
                elif helper is not None:
                    category = category or helper.category
                    found += [(t, where) for t, _ in helper.templates]
            if found:
                self.decorators[name] = Helper(category, found, [*f["p"], *f["k"]])
        self._fixpoint(facts, self.decorators, lambda f: [(c[0], c) for c in f["c"]], via_message=False)

    def _fixpoint(self, facts: dict[str, Facts], known: dict[str, Helper],
                  calls: Callable[[Facts], list[tuple[str, list[Any]]]], *, via_message: bool) -> None:
        """Functions that call a known one (within the project, transitively) join it."""
        for _ in range(_MAX_ROUNDS):
            added = False
            for name, f in facts.items():
                if name in known:
                    continue
                reached = [(known[c], args, kwargs) for callee, (_, args, kwargs, _) in calls(f)
                           for c in [self.canonical(callee)] if c in known]
                if reached:
                    # A decorator choosing among several (a class's, a function's) shows them all.
                    templates = [(found.message(args, kwargs), "") for found, args, kwargs in reached[:1]] \
                        if via_message else [t for found, _, _ in reached for t in found.templates]
                    known[name] = Helper(reached[0][0].category, templates, [*f["p"], *f["k"]])
                    added = True
            if not added:
                return

    def words(self) -> set[str]:
        """The names a file must spell to call a helper or apply a decorator."""
        return {name.rpartition(".")[2] for name in [*self.helpers, *self.decorators, *self.candidates]}

    def __contains__(self, name: str) -> bool:
        return name in self.helpers or name in self.decorators

    def declared(self, data: dict[str, Any]) -> Iterator[Found]:
        """What one file declares through helper calls and decorator applications."""
        for callee, api, kind, line, args, kwargs, candidates, passes_on, function, named in data["s"]:
            helper = self.helpers.get(self.canonical(callee))
            if helper is None or passes_on or function in self.helpers:
                continue  # a helper passing on its own caller's words declares nothing itself
            yield api, kind, line, helper.category, helper.message(args, kwargs), named, candidates
        for callee, name, kind, line, args, kwargs in data["a"]:
            decorator = self.decorators.get(self.canonical(callee))
            if decorator is not None:
                yield _application(decorator, name, kind, line, args, kwargs)


def _application(decorator: Helper, name: str, kind: str, line: int, args: list[str | None],
                 kwargs: dict[str, str]) -> Found:
    """What one application of a decorator declares: the decorated API, or one keyword of it
    (``old_arg_name="quantile"``), or its positional use (``allowed_args=[...]``)."""
    env = decorator.bind(args, kwargs)
    old = next((v for p, v in env.items() if "old" in p and v.isidentifier()), None)
    if old is not None:
        new = next((v for p, v in env.items() if "new" in p and v.isidentifier()), None)
        message = f"the {old!r} keyword is deprecated" + (f", use {new!r} instead" if new else "")
        return f"{name}({old})", "argument", line, decorator.category, message, "", {}
    allowing = next((p for p in decorator.params if "allow" in p), None)
    if allowing is not None:
        # `allowed_args=["self", "path"]`; without it, the decorator allows what has no default.
        allowed = env.get(allowing, "")
        shown = allowed[1:-1] if allowed.startswith("{") and allowed.endswith("}") else allowed
        message = (f"passing arguments other than {shown} by position is deprecated" if shown
                   else "passing arguments by position is deprecated")
        return f"{name}(*)", "positional", line, decorator.category, message, "", {}
    short = name.rpartition(".")[2]
    prefer = "__init__" if kind == "class" else ""
    where = next((w for _, w in decorator.templates if (w in _INITS) == (kind == "class")), prefer)
    message = re.sub(r"\{[A-Za-z_]\w*\.__(?:qual)?name__\}", short, decorator.message([], {}, where))
    return name, kind, line, decorator.category, message, None, {}
