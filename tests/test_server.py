"""`flake8-ssot server`, driven over stdio by a real LSP client (pytest-lsp), as an editor drives it.

Each test starts the installed console script, opens unsaved buffers and compares what the
server publishes and offers with what `flake8-ssot check` and `flake8-ssot fix` print and write.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import register_lsp_features

from conftest import run_cli, write_tree

BIN = Path(sys.executable).parent
TIMEOUT = 60.0
DOCS = "https://github.com/flake8-ssot/flake8-ssot/blob/main/docs/codes/"

PROJECT = {
    "pyproject.toml": """
        [tool.flake8-ssot]
        allowlist = "ssot-allowlist.toml"

        [[tool.flake8-ssot.rules]]
        name = "factory"
        deprecated = ["legacy.factory"]
        replacement = "core.ws.Manager.create_for_user"

        [[tool.flake8-ssot.rules.fix]]
        pattern = "get_factory().create_for_user($ctx)"
        replace = "Manager.create_for_user($ctx)"

        [[tool.flake8-ssot.rules]]
        name = "settings"
        deprecated = ["legacy.settings.get_config"]
        replacement = "core.settings.load"
        exempt = ["generated/**"]
    """,
    "ssot-allowlist.toml": """
        [[allow]]
        path = "app/old.py"
        rule = "factory"
        reason = "migrated in PLAT-12"
    """,
    "legacy/__init__.py": "",
    "legacy/factory.py": """
        class Factory:
            def create_for_user(self, ctx):
                return ctx


        def get_factory():
            return Factory()
    """,
    "legacy/settings.py": "def get_config():\n    return {}\n",
    "core/__init__.py": "",
    "core/ws.py": """
        class Manager:
            @classmethod
            def create_for_user(cls, ctx):
                return cls()
    """,
    "core/settings.py": "def load():\n    return {}\n",
    "app/__init__.py": "",
    "app/old.py": "VALUE = 1\n",
}

# An unsaved buffer: app/views.py does not exist on disk.
BUFFER = """\
from legacy.factory import get_factory
from legacy.settings import get_config


def handler(ctx):
    manager = get_factory().create_for_user(ctx)
    return manager, get_config()
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write_tree(root, PROJECT)
    return root


def converter() -> Any:
    """lsprotocol's, but a code action carrying a command (its ``command`` an object, not a
    string) is read as the code action it is: lsprotocol reads any result with a ``command``
    key as a bare Command, as no editor does."""
    found = default_converter()

    def structure(value: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(value.get("command"), str):
            return found.structure(value, types.Command)  # type: ignore[no-any-return]
        return found.structure(value, types.CodeAction)  # type: ignore[no-any-return]

    found.register_structure_hook(types.Command | types.CodeAction, structure)
    return found


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=converter)
    register_lsp_features(client)
    return client


@pytest_lsp.fixture(config=ClientServerConfig(
    server_command=[str(BIN / "flake8-ssot"), "server"], client_factory=make_client
))
async def client(lsp_client: LanguageClient, project: Path) -> AsyncIterator[None]:
    registrations: list[types.Registration] = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    capabilities = pytest_lsp.client_capabilities("visual-studio-code")
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=capabilities, root_uri=project.parent.as_uri(),
        workspace_folders=[types.WorkspaceFolder(project.parent.as_uri(), "workspace")],
    ))
    yield
    await lsp_client.shutdown_session()


async def published(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """The next diagnostics the server publishes for ``uri``."""
    while True:
        params = await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), TIMEOUT
        )
        if params.uri == uri:
            return list(params.diagnostics)


async def open_buffer(client: LanguageClient, path: Path, text: str) -> list[types.Diagnostic]:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
    ))
    return await published(client, uri)


async def change(client: LanguageClient, path: Path, text: str, version: int) -> list[types.Diagnostic]:
    uri = path.as_uri()
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(version=version, uri=uri),
        [types.TextDocumentContentChangeWholeDocument(text=text)],
    ))
    return await published(client, uri)


