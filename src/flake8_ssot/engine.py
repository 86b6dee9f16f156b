"""One engine for every face: the flake8 plugin, `check`, `baseline`, `report` and `fix`.

``Project.analyze`` turns one file's text into findings; everything else only presents,
counts or rewrites what it returns, so no two faces can disagree.
"""

from __future__ import annotations

import ast
import datetime
import io
import os
import stat
import tokenize
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from flake8_ssot import allowlist as allowlist_mod
from flake8_ssot import cache, records
from flake8_ssot.codes import bookkeeping_message, use_message
from flake8_ssot.config import load_config, split_argument
from flake8_ssot.discovery import find_config
from flake8_ssot.index import TOO_DEEP, Deprecations, Index, Resolution, one_line, parse_source
from flake8_ssot.model import Config, Finding, Status
from flake8_ssot.noqa import Noqa, NoqaMap, file_is_ignored, first_line_noqa
from flake8_ssot.paths import is_excluded, matcher, relative_to_root
from flake8_ssot.records import Record

if TYPE_CHECKING:
    from flake8_ssot.visitor import Use


T = TypeVar("T")


class FileReport(Record):
    """A file's verdict: every use found (``uses``, each marked new / allowed / noqa / expired),
    its SOT9xx bookkeeping (``notes``), or why it could not be analyzed (``error``)."""

    __slots__ = ("path", "uses", "notes", "error")

    def __init__(
        self, path: str, uses: tuple[Finding, ...] = (), notes: tuple[Finding, ...] = (), error: str | None = None
    ) -> None:
        self.path, self.uses, self.notes, self.error = path, uses, notes, error

    @property
    def shown(self) -> list[Finding]:
        """What flake8 shows: new and expired uses plus notes, but what a ``# noqa`` silences."""
        return sorted(
            [u for u in self.uses if u.status in ("new", "expired")] + [n for n in self.notes if n.status != "noqa"],
            key=_position,
        )

    @property
    def for_flake8(self) -> list[Finding]:
        """What the plugin yields: flake8 itself applies ``# noqa`` (and ``--disable-noqa``)."""
        return sorted([u for u in self.uses if u.status != "allowed"] + list(self.notes), key=_position)


class Detected(Record):
    """A file's findings before the allowlist is applied: a function of its text and the index.

    ``uses``: every use found, marked new or noqa; ``notes``: unused ``# noqa: SOT...``
    comments (SOT903); ``ignored``: the file opts out of flake8 entirely (``# flake8: noqa``;
    its uses are all marked noqa, and it has no notes);
    ``line_one``: the ``# noqa`` flake8 applies to line 1, where the allowlist's notes are reported.
    """

    __slots__ = ("uses", "notes", "error", "ignored", "line_one")

    def __init__(
        self, uses: tuple[Finding, ...] = (), notes: tuple[Finding, ...] = (), error: str | None = None,
        ignored: bool = False, line_one: Noqa | None = None,
    ) -> None:
        self.uses, self.notes, self.error, self.ignored, self.line_one = uses, notes, error, ignored, line_one


def _position(f: Finding) -> tuple[int, int, str]:
    return (f.line, f.col, f.code)


def decode_error(data: bytes, error: UnicodeDecodeError | SyntaxError) -> str:
    """One line on why :func:`decode_source` failed, naming the line of a bad byte."""
    if isinstance(error, UnicodeDecodeError):
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start:error.start + 1].hex()
        return f"cannot decode: line {line}: byte 0x{byte} is not {error.encoding} ({error.reason})"
    return f"cannot decode: {one_line(error)}"


def _nonblocking(path: str, flags: int) -> int:
    """Open without waiting for a writer, should the path be a FIFO."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def decode_source(data: bytes) -> list[str]:
    """Lines of a file decoded as Python does (coding cookie, BOM, UTF-8 by default).

    Raises UnicodeDecodeError or SyntaxError (bad cookie) for text Python could not run.
    """
    encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
    return split_lines(data.decode(encoding))


def split_lines(text: str) -> list[str]:
    """Lines of decoded source as flake8 reads them (a BOM dropped, universal newlines)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    # Split as flake8 reads a file (universal newlines), not as str.splitlines(), which also
    # breaks at \f, \x1c or \u2028 and would shift every later line against the tree and noqa.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return io.StringIO(text).readlines()


