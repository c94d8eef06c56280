"""The JSONPath subset CRD printer columns use (client-go's ``util/jsonpath`` on one expression,
without the ``{}`` template): ``.a.b``, ``['a.b']``, ``[0]``, ``[-1]``, slices ``[-1:]``/``[0:2]``/``[::2]``,
``[*]``, ``.*``, ``\\.`` in a name (``.metadata.labels.app\\.kubernetes\\.io/name``) and filters
``[?(@.type=="Ready")]`` (``==``, ``!=``, or a bare ``@.field`` for presence).

``parse`` raises ``ValueError`` with a one-line reason; ``find`` returns every match in order.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_NAME = re.compile(r"(?:[A-Za-z0-9_\-$/]|\\.)+")  # a backslash escapes the next character (\. in a label's name)
_FILTER = re.compile(r"""^@((?:\.[A-Za-z0-9_\-$/]+)+)\s*(?:(==|!=)\s*(.+?))?\s*$""")


@dataclass(frozen=True)
class Step:
    """One path step: a field, an index, every child (``*``), or a filter over list items."""

    field: str | None = None
    index: int | None = None
    every: bool = False
    filter: tuple[tuple[str, ...], str, Any] | None = None  # (path under @, op or "", literal)
    slice: tuple[int | None, int | None, int | None] | None = None  # [start:end:step], None = not given


@lru_cache(maxsize=512)
def parse(expr: str) -> tuple[Step, ...]:
    """The steps of ``expr`` (must start with ``.``)."""
    if not expr:
        raise ValueError("must be non-empty")
    if expr[0] != ".":
        raise ValueError("must be a simple json path starting with .")
    steps: list[Step] = []
    i, n = 0, len(expr)
    while i < n:
        c = expr[i]
        if c == "." and i + 1 < n and expr[i + 1] == "*":
            steps.append(Step(every=True))
            i += 2
        elif c == ".":
            m = _NAME.match(expr, i + 1)
            if m is None:
                if i + 1 == n and not steps:  # "." alone: the object itself
                    return ()
                raise ValueError(f"unexpected character at position {i + 1}")
            steps.append(Step(field=m.group(0).replace("\\", "")))  # client-go drops every backslash
            i = m.end()
        elif c == "[":
            end = _closing(expr, i)
            steps.append(_bracket(expr[i + 1:end].strip()))
            i = end + 1
        else:
            raise ValueError(f"unexpected character {c!r} at position {i}")
    return tuple(steps)


def _closing(expr: str, start: int) -> int:
    depth, quote = 0, ""
    for j in range(start, len(expr)):
        ch = expr[j]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unclosed array expect ]")


def _bracket(inner: str) -> Step:
    if inner == "*":
        return Step(every=True)
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return Step(field=inner[1:-1])
    if inner.startswith("?(") and inner.endswith(")"):
        m = _FILTER.match(inner[2:-1].strip())
        if m is None:
            raise ValueError(f"unrecognized filter {inner!r}")
        path = tuple(m.group(1)[1:].split("."))
        return Step(filter=(path, m.group(2) or "", _literal(m.group(3)) if m.group(2) else None))
    if ":" in inner:
        parts = inner.split(":")
        if len(parts) > 3:
            raise ValueError(f"unrecognized array index {inner!r}")
        try:
            nums = [int(x) if x.strip() else None for x in parts] + [None] * (3 - len(parts))
        except ValueError:
            raise ValueError(f"unrecognized array index {inner!r}") from None
        return Step(slice=(nums[0], nums[1], nums[2]))
    try:
        return Step(index=int(inner))
    except ValueError:
        raise ValueError(f"unrecognized array index {inner!r}") from None


def _sliced(items: list[Any], sl: tuple[int | None, int | None, int | None]) -> list[Any]:
    """client-go's evalArray: negative bounds count from the end; out of bounds (or a start past
    the end) is an error, which a printer column shows as an empty cell: nothing here."""
    n = len(items)
    start = 0 if sl[0] is None else sl[0]
    if start < 0:
        start += n
    end = n if sl[1] is None else sl[1]
    if end < 0:
        end += n
    if end == start:
        return []
    if not (0 <= start < n) or not (0 <= end <= n) or start > end:
        return []
    step = 1 if sl[2] is None else sl[2]
    if step <= 0:
        return []
    return items[start:end:step]


def _literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return json.loads(text)
    except ValueError:
        return text


def _get(value: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    for p in path:
        if not isinstance(value, dict) or p not in value:
            return False, None
        value = value[p]
    return True, value


def _keep(item: Any, flt: tuple[tuple[str, ...], str, Any]) -> bool:
    path, op, lit = flt
    found, value = _get(item, path)
    if not op:
        return found
    if not found:
        return False
    same = value == lit or (isinstance(lit, str) and str(value) == lit)
    return same if op == "==" else not same


def find(obj: Any, expr: str) -> list[Any]:
    """Every value ``expr`` selects in ``obj`` (empty: nothing there). ValueError if it does
    not parse."""
    current = [obj]
    for step in parse(expr):
        nxt: list[Any] = []
        for v in current:
            if step.field is not None:
                if isinstance(v, dict) and step.field in v:
                    nxt.append(v[step.field])
            elif step.index is not None:
                if isinstance(v, list) and -len(v) <= step.index < len(v):
                    nxt.append(v[step.index])
            elif step.every:
                if isinstance(v, dict):
                    nxt.extend(v[k] for k in sorted(v))
                elif isinstance(v, list):
                    nxt.extend(v)
            elif step.filter is not None and isinstance(v, list):
                nxt.extend(item for item in v if _keep(item, step.filter))
            elif step.slice is not None and isinstance(v, list):
                nxt.extend(_sliced(v, step.slice))
        current = nxt
    return current


def go_text(value: Any) -> str:
    """A value as Go's ``fmt.Fprint`` prints the decoded JSON (what jsonpath output looks like):
    ``true``, ``3``, ``[a b]``, ``map[k:v]``."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, list):
        return "[" + " ".join(go_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_text(value[k])}" for k in sorted(value)) + "]"
    return str(value)
