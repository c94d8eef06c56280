"""k9s's `:users` and `:groups`: the Users or Groups that the cluster's role bindings name, one row
each with where it is first bound (k9s's ``dao/rbac_subject.go``: ClusterRoleBindings first, then
RoleBindings, each in the order listed; the first binding naming a subject is its FIRST
LOCATION). `enter` shows everything its bindings grant it (``view/rbac.subject_grants``).
Users and groups are no API objects: a row's object is made here, ``kind: Subject``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from k9py.kube import meta
from k9py.view.rows import Column

Obj = dict[str, Any]
Key = tuple[str, str]
KIND = "Subject"
COLUMNS = [Column("NAME"), Column("KIND"), Column("FIRST LOCATION"), Column("VALID", priority=1)]


def subject_rows(kind: str, cluster_bindings: Iterable[Obj], bindings: Iterable[Obj]) -> dict[Key, Obj]:
    """The ``kind`` (User or Group) subjects the bindings name, keyed ``("", name)``."""
    out: dict[Key, Obj] = {}
    for binding_kind, items in (("ClusterRoleBinding", cluster_bindings), ("RoleBinding", bindings)):
        for b in sorted(items, key=lambda o: (meta.namespace(o), meta.name(o))):
            for s in b.get("subjects") or []:
                if not isinstance(s, dict) or s.get("kind") != kind or not s.get("name"):
                    continue
                name = str(s["name"])
                out.setdefault(("", name), {
                    "kind": KIND, "metadata": {"name": name}, "subjectKind": kind,
                    "firstLocation": {"kind": binding_kind, "namespace": meta.namespace(b), "name": meta.name(b)}})
    return out


def subject_cells(obj: Obj, now: float) -> list[Any]:
    first = obj.get("firstLocation") or {}
    return [meta.name(obj), first.get("kind", ""), first.get("name", ""), ""]
