"""The API resources k9py knows: kind ↔ group/version/plural, scope, short names, verbs.

One registry shared by the simulator (what it stores), `serve` (discovery, URL routing) and the
UI (command aliases).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
READ_VERBS = ("get", "list", "watch")


@dataclass(frozen=True)
class PrinterColumn:
    """One of a CRD version's ``additionalPrinterColumns`` (what ``kubectl get`` prints)."""

    name: str
    type: str  # integer | number | string | boolean | date
    json_path: str
    priority: int = 0
    description: str = ""
    format: str = ""


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
    # Custom resources: the CRD that defines them ("crontabs.stable.example.com") and the columns
    # its served version prints (the apiserver's NAME first, then these; Age when it has none).
    crd: str = ""
    printer_columns: tuple[PrinterColumn, ...] = ()
    selectable_fields: tuple[str, ...] = ()  # its version's selectableFields ("spec.color")

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
    # binds a pod to a node, as pods/NAME/binding does (serve/subresources.py); never stored
    ApiResource("Binding", "bindings", "", "v1", True, verbs=("create",)),
    ApiResource("Namespace", "namespaces", "", "v1", False, ("ns",), verbs=("create", "delete", "get", "list", "patch", "update", "watch"), subresources=("status", "finalize")),
    ApiResource("Node", "nodes", "", "v1", False, ("no",), subresources=("status", "proxy")),
    ApiResource("Pod", "pods", "", "v1", True, ("po",), _ALL, subresources=("status", "log", "eviction", "binding", "exec", "attach", "portforward", "ephemeralcontainers", "proxy")),
    ApiResource("Service", "services", "", "v1", True, ("svc",), _ALL, verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"), subresources=("status", "proxy")),
    ApiResource("Endpoints", "endpoints", "", "v1", True, ("ep",), singular="endpoints"),
    ApiResource("ConfigMap", "configmaps", "", "v1", True, ("cm",)),
    ApiResource("Secret", "secrets", "", "v1", True),
    ApiResource("ServiceAccount", "serviceaccounts", "", "v1", True, ("sa",), subresources=("token",)),
    ApiResource("PersistentVolume", "persistentvolumes", "", "v1", False, ("pv",), subresources=("status",)),
    ApiResource("PersistentVolumeClaim", "persistentvolumeclaims", "", "v1", True, ("pvc",), subresources=("status",)),
    ApiResource("Event", "events", "", "v1", True, ("ev",)),
    ApiResource("ResourceQuota", "resourcequotas", "", "v1", True, ("quota",), subresources=("status",)),
    ApiResource("LimitRange", "limitranges", "", "v1", True, ("limits",)),
    ApiResource("ReplicationController", "replicationcontrollers", "", "v1", True, ("rc",), _ALL, subresources=("status", "scale")),
    ApiResource("ComponentStatus", "componentstatuses", "", "v1", False, ("cs",), verbs=("get", "list")),
    ApiResource("PodTemplate", "podtemplates", "", "v1", True),
    ApiResource("Deployment", "deployments", "apps", "v1", True, ("deploy",), _ALL, subresources=("status", "scale")),
    ApiResource("ReplicaSet", "replicasets", "apps", "v1", True, ("rs",), _ALL, subresources=("status", "scale")),
    ApiResource("StatefulSet", "statefulsets", "apps", "v1", True, ("sts",), _ALL, subresources=("status", "scale")),
    ApiResource("DaemonSet", "daemonsets", "apps", "v1", True, ("ds",), _ALL, subresources=("status",)),
    ApiResource("ControllerRevision", "controllerrevisions", "apps", "v1", True),
    ApiResource("Job", "jobs", "batch", "v1", True, (), _ALL, subresources=("status",)),
    ApiResource("CronJob", "cronjobs", "batch", "v1", True, ("cj",), _ALL, subresources=("status",)),
    ApiResource("StorageClass", "storageclasses", "storage.k8s.io", "v1", False, ("sc",)),
    ApiResource("CSINode", "csinodes", "storage.k8s.io", "v1", False),
    ApiResource("CSIDriver", "csidrivers", "storage.k8s.io", "v1", False),
    ApiResource("CSIStorageCapacity", "csistoragecapacities", "storage.k8s.io", "v1", True),
    ApiResource("VolumeAttachment", "volumeattachments", "storage.k8s.io", "v1", False, subresources=("status",)),
    ApiResource("VolumeAttributesClass", "volumeattributesclasses", "storage.k8s.io", "v1", False, ("vac",)),
    ApiResource("RuntimeClass", "runtimeclasses", "node.k8s.io", "v1", False),
    ApiResource("MutatingWebhookConfiguration", "mutatingwebhookconfigurations", "admissionregistration.k8s.io", "v1",
                False, (), ("api-extensions",)),
    ApiResource("ValidatingWebhookConfiguration", "validatingwebhookconfigurations", "admissionregistration.k8s.io",
                "v1", False, (), ("api-extensions",)),
    ApiResource("ValidatingAdmissionPolicy", "validatingadmissionpolicies", "admissionregistration.k8s.io", "v1",
                False, (), ("api-extensions",), subresources=("status",)),
    ApiResource("ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", "admissionregistration.k8s.io",
                "v1", False, (), ("api-extensions",)),
    ApiResource("APIService", "apiservices", "apiregistration.k8s.io", "v1", False, (), ("api-extensions",),
                subresources=("status",)),
    ApiResource("EndpointSlice", "endpointslices", "discovery.k8s.io", "v1", True),
    ApiResource("Ingress", "ingresses", "networking.k8s.io", "v1", True, ("ing",), subresources=("status",)),
    ApiResource("IngressClass", "ingressclasses", "networking.k8s.io", "v1", False),
    ApiResource("NetworkPolicy", "networkpolicies", "networking.k8s.io", "v1", True, ("netpol",)),
    ApiResource("ServiceCIDR", "servicecidrs", "networking.k8s.io", "v1", False, subresources=("status",)),
    ApiResource("IPAddress", "ipaddresses", "networking.k8s.io", "v1", False, ("ip",)),
    ApiResource("FlowSchema", "flowschemas", "flowcontrol.apiserver.k8s.io", "v1", False, subresources=("status",)),
    ApiResource("PriorityLevelConfiguration", "prioritylevelconfigurations", "flowcontrol.apiserver.k8s.io", "v1",
                False, subresources=("status",)),
    ApiResource("PodDisruptionBudget", "poddisruptionbudgets", "policy", "v1", True, ("pdb",), subresources=("status",)),
    ApiResource("HorizontalPodAutoscaler", "horizontalpodautoscalers", "autoscaling", "v2", True, ("hpa",), _ALL, subresources=("status",)),
    ApiResource("Role", "roles", "rbac.authorization.k8s.io", "v1", True),
    ApiResource("RoleBinding", "rolebindings", "rbac.authorization.k8s.io", "v1", True),
    ApiResource("ClusterRole", "clusterroles", "rbac.authorization.k8s.io", "v1", False),
    ApiResource("ClusterRoleBinding", "clusterrolebindings", "rbac.authorization.k8s.io", "v1", False),
    ApiResource("Lease", "leases", "coordination.k8s.io", "v1", True),
    ApiResource("PriorityClass", "priorityclasses", "scheduling.k8s.io", "v1", False, ("pc",)),
    # dynamic resource allocation (GA in 1.34): stored and listed; no driver allocates devices
    ApiResource("DeviceClass", "deviceclasses", "resource.k8s.io", "v1", False),
    ApiResource("ResourceClaim", "resourceclaims", "resource.k8s.io", "v1", True, subresources=("status",)),
    ApiResource("ResourceClaimTemplate", "resourceclaimtemplates", "resource.k8s.io", "v1", True),
    ApiResource("ResourceSlice", "resourceslices", "resource.k8s.io", "v1", False),
    ApiResource("CustomResourceDefinition", "customresourcedefinitions", "apiextensions.k8s.io", "v1", False,
                ("crd", "crds"), ("api-extensions",), subresources=("status",)),
    # the reviews are only created, never stored (serve/auth.py answers them); CSRs are stored
    ApiResource("SelfSubjectAccessReview", "selfsubjectaccessreviews", "authorization.k8s.io", "v1", False, verbs=("create",)),
    ApiResource("SelfSubjectRulesReview", "selfsubjectrulesreviews", "authorization.k8s.io", "v1", False, verbs=("create",)),
    ApiResource("SubjectAccessReview", "subjectaccessreviews", "authorization.k8s.io", "v1", False, verbs=("create",)),
    ApiResource("LocalSubjectAccessReview", "localsubjectaccessreviews", "authorization.k8s.io", "v1", True, verbs=("create",)),
    ApiResource("SelfSubjectReview", "selfsubjectreviews", "authentication.k8s.io", "v1", False, verbs=("create",)),
    ApiResource("TokenReview", "tokenreviews", "authentication.k8s.io", "v1", False, verbs=("create",)),
    ApiResource("CertificateSigningRequest", "certificatesigningrequests", "certificates.k8s.io", "v1", False, ("csr",),
                subresources=("status", "approval")),
)

