"""The API resources k9py knows: kind ↔ group/version/plural, scope, short names, verbs.

One registry shared by the simulator (what it stores), `serve` (discovery, URL routing) and the
UI (command aliases).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
READ_VERBS = ("get", "list", "watch")


@dataclass(frozen=True)
class ApiResource:
    kind: str
    plural: str
    group: str  # "" for the core group
    version: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[str, ...] = ()
    singular: str = field(default="")

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular_name(self) -> str:
        return self.singular or self.kind.lower()

    @property
    def group_version(self) -> str:
        return self.api_version


_ALL = ("all",)

RESOURCES: tuple[ApiResource, ...] = (
    ApiResource("Namespace", "namespaces", "", "v1", False, ("ns",), verbs=("create", "delete", "get", "list", "patch", "update", "watch"), subresources=("status", "finalize")),
    ApiResource("Node", "nodes", "", "v1", False, ("no",), subresources=("status", "proxy")),
    ApiResource("Pod", "pods", "", "v1", True, ("po",), _ALL, subresources=("status", "log", "eviction", "binding", "exec", "ephemeralcontainers")),
    ApiResource("Service", "services", "", "v1", True, ("svc",), _ALL, verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"), subresources=("status", "proxy")),
    ApiResource("Endpoints", "endpoints", "", "v1", True, ("ep",), singular="endpoints"),
    ApiResource("ConfigMap", "configmaps", "", "v1", True, ("cm",)),
    ApiResource("Secret", "secrets", "", "v1", True),
    ApiResource("ServiceAccount", "serviceaccounts", "", "v1", True, ("sa",)),
    ApiResource("PersistentVolume", "persistentvolumes", "", "v1", False, ("pv",), subresources=("status",)),
    ApiResource("PersistentVolumeClaim", "persistentvolumeclaims", "", "v1", True, ("pvc",), subresources=("status",)),
    ApiResource("Event", "events", "", "v1", True, ("ev",)),
    ApiResource("ResourceQuota", "resourcequotas", "", "v1", True, ("quota",), subresources=("status",)),
    ApiResource("LimitRange", "limitranges", "", "v1", True, ("limits",)),
    ApiResource("ReplicationController", "replicationcontrollers", "", "v1", True, ("rc",), _ALL, subresources=("status", "scale")),
    ApiResource("ComponentStatus", "componentstatuses", "", "v1", False, ("cs",), verbs=("get", "list")),
    ApiResource("Deployment", "deployments", "apps", "v1", True, ("deploy",), _ALL, subresources=("status", "scale")),
    ApiResource("ReplicaSet", "replicasets", "apps", "v1", True, ("rs",), _ALL, subresources=("status", "scale")),
    ApiResource("StatefulSet", "statefulsets", "apps", "v1", True, ("sts",), _ALL, subresources=("status", "scale")),
    ApiResource("DaemonSet", "daemonsets", "apps", "v1", True, ("ds",), _ALL, subresources=("status",)),
    ApiResource("ControllerRevision", "controllerrevisions", "apps", "v1", True),
    ApiResource("Job", "jobs", "batch", "v1", True, (), _ALL, subresources=("status",)),
    ApiResource("CronJob", "cronjobs", "batch", "v1", True, ("cj",), _ALL, subresources=("status",)),
    ApiResource("StorageClass", "storageclasses", "storage.k8s.io", "v1", False, ("sc",)),
    ApiResource("EndpointSlice", "endpointslices", "discovery.k8s.io", "v1", True),
    ApiResource("Ingress", "ingresses", "networking.k8s.io", "v1", True, ("ing",), subresources=("status",)),
    ApiResource("IngressClass", "ingressclasses", "networking.k8s.io", "v1", False),
    ApiResource("NetworkPolicy", "networkpolicies", "networking.k8s.io", "v1", True, ("netpol",)),
    ApiResource("PodDisruptionBudget", "poddisruptionbudgets", "policy", "v1", True, ("pdb",), subresources=("status",)),
    ApiResource("HorizontalPodAutoscaler", "horizontalpodautoscalers", "autoscaling", "v2", True, ("hpa",), _ALL, subresources=("status",)),
    ApiResource("Role", "roles", "rbac.authorization.k8s.io", "v1", True),
    ApiResource("RoleBinding", "rolebindings", "rbac.authorization.k8s.io", "v1", True),
    ApiResource("ClusterRole", "clusterroles", "rbac.authorization.k8s.io", "v1", False),
    ApiResource("ClusterRoleBinding", "clusterrolebindings", "rbac.authorization.k8s.io", "v1", False),
    ApiResource("Lease", "leases", "coordination.k8s.io", "v1", True),
    ApiResource("PriorityClass", "priorityclasses", "scheduling.k8s.io", "v1", False, ("pc",)),
)

BY_KIND: dict[str, ApiResource] = {r.kind: r for r in RESOURCES}
BY_PLURAL: dict[tuple[str, str], ApiResource] = {(r.group, r.plural): r for r in RESOURCES}


def lookup(name: str) -> ApiResource | None:
    """Resolve what a user types (``po``, ``pods``, ``pod``, ``Pod``, ``deploy``, ``deployments.apps``)."""
    n = name.strip()
    group = None
    if "." in n:
        n, group = n.split(".", 1)
    low = n.lower()
    for r in RESOURCES:
        if group is not None and r.group != group:
            continue
        if low in (r.plural, r.singular_name, r.kind.lower()) or low in r.short_names:
            return r
    return None


def groups() -> dict[str, list[str]]:
    """group → versions (core group under "")."""
    out: dict[str, list[str]] = {}
    for r in RESOURCES:
        versions = out.setdefault(r.group, [])
        if r.version not in versions:
            versions.append(r.version)
    return out
