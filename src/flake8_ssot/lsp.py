"""The language server (pygls): each open buffer's findings as diagnostics, and code actions.

A thin face. A buffer's diagnostics are what `flake8-ssot check` reports for its file with the
buffer's text (:func:`flake8_ssot.check.unsaved`); the quick fixes are computed by
:mod:`flake8_ssot.actions`. The engine is not thread-safe and its first build of a project can
take seconds, so every call into it runs on one worker thread, in order, while the event loop
keeps answering the editor; a buffer changed again while queued is analyzed once, as it is then.
"""

from __future__ import annotations

import asyncio
import difflib
import os
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from flake8_ssot import __version__, actions, check, discovery, paths
from flake8_ssot.codes import USE_CODES, docs_url
from flake8_ssot.engine import FileReport, Project, Projects, split_lines
from flake8_ssot.model import Finding, SsotError

T = TypeVar("T")

SOURCE = "flake8-ssot"
SECTION = "flake8-ssot"
"""The settings' section: ``initializationOptions`` or ``workspace/configuration``."""
FIX_ALL = "source.fixAll.flake8-ssot"
ALLOW_COMMAND = "flake8-ssot.allow"
SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
DEFAULT_SEVERITY = "warning"
WATCHED = ("**/*.py", "**/*.toml", "**/setup.cfg", "**/tox.ini", "**/.flake8")
"""Files whose change may move the index, the configuration or the allowlist."""


@dataclass
class Linted:
    """A buffer as last analyzed: its version, text and lines, its project and report."""

    version: int | None
    text: str
    lines: list[str]
    project: Project | None
    report: FileReport | None
    fixes: dict[Finding | None, str | None] = field(default_factory=dict)
    """Per use (None: the whole file), the text `fix` writes for it (None: nothing)."""