# Other versions of built-in kinds the API serves besides the stored one (``kube/conversion.py``
# converts): in discovery and URL routing (``Registry.served``), never kinds of their own.
ALTERNATE_VERSIONS: tuple[ApiResource, ...] = (
    ApiResource("HorizontalPodAutoscaler", "horizontalpodautoscalers", "autoscaling", "v1", True, ("hpa",), _ALL, subresources=("status",)),
    ApiResource("Event", "events", "events.k8s.io", "v1", True),
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
    for r in RESOURCES + ALTERNATE_VERSIONS:
        versions = out.setdefault(r.group, [])
        if r.version not in versions:
            versions.append(r.version)
    return out


# -- custom resources -----------------------------------------------------------------------------
CRD_KIND = "CustomResourceDefinition"
CRD_GROUP = "apiextensions.k8s.io"
# What the apiserver prints for a custom resource whose version declares no columns.
AGE_COLUMN = PrinterColumn("Age", "date", ".metadata.creationTimestamp")
_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Sort key, best first, of Kubernetes version names: v2 > v1 > v1beta2 > v1beta1 > v1alpha1
    > anything else (alphabetically), as the apiserver orders a group's versions."""
    m = _VERSION.match(version)
    if m is None:
        return (3, 0, 0, version)
    major, level, minor = int(m.group(1)), m.group(2), int(m.group(3) or 0)
    return ({None: 0, "beta": 1, "alpha": 2}[level], -major, -minor, version)


def _dig(obj: Any, *path: str) -> Any:
    for p in path:
        obj = obj.get(p) if isinstance(obj, dict) else None
    return obj


def from_crd(crd: dict[str, Any]) -> list[ApiResource]:
    """The resources a CustomResourceDefinition serves, one per served version, preferred version
    first. Assumes an admitted CRD (``k9py.sim.crds`` validates); malformed parts are skipped."""
    spec: dict[str, Any] = crd["spec"] if isinstance(crd.get("spec"), dict) else {}
    names: dict[str, Any] = spec["names"] if isinstance(spec.get("names"), dict) else {}
    group, kind, plural = spec.get("group"), names.get("kind"), names.get("plural")
    if not (isinstance(group, str) and isinstance(kind, str) and isinstance(plural, str) and kind and plural):
        return []
    versions = [v for v in spec.get("versions") or [] if isinstance(v, dict) and v.get("served")
                and isinstance(v.get("name"), str)]
    has = {"status": "status", "scale": "scale"}
    out = []
    for v in sorted(versions, key=lambda v: version_priority(v["name"])):
        subs = tuple(name for key, name in has.items() if isinstance(_dig(v, "subresources", key), dict)
                     or isinstance(_dig(spec, "subresources", key), dict))
        cols = []
        for c in v.get("additionalPrinterColumns") or spec.get("additionalPrinterColumns") or []:
            if isinstance(c, dict) and isinstance(c.get("name"), str) and isinstance(c.get("jsonPath"), str):
                cols.append(PrinterColumn(c["name"], str(c.get("type") or "string"), c["jsonPath"],
                                          int(c.get("priority") or 0), str(c.get("description") or ""),
                                          str(c.get("format") or "")))
        selectable = tuple(str(f["jsonPath"]).lstrip(".") for f in v.get("selectableFields") or []
                           if isinstance(f, dict) and isinstance(f.get("jsonPath"), str))
        out.append(ApiResource(
            kind, plural, group, v["name"], spec.get("scope") == "Namespaced",
            tuple(s for s in names.get("shortNames") or () if isinstance(s, str)),
            tuple(s for s in names.get("categories") or () if isinstance(s, str)),
            subresources=subs, singular=str(names.get("singular") or kind.lower()),
            crd=str(_dig(crd, "metadata", "name") or f"{plural}.{group}"),
            printer_columns=tuple(cols) or (AGE_COLUMN,), selectable_fields=selectable))
    return out


def registry_of(crds: Iterable[dict[str, Any]]) -> Registry:
    """The registry of a cluster whose CustomResourceDefinitions are ``crds`` (a CRD whose kind
    is a built-in kind adds nothing)."""
    return Registry(r for crd in crds for r in from_crd(crd) if r.kind not in BY_KIND)


class Registry:
    """The built-in resources plus the custom ones a cluster's CRDs add: what a cluster serves."""

    def __init__(self, custom: Iterable[ApiResource] = ()) -> None:
        self.custom = tuple(custom)
        self.all: tuple[ApiResource, ...] = RESOURCES + self.custom
        self.by_kind: dict[str, ApiResource] = dict(BY_KIND)
        for r in self.custom:  # a kind's first (preferred) served version
            self.by_kind.setdefault(r.kind, r)
        # What discovery lists and URLs reach: the kinds and the other versions served of built-ins.
        self.served: tuple[ApiResource, ...] = self.all + ALTERNATE_VERSIONS
        self._by_gvr = {(r.group, r.version, r.plural): r for r in self.served}

    def kind(self, kind: str) -> ApiResource | None:
        return self.by_kind.get(kind)

    def find(self, group: str, version: str, plural: str) -> ApiResource | None:
        return self._by_gvr.get((group, version, plural))

    def namespaced(self, kind: str) -> bool:
        """Unknown kinds count as namespaced (what the store assumes)."""
        res = self.by_kind.get(kind)
        return True if res is None else res.namespaced

    def groups(self) -> dict[str, list[str]]:
        """group → versions, preferred first (core group under "")."""
        out = groups()
        for r in self.custom:
            versions = out.setdefault(r.group, [])
            if r.version not in versions:
                versions.append(r.version)
        for g in {r.group for r in self.custom}:
            out[g].sort(key=version_priority)
        return out