def replace_file(path: Path, text: str) -> None:
    """Write a file in one rename, as editors save: the server never reads it half-written."""
    new = path.with_name(path.name + ".new")
    new.write_text(text)
    new.replace(path)


def shown(diagnostics: list[types.Diagnostic]) -> list[str]:
    """Diagnostics as `check` prints findings: line:col: CODE message (1-based)."""
    return [f"{d.range.start.line + 1}:{d.range.start.character + 1}: {d.code} {d.message}" for d in diagnostics]


def check_output(project: Path, relpath: str, text: str) -> list[str]:
    """What `flake8-ssot check` prints for ``text`` as the file ``relpath``."""
    result = run_cli("flake8-ssot", "check", "--stdin-filename", relpath, "-", cwd=project, stdin=text)
    return [line.split(":", 1)[1] for line in result.stdout.splitlines()]


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply an editor's text edits (ASCII text: characters are UTF-16 units)."""
    lines = text.splitlines(keepends=True)

    def offset(p: types.Position) -> int:
        return sum(len(line) for line in lines[: p.line]) + p.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


async def actions(client: LanguageClient, path: Path, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    found = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(path.as_uri()), diagnostic.range,
        types.CodeActionContext(diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]),
    ))
    return [a for a in found or [] if isinstance(a, types.CodeAction)]


def fix_writes(project: Path, relpath: str, text: str) -> str:
    """What `flake8-ssot fix` writes for ``text`` as the file ``relpath`` (in a copy of the project)."""
    path = project / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    try:
        result = run_cli("flake8-ssot", "fix", relpath, cwd=project)
        assert result.returncode == 0, result.stderr
        return path.read_text()
    finally:
        path.unlink()


@pytest.mark.asyncio
async def test_an_unsaved_buffer_gets_what_check_prints(client: LanguageClient, project: Path) -> None:
    path = project / "app" / "views.py"
    diagnostics = await open_buffer(client, path, BUFFER)
    assert shown(diagnostics) == check_output(project, "app/views.py", BUFFER) == [
        "1:28: SOT001 import of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user",
        "2:29: SOT001 import of deprecated legacy.settings.get_config; use core.settings.load",
        "6:15: SOT002 call of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user",
        "7:21: SOT002 call of deprecated legacy.settings.get_config; use core.settings.load",
    ]
    first = diagnostics[0]
    assert (first.range.end, first.severity, first.source, first.code_description, first.tags) == (
        types.Position(0, 38), types.DiagnosticSeverity.Warning, "flake8-ssot",
        types.CodeDescription(DOCS + "SOT001.md"), (types.DiagnosticTag.Deprecated,),
    )
    assert not path.exists()


@pytest.mark.asyncio
async def test_the_allowlist_exempt_and_noqa_count(client: LanguageClient, project: Path) -> None:
    # Allowlisted file: grandfathered; an exempt one: nothing; a noqa'd line: silenced, and an
    # unused noqa is SOT903, as `check` reports them.
    assert shown(await open_buffer(client, project / "app" / "old.py", BUFFER)) == [
        "2:29: SOT001 import of deprecated legacy.settings.get_config; use core.settings.load",
        "7:21: SOT002 call of deprecated legacy.settings.get_config; use core.settings.load",
    ]
    buffer = BUFFER.replace("get_config()\n", "get_config()  # noqa: SOT002\n") + "X = 1  # noqa: SOT001\n"
    assert shown(await open_buffer(client, project / "generated" / "api.py", buffer)) == check_output(
        project, "generated/api.py", buffer
    ) == [
        "1:28: SOT001 import of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user",
        "6:15: SOT002 call of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user",
        "7:35: SOT903 unused noqa: no SOT002 use on this line",
        "8:8: SOT903 unused noqa: no SOT001 use on this line",
    ]
    assert shown(await open_buffer(client, project / "app" / "noqa.py", buffer)) == check_output(
        project, "app/noqa.py", buffer
    ) == [
        "1:28: SOT001 import of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user",
        "2:29: SOT001 import of deprecated legacy.settings.get_config; use core.settings.load",
        "6:15: SOT002 call of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user",
        "8:8: SOT903 unused noqa: no SOT001 use on this line",
    ]


