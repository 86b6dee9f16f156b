"""Property: for any tree and any set of paths, `check` prints exactly what flake8 prints with
the plugin, with ``exclude``, ``exempt`` and the allowlist in play (both run in this process)."""

from __future__ import annotations

import shutil
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_tree

Run = Callable[..., tuple[int, str, str]]

FOLDERS = ["", "app/", "app/sub/", "lib/", "build/", "gen/"]
SOURCES = [
    "from legacy.factory import get_factory\n",
    "import legacy.factory\n\nlegacy.factory.get_factory()\n",
    "from legacy import factory as f\n\nf.get_factory()  # noqa: SOT002\n",
    "x = 1\n",
    "get_factory = 1\n",
]
GLOBS = ["gen/", "app/sub/*.py", "*_x.py", "lib/m1.py"]
files_st = st.dictionaries(
    st.tuples(st.sampled_from(FOLDERS), st.sampled_from(["m1", "m2_x", "m3"])).map(lambda t: f"{t[0]}{t[1]}.py"),
    st.sampled_from(SOURCES),
    min_size=1,
    max_size=6,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    files=files_st,
    exclude=st.lists(st.sampled_from(GLOBS), max_size=2, unique=True),
    exempt=st.lists(st.sampled_from(GLOBS), max_size=2, unique=True),
    allowed=st.lists(st.sampled_from(["app/m1.py", "m3.py", "lib/m2_x.py", "gen/m1.py"]), max_size=2, unique=True),
    picks=st.lists(st.integers(0, 20), max_size=3),
)
def test_check_equals_the_plugin(
    ssot: Run, flake8_app: Run, files: dict[str, str], exclude: list[str], exempt: list[str],
    allowed: list[str], picks: list[int],
) -> None:
    root = Path(tempfile.mkdtemp(prefix="ssot-property-"))
    try:
        config = textwrap.dedent(f"""
            [tool.flake8-ssot]
            allowlist = "allow.toml"
            exclude = {exclude!r}

            [[tool.flake8-ssot.rules]]
            name = "factory"
            deprecated = ["legacy.factory"]
            exempt = {exempt!r}
        """)
        entries = "".join(f'[[allow]]\npath = "{p}"\nrule = "factory"\n\n' for p in allowed)
        write_tree(root, {
            "pyproject.toml": config, "allow.toml": entries,
            "legacy/__init__.py": "", "legacy/factory.py": "def get_factory():\n    return 1\n", **files,
        })
        # A set of paths that do not overlap (flake8 would lint a file twice): folders and files.
        candidates = sorted({name.rpartition("/")[0] or "." for name in files} | set(files))
        chosen: list[str] = []
        for pick in picks:
            path = candidates[pick % len(candidates)]
            if not any(path == c or path.startswith(c + "/") or c.startswith(path + "/") or "." in (c, path)
                       for c in chosen):
                chosen.append(path)
        plugin = flake8_app("--select", "SOT", *chosen, cwd=root)
        expected = "".join(line.removeprefix("./") + "\n" for line in plugin[1].splitlines())
        assert ssot("check", *chosen, cwd=root)[:2] == (plugin[0], expected), chosen
    finally:
        shutil.rmtree(root, ignore_errors=True)