class Project:
    def __init__(
        self, config: Config, *, today: datetime.date | None = None, allowlist_missing_ok: bool = False,
        partial: bool = False,
    ) -> None:
        """``partial``: the run lints named files only (see :func:`flake8_ssot.declarations.scan`)."""
        if config.discover:
            from flake8_ssot.derived_rules import with_discovered

            config = with_discovered(config, trust=partial)
        self.config = config
        self.root = config.root
        cache.set_location(config.root, config.cache_dir)
        self.deprecations = Deprecations(config.rules)
        self.index = Index(config, self.deprecations)
        # `baseline` creates a named allowlist that does not exist yet; everyone else stops on it.
        self.allowlist = allowlist_mod.load_allowlist(config, missing_ok=allowlist_missing_ok)
        self.today = today or datetime.date.today()
        self._exempt = {r.name: matcher(r.exempt) for r in config.rules}
        self._exclude = matcher(config.exclude)
        self._owners: dict[str, str | None] = {}
        self._built = False

    def build_index(self, targets: Iterable[str] | None = None) -> None:
        """Build the index once: over the whole project, or trusting the cache but for ``targets``.

        ``targets`` are the root-relative files about to be linted (see :meth:`Index.refresh`).
        """
        if not self._built:
            if targets is None:
                self.index.build()
            else:
                self.index.refresh(targets)
            self._built = True

    def relpath(self, filename: str) -> str:
        # flake8 asks once per file: the common case, a path inside the root, without pathlib.
        absolute = os.path.abspath(filename)
        prefix = os.path.join(self.root, "")
        if absolute.startswith(prefix):
            return absolute[len(prefix):].replace(os.sep, "/")
        return relative_to_root(filename, self.root)

    def excluded(self, relpath: str) -> bool:
        """Whether the configuration's ``exclude`` skips the file, named or walked (as `check`'s walk does)."""
        return self._exclude is not None and is_excluded(self._exclude, relpath)

    # -- one file -------------------------------------------------------------------------

    def analyze(self, relpath: str, lines: Sequence[str], tree: ast.Module | None = None) -> FileReport:
        return self.judge(relpath, self.detect(relpath, lines, tree))

    def analyze_file(self, relpath: str) -> FileReport:
        """Read and analyze a file on disk; undecodable or unreadable files report an error."""
        return self.judge(relpath, self.detect_file(relpath))

    def detect(self, relpath: str, lines: Sequence[str], tree: ast.Module | None = None) -> Detected:
        """Uses in one file's text, with ``# noqa`` applied; the allowlist is :meth:`judge`'s."""
        self.build_index()
        text = "".join(lines)
        uses: list[Finding] = []
        if self.index.prefilter.matches_text(text):
            if tree is None:
                tree, error = parse_source(text, relpath)
                if error == TOO_DEEP:
                    too_deep: tuple[ast.Module | None, str | None] = (None, TOO_DEEP)
                    tree, error = deep(lambda: parse_source(text, relpath), too_deep)
                if tree is None:
                    return Detected(error=error)
            from flake8_ssot.visitor import Visitor  # most runs never parse a file at all

            module = self.index.module_of(relpath)
            visitor = Visitor(self.index, module, relpath.endswith("__init__.py"))
            try:
                found = visitor.run(tree)
            except RecursionError:
                parsed = tree
                retried = deep(lambda: Visitor(self.index, module, relpath.endswith("__init__.py")).run(parsed), None)
                if retried is None:
                    return Detected(error=TOO_DEEP)
                found = retried
            uses = [self._finding(relpath, use) for use in found if not self._exempt_use(relpath, module, use)]
        notes: list[Finding] = []
        if not uses and "SOT" not in text and tree is not None:
            # Only the comment of line 1 matters (to the allowlist's notes): its token run alone.
            return Detected(line_one=first_line_noqa(lines))
        noqa = NoqaMap(lines)  # tokenizes only a file with a noqa comment
        if uses or "SOT" in text:
            uses = [
                records.replace(u, status="noqa") if (n := noqa.at(u.line)) and n.silences(u.code) else u
                for u in uses
            ]
            notes = _unused_noqa(relpath, noqa, uses)
        return Detected(tuple(uses), tuple(notes), line_one=noqa.at(1))

    def detect_file(self, relpath: str) -> Detected:
        path = relpath if os.path.isabs(relpath) else os.path.join(self.root, relpath)
        try:
            with open(path, "rb", opener=_nonblocking) as f:
                # A FIFO or device never ends, or blocks: only a regular file is source.
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    return Detected(error="cannot read: not a regular file")
                data = f.read()
        except OSError as e:
            return Detected(error=f"cannot read: {e.strerror or e}")
        try:
            lines = decode_source(data)
        except (UnicodeDecodeError, SyntaxError) as e:
            # A file that can yield nothing is not reported, whatever its bytes: the text flake8
            # falls back to (latin-1) decides, as it does for the plugin.
            return Detected() if self.skips(relpath, data.decode("latin-1")) else Detected(error=decode_error(data, e))
        if file_is_ignored(lines):
            # flake8 skips the file, and so does `check`; its uses are still there to migrate,
            # and `report` and `plan` count them as silenced.
            found = self.detect(relpath, lines)
            return Detected(tuple(records.replace(u, status="noqa") for u in found.uses), ignored=True)
        return self.detect(relpath, lines)

    def skips(self, relpath: str, text: str) -> bool:
        """Whether ``text`` can yield nothing at all: it spells no identifier, mentions no ``SOT``
        code and the allowlist has no entry for it. `check` never reads such a file; the
        plugin, which is handed every file, answers it with the prefilter alone."""
        self.build_index()
        if self.allowlist is not None and relpath in self.allowlist.by_path:
            return False
        return "SOT" not in text and not self.index.prefilter.matches_text(text)

    def skips_unchanged(self, relpath: str, lines: Sequence[str]) -> bool:
        """:meth:`skips` for a file flake8 read from disk as ``lines``, answered without its text
        when the last full build saw it spell nothing and it has not changed since
        (:meth:`Index.unchanged`). False means: ask :meth:`skips`.

        The build flagged the file's bytes; they spell what its text spells unless a coding
        cookie names an encoding whose characters span ASCII letters, so such a file is left to
        :meth:`skips`, as is one whose plain word is also an alias (flagged by another rule).
        """
        index = self.index
        if not index.sure or (self.allowlist is not None and relpath in self.allowlist.by_path):
            return False
        if index.prefilter.weak != index.scanned_weak or any("coding" in line for line in lines[:2]):
            return False
        return index.unchanged(relpath) == 0

    def decoding_error(self, filename: str, relpath: str, lines: Sequence[str]) -> str | None:
        """Why Python cannot decode the file that flake8 read as ``lines``, if it is to be analyzed.

        flake8 reads a file Python cannot decode as latin-1 (a bad or missing coding cookie) and
        lints it anyway; `check` reports it as not analyzed, so the plugin must too. Only a file
        with a cookie or with text beyond ASCII can be affected; only those are read again.
        """
        text = "".join(lines)
        if text.isascii() and not any("coding" in line for line in lines[:2]):
            return None
        if self.skips(relpath, text):
            return None  # `check` does not report such a file either
        try:
            with open(filename, "rb", opener=_nonblocking) as f:
                data = f.read()
            decode_source(data)
        except OSError:  # pragma: no cover - gone since flake8 read it: flake8's lines are all there is
            return None
        except (UnicodeDecodeError, SyntaxError) as e:
            return decode_error(data, e)
        return None

    def judge(self, relpath: str, detected: Detected) -> FileReport:
        """Apply the allowlist (as of today) to what :meth:`detect` found."""
        if detected.error is not None:
            return FileReport(relpath, error=detected.error)
        if detected.ignored:
            return FileReport(relpath, detected.uses)
        marked, bookkeeping = allowlist_mod.apply(relpath, detected.uses, self.allowlist, self.today)
        # flake8 drops a note under a `# noqa` of line 1 as it drops any error; so does `shown`.
        if detected.line_one is not None:
            bookkeeping = [
                records.replace(n, status="noqa") if detected.line_one.silences(n.code) else n for n in bookkeeping
            ]
        return FileReport(relpath, tuple(marked), tuple(sorted(bookkeeping + list(detected.notes), key=_position)))

    def _finding(self, relpath: str, use: Use) -> Finding:
        rule = use.resolution.rule
        message = use_message(
            use.code,
            use.resolution.target,
            via=use.via,
            spelled=use.spelled,
            replacement=rule.replacement,
            advice=rule.message,
        )
        return Finding(
            path=relpath,
            line=use.line,
            col=use.col,
            code=use.code,
            message=message,
            rule=rule.name,
            target=use.resolution.target,
            scope=use.scope,
            end_line=use.end_line,
            end_col=use.end_col,
            form=use.form,
        )

    def _exempt_use(self, relpath: str, module: str, use: Use) -> bool:
        spec = self._exempt[use.resolution.rule.name]
        if spec is not None and spec.match_file(relpath):
            return True
        return self._defines(module, use.resolution)

    def _defines(self, module: str, resolution: Resolution) -> bool:
        """The file is one of the rule's deprecated modules (they go away together), part of
        one, or the module defining the deprecated name."""
        # A wildcard's owner is the module defining the name it matched.
        named = resolution.target if "*" in resolution.entry else split_argument(resolution.entry)[0]
        if module == self._owner(named):
            return True
        return any(self.deprecations.covers(entry, module) for entry in resolution.rule.deprecated)

    def _owner(self, entry: str) -> str | None:
        if entry not in self._owners:
            self._owners[entry] = self.index.owner(entry)
        return self._owners[entry]


