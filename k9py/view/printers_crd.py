"""Custom resources as the apiserver prints them: NAME, then the CRD version's
additionalPrinterColumns, each cell found with its JSONPath (apiextensions-apiserver
``tableconvertor.go``; a version without columns prints Age). For ``serve`` and the explorer.

Pure functions over API-shaped dicts; no simulator or UI imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from k9py.kube import jsonpath
from k9py.kube.resources import PrinterColumn
from k9py.kube.timefmt import human_duration, parse_time
from k9py.view.printers_format import INVALID

Obj = dict[str, Any]
COLUMN_DOC = "Custom resource definition column (in JSONPath format): "


def cell(obj: Obj, col: PrinterColumn, now: float) -> Any:
    """One cell: the first value the column's JSONPath finds, typed like the column (None: the
    value is missing or of another type; kubectl prints ``<none>``)."""
    try:
        found = jsonpath.find(obj, col.json_path)
    except ValueError:
        return None
    if not found or found[0] is None:
        return None
    value = found[0]
    kind = col.type
    if kind == "string":
        return value if isinstance(value, str) else jsonpath.go_text(value)
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return int(value)
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return int(value) if float(value).is_integer() else float(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind == "date":
        if not isinstance(value, str):
            return None
        try:
            t = parse_time(value)
        except ValueError:
            return INVALID
        return "<unknown>" if t is None else human_duration(now - t)
    return None


def cells(obj: Obj, now: float, columns: Sequence[PrinterColumn]) -> list[Any]:
    """NAME, then one cell per printer column."""
    name = (obj.get("metadata") or {}).get("name", "")
    return [name, *(cell(obj, c, now) for c in columns)]


def column_defs(columns: Sequence[PrinterColumn]) -> list[tuple[str, str, str, int, str]]:
    """(name, type, format, priority, description) of every column after NAME."""
    return [(c.name, c.type, c.format, c.priority, c.description or COLUMN_DOC + c.json_path) for c in columns]
