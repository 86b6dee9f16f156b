"""`flake8-ssot fix`: rewrite deprecated uses into their single source of truth.

The engine finds the uses; :mod:`flake8_ssot.rewrite` (LibCST, the optional extra
``flake8-ssot[fix]``, imported only here and only when the verb runs) rewrites them. A file
is written only when the result parses, keeps every comment, and the engine, run again on
the new text, finds exactly the uses that were not rewritten: the rest is listed as manual.

Then re-exports of deprecated names that no file reaches any more, once the rewrites are
made, are removed (see :mod:`flake8_ssot.reexports`), round after round, so that one run
reaches the fixpoint: a second run changes nothing.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import re
import sys
import tempfile
import tokenize
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from flake8_ssot import options, pool, reexports, runner
from flake8_ssot.fixers import patch
from flake8_ssot.engine import FileReport, Project
from flake8_ssot.index import TOO_DEEP, one_line, parse_source
from flake8_ssot.model import Finding
from flake8_ssot.paths import display

if TYPE_CHECKING:
    from flake8_ssot.rewrite import Reexport, Result, Templates

INSTALL_HINT = "flake8-ssot: fix needs LibCST: pip install 'flake8-ssot[fix]'\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories to fix [default: the whole project]"
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="print a unified diff and write nothing; exit 1 if a file would change",
    )
    parser.add_argument(
        "--keep-reexports",
        action="store_true",
        help="keep deprecated names a module imports only to re-export them, even when nothing in the project "
        "uses them any more (a library's callers outside the repository may); list them as manual",
    )
    options.add(parser, "quiet", "jobs", "cache")


@dataclass(eq=False)
class Outcome:
    path: str
    report: FileReport
    """The engine's report on the file as it is."""
    old: str = ""
    new: str = ""
    encoding: str = "utf-8"
    now: FileReport | None = None
    """The engine's report on ``new`` (None: the same as ``report``)."""
    manual: list[tuple[Finding, str]] = field(default_factory=list)
    """Uses left for a person, where they are before the rewrite."""
    reexports: list[Reexport] = field(default_factory=list)
    """Re-exports the rewrite left in place (positions before the rewrite)."""
    removed: list[Reexport] = field(default_factory=list)
    """Re-exports removed as no file uses them any more (positions before the rewrite)."""
    unused: list[str] = field(default_factory=list)
    """Names whose module-level imports the rewrite removed, as it left them unused."""
    kept_imports: Sequence[str] = ()
    """Module-level imports kept though the rewrite left them unused: other files import them."""
    held: dict[str, str] = field(default_factory=dict)
    """Module-level imports whose uses stay as they are -> why: only string targets elsewhere
    (``mock.patch("this.module.name")``) reach them, and would patch nothing after a rewrite."""
    skipped: str | None = None

    @property
    def fixed(self) -> int:
        return 0 if self.now is None else len(self.report.uses) - len(self.now.uses)

    @property
    def open_uses(self) -> int:
        """The uses a rewrite could take on (a ``# noqa`` keeps the rest as they are)."""
        return sum(1 for use in self.report.uses if use.status != "noqa")

    @property
    def manual_after(self) -> list[tuple[Finding, str]]:
        """The manual uses where the rewrite moved them."""
        return self.manual if self.now is None else _where_now(self.manual, self.now)

    def keep(self, reexport: Reexport, reason: str) -> None:
        """List a re-export left in place as manual, with the reason it stays."""
        self.manual = [(use, reason if use in reexport.uses else r) for use, r in self.manual]