@pytest.mark.asyncio
async def test_each_change_is_analyzed_and_a_broken_buffer_keeps_its_diagnostics(
    client: LanguageClient, project: Path
) -> None:
    path = project / "app" / "views.py"
    await open_buffer(client, path, BUFFER)
    edited = BUFFER.replace("    return manager, get_config()\n", "    return manager\n")
    assert shown(await change(client, path, edited, 2)) == check_output(project, "app/views.py", edited)
    # Half-typed code does not parse: the last good diagnostics stay, nothing is published.
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(version=3, uri=path.as_uri()),
        [types.TextDocumentContentChangeWholeDocument(text=edited + "def broken(:\n")],
    ))
    again = edited + "get_config()\n"
    diagnostics = await change(client, path, again, 4)
    assert shown(diagnostics) == check_output(project, "app/views.py", again)
    assert list(client.diagnostics[path.as_uri()]) == diagnostics  # the broken version published nothing


@pytest.mark.parametrize(("pick", "expected"), [
    pytest.param(0, [
        "SOT001 Replace with core.ws.Manager.create_for_user", "SOT001 Replace with core.settings.load",
    ], id="first diagnostic first"),
    pytest.param(-1, [
        "SOT002 Replace with core.settings.load", "SOT002 Replace with core.ws.Manager.create_for_user",
    ], id="last diagnostic first"),
])
@pytest.mark.asyncio
async def test_quick_fixes_rewrite_as_fix_writes(
    client: LanguageClient, project: Path, pick: int, expected: list[str]
) -> None:
    path = project / "app" / "views.py"
    text = BUFFER
    diagnostics = await open_buffer(client, path, text)
    version = 1
    titles = []
    # Each quick fix in turn, as long as one offers a rewrite: the uses it leaves, then its imports.
    while True:
        offered = [(d, a) for d in diagnostics for a in await actions(client, path, d) if a.title.startswith("Replace")]
        if not offered:
            break
        diagnostic, action = offered[pick]
        titles.append(f"{diagnostic.code} {action.title}")
        assert action.edit is not None and action.edit.changes is not None
        text = apply(text, list(action.edit.changes[path.as_uri()]))
        version += 1
        diagnostics = await change(client, path, text, version)
    # A use's quick fix rewrites the uses of its deprecated name: its import goes with its call.
    assert titles == expected
    assert text == fix_writes(project, "app/views.py", BUFFER) == (
        "from core.ws import Manager\n"
        "from core.settings import load\n\n\n"
        "def handler(ctx):\n"
        "    manager = Manager.create_for_user(ctx)\n"
        "    return manager, load()\n"
    )
    assert diagnostics == []


@pytest.mark.asyncio
async def test_fix_all_writes_what_fix_writes(client: LanguageClient, project: Path) -> None:
    path = project / "app" / "views.py"
    await open_buffer(client, path, BUFFER)
    found = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(path.as_uri()), types.Range(types.Position(0, 0), types.Position(0, 0)),
        types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
    ))
    assert [a.title for a in found or [] if isinstance(a, types.CodeAction)] == ["Fix all SOT uses in this file"]
    action = found[0]
    assert isinstance(action, types.CodeAction) and action.edit is None  # resolved lazily
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is not None and resolved.edit.changes is not None
    text = apply(BUFFER, list(resolved.edit.changes[path.as_uri()]))
    assert text == fix_writes(project, "app/views.py", BUFFER)
    assert shown(await change(client, path, text, 2)) == check_output(project, "app/views.py", text)


