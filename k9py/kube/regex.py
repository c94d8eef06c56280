"""Regular expressions a user or a cluster object types, run as Go's regexp runs them: RE2.

k9s filters with Go's regexp and cel-go's ``matches`` uses RE2; both take linear time whatever
the pattern and the text. Python's ``re`` backtracks: ``(a+)+$`` takes 2**n steps on a row of n
a's, and even ``.*.*.*x`` took minutes on one 1,000-character log line. No pattern a person
types runs on it here, and the syntax accepted is Go's (no lookaround, no backreferences).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol


class Match(Protocol):
    def start(self, group: int = 0) -> int: ...
    def end(self, group: int = 0) -> int: ...
    def span(self, group: int = 0) -> tuple[int, int]: ...


class Regex(Protocol):
    """What a compiled pattern offers, by ``re`` and RE2 alike (str in, str offsets out)."""

    def search(self, text: str) -> Match | None: ...
    def finditer(self, text: str) -> Iterator[Any]: ...


def compile_re2(pattern: str, *, ignore_case: bool = False) -> Regex:
    """``pattern`` compiled by RE2; ``ValueError`` with RE2's complaint (as Go's regexp words it:
    ``missing closing ]: `[```) when it is no RE2 regex or too big for RE2's memory bound."""
    import re2  # type: ignore[import-untyped]  # (google-re2: loaded by the first pattern)
    options = re2.Options()
    options.log_errors = False  # (else RE2 writes its complaint on the terminal's stderr)
    options.case_sensitive = not ignore_case
    try:
        compiled: Regex = re2.compile(pattern, options=options)
    except re2.error as e:
        why = e.args[0] if e.args else "invalid"
        raise ValueError(why.decode("utf-8", "replace") if isinstance(why, bytes) else str(why)) from None
    return compiled