DEEP_RECURSION_LIMIT = 30_000
"""How deep a file may nest once the ordinary limit was hit: a fresh thread, whose stack is
the same whichever face called, so that every face finds the same uses or none."""
DEEP_STACK = 512 * 1024 * 1024


def deep(func: Callable[[], T], failed: T) -> T:
    """``func()`` again in a thread with a large stack and a raised recursion limit, for
    sources nested deeper than Python's default allows (a 2,500-term sum); ``failed`` when
    even that is not deep enough."""
    import sys
    import threading

    outcome: list[T] = []

    def work() -> None:
        try:
            outcome.append(func())
        except RecursionError:
            pass

    limit = sys.getrecursionlimit()
    size = threading.stack_size()
    try:
        threading.stack_size(DEEP_STACK)
        sys.setrecursionlimit(max(limit, DEEP_RECURSION_LIMIT))
        thread = threading.Thread(target=work, name="flake8-ssot-deep")
        thread.start()
        thread.join()
    except (RuntimeError, ValueError, MemoryError):  # pragma: no cover - no thread of that size here
        pass
    finally:
        threading.stack_size(size)
        sys.setrecursionlimit(limit)
    return outcome[0] if outcome else failed


def _unused_noqa(relpath: str, noqa: NoqaMap, uses: list[Finding]) -> list[Finding]:
    # Codes by the comment that applies to them, so that a file with thousands of noqa'd uses
    # costs linear time, not comments x uses.
    silenced: dict[Noqa, list[str]] = {}
    for use in uses:
        comment = noqa.at(use.line)
        if comment is not None:
            silenced.setdefault(comment, []).append(use.code)
    notes = []
    for comment in noqa.comments():
        for code in comment.codes or ():
            if not code.startswith("SOT") or code.startswith("SOT9"):
                continue
            if not any(used.startswith(code) for used in silenced.get(comment, ())):
                status: Status = "noqa" if comment.silences("SOT903") else "new"
                notes.append(Finding(
                    relpath, comment.line, comment.col, "SOT903", bookkeeping_message("SOT903", detail=code),
                    status=status,
                ))
    return notes