class Server(LanguageServer):
    def __init__(self, config: str | None = None, python_environment: str | None = None) -> None:
        super().__init__("flake8-ssot", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.engine = ThreadPoolExecutor(1, thread_name_prefix="flake8-ssot-engine")
        self.config = config
        self.python_environment = python_environment
        """``--python-environment``, for every project as `check` takes it (None: each project's own)."""
        self.projects = Projects(python_environment=python_environment)
        """Touched on the engine thread only."""
        self.severity: dict[str, str] = {"": DEFAULT_SEVERITY}
        self.linted: dict[str, Linted] = {}
        self.shown_errors: set[str] = set()
        self.dirty: dict[str, None] = {}
        self.wake: asyncio.Event | None = None
        self.worker: asyncio.Task[None] | None = None
        self.generation = 0
        """Bumped by every refresh: an analysis begun before it is stale."""
        self.shut_down = False

    # -- the engine thread --------------------------------------------------------------------

    async def on_engine(self, func: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.engine, func, *args)

    def project_for(self, path: str) -> Project | None:
        if self.config is not None:
            return self.projects.load(Path(self.config))
        return self.projects.find(Path(os.path.dirname(os.path.abspath(path))))

    def analyze(self, project: Project, path: str, lines: list[str]) -> FileReport | None:
        return check.unsaved(project, project.relpath(path), lines)

    def forget(self) -> None:
        """Drop every project: the next analysis reads configuration, allowlist and index again
        (from the index cache, reading only what changed)."""
        discovery.forget()
        paths.forget()
        self.projects = Projects(python_environment=self.python_environment)

    # -- diagnostics ----------------------------------------------------------------------------

    def schedule(self, uri: str) -> None:
        self.dirty[uri] = None
        if self.wake is None:
            self.wake = asyncio.Event()
        self.wake.set()
        if self.worker is None or self.worker.done():
            self.worker = asyncio.get_running_loop().create_task(self.drain())

    async def drain(self) -> None:
        assert self.wake is not None
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.dirty:
                uri = next(iter(self.dirty))
                del self.dirty[uri]
                try:
                    await self.lint(uri)
                except Exception as e:  # pragma: no cover - a bug must cost one buffer, not the server
                    self.window_log_message(types.LogMessageParams(types.MessageType.Error, f"{uri}: {e!r}"))

    async def lint(self, uri: str) -> Linted | None:
        """Analyze the buffer as it is now and publish its diagnostics (an unparsable buffer keeps
        its last good ones)."""
        document = self.workspace.text_documents.get(uri)
        path = _path(uri)
        if document is None or path is None:
            return None
        version, text = document.version, document.source
        generation = self.generation
        lines = split_lines(text)
        try:
            project = await self.on_engine(self.project_for, path)
        except SsotError as e:
            self.config_error(e)
            return None
        report = None
        if project is not None:
            if not project.index.complete:
                await self.build(project)
            report = await self.on_engine(self.analyze, project, path, lines)
        current = self.workspace.text_documents.get(uri)
        if current is None or current.version != version or generation != self.generation:
            self.schedule(uri)  # changed meanwhile: once more, as it is now
            return None
        if report is not None and report.error is not None:
            return self.linted.get(uri)
        linted = self.linted[uri] = Linted(version, text, lines, project, report)
        self.publish(uri, linted)
        return linted

    async def build(self, project: Project) -> None:
        """Build the project's index on the engine thread, reporting progress if the client can show it."""
        token = None
        window = self.client_capabilities.window
        if window is not None and window.work_done_progress:
            token = f"flake8-ssot-index-{uuid.uuid4()}"
            try:
                await self.work_done_progress.create_async(token)
            except Exception:  # pragma: no cover - a client that refuses: build without a bar
                token = None
        if token is not None:
            self.work_done_progress.begin(
                token, types.WorkDoneProgressBegin(title="flake8-ssot", message=f"indexing {project.root}")
            )
        # One process: forking worker processes from a process with threads (the event loop's
        # reader, this engine thread) can leave a child holding a lock no thread will release.
        project.index.jobs = 1
        try:
            await self.on_engine(project.build_index)
        finally:
            if token is not None:
                self.work_done_progress.end(token, types.WorkDoneProgressEnd(message="indexed"))

    def publish(self, uri: str, linted: Linted) -> None:
        shown = linted.report.shown if linted.report is not None else []
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri, [self.diagnostic(linted.lines, f) for f in shown], linted.version,
        ))

    def diagnostic(self, lines: Sequence[str], finding: Finding) -> types.Diagnostic:
        return types.Diagnostic(
            range=self.range(lines, finding),
            message=finding.message,
            severity=SEVERITIES[self.severity_of(finding.code)],
            code=finding.code,
            code_description=types.CodeDescription(href=docs_url(finding.code)),
            source=SOURCE,
            tags=[types.DiagnosticTag.Deprecated] if finding.code in USE_CODES[:4] else None,
        )

    def range(self, lines: Sequence[str], finding: Finding) -> types.Range:
        """The use's span in the client's units (the engine counts UTF-8 bytes, as the AST does);
        a note without one spans its line."""
        start = self.position(lines, finding.line, finding.col)
        if finding.end_line:
            end = self.position(lines, finding.end_line, finding.end_col)
        else:
            text = lines[finding.line - 1].rstrip("\r\n") if 0 < finding.line <= len(lines) else ""
            end = self.position(lines, finding.line, len(text.encode("utf-8", "surrogatepass")))
        return types.Range(start, end)

    def position(self, lines: Sequence[str], line: int, byte_col: int) -> types.Position:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        chars = len(text.encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "replace"))
        return self.workspace.position_codec.position_to_client_units(lines, types.Position(line - 1, chars))

    def severity_of(self, code: str) -> str:
        prefix = max((p for p in self.severity if code.startswith(p)), key=len)
        return self.severity[prefix]

    # -- settings and messages ------------------------------------------------------------------

    def configure(self, settings: Any) -> None:
        """Take the ``severity`` setting: a level for every code, or levels by code prefix."""
        severity = settings.get("severity", DEFAULT_SEVERITY) if isinstance(settings, dict) else DEFAULT_SEVERITY
        table = {"": severity} if isinstance(severity, str) else severity
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v in SEVERITIES for k, v in table.items()
        ):
            self.show_once(
                f"{SECTION}: severity: expected one of {', '.join(SEVERITIES)}, or a table of code prefix = level",
                types.MessageType.Error,
            )
            return
        self.severity = {"": DEFAULT_SEVERITY, **table}

    def config_error(self, error: SsotError) -> None:
        self.show_once(f"flake8-ssot: {error}", types.MessageType.Error)

    def show_once(self, message: str, kind: types.MessageType) -> None:
        if message not in self.shown_errors:
            self.shown_errors.add(message)
            self.window_show_message(types.ShowMessageParams(kind, message))

    async def refresh(self, *, configuration: bool) -> None:
        """Something on disk changed: reload the projects, analyze every open buffer again."""
        self.generation += 1
        if configuration:
            self.shown_errors.clear()
        await self.on_engine(self.forget)
        for uri in list(self.workspace.text_documents):
            self.schedule(uri)

    # -- code actions -----------------------------------------------------------------------------

    async def current(self, uri: str) -> Linted | None:
        """The buffer analyzed as it is now (the last analysis, if it is of this version)."""
        document = self.workspace.text_documents.get(uri)
        linted = self.linted.get(uri)
        if document is None:
            return None
        if linted is not None and linted.version == document.version:
            return linted
        return await self.lint(uri)

    def fixed_text(self, linted: Linted, only: Finding | None) -> str | None:
        """Engine thread: what `fix` writes for the buffer (for one use), remembered per version."""
        if only not in linted.fixes:
            assert linted.project is not None and linted.report is not None
            try:
                linted.fixes[only] = actions.rewritten(linted.project, linted.report, linted.text, only)
            except (ImportError, SsotError):
                linted.fixes[only] = None
        return linted.fixes[only]

    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        linted = await self.current(uri)
        if linted is None or linted.report is None or linted.project is None:
            return []
        wanted = params.context.only
        found: list[types.CodeAction] = []
        if wanted is None or any(types.CodeActionKind.QuickFix.value.startswith(k) for k in wanted):
            for finding in linted.report.shown:
                if finding.code in USE_CODES and _overlaps(self.range(linted.lines, finding), params.range):
                    found += await self.quick_fixes(uri, linted, finding)
        if wanted is None or any(FIX_ALL.startswith(k) for k in wanted):
            action = types.CodeAction(
                "Fix all SOT uses in this file", kind=FIX_ALL, data={"uri": uri, "version": linted.version}
            )
            if self.resolves_edits():
                found.append(action)
            else:
                resolved = await self.resolve(action)
                if resolved.edit is not None:
                    found.append(resolved)
        return found

    async def quick_fixes(self, uri: str, linted: Linted, finding: Finding) -> list[types.CodeAction]:
        assert linted.project is not None
        diagnostic = self.diagnostic(linted.lines, finding)
        found = []
        new = await self.on_engine(self.fixed_text, linted, finding)
        if new is not None:
            rule = linted.project.config.rule(finding.rule)
            to = rule.replacement if rule is not None and rule.replacement else "what flake8-ssot fix writes"
            found.append(_quick_fix(f"Replace with {to}", diagnostic, edits=self.edits(linted, new), uri=uri))
        where = actions.noqa_edit(linted.lines, finding)
        if where is not None:
            line, col, text = where
            at = self.position(linted.lines, line + 1, len(linted.lines[line][:col].encode("utf-8", "surrogatepass")))
            found.append(_quick_fix(
                f"Add `# noqa: {finding.code}`", diagnostic, edits=[types.TextEdit(types.Range(at, at), text)], uri=uri
            ))
        if actions.allowable(finding):
            name = actions.allowlist_name(linted.project)
            found.append(_quick_fix(
                f"Allow in {name}", diagnostic,
                command=types.Command(title=f"Allow in {name}", command=ALLOW_COMMAND, arguments=[uri, finding.rule]),
            ))
        return found

    def edits(self, linted: Linted, new: str) -> list[types.TextEdit]:
        """The changed line runs of the buffer, as edits in the client's units."""
        old_lines, new_lines = linted.lines, split_lines(new)
        found = []
        matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            start = types.Position(i1, 0)
            if i2 == len(old_lines) and old_lines and not old_lines[-1].endswith("\n"):
                last = old_lines[-1]
                end = self.position(old_lines, len(old_lines), len(last.encode("utf-8", "surrogatepass")))
            else:
                end = types.Position(i2, 0)
            found.append(types.TextEdit(types.Range(start, end), "".join(new_lines[j1:j2])))
        return found

    def resolves_edits(self) -> bool:
        text = self.client_capabilities.text_document
        action = text.code_action if text is not None else None
        support = action.resolve_support if action is not None else None
        return support is not None and "edit" in support.properties

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri", "")
        linted = await self.current(uri)
        if linted is None or linted.version != data.get("version") or linted.report is None:
            return action
        new = await self.on_engine(self.fixed_text, linted, None)
        if new is not None:
            action.edit = types.WorkspaceEdit(changes={uri: self.edits(linted, new)})
        return action

    async def allow(self, uri: str, rule: str) -> None:
        linted = await self.current(uri)
        if linted is None or linted.project is None or linted.report is None:
            return
        try:
            await self.on_engine(actions.allow, linted.project, linted.report, rule)
        except SsotError as e:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"flake8-ssot: {e}"))
            return
        await self.refresh(configuration=False)


