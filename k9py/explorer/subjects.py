"""k9s's `:users` and `:groups` (``view/subjects.py``): the subjects of one kind that the
cluster's ClusterRoleBindings and RoleBindings name, kept up to date from both watches (every
namespace's bindings). `enter` asks the UI for the subject's policy."""

from __future__ import annotations

from k9py.explorer.kinds_view import KindsView
from k9py.explorer.resource_view import Change
from k9py.store.informer import Diff
from k9py.view.rows import RowModel
from k9py.view.subjects import KIND, subject_rows

BINDINGS = ("ClusterRoleBinding", "RoleBinding")
SUBJECT_KINDS = {"users": "User", "groups": "Group"}  # the view's name -> the subjects' kind


class SubjectsView(KindsView):
    KINDS = BINDINGS

    @property
    def subject_kind(self) -> str:
        return SUBJECT_KINDS[self.scope.view.name]

    @property
    def watched_namespace(self) -> str | None:
        return None  # every namespace's bindings

    def open(self) -> RowModel:
        model = self.model = RowModel(self.scope.view, kind=KIND, wide=self.wide, predicate=self.scope.keeps())
        model.now = self.session.now()
        if self.sort:
            model.set_sort(*self.sort)
        model.set_filter(self.filter)
        self.subscribe_all(lambda _kind, cache, diff: self._on_bindings(diff))
        self._reload()
        return model

    def _reload(self) -> bool:
        """The rows the bindings make now, applied as a diff. False: the bindings are not listed yet."""
        m, caches = self.model, [c for _, c in self.caches()]
        if m is None or len(caches) < len(BINDINGS) or not all(c is not None and c.synced for c in caches):
            return False
        cluster, namespaced = (c.objects.values() if c is not None else () for c in caches)
        now = subject_rows(self.subject_kind, cluster, namespaced)
        before = set(m.rows)
        changed = [k for k in before & set(now) if m.rows[k].obj != now[k]]
        m.apply(set(now) - before, changed, before - set(now), now.get)
        return True

    def _on_bindings(self, diff: Diff) -> None:
        if not (diff.added or diff.changed or diff.removed or diff.reset or diff.synced):
            if diff.state:
                self._tell(Change(state=True))
            return
        if self._reload():
            self._tell(Change(rows=True, state=bool(diff.state) or bool(diff.synced), synced=bool(diff.synced)))
