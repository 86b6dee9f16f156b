"""`fix` on real code (issue 13): imports stay in their block, a valid --diff, no crash, ...

Each case is an exact before/after text, run through the CLI on files on disk; each checks the
rewrite, that it parses and byte-compiles, that pyflakes finds nothing new, and that a second
run changes nothing (the rewritten code is a no-op for `fix`).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyflakes.api import check as pyflakes_check
from pyflakes.reporter import Reporter

from conftest import assert_accounted, findings_in_scope, run_cli, write_tree
from flake8_ssot import cli, discovery, paths

RULES = """
    [tool.flake8-ssot]
    cache = false

    [[tool.flake8-ssot.rules]]
    name = "ws"
    deprecated = ["app.ws.factory"]
    replacement = "app.ws.manager.WebSocketManager"

    [[tool.flake8-ssot.rules.fix]]
    pattern = "await create_websocket_manager($ctx)"
    replace = "WebSocketManager(user_context=$ctx)"

    [[tool.flake8-ssot.rules.fix]]
    pattern = "create_websocket_manager($ctx)"
    replace = "WebSocketManager.create_for_user($ctx)"

    [[tool.flake8-ssot.rules.fix]]
    pattern = "IsolatedWebSocketManager"
    replace = "app.ws.manager.IsolatedManager"

    [[tool.flake8-ssot.rules.fix]]
    pattern = "make_context($user)"
    replace = "app.ws.context.UserContext($user)"
"""

FILES: dict[str, str] = {
    "pyproject.toml": RULES,
    "app/__init__.py": "",
    "app/ws/__init__.py": "",
    "app/ws/factory.py": """
        async def create_websocket_manager(ctx):
            return ctx


        class IsolatedWebSocketManager:
            pass


        def make_context(user):
            return user
    """,
    "app/ws/manager.py": """
        class WebSocketManager:
            def __init__(self, user_context=None):
                self.user_context = user_context

            @classmethod
            def create_for_user(cls, ctx):
                return cls(ctx)


        class IsolatedManager:
            pass
    """,
    "app/ws/context.py": """
        class UserContext:
            def __init__(self, user):
                self.user = user
    """,
}


@dataclass
class Run:
    new: str
    out: str
    err: str
    code: int


Fixer = Callable[..., Run]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(tmp_path, FILES)
    return tmp_path


@pytest.fixture
def fixer(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Fixer:
    monkeypatch.chdir(project)

    def run(source: str | None, relpath: str = "app/use.py", *args: str) -> Run:
        if source is not None:
            write_tree(project, {relpath: source})
        before = findings_in_scope(relpath)
        discovery.forget()
        paths.forget()
        capsys.readouterr()
        code = cli.main(["fix", *args, relpath])
        captured = capsys.readouterr()
        if "-q" not in args:
            assert_accounted(captured.out, captured.err, before, relpath)
        path = project / relpath
        return Run(path.read_text() if path.is_file() else "", captured.out, captured.err, code)

    return run


def pyflakes_messages(text: str, filename: str = "use.py") -> list[str]:
    """pyflakes' messages on a text, without their positions."""

    class Collect(Reporter):
        def __init__(self) -> None:
            self.messages: list[str] = []

        def unexpectedError(self, filename: str, msg: str) -> None:  # noqa: N802 - pyflakes' API
            self.messages.append(msg)

        def syntaxError(self, *args: object) -> None:  # noqa: N802
            self.messages.append("syntax error")

        def flake(self, message: object) -> None:
            self.messages.append(str(message).split(" ", 1)[1])

    reporter = Collect()
    pyflakes_check(text, filename, reporter)
    return reporter.messages


def check_fix(fixer: Fixer, before: str, after: str, relpath: str = "app/use.py") -> Run:
    """The exact rewrite; it parses, compiles, adds no pyflakes message; a second run is a no-op."""
    first = fixer(before, relpath)
    assert first.new == dedent(after), first.out + first.err
    assert (first.code, first.err) == (0, "")
    compile(ast.parse(first.new), relpath, "exec")
    new_messages = set(pyflakes_messages(first.new)) - set(pyflakes_messages(dedent(before)))
    assert not new_messages
    again = fixer(None, relpath)
    assert again.new == first.new
    assert "fixed 0 uses in 0 files" in again.out
    return first


def dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).lstrip("\n")


# -- 1. imports stay in their block and guard ------------------------------------------------

PLACEMENT = [
    pytest.param(
        """
        import sys
        sys.path.insert(0, "..")


        async def notify(ctx):
            try:
                from app.ws.factory import create_websocket_manager
                return await create_websocket_manager(ctx)
            except ImportError:
                return None
        """,
        """
        import sys
        sys.path.insert(0, "..")


        async def notify(ctx):
            try:
                from app.ws.manager import WebSocketManager
                return WebSocketManager(user_context=ctx)
            except ImportError:
                return None
        """,
        id="minimal form: function-local import under try, after sys.path.insert",
    ),
    pytest.param(
        """
        def health(enabled):
            if enabled:
                from app.ws.factory import create_websocket_manager

                return create_websocket_manager(1)
            return None
        """,
        """
        def health(enabled):
            if enabled:
                from app.ws.manager import WebSocketManager

                return WebSocketManager.create_for_user(1)
            return None
        """,
        id="import under if inside a function stays there",
    ),
    pytest.param(
        """
        def health():
            try:
                from app.ws.factory import create_websocket_manager
            except ImportError:
                return "UNHEALTHY"
            return create_websocket_manager(1)
        """,
        """
        def health():
            try:
                from app.ws.manager import WebSocketManager
            except ImportError:
                return "UNHEALTHY"
            return WebSocketManager.create_for_user(1)
        """,
        id="guarded import, use after the guard: the guard keeps the new import",
    ),
    pytest.param(
        """
        import sys

        sys.path.insert(0, "..")
        from app.ws.factory import create_websocket_manager  # noqa: E402


        def f(ctx):
            return create_websocket_manager(ctx)
        """,
        """
        import sys

        sys.path.insert(0, "..")
        from app.ws.manager import WebSocketManager  # noqa: E402


        def f(ctx):
            return WebSocketManager.create_for_user(ctx)
        """,
        id="module-level import after sys.path.insert is replaced in place, its noqa kept",
    ),
    pytest.param(
        """
        import sys

        sys.path.insert(0, "..")
        from app.ws.factory import IsolatedWebSocketManager, create_websocket_manager  # noqa: E402


        def f(ctx):
            return create_websocket_manager(ctx), IsolatedWebSocketManager
        """,
        """
        import sys

        sys.path.insert(0, "..")
        from app.ws.manager import IsolatedManager, WebSocketManager  # noqa: E402


        def f(ctx):
            return WebSocketManager.create_for_user(ctx), IsolatedManager
        """,
        id="template and move from one line below sys.path.insert",
    ),
    pytest.param(
        """
        def f(ctx):
            from app.ws.factory import create_websocket_manager
            return create_websocket_manager(ctx), create_websocket_manager
        """,
        """
        def f(ctx):
            from app.ws.factory import create_websocket_manager
            from app.ws.manager import WebSocketManager
            return WebSocketManager.create_for_user(ctx), create_websocket_manager
        """,
        id="kept function-local import: the new one right after it",
    ),
    pytest.param(
        """
        def f(ctx):
            from app.ws.factory import create_websocket_manager
            return create_websocket_manager(ctx)


        def g(ctx):
            try:
                from app.ws.factory import create_websocket_manager
            except ImportError:
                raise
            return create_websocket_manager(ctx)
        """,
        """
        def f(ctx):
            from app.ws.manager import WebSocketManager
            return WebSocketManager.create_for_user(ctx)


        def g(ctx):
            try:
                from app.ws.manager import WebSocketManager
            except ImportError:
                raise
            return WebSocketManager.create_for_user(ctx)
        """,
        id="each function keeps its own import",
    ),
    pytest.param(
        """
        \"\"\"Top.\"\"\"
        import os
        from app.ws.factory import create_websocket_manager


        def f(ctx):
            return create_websocket_manager(ctx), os
        """,
        """
        \"\"\"Top.\"\"\"
        import os
        from app.ws.manager import WebSocketManager


        def f(ctx):
            return WebSocketManager.create_for_user(ctx), os
        """,
        id="top import block: in place",
    ),
]