def _quick_fix(
    title: str, diagnostic: types.Diagnostic, *, edits: list[types.TextEdit] | None = None,
    uri: str = "", command: types.Command | None = None,
) -> types.CodeAction:
    edit = types.WorkspaceEdit(changes={uri: edits}) if edits is not None else None
    return types.CodeAction(
        title, kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic], edit=edit, command=command
    )


def _path(uri: str) -> str | None:
    return to_fs_path(uri) if uri.startswith("file:") else None


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return p.line, p.character

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _config_file(uri: str) -> bool:
    return not uri.endswith(".py")


def build(config: str | None = None, python_environment: str | None = None) -> Server:
    """The server with its handlers."""
    server = Server(config, python_environment)

    @server.feature(types.INITIALIZE)
    def initialize(ls: Server, params: types.InitializeParams) -> None:
        ls.configure(params.initialization_options or {})

    @server.feature(types.INITIALIZED)
    async def initialized(ls: Server, params: types.InitializedParams) -> None:
        workspace = ls.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace is not None else None
        if watched is not None and watched.dynamic_registration:
            await ls.client_register_capability_async(types.RegistrationParams([types.Registration(
                "flake8-ssot-watched", types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                types.DidChangeWatchedFilesRegistrationOptions([types.FileSystemWatcher(g) for g in WATCHED]),
            )]))
        if workspace is not None and workspace.configuration:
            await pull_settings(ls)

    async def pull_settings(ls: Server) -> None:
        try:
            found = await ls.workspace_configuration_async(
                types.ConfigurationParams([types.ConfigurationItem(section=SECTION)])
            )
        except Exception:  # pragma: no cover - a client that cannot answer: keep the settings
            return
        if found and isinstance(found[0], dict):
            ls.configure(found[0])

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def changed_configuration(ls: Server, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get(SECTION), dict):
            ls.configure(settings[SECTION])
        else:
            workspace = ls.client_capabilities.workspace
            if workspace is not None and workspace.configuration:
                await pull_settings(ls)
        for uri, linted in list(ls.linted.items()):
            if uri in ls.workspace.text_documents:
                ls.publish(uri, linted)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: Server, params: None) -> None:
        ls.shut_down = True

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: Server, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: Server, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: Server, params: types.DidSaveTextDocumentParams) -> None:
        await ls.refresh(configuration=_config_file(params.text_document.uri))

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: Server, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.linted.pop(uri, None)
        ls.dirty.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: Server, params: types.DidChangeWatchedFilesParams) -> None:
        await ls.refresh(configuration=any(_config_file(c.uri) for c in params.changes))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True),
    )
    async def code_action(ls: Server, params: types.CodeActionParams) -> list[types.CodeAction]:
        return await ls.code_actions(params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: Server, action: types.CodeAction) -> types.CodeAction:
        return await ls.resolve(action)

    @server.command(ALLOW_COMMAND)
    async def allow(ls: Server, uri: str, rule: str) -> None:
        await ls.allow(uri, rule)

    return server


def serve(config: str | None = None, python_environment: str | None = None) -> int:
    """Run the server on stdin and stdout until the client says ``exit``."""
    server = build(config, python_environment)
    server.start_io()
    # The engine thread may be building an index still: an editor that said exit waits for nothing.
    server.engine.shutdown(wait=False, cancel_futures=True)
    return 0 if server.shut_down else 1
