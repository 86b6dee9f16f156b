"""A real language server: python-lsp-server with its flake8 plugin, driven over JSON-RPC.

pylsp runs the flake8 executable in the workspace root with ``--stdin-display-name`` set to
the buffer's path relative to that root, and the buffer on stdin.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from conftest import write_tree
from test_editors import BUFFER, PROJECT

BIN = Path(sys.executable).parent
TIMEOUT = 60.0


class LanguageServer:
    """A minimal LSP client: Content-Length framed JSON-RPC over the server's stdio."""

    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            [str(BIN / "pylsp")], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self._next_id = 0
        assert self.proc.stdout is not None
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                key, _, value = line.decode("ascii").partition(":")
                headers[key.strip().lower()] = value.strip()
            if not line:
                return
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self._next_id += 1
        self.send({"id": self._next_id, "method": method, "params": params})
        reply = self.wait(lambda m: m.get("id") == self._next_id and "method" not in m)
        assert "error" not in reply, reply
        return reply.get("result")

    def wait(self, match: Any) -> dict[str, Any]:
        while True:
            try:
                message = self.messages.get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError(f"no matching message from pylsp within {TIMEOUT}s") from None
            if "id" in message and "method" in message:
                # A request from the server (progress, configuration): answer so it carries on.
                self.send({"id": message["id"], "result": None})
            if match(message):
                return message

    def diagnostics(self, path: Path, text: str) -> list[dict[str, Any]]:
        """Open an unsaved buffer for ``path`` and return what pylsp publishes for it."""
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                              "text": text}})
        published = self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
        )
        return list(published["params"]["diagnostics"])

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.request("shutdown", {})
                self.notify("exit", {})
                self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()


def start(root: Path) -> LanguageServer:
    server = LanguageServer(root)
    server.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {}})
    server.notify("initialized", {})
    # The settings an editor sends: flake8 on (off by default), the linters it replaces off.
    server.notify(
        "workspace/didChangeConfiguration",
        {
            "settings": {
                "pylsp": {
                    "plugins": {
                        "flake8": {"enabled": True, "executable": str(BIN / "flake8")},
                        **{name: {"enabled": False} for name in ("pycodestyle", "pyflakes", "mccabe", "pydocstyle")},
                    }
                }
            }
        },
    )
    return server


@pytest.fixture(params=["project", "parent"], ids=["workspace is the project", "workspace holds the project"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[LanguageServer, Path]]:
    """A server whose workspace is the project root, or a folder above it (a monorepo)."""
    project = tmp_path / "proj"
    write_tree(project, PROJECT)
    lsp = start(project if request.param == "project" else tmp_path)
    try:
        yield lsp, project
    finally:
        lsp.close()


def test_unsaved_buffer_gets_the_sot_diagnostics(server: tuple[LanguageServer, Path]) -> None:
    lsp, project = server
    found = lsp.diagnostics(project / "app" / "new.py", BUFFER)
    assert [(d["source"], d["code"], d["range"]["start"], d["message"], d["severity"]) for d in found] == [
        (
            "flake8", "SOT001", {"line": 0, "character": 27},
            "SOT001 import of deprecated legacy.factory.get_factory; use core.ws.Manager", 2,
        ),
        (
            "flake8", "SOT002", {"line": 2, "character": 0},
            "SOT002 call of deprecated legacy.factory.get_factory; use core.ws.Manager", 2,
        ),
    ]
    assert not (project / "app" / "new.py").exists()


def test_allowlisted_and_exempt_buffers_get_none(server: tuple[LanguageServer, Path]) -> None:
    lsp, project = server
    assert lsp.diagnostics(project / "app" / "old.py", BUFFER) == []
    assert lsp.diagnostics(project / "generated" / "api.py", BUFFER) == []
    # Same server, same buffer, a file nobody grandfathered: flake8 did run.
    assert [d["code"] for d in lsp.diagnostics(project / "app" / "other.py", BUFFER)] == ["SOT001", "SOT002"]
