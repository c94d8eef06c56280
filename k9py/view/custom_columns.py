"""k9s's custom columns (``views.yaml``): which of a view's columns show, in which order, the
ones only ``ctrl-w`` (wide) shows, and the sort a view opens with. Read by ``config.views``;
``RowModel.set_custom`` applies one to a view's rows."""

from __future__ import annotations

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
