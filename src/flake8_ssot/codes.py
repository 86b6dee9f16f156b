"""The one table of codes and messages that the visitor, the docs site and the tests all read."""

from __future__ import annotations

from typing import Final

from flake8_ssot.records import Record


class Code(Record):
    """``title``: short name, used as the SARIF rule name and in the heading of the code's page
    (docs/codes/). ``template``: the message after the code; ``{target}``/``{detail}`` are
    filled in by the engine. ``help``: one sentence on why it matters and what to do."""

    # A plain class: the plugin imports this module in every editor run (see flake8_ssot.records).
    __slots__ = ("code", "title", "template", "help")

    def __init__(self, code: str, title: str, template: str, help: str) -> None:
        self.code, self.title, self.template, self.help = code, title, template, help


USE_CODES: Final = ("SOT001", "SOT002", "SOT003", "SOT004", "SOT005")

CODES: Final[dict[str, Code]] = {
    c.code: c
    for c in (
        Code(
            "SOT001",
            "deprecated-import",
            "import of deprecated {target}",
            "Import the replacement instead; an import is where a migration starts.",
        ),
        Code(
            "SOT002",
            "deprecated-call",
            "call of deprecated {target}",
            "Call the replacement; every call site is a line that must change.",
        ),
        Code(
            "SOT003",
            "deprecated-reference",
            "reference to deprecated {target}",
            "Pass, annotate, subclass or compare against the replacement instead.",
        ),
        Code(
            "SOT004",
            "deprecated-string-target",
            "string names deprecated {target}",
            "Point mock/monkeypatch/importlib/getattr strings at the replacement.",
        ),
        Code(
            "SOT005",
            "deprecated-name-rebound",
            "{name} rebound to {spelled}; name it for what it is",
            "A deprecated API's name on another object hides a finished migration and a changed behaviour.",
        ),
        Code(
            "SOT900",
            "configuration-error",
            "configuration error: {detail}",
            "Fix the configuration file named in the message.",
        ),
        Code(
            "SOT901",
            "allowlist-can-tighten",
            "allowlist entry can be tightened: {detail}; run flake8-ssot baseline",
            "Grandfathered uses went away; shrink the allowlist so they cannot come back.",
        ),
        Code(
            "SOT902",
            "allowlist-entry-expired",
            "allowlist entry expired on {date}: {detail}",
            "The grace period is over: migrate the uses or extend `expires` deliberately.",
        ),
        Code(
            "SOT903",
            "unused-noqa",
            "unused noqa: no {detail} use on this line",
            "Remove the stale `# noqa` so it cannot hide a future use.",
        ),
        Code(
            "SOT999",
            "not-analyzed",
            "file not analyzed: {detail}",
            "The file could not be checked; uses in it are unknown until it can be.",
        ),
    )
}

DOCS_URL: Final = "https://github.com/flake8-ssot/flake8-ssot/blob/main/docs/codes/{code}.md"
"""The page of each code (docs/codes/), linked from the language server's diagnostics."""


def docs_url(code: str) -> str:
    return DOCS_URL.format(code=code)


# How a use reached the deprecated target, appended to the message.
VIA: Final[dict[str, str]] = {
    "direct": "",
    "reexport": " (as {spelled})",
    "stale": " (as {spelled}, which no longer exists)",
    "result": " (via {spelled}, a value it returned)",
    "result-method": " (via {spelled}, called on a value it returned)",
    "instance": " (via {spelled})",
    "unbound": " (as {spelled}, which nothing binds here)",
    "star": " (via star import of {spelled})",
    "position": " (given by position)",
}


def use_message(
    code: str,
    target: str,
    *,
    via: str = "direct",
    spelled: str = "",
    replacement: str | None = None,
    advice: str | None = None,
) -> str:
    """Message text (without the code) for a use of a deprecated target, on one line."""
    if code == "SOT005":
        # The object bound is what the user wants (no replacement to offer): only its name is wrong.
        name = next((part for part in reversed(target.split(".")) if part != "*"), target)
        return CODES[code].template.format(name=name, spelled=spelled)
    if advice is not None and ("\n" in advice or "\r" in advice):
        # A multi-line TOML string: every consumer of flake8's format reads one line per finding.
        advice = " ".join(advice.split())
    text = CODES[code].template.format(target=target) + VIA[via].format(spelled=spelled)
    if replacement:
        text += f"; use {replacement}"
        if advice:
            text += f" ({advice})"
    elif advice:
        text += f"; {advice}"
    return text


def bookkeeping_message(code: str, **fields: str) -> str:
    return CODES[code].template.format(**fields)
