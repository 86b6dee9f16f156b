"""What the language server's code actions compute on a buffer, without the protocol: the text
`fix` writes for it (whole, or for one use), a ``# noqa`` added to a use's line, and an
allowlist entry grown to cover the buffer's uses of a rule."""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flake8_ssot import allowlist, allowlist_doc, baseline, records
from flake8_ssot.engine import FileReport, Project
from flake8_ssot.model import Finding
from flake8_ssot.noqa import NOQA_INLINE, NoqaMap, logical_lines

if TYPE_CHECKING:
    from flake8_ssot.rewrite import Templates

_templates: weakref.WeakKeyDictionary[Project, Templates] = weakref.WeakKeyDictionary()


def rewritten(project: Project, report: FileReport, text: str, only: Finding | None = None) -> str | None:
    """The text `fix` writes for the buffer ``text``, whose findings ``report`` holds; with
    ``only``, the text it writes when it may rewrite only the uses of that use's deprecated
    name (the others stand as under a ``# noqa``: an import and the uses it binds change
    together, or a moved name's import would no longer bind what its uses read). None when it
    rewrites nothing, or not ``only``.

    The one place the server reaches into `fix`: its per-file plan and verification
    (:func:`flake8_ssot.fix.fix_file`) and the re-exports it settles, for this one file.
    Raises ImportError without LibCST and ConfigError for a fix template naming nothing.
    """
    from flake8_ssot import fix, rewrite

    project.build_index()
    templates = _templates.get(project)
    if templates is None:
        templates = _templates[project] = rewrite.compile_templates(project.config, project.index)
    uses = report.uses
    if only is not None:
        uses = tuple(u if u.target == only.target else records.replace(u, status="noqa") for u in uses)
    outcomes = [fix.fix_file(project, templates, FileReport(report.path, uses, report.notes), text=text)]
    if outcomes[0].skipped is None:
        fix.settle_reexports(project, templates, outcomes, 1)
    outcome = outcomes[0]
    if outcome.skipped is not None or outcome.now is None or outcome.new == text:
        return None
    if only is not None:
        before = Counter(_key(u) for u in uses)[_key(only)]
        if Counter(_key(u) for u in outcome.now.uses)[_key(only)] >= before:
            return None  # the rewrite changed other things (an import), not this use
    return outcome.new


def _key(use: Finding) -> tuple[str, str, str, str]:
    return use.code, use.target, use.form, use.scope


def noqa_edit(lines: Sequence[str], finding: Finding) -> tuple[int, int, str] | None:
    """Where to insert what, so that flake8 (and the engine) read a ``# noqa`` for the finding's
    code on its line: (0-based line, column in characters, text). None when a bare ``# noqa``
    already silences it."""
    line = finding.line
    existing = NoqaMap(lines).at(line)
    if existing is not None:
        if existing.codes is None or existing.silences(finding.code):
            return None
        match = NOQA_INLINE.search(lines[existing.line - 1], existing.col)
        assert match is not None and match.group("codes") is not None
        end = match.start("codes") + len(match.group("codes").rstrip(", \t\r\n"))
        return existing.line - 1, end, f",{finding.code}"
    # A comment applies to every line of the token run it ends (flake8 joins them): the run's
    # last line is the one a comment can end, whatever string or bracket spans the others.
    last = logical_lines(lines).get(line, (line, line))[1]
    text = lines[last - 1].rstrip("\r\n") if last <= len(lines) else ""
    return last - 1, len(text), f"  # noqa: {finding.code}"


def allowable(finding: Finding) -> bool:
    """Whether an allowlist entry could grandfather the use: a new use of a rule (not an expired entry)."""
    return finding.status == "new" and bool(finding.rule) and finding.code in _USES


_USES = ("SOT001", "SOT002", "SOT003", "SOT004", "SOT005")


def allowlist_name(project: Project) -> str:
    path, _ = allowlist.location(project.config)
    return allowlist.shown_path(path, project.root)


def allow(project: Project, report: FileReport, rule: str) -> bool:
    """Grow the allowlist entry for the buffer's file and ``rule`` until it covers the buffer's
    uses of that rule, scope by scope; never shrinks it. Written under the allowlist's lock, as
    `baseline` writes it. Whether the file changed."""
    path, _ = allowlist.location(project.config)
    shown = allowlist.shown_path(path, project.root)
    key = (report.path, rule)
    needed, _ = baseline.needed_uses([report])
    want = needed.get(key)
    if not want:
        return False
    with allowlist_doc.locked(project.root, shown):
        raw = allowlist_doc.read(path, shown)
        entries = allowlist.parse_text(raw, project.config, shown) if raw is not None else ()
        current = next((e for e in entries if (e.path, e.rule) == key), None)
        if current is not None and not current.uses:
            return False  # a whole-file entry grandfathers every use already
        uses = dict(current.uses) if current is not None else {}
        grown = {**uses, **{s: n for s, n in want.items() if n > uses.get(s, 0)}}
        if grown == uses:
            return False
        doc = (
            allowlist_doc.Document.parse(raw.decode("utf-8"), entries) if raw is not None
            else allowlist_doc.Document.new()
        )
        doc.set(key, dict(sorted(grown.items())))
        allowlist_doc.write_atomic(path, doc.render(), shown)
    return True
