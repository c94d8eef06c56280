"""What the apiserver does to a Pod before storing it: defaulting (including the admission
plugins ServiceAccount, Priority and DefaultTolerationSeconds) and validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
from mypy_extensions import mypyc_attr

from k9py.kube import meta
from k9py.kube.meta import deep_copy
from k9py.kube.status import forbidden, invalid
from k9py.sim import ephemeral, podspec
from k9py.sim.admission import admits
from k9py.sim.picklestate import restore, state_of

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

SA_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
DEFAULT_TOLERATIONS = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
)
_UPDATE_FORBIDDEN = ("Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
                     "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
                     "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                     "(allow it to be set to 1 if it was previously negative)")


def pull_policy(image: str) -> str:
    last = image.split("@", 1)[0].rsplit("/", 1)[-1]
    if "@" in image:
        return "IfNotPresent"
    tag = last.split(":", 1)[1] if ":" in last else "latest"
    return "Always" if tag == "latest" else "IfNotPresent"


def qos_class(spec: Obj) -> str:
    """Guaranteed / Burstable / BestEffort as pkg/apis/core/helper/qos computes it."""
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    any_set = False
    guaranteed = True
    for c in containers:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if req or lim:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim or str(req.get(r, lim.get(r))) != str(lim[r]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def default_container(c: Obj, *, requests_from_limits: bool = True) -> None:
    """The apiserver's container defaults (SetDefaults_Container and friends), shared by pods and
    pod templates; only a Pod gets requests defaulted from limits (SetDefaults_Pod)."""
    if not isinstance(c, dict):
        return
    image = str(c.get("image") or "")
    c.setdefault("imagePullPolicy", pull_policy(image))
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    res = c.setdefault("resources", {})
    if requests_from_limits and isinstance(res, dict) and isinstance(res.get("limits"), dict):
        req = res.setdefault("requests", {})
        for k, v in res["limits"].items():
            req.setdefault(k, v)
    for env in c.get("env") or []:
        field_ref = env.get("valueFrom", {}).get("fieldRef") if isinstance(env, dict) and isinstance(env.get("valueFrom"), dict) else None
        if isinstance(field_ref, dict):
            field_ref.setdefault("apiVersion", "v1")
    for p in c.get("ports") or []:
        if isinstance(p, dict):
            p.setdefault("protocol", "TCP")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        pr = c.get(probe)
        if isinstance(pr, dict):
            pr.setdefault("timeoutSeconds", 1)
            pr.setdefault("periodSeconds", 10)
            pr.setdefault("successThreshold", 1)
            pr.setdefault("failureThreshold", 3)
            if isinstance(pr.get("httpGet"), dict):
                pr["httpGet"].setdefault("path", "/")
                pr["httpGet"].setdefault("scheme", "HTTP")


def _validate(obj: Obj) -> None:
    name = meta.name(obj) or obj.get("metadata", {}).get("generateName", "")
    spec = obj.get("spec")
    causes: list[tuple[str, str]] = []
    if not isinstance(spec, dict):
        raise invalid("Pod", name, [("spec.containers", "Required value")])
    causes.extend(podspec.validate(spec, "spec"))  # restartPolicy was defaulted just before
    if causes:
        raise invalid("Pod", name, causes)


_UPDATABLE = ("tolerations", "activeDeadlineSeconds", "terminationGracePeriodSeconds", "nodeName")
_CONTAINER_FIELDS = ("containers", "initContainers")


def _only_updatable_changed(spec: Obj, old_spec: Obj) -> bool:
    """``_comparable(spec) == _comparable(old_spec)`` without copying either spec (every pod
    update asks): equal but for the fields a pod update may change and the containers' images.
    An equal spec (most updates change metadata only) is one comparison in C."""
    if not (_plain_containers(spec) and _plain_containers(old_spec)):
        return _comparable(spec) == _comparable(old_spec)
    if spec == old_spec:
        return True
    keys = [k for k in spec if k not in _UPDATABLE]
    if len(keys) != sum(1 for k in old_spec if k not in _UPDATABLE):
        return False
    for k in keys:
        if k not in old_spec:
            return False
        a, b = spec[k], old_spec[k]
        if a is b:
            continue
        if k in _CONTAINER_FIELDS and type(a) is list and type(b) is list:
            if len(a) != len(b) or not all(x is y or _equal_but_image(x, y) for x, y in zip(a, b, strict=True)):
                return False
        elif a != b:
            return False
    return True


def _plain_containers(spec: Obj) -> bool:
    """Each container list absent, None or a list of dicts (what ``_comparable`` takes apart)."""
    for field in _CONTAINER_FIELDS:
        v = spec.get(field)
        if v is not None and not (type(v) is list and all(type(c) is dict for c in v)):
            return False
    return True


def _equal_but_image(a: Obj, b: Obj) -> bool:
    if len(a) - ("image" in a) != len(b) - ("image" in b):
        return False
    return all(k == "image" or (k in b and b[k] == v) for k, v in a.items())


def _comparable(spec: Obj) -> Obj:
    s = deep_copy(spec)
    for field in ("containers", "initContainers"):
        for c in s.get(field) or []:
            c.pop("image", None)
    for f in ("tolerations", "activeDeadlineSeconds", "terminationGracePeriodSeconds", "nodeName"):
        s.pop(f, None)
    return s


@admits("Pod")
def admit_pod(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    spec = obj.get("spec")
    if old is not None and type(spec) is dict and spec == old.get("spec"):
        # An update of metadata or status alone (a label, an annotation: most pod updates): the
        # spec is the stored one, which admission defaulted and validated when it came (as the
        # apiserver ratchets validation of what an update leaves as it was); everything below
        # would leave it as it is.
        try:
            qos = qos_class(spec)
        except (AttributeError, TypeError, ValueError):
            qos = None  # a spec stored without admission that it would refuse: the full path says why
        if qos is not None:
            _set_status(obj, old, qos)
            return
    key = _create_key(cluster, spec) if old is None else None
    if key is not None:
        seen = _admitted_specs(cluster).get(key)
        if seen is not None:
            _admit_as_before(cluster, obj, seen)
            return
    if isinstance(spec, dict) and (old is None or spec is old.get("spec")):
        # A controller's pod may bring its template's own spec (``pod_from_template``'s
        # ``share``), an update the stored pod's own (``Cluster.replace``): admission changes a copy.
        spec = obj["spec"] = deep_copy(spec)
    if isinstance(spec, dict):
        spec.setdefault("restartPolicy", "Always")
    _validate(obj)
    spec = obj["spec"]
    if old is None:
        causes: list[tuple[str, str]] = []
        ephemeral.on_create(spec, causes)
        if causes:
            raise invalid("Pod", meta.name(obj), causes)
    else:
        _carry_over(spec, old.get("spec") or {})
        ephemeral.keep_on_update(spec, old.get("spec") or {})
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    spec.setdefault("enableServiceLinks", True)
    if old is None:
        _priority(cluster, obj, spec)
        _mirror_owner(cluster, obj, spec)
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    sa = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    spec["serviceAccountName"] = sa
    spec["serviceAccount"] = sa
    for field in ("initContainers", "containers"):
        for c in spec.get(field) or []:
            default_container(c)
    for vol in spec.get("volumes") or []:
        if isinstance(vol, dict) and isinstance(vol.get("hostPath"), dict):
            vol["hostPath"].setdefault("type", "")  # SetDefaults_HostPathVolumeSource (HostPathUnset)
    tols = spec.setdefault("tolerations", [])
    for dt in DEFAULT_TOLERATIONS:
        if not any(t.get("key") in (dt["key"], None, "") and t.get("effect") in (dt["effect"], None, "")
                   for t in tols if isinstance(t, dict)):
            tols.append(dict(dt))
    token = None
    if old is None and spec.get("automountServiceAccountToken") is not False:
        token = _add_token_volume(cluster, spec)
    if old is not None:
        old_node = (old.get("spec") or {}).get("nodeName")
        if not _only_updatable_changed(spec, old.get("spec") or {}) or (old_node and spec.get("nodeName") != old_node):
            raise invalid("Pod", meta.name(obj), [("spec", _UPDATE_FORBIDDEN)])
    qos = qos_class(spec)
    _set_status(obj, old, qos)
    if key is not None:
        _remember(cluster, key, spec, token, qos)


def _set_status(obj: Obj, old: Obj | None, qos: str) -> None:
    status = obj.setdefault("status", {}) if old is None else obj.get("status") or {}
    if old is None:
        status.setdefault("phase", "Pending")
    status["qosClass"] = qos
    obj["status"] = status


# -- pod specs admitted before ----------------------------------------------------------------
# A workload's replicas arrive with equal specs (10,000 pods from a few hundred templates):
# what admission makes of a spec on create is remembered by its content, and an equal spec is
# admitted by taking that result, with a token volume of its own. Only what depends on the spec
# alone is remembered (and the PriorityClasses, by their version); a spec admission refused is
# never remembered, so its error is raised as before, with the pod's own name.

ADMITTED_KEY = "pod-admission.specs"
MAX_ADMITTED = 2048  # a 10k-pod cluster's templates, DaemonSet pods (one spec per node) among them
_KEY_ENCODER = msgspec.json.Encoder()  # no enc_hook: a spec holding anything else is not remembered


@mypyc_attr(serializable=True)  # pickled in the demo snapshot
@dataclass(slots=True)  # (not frozen: unpickling a compiled one sets its fields)
class _Admitted:
    """An admitted spec (the first pod's: later ones share its parts, as a store's replicas share
    a sibling's, so comparing them stops at the shared parts), the name of the token volume
    admission gave it (None: none) and where that name is mounted."""

    def __getstate__(self) -> dict[str, Any]:  # (the same in either build: sim/picklestate.py)
        return state_of(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore(self, state)

    spec: Obj
    token: str | None
    mounts: tuple[tuple[str, tuple[int, ...]], ...]  # (field, container indexes) with the token mounted last
    qos: str


def _admitted_specs(cluster: Cluster) -> dict[tuple[bytes, int], _Admitted]:
    specs: dict[tuple[bytes, int], _Admitted] | None = cluster.state.get(ADMITTED_KEY)
    if specs is None:
        specs = cluster.state[ADMITTED_KEY] = {}
    return specs


def _create_key(cluster: Cluster, spec: Any) -> tuple[bytes, int] | None:
    """The spec as it arrives (its JSON, key order included) and the PriorityClasses' version if
    it names one of them; None if it cannot be remembered."""
    if type(spec) is not dict:
        return None
    try:
        data = _KEY_ENCODER.encode(spec)
    except (TypeError, ValueError, OverflowError):
        return None
    pc = spec.get("priorityClassName")
    return data, (cluster.store.kind_version("PriorityClass") if pc and pc not in SYSTEM_PRIORITIES else 0)


def _remember(cluster: Cluster, key: tuple[bytes, int], spec: Obj, token: str | None, qos: str) -> None:
    specs = _admitted_specs(cluster)
    if len(specs) >= MAX_ADMITTED:
        specs.clear()
    mounts = []
    for field in ("initContainers", "containers"):
        at = tuple(i for i, c in enumerate(spec.get(field) or [])
                   if token is not None and c["volumeMounts"] and c["volumeMounts"][-1].get("name") == token)
        if at:
            mounts.append((field, at))
    specs[key] = _Admitted(spec, token, tuple(mounts), qos)  # this pod's own: stored, it is never changed


def _admit_as_before(cluster: Cluster, obj: Obj, seen: _Admitted) -> None:
    """What ``admit_pod`` does to a new pod whose spec it admitted before: the same spec, a
    token volume named afresh (the same draw of the generator), the mirror owner, the status."""
    spec = dict(seen.spec)
    if seen.token is not None:
        token = "kube-api-access-" + cluster.store.random_suffix()
        vols = list(spec["volumes"])
        vols[-1] = {**vols[-1], "name": token}
        spec["volumes"] = vols
        for field, at in seen.mounts:
            containers = list(spec[field])
            for i in at:
                c = containers[i]
                mounts = list(c["volumeMounts"])
                mounts[-1] = {**mounts[-1], "name": token}
                containers[i] = {**c, "volumeMounts": mounts}
            spec[field] = containers
    obj["spec"] = spec
    _mirror_owner(cluster, obj, spec)
    _set_status(obj, None, seen.qos)


SYSTEM_PRIORITIES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
SYSTEM_PRIORITY_DESCRIPTIONS = {
    "system-node-critical": "Used for system critical pods that must not be moved from their current node.",
    "system-cluster-critical": "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
}


def system_priority_classes() -> list[Obj]:
    """The PriorityClasses every cluster has (the apiserver creates them at start)."""
    return [{"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
             "value": value, "globalDefault": False, "description": SYSTEM_PRIORITY_DESCRIPTIONS[name]}
            for name, value in SYSTEM_PRIORITIES.items()]


@admits("PriorityClass")
def _admit_priority_class(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    obj.setdefault("preemptionPolicy", "PreemptLowerPriority")
    if not isinstance(obj.get("value"), int) or isinstance(obj.get("value"), bool):
        raise invalid("PriorityClass", meta.name(obj), [("value", "Required value")])


def _priority(cluster: Cluster, obj: Obj, spec: Obj) -> None:
    """The Priority admission plugin: priority (and preemptionPolicy) from the PriorityClass."""
    name = spec.get("priorityClassName")
    if not name:
        return
    if name in SYSTEM_PRIORITIES:
        spec["priority"] = SYSTEM_PRIORITIES[name]
        return
    pc = cluster.store.get("PriorityClass", None, name)
    if pc is None:
        raise forbidden("Pod", meta.name(obj), "create", f"no PriorityClass with name {name} was found")
    spec["priority"] = int(pc.get("value", 0))
    if pc.get("preemptionPolicy"):
        spec.setdefault("preemptionPolicy", pc["preemptionPolicy"])


MIRROR = "kubernetes.io/config.mirror"


def _mirror_owner(cluster: Cluster, obj: Obj, spec: Obj) -> None:
    """A static pod's mirror pod is owned by its Node (the kubelet sets the reference)."""
    node_name = spec.get("nodeName")
    if MIRROR not in meta.annotations(obj) or not node_name or meta.owner_refs(obj):
        return
    node = cluster.store.get("Node", None, node_name)
    if node is not None:
        obj["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "Node", "name": node_name,
                                               "uid": meta.uid(node), "controller": True}]


