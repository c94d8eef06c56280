"""rbac.authorization.k8s.io: what the apiserver checks on Roles, ClusterRoles and their bindings,
and the defaults every cluster starts with (cluster-admin, admin, edit, view; minikube binds
cluster-admin to kube-system's default ServiceAccount). The simulator stores them; it does not
authorize requests with them."""

from __future__ import annotations

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


# -- what a new cluster has ------------------------------------------------------------------------
_DEFAULTS_MD = {"labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
                "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}}
_READ = ["get", "list", "watch"]
_WRITE = ["create", "delete", "deletecollection", "patch", "update"]
_WORKLOADS = ["pods", "pods/log", "services", "endpoints", "configmaps", "persistentvolumeclaims",
              "serviceaccounts", "events"]


def _md(name: str, namespace: str | None = None) -> Obj:
    md = meta.deep_copy(_DEFAULTS_MD)
    md["name"] = name
    if namespace:
        md["namespace"] = namespace
    return md


def default_objects() -> list[Obj]:
    """The bootstrap policy, abridged: the four user-facing ClusterRoles and their bindings."""
    view = [{"apiGroups": ["", "apps", "batch"], "resources": [*_WORKLOADS, "deployments", "replicasets",
                                                                "statefulsets", "daemonsets", "jobs", "cronjobs"],
             "verbs": _READ}]
    edit = [{"apiGroups": ["", "apps", "batch"], "resources": [*_WORKLOADS, "secrets", "deployments", "replicasets",
                                                                "statefulsets", "daemonsets", "jobs", "cronjobs",
                                                                "deployments/scale", "pods/exec"],
             "verbs": _READ + _WRITE}]
    admin = [*edit, {"apiGroups": [GROUP], "resources": ["roles", "rolebindings"], "verbs": _READ + _WRITE}]
    out: list[Obj] = [
        {"apiVersion": API_VERSION, "kind": "ClusterRole", "metadata": _md("cluster-admin"),
         "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                   {"nonResourceURLs": ["*"], "verbs": ["*"]}]},
        {"apiVersion": API_VERSION, "kind": "ClusterRole", "metadata": _md("admin"), "rules": admin},
        {"apiVersion": API_VERSION, "kind": "ClusterRole", "metadata": _md("edit"), "rules": edit},
        {"apiVersion": API_VERSION, "kind": "ClusterRole", "metadata": _md("view"), "rules": view},
        {"apiVersion": API_VERSION, "kind": "ClusterRoleBinding", "metadata": _md("cluster-admin"),
         "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": "cluster-admin"},
         "subjects": [{"apiGroup": GROUP, "kind": "Group", "name": "system:masters"}]},
        {"apiVersion": API_VERSION, "kind": "ClusterRoleBinding", "metadata": {"name": "minikube-rbac"},
         "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": "cluster-admin"},
         "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "kube-system"}]},
        {"apiVersion": API_VERSION, "kind": "Role", "metadata": {"name": "kube-proxy", "namespace": "kube-system"},
         "rules": [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["kube-proxy"], "verbs": ["get"]}]},
        {"apiVersion": API_VERSION, "kind": "RoleBinding", "metadata": {"name": "kube-proxy", "namespace": "kube-system"},
         "roleRef": {"apiGroup": GROUP, "kind": "Role", "name": "kube-proxy"},
         "subjects": [{"apiGroup": GROUP, "kind": "Group", "name": "system:bootstrappers:kubeadm:default-node-token"}]},
    ]
    return out