@pytest.mark.asyncio
async def test_noqa_quick_fix(client: LanguageClient, project: Path) -> None:
    path = project / "app" / "views.py"
    diagnostics = await open_buffer(client, path, BUFFER)
    text = BUFFER
    for diagnostic in [d for d in diagnostics if d.range.start.line == 6] + [diagnostics[0]]:
        (action,) = [a for a in await actions(client, path, diagnostic) if a.title.startswith("Add")]
        assert action.title == f"Add `# noqa: {diagnostic.code}`"
        assert action.edit is not None and action.edit.changes is not None
        text = apply(text, list(action.edit.changes[path.as_uri()]))
    assert text.splitlines()[0] == "from legacy.factory import get_factory  # noqa: SOT001"
    assert text.splitlines()[6] == "    return manager, get_config()  # noqa: SOT002"
    assert [d.code for d in await change(client, path, text, 2)] == ["SOT001", "SOT002"]


@pytest.mark.asyncio
async def test_allow_quick_fix_writes_the_allowlist(client: LanguageClient, project: Path) -> None:
    path = project / "app" / "views.py"
    diagnostics = await open_buffer(client, path, BUFFER)
    call = next(d for d in diagnostics if d.code == "SOT002" and "settings" in d.message)
    (action,) = [a for a in await actions(client, path, call) if a.title.startswith("Allow")]
    assert action.title == "Allow in ssot-allowlist.toml" and action.command is not None
    await client.workspace_execute_command_async(types.ExecuteCommandParams(
        action.command.command, action.command.arguments
    ))
    # The server refreshes the open buffers after writing the allowlist.
    assert shown(await published(client, path.as_uri())) == [
        "1:28: SOT001 import of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user",
        "6:15: SOT002 call of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user",
    ]
    assert (project / "ssot-allowlist.toml").read_text() == (
        '[[allow]]\npath = "app/old.py"\nrule = "factory"\nreason = "migrated in PLAT-12"\n\n'
        '[[allow]]\npath = "app/views.py"\nrule = "settings"\nuses."<module>" = 1\nuses.handler = 1\n'
    )


@pytest.mark.asyncio
async def test_a_configuration_change_refreshes_open_buffers(client: LanguageClient, project: Path) -> None:
    path = project / "app" / "views.py"
    await open_buffer(client, path, BUFFER)
    config = project / "pyproject.toml"
    replace_file(config, config.read_text().replace('exempt = ["generated/**"]', 'exempt = ["app/**"]'))
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(config.as_uri(), types.FileChangeType.Changed)]
    ))
    assert [d.message for d in await published(client, path.as_uri())] == [
        "import of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user",
        "call of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user",
    ]


@pytest.mark.asyncio
async def test_a_new_reexport_on_disk_refreshes_open_buffers(client: LanguageClient, project: Path) -> None:
    path = project / "app" / "views.py"
    buffer = "from app import helpers\n\nhelpers.get_config()\n"
    assert await open_buffer(client, path, buffer) == []
    helpers = project / "app" / "helpers.py"
    replace_file(helpers, "from legacy.settings import get_config\n")
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(helpers.as_uri())))
    assert shown(await published(client, path.as_uri())) == check_output(project, "app/views.py", buffer) == [
        "3:1: SOT002 call of deprecated legacy.settings.get_config (as app.helpers.get_config); use core.settings.load",
    ]


