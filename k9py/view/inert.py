"""Cluster content made inert for the terminal (issue 15, "Terminal injection").

Everything a cluster or a file holds (names, labels, annotations, events, YAML values, env,
ConfigMap data, log lines) may contain escape sequences, control characters, bidi overrides or
zero-width characters. What reaches the screen goes through ``inert`` (multi-line text) or
``inert_line`` (one cell, one line): each such character becomes ONE visible character, so
lengths, column widths and search offsets computed on the raw text still hold:

- C0 controls and DEL → their Unicode control pictures (ESC → ``␛``, NUL → ``␀``, DEL → ``␡``);
- C1 controls, bidi embeddings/overrides/isolates and marks, zero-width characters, the BOM,
  line/paragraph separators and lone surrogates → ``�`` (U+FFFD).

Rich markup needs nothing here: the UI never parses content as markup (``rich.text.Text``).
Saved files (ctrl-s) and copies keep the raw text: only what is painted is made inert.
"""

from __future__ import annotations

from k9py.kube.unicode import replace_lone_surrogates

REPLACEMENT = "\ufffd"

_TABLE: dict[int, str] = {c: chr(0x2400 + c) for c in range(0x20) if c not in (0x09, 0x0A)}
_TABLE[0x7F] = "\u2421"
_TABLE.update({c: REPLACEMENT for c in range(0x80, 0xA0)})
_TABLE.update({c: REPLACEMENT for c in (0x061C, 0x2028, 0x2029, 0xFEFF)})
_TABLE.update({c: REPLACEMENT for c in range(0x200B, 0x2010)})  # ZWSP, ZWNJ, ZWJ, LRM, RLM
_TABLE.update({c: REPLACEMENT for c in range(0x202A, 0x202F)})  # LRE RLE PDF LRO RLO
_TABLE.update({c: REPLACEMENT for c in range(0x2060, 0x206A)})  # word joiner … isolates (LRI RLI FSI PDI)
_TABLE.update({c: REPLACEMENT for c in range(0xD800, 0xE000)})  # lone surrogates cannot be written

_LINE_TABLE = dict(_TABLE)
_LINE_TABLE[0x0A] = "\u2424"  # ␤: a newline inside one cell or one line
_LINE_TABLE[0x09] = " "


def _clean(s: str) -> bool:
    """Fast path: plain printable ASCII (the common case) needs no translation."""
    return s.isascii() and s.isprintable()


def inert(text: str) -> str:
    """``text`` with every control, bidi and zero-width character made one visible character;
    newlines and tabs are kept."""
    if _clean(text.replace("\n", "").replace("\t", "")):
        return text
    return text.translate(_TABLE)


def inert_line(text: str) -> str:
    """As ``inert``, for what must stay on one line (a table cell, a flash, a title): a newline
    becomes ``␤`` and a tab a space."""
    if _clean(text):
        return text
    return text.translate(_LINE_TABLE)


def encodable(text: str) -> str:
    """``text`` with lone surrogates (JSON's ``"\\ud800"``) as ``�``: what can be UTF-8 encoded
    whole (the clipboard); everything else is kept as it is."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return replace_lone_surrogates(text)
    return text
