"""What a Role grants, and what a subject may do (k9s's rbac and policy views): `enter` on a Role,
ClusterRole or binding lists its rules one resource a line with a ✓ or × per verb; on a
ServiceAccount, every rule its bindings grant it (the groups every service account is in
included: system:serviceaccounts, system:serviceaccounts:NS, system:authenticated)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from k9py.kube import meta

Obj = dict[str, Any]
VERBS = ("get", "list", "watch", "create", "patch", "update", "delete", "deletecollection")
VERB_HEADER = ("GET", "LIST", "WATCH", "CREATE", "PATCH", "UPDATE", "DELETE", "DEL-LIST")
HTTP_VERBS = {"post": "create", "put": "update"}  # a non-resource URL's rule speaks HTTP
YES, NO = "✓", "×"
CLUSTER_WIDE = "*"  # a ClusterRoleBinding's grants: every namespace


@dataclass
class Grant:
    """One resource (``pods``, ``pods/log``, ``deployments/web``, a non-resource URL ``/healthz``)
    of one API group, the verbs granted on it, and where from (``binding``, ``namespace``)."""
    resource: str
    group: str
    verbs: set[str] = field(default_factory=set)
    binding: str = ""
    namespace: str = ""

    def allows(self, verb: str) -> bool:
        return "*" in self.verbs or verb in self.verbs or any(HTTP_VERBS.get(v) == verb for v in self.verbs)

    def extras(self) -> str:
        """Verbs beyond the eight columns (``impersonate``, ``bind``, ``escalate``, ``use``)."""
        return ",".join(sorted(v for v in self.verbs if v != "*" and v not in VERBS and v not in HTTP_VERBS))


def grants(rules: Any, *, binding: str = "", namespace: str = "") -> list[Grant]:
    """The rules as grants, one per (resource, group): a rule naming several groups and resources
    gives one each; a resource limited to ``resourceNames`` is one per name (``deployments/web``);
    the same resource in several rules gets their verbs together."""
    out: dict[tuple[str, str], Grant] = {}

    def add(resource: str, group: str, verbs: Iterable[str]) -> None:
        g = out.get((resource, group))
        if g is None:
            g = out[(resource, group)] = Grant(resource, group, binding=binding, namespace=namespace)
        g.verbs.update(verbs)

    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, dict):
            continue
        verbs = [str(v).lower() for v in rule.get("verbs") or []]
        names = [str(n) for n in rule.get("resourceNames") or []]
        for group in rule.get("apiGroups") or []:
            for res in rule.get("resources") or []:
                for target in [f"{res}/{n}" for n in names] or [str(res)]:
                    add(target, str(group) or "core", verbs)
        for url in rule.get("nonResourceURLs") or []:
            add(url if str(url).startswith("/") else f"/{url}", "", verbs)
    return sorted(out.values(), key=lambda g: (g.namespace, g.resource, g.group))


def _subject_match(subject: Any, kind: str, namespace: str, name: str, binding_ns: str) -> str | None:
    """How a binding's subject names the ServiceAccount, User or Group asked about: "" itself,
    a group's name for one of the groups a service account is in (every service account's, its
    namespace's, the authenticated); None: it does not."""
    if not isinstance(subject, dict):
        return None
    s_kind, s_name = subject.get("kind"), subject.get("name")
    if kind == "ServiceAccount":
        if s_kind == "ServiceAccount":
            return "" if s_name == name and (subject.get("namespace") or binding_ns) == namespace else None
        groups = ("system:serviceaccounts", f"system:serviceaccounts:{namespace}", "system:authenticated")
        return str(s_name) if s_kind == "Group" and s_name in groups else None
    return "" if s_kind == kind and s_name == name else None


def _bound(binding: Obj, kind: str, namespace: str, name: str) -> str | None:
    """"" when ``binding`` names the subject itself, the group's name when only a group of it, None: neither."""
    found = [m for s in binding.get("subjects") or []
             if (m := _subject_match(s, kind, namespace, name, meta.namespace(binding))) is not None]
    return min(found, key=len) if found else None  # itself first


def subject_grants(kind: str, namespace: str, name: str, *, roles: Iterable[Obj], cluster_roles: Iterable[Obj],
                   bindings: Iterable[Obj], cluster_bindings: Iterable[Obj]) -> list[Grant]:
    """Everything the subject may do: each binding naming it, the rules of the role it refers to
    (a missing role grants nothing), in the binding's namespace (``*`` for a ClusterRoleBinding).
    What its own bindings grant comes first; what it has as a member of a group after, the
    binding named with the group (``system:discovery (system:authenticated)``)."""
    by_role = {(meta.namespace(r), meta.name(r)): r for r in roles}
    by_cluster_role = {meta.name(r): r for r in cluster_roles}
    out: list[tuple[bool, Grant]] = []
    for b in [*cluster_bindings, *bindings]:
        via = _bound(b, kind, namespace, name)
        if via is None:
            continue
        ref = b.get("roleRef") or {}
        ns = meta.namespace(b)
        role = (by_cluster_role.get(ref.get("name", "")) if ref.get("kind") == "ClusterRole" or not ns
                else by_role.get((ns, ref.get("name", ""))))
        if role is not None:
            label = f"{meta.name(b)} ({via})" if via else meta.name(b)
            out += [(bool(via), g) for g in grants(role.get("rules"), binding=label, namespace=ns or CLUSTER_WIDE)]
    out.sort(key=lambda vg: (vg[0], vg[1].namespace != CLUSTER_WIDE, vg[1].namespace, vg[1].resource, vg[1].group,
                             vg[1].binding))
    return [g for _, g in out]


def table(rows: list[Grant], *, policy: bool = False) -> list[str]:
    """The header and one line a grant, in columns: NAME API-GROUP and a ✓ or × per verb, then
    EXTRAS (``policy``: NAMESPACE first, and BINDING after the verbs: a binding named with its
    group is long, and the verbs are what the view is read for)."""
    head = ["NAMESPACE"] if policy else []
    head += ["NAME", "API-GROUP", *VERB_HEADER, *(["BINDING"] if policy else []), "EXTRAS"]
    verb_from = len(head) - len(VERB_HEADER) - (2 if policy else 1)
    cells = []
    for g in rows:
        row = [g.namespace] if policy else []
        row += [g.resource, g.group or "-", *(YES if g.allows(v) else NO for v in VERBS)]
        cells.append([*row, *([g.binding] if policy else []), g.extras()])
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(head)]

    def line(values: list[str]) -> str:
        parts = [v.center(widths[i]) if verb_from <= i < verb_from + len(VERBS) else v.ljust(widths[i])
                 for i, v in enumerate(values)]
        return "  ".join(parts).rstrip()
    return [line(head), *(line(r) for r in cells)]
