"""k9s's `:workloads` (`wk`): one table over the informer's caches of six kinds (pods, services,
daemonsets, statefulsets, deployments, replicasets) of the view's namespace, rows keyed
``(namespace, name, kind)`` (``view/workload_rows.py``). Each kind's rows follow its own watch;
a kind that cannot be listed (forbidden, not served) leaves the others' rows and says so in the
title. A row's actions act on the object of its own kind (``row_view``)."""

from __future__ import annotations

from k9py.explorer.kinds_view import KindsView
from k9py.explorer.resource_view import Change, TitleParts
from k9py.kube import meta
from k9py.store.informer import Cache, Diff
from k9py.view.kinds import BY_KIND, WORKLOAD_KINDS, Scope, ViewKind
from k9py.view.rows import Row, RowModel
from k9py.view.workload_rows import WorkloadRowModel, kind_of


def view_of(kind: str) -> ViewKind:
    return BY_KIND[kind]


def row_view(row: Row) -> ViewKind:
    """The view of the row's own kind (describe, YAML, edit, delete act as they do there)."""
    return view_of(kind_of(row))


def instance_scope(row: Row) -> Scope:
    """`enter`: the row's own kind's view showing that object alone, as k9s's ``SetInstance``."""
    name = row.key[1]
    return Scope(row_view(row), row.key[0], label=name, predicate=lambda o: meta.name(o) == name)


class WorkloadsView(KindsView):
    KINDS = WORKLOAD_KINDS

    def open(self) -> RowModel:
        scope = self.scope
        model = WorkloadRowModel(scope.view, all_namespaces=not scope.namespace, wide=self.wide,
                                 predicate=scope.keeps())
        model.now = self.session.now()
        if self.sort:
            model.set_sort(*self.sort)
        model.set_filter(self.filter)
        self.model = model
        gone = self.session.gone
        if gone is not None:  # the past: what has gone since is marked
            model.gone = lambda o: gone(str(o.get("kind") or ""), meta.namespace(o), meta.name(o))
        warm = self.subscribe_all(self._on_kind_diff)
        for kind in warm:
            cache = self.session.informer.cache(kind, self.namespace)
            if cache is not None:
                model.load_tagged(kind, cache.objects)
        self.loaded_warm = len(warm) == len(WORKLOAD_KINDS)
        return model

    def _on_kind_diff(self, kind: str, cache: Cache, diff: Diff) -> None:
        m = self.model
        if not isinstance(m, WorkloadRowModel) or kind not in self.subs:
            return
        if not (diff.added or diff.changed or diff.removed or diff.reset or diff.synced):
            if diff.state:
                self._tell(Change(state=True))
            return
        m.now = self.session.now()
        if diff.reset or diff.synced:
            m.load_tagged(kind, cache.objects)
        else:
            m.apply_tagged(kind, diff.added, diff.changed, diff.removed, cache.objects.get)
        self._tell(Change(rows=True, state=bool(diff.state) or bool(diff.synced), synced=bool(diff.synced)))

    def title_parts(self, *, full_gvr: bool = False) -> TitleParts:
        base, denied = super().title_parts(full_gvr=full_gvr), self.denied()
        return [*base, ("", f" <no access: {', '.join(view_of(k).name for k in denied)}>")] if base and denied else base
