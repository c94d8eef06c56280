"""The row model of a view merging several contexts: kubectl's columns with a CONTEXT column
first, rows keyed ``(namespace, name, context)``, each aged by its own context's clock; its
base keys rows of several sources by a tag (``TaggedRowModel``: the workloads view's kinds).

Filter and sort work as in any view (the context is part of a row's text, so `/prod` keeps one
context's rows; shift-… sorts break ties by context). A context's rows come and go with its
informer's diffs (``apply_context``) or all at once (``load_context``) without touching the others'."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from k9py.kube.meta import dig
from k9py.kube.timefmt import time_or_none
from k9py.view.rows import TIME_SORTS, Column, Key, Row, RowModel, _cell_str, _num, natural

Obj = dict[str, Any]
MergedKey = tuple[str, str, str]  # (namespace, name, context): key[0], key[1] stay namespace and name


def merged_key(ctx: str, key: Key) -> Key:
    """A context's ``(namespace, name)`` as the merged model's row key (typed as a ``Key``: the
    table and the filters read its first two items only)."""
    return cast(Key, (key[0], key[1], ctx))


def context_of(row: Row) -> str:
    return cast(MergedKey, row.key)[2]


def source_key(key: Key) -> Key:
    """The ``(namespace, name)`` of a merged row key (what the row's own context calls it)."""
    return (key[0], key[1])


def _everything(obj: Obj) -> bool:
    return True


class TaggedRowModel(RowModel):
    """``RowModel`` over objects from several sources, each object's row keyed
    ``(namespace, name, tag)``: the tag says which source (a context, a kind) it is of. A
    source's rows come and go with its diffs (``apply_tagged``) or all at once
    (``load_tagged``) without touching the others'."""

    def __init__(self, *args: Any, predicate: Callable[[Obj], bool] | None = None, **kw: Any) -> None:
        # never the base's fast load: it derives sort keys from 2-item keys
        super().__init__(*args, predicate=predicate or _everything, **kw)

    def _skey_for(self, row: Row, col: str | None = None) -> tuple:
        ns, name, tag = cast(MergedKey, row.key)
        col = col or self.sort_col
        by_path = self._path_skey(row.obj, col)
        if by_path is not None:
            return (*by_path, ns, name, tag)
        if col == "NAME":
            return (natural(name), name, ns, tag)
        if col == "NAMESPACE":
            return (natural(ns), ns, natural(name), name, tag)
        if col == "AGE":  # made at no time (a malformed object): the oldest
            return (-(time_or_none(dig(row.obj, "metadata", "creationTimestamp")) or 0.0), ns, name, tag)
        if col in TIME_SORTS and self.kind == "Event":
            return (-TIME_SORTS[col](row.obj), ns, name, tag)
        i = self.col_index(col)
        if i is None:
            return (ns, name, tag)
        cell = self.cells(row)[i]
        n = _num(cell) if (self.columns[i].numeric or col in ("READY", "RESTARTS")) else None
        if n is not None:
            extra = _num(cell.split("/", 1)[1]) if "/" in cell else 0.0
            return (0, n, extra or 0.0, (), ns, name, tag)
        return (1, 0.0, 0.0, natural(cell), ns, name, tag)

    # -- one source at a time ----------------------------------------------------------------------
    def load_tagged(self, tag: str, objects: dict[Key, Obj]) -> None:
        """Everything of source ``tag`` is ``objects`` now (its first list, a relist); the
        other sources' rows stay as they are (their deltas too): only this one's are diffed."""
        before = self._shown_of(tag)
        now = set(objects)
        if not self.rows:  # the first rows: one load, sorted once
            self.load({merged_key(tag, k): o for k, o in objects.items()})
            return
        self.apply_tagged(tag, now - before, now & before, before - now, objects.get)

    def _shown_of(self, tag: str) -> set[Key]:
        """The keys of ``tag``'s objects the model holds now (loaded, or added by a diff since)."""
        shown = self._children if self.expand is not None else self.rows
        return {source_key(k) for k in shown if cast(MergedKey, k)[2] == tag}

    def apply_tagged(self, tag: str, added: Iterable[Key], changed: Iterable[Key], removed: Iterable[Key],
                     get: Callable[[Key], Obj | None]) -> None:
        """An informer diff of source ``tag`` (``get`` reads that source's objects)."""
        self.apply([merged_key(tag, k) for k in added], [merged_key(tag, k) for k in changed],
                   [merged_key(tag, k) for k in removed], lambda k: get(source_key(k)))


class MergedRowModel(TaggedRowModel):
    """The rows of several contexts, tagged by context. Metrics and port-forwards are per
    context, so their columns are not shown here."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.nows: dict[str, float] = {}  # each context's clock (simulated clusters differ)

    def _set_columns(self) -> None:
        super()._set_columns()
        self.columns = [Column("CONTEXT"), *self.columns]
        self._status_col = self.col_index("STATUS")

    def cells(self, row: Row) -> tuple[str, ...]:
        ctx = context_of(row)
        now = self.nows.get(ctx, self.now)
        now_s = (int(now), self.metrics_version)
        if row._cells is None or row._now != now_s:
            raw = self._raw_cells(row, now)
            cells = [_cell_str(raw[i]) if i < len(raw) else "" for i in self._idx]
            if self.all_namespaces:
                cells.insert(0, row.key[0])
            cells.insert(0, ctx)
            row._cells, row._now, row._text = tuple(cells), now_s, None
        return row._cells

    def _skey_for(self, row: Row, col: str | None = None) -> tuple:
        if (col or self.sort_col) == "CONTEXT":
            ns, name, ctx = cast(MergedKey, row.key)
            return (natural(ctx), ctx, ns, name)
        return super()._skey_for(row, col)

    load_context = TaggedRowModel.load_tagged
    apply_context = TaggedRowModel.apply_tagged
