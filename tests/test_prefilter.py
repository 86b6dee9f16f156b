"""The prefilter's fast paths select exactly what its whole-word regex selects.

Few words are searched as substrings, many as a set of the text's tokens; both must agree with
``Prefilter.pattern`` (a word with no word character on either side) on any text, so that the
files parsed, and so the findings, do not depend on how many rules a project has.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flake8_ssot.prefilter import Prefilter, Scanner

# Short words over a small alphabet, so that random texts spell them, inside other words too.
WORD = st.text("abAB_1", min_size=1, max_size=4).filter(lambda w: not w[0].isdigit())
TEXT = st.text(st.sampled_from(list("abAB_1 .(\n\t\"'#é€\x00\x0b\x0c\x1c") + ["\u2028", "\ud800"]), max_size=60)


def _reference(words: frozenset[str]) -> re.Pattern[str]:
    return re.compile(Prefilter(words).pattern)


@settings(max_examples=300, deadline=None)
@given(words=st.frozensets(WORD, min_size=1, max_size=40), text=TEXT)
def test_any_number_of_words_selects_what_the_regex_selects(words: frozenset[str], text: str) -> None:
    prefilter = Prefilter(words)
    expected = _reference(words).search(text) is not None
    assert prefilter.matches_text(text) is expected
    data = text.encode("utf-8", "surrogatepass")
    assert prefilter.matches_bytes(data) is expected


MANY = [f"name_{i}" for i in range(30)]


@pytest.mark.parametrize(
    ("words", "text", "expected"),
    [
        pytest.param(MANY, "x = name_7()\n", True, id="many-words-call"),
        pytest.param(MANY, "x = name_77()\n", False, id="many-words-longer-name"),
        pytest.param(MANY, "x = my_name_7\n", False, id="many-words-inside-another"),
        pytest.param(MANY, "x = 1name_7\n", False, id="many-words-after-a-digit"),
        pytest.param(MANY, "x = éname_7\n", True, id="many-words-after-a-non-ascii-letter"),
        pytest.param(MANY, "obj.name_29", True, id="many-words-attribute-at-the-end"),
        pytest.param([*MANY, "nämé"], "x = nämé\n", True, id="unicode-word-uses-the-regex"),
        pytest.param([*MANY, "nämé"], "x = anämé\n", False, id="unicode-word-inside-another"),
    ],
)
def test_many_words(words: list[str], text: str, expected: bool) -> None:
    prefilter = Prefilter(words)
    assert prefilter.matches_text(text) is expected
    assert prefilter.matches_bytes(text.encode()) is expected


def _alias_reference(words: frozenset[str]) -> re.Pattern[bytes]:
    """The pattern the scanner compiled before it looked names up instead."""
    trie = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)).encode()
    return re.compile(
        rb"(?:" + trie + rb")\s+as\s|=[ \t]*(?:[A-Za-z_][\w.]*\.)?(?:" + trie + rb")[ \t]*(?:[#;\r\n]|\Z)",
        re.MULTILINE,
    )


ALIAS_TEXT = st.lists(
    st.sampled_from(["a", "b", "_", "1", ".", " ", "\t", "\n", "\r", "=", "#", ";", "as", "é", "("]), max_size=30
).map("".join)


@settings(max_examples=500, deadline=None)
@given(words=st.frozensets(WORD, min_size=1, max_size=20), text=ALIAS_TEXT)
def test_alias_lines_are_found_as_the_pattern_finds_them(words: frozenset[str], text: str) -> None:
    scanner = Scanner(words)
    data = text.encode()
    expected = _alias_reference(words).search(data) is not None
    found = scanner.flags(data) & Scanner.ALIAS
    # Flags report an alias only for a file that spells a word at all.
    assert bool(found) is (expected and scanner.prefilter.matches_bytes(data))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("from m import name_3 as n\n", True, id="import-as"),
        pytest.param("import pkg.name_3  as  n\n", True, id="blanks-before-as"),
        pytest.param("from m import my_name_3 as n\nname_3()\n", True, id="tail-of-a-longer-name"),
        pytest.param("n = name_3\n", True, id="assignment"),
        pytest.param("n = pkg.mod.name_3  # compat\n", True, id="dotted-assignment-comment"),
        pytest.param("n = name_3; m = 1\n", True, id="semicolon"),
        pytest.param("n = name_3", True, id="end-of-file"),
        pytest.param("n = name_3()\n", False, id="call-is-no-alias"),
        pytest.param("n = 1.name_3\n", False, id="owner-starts-with-a-digit"),
        pytest.param("n = .name_3\n", False, id="no-owner"),
        pytest.param("x = 1.name_3\nas y\n", True, id="as-on-the-next-line"),
        pytest.param("name_3()\n", False, id="plain-use"),
    ],
)
def test_alias_lines(text: str, expected: bool) -> None:
    scanner = Scanner(MANY)
    assert bool(scanner.flags(text.encode()) & Scanner.ALIAS) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("from mock import Mock\n", True, id="module of a from-import"),
        pytest.param("def f():\n    from mock.sub import Mock\n", True, id="package of an indented from-import"),
        pytest.param("from mock.a.b import c\n", True, id="first part of a dotted module"),
        pytest.param("from app.mock import x\n", True, id="last part of a dotted module"),
        pytest.param("from .mock import x\n", True, id="relative from-import"),
        pytest.param("from mock \\\n    import Mock\n", True, id="continued on the next line"),
        pytest.param("x = 1; import mock\n", True, id="import after a semicolon"),
        pytest.param("m = __import__('mock.sub')\n", True, id="first part of a quoted dotted name"),
        pytest.param('"""Made from mock objects."""\n', False, id="prose after from"),
        pytest.param("from mocking import x\n", False, id="a longer module name"),
        pytest.param("from unmock import mock_x\n", False, id="the word inside others"),
        pytest.param("x = 'a mock thing'\n", False, id="a quoted sentence"),
    ],
)
def test_a_weak_module_word_counts_wherever_an_import_names_a_module(text: str, expected: bool) -> None:
    prefilter = Prefilter(["mock"], weak=["mock"])
    assert prefilter.matches_text(text) is expected
    assert prefilter.matches_bytes(text.encode()) is expected
