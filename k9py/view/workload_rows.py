"""k9s's `:workloads` (`wk`): the pods, services, daemonsets, statefulsets, deployments and
replicasets of a namespace in one table, as k9s's ``dao/workload.go`` makes its rows from each
kind's kubectl columns: KIND (the group/version/resource), NAMESPACE, NAME, STATUS (``OK``, or
``DEGRADED`` when not everything wanted is ready), READY, VALID (wide: ``DEGRADED`` again) and AGE.
Rows are keyed ``(namespace, name, kind)``: a Deployment and its Service may share a name."""

from __future__ import annotations

from typing import Any, cast

from k9py.kube import meta
from k9py.kube.timefmt import age
from k9py.kube.unicode import digits
from k9py.view import printers
from k9py.view.kinds import WORKLOAD_KINDS, gvr_of
from k9py.view.merged_rows import MergedKey, TaggedRowModel
from k9py.view.rows import Column, Key, Row, natural

Obj = dict[str, Any]

# the kinds k9s's workloads view lists, in its order, with the resource it names them by
RESOURCES: dict[str, str] = {kind: gvr_of(kind) for kind in WORKLOAD_KINDS}
OK, DEGRADED = "OK", "DEGRADED"
COLUMNS = [Column("KIND"), Column("NAME"), Column("STATUS"), Column("READY"), Column("VALID", priority=1),
           Column("AGE")]


def key_kind(key: Key) -> str:
    """The kind a workloads row key holds third."""
    return cast(MergedKey, key)[2]


def kind_of(row: Row) -> str:
    return key_kind(row.key)


_COLUMN_AT: dict[tuple[str, str], int] = {(kind, c.name): i for kind in WORKLOAD_KINDS
                                          for i, c in enumerate(printers.columns(kind))}


def _cell(kind: str, cells: list[Any], column: str) -> Any:
    """The cell of kubectl's ``column`` of ``kind`` among ``cells`` (its printer's)."""
    i = _COLUMN_AT.get((kind, column))
    return cells[i] if i is not None and i < len(cells) else ""


def _ready(text: str) -> bool:
    """k9s's isReady: ``n/m`` with n == m, or nothing wanted (m == 0)."""
    parts = text.split("/")
    if len(parts) != 2 or not all(digits(p.strip()) for p in parts):
        return False
    return int(parts[1]) == 0 or int(parts[0]) == int(parts[1])


def status_and_ready(obj: Obj, now: float) -> tuple[str, str]:
    """(STATUS, READY) of a workload row, by k9s's rules for its kind."""
    kind = str(obj.get("kind") or "")
    if kind == "Service":
        return OK, ""
    cells = printers.cells(obj, now, kind)
    if kind in ("ReplicaSet", "DaemonSet"):
        ready = f"{_cell(kind, cells, 'Ready')}/{_cell(kind, cells, 'Desired')}"
        return (OK if _ready(ready) else DEGRADED), ready
    ready = str(_cell(kind, cells, "Ready"))
    if kind == "Pod":
        status = _cell(kind, cells, "Status")
        if status == "Completed":
            return OK, ready
        return (OK if _ready(ready) and status == "Running" else DEGRADED), ready
    return (OK if _ready(ready) else DEGRADED), ready


def workload_cells(obj: Obj, now: float) -> list[Any]:
    """KIND, NAME, STATUS, READY, VALID, AGE (the model puts NAMESPACE after KIND)."""
    kind = str(obj.get("kind") or "")
    status, ready = status_and_ready(obj, now)
    return [RESOURCES.get(kind, kind), meta.name(obj), status, ready, DEGRADED if status == DEGRADED else "",
            age(meta.dig(obj, "metadata", "creationTimestamp"), now)]


class WorkloadRowModel(TaggedRowModel):
    """The workloads' rows, tagged by kind, sorted by KIND first as k9s sorts them."""

    NS_AT = 1  # k9s's header: KIND, NAMESPACE, NAME…

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, kind="Workload", **kw)

    def _set_columns(self) -> None:
        super()._set_columns()
        if self.all_namespaces:
            self.columns = [self.columns[1], self.columns[0], *self.columns[2:]]
        self._status_col = self.col_index("STATUS")

    def _style(self, row: Row) -> str:
        if meta.is_deleting(row.obj) or (self.gone is not None and self.gone(row.obj)):
            return "del"
        i = self._status_col
        if i is not None and self.cells(row)[i] == DEGRADED:  # k9s paints them as pending
            return "pending"
        return row.delta

    def _skey_for(self, row: Row, col: str | None = None) -> tuple:
        if (col or self.sort_col) == "KIND":
            ns, name, kind = cast(MergedKey, row.key)
            return (RESOURCES.get(kind, kind), natural(ns), ns, natural(name), name)
        return super()._skey_for(row, col)
