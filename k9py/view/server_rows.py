"""Rows of kinds k9py has no printer for (CRDs, other groups) with the columns the server prints
(its ``as=Table`` answer: a CRD's additionalPrinterColumns), as kubectl shows them.

The rows still come from the informer (so they appear and go live); the cells come from the
last server Table, fetched again when the rows change. An object newer than the last Table
shows its name until the next one arrives.
"""

from __future__ import annotations

from typing import Any

from k9py.kube import meta
from k9py.kube.resources import PrinterColumn
from k9py.view import printers_crd
from k9py.view.printers import AGE_DOC
from k9py.view.rows import Column, Key, RowModel

Obj = dict[str, Any]
NUMERIC = ("integer", "number")


class ServerTableModel(RowModel):
    """A RowModel whose columns and cells are the server Table's."""

    sort_reuses_cells = False  # any column may be a date shown as an age

    table_loaded = False
    _dates: tuple[tuple[int, PrinterColumn], ...] = ()

    @staticmethod
    def _date_column(d: Obj) -> PrinterColumn | None:
        """A ``date`` column as a printer column whose age is worked out here at every tick: the
        server's cell is the age when the Table was sent ("0s" forever). Its JSONPath is in a
        CRD column's description (apiextensions' words); a creation time is the object's."""
        name, doc = str(d.get("name", "")), str(d.get("description") or "")
        if doc == AGE_DOC:  # (the built-in printers' Age is a string column so described)
            return PrinterColumn(name, "date", ".metadata.creationTimestamp")
        if d.get("type") != "date":
            return None
        if doc.startswith(printers_crd.COLUMN_DOC):
            return PrinterColumn(name, "date", doc[len(printers_crd.COLUMN_DOC):].strip())
        if name.lower() in ("age", "created at"):
            return PrinterColumn(name, "date", ".metadata.creationTimestamp")
        return None

    def set_table(self, table: Obj) -> None:
        defs = table.get("columnDefinitions") or []
        cols = [Column(str(d.get("name", "")).upper(), d.get("type") if d.get("type") in NUMERIC else "string",
                       int(d.get("priority") or 0)) for d in defs]
        cells: dict[Key, list[Any]] = {}
        for r in table.get("rows") or []:
            md = (r.get("object") or {}).get("metadata") or {}
            cells[(md.get("namespace") or "", md.get("name", ""))] = list(r.get("cells") or [])
        self._table_cells = cells
        self._dates = tuple((i, c) for i, d in enumerate(defs) if (c := self._date_column(d)) is not None)
        if cols:
            self._all_columns = cols
        self.table_loaded = True
        self._set_columns()
        for r in self.rows.values():
            r._cells = r._text = None
        if self.col_index(self.sort_col) is None:
            self.sort_col = "NAMESPACE" if self.all_namespaces else "NAME"
        self._resort()

    def _make_cells(self, obj: Obj, now: float) -> list[Any]:
        return self._server_cells(obj, now) if self.table_loaded else super()._make_cells(obj, now)

    def _server_cells(self, obj: Obj, now: float) -> list[Any]:
        md = obj.get("metadata") or {}
        got = self._table_cells.get((md.get("namespace") or "", md.get("name", "")))
        if got is None:
            if not self._dates:
                return [meta.name(obj)] + [""] * (len(self._all_columns) - 1)
            got = [meta.name(obj)] + [""] * (len(self._all_columns) - 1)
        elif not self._dates:
            return got
        out = list(got)
        for i, col in self._dates:
            if i < len(out):
                age = printers_crd.cell(obj, col, now)
                if age is not None:
                    out[i] = age
        return out