@pytest.mark.parametrize(("before", "after"), PLACEMENT)
def test_new_imports_stay_in_the_old_ones_block(fixer: Fixer, before: str, after: str) -> None:
    check_fix(fixer, before, after)


# -- 3. one from-import, one name by a template and one by a move ----------------------------

ONE_LINE = [
    pytest.param(
        """
        from app.ws.factory import create_websocket_manager, IsolatedWebSocketManager


        def f(ctx):
            return create_websocket_manager(ctx), IsolatedWebSocketManager()
        """,
        """
        from app.ws.manager import IsolatedManager, WebSocketManager


        def f(ctx):
            return WebSocketManager.create_for_user(ctx), IsolatedManager()
        """,
        id="template name first",
    ),
    pytest.param(
        """
        from app.ws.factory import IsolatedWebSocketManager, create_websocket_manager


        def f(ctx):
            return create_websocket_manager(ctx), IsolatedWebSocketManager()
        """,
        """
        from app.ws.manager import IsolatedManager, WebSocketManager


        def f(ctx):
            return WebSocketManager.create_for_user(ctx), IsolatedManager()
        """,
        id="moved name first",
    ),
    pytest.param(
        """
        from app.ws.factory import (
            IsolatedWebSocketManager,
            create_websocket_manager,
        )


        def f(ctx):
            return create_websocket_manager(ctx), IsolatedWebSocketManager()
        """,
        """
        from app.ws.manager import IsolatedManager, WebSocketManager


        def f(ctx):
            return WebSocketManager.create_for_user(ctx), IsolatedManager()
        """,
        id="parenthesized",
    ),
    pytest.param(
        """
        def f(ctx):
            from app.ws.factory import create_websocket_manager, IsolatedWebSocketManager
            return create_websocket_manager(ctx), IsolatedWebSocketManager()
        """,
        """
        def f(ctx):
            from app.ws.manager import IsolatedManager, WebSocketManager
            return WebSocketManager.create_for_user(ctx), IsolatedManager()
        """,
        id="function-local",
    ),
]


@pytest.mark.parametrize(("before", "after"), ONE_LINE)
def test_template_and_move_from_one_import(fixer: Fixer, before: str, after: str) -> None:
    check_fix(fixer, before, after)


# -- 4. a moved name listed in __all__ ---------------------------------------------------------

EXPORTED = [
    pytest.param(
        """
        from app.ws.factory import IsolatedWebSocketManager

        __all__ = ["IsolatedWebSocketManager", "g"]


        def g():
            return IsolatedWebSocketManager()
        """,
        """
        from app.ws.manager import IsolatedManager as IsolatedWebSocketManager

        __all__ = ["IsolatedWebSocketManager", "g"]


        def g():
            return IsolatedWebSocketManager()
        """,
        id="list: the module keeps exporting its name, now the new class",
    ),
    pytest.param(
        """
        from app.ws.factory import IsolatedWebSocketManager, create_websocket_manager

        __all__ = ("IsolatedWebSocketManager",)


        def g(ctx):
            return create_websocket_manager(ctx)
        """,
        """
        from app.ws.manager import IsolatedManager as IsolatedWebSocketManager, WebSocketManager

        __all__ = ("IsolatedWebSocketManager",)


        def g(ctx):
            return WebSocketManager.create_for_user(ctx)
        """,
        id="tuple, with a template on the same line",
    ),
]


@pytest.mark.parametrize(("before", "after"), EXPORTED)
def test_moved_name_in_all(fixer: Fixer, before: str, after: str) -> None:
    check_fix(fixer, before, after)


# -- 8. await in patterns -------------------------------------------------------------------------

