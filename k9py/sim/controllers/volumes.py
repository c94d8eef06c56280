"""PersistentVolume / PersistentVolumeClaim lifecycle: the persistentvolume-controller
(binding, reclaim), minikube's hostpath storage-provisioner (dynamic provisioning), the
pvc-protection / pv-protection controllers, and the apiserver admission for StorageClass, PV
and PVC (defaults, validation, the DefaultStorageClass plugin).

Finalizers: PVCs get ``kubernetes.io/pvc-protection`` and PVs ``kubernetes.io/pv-protection``
at creation. A claim that is being deleted (deletionTimestamp set while a finalizer is pending)
stays Terminating until no pod uses it; then the finalizer is removed and the object deleted.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from k9py.kube import godiff, meta, quantity, selectors
from k9py.kube.status import forbidden, invalid
from k9py.kube.timefmt import parse_time, rfc3339
from k9py.sim.admission import admits
from k9py.sim.controllers.base import Controller
from k9py.sim.follower import Follower
from k9py.sim.volumebinding import ANN_BIND_COMPLETED, claim_names

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.store import Change

Obj = dict[str, Any]

COMPONENT = "persistentvolume-controller"
MINIKUBE_PROVISIONER = "k8s.io/minikube-hostpath"
NO_PROVISIONER = "kubernetes.io/no-provisioner"
DEFAULT_CLASS_ANN = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS_ANN = "storageclass.beta.kubernetes.io/is-default-class"
ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
RECLAIM_DELAY = 1.0  # seconds between Released and the deleter / recycler finishing
RESYNC_PERIOD = 15.0  # the persistentvolume-controller's --pvclaimbinder-sync-period
HOSTPATH_ROOT = "/tmp/hostpath-provisioner"
VOLUME_SOURCES = ("hostPath", "nfs", "local", "csi", "iscsi", "fc", "rbd", "cephfs", "azureDisk", "azureFile",
                  "awsElasticBlockStore", "gcePersistentDisk", "flexVolume", "glusterfs", "cinder", "vsphereVolume",
                  "portworxVolume", "scaleIO", "storageos", "quobyte", "photonPersistentDisk", "flocker")


# -- admission ----------------------------------------------------------------------------
QUANTITY_MSG = quantity.ERR_FORMAT
ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")


def _shape_causes(spec: Any, maps: tuple[str, ...]) -> list[tuple[str, str]]:
    """Type checks the JSON decoder would do (so controllers never see a malformed object)."""
    if not isinstance(spec, dict):
        return [("spec", "Invalid value: must be an object")]
    causes = []
    modes = spec.get("accessModes")
    if modes is not None:
        if not isinstance(modes, list):
            causes.append(("spec.accessModes", "Invalid value: must be a list"))
        else:
            for m in modes:
                if m not in ACCESS_MODES:
                    causes.append(("spec.accessModes", f'Unsupported value: "{m}": supported values: '
                                   + ", ".join(f'"{a}"' for a in ACCESS_MODES)))
    for path in maps:
        cur: Any = spec
        parts = path.split(".")
        for i, part in enumerate(parts):
            if not isinstance(cur, dict):
                break
            cur = cur.get(part)
            if cur is not None and not isinstance(cur, dict):
                causes.append(("spec." + ".".join(parts[:i + 1]), "Invalid value: must be an object"))
                break
    for key in ("storageClassName", "volumeName", "volumeMode"):
        if spec.get(key) is not None and not isinstance(spec.get(key), str):
            causes.append((f"spec.{key}", f"Invalid value: {spec[key]!r}: must be a string"))
    return causes


@admits("StorageClass")
def admit_storage_class(cluster: Cluster, sc: Obj, old: Obj | None) -> None:
    if not sc.get("provisioner"):
        raise invalid("StorageClass", meta.name(sc), [("provisioner", "Required value")])
    sc.setdefault("reclaimPolicy", "Delete")
    sc.setdefault("volumeBindingMode", "Immediate")
    if sc["reclaimPolicy"] not in ("Delete", "Retain"):
        raise invalid("StorageClass", meta.name(sc), [("reclaimPolicy", f'Unsupported value: "{sc["reclaimPolicy"]}": supported values: "Delete", "Retain"')])
    if sc["volumeBindingMode"] not in ("Immediate", "WaitForFirstConsumer"):
        raise invalid("StorageClass", meta.name(sc), [("volumeBindingMode", f'Unsupported value: "{sc["volumeBindingMode"]}": supported values: "Immediate", "WaitForFirstConsumer"')])


@admits("PersistentVolume")
def admit_pv(cluster: Cluster, pv: Obj, old: Obj | None) -> None:
    name = meta.name(pv)
    spec = pv.setdefault("spec", {})
    shape = _shape_causes(spec, ("capacity", "claimRef", "hostPath", "nfs", "local", "csi"))
    if shape:
        raise invalid("PersistentVolume", name, shape)
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")
    if isinstance(spec.get("hostPath"), dict):
        spec["hostPath"].setdefault("type", "")  # SetDefaults_HostPathVolumeSource (HostPathUnset)
    causes = []
    if not meta.dig(spec, "capacity", "storage"):
        causes.append(("spec.capacity", "Required value"))
    else:
        try:
            quantity.parse(spec["capacity"]["storage"])
        except (ValueError, TypeError):
            causes.append(("spec.capacity[storage]", f"Invalid value: \"{spec['capacity']['storage']}\": {QUANTITY_MSG}"))
    if not spec.get("accessModes"):
        causes.append(("spec.accessModes", "Required value"))
    if not any(k in spec for k in VOLUME_SOURCES):
        causes.append(("spec", "Required value: must specify a volume type"))
    if spec["persistentVolumeReclaimPolicy"] not in ("Delete", "Recycle", "Retain"):
        causes.append(("spec.persistentVolumeReclaimPolicy", f'Unsupported value: "{spec["persistentVolumeReclaimPolicy"]}": supported values: "Delete", "Recycle", "Retain"'))
    if causes:
        raise invalid("PersistentVolume", name, causes)
    if old is None:
        pv["status"] = {"phase": "Pending"}
        _add_finalizer(pv, PV_PROTECTION)


@admits("PersistentVolumeClaim")
def admit_pvc(cluster: Cluster, pvc: Obj, old: Obj | None) -> None:
    name = meta.name(pvc)
    spec = pvc.setdefault("spec", {})
    shape = _shape_causes(spec, ("resources.requests", "resources.limits", "selector", "dataSource"))
    if shape:
        raise invalid("PersistentVolumeClaim", name, shape)
    if old is not None:
        # A whole-object replace (re-applying a manifest) keeps what binding filled in.
        old_spec = old.get("spec", {})
        for key in ("volumeName", "storageClassName", "volumeMode"):
            if not spec.get(key) and old_spec.get(key):
                spec[key] = old_spec[key]
        causes = _claim_update_causes(old, spec)
        if causes:
            raise invalid("PersistentVolumeClaim", name, causes)
        refusal = _resize_refusal(cluster, old, spec)
        if refusal:
            raise forbidden("PersistentVolumeClaim", name, "update", refusal)
        return
    spec.setdefault("volumeMode", "Filesystem")
    causes = []
    if not spec.get("accessModes"):
        causes.append(("spec.accessModes", "Required value: at least 1 access mode is required"))
    storage = meta.dig(spec, "resources", "requests", "storage")
    if not storage:
        causes.append(("spec.resources[storage]", "Required value"))
    else:
        try:
            quantity.parse(storage)
        except (ValueError, TypeError):
            causes.append(("spec.resources.requests[storage]", f"Invalid value: \"{storage}\": {QUANTITY_MSG}"))
    if causes:
        raise invalid("PersistentVolumeClaim", name, causes)
    if spec.get("storageClassName") is None:
        default = default_storage_class(cluster)
        if default is not None:
            spec["storageClassName"] = meta.name(default)
    pvc["status"] = {"phase": "Pending"}
    _add_finalizer(pvc, PVC_PROTECTION)


BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"
PVC_IMMUTABLE = "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"


def _claim_update_causes(old: Obj, spec: Obj) -> list[tuple[str, str]]:
    """ValidatePersistentVolumeClaimUpdate: a claim's spec stays as created, but for its volume
    name (set once, by binding), its volumeAttributesClassName, and its storage request while it
    is bound (not below status.capacity: RecoverFromExpansionFailure), and a class given to a
    claim that had none (validateStorageClassUpgradeFromNil: RetroactiveDefaultStorageClass); the
    Forbidden carries apimachinery's diff of the internal specs, the request compared made equal
    when bound. Quantities compare by value (Semantic.DeepEqual: 1Gi is 1024Mi) and show
    canonical, map keys sorted (as json.Marshal writes them)."""
    old_spec = old.get("spec") or {}
    bound = meta.dig(old, "status", "phase") == "Bound"
    before, after = _internal_claim_spec(old_spec), _internal_claim_spec(spec)
    if not old_spec.get("volumeName"):
        before["VolumeName"] = after["VolumeName"]  # binding sets it once
    old_annotation = (meta.dig(old, "metadata", "annotations") or {}).get(BETA_STORAGE_CLASS)
    if old_spec.get("storageClassName") is None and spec.get("storageClassName") is not None \
            and old_annotation in (None, spec["storageClassName"]):
        after["StorageClassName"] = None  # (from nil, or from the beta annotation's class: an upgrade)
    before["VolumeAttributesClassName"] = after["VolumeAttributesClassName"]  # (modifiable: its own checks)
    if bound and isinstance(after["Resources"]["Requests"], dict):
        requests = dict(after["Resources"]["Requests"])
        old_requests = before["Resources"]["Requests"] or {}
        if "storage" in old_requests:
            requests["storage"] = old_requests["storage"]
        else:
            requests.pop("storage", None)
        after["Resources"] = {**after["Resources"], "Requests": requests}
    causes = []
    if _semantic(before) != _semantic(after):
        causes.append(("spec", f"{PVC_IMMUTABLE}\n{godiff.diff(before, after)}"))
    new_size = _storage(meta.dig(spec, "resources", "requests", "storage"))
    if new_size < _storage(meta.dig(old_spec, "resources", "requests", "storage")) \
            and new_size <= _storage(meta.dig(old, "status", "capacity", "storage")):
        causes.append(("spec.resources.requests.storage", "Forbidden: field can not be less than status.capacity"))
    if spec.get("volumeMode") != old_spec.get("volumeMode"):
        shown = "null" if spec.get("volumeMode") is None else json.dumps(spec["volumeMode"])
        causes.append(("volumeMode", f"Invalid value: {shown}: field is immutable"))  # (the path as the apiserver says it)
    return causes


def _resize_refusal(cluster: Cluster, old: Obj, spec: Obj) -> str | None:
    """The PersistentVolumeClaimResize admission plugin: a larger request needs a bound claim of
    a StorageClass that says allowVolumeExpansion: true."""
    old_spec = old.get("spec") or {}
    if _storage(meta.dig(spec, "resources", "requests", "storage")) <= _storage(meta.dig(old_spec, "resources", "requests", "storage")):
        return None
    if meta.dig(old, "status", "phase") != "Bound":
        return "Only bound persistent volume claims can be expanded"
    cls = spec.get("storageClassName") or ""
    sc = cluster.store.get("StorageClass", None, cls) if cls and cls == (old_spec.get("storageClassName") or "") else None
    if sc is None or sc.get("allowVolumeExpansion") is not True:
        return "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"
    return None


def _internal_claim_spec(spec: Obj) -> Obj:
    """core.PersistentVolumeClaimSpec (the internal type: Go's field names, every field, in order)
    as JSON, from a v1 spec."""
    res = spec.get("resources") or {}
    selector = spec.get("selector")
    return {
        "AccessModes": spec.get("accessModes"),
        "Selector": selector,
        "Resources": {"Limits": _quantities(res.get("limits")), "Requests": _quantities(res.get("requests"))},
        "VolumeName": spec.get("volumeName") or "",
        "StorageClassName": spec.get("storageClassName"),
        "VolumeMode": spec.get("volumeMode"),
        "DataSource": _typed_ref(spec.get("dataSource"), namespaced=False),
        "DataSourceRef": _typed_ref(spec.get("dataSourceRef"), namespaced=True),
        "VolumeAttributesClassName": spec.get("volumeAttributesClassName"),
    }


def _quantities(q: Any) -> Any:
    """A ResourceList as json.Marshal writes it: keys sorted, each quantity canonical."""
    if not isinstance(q, dict):
        return q
    out = {}
    for k in sorted(q):
        try:
            out[k] = quantity.canonical(q[k])
        except (ValueError, TypeError):
            out[k] = q[k]
    return out


def _semantic(spec: Obj) -> Obj:
    """An internal spec for Semantic.DeepEqual: the ResourceLists' quantities by value."""
    res = spec["Resources"]

    def values(q: Any) -> Any:
        return {k: _value(v) for k, v in q.items()} if isinstance(q, dict) else q

    return {**spec, "Resources": {"Limits": values(res["Limits"]), "Requests": values(res["Requests"])}}


def _value(q: Any) -> Any:
    try:
        return quantity.parse(q)
    except (ValueError, TypeError):
        return q


def _typed_ref(ref: Any, *, namespaced: bool) -> Obj | None:
    if not isinstance(ref, dict):
        return None
    out = {"APIGroup": ref.get("apiGroup"), "Kind": ref.get("kind") or "", "Name": ref.get("name") or ""}
    if namespaced:
        out["Namespace"] = ref.get("namespace")
    return out


def _add_finalizer(obj: Obj, finalizer: str) -> None:
    fins = obj.setdefault("metadata", {}).setdefault("finalizers", [])
    if finalizer not in fins:
        fins.append(finalizer)


def default_storage_class(cluster: Cluster) -> Obj | None:
    """The DefaultStorageClass admission plugin's pick: the newest class marked default."""
    defaults = [sc for sc in cluster.store.list("StorageClass")
                if meta.annotations(sc).get(DEFAULT_CLASS_ANN) == "true"
                or meta.annotations(sc).get(BETA_DEFAULT_CLASS_ANN) == "true"]
    if not defaults:
        return None
    return max(defaults, key=lambda sc: (sc["metadata"].get("creationTimestamp", ""), meta.name(sc)))


# -- helpers ------------------------------------------------------------------------------
def _storage(q: Any) -> int:
    try:
        return quantity.bytes_of(q)
    except ValueError:
        return 0


def claim_class(pvc: Obj) -> str:
    return meta.dig(pvc, "spec", "storageClassName") or ""


def _volumes_of(pod: Obj) -> Any:
    return (pod.get("spec") or _NO_SPEC).get("volumes")


_NO_SPEC: Obj = {}  # read only


class _ClaimUsers(Follower):
    """The pods that mount a claim, kept up to date from the store's changes (no pod scan)."""

    kinds = ("Pod",)

    def __init__(self) -> None:
        super().__init__()
        self.pods: dict[tuple[str, str], list[str]] = {}  # pod (namespace, name) -> its claims
        self.version = 0  # changes of pods that mount a claim (or did), counted

    def refresh(self, store: Any) -> bool:
        """True: it starts following ``store`` now (it read every pod)."""
        if self.follow(store):
            self.pods = {(meta.namespace(p), meta.name(p)): cl for p in store.list("Pod") if (cl := claim_names(p))}
            return True
        return False

    def fold(self, change: Change) -> None:
        obj, old = change.obj, change.old
        key = (meta.namespace(obj), meta.name(obj))
        if old is not None and _volumes_of(old) is _volumes_of(obj):
            if key in self.pods:
                self.version += 1  # (its phase or node may have changed)
            return  # the same volumes (the store shares what a write left equal): the same claims
        claims = claim_names(obj) if change.type != "DELETED" else []
        if claims:
            self.pods[key] = claims
            self.version += 1
        elif self.pods.pop(key, None) is not None:
            self.version += 1


def pods_using_claims(cluster: Cluster) -> dict[tuple[str, str], list[Obj]]:
    """(namespace, claimName) -> non-terminal pods that mount it."""
    users: _ClaimUsers = cluster.state.setdefault("volumes-claim-users", _ClaimUsers())
    users.refresh(cluster.store)
    out: dict[tuple[str, str], list[Obj]] = {}
    for key in sorted(users.pods):
        pod = cluster.store.get("Pod", *key)
        if pod is None or meta.dig(pod, "status", "phase") in ("Succeeded", "Failed"):
            continue
        for claim in claim_names(pod):
            out.setdefault((key[0], claim), []).append(pod)
    return out


def check_volume_satisfies_claim(pv: Obj, pvc: Obj) -> str | None:
    """pv_controller checkVolumeSatisfyClaim: None, or why the PV can't serve the claim."""
    requested = _storage(meta.dig(pvc, "spec", "resources", "requests", "storage"))
    capacity = _storage(meta.dig(pv, "spec", "capacity", "storage"))
    if capacity < requested:
        return "requested PV is too small"
    if (meta.dig(pv, "spec", "storageClassName") or "") != claim_class(pvc):
        return "storageClassName does not match"
    if (meta.dig(pv, "spec", "volumeMode") or "Filesystem") != (meta.dig(pvc, "spec", "volumeMode") or "Filesystem"):
        return "incompatible volumeMode"
    if not set(meta.dig(pvc, "spec", "accessModes") or []) <= set(meta.dig(pv, "spec", "accessModes") or []):
        return "incompatible accessMode"
    return None


def _claim_ref_matches(ref: Obj | None, pvc: Obj) -> bool:
    if not ref:
        return False
    if ref.get("name") != meta.name(pvc) or (ref.get("namespace") or "") != meta.namespace(pvc):
        return False
    return not ref.get("uid") or ref.get("uid") == meta.uid(pvc)


def find_matching_volume(pvs: list[Obj], pvc: Obj) -> Obj | None:
    """The smallest Available PV that satisfies the claim; a PV pre-bound to it wins."""
    sel_obj = meta.dig(pvc, "spec", "selector")
    sel = selectors.from_label_selector(sel_obj) if sel_obj is not None else ()
    best: Obj | None = None
    for pv in pvs:
        if meta.is_deleting(pv):
            continue
        ref = meta.dig(pv, "spec", "claimRef")
        if ref and not _claim_ref_matches(ref, pvc):
            continue
        if check_volume_satisfies_claim(pv, pvc) is not None:
            continue
        if ref:  # pre-bound to this very claim
            return pv
        if meta.dig(pv, "status", "phase") not in (None, "", "Pending", "Available"):
            continue
        if not selectors.matches(sel, meta.labels(pv)):
            continue
        size = _storage(meta.dig(pv, "spec", "capacity", "storage"))
        if best is None or (size, meta.name(pv)) < (_storage(best["spec"]["capacity"]["storage"]), meta.name(best)):
            best = pv
    return best


def _set_phase(obj: Obj, phase: str, now: str) -> None:
    status = obj.setdefault("status", {})
    if status.get("phase") != phase:
        status["phase"] = phase
        if obj["kind"] == "PersistentVolume":
            status["lastPhaseTransitionTime"] = now
        status.pop("message", None)
        status.pop("reason", None)


class VolumeController(Controller):
    name = "volumes"

    def __init__(self) -> None:
        self._seen: tuple | None = None

    # one small state dict per cluster (events already emitted, provisioner identity)
    @staticmethod
    def _state(cluster: Cluster) -> dict[str, Any]:
        st = cluster.state.setdefault("volumes", {})
        st.setdefault("emitted", {})
        if "provisioner_id" not in st:
            st["provisioner_id"] = str(uuid.UUID(int=cluster.rng.getrandbits(128), version=4))
        return st

    def _event_once(self, cluster: Cluster, obj: Obj, type_: str, reason: str, message: str,
                    component: str = COMPONENT, *, repeat: bool = False) -> None:
        """Report a state once, not at every settle pass. With ``repeat`` (a claim left
        Pending), report it again at every 15 s resync of the real controller, which bumps the
        event's count ("x3 over 30s")."""
        key = (meta.uid(obj), reason, message)
        emitted = self._state(cluster)["emitted"]
        now = cluster.now()
        last = emitted.get(key)
        if last is not None and not (repeat and now - last >= RESYNC_PERIOD):
            if repeat:
                cluster.wake_at(last + RESYNC_PERIOD)
            return
        emitted[key] = now
        cluster.record_event(obj, type_, reason, message, component)
        if repeat:
            cluster.wake_at(now + RESYNC_PERIOD)

    def reconcile(self, cluster: Cluster) -> None:
        store = cluster.store
        users: _ClaimUsers = cluster.state.setdefault("volumes-claim-users", _ClaimUsers())
        # Which pods mount a claim matters only to claims: with none, no pod change is heard
        # (the first claim changes the key below, and the pods are read afresh then).
        claims = store.count("PersistentVolumeClaim")
        if claims:
            fresh = users.refresh(store)
        else:
            users.stop()
            fresh = False
        # Everything it reads: claims, volumes, classes, the pods that mount claims; the clock
        # only at its own wake-ups (whatever is due later, it asks to be woken for).
        key = (store.kind_version("PersistentVolumeClaim"), store.kind_version("PersistentVolume"),
               store.kind_version("StorageClass"), users.version)
        if self._seen == key and not fresh and not cluster.woken:
            return
        before = store.resource_version
        self._state(cluster)
        in_use = pods_using_claims(cluster) if claims else {}
        self._protect_claims(cluster, in_use)
        self._sync_claims(cluster, in_use)
        self._sync_volumes(cluster)
        self._seen = key if store.resource_version == before else None

    # -- pvc-protection / pv-protection ---------------------------------------------------
    def _protect_claims(self, cluster: Cluster, in_use: dict) -> None:
        store = cluster.store
        for pvc in store.list("PersistentVolumeClaim"):
            if not meta.is_deleting(pvc):
                continue
            ns, name = meta.namespace(pvc), meta.name(pvc)
            if (ns, name) in in_use:
                continue
            _finish(store, pvc, PVC_PROTECTION)
        for pv in store.list("PersistentVolume"):
            if meta.is_deleting(pv) and meta.dig(pv, "status", "phase") != "Bound":
                _finish(store, pv, PV_PROTECTION)

    # -- claims -------------------------------------------------------------------------
    def _sync_claims(self, cluster: Cluster, in_use: dict) -> None:
        store = cluster.store
        claims = sorted(store.list("PersistentVolumeClaim"),
                        key=lambda c: (c["metadata"].get("creationTimestamp", ""), meta.namespace(c), meta.name(c)))
        for pvc in claims:
            pvc = store.get("PersistentVolumeClaim", meta.namespace(pvc), meta.name(pvc)) or pvc
            if meta.is_deleting(pvc):
                continue
            if meta.annotations(pvc).get(ANN_BIND_COMPLETED):
                self._sync_bound_claim(cluster, pvc)
            else:
                self._sync_unbound_claim(cluster, pvc, in_use)

    def _sync_bound_claim(self, cluster: Cluster, pvc: Obj) -> None:
        store = cluster.store
        vol_name = meta.dig(pvc, "spec", "volumeName")
        pv = store.get("PersistentVolume", None, vol_name) if vol_name else None
        if pv is None:
            if meta.dig(pvc, "status", "phase") != "Lost":
                store.mutate("PersistentVolumeClaim", meta.namespace(pvc), meta.name(pvc),
                             lambda c: _set_phase(c, "Lost", rfc3339(cluster.now())))
                self._event_once(cluster, pvc, "Warning", "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
            return
        ref = meta.dig(pv, "spec", "claimRef")
        if ref is None or _claim_ref_matches(ref, pvc):
            self._bind(cluster, pv, pvc)
        else:
            if meta.dig(pvc, "status", "phase") != "Lost":
                store.mutate("PersistentVolumeClaim", meta.namespace(pvc), meta.name(pvc),
                             lambda c: _set_phase(c, "Lost", rfc3339(cluster.now())))
                self._event_once(cluster, pvc, "Warning", "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly")

    def _sync_unbound_claim(self, cluster: Cluster, pvc: Obj, in_use: dict) -> None:
        store = cluster.store
        vol_name = meta.dig(pvc, "spec", "volumeName")
        if vol_name:  # the user asked for a specific PV
            pv = store.get("PersistentVolume", None, vol_name)
            if pv is None:
                self._claim_pending(cluster, pvc)
                return
            ref = meta.dig(pv, "spec", "claimRef")
            if ref is not None and not _claim_ref_matches(ref, pvc):
                self._claim_pending(cluster, pvc)
                self._event_once(cluster, pvc, "Warning", "FailedBinding", f'volume "{vol_name}" already bound to a different claim.', repeat=True)
                return
            why = check_volume_satisfies_claim(pv, pvc)
            if why:
                self._claim_pending(cluster, pvc)
                self._event_once(cluster, pvc, "Warning", "VolumeMismatch", f'Cannot bind to requested volume "{vol_name}": {why}', repeat=True)
                return
            self._bind(cluster, pv, pvc)
            return
        cls_name = claim_class(pvc)
        sc = store.get("StorageClass", None, cls_name) if cls_name else None
        delay = sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer"
        if delay and not meta.annotations(pvc).get(ANN_SELECTED_NODE):
            node = next((meta.dig(p, "spec", "nodeName") for p in in_use.get((meta.namespace(pvc), meta.name(pvc)), [])
                         if meta.dig(p, "spec", "nodeName")), None)
            if node is None:
                self._claim_pending(cluster, pvc)
                self._event_once(cluster, pvc, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding", repeat=True)
                return
            pvc = store.mutate("PersistentVolumeClaim", meta.namespace(pvc), meta.name(pvc),
                               lambda c: c["metadata"].setdefault("annotations", {}).__setitem__(ANN_SELECTED_NODE, node)) or pvc
        pv = find_matching_volume(store.list("PersistentVolume"), pvc)
        if pv is not None:
            self._bind(cluster, pv, pvc)
            return
        self._claim_pending(cluster, pvc)
        if not cls_name:
            self._event_once(cluster, pvc, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set", repeat=True)
            return
        if sc is None:
            self._event_once(cluster, pvc, "Warning", "ProvisioningFailed", f'storageclass.storage.k8s.io "{cls_name}" not found', repeat=True)
            return
        provisioner = sc.get("provisioner", "")
        if provisioner == NO_PROVISIONER:
            self._event_once(cluster, pvc, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set", repeat=True)
            return
        self._provision(cluster, pvc, sc)

    def _claim_pending(self, cluster: Cluster, pvc: Obj) -> None:
        if meta.dig(pvc, "status", "phase") != "Pending":
            cluster.store.mutate("PersistentVolumeClaim", meta.namespace(pvc), meta.name(pvc),
                                 lambda c: _set_phase(c, "Pending", rfc3339(cluster.now())))

    def _provision(self, cluster: Cluster, pvc: Obj, sc: Obj) -> None:
        store = cluster.store
        provisioner = sc.get("provisioner", "")
        ns, name = meta.namespace(pvc), meta.name(pvc)

        def annotate(c: Obj) -> None:
            ann = c["metadata"].setdefault("annotations", {})
            ann[ANN_BETA_STORAGE_PROVISIONER] = provisioner
            ann[ANN_STORAGE_PROVISIONER] = provisioner
        pvc = store.mutate("PersistentVolumeClaim", ns, name, annotate) or pvc
        self._event_once(cluster, pvc, "Normal", "ExternalProvisioning",
                         f"Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually "
                         "by the system administrator. If volume creation is delayed, please verify that the provisioner "
                         "is running and correctly registered.", repeat=provisioner != MINIKUBE_PROVISIONER)
        if provisioner != MINIKUBE_PROVISIONER:
            return  # nobody runs that provisioner in the simulator: the claim stays Pending
        pv_name = f"pvc-{meta.uid(pvc)}"
        if store.get("PersistentVolume", None, pv_name) is not None:
            return
        ident = self._state(cluster)["provisioner_id"]
        component = f"{MINIKUBE_PROVISIONER}_minikube_{ident}"
        self._event_once(cluster, pvc, "Normal", "Provisioning",
                         f'External provisioner is provisioning volume for claim "{ns}/{name}"', component)
        pv = {"apiVersion": "v1", "kind": "PersistentVolume",
              "metadata": {"name": pv_name,
                           "annotations": {"hostPathProvisionerIdentity": ident,
                                           ANN_PROVISIONED_BY: MINIKUBE_PROVISIONER}},
              "spec": {"accessModes": list(meta.dig(pvc, "spec", "accessModes") or []),
                       "capacity": {"storage": meta.dig(pvc, "spec", "resources", "requests", "storage")},
                       "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": name,
                                    "namespace": ns, "resourceVersion": pvc["metadata"].get("resourceVersion"),
                                    "uid": meta.uid(pvc)},
                       "hostPath": {"path": f"{HOSTPATH_ROOT}/{ns}/{name}", "type": ""},
                       "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy", "Delete"),
                       "storageClassName": meta.name(sc),
                       "volumeMode": meta.dig(pvc, "spec", "volumeMode") or "Filesystem"}}
        cluster.create(pv)
        self._event_once(cluster, pvc, "Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {pv_name}", component)
        created = store.get("PersistentVolume", None, pv_name)
        current = store.get("PersistentVolumeClaim", ns, name)
        if created is not None and current is not None:
            self._bind(cluster, created, current)

    def _bind(self, cluster: Cluster, pv: Obj, pvc: Obj) -> None:
        store = cluster.store
        now = rfc3339(cluster.now())
        ns, name = meta.namespace(pvc), meta.name(pvc)
        if (meta.dig(pv, "spec", "claimRef", "uid") == meta.uid(pvc) and meta.dig(pv, "status", "phase") == "Bound"
                and meta.dig(pvc, "spec", "volumeName") == meta.name(pv) and meta.dig(pvc, "status", "phase") == "Bound"
                and meta.annotations(pvc).get(ANN_BIND_COMPLETED)):
            return  # already bound both ways
        user_prebound_claim = bool(meta.dig(pvc, "spec", "volumeName")) and not meta.annotations(pvc).get(ANN_BOUND_BY_CONTROLLER)

        def bind_pv(v: Obj) -> None:
            spec = v.setdefault("spec", {})
            if spec.get("claimRef") is None:
                v["metadata"].setdefault("annotations", {})[ANN_BOUND_BY_CONTROLLER] = "yes"
            ref = spec.get("claimRef") or {}
            if ref.get("uid") != meta.uid(pvc):
                spec["claimRef"] = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": name,
                                    "namespace": ns, "resourceVersion": pvc["metadata"].get("resourceVersion"),
                                    "uid": meta.uid(pvc)}
            _set_phase(v, "Bound", now)
        pv = store.mutate("PersistentVolume", None, meta.name(pv), bind_pv) or pv

        def bind_pvc(c: Obj) -> None:
            c["spec"]["volumeName"] = meta.name(pv)
            ann = c["metadata"].setdefault("annotations", {})
            ann[ANN_BIND_COMPLETED] = "yes"
            if not user_prebound_claim:
                ann[ANN_BOUND_BY_CONTROLLER] = "yes"
            _set_phase(c, "Bound", now)
            c["status"]["accessModes"] = list(meta.dig(pv, "spec", "accessModes") or [])
            c["status"]["capacity"] = dict(meta.dig(pv, "spec", "capacity") or {})
        store.mutate("PersistentVolumeClaim", ns, name, bind_pvc)

    # -- volumes ------------------------------------------------------------------------
    def _sync_volumes(self, cluster: Cluster) -> None:
        store = cluster.store
        now_s = rfc3339(cluster.now())
        for pv in store.list("PersistentVolume"):
            name = meta.name(pv)
            if meta.is_deleting(pv) and meta.dig(pv, "status", "phase") != "Bound":
                continue
            ref = meta.dig(pv, "spec", "claimRef")
            phase = meta.dig(pv, "status", "phase")
            if ref is None:
                if phase != "Available":
                    store.mutate("PersistentVolume", None, name, lambda v: _set_phase(v, "Available", now_s))
                continue
            if not ref.get("uid"):
                # pre-bound by the user, waiting for its claim
                if phase not in ("Available",):
                    store.mutate("PersistentVolume", None, name, lambda v: _set_phase(v, "Available", now_s))
                continue
            claim = store.get("PersistentVolumeClaim", ref.get("namespace"), ref.get("name", ""))
            if claim is not None and meta.uid(claim) == ref.get("uid"):
                if meta.dig(claim, "spec", "volumeName") == name:
                    if phase != "Bound":
                        store.mutate("PersistentVolume", None, name, lambda v: _set_phase(v, "Bound", now_s))
                elif meta.dig(claim, "spec", "volumeName") and meta.annotations(pv).get(ANN_BOUND_BY_CONTROLLER):
                    self._unbind(cluster, pv)  # the claim went to another volume
                continue
            # the claim is gone: release the volume and reclaim it
            if phase not in ("Released", "Failed"):
                pv = store.mutate("PersistentVolume", None, name, lambda v: _set_phase(v, "Released", now_s)) or pv
                phase = "Released"
            if phase == "Released":
                self._reclaim(cluster, pv)

    def _unbind(self, cluster: Cluster, pv: Obj) -> None:
        def unbind(v: Obj) -> None:
            v["spec"].pop("claimRef", None)
            v["metadata"].get("annotations", {}).pop(ANN_BOUND_BY_CONTROLLER, None)
            _set_phase(v, "Available", rfc3339(cluster.now()))
        cluster.store.mutate("PersistentVolume", None, meta.name(pv), unbind)

    def _reclaim(self, cluster: Cluster, pv: Obj) -> None:
        store = cluster.store
        policy = meta.dig(pv, "spec", "persistentVolumeReclaimPolicy") or "Retain"
        if policy == "Retain":
            return
        released_at = parse_time(meta.dig(pv, "status", "lastPhaseTransitionTime")) or cluster.now()
        due = released_at + RECLAIM_DELAY
        if cluster.now() < due:
            cluster.wake_at(due)
            return
        name = meta.name(pv)
        now_s = rfc3339(cluster.now())
        host_path = meta.dig(pv, "spec", "hostPath", "path")
        if policy == "Delete":
            if meta.annotations(pv).get(ANN_PROVISIONED_BY) or (host_path and host_path.startswith("/tmp/") and len(host_path) > 5):
                store.delete("PersistentVolume", None, name)
                return
            if host_path:
                msg = f"host_path deleter only supports /tmp/.+ but received provided {host_path}"
            else:
                msg = f'error getting deleter volume plugin for volume "{name}": no deletable volume plugin matched'
            self._fail(cluster, pv, "VolumeFailedDelete", msg, now_s)
            return
        if policy == "Recycle":
            if host_path or meta.dig(pv, "spec", "nfs"):
                def recycled(v: Obj) -> None:
                    v["spec"].pop("claimRef", None)
                    v["metadata"].get("annotations", {}).pop(ANN_BOUND_BY_CONTROLLER, None)
                    _set_phase(v, "Available", now_s)
                pv = store.mutate("PersistentVolume", None, name, recycled) or pv
                cluster.record_event(pv, "Normal", "VolumeRecycled", "Volume recycled", COMPONENT)
            else:
                self._fail(cluster, pv, "VolumeFailedRecycle", "No recycler plugin found for the volume!", now_s)

    def _fail(self, cluster: Cluster, pv: Obj, reason: str, message: str, now_s: str) -> None:
        def failed(v: Obj) -> None:
            _set_phase(v, "Failed", now_s)
            v["status"]["message"] = message
        pv = cluster.store.mutate("PersistentVolume", None, meta.name(pv), failed) or pv
        self._event_once(cluster, pv, "Warning", reason, message)


def _finish(store: Any, obj: Obj, finalizer: str) -> None:
    """Drop our finalizer from a deleting object; gone once no finalizer is left (what the
    apiserver does when the last finalizer is removed)."""
    kind, ns, name = meta.key(obj)
    fins = obj.get("metadata", {}).get("finalizers") or []
    if finalizer in fins:
        def drop(o: Obj) -> None:
            rest = [f for f in o["metadata"].get("finalizers") or [] if f != finalizer]
            if rest:
                o["metadata"]["finalizers"] = rest
            else:
                o["metadata"].pop("finalizers", None)
        obj = store.mutate(kind, ns or None, name, drop) or obj
    if not obj.get("metadata", {}).get("finalizers"):
        store.delete(kind, ns or None, name)
