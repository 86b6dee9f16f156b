"""``exclude``/``exempt`` globs mean what pathspec's gitignore matching says, whichever way
they are matched (plain directory names are matched without importing pathspec)."""

from __future__ import annotations

import pathspec
import pytest

from flake8_ssot.paths import is_excluded, matcher

PATHS = [
    "generated/x.py", "a/generated/x.py", "a/b/generated/c/x.py", "generated", "a/generated", "generated/",
    "a/generated/", "xgenerated/y.py", "generatedx/y.py", "a/xgenerated/y.py", "build/x.py", "a/build/",
    "Generated/x.py", "x.py", "a/b.py", "./generated/x.py", "../generated/x.py", "gen.d/x.py", "a/gen.d/b/x.py",
]


@pytest.mark.parametrize(
    "globs",
    [
        pytest.param(["generated/"], id="one directory name"),
        pytest.param(["generated/", "build/", "gen.d/"], id="several, one with a dot"),
        pytest.param(["generated"], id="no slash: files too"),
        pytest.param(["/generated/"], id="anchored"),
        pytest.param(["a/generated/"], id="a path"),
        pytest.param(["gen*/"], id="a wildcard"),
        pytest.param(["generated/", "!a/generated/"], id="a negation"),
        pytest.param(["generated/ "], id="a trailing space"),
        pytest.param(["./"], id="the current directory"),
        pytest.param(["\\#x/"], id="an escape"),
    ],
)
def test_a_matcher_agrees_with_pathspec(globs: list[str]) -> None:
    ours, theirs = matcher(globs), pathspec.GitIgnoreSpec.from_lines(globs)
    assert ours is not None
    assert [p for p in PATHS if ours.match_file(p)] == [p for p in PATHS if theirs.match_file(p)]
    assert [p for p in PATHS if is_excluded(ours, p)] == [p for p in PATHS if is_excluded(theirs, p)]
