"""Per-file findings kept between CLI runs, so that unchanged files are not analyzed again.

What :meth:`Project.detect` finds in a file depends on its own text, on the modules its
names were resolved through, and on project-wide facts (rules, identifiers, which modules
own the deprecated names). Each entry records the first two with their stat (see
:data:`flake8_ssot.cache.Stat`: a same-size edit that puts the old mtime back still counts),
the third as the cache's key; an entry is reused only while all of them hold, so an edit to a
re-exporting module re-analyzes exactly the files that resolved names through it. The
allowlist and today's date are applied afresh on every run (see :meth:`Project.judge`).

Each entry also records a digest of the file's decoded text. `check` recognises an unchanged
file by its stat from the walk, without reading it; the flake8 plugin, which is
handed the text, by the digest, so that it can never take another text's findings, whatever
the file's timestamps say (see :class:`PluginResults`). A file that changed within a
timestamp tick of being read is recorded as :data:`flake8_ssot.cache.UNSETTLED`: its stat
might not change again with its content, so no later run takes it for unchanged.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from flake8_ssot import __version__, cache, sources
from flake8_ssot.engine import Detected, Project, decode_source
from flake8_ssot.model import Finding
from flake8_ssot.noqa import Noqa, file_is_ignored
from flake8_ssot.paths import is_inside

if TYPE_CHECKING:
    import ast

RESULTS_CACHE = "results.json"
_FORMAT = 5

Entry = dict[str, Any]


def key(project: Project) -> list[Any]:
    """Everything besides a file's own dependencies that its findings depend on."""
    index = project.index
    config = project.config
    rules = [[r.name, list(r.deprecated), r.replacement, r.message, list(r.exempt)] for r in config.rules]
    owners = [[entry, index.owner(entry)] for entry in sorted(index.deprecations.entries)]
    members = [[name, sorted(entries)] for name, entries in sorted(index.deprecations.by_last.items())]
    material = [_FORMAT, __version__, cache.code_stamp(), rules, list(config.src), list(config.exclude),
                sorted(index.prefilter.identifiers), owners, members, index.python_path]
    result: list[Any] = json.loads(json.dumps(material))
    return result


def digest(text: str) -> str:
    """A digest of a file's decoded text (BLAKE2b, 128 bits)."""
    try:
        # The built-in module: hashlib would load OpenSSL, a tenth of an editor run's plugin cost.
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def detect(project: Project, relpath: str) -> tuple[Detected, Entry | None]:
    """What :meth:`Project.detect_file` finds, and the cache entry recording what it depended on."""
    index = project.index
    stat = index.stat(relpath) if is_inside(relpath) else None
    with index.tracking() as deps:
        found, text = _detect_file(project, relpath)
    if stat is None or (found.error or "").startswith("cannot read"):
        return found, None
    return found, _entry(project, relpath, found, deps, stat, None if text is None else digest(text))


def _detect_file(project: Project, relpath: str) -> tuple[Detected, str | None]:
    """:meth:`Project.detect_file`, and the text it analyzed when it is what flake8 hands the plugin.

    A file Python decodes, which does not opt out of flake8, is analyzed exactly as the plugin
    analyzes the lines flake8 read (:meth:`Project.detect`); any other goes the general way.
    """
    path = relpath if os.path.isabs(relpath) else os.path.join(project.root, relpath)
    data = cache.read_source(path)
    if data is not None:
        try:
            lines = decode_source(data)
        except (UnicodeDecodeError, SyntaxError):
            pass
        else:
            if not file_is_ignored(lines):
                return project.detect(relpath, lines), "".join(lines)
    return project.detect_file(relpath), None


def _entry(project: Project, relpath: str, found: Detected, deps: Any, stat: cache.Stat | None,
           text_digest: str | None) -> Entry:
    """``stat``: the file's, taken before it was read (None: it cannot be recognised by stat)."""
    index = project.index
    # Every read happened before now: judging their stats against now errs on the safe side.
    now = time.time_ns()
    return {
        "s": cache.settled(stat, now),
        "h": text_digest,
        "m": index.module_of(relpath),
        "modules": deps.modules,
        "x": deps.external,
        "files": {rel: cache.settled(index.summary_stat(rel), now) for rel in sorted(deps.files)},
        "d": _dump(found),
    }