AWAITS = [
    pytest.param(
        """
        from app.ws.factory import create_websocket_manager


        async def f(ctx):
            manager = await create_websocket_manager(ctx)
            return manager
        """,
        """
        from app.ws.manager import WebSocketManager


        async def f(ctx):
            manager = WebSocketManager(user_context=ctx)
            return manager
        """,
        id="awaited factory to a sync constructor",
    ),
    pytest.param(
        """
        import asyncio

        from app.ws.factory import create_websocket_manager


        async def f(ctx):
            return await (create_websocket_manager(ctx)), asyncio.ensure_future(create_websocket_manager(ctx))
        """,
        """
        import asyncio

        from app.ws.manager import WebSocketManager


        async def f(ctx):
            return WebSocketManager(user_context=ctx), asyncio.ensure_future(WebSocketManager.create_for_user(ctx))
        """,
        id="await matched exactly: a call not awaited takes the other template",
    ),
    pytest.param(
        """
        from app.ws import factory


        async def f(ctx):
            return [await factory.create_websocket_manager(c) for c in ctx]
        """,
        """
        from app.ws.manager import WebSocketManager


        async def f(ctx):
            return [WebSocketManager(user_context=c) for c in ctx]
        """,
        id="through a module attribute, in a comprehension",
    ),
]


@pytest.mark.parametrize(("before", "after"), AWAITS)
def test_await_in_patterns(fixer: Fixer, before: str, after: str) -> None:
    check_fix(fixer, before, after)


@pytest.mark.parametrize(
    ("pattern", "replace", "problem"),
    [
        pytest.param(
            "create_websocket_manager($c)", "await WebSocketManager.create($c)",
            "fix[0].replace: 'await WebSocketManager.create($c)': an await in replace needs one in the pattern",
            id="await in replace only",
        ),
    ],
)
def test_await_in_replace_needs_one_in_the_pattern(tmp_path: Path, pattern: str, replace: str, problem: str) -> None:
    write_tree(tmp_path, {**FILES, "pyproject.toml": RULES.split("[[tool.flake8-ssot.rules.fix]]")[0] + f"""
        [[tool.flake8-ssot.rules.fix]]
        pattern = "{pattern}"
        replace = "{replace}"
    """})
    result = run_cli("flake8-ssot", "fix", cwd=tmp_path)
    assert result.returncode == 2
    assert problem in result.stderr and result.stderr.count("\n") == 1


# -- 2. --diff is a patch that applies to what `fix` writes ---------------------------------------

DIFF_FILES = {
    "app/nonl.py": "from app.ws.factory import create_websocket_manager\n\n\ndef h(ctx):\n"
                   "    return create_websocket_manager(ctx)",
    "app/nonl_import.py": "import os\nfrom app.ws.factory import IsolatedWebSocketManager",
    "app/plain.py": "from app.ws.factory import create_websocket_manager\n\nx = create_websocket_manager(1)\n",
    "app/untouched.py": "x = 1",
}


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.py"))}


