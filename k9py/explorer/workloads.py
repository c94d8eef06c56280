"""k9s's `:workloads` (`wk`): one table over the informer's caches of six kinds (pods, services,
daemonsets, statefulsets, deployments, replicasets) of the view's namespace, rows keyed
``(namespace, name, kind)`` (``view/workload_rows.py``). Each kind's rows follow its own watch;
a kind that cannot be listed (forbidden, not served) leaves the others' rows and says so in the
title. A row's actions act on the object of its own kind (``row_view``)."""

from __future__ import annotations

from functools import partial

from k9py.explorer.resource_view import Change, ResourceView
from k9py.explorer.session import Session
from k9py.kube import meta
from k9py.store.informer import Cache, Diff, Subscription
from k9py.view.kinds import BY_NAME, Scope, ViewKind
from k9py.view.rows import Row, RowModel
from k9py.view.workload_rows import KINDS, WorkloadRowModel, kind_of

VIEW_OF: dict[str, str] = {"Pod": "pods", "Service": "services", "DaemonSet": "daemonsets",
                           "StatefulSet": "statefulsets", "Deployment": "deployments", "ReplicaSet": "replicasets"}


def view_of(kind: str) -> ViewKind:
    return BY_NAME[VIEW_OF[kind]]


def row_view(row: Row) -> ViewKind:
    """The view of the row's own kind (describe, YAML, edit, delete act as they do there)."""
    return view_of(kind_of(row))


def instance_scope(row: Row) -> Scope:
    """`enter`: the row's own kind's view showing that object alone, as k9s's ``SetInstance``."""
    name = row.key[1]
    return Scope(row_view(row), row.key[0], label=name, predicate=lambda o: meta.name(o) == name)


class WorkloadsView(ResourceView):
    def __init__(self, session: Session, scope: Scope, *, filter: str = "", sort: tuple[str, bool] | None = None,
                 wide: bool = False) -> None:
        super().__init__(session, scope, filter=filter, sort=sort, wide=wide)
        self.subs: dict[str, Subscription] = {}

    @property
    def shows_pods(self) -> bool:
        return False  # no usage columns

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
        informer = self.session.informer
        warm = 0
        for kind in KINDS:
            cache = informer.cache(kind, self.namespace)
            read = cache is not None and cache.synced
            if cache is not None and read:
                model.load_tagged(kind, cache.objects)
                warm += 1
            self.subs[kind] = informer.subscribe(kind, self.namespace, partial(self._on_kind_diff, kind), has_read=read)
        self.loaded_warm = warm == len(KINDS)
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

    def refresh(self) -> bool:
        informer = self.session.informer
        return any([informer.relist(kind, self.namespace) for kind in self.subs])

    def close(self) -> None:
        super().close()
        for sub in self.subs.values():
            self.session.informer.unsubscribe(sub)
        self.subs.clear()

    def detach(self) -> None:
        super().detach()
        self.subs.clear()

    def caches(self) -> list[tuple[str, Cache | None]]:
        return [(kind, self.session.informer.cache(kind, self.namespace)) for kind in self.subs]

    def cache(self) -> Cache | None:
        return None  # several: see condition()

    def condition(self) -> tuple[bool, str | None]:
        """Greyed while a watch is down; with no row, why each kind could not be listed."""
        caches = self.caches()
        denied = [(k, c) for k, c in caches if c is not None and c.state == "forbidden"]
        if denied and self.model is not None and not self.model.total and len(denied) == len(caches):
            return False, "access denied: " + "; ".join(f"{k}: {c.error or 'forbidden'}" for k, c in denied)
        down = [c for _, c in caches if c is not None and c.state in ("reconnecting", "offline")]
        state, _ = self.session.connection(None)
        return bool(down) or state in ("reconnecting", "offline"), None

    def title(self) -> str:
        base = super().title()
        denied = [k for k, c in self.caches() if c is not None and c.state == "forbidden"]
        return f"{base} <no access: {', '.join(VIEW_OF[k] for k in denied)}>" if base and denied else base

    def apply_metrics(self) -> bool:
        return False

    def apply_forwards(self) -> bool:
        return False