# -- finding the project of a file -------------------------------------------------------


class Projects:
    """Projects by configuration file, found once per directory."""

    def __init__(
        self,
        *,
        allowlist_missing_ok: bool = False,
        partial: bool = False,
        cache: bool = True,
        cache_dir: str | None = None,
        python_environment: str | None = None,
    ) -> None:
        self._by_config: dict[Path, Project] = {}
        # Given on the command line (relative to the current directory): wins over the setting.
        self._environment = (
            os.path.abspath(python_environment) if python_environment else python_environment
        )
        self._allowlist_missing_ok = allowlist_missing_ok
        self._partial = partial
        self._cache = cache
        self._cache_dir = cache_dir

    def load(self, config_path: Path) -> Project:
        config_path = Path(os.path.abspath(config_path))
        project = self._by_config.get(config_path)
        if project is None:
            config = load_config(config_path)
            if self._environment is not None:
                config = records.replace(config, python_environment=self._environment)
            if not self._cache:
                config = records.replace(config, cache=False)
            elif self._cache_dir is not None:
                # One command-line location for several projects: a subdirectory each.
                import zlib

                digest = zlib.crc32(str(config.root).encode("utf-8", "surrogateescape"))
                sub = f"{config.root.name or 'root'}-{digest:08x}"
                config = records.replace(config, cache_dir=os.path.join(os.path.abspath(self._cache_dir), sub))
            project = self._by_config[config_path] = Project(
                config, allowlist_missing_ok=self._allowlist_missing_ok, partial=self._partial
            )
        return project

    @property
    def loaded(self) -> list[Project]:
        return list(self._by_config.values())

    def find(self, start: Path) -> Project | None:
        found = find_config(Path(os.path.abspath(start)))
        return self.load(found) if found is not None else None