def run(args: argparse.Namespace, project: Project) -> int:
    try:
        from flake8_ssot import rewrite
    except ImportError as e:
        if (e.name or "libcst").partition(".")[0] != "libcst":
            raise
        sys.stderr.write(INSTALL_HINT)
        return 2
    project.build_index()
    templates = rewrite.compile_templates(project.config, project.index)
    files = runner.candidates(project, runner.select(project, args.paths))
    progress = Progress(None if args.quiet or not sys.stderr.isatty() else sys.stderr)
    reports = [
        r for r in runner.analyze(project, files, args.jobs, progress.step("analysed", len(files)))
        if r.error or any(u.status != "noqa" for u in r.uses)
    ]
    outcomes = fix_files(project, templates, reports, args.jobs, progress.step("rewritten", len(reports)))
    settled = settle_reexports(project, templates, outcomes, args.jobs, remove=not args.keep_reexports)
    progress.clear()
    changed = [o for o in outcomes if o.new != o.old and o.skipped is None]
    cwd = os.getcwd()

    def shown(relpath: str) -> str:
        """Paths relative to the current directory, as `check` prints them (and `git apply` reads a diff)."""
        return display(project.root, relpath, cwd)

    report_out: TextIO = sys.stderr if args.diff else sys.stdout
    if args.quiet:
        report_out = io.StringIO()  # -q: the diff or the rewrite, and problems, but no account of them
    failed = False
    if args.diff:
        sys.stdout.flush()
        out = getattr(sys.stdout, "buffer", None)
        for outcome in changed:
            data = patch.encoded(shown(outcome.path), outcome.old, outcome.new, outcome.encoding)
            if out is not None:
                out.write(data)
            else:  # pragma: no cover - a text-only stdout (embedding)
                sys.stdout.write(data.decode(outcome.encoding, "replace"))
        if out is not None:
            out.flush()
    else:
        for outcome in list(changed):
            try:
                write_atomic(project.root / outcome.path, outcome.new)
            except OSError as e:  # pragma: no cover - a full disk, a file made read-only meanwhile
                outcome.skipped = f"not written: {e.strerror or e}"
                changed.remove(outcome)
                failed = True
    for path, (problem, bindings) in sorted(settled.unreadable.items()):
        names = ", ".join(sorted(f"{m}.{n}" for m, n in bindings))
        verdict = (
            f"counted as a user of {names}, which stays" if problem == TOO_DEEP
            else f"not counted as a user of {names} (Python cannot import it either)"
        )
        sys.stderr.write(f"flake8-ssot: {shown(path)}: cannot be analyzed ({problem}); {verdict}\n")
    for outcome in outcomes:
        if outcome.skipped is not None:
            # Its uses stay, each still reported: they count as left, with this one reason.
            stays = f" ({_uses(outcome.open_uses)} left to migrate by hand)" if outcome.open_uses else ""
            sys.stderr.write(f"flake8-ssot: {shown(outcome.path)}: skipped: {outcome.skipped}{stays}\n")
            continue
        if outcome.fixed:
            verb = "would fix" if args.diff else "fixed"
            report_out.write(f"{shown(outcome.path)}: {verb} {_uses(outcome.fixed)}\n")
        module = project.index.module_of(outcome.path)
        for reexport in outcome.removed:
            use = reexport.uses[0]
            report_out.write(
                f"{shown(use.path)}:{use.line}:{use.col + 1}: {'would remove' if args.diff else 'removed'} re-export "
                f"{module}.{reexport.name} (no uses left in the project)\n"
            )
        manual = outcome.manual if args.diff else outcome.manual_after
        for finding, reason in manual:
            report_out.write(
                f"{shown(finding.path)}:{finding.line}:{finding.col + 1}: manual: {reason} ({finding.code})\n"
            )
    for hit, name, module_path, held in settled.stale_strings:
        why = (
            f"whose uses fix left as they are in {shown(module_path)} for this string" if held else
            f"which {shown(module_path)} keeps only as a re-export: the rewritten code no longer uses it (a "
            "mock.patch of it patches nothing)"
        )
        report_out.write(
            f"{shown(hit.path)}:{hit.line}:{hit.col + 1}: manual: names {name}, {why}; run fix on this file too, "
            f"or point it where the new code looks the name up ({hit.code})\n"
        )
    fixed = sum(o.fixed for o in changed)
    # Every use of the files in scope is fixed or left, each with its reason; a string target
    # listed in another file (settled.stale_strings) is that file's, counted where it is fixed.
    left = sum(len(o.manual) if o.skipped is None else o.open_uses for o in outcomes)
    verb = "would fix" if args.diff else "fixed"
    report_out.write(
        f"flake8-ssot: {verb} {_uses(fixed)} in {len(changed)} {'file' if len(changed) == 1 else 'files'}"
        f"; {left} left to migrate by hand\n"
    )
    if changed and not args.diff:
        _tighten(project, [o.path for o in changed])
    return 1 if (args.diff and changed) or failed else 0


