"""k9s's custom columns (``views.yaml``): which of a view's columns show, in which order, the
ones only ``ctrl-w`` (wide) shows, and the sort a view opens with. Read by ``config.views``;
``RowModel.set_custom`` applies one to a view's rows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

NAMESPACE = -1  # RowModel._idx: the namespace column (the row's key, not a printer's cell)


@dataclass(frozen=True)
class ColumnSpec:
    name: str  # a column the view has: NAME, READY, NAMESPACE, ...
    wide: bool = False  # k9s's |W: shown with ctrl-w only
    hidden: bool = False  # k9s's |H


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
            if re.search(key[len(view) + 1:], namespace):
                return views[key]
    return views.get(view)
