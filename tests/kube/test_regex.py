"""k9py.kube.regex: user patterns run by RE2, over any str a cluster holds."""

from __future__ import annotations

import re

import pytest

from k9py.kube.regex import compile_re2

TEXTS = ["", "nginx-7d9c-00042 ● 1/1 running", "default load-app-001 node-4", "ÜBER straße ü",
         "lone \ud800 surrogate", "\udfff", "a\ud800\udc00b", "emoji 😀 x", "tab\tand\nnewline"]
PATTERNS = ["nginx.*-00[0-9]", "^default.*node-4", "", "^$", ".", "^.$", "lone . surr", "\\x{FFFD}",
            "straße", "ü", "[^a-z ]", "😀 .", "(?i)über", "e$", "\\s", "surrogate$"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_matches_is_whether_search_finds_it(pattern):
    """The fast yes/no (bytes, no match object) and the offset search agree on every text: both
    read a lone surrogate as one U+FFFD."""
    for ignore_case in (False, True):
        rx = compile_re2(pattern, ignore_case=ignore_case)
        for text in TEXTS:
            assert rx.matches(text) is (rx.search(text) is not None), (pattern, text)


def test_a_lone_surrogate_is_one_character_where_python_re_found_it():
    """google-re2 encoded the text to UTF-8: UnicodeEncodeError on a name or log line holding one.
    The offsets are the text's own (U+FFFD stands in for it, one character for one)."""
    text = "x lone \ud800 surr \udfff end"
    rx = compile_re2("lone . surr.")
    assert rx.matches(text) and rx.matches(text.upper()) is False
    assert compile_re2("LONE . SURR", ignore_case=True).matches(text)
    spans = [m.span() for m in rx.finditer(text)]
    assert spans == [m.span() for m in re.finditer("lone . surr.", text)] == [(2, 14)]
    assert [m.span() for m in compile_re2(".", ignore_case=True).finditer("\ud800a\udfff")] == [(0, 1), (1, 2), (2, 3)]
    assert rx.search(text).span() == (2, 14)
    assert compile_re2("^.{3}$").matches("a\ud800b") and not compile_re2("^.{5}$").matches("a\ud800b")
    assert compile_re2("\ud800").matches("a\udc00")  # a pattern's lone surrogate: U+FFFD too, as Go reads it


def test_case_insensitive_and_literal():
    rx = compile_re2("NGINX.*-00[0-9]", ignore_case=True)
    assert rx.matches("nginx-7d9c-00042") and not compile_re2("NGINX").matches("nginx")
    lit = compile_re2("a[b.*", ignore_case=True, literal=True)
    assert lit.matches("xA[B.*y") and not lit.matches("a[bb") and lit.search("xa[b.*").span() == (1, 6)


def test_a_literal_too_big_for_re2_is_searched_as_text():
    huge = "a" * 1_000_000 + "\ud800"
    with pytest.raises(ValueError, match="pattern too large"):
        compile_re2(huge)
    lit = compile_re2(huge, literal=True)
    assert lit.matches("b" + huge) and not lit.matches(huge[1:])
    assert lit.search("b" + huge).span() == (1, len(huge) + 1)


def test_an_invalid_pattern_is_a_value_error_with_re2s_words():
    with pytest.raises(ValueError, match=r"missing \]: \["):
        compile_re2("[")
    with pytest.raises(ValueError, match="invalid perl operator"):
        compile_re2("(?=a)")  # lookaround: no Go regexp syntax
