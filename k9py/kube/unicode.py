"""Decoded JSON as Go decodes it: a lone UTF-16 surrogate (``"\\ud800"`` without its pair) becomes
U+FFFD, the replacement character. Python's json keeps it, and a string holding one cannot be
encoded as UTF-8 (protobuf, YAML, a file, the terminal): the apiserver never stores one."""

from __future__ import annotations

import re
from typing import Any

_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def may_hold_surrogates(json_text: str) -> bool:
    """Cheap test on the JSON text: only an escaped surrogate can decode to a lone one."""
    return "\\u" in json_text and _ESCAPED_SURROGATE.search(json_text) is not None


def replace_lone_surrogates(value: Any) -> Any:
    """``value`` (decoded JSON) with every lone surrogate in its strings and keys as U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {replace_lone_surrogates(k): replace_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_lone_surrogates(v) for v in value]
    return value


def digits(text: str) -> bool:
    """Whether ``text`` is a number as Go's strconv reads one: ASCII 0-9 only, at least one.
    (``str.isdigit`` takes ``³`` and ``٣`` too, which ``int()`` then refuses or reads as 3.)"""
    return text.isascii() and text.isdigit()


_GO_INT = re.compile(r"[+-]?[0-9]+")


def go_int(text: str) -> int | None:
    """``text`` as Go's strconv.ParseInt(text, 10, 64) reads it, None where it refuses it:
    Python's int() also takes "1_000", " 5 " and Arabic-Indic digits, and no bound (float() nan and inf, which
    a watch's timeoutSeconds took: a watch that never timed out)."""
    if not _GO_INT.fullmatch(text):
        return None
    n = int(text)
    return n if -(1 << 63) <= n < 1 << 63 else None