def _uses(n: int) -> str:
    return f"{n} {'use' if n == 1 else 'uses'}"


# Below this many files a process pool costs more than it saves (LibCST costs ~0.1 s per file and up).
_PARALLEL_MIN = 4


def fix_files(
    project: Project, templates: Templates, reports: Sequence[FileReport], jobs: int | None,
    done: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Outcomes in the order of ``reports``; files are planned in forked workers when worth it."""
    return pool.fork_map(lambda report: fix_file(project, templates, report), reports, jobs, _PARALLEL_MIN, done)


class Progress:
    """One line on a terminal, rewritten in place: files analysed, then files planned (rewritten
    or not). Silent without a terminal (``stream`` None)."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.shown = False

    def step(self, what: str, total: int) -> Callable[[int], None] | None:
        """A callback for ``n`` of ``total`` files done, or None when nothing is shown."""
        stream = self.stream
        if stream is None or not total:
            return None

        def show(n: int) -> None:
            stream.write(f"\r\x1b[Kflake8-ssot: fix: {n}/{total} files {what}")
            stream.flush()
            self.shown = True

        return show

    def clear(self) -> None:
        if self.stream is not None and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def fix_file(
    project: Project,
    templates: Templates,
    report: FileReport,
    keep: Sequence[str] = (),
    hold: Mapping[str, str] | None = None,
    text: str | None = None,
) -> Outcome:
    """Plan and verify one file's rewrite; nothing is written here.

    ``keep``: module-level imports to keep though the rewrite leaves them unused; ``hold``:
    those whose uses stay as they are (name -> why); ``text``: the file's text when it is not
    the one on disk (an editor's buffer, which ``report`` was made from).
    """
    outcome = Outcome(report.path, report, kept_imports=keep, held=dict(hold or {}))
    if report.error is not None:
        outcome.skipped = report.error
        return outcome
    try:
        data = (project.root / report.path).read_bytes() if text is None else text.encode("utf-8", "surrogatepass")
        outcome.encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        outcome.old = outcome.new = data.decode(outcome.encoding) if text is None else text
    except (OSError, SyntaxError, UnicodeDecodeError) as e:
        outcome.skipped = f"cannot read: {one_line(e)}"
        return outcome
    result = _rewrite(project, templates, outcome, report, keep=keep)
    if isinstance(result, str):
        outcome.skipped = result
        return outcome
    after = result[1]
    outcome.reexports = result[0].reexports
    outcome.unused = result[0].unused_imports
    if after is None:
        outcome.manual = result[0].manual
        return outcome
    left = Counter(_key(u) for u in after.uses)
    for finding, reason in result[0].manual:
        if left[_key(finding)] > 0:
            left[_key(finding)] -= 1
            outcome.manual.append((finding, reason))
    return outcome


def _rewrite(
    project: Project,
    templates: Templates,
    outcome: Outcome,
    report: FileReport,
    drop: Sequence[str] = (),
    keep: Sequence[str] = (),
) -> tuple[Result, FileReport | None] | str:
    """Rewrite the outcome's text, whose uses ``report`` holds, and take the result if it verifies.

    Returns the rewriter's result and the engine's report on the new text (None when nothing
    changed), or why the file is skipped.
    """
    from flake8_ssot import rewrite

    try:
        result = rewrite.rewrite(
            templates, project.index, report.path, outcome.new, report.uses, drop, keep, outcome.held
        )
    except rewrite.PARSE_ERRORS as e:
        return f"LibCST cannot parse it: {one_line(e)}"
    except Exception as e:  # pragma: no cover - a bug must cost one file, not the run
        return f"internal error ({type(e).__name__}: {one_line(e)}); nothing changed (please report this)"
    if result.code == outcome.new:
        return result, None
    try:
        result.code.encode(outcome.encoding)
    except UnicodeEncodeError as e:
        return f"the rewrite cannot be written in the file's encoding {outcome.encoding}: {one_line(e)}"
    after = verify(project, report, outcome.new, result)
    if isinstance(after, str):
        return f"{after}; nothing changed"
    outcome.new = result.code
    outcome.now = after
    return result, after


@dataclass
class Settled:
    """What settling the re-exports found beyond the files being fixed."""

    unreadable: dict[str, tuple[str, set[reexports.Binding]]] = field(default_factory=dict)
    """Files that could not be analyzed though they spell a re-export's name: path -> (why, bindings)."""
    stale_strings: list[tuple[reexports.StringUse, str, str, bool]] = field(default_factory=list)
    """String targets (``mock.patch("app.handlers.name")``) reaching a name of a module whose uses
    of it the rewrite changes: (the string, the binding as a dotted name, that module's path,
    whether its uses were held back for it rather than its import kept unused)."""


def settle_reexports(
    project: Project, templates: Templates, outcomes: list[Outcome], jobs: int | None, *, remove: bool = True
) -> Settled:
    """Remove the re-exports no file of the project reaches once the planned rewrites are made.

    Each round analyzes the project as planned. An import the rewrite left unused that another
    file still imports from here is put back, as a re-export. Removing a re-export may leave
    another one, which only the first served, unused: the next round takes it. Without
    ``remove``, re-exports are kept and listed as manual.

    Returns the files that could not be analyzed though they spell a re-export's name (those
    Python cannot read hold nothing back; `fix` names them all), and the string targets that
    keep an import the rewrite left unused: a ``mock.patch`` of it patches nothing any more.
    """
    def binding(outcome: Outcome, name: str) -> reexports.Binding:
        return project.index.module_of(outcome.path), name

    pending = {binding(o, r.name): (o, r) for o in outcomes if o.skipped is None for r in o.reexports}
    unused = {binding(o, name): o for o in outcomes if o.skipped is None for name in o.unused}
    users: dict[reexports.Binding, set[str]] = {}
    settled = Settled()
    strings: dict[reexports.Binding, list[reexports.StringUse]] = {}
    made_unused: set[reexports.Binding] = set()
    """Imports the rewrite left unused, put back for other files: re-exports only since this run."""
    held_back: set[reexports.Binding] = set()
    """Imports whose uses stay for string targets elsewhere."""
    while unused or (remove and pending):
        planned = {o.path: o.new.encode(o.encoding) for o in outcomes if o.skipped is None and o.new != o.old}
        wanted = {*unused, *(pending if remove else ())}
        found_strings: dict[reexports.Binding, list[reexports.StringUse]] = {}
        by_code: dict[reexports.Binding, set[str]] = {}
        users = reexports.users(
            project.config, planned, {*project.index.hits, *planned}, wanted, jobs, settled.unreadable, found_strings,
            by_code,
        )
        strings.update((key, found_strings.get(key, [])) for key in wanted)
        restore: dict[Outcome, list[str]] = {}
        holds: dict[Outcome, dict[str, str]] = {}
        for key, outcome in unused.items():
            if not users[key]:
                continue
            if not by_code.get(key) and found_strings.get(key):
                # Only string targets reach it (a test's mock.patch): the uses stay, with the
                # import, so that the patch still patches what the code calls.
                hits = sorted(found_strings[key], key=lambda h: (h.path, h.line, h.col))
                where = ", ".join(f"{h.path}:{h.line}:{h.col + 1}" for h in hits[:2])
                where += ", ..." if len(hits) > 2 else ""
                holds.setdefault(outcome, {})[key[1]] = (
                    f"{key[1]} stays: the string target at {where} names {'.'.join(key)} and would patch nothing "
                    "after the rewrite; fix both files in one run"
                )
                held_back.add(key)
                restore.setdefault(outcome, [])
                continue
            restore.setdefault(outcome, []).append(key[1])
            made_unused.add(key)
        unused = {}
        for outcome, names in restore.items():
            # Planned again from the file as it is, keeping those imports: they are re-exports now.
            redone = fix_file(
                project, templates, outcome.report, keep=[*outcome.kept_imports, *names],
                hold={**outcome.held, **holds.get(outcome, {})}, text=outcome.old,
            )
            outcomes[outcomes.index(outcome)] = redone
            pending = {k: v for k, v in pending.items() if v[0] is not outcome}
            pending.update((binding(redone, r.name), (redone, r)) for r in redone.reexports)
            unused.update((binding(redone, name), redone) for name in redone.unused)
        if restore:
            continue
        dead: dict[Outcome, list[Reexport]] = {}
        for key, (outcome, reexport) in pending.items():
            if remove and not users[key]:
                dead.setdefault(outcome, []).append(reexport)
        if not dead:
            break
        for outcome, gone in dead.items():
            problem = _drop(project, templates, outcome, [r.name for r in gone])
            for reexport in gone:
                del pending[binding(outcome, reexport.name)]
                if problem is not None:  # pragma: no cover - the rewriter found this re-export in the same text
                    outcome.keep(reexport, f"the re-export could not be removed: {problem}")
    listed = {(o.path, f.line, f.col) for o in outcomes for f, _ in o.manual}
    paths = {project.index.module_of(o.path): o.path for o in outcomes}
    for key in sorted(held_back):
        settled.stale_strings.extend(
            (hit, ".".join(key), paths.get(key[0], key[0]), True) for hit in strings.get(key, ())
            if (hit.path, hit.line, hit.col) not in listed
        )
    for key, (outcome, reexport) in pending.items():
        if key in made_unused:
            settled.stale_strings.extend(
                (hit, ".".join(key), outcome.path, False) for hit in strings.get(key, ())
                if (hit.path, hit.line, hit.col) not in listed
            )
        if not remove:
            outcome.keep(reexport, "re-export kept (--keep-reexports)")
            continue
        found = sorted(users.get(key, ()))
        named = [f"{path}: not analyzed" if path in settled.unreadable else path for path in found]
        shown = ", ".join(named[:3]) + (", ..." if len(found) > 3 else "")
        files = "file" if len(found) == 1 else "files"
        outcome.keep(reexport, f"re-export still used by {len(found)} {files} ({shown})")
    settled.stale_strings.sort(key=lambda s: (s[0].path, s[0].line, s[0].col))
    return settled


def _drop(project: Project, templates: Templates, outcome: Outcome, names: Sequence[str]) -> str | None:
    """Remove re-exports from the outcome's planned text; why not, if that fails to verify."""
    result = _rewrite(project, templates, outcome, outcome.now or outcome.report, names)
    if isinstance(result, str):  # pragma: no cover - a bug; the file keeps its first rewrite
        return result
    removed = {r.name for r in result[0].removed_reexports}
    if set(names) - removed:  # pragma: no cover - see above
        return "not found in the rewritten file"
    for reexport in [r for r in outcome.reexports if r.name in removed]:
        outcome.reexports.remove(reexport)
        outcome.removed.append(reexport)
        outcome.manual = [(use, reason) for use, reason in outcome.manual if use not in reexport.uses]
    return None


def verify(project: Project, report: FileReport, old: str, result: Result) -> FileReport | str:
    """The engine's report on the rewritten text, or why that text must not be written.

    The uses left must be those not rewritten, except that a use through a value a rewritten
    call returned (``factory.create_for_user(ctx)`` after ``factory = get_factory()``) goes
    away with that call, and a star import's with the uses of names it brings.
    """
    tree: ast.Module | None = None
    try:
        tree = ast.parse(result.code, report.path)
    except (SyntaxError, ValueError) as e:
        return f"the rewrite does not parse ({one_line(e)})"
    except (RecursionError, MemoryError):
        pass  # too deep for this stack: the analysis below retries deeper, or says why not
    lost = _comments(old) - _comments(result.code) - Counter(result.dropped_comments)
    if lost:
        return f"the rewrite would lose the comment {next(iter(lost))!r}"
    # One tree of the new text for the engine and the meaning check (the visitor only reads it).
    after = project.analyze(report.path, result.code.splitlines(keepends=True), tree)
    if after.error is not None:
        return f"the rewrite cannot be analyzed ({after.error})"
    expected = Counter(_key(u) for u in report.uses) - Counter(_key(u) for u in result.fixed)
    found = Counter(_key(u) for u in after.uses)
    # Findings that go away unplanned: a result call with the call that made its value; a star
    # import's, reported for the deprecated names the file reads through it, as it reads them no more.
    unexpected = (found - expected) + Counter(k for k in expected - found if k[2] not in ("result-call", "import-star"))
    if unexpected:
        key = next(iter(unexpected))
        code, target = key[0], key[1]
        if found[key] > expected[key]:
            return f"the rewritten text would still use {target} ({code})"
        return f"the rewrite would remove a use of {target} it did not rewrite ({code})"
    problem = check_meaning(project, report.path, old, result, tree)
    return after if problem is None else problem


def check_meaning(
    project: Project, relpath: str, old: str, result: Result, new_tree: ast.Module | None = None
) -> str | None:
    """Why the rewritten text means something else than planned (None: it means what it should).

    The engine's visitor reads both texts, asked about every name the rewrite writes and every
    name an import of either text binds: each chain reaching one of them counts. The new text
    must reach each as often as the old one did, less the chains of the code the rewrite
    replaced, plus the names it wrote: a name written that reaches nothing (its import dropped,
    another binding in the way), or an unchanged name that now reaches something else (a new
    import shadowing it), shows as a difference.
    """
    from flake8_ssot import meaning

    module = project.index.module_of(relpath)
    package = relpath.endswith("__init__.py")
    old_tree, _ = parse_source(old, relpath)
    if new_tree is None:
        new_tree, _ = parse_source(result.code, relpath)
    if old_tree is None or new_tree is None:
        return None  # too deep to read twice; the engine's report was made all the same
    names = {
        *result.written, *result.written_on_instances,
        *meaning.imported(old_tree, module, package), *meaning.imported(new_tree, module, package),
    }
    if not names:
        return None
    probe = meaning.Probe(project.config, relpath, names)
    before, now = probe.read(old_tree), probe.read(new_tree)
    if before is None or now is None:
        return None  # too deep to read twice; the engine's report above was made all the same
    lines = re.split(r"\r\n|\r|\n", old)  # as Python and LibCST count lines (not at \f)

    def changed(line: int, byte_col: int) -> bool:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        at = (line, len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace")))
        return any(
            _inside(at, span) and not any(_inside(at, hole) for hole in holes) for span, holes in result.changed
        )

    expected = Counter(name for name, line, col in before if not changed(line, col))
    written = Counter(probe.entry(name) for name in result.written)
    expected.update(name for name, n in written.items() if name is not None for _ in range(n))
    # A member renamed through an instance is reached where the visitor follows the instance
    # (`self` in a subclass, not an unannotated parameter): at most once per rename.
    at_most = expected + Counter(
        entry for name in result.written_on_instances if (entry := probe.entry(name)) is not None
    )
    found = Counter(name for name, _, _ in now)
    order = sorted({*at_most, *found})
    for name in order:
        if name in written and found[name] < expected[name]:
            return f"{name}, which the rewrite writes, would not be reached by the name written for it"
    for name in order:
        if found[name] < expected[name]:
            return f"a name reaching {name} would reach something else after the rewrite"
    for name in order:
        if found[name] > at_most[name]:
            return f"the rewrite would make another name reach {name}"
    return None


def _inside(at: tuple[int, int], span: tuple[int, int, int, int]) -> bool:
    return (span[0], span[1]) <= at < (span[2], span[3])


def _where_now(manual: list[tuple[Finding, str]], after: FileReport) -> list[tuple[Finding, str]]:
    """The manual uses at their positions in the rewritten file (their order is unchanged)."""
    now: dict[tuple[str, str, str, str], list[Finding]] = {}
    for use in sorted(after.uses, key=lambda u: (u.line, u.col)):
        if use.status != "noqa":
            now.setdefault(_key(use), []).append(use)
    return [(now[_key(use)].pop(0), reason) for use, reason in manual]


def _key(use: Finding) -> tuple[str, str, str, str]:
    return use.code, use.target, use.form, use.scope


def _comments(text: str) -> Counter[str]:
    """The comments of code that parses."""
    return Counter(
        token.string for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT
    )


def write_atomic(path: Path, text: str) -> None:
    """Replace a file's contents in one step, in its own encoding and mode."""
    data = path.read_bytes()
    encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    mode = os.stat(path).st_mode
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode(encoding))
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _tighten(project: Project, paths: Sequence[str]) -> None:
    from flake8_ssot import baseline

    outcome = baseline.tighten(project, paths)
    if outcome.written:
        sys.stdout.write(baseline.describe(outcome))
