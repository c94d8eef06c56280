"""Rows of custom resources with their CRD's printer columns, computed here from the columns'
JSONPaths (``printers_crd``), as k9s does without a server Table: what the simulator's
discovered kinds use. Live clusters print them server-side (``server_rows``)."""

from __future__ import annotations

from typing import Any

from k9py.view import printers
from k9py.view.kinds import ViewKind
from k9py.view.rows import Column, RowModel

Obj = dict[str, Any]
NUMERIC = ("integer", "number")


class PrinterColumnsModel(RowModel):
    """A RowModel whose columns are NAME plus ``view.columns`` (additionalPrinterColumns)."""

    sort_reuses_cells = False  # any column may be a date shown as an age

    def __init__(self, view: ViewKind, **kw: Any) -> None:
        super().__init__(view, **kw)
        kind, cols = view.kind, view.columns
        self._all_columns = [Column(c.name.upper(), c.type if c.type in NUMERIC else "string", c.priority)
                             for c in printers.columns(kind, cols)]

        def cells(obj: Obj, now: float) -> list[Any]:
            return printers.cells(obj, now, kind, cols)

        self._cells_fn = cells
        self._set_columns()