def test_diff_applies_with_git_apply_and_patch(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    write_tree(project, DIFF_FILES)
    (project / "app/crlf.py").write_bytes(
        b"from app.ws.factory import create_websocket_manager\r\n\r\nx = create_websocket_manager(1)\r\n"
    )
    (project / "app/bom.py").write_bytes(
        b"\xef\xbb\xbffrom app.ws.factory import create_websocket_manager\n\nx = create_websocket_manager(1)"
    )
    (project / "app/latin.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nfrom app.ws.factory import create_websocket_manager\n\n"
        b"x = create_websocket_manager('\xe9')\n"
    )
    (project / "app/formfeed.py").write_bytes(
        b"from app.ws.factory import create_websocket_manager\n\x0c\nx = create_websocket_manager(1)\n"
    )
    copies = {how: tmp_path_factory.mktemp(how) / "p" for how in ("git", "patch", "fix")}
    for copy in copies.values():
        shutil.copytree(project, copy)
    diff = _fix_diff(project)
    assert diff.returncode == 1, diff.stderr
    assert b"skipped" not in diff.stderr
    patch_file = project.parent / "fix.patch"
    patch_file.write_bytes(diff.stdout)
    assert b"\\ No newline at end of file\n" in patch_file.read_bytes()
    written = run_cli("flake8-ssot", "fix", cwd=copies["fix"])
    assert written.returncode == 0, written.stderr
    subprocess.run(["git", "apply", "--check", str(patch_file)], cwd=copies["git"], check=True)
    subprocess.run(["git", "apply", str(patch_file)], cwd=copies["git"], check=True)
    subprocess.run(["patch", "-p1", "-s", "-i", str(patch_file)], cwd=copies["patch"], check=True)
    expected = _snapshot(copies["fix"])
    assert expected != _snapshot(project)
    assert _snapshot(copies["git"]) == expected
    assert _snapshot(copies["patch"]) == expected


def _fix_diff(cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """`fix --diff` as bytes: a file in another encoding is shown in its own."""
    exe = Path(sys.executable).parent / "flake8-ssot"
    return subprocess.run([str(exe), "fix", "--diff"], cwd=cwd, capture_output=True, timeout=300)


# -- 5. a replacement's names must exist (read from source, never imported) ---------------------

UNRESOLVED = [
    pytest.param(
        "app.ws.manager.IsolatedManager", "WebSocketManager.create_for_user($ctx)",
        "'WebSocketManager.create_for_user': WebSocketManager is neither the rule's replacement (IsolatedManager...) "
        "nor a module of the project or an installed one; write the name in full (package.module.Name...)",
        id="the team's own shorthand: not the replacement's name",
    ),
    pytest.param(
        "app.ws.manager.WebSocketManager", "app.ws.manager.Missing.create($ctx)",
        "'app.ws.manager.Missing.create': app.ws.manager defines no Missing",
        id="project module without that name",
    ),
    pytest.param(
        "app.ws.manager.WebSocketManager", "nosuchpkg.tools.build($ctx)",
        "'nosuchpkg.tools.build': nosuchpkg is neither the rule's replacement (WebSocketManager...) nor a module",
        id="no such module",
    ),
    pytest.param(
        "app.ws.manager.WebSocketManager", "json.nosuchfunction($ctx)",
        "'json.nosuchfunction': json defines no nosuchfunction",
        id="installed module read from source",
    ),
    pytest.param(
        "app.ws.nomodule.WebSocketManager", "WebSocketManager($ctx)",
        "'WebSocketManager': the rule's replacement app.ws.nomodule.WebSocketManager cannot be found",
        id="the replacement itself",
    ),
]


@pytest.mark.parametrize(("replacement", "replace", "problem"), UNRESOLVED)
def test_unresolvable_replacement_names_are_refused_at_load(
    tmp_path: Path, replacement: str, replace: str, problem: str
) -> None:
    write_tree(tmp_path, {**FILES, "pyproject.toml": f"""
        [[tool.flake8-ssot.rules]]
        name = "ws"
        deprecated = ["app.ws.factory"]
        replacement = "{replacement}"

        [[tool.flake8-ssot.rules.fix]]
        pattern = "create_websocket_manager($ctx)"
        replace = "{replace}"
    """})
    result = run_cli("flake8-ssot", "fix", "--diff", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    prefix = f"flake8-ssot: {tmp_path / 'pyproject.toml'}: tool.flake8-ssot.rules[0].fix[0].replace: "
    assert result.stderr.startswith(prefix + problem) and result.stderr.count("\n") == 1, result.stderr


# -- 6. an unparsable file holds no rewrite back, and is named -----------------------------------


def test_an_unparsable_file_is_named_and_holds_nothing_back(fixer: Fixer, project: Path) -> None:
    write_tree(project, {
        "broken.py": "from app.handlers import create_websocket_manager\ndef f(:\n",
        "latin.py": "# -*- coding: ascii -*-\nfrom app.handlers import create_websocket_manager\n\nx = 'é'\n",
    })
    before = """
        from app.ws.factory import create_websocket_manager


        def handle(ctx):
            return create_websocket_manager(ctx)
    """
    run = fixer(before, "app/handlers.py")
    assert run.new == dedent("""
        from app.ws.manager import WebSocketManager


        def handle(ctx):
            return WebSocketManager.create_for_user(ctx)
    """)
    assert not pyflakes_messages(run.new)
    assert run.code == 0
    assert run.err.splitlines() == [
        "flake8-ssot: broken.py: cannot be analyzed (syntax error at line 2: invalid syntax); "
        "not counted as a user of app.handlers.create_websocket_manager (Python cannot import it either)",
        "flake8-ssot: latin.py: cannot be analyzed (cannot decode: 'ascii' codec can't decode byte 0xc3 in "
        "position 80: ordinal not in range(128)); not counted as a user of app.handlers.create_websocket_manager "
        "(Python cannot import it either)",
    ]


# -- 7. mock.patch targets naming a name the rewrite leaves unused ---------------------------------

HANDLERS = """
    from app.ws.factory import create_websocket_manager


    def handle(ctx):
        return create_websocket_manager(ctx)
"""
HANDLER_TESTS = """
    from unittest import mock

    from app import handlers


    @mock.patch("app.handlers.create_websocket_manager")
    def test_handle(factory):
        factory.return_value = 1
        assert handlers.handle(None) == 1
"""


def test_uses_a_patch_target_names_stay_until_its_file_is_fixed_too(fixer: Fixer, project: Path) -> None:
    write_tree(project, {"app/handlers.py": HANDLERS, "tests/test_handlers.py": HANDLER_TESTS})
    first = fixer(None, "app/handlers.py")
    assert first.new == dedent(HANDLERS)  # the test keeps patching what the code calls
    assert first.out.splitlines() == [
        "app/handlers.py:1:28: manual: create_websocket_manager is still used where the fix leaves the code as it is "
        "(SOT001)",
        "app/handlers.py:5:12: manual: create_websocket_manager stays: the string target at "
        "tests/test_handlers.py:6:13 names app.handlers.create_websocket_manager and would patch nothing after the "
        "rewrite; fix both files in one run (SOT002)",
        "tests/test_handlers.py:6:13: manual: names app.handlers.create_websocket_manager, whose uses fix left as "
        "they are in app/handlers.py for this string; run fix on this file too, or point it where the new code "
        "looks the name up (SOT004)",
        "flake8-ssot: fixed 0 uses in 0 files; 2 left to migrate by hand",
    ]
    both = fixer(None, ".")
    assert "flake8-ssot: fixed 3 uses in 2 files; 0 left to migrate by hand" in both.out
    handlers, tests = (project / "app/handlers.py").read_text(), (project / "tests/test_handlers.py").read_text()
    assert handlers == dedent(HANDLERS).replace("app.ws.factory import create_websocket_manager", (
        "app.ws.manager import WebSocketManager")).replace(
        "create_websocket_manager(ctx)", "WebSocketManager.create_for_user(ctx)")
    assert '@mock.patch("app.ws.manager.WebSocketManager.create_for_user")\n' in tests
    for text in (handlers, tests):
        assert not pyflakes_messages(text)


def test_patch_targets_of_an_import_kept_for_other_code_are_listed(fixer: Fixer, project: Path) -> None:
    write_tree(project, {
        "app/handlers.py": HANDLERS, "tests/test_handlers.py": HANDLER_TESTS,
        "app/other.py": "from app.handlers import create_websocket_manager\n\nx = create_websocket_manager\n",
    })
    run = fixer(None, "app/handlers.py")
    assert "return WebSocketManager.create_for_user(ctx)" in run.new
    assert run.out.splitlines()[1:3] == [
        "app/handlers.py:1:28: manual: re-export still used by 2 files (app/other.py, tests/test_handlers.py) "
        "(SOT001)",
        "tests/test_handlers.py:6:13: manual: names app.handlers.create_websocket_manager, which app/handlers.py "
        "keeps only as a re-export: the rewritten code no longer uses it (a mock.patch of it patches nothing); "
        "run fix on this file too, or point it where the new code looks the name up (SOT004)",
    ]


def test_patch_targets_fixed_in_the_same_run_are_rewritten(fixer: Fixer, project: Path) -> None:
    write_tree(project, {"app/handlers.py": HANDLERS, "tests/test_handlers.py": HANDLER_TESTS})
    run = fixer(None, ".")
    assert run.out.splitlines() == [
        "app/handlers.py: fixed 2 uses",
        "tests/test_handlers.py: fixed 1 use",
        "flake8-ssot: fixed 3 uses in 2 files; 0 left to migrate by hand",
    ]
    assert (project / "tests/test_handlers.py").read_text() == dedent(HANDLER_TESTS).replace(
        "app.handlers.create_websocket_manager", "app.ws.manager.WebSocketManager.create_for_user"
    )


# -- 9. names imported the way the file imports its neighbours; the project's line length ------------

BY_NAME = [
    pytest.param(
        """
        from app.ws.factory import make_context
        from app.ws.manager import WebSocketManager


        def f(user):
            return WebSocketManager(make_context(user))
        """,
        """
        from app.ws.context import UserContext
        from app.ws.manager import WebSocketManager


        def f(user):
            return WebSocketManager(UserContext(user))
        """,
        id="neighbours imported by name",
    ),
    pytest.param(
        """
        from app.ws.context import UserContext as UC
        from app.ws.factory import make_context


        def f(user):
            return make_context(user), UC
        """,
        """
        from app.ws.context import UserContext as UC


        def f(user):
            return UC(user), UC
        """,
        id="the name imported under an alias: written through it",
    ),
    pytest.param(
        """
        import app.ws.manager
        from app.ws import factory


        def f(user):
            return app.ws.manager.WebSocketManager(factory.make_context(user))
        """,
        """
        import app.ws.manager
        import app.ws.context


        def f(user):
            return app.ws.manager.WebSocketManager(app.ws.context.UserContext(user))
        """,
        id="neighbours imported as modules",
    ),
    pytest.param(
        """
        from .ws.factory import make_context


        def f(user):
            return make_context(user)
        """,
        """
        import app.ws.context


        def f(user):
            return app.ws.context.UserContext(user)
        """,
        id="no neighbours (relative imports do not count), no configured line length: as written in replace",
    ),
    pytest.param(
        """
        from app.ws.factory import make_context
        from app.ws.manager import WebSocketManager

        UserContext = None


        def f(user):
            return WebSocketManager(make_context(user)), UserContext
        """,
        """
        import app.ws.context
        from app.ws.manager import WebSocketManager

        UserContext = None


        def f(user):
            return WebSocketManager(app.ws.context.UserContext(user)), UserContext
        """,
        id="the name is taken: in full",
    ),
]


@pytest.mark.parametrize(("before", "after"), BY_NAME)
def test_names_imported_like_the_neighbours(fixer: Fixer, before: str, after: str) -> None:
    check_fix(fixer, before, after)


@pytest.mark.parametrize(
    ("config", "name"),
    [
        pytest.param({"setup.cfg": "[flake8]\nmax-line-length = 60\n"}, "flake8", id="flake8"),
        pytest.param({".flake8": "[flake8]\nmax_line_length = 60\n"}, ".flake8", id="flake8 underscore"),
        pytest.param({"ruff.toml": "line-length = 60\n"}, "ruff", id="ruff.toml"),
        pytest.param({"pyproject.toml": RULES + "\n[tool.ruff]\nline-length = 60\n"}, "ruff", id="tool.ruff"),
    ],
)
def test_a_line_over_the_configured_length_imports_by_name(
    fixer: Fixer, project: Path, config: dict[str, str], name: str
) -> None:
    before = """
        from .ws.factory import make_context


        def f(user):
            return make_context(user)


        def g(user):
            return [make_context(user), make_context(user), "padding"]
    """
    after = """
        from app.ws.context import UserContext


        def f(user):
            return UserContext(user)


        def g(user):
            return [UserContext(user), UserContext(user), "padding"]
    """
    write_tree(project, config)
    check_fix(fixer, before, after)


# -- 10. formatting: blank lines as they were, no trailing ", ", no new blank lines --------------------

FORMATTING = [
    pytest.param(
        "from app.ws.manager import WebSocketManager\n\n\ndef f(ctx):\n    a = 1\n    \n    \n"
        "    from app.ws.factory import create_websocket_manager\n    return create_websocket_manager(ctx), a, "
        "WebSocketManager\n",
        "from app.ws.manager import WebSocketManager\n\n\ndef f(ctx):\n    a = 1\n    \n    \n"
        "    return WebSocketManager.create_for_user(ctx), a, WebSocketManager\n",
        id="a blank line's whitespace is kept",
    ),
    pytest.param(
        "from app.ws.factory import (IsolatedWebSocketManager, create_websocket_manager)\n\n\n"
        "def f(ctx):\n    return create_websocket_manager(ctx), IsolatedWebSocketManager, create_websocket_manager\n",
        "from app.ws.factory import (create_websocket_manager)\nfrom app.ws.manager import IsolatedManager, "
        "WebSocketManager\n\n\n"
        "def f(ctx):\n    return WebSocketManager.create_for_user(ctx), IsolatedManager, create_websocket_manager\n",
        id="parenthesized on one line: no trailing ', '",
    ),
    pytest.param(
        "from app.ws.factory import (\n    create_websocket_manager,\n    IsolatedWebSocketManager\n)\n\n\n"
        "def f(ctx):\n    return create_websocket_manager(ctx), IsolatedWebSocketManager, create_websocket_manager\n",
        "from app.ws.factory import (\n    create_websocket_manager\n)\nfrom app.ws.manager import IsolatedManager, "
        "WebSocketManager\n\n\n"
        "def f(ctx):\n    return WebSocketManager.create_for_user(ctx), IsolatedManager, create_websocket_manager\n",
        id="one name a line, no trailing comma: none added, no indented blank line",
    ),
    pytest.param(
        "from app.ws.factory import (\n    create_websocket_manager,\n    IsolatedWebSocketManager,\n)\n\n\n"
        "def f(ctx):\n    return create_websocket_manager(ctx), IsolatedWebSocketManager, create_websocket_manager\n",
        "from app.ws.factory import (\n    create_websocket_manager,\n)\nfrom app.ws.manager import IsolatedManager, "
        "WebSocketManager\n\n\n"
        "def f(ctx):\n    return WebSocketManager.create_for_user(ctx), IsolatedManager, create_websocket_manager\n",
        id="one name a line, trailing comma kept",
    ),
    pytest.param(
        "from app.ws.factory import (\n    create_websocket_manager,  # the factory\n"
        "    IsolatedWebSocketManager,  # the class\n)\n\n\n"
        "def f(ctx):\n    return create_websocket_manager(ctx), IsolatedWebSocketManager\n",
        "from app.ws.manager import IsolatedManager, WebSocketManager\n\n\n"
        "def f(ctx):\n    return WebSocketManager.create_for_user(ctx), IsolatedManager\n",
        id="every name rewritten: their comments go with them",
    ),
    pytest.param(
        "import os\nfrom app.ws.factory import *\nx = create_websocket_manager(os)\n",
        "import os\nfrom app.ws.manager import WebSocketManager\nx = WebSocketManager.create_for_user(os)\n",
        id="no blank line after an added import that the file had not; the star import it left unused goes",
    ),
]


STARS = [
    pytest.param(
        "from app.ws.factory import *\n\nx = create_websocket_manager(1)\ny = helper\n",
        "from app.ws.factory import *\nfrom app.ws.manager import WebSocketManager\n\n"
        "x = WebSocketManager.create_for_user(1)\ny = helper\n",
        ["app/use.py:1:28: manual: star import: import the names you use from the replacement (SOT001)"],
        id="a name the star may bring is still read: it stays",
    ),
    pytest.param(
        "from app.ws.factory import *\n\nx = create_websocket_manager(1)\ny = globals()\n",
        "from app.ws.factory import *\nfrom app.ws.manager import WebSocketManager\n\n"
        "x = WebSocketManager.create_for_user(1)\ny = globals()\n",
        ["app/use.py:1:28: manual: star import: import the names you use from the replacement (SOT001)"],
        id="names read dynamically: it stays",
    ),
]


@pytest.mark.parametrize(("before", "after", "manual"), STARS)
def test_star_imports_that_may_still_serve_stay(fixer: Fixer, before: str, after: str, manual: list[str]) -> None:
    run = fixer(before)
    assert run.new == after
    assert [line for line in run.out.splitlines() if ": manual: " in line] == manual
    ast.parse(run.new)


@pytest.mark.parametrize(("before", "after"), FORMATTING)
def test_formatting_is_kept(fixer: Fixer, before: str, after: str) -> None:
    check_fix(fixer, before, after)


# -- moves through a variable: the assignment is rewritten, the variable's uses stay ------------------

VARIABLES = [
    pytest.param(
        """
        from app.ws.factory import IsolatedWebSocketManager

        Manager = IsolatedWebSocketManager


        def f():
            return Manager(), Manager
        """,
        """
        from app.ws.manager import IsolatedManager

        Manager = IsolatedManager


        def f():
            return Manager(), Manager
        """,
        id="module-level alias",
    ),
]


@pytest.mark.parametrize(("before", "after"), VARIABLES)
def test_moves_through_variables(fixer: Fixer, before: str, after: str) -> None:
    check_fix(fixer, before, after)
