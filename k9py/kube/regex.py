"""Regular expressions a user or a cluster object types, run as Go's regexp runs them: RE2.

k9s filters with Go's regexp and cel-go's ``matches`` uses RE2; both take linear time whatever
the pattern and the text. Python's ``re`` backtracks: ``(a+)+$`` takes 2**n steps on a row of n
a's, and even ``.*.*.*x`` took minutes on one 1,000-character log line. No pattern a person
types runs on it here, and the syntax accepted is Go's (no lookaround, no backreferences).

RE2 reads UTF-8, and a lone surrogate (``"\\ud800"``, which Python's json keeps in a name, a
label or a log line) has none: the text searched and the pattern hold U+FFFD in its place, the
character Go's decoder gives it, one character for one, so offsets found stay the text's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from k9py.kube.unicode import replace_lone_surrogates


class Match(Protocol):
    def start(self, group: int = 0) -> int: ...
    def end(self, group: int = 0) -> int: ...
    def span(self, group: int = 0) -> tuple[int, int]: ...


class Regex(Protocol):
    """What a compiled pattern offers, by ``re`` and RE2 alike (str in, str offsets out)."""

    def search(self, text: str) -> Match | None: ...
    def finditer(self, text: str) -> Iterator[Any]: ...


class Re2:
    """A pattern compiled by RE2. ``matches``: whether it is found in a text, the test a filter
    makes of every row; ``search`` and ``finditer``: where, in str offsets (highlighting). A
    ``literal`` too big for RE2's memory bound (megabytes pasted) is searched as text."""

    __slots__ = ("finditer", "matches", "pattern", "search")
    matches: Callable[[str], bool]
    search: Callable[[str], Match | None]
    finditer: Callable[[str], Iterator[Any]]

    def __init__(self, pattern: str, *, ignore_case: bool = False, literal: bool = False) -> None:
        import re2  # type: ignore[import-untyped]  # (google-re2: loaded by the first pattern)
        self.pattern = pattern
        options = re2.Options()
        options.log_errors = False  # (else RE2 writes its complaint on the terminal's stderr)
        options.case_sensitive = not ignore_case
        options.literal = literal
        options.never_capture = True  # (a yes/no asks for no group: RE2 need not track them)
        compiled = re2._re2.RE2(_utf8(pattern), options)
        if not compiled.ok():
            why = compiled.error()
            if literal:
                as_text = re.compile(re.escape(pattern), re.IGNORECASE if ignore_case else 0)
                self.matches = lambda text: as_text.search(text) is not None
                self.search, self.finditer = as_text.search, as_text.finditer
                return
            raise ValueError(why.decode("utf-8", "replace") if isinstance(why, bytes) else str(why))
        # The compiled program called straight: the module's str search makes a generator, a
        # match object and str offsets per call, three times the time of `re` over 100,000 rows.
        match, unanchored = compiled.Match, re2._re2.RE2.Anchor.UNANCHORED

        def matches(text: str) -> bool:
            try:
                b = text.encode()
            except UnicodeEncodeError:  # a lone surrogate
                b = replace_lone_surrogates(text).encode()
            start: int = match(unanchored, b, 0, len(b))[0][0]
            return start >= 0

        offsets: list[Any] = []  # the module's own compiled pattern, for str offsets: on first use

        def with_offsets() -> Any:
            if not offsets:
                offsets.append(re2.compile(_utf8(pattern), options=options))
            return offsets[0]

        self.matches = matches
        self.search = lambda text: with_offsets().search(_searchable(text))
        self.finditer = lambda text: with_offsets().finditer(_searchable(text))


def _utf8(text: str) -> bytes:
    return replace_lone_surrogates(text).encode()


def _searchable(text: str) -> str:
    return text if text.isascii() else replace_lone_surrogates(text)


@functools.lru_cache(maxsize=256)  # (a CEL rule, a views.yaml key: the same patterns again and again)
def compile_re2(pattern: str, *, ignore_case: bool = False, literal: bool = False) -> Re2:
    """``pattern`` compiled by RE2 (``literal``: its text, no syntax); ``ValueError`` with RE2's
    complaint (as Go's regexp words it: ``missing closing ]: `[```) when it is no RE2 regex or
    too big for RE2's memory bound. A compiled one is never changed: callers share it."""
    return Re2(pattern, ignore_case=ignore_case, literal=literal)
