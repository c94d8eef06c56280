"""``go_types.base64_error``: Go's ``base64.StdEncoding.Decode`` refusals, where a JSON string
decodes into ``[]byte`` (a Secret's data)."""

from __future__ import annotations

import pytest

from k9py.serve.go_types import base64_error


@pytest.mark.parametrize("text", ["", "aGk=", "aGVsbG8=", "ab==", "abc=", "aGk=\n", "aG\nk=", "YWRtaW4=\r\n"])
def test_what_decodes(text):
    assert base64_error(text) is None


@pytest.mark.parametrize("text,at", [
    ("hunter2!", 7),      # a character outside the alphabet
    ("admin", 4),         # a quantum of one: where it starts
    ("aGk", 0),           # unpadded: the short quantum's start
    ("aGVsbG8", 4),
    ("a===", 1),          # padding too early
    ("ab=", 3),           # "==" expected, the input ends
    ("ab=c", 2),          # "==" expected, something else
    ("aGk=x", 4),         # trailing data after the padding
    ("YWJj ", 4),
])
def test_where_go_says_it_is_broken(text, at):
    assert base64_error(text) == f"illegal base64 data at input byte {at}"
