"""Change-to-diagnostics latency of `flake8-ssot server`, against the flake8 route editors use today.

Run from a clone, after ``pip install -e '.[lsp]'``::

    python benchmarks/lsp_latency.py                 # Django (pinned sdist, into /tmp) and the stdlib: ~5 min
    python benchmarks/lsp_latency.py --edits 200 --only django

For each project (a fresh copy, no cache) and each of a few buffers (a module with a use, the
module of median size and the largest, each with a use appended so that it is parsed and
visited), a server is started over stdio as an editor starts it and the buffer opened: the time
to its first diagnostics is the open (for the project's first buffer, a cold one: the index
built from nothing). Then ``--edits`` changes of the unsaved buffer, each waited for: the
time from sending ``didChange`` to receiving the diagnostics of that version. A second server
then opens the file with the index cache on disk (an editor restarted). The peers, in the same
run: what pylsp and VS Code's Flake8 extension run per change, a ``flake8 --select SOT`` process
with the buffer on stdin, and ``flake8-ssot check --stdin-filename`` (both warm, cache on disk).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import corpus
from lsprotocol import types
from pygls.lsp.client import LanguageClient

BIN = Path(sys.executable).parent
DOWNLOADS = Path(tempfile.gettempdir()) / "flake8-ssot-bench-downloads"


class Client:
    """An editor's side of the connection: open, change, and wait for each version's diagnostics."""

    def __init__(self) -> None:
        self.lsp = LanguageClient("lsp-latency", "1")
        self.waiting: dict[tuple[str, int | None], asyncio.Future[list[types.Diagnostic]]] = {}

        @self.lsp.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
        def published(params: types.PublishDiagnosticsParams) -> None:
            future = self.waiting.pop((params.uri, params.version), None)
            if future is not None and not future.done():
                future.set_result(list(params.diagnostics))

        @self.lsp.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)  # type: ignore[untyped-decorator]
        def create_progress(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @self.lsp.feature(types.PROGRESS)  # type: ignore[untyped-decorator]
        def progress(params: types.ProgressParams) -> None:
            return None

    async def start(self, root: Path) -> None:
        await self.lsp.start_io(str(BIN / "flake8-ssot"), "server")
        capabilities = types.ClientCapabilities(window=types.WindowClientCapabilities(work_done_progress=True))
        await self.lsp.initialize_async(types.InitializeParams(capabilities=capabilities, root_uri=root.as_uri()))
        self.lsp.initialized(types.InitializedParams())

    def expect(self, uri: str, version: int) -> asyncio.Future[list[types.Diagnostic]]:
        future: asyncio.Future[list[types.Diagnostic]] = asyncio.get_running_loop().create_future()
        self.waiting[uri, version] = future
        return future

    async def open(self, path: Path, text: str) -> tuple[float, list[types.Diagnostic]]:
        uri = path.as_uri()
        future = self.expect(uri, 1)
        start = time.perf_counter()
        self.lsp.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        ))
        found = await asyncio.wait_for(future, 600)
        return time.perf_counter() - start, found

    async def change(self, path: Path, text: str, version: int) -> tuple[float, list[types.Diagnostic]]:
        uri = path.as_uri()
        future = self.expect(uri, version)
        start = time.perf_counter()
        self.lsp.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        ))
        found = await asyncio.wait_for(future, 600)
        return time.perf_counter() - start, found

    async def stop(self) -> None:
        await self.lsp.shutdown_async(None)
        self.lsp.exit(None)
        await self.lsp.stop()  # type: ignore[no-untyped-call]


def edited(text: str, k: int) -> str:
    """The buffer after ``k`` edits: a line typed at its end."""
    return text + f"\nvalue_{k} = {k}\n"


def by_size(root: Path, package: str) -> tuple[str, str]:
    """The module of median size under ``package`` and the largest (the slowest to analyze)."""
    modules = sorted((root / package).rglob("*.py"), key=lambda p: (p.stat().st_size, p))
    return modules[len(modules) // 2].relative_to(root).as_posix(), modules[-1].relative_to(root).as_posix()


async def measure_server(root: Path, relpath: str, edits: int, use: str = "") -> dict[str, Any]:
    """``use``: a line with a use, appended to the buffer (so that it is parsed and visited)."""
    path = root / relpath
    text = path.read_text(encoding="utf-8") + use
    client = Client()
    await client.start(root)
    cold, found = await client.open(path, text)
    latencies = []
    for k in range(1, edits + 1):
        elapsed, _ = await client.change(path, edited(text, k), k + 1)
        latencies.append(elapsed)
    await client.stop()
    again = Client()
    await again.start(root)
    warm_open, _ = await again.open(path, text)
    await again.stop()
    latencies.sort()
    return {
        "diagnostics": len(found), "lines": text.count("\n"), "cold_open": cold, "cached_open": warm_open,
        "median": statistics.median(latencies), "p90": latencies[int(len(latencies) * 0.9) - 1],
        "max": latencies[-1],
    }


def per_change(command: Callable[[str], list[str]], root: Path, relpath: str, runs: int, use: str = "") -> float:
    text = (root / relpath).read_text(encoding="utf-8") + use
    times = []
    for k in range(runs):
        start = time.perf_counter()
        subprocess.run(command(relpath), cwd=root, input=edited(text, k), capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def flake8_route(relpath: str) -> list[str]:
    return [str(BIN / "flake8"), "--select", "SOT", "--stdin-display-name", relpath, "-"]


def check_route(relpath: str) -> list[str]:
    return [str(BIN / "flake8-ssot"), "check", "--stdin-filename", relpath, "-"]


def report(name: str, relpath: str, server: dict[str, Any], flake8: float, check: float) -> str:
    ms = 1000
    return (
        f"{name}, buffer {relpath} ({server['lines']:,} lines, {server['diagnostics']} diagnostics)\n"
        f"  server: cold open {server['cold_open']:.2f} s, open with the index cache {server['cached_open']:.2f} s; "
        f"change to diagnostics median {server['median'] * ms:.1f} ms, p90 {server['p90'] * ms:.1f} ms, "
        f"max {server['max'] * ms:.1f} ms\n"
        f"  per change, a new process: flake8 --select SOT {flake8 * ms:.0f} ms "
        f"({flake8 / server['median']:.0f}x the server), check --stdin-filename {check * ms:.0f} ms "
        f"({check / server['median']:.0f}x)\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=100, help="buffer changes per project [default: 100]")
    parser.add_argument("--runs", type=int, default=10, help="peer processes per project [default: 10]")
    parser.add_argument("--only", choices=["django", "stdlib"], help="one project only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="flake8-ssot-lsp-") as work:
        # (project, root, modules, [(buffer, line with a use appended to it)])
        projects: list[tuple[str, Path, int, list[tuple[str, str]]]] = []
        if args.only in (None, "django"):
            django = corpus.unpack_django(Path(work) / "django", DOWNLOADS)
            use = "\nfrom django.utils import baseconv\n"
            buffers = [(django.sample_user, ""), *((rel, use) for rel in by_size(django.root, "django"))]
            projects.append((f"Django {corpus.DJANGO_VERSION}", django.root, django.modules, buffers))
        if args.only in (None, "stdlib"):
            stdlib = corpus.copy_stdlib(Path(work) / "stdlib")
            version = ".".join(map(str, sys.version_info[:2]))
            use = "\nimport optparse\n"
            buffers = [(rel, use) for rel in by_size(stdlib.root, "lib")]
            projects.append((f"CPython {version} stdlib", stdlib.root, stdlib.modules, buffers))
        for name, root, modules, buffers in projects:
            sys.stdout.write(f"{name}: {modules:,} modules\n")
            for relpath, use in buffers:
                server = asyncio.run(measure_server(root, relpath, args.edits, use))
                flake8 = per_change(flake8_route, root, relpath, args.runs, use)
                check = per_change(check_route, root, relpath, args.runs, use)
                sys.stdout.write(report(name, relpath, server, flake8, check))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
