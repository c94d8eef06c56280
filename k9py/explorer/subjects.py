"""k9s's `:users` and `:groups` (``view/subjects.py``): the subjects of one kind that the
cluster's ClusterRoleBindings and RoleBindings name, kept up to date from both watches (every
namespace's bindings). `enter` asks the UI for the subject's policy."""

from __future__ import annotations

from k9py.explorer.resource_view import Change, ResourceView
from k9py.store.informer import Cache, Diff, Subscription
from k9py.view.rows import RowModel
from k9py.view.subjects import KIND, subject_rows

BINDINGS = ("ClusterRoleBinding", "RoleBinding")
SUBJECT_KINDS = {"users": "User", "groups": "Group"}  # the view's name -> the subjects' kind


class SubjectsView(ResourceView):
    subs: dict[str, Subscription]

    @property
    def subject_kind(self) -> str:
        return SUBJECT_KINDS[self.scope.view.name]

    def open(self) -> RowModel:
        model = self.model = self._new_model()
        self.subs = {}
        informer = self.session.informer
        for kind in BINDINGS:
            self.subs[kind] = informer.subscribe(kind, None, self._on_bindings)
        self._reload()
        return model

    def _new_model(self) -> RowModel:
        model = RowModel(self.scope.view, kind=KIND, wide=self.wide, predicate=self.scope.keeps())
        model.now = self.session.now()
        if self.sort:
            model.set_sort(*self.sort)
        model.set_filter(self.filter)
        return model

    def caches(self) -> list[Cache | None]:
        return [self.session.informer.cache(kind, None) for kind in BINDINGS]

    def _reload(self) -> bool:
        """The rows the bindings make now, applied as a diff. False: the bindings are not listed yet."""
        m, caches = self.model, self.caches()
        if m is None or not all(c is not None and c.synced for c in caches):
            return False
        cluster, namespaced = (c.objects.values() if c is not None else () for c in caches)
        now = subject_rows(self.subject_kind, cluster, namespaced)
        before = set(m.rows)
        changed = [k for k in before & set(now) if m.rows[k].obj != now[k]]
        m.apply(set(now) - before, changed, before - set(now), now.get)
        return True

    def _on_bindings(self, cache: Cache, diff: Diff) -> None:
        if not (diff.added or diff.changed or diff.removed or diff.reset or diff.synced):
            if diff.state:
                self._tell(Change(state=True))
            return
        if self._reload():
            self._tell(Change(rows=True, state=bool(diff.state) or bool(diff.synced), synced=bool(diff.synced)))

    def refresh(self) -> bool:
        informer = self.session.informer
        return any([informer.relist(kind, None) for kind in BINDINGS])

    def close(self) -> None:
        super().close()
        for sub in self.subs.values():
            self.session.informer.unsubscribe(sub)
        self.subs = {}

    def detach(self) -> None:
        super().detach()
        self.subs = {}

    def cache(self) -> Cache | None:
        return None  # two: see condition()

    def condition(self) -> tuple[bool, str | None]:
        caches = [c for c in self.caches() if c is not None]
        denied = [c for c in caches if c.state == "forbidden"]
        if denied:
            return False, "access denied: " + "; ".join(f"{c.kind}: {c.error or 'forbidden'}" for c in denied)
        state, _ = self.session.connection(None)
        down = any(c.state in ("reconnecting", "offline") for c in caches)
        return down or state in ("reconnecting", "offline"), None

    def apply_metrics(self) -> bool:
        return False

    def apply_forwards(self) -> bool:
        return False
