"""apimachinery's ``diff.Diff`` (``k8s.io/apimachinery/pkg/util/diff``), which the apiserver puts
under an update it forbids (``spec: Forbidden: spec is immutable after creation ...``): both
values as Go's ``json.MarshalIndent(v, "", " ")`` writes them, and go-difflib's unified diff of
their lines with three lines of context and no file header (``@@ -1,6 +1,6 @@``). go-difflib is a
port of Python's difflib, so its matcher and hunk ranges are Python's."""

from __future__ import annotations

import difflib
import json
from typing import Any

# encoding/json escapes these in strings (HTML safety, and the JavaScript line separators)
_GO_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def go_indent_json(value: Any) -> str:
    """``json.MarshalIndent(value, "", " ")`` of a JSON-shaped value (keys in the given order)."""
    text = json.dumps(value, indent=1, ensure_ascii=False)
    for raw, escaped in _GO_ESCAPES:
        text = text.replace(raw, escaped)
    return text


def _lines(text: str) -> list[str]:
    """go-difflib's SplitLines: every line keeps its newline, the last one gets one."""
    lines = text.split("\n")
    return [line + "\n" for line in lines]


def diff(a: Any, b: Any) -> str:
    """The unified diff of two JSON-shaped values, as the apiserver appends it to a Forbidden."""
    out = list(difflib.unified_diff(_lines(go_indent_json(a)), _lines(go_indent_json(b)), n=3, lineterm="\n"))
    return "".join(out[2:])  # (past Python's ---/+++ header: go-difflib writes none without file names)
