"""rbac.authorization.k8s.io: what the apiserver checks on Roles, ClusterRoles and their bindings,
the bootstrap policy every cluster starts with (``sim/rbac_policy.py``: a fresh kubeadm/minikube
cluster's ClusterRoles, Roles and bindings), and the RBAC authorizer (``authorize``, ``rules_for``):
what ``k9py serve`` answers to SubjectAccessReviews and to impersonated requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.status import invalid
from k9py.sim.admission import admits

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

GROUP = "rbac.authorization.k8s.io"
API_VERSION = f"{GROUP}/v1"
SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


def _rule_errors(obj: Obj, errs: list[tuple[str, str]]) -> None:
    rules = obj.get("rules")
    if rules is None:
        return
    if not isinstance(rules, list):
        errs.append(("rules", "Invalid value: must be a list"))
        return
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            errs.append((f"rules[{i}]", "Invalid value: must be an object"))
            continue
        if not rule.get("verbs"):
            errs.append((f"rules[{i}].verbs", "Required value: verbs must contain at least one value"))
        if rule.get("nonResourceURLs"):
            if obj.get("kind") == "Role":
                errs.append((f"rules[{i}].nonResourceURLs", "Invalid value: namespaced rules cannot apply to non-resource URLs"))
        elif not rule.get("resources") and not rule.get("nonResourceURLs"):
            errs.append((f"rules[{i}].resources", "Required value: resource rules must supply at least one resource"))
        elif not rule.get("apiGroups"):
            errs.append((f"rules[{i}].apiGroups", "Required value: resource rules must supply at least one api group"))


@admits("Role")
@admits("ClusterRole")
def _admit_role(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    errs: list[tuple[str, str]] = []
    _rule_errors(obj, errs)
    if errs:
        raise invalid(obj["kind"], meta.name(obj), errs)


@admits("RoleBinding")
@admits("ClusterRoleBinding")
def _admit_binding(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    kind = obj["kind"]
    errs: list[tuple[str, str]] = []
    ref = obj.get("roleRef")
    kinds = ("Role", "ClusterRole") if kind == "RoleBinding" else ("ClusterRole",)
    if not isinstance(ref, dict):
        errs.append(("roleRef", "Required value"))
    else:
        if ref.get("apiGroup") != GROUP:
            errs.append(("roleRef.apiGroup", f'Unsupported value: "{ref.get("apiGroup") or ""}": supported values: "{GROUP}"'))
        if ref.get("kind") not in kinds:
            errs.append(("roleRef.kind", f'Unsupported value: "{ref.get("kind") or ""}": supported values: '
                                         + ", ".join(f'"{k}"' for k in kinds)))
        if not ref.get("name"):
            errs.append(("roleRef.name", "Required value"))
        if old is not None and old.get("roleRef") != ref:
            errs.append(("roleRef", "Invalid value: cannot change roleRef"))
    subjects = obj.get("subjects")
    if subjects is not None and not isinstance(subjects, list):
        errs.append(("subjects", "Invalid value: must be a list"))
        subjects = []
    for i, sub in enumerate(subjects or []):
        sp = f"subjects[{i}]"
        if not isinstance(sub, dict):
            errs.append((sp, "Invalid value: must be an object"))
            continue
        if not sub.get("name"):
            errs.append((f"{sp}.name", "Required value"))
        if sub.get("kind") not in SUBJECT_KINDS:
            errs.append((f"{sp}.kind", f'Unsupported value: "{sub.get("kind") or ""}": supported values: '
                                       + ", ".join(f'"{k}"' for k in SUBJECT_KINDS)))
        elif sub["kind"] == "ServiceAccount":
            if kind == "ClusterRoleBinding" and not sub.get("namespace"):
                errs.append((f"{sp}.namespace", "Required value"))
            sub.setdefault("apiGroup", "")
        else:
            sub.setdefault("apiGroup", GROUP)
    if errs:
        raise invalid(kind, meta.name(obj), errs)


# -- the authorizer ---------------------------------------------------------------------------------
SA_PREFIX = "system:serviceaccount:"


@dataclass(frozen=True)
class UserInfo:
    """Who makes a request: what an authenticator (or impersonation) says."""

    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()


def user_info(name: str, groups: list[str] | tuple[str, ...] = (), uid: str = "",
              extra: dict[str, list[str]] | None = None) -> UserInfo:
    """A user as the authenticator hands it on: a ServiceAccount's username brings its groups
    (``system:serviceaccounts``, ``system:serviceaccounts:NS``); every user but
    ``system:anonymous`` is ``system:authenticated``."""
    out = list(groups)
    if name.startswith(SA_PREFIX) and name.count(":") == 3:
        ns = name.split(":")[2]
        out += ["system:serviceaccounts", f"system:serviceaccounts:{ns}"]
    if name == "system:anonymous":
        out.append("system:unauthenticated")
    elif "system:authenticated" not in out:
        out.append("system:authenticated")
    return UserInfo(name, tuple(dict.fromkeys(out)), uid, tuple(sorted((k, tuple(v)) for k, v in (extra or {}).items())))


@dataclass(frozen=True)
class Attributes:
    """What a request does: a resource request (verb, API group, resource[/subresource], name,
    namespace) or a non-resource one (verb, path)."""

    verb: str
    resource: str = ""
    group: str = ""
    subresource: str = ""
    name: str = ""
    namespace: str = ""
    path: str = ""

    @property
    def resource_request(self) -> bool:
        return not self.path


def _has(values: Any, wanted: str) -> bool:
    return isinstance(values, list) and ("*" in values or wanted in values)


def rule_allows(attrs: Attributes, rule: Obj) -> bool:
    """rbac's RuleAllows: verbs, then API groups, resources (``res/sub``, ``*/sub``, ``res/*``),
    resource names; or verbs and non-resource URLs (a trailing ``*`` is a prefix)."""
    if not _has(rule.get("verbs"), attrs.verb):
        return False
    if not attrs.resource_request:
        for url in rule.get("nonResourceURLs") or []:
            if url == "*" or url == attrs.path or (url.endswith("*") and attrs.path.startswith(url[:-1])):
                return True
        return False
    if rule.get("nonResourceURLs") and not rule.get("resources"):
        return False
    if not _has(rule.get("apiGroups"), attrs.group):
        return False
    resources = rule.get("resources") or []
    if attrs.subresource:
        combined = f"{attrs.resource}/{attrs.subresource}"
        ok = any(r in ("*", combined, f"*/{attrs.subresource}", f"{attrs.resource}/*") for r in resources)
    else:
        ok = "*" in resources or attrs.resource in resources
    if not ok:
        return False
    names = rule.get("resourceNames") or []
    return not names or attrs.name in names


def _subject_matches(sub: Obj, user: UserInfo, binding_ns: str) -> bool:
    kind, name = sub.get("kind"), sub.get("name")
    if kind == "User":
        return bool(name == user.name)
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        return user.name == f"{SA_PREFIX}{sub.get('namespace') or binding_ns}:{name}"
    return False


def _describe_subject(sub: Obj, binding_ns: str) -> str:
    if sub.get("kind") == "ServiceAccount":
        return f'ServiceAccount "{sub.get("name")}/{sub.get("namespace") or binding_ns}"'
    return f'{sub.get("kind")} "{sub.get("name")}"'


def _role_rules(cluster: Cluster, ref: Obj, namespace: str) -> list[Obj]:
    kind = ref.get("kind")
    obj = cluster.store.get("ClusterRole", None, str(ref.get("name"))) if kind == "ClusterRole" else \
        cluster.store.get("Role", namespace, str(ref.get("name"))) if kind == "Role" else None
    return [r for r in (obj or {}).get("rules") or [] if isinstance(r, dict)]


def _bindings(cluster: Cluster, user: UserInfo, namespace: str) -> list[tuple[str, list[Obj]]]:
    """(how the apiserver describes the binding and subject, the rules it grants), cluster-wide
    bindings first, then those of ``namespace``."""
    out: list[tuple[str, list[Obj]]] = []
    for b in cluster.store.list("ClusterRoleBinding", None):
        ref = b.get("roleRef") or {}
        for sub in b.get("subjects") or []:
            if isinstance(sub, dict) and _subject_matches(sub, user, ""):
                out.append((f'ClusterRoleBinding "{meta.name(b)}" of {ref.get("kind")} "{ref.get("name")}" to '
                            f"{_describe_subject(sub, '')}", _role_rules(cluster, ref, "")))
                break
    if namespace:
        for b in cluster.store.list("RoleBinding", namespace):
            ref = b.get("roleRef") or {}
            for sub in b.get("subjects") or []:
                if isinstance(sub, dict) and _subject_matches(sub, user, namespace):
                    out.append((f'RoleBinding "{meta.name(b)}/{namespace}" of {ref.get("kind")} "{ref.get("name")}" '
                                f"to {_describe_subject(sub, namespace)}", _role_rules(cluster, ref, namespace)))
                    break
    return out


def authorize(cluster: Cluster, user: UserInfo, attrs: Attributes) -> tuple[bool, str]:
    """(allowed, reason) as the RBAC authorizer decides from the cluster's Roles and bindings."""
    namespace = attrs.namespace if attrs.resource_request else ""
    for source, rules in _bindings(cluster, user, namespace):
        if any(rule_allows(attrs, r) for r in rules):
            return True, f"RBAC: allowed by {source}"
    return False, ""


def rules_for(cluster: Cluster, user: UserInfo, namespace: str) -> tuple[list[Obj], list[Obj]]:
    """What SelfSubjectRulesReview answers: (resource rules, non-resource rules) granted to
    ``user`` cluster-wide and in ``namespace``."""
    res: list[Obj] = []
    nonres: list[Obj] = []
    for _, rules in _bindings(cluster, user, namespace):
        for r in rules:
            if r.get("nonResourceURLs"):
                nonres.append({"verbs": list(r.get("verbs") or []), "nonResourceURLs": list(r["nonResourceURLs"])})
            if r.get("resources"):
                out: Obj = {"verbs": list(r.get("verbs") or []), "apiGroups": list(r.get("apiGroups") or []),
                            "resources": list(r["resources"])}
                if r.get("resourceNames"):
                    out["resourceNames"] = list(r["resourceNames"])
                res.append(out)
    return res, nonres
