"""k9s's `/` filter: ``text`` is a case-insensitive regex over the row, ``!text`` its inverse,
``-l app=x`` a label selector, ``-f text`` a fuzzy match on the name."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from k9py.kube.regex import Re2, compile_re2
from k9py.kube.selectors import Selector, matches, parse_label_selector

Obj = dict[str, Any]


@dataclass(frozen=True)
class Filter:
    text: str = ""
    mode: str = "none"  # none | regex | inverse | labels | fuzzy
    error: str | None = None  # an invalid regex or selector: said in the flash while it is typed
    _pred: Callable[[str, str, Obj], bool] | None = None
    rx: Re2 | None = None  # regex / inverse modes: lets a row model loop without calls
    literal: str | None = None  # the pattern, lowercased, when it has no regex syntax (substring test)
    selector: Selector | None = None  # labels mode: the parsed selector (None: it does not parse)
    name_rx: re.Pattern[str] | None = None  # fuzzy mode: the subsequence as a regex over the name

    def __bool__(self) -> bool:
        return self.mode != "none"

    def matches(self, row_text: str, name: str, obj: Obj) -> bool:
        """``row_text``: the row's cells joined by spaces; ``name``: the object's name."""
        return True if self._pred is None else self._pred(row_text, name, obj)

    @property
    def needs_text(self) -> bool:
        return self.mode in ("regex", "inverse")

    @property
    def keeps_nothing(self) -> bool:
        """`!` alone (every row holds the empty pattern, so its inverse keeps no row) or a
        selector that does not parse: no row needs to be looked at to know."""
        return (self.mode == "inverse" and self.literal == "") or (self.mode == "labels" and self.error is not None)


def search_regex(pattern: str) -> Re2:
    """What a `/` search or filter finds: ``pattern`` as a case-insensitive regex, or its text
    when it is no regex (a half-typed ``[``)."""
    return compile_regex(pattern)[0]


def compile_regex(pattern: str) -> tuple[Re2, str | None]:
    """The pattern compiled case-insensitive by RE2, k9s's engine (Go's regexp): linear time
    whatever the pattern and the row, where Python's re took hours on ``(a+)+$`` and minutes on
    ``.*.*.*x`` over one long log line. An invalid one (for Go too: lookaround, backreferences)
    is matched literally, with the error to show (``/[`` must not silently show an empty table)."""
    try:
        return compile_re2(pattern, ignore_case=True), None
    except ValueError as err:
        error = f"invalid regex: {err}"
    return compile_re2(pattern, ignore_case=True, literal=True), error


def fuzzy_match(pattern: str, text: str) -> bool:
    """Every character of ``pattern`` appears in ``text`` in order (case-insensitive)."""
    it = iter(text.lower())
    return all(ch in it for ch in pattern.lower())


def fuzzy_regex(pattern: str) -> re.Pattern[str]:
    """``fuzzy_match`` as one regex search (``ngx`` → ``n[^g]*+g[^x]*+x``, case-insensitive): no
    Python loop per row. Each character matches at its first place after the one before, which
    is all a subsequence needs, so nothing is given back (possessive: no backtracking)."""
    chars = [re.escape(ch) for ch in pattern.lower()]
    rx = chars[0] if chars else ""
    for ch in chars[1:]:
        rx += f"[^{ch}]*+{ch}"
    return re.compile(rx, re.IGNORECASE | re.DOTALL)


def narrows(old: Filter, new: Filter) -> bool:
    """Whether every row ``new`` keeps, ``old`` kept too (the text grew: filter what ``old`` left
    instead of every row)."""
    if not old or old.error or new.error or old.mode != new.mode:
        return False
    if new.mode == "regex":  # a longer substring is found only where the shorter one is
        return old.literal is not None and new.literal is not None and old.literal in new.literal
    if new.mode == "fuzzy":  # a pattern extended at its end is a subsequence only where the start is
        return new.text.startswith(old.text)
    return False


def labels_of(obj: Obj) -> dict[str, Any]:
    """An object's labels, those with a string value (a hand-written scenario or recording may
    hold anything: the label index and `-l` read every row, and must not fail on one)."""
    md = obj.get("metadata")
    labels = md.get("labels") if type(md) is dict else None
    if not isinstance(labels, dict):
        return {}
    for v in labels.values():
        if type(v) is not str:  # not a label value: as if absent (the index keys values by them)
            return {k: v for k, v in labels.items() if type(v) is str}
    return labels


def labels_selected(sel: Selector, obj: Obj) -> bool:
    """Whether ``sel`` selects ``obj`` by its labels (``labels_of``): a `-l` filter's test."""
    return matches(sel, labels_of(obj))


def parse(text: str | None) -> Filter:
    raw = (text or "").strip()
    if raw.startswith("/"):
        raw = raw[1:].strip()
    if not raw:
        return Filter()
    if raw.startswith("-l ") or raw == "-l":
        sel_text = raw[2:].strip()
        try:
            sel = parse_label_selector(sel_text)
        except ValueError as err:
            return Filter(raw, "labels", str(err), lambda _t, _n, _o: False)
        return Filter(raw, "labels", None,
                      lambda _t, _n, o: labels_selected(sel, o), selector=sel)
    if raw.startswith("-f ") or raw == "-f":
        pat = raw[2:].strip()
        return Filter(raw, "fuzzy", None, lambda _t, n, _o: fuzzy_match(pat, n), name_rx=fuzzy_regex(pat))
    if raw.startswith("!"):
        rx, error = compile_regex(raw[1:])
        return Filter(raw, "inverse", error, lambda t, _n, _o: not rx.matches(t), rx, _literal(raw[1:]))
    rx, error = compile_regex(raw)
    return Filter(raw, "regex", error, lambda t, _n, _o: rx.matches(t), rx, _literal(raw))


_REGEX_SYNTAX = re.compile(r"[\\.^$*+?{}\[\]|()]")


def _literal(pattern: str) -> str | None:
    return None if _REGEX_SYNTAX.search(pattern) else pattern.lower()