class ResultCache:
    """The entries of ``results.json`` written for this project's current key."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.enabled = project.config.cache
        self.key = key(project) if self.enabled else []
        data = cache.load(project.root, RESULTS_CACHE, self.key) if self.enabled else None
        entries = data.get("files") if data else None
        self.entries: dict[str, Entry] = entries if isinstance(entries, dict) else {}
        self.changed = False

    def get(self, relpath: str) -> Detected | None:
        """The cached findings when neither the file nor anything it resolved through changed."""
        entry = self.entries.get(relpath)
        if entry is None:
            return None
        try:
            if entry["s"] is None or tuple(entry["s"]) != self.project.index.stat(relpath):
                return None
            return self._valid(relpath, entry)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None  # a damaged entry is a missing one

    def get_text(self, relpath: str, text_digest: str) -> Detected | None:
        """The cached findings for this very text, when nothing it resolved through changed."""
        entry = self.entries.get(relpath)
        if entry is None:
            return None
        try:
            if entry["h"] != text_digest:
                return None
            return self._valid(relpath, entry)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def _valid(self, relpath: str, entry: Entry) -> Detected | None:
        index = self.project.index
        if entry["m"] != index.module_of(relpath):
            return None
        for module, found in entry["modules"].items():
            if index.module_file(module) != found:
                return None
        for module, found in entry["x"].items():
            if sources.source_of(module, index.python_path) != found:
                return None  # another environment: installed, uninstalled or elsewhere
        for rel, stat in entry["files"].items():
            current = index.stat(rel)
            if stat is None or current is None or tuple(stat) != current:
                return None
        return _load(relpath, entry["d"])

    def put(self, relpath: str, entry: Entry | None) -> None:
        if entry is not None and self.enabled:
            self.entries[relpath] = entry
            self.changed = True

    def save(self) -> None:
        if not (self.enabled and self.changed):
            return
        index = self.project.index
        if index.complete:
            self.entries = {rel: e for rel, e in self.entries.items() if rel in index.files}
        cache.save(self.project.root, RESULTS_CACHE, self.key, {"files": dict(sorted(self.entries.items()))})
        self.changed = False


class PluginResults:
    """The results cache as the flake8 plugin uses it, in one flake8 run.

    A file whose text, module and dependencies match an entry (written by `check` or by an
    earlier flake8 run) is not parsed; any other is analyzed and its entry recorded. flake8's
    worker processes cannot hand entries back: each appends them to a journal of its own in
    the cache directory, which the process that loaded the cache merges when the run ends
    (:meth:`finish`).

    An entry the plugin records carries the file's stat for `check` only when the
    file did not change between the stat taken before flake8 read it and one taken after:
    the text flake8 read is then the text with that stat.
    """

    def __init__(self, project: Project, targets: Sequence[str] | None = None) -> None:
        self.project = project
        self.store = ResultCache(project)
        self.owner = os.getpid()
        # Stats from before flake8 read anything: the walk's, or the named files' own.
        self.before = {} if targets is None else {rel: project.index.stat(rel) for rel in targets}
        self._journal: int | None = None
        self._journal_failed = False
        self._key_digest = digest(json.dumps(self.store.key))

    def detect(self, relpath: str, lines: Sequence[str], tree: ast.Module | None, *, on_disk: bool) -> Detected:
        text = "".join(lines)
        text_digest = digest(text)
        cached = self.store.get_text(relpath, text_digest) if self.store.enabled else None
        if cached is not None:
            return cached
        index = self.project.index
        with index.tracking() as deps:
            found = self.project.detect(relpath, lines, tree)
        if self.store.enabled and is_inside(relpath):
            stat = None
            if on_disk:
                before = index.files.get(relpath) if index.complete else self.before.get(relpath)
                now = cache.stat_of(os.path.join(self.project.root, relpath))
                stat = before if before is not None and before == now else None
            self._record(relpath, _entry(self.project, relpath, found, deps, stat, text_digest))
        return found

    def _record(self, relpath: str, entry: Entry) -> None:
        if os.getpid() == self.owner:
            self.store.put(relpath, entry)
            return
        if self._journal is None:
            if self._journal_failed:
                return
            try:
                directory = cache.directory(self.project.root)
                os.makedirs(directory, exist_ok=True)
                name = f"{_JOURNAL}{self.owner}-{os.getpid()}.jsonl"
                self._journal = os.open(os.path.join(directory, name), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            except OSError:
                self._journal_failed = True
                return
        line = json.dumps([self._key_digest, relpath, entry], separators=(",", ":")) + "\n"
        try:
            os.write(self._journal, line.encode())  # unbuffered: a worker ends without cleaning up
        except OSError:
            pass

    def finish(self) -> None:
        """Merge what the workers recorded and save the cache; the loading process only."""
        if os.getpid() != self.owner or not self.store.enabled:
            return
        directory = cache.directory(self.project.root)
        try:
            journals = [n for n in os.listdir(directory) if n.startswith(f"{_JOURNAL}{self.owner}-")]
        except OSError:
            journals = []
        for name in journals:
            path = os.path.join(directory, name)
            for raw in (cache.read_source(path) or b"").splitlines():
                try:
                    key, relpath, entry = json.loads(raw)
                except ValueError:
                    continue  # a line cut short
                if key == self._key_digest and isinstance(relpath, str) and isinstance(entry, dict):
                    self.store.put(relpath, entry)
            try:
                os.unlink(path)
            except OSError:
                pass
        self.store.save()


_JOURNAL = ".journal-"


def _dump(found: Detected) -> dict[str, Any]:
    def row(f: Finding) -> list[Any]:
        return [f.line, f.col, f.code, f.message, f.rule, f.target, f.scope, f.end_line, f.end_col, f.form, f.status]

    return {
        "u": [row(f) for f in found.uses],
        "n": [row(f) for f in found.notes],
        "e": found.error,
        "i": found.ignored,
        "q": None if found.line_one is None else [found.line_one.line, found.line_one.col, found.line_one.codes],
    }


def _load(relpath: str, data: dict[str, Any]) -> Detected:
    def finding(row: list[Any]) -> Finding:
        line, col, code, message, rule, target, scope, end_line, end_col, form, status = row
        if status not in ("new", "noqa", "allowed", "expired"):
            raise ValueError(status)
        return Finding(relpath, line, col, code, message, rule, target, scope, end_line, end_col, form, status)

    return Detected(
        uses=tuple(finding(r) for r in data["u"]),
        notes=tuple(finding(r) for r in data["n"]),
        error=data["e"],
        ignored=bool(data["i"]),
        line_one=_noqa(data["q"]),
    )


def _noqa(data: list[Any] | None) -> Noqa | None:
    if data is None:
        return None
    line, col, codes = data
    return Noqa(int(line), int(col), None if codes is None else tuple(str(c) for c in codes))
