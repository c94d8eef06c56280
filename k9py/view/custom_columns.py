"""k9s's custom columns (``views.yaml``): which of a view's columns show, in which order, the
ones only ``ctrl-w`` (wide) shows, and the sort a view opens with. Read by ``config.views``;
``RowModel.set_custom`` applies one to a view's rows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from k9py.kube import jsonpath
from k9py.kube.regex import compile_re2
from k9py.kube.timefmt import human_duration, time_or_none

NAMESPACE = -1  # RowModel._idx: the namespace column (the row's key, not a printer's cell)


@dataclass(frozen=True)
class ColumnSpec:
    name: str  # a column the view has: NAME, READY, NAMESPACE, ...
    wide: bool = False  # k9s's |W: shown with ctrl-w only
    hidden: bool = False  # k9s's |H
    path: str | None = None  # k9s's NAME:.json.path: a cell of its own, read from the object
    time: bool = False  # k9s's |T on such a column: an RFC 3339 time shown as an age


MISSING = "<none>"  # k9s's MissingValue: the path finds nothing


def relaxed(expr: str) -> str:
    """kubectl's RelaxedJSONPathExpression, as k9s takes a column's path: ``a.b``, ``.a.b``,
    ``{a.b}`` and ``{.a.b}`` are all ``.a.b`` (ValueError for anything else)."""
    m = re.fullmatch(r"\{\.?([^{}]+)\}|\.?([^{}]+)", expr)
    if m is None:
        raise ValueError("expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'")
    return "." + (m.group(1) or m.group(2))


def path_cell(obj: Any, spec: ColumnSpec, now: float) -> str:
    """A JSONPath column's cell (k9s's ``hydrate``): every value found, joined by commas, each as
    Go prints it (a time as its age with ``|T``); ``<none>`` when nothing is found."""
    assert spec.path is not None
    values = jsonpath.find(obj, spec.path)
    if not values:
        return MISSING
    out = []
    for v in values:
        t = time_or_none(v) if spec.time else None
        out.append(human_duration(now - t) if t is not None else v if isinstance(v, str) else jsonpath.go_text(v))
    return ",".join(out)


def path_time(obj: Any, spec: ColumnSpec) -> float | None:
    """The time a ``|T`` column's cell shows as an age: the first value the path finds that is
    one (None: none is), what the column sorts on."""
    assert spec.path is not None
    for v in jsonpath.find(obj, spec.path):
        t = time_or_none(v)
        if t is not None:
            return t
    return None


@dataclass(frozen=True)
class ViewColumns:
    columns: tuple[ColumnSpec, ...]
    sort: tuple[str, bool] | None = None  # k9s's sortColumn: (column, ascending)


def pick(views: Mapping[str, ViewColumns], view: str, namespace: str) -> ViewColumns | None:
    """The columns of ``view`` in ``namespace`` ("": every namespace): k9s's ``VIEW@REGEX`` entry
    whose expression is found in the namespace (the first in reverse name order, as k9s looks them
    up), else the view's own."""
    if namespace:
        for key in sorted((k for k in views if k.startswith(view + "@")), reverse=True):
            if compile_re2(key[len(view) + 1:]).matches(namespace):  # (RE2: linear time, as k9s's Go regexp)
                return views[key]
    return views.get(view)