@pytest.mark.asyncio
async def test_a_broken_configuration_is_one_message(client: LanguageClient, project: Path) -> None:
    path, other = project / "app" / "views.py", project / "app" / "other.py"
    good = await open_buffer(client, path, BUFFER)
    config = project / "pyproject.toml"
    text = config.read_text()
    replace_file(config, text.replace('name = "settings"', 'name = "settings"\nreplacment = "x"'))
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(config.as_uri(), types.FileChangeType.Changed)]
    ))
    message = await asyncio.wait_for(client.wait_for_notification(types.WINDOW_SHOW_MESSAGE), TIMEOUT)
    # Another buffer of the project, and more edits: the same error is not shown again.
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=other.as_uri(), language_id="python", version=1, text=BUFFER)
    ))
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(version=2, uri=path.as_uri()),
        [types.TextDocumentContentChangeWholeDocument(text=BUFFER + "\n")],
    ))
    replace_file(config, text)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(config.as_uri(), types.FileChangeType.Changed)]
    ))
    assert await published(client, other.as_uri()) == good
    assert [(m.type, m.message) for m in client.messages] == [(message.type, message.message)] == [(
        types.MessageType.Error,
        f"flake8-ssot: {config}: tool.flake8-ssot.rules[1].replacment: unknown key (expected one of: deprecated, "
        "exempt, fix, message, name, replacement)",
    )]
    assert list(client.diagnostics[path.as_uri()]) == good  # kept while the configuration was broken


@pytest.mark.asyncio
async def test_two_projects_of_a_monorepo(client: LanguageClient, project: Path) -> None:
    other = project.parent / "svc"
    write_tree(other, {
        "pyproject.toml": """
            [tool.flake8-ssot]

            [[tool.flake8-ssot.rules]]
            name = "old-http"
            deprecated = ["svc.http.get"]
            replacement = "svc.client.fetch"
        """,
        "svc/__init__.py": "",
        "svc/http.py": "def get(url):\n    return url\n",
    })
    buffer = "from svc.http import get\nfrom legacy.factory import get_factory\n"
    first = await open_buffer(client, project / "app" / "a.py", buffer)
    second = await open_buffer(client, other / "svc" / "b.py", buffer)
    assert shown(first) == check_output(project, "app/a.py", buffer) == [
        "2:28: SOT001 import of deprecated legacy.factory.get_factory; use core.ws.Manager.create_for_user",
    ]
    assert shown(second) == check_output(other, "svc/b.py", buffer) == [
        "1:22: SOT001 import of deprecated svc.http.get; use svc.client.fetch",
    ]


@pytest.mark.asyncio
async def test_severity_is_a_setting(client: LanguageClient, project: Path) -> None:
    path = project / "app" / "views.py"
    buffer = BUFFER + "X = 1  # noqa: SOT003\n"
    found = await open_buffer(client, path, buffer)
    assert {d.severity for d in found} == {types.DiagnosticSeverity.Warning}
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        {"flake8-ssot": {"severity": {"SOT": "error", "SOT9": "hint", "SOT002": "information"}}}
    ))
    assert [(d.code, d.severity) for d in await published(client, path.as_uri())] == [
        ("SOT001", types.DiagnosticSeverity.Error),
        ("SOT001", types.DiagnosticSeverity.Error),
        ("SOT002", types.DiagnosticSeverity.Information),
        ("SOT002", types.DiagnosticSeverity.Information),
        ("SOT903", types.DiagnosticSeverity.Hint),
    ]
    # Pulled through workspace/configuration when the notification carries no settings.
    client.set_configuration({"severity": "loud"}, section="flake8-ssot")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(None))
    message = await asyncio.wait_for(client.wait_for_notification(types.WINDOW_SHOW_MESSAGE), TIMEOUT)
    assert message.message == (
        "flake8-ssot: severity: expected one of error, warning, information, hint, or a table of code prefix = level"
    )


@pytest.mark.asyncio
async def test_a_cold_project_reports_progress(client: LanguageClient, project: Path) -> None:
    await open_buffer(client, project / "app" / "views.py", BUFFER)
    assert [
        [(type(v).__name__, getattr(v, "message", None)) for v in values] for values in client.progress_reports.values()
    ] == [[("WorkDoneProgressBegin", f"indexing {project}"), ("WorkDoneProgressEnd", "indexed")]]


@pytest.mark.asyncio
async def test_exit_after_shutdown_is_exit_code_0(project: Path) -> None:
    client = make_client()
    await client.start_io(str(BIN / "flake8-ssot"), "server")
    await client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    await client.shutdown_session()
    assert client._server is not None and client._server.returncode == 0
    await client.stop()