def _carry_over(spec: Obj, old_spec: Obj) -> None:
    """A replaced Pod keeps what the apiserver added at creation (token volume, nodeName)."""
    if not spec.get("nodeName") and old_spec.get("nodeName"):
        spec["nodeName"] = old_spec["nodeName"]
    vols = spec.get("volumes") or []
    names = {v.get("name") for v in vols if isinstance(v, dict)}
    for v in old_spec.get("volumes") or []:
        if v.get("name", "").startswith("kube-api-access-") and v["name"] not in names:
            spec["volumes"] = [*vols, deep_copy(v)]
            vols = spec["volumes"]
            for i, c in enumerate(spec.get("containers") or []):
                mounts = c.get("volumeMounts") or []
                old_c = (old_spec.get("containers") or [{}] * (i + 1))[i] if i < len(old_spec.get("containers") or []) else {}
                for m in old_c.get("volumeMounts") or []:
                    if m.get("name") == v["name"] and not any(x.get("name") == v["name"] for x in mounts):
                        c["volumeMounts"] = [*mounts, deep_copy(m)]


def _add_token_volume(cluster: Cluster, spec: Obj) -> str | None:
    """The ServiceAccount admission plugin's projected token volume, mounted in every container;
    returns its name (None: the spec has one already)."""
    vols = spec.get("volumes") or []
    if any(str(v.get("name", "")).startswith("kube-api-access-") for v in vols if isinstance(v, dict)):
        return None
    name = "kube-api-access-" + cluster.store.random_suffix()
    vols.append({"name": name, "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                       "fieldPath": "metadata.namespace"}}]}},
    ]}})
    spec["volumes"] = vols
    for field in ("initContainers", "containers"):
        for c in spec.get(field) or []:
            mounts = c.get("volumeMounts") or []
            if not any(m.get("mountPath") == SA_MOUNT for m in mounts if isinstance(m, dict)):
                mounts.append({"name": name, "mountPath": SA_MOUNT, "readOnly": True})
            c["volumeMounts"] = mounts
    return name