@pytest.mark.asyncio
async def test_a_cold_index_of_thousands_of_files(client: LanguageClient, project: Path) -> None:
    # Enough files that a command-line run reads them in forked worker processes; forked from
    # the server's threads, such a worker could hang on a lock held at the fork.
    for i in range(2100):
        path = project / "bulk" / f"m{i // 100}" / f"mod{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"VALUE = {i}\n")
    assert shown(await open_buffer(client, project / "app" / "views.py", BUFFER)) == check_output(
        project, "app/views.py", BUFFER
    )


@pytest.mark.asyncio
async def test_a_client_with_no_optional_capabilities(project: Path) -> None:
    # No code action resolve, file watchers, progress or workspace/configuration: the fix-all
    # edit comes with the action, and closing a buffer clears its diagnostics.
    client = make_client()
    await client.start_io(str(BIN / "flake8-ssot"), "server")
    try:
        await client.initialize_session(types.InitializeParams(
            capabilities=types.ClientCapabilities(), initialization_options={"severity": "error"},
        ))
        path = project / "app" / "views.py"
        found = await open_buffer(client, path, BUFFER)
        assert {d.severity for d in found} == {types.DiagnosticSeverity.Error}
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(path.as_uri()), types.Range(types.Position(0, 0), types.Position(0, 0)),
            types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Source]),
        ))
        (action,) = actions or []
        assert isinstance(action, types.CodeAction) and action.edit is not None and action.edit.changes is not None
        assert apply(BUFFER, list(action.edit.changes[path.as_uri()])) == fix_writes(project, "app/views.py", BUFFER)
        assert client.progress_reports == {}
        client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(path.as_uri())))
        assert await published(client, path.as_uri()) == []
    finally:
        await client.shutdown_session()
        await client.stop()


@pytest.mark.asyncio
async def test_noqa_quick_fix_adds_to_the_codes_there(client: LanguageClient, project: Path) -> None:
    path = project / "app" / "views.py"
    buffer = BUFFER.replace("import get_config\n", "import get_config  # noqa: E501, \n")
    diagnostics = await open_buffer(client, path, buffer)
    (action,) = [a for a in await actions(client, path, diagnostics[1]) if a.title.startswith("Add")]
    assert action.edit is not None and action.edit.changes is not None
    text = apply(buffer, list(action.edit.changes[path.as_uri()]))
    assert text.splitlines()[1] == "from legacy.settings import get_config  # noqa: E501,SOT001, "
    assert [d.range.start.line for d in await change(client, path, text, 2)] == [0, 5, 6]


def test_without_the_extra_the_server_says_what_to_install(tmp_path: Path) -> None:
    code = "import sys; sys.modules['pygls'] = None; from flake8_ssot.cli import main; sys.exit(main(['server']))"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "flake8-ssot: server needs pygls: pip install 'flake8-ssot[lsp]'\n"
    )


@pytest.mark.asyncio
async def test_the_python_environment_flag_reads_that_environment(tmp_path: Path) -> None:
    """`server --python-environment ENV` reads ENV's packages as `check --python-environment ENV` does."""
    from test_environment import CONFIG, USE, make_env

    root, env = tmp_path / "proj", make_env(tmp_path / "env")
    write_tree(root, {"pyproject.toml": CONFIG})
    client = make_client()
    await client.start_io(str(BIN / "flake8-ssot"), "server", "--python-environment", str(env))
    try:
        await client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
        found = shown(await open_buffer(client, root / "use.py", USE))
    finally:
        await client.shutdown_session()
        await client.stop()
    printed = run_cli(
        "flake8-ssot", "check", "--python-environment", str(env), "--stdin-filename", "use.py", "-", cwd=root, stdin=USE
    )
    assert found == [line.split(":", 1)[1] for line in printed.stdout.splitlines()]
    assert "2:20: SOT001 import of deprecated extpkg._old.old_func (as extpkg.old_func); use extpkg.new_func" in found
