"""Dynamic resource allocation (resource.k8s.io/v1): what the apiserver defaults in device
requests, the resourceclaim controller (a pod's claims made from their templates), and what the
scheduler's DynamicResources plugin says of a pod's claims. Claims are stored and listed; no
driver publishes devices and nothing allocates them, so a claim stays pending and a pod that
needs one stays Pending (FailedScheduling), as on a cluster without a DRA driver."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.sim.admission import admits
from k9py.sim.controllers.base import Controller

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]


def _default_exact(request: Obj) -> None:
    """SetDefaults_ExactDeviceRequest (and DeviceSubRequest): ExactCount of one device."""
    if not request.get("allocationMode"):
        request["allocationMode"] = "ExactCount"
    if request["allocationMode"] == "ExactCount" and not request.get("count"):
        request["count"] = 1


def default_claim_spec(spec: Any) -> None:
    devices = spec.get("devices") if isinstance(spec, dict) else None
    requests = devices.get("requests") if isinstance(devices, dict) else None
    for request in requests if isinstance(requests, list) else []:
        if not isinstance(request, dict):
            continue
        if isinstance(request.get("exactly"), dict):
            _default_exact(request["exactly"])
        subs = request.get("firstAvailable")
        for sub in subs if isinstance(subs, list) else []:
            if isinstance(sub, dict):
                _default_exact(sub)


@admits("ResourceClaim")
def _admit_claim(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    default_claim_spec(obj.get("spec"))
    if not isinstance(obj.get("status"), dict):
        obj["status"] = {}  # (a struct: never omitted)


@admits("ResourceClaimTemplate")
def _admit_claim_template(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    spec = obj.get("spec")
    if isinstance(spec, dict):
        default_claim_spec(spec.get("spec"))


# -- the scheduler's DynamicResources plugin -------------------------------------------------------
# Its Filter's verdict on a node when the claims would need devices: no driver publishes any here.
CANNOT_ALLOCATE = "cannot allocate all claims"
# Its PostFilter's word when it found no claim to deallocate: before PreFilter knew the pod's
# claims (one missing, a class unknown), then once it had them.
NO_NEW_CLAIMS = "no new claims to deallocate"
STILL_NOT_SCHEDULABLE = "still not schedulable"


def pod_claim_names(pod: Obj) -> list[str | None]:
    """The ResourceClaim each of ``spec.resourceClaims`` names (``resourceClaimName``, or the one
    made from its template, from ``status.resourceClaimStatuses``); None where that is not made yet."""
    made = {s.get("name"): s.get("resourceClaimName")
            for s in (pod.get("status") or {}).get("resourceClaimStatuses") or () if isinstance(s, dict)}
    out: list[str | None] = []
    for ref in (pod.get("spec") or {}).get("resourceClaims") or ():
        if not isinstance(ref, dict):
            continue
        if ref.get("resourceClaimName"):
            out.append(ref["resourceClaimName"])
        elif ref.get("resourceClaimTemplateName"):
            out.append(made.get(ref.get("name")) or None)
    return out


def _class_names(request: Obj) -> list[tuple[str, str]]:
    """(the request's name as the plugin says it, its device class) for a request and its alternatives."""
    subs = request.get("firstAvailable")
    if isinstance(subs, list) and subs:
        return [(f'{request.get("name", "")}/{s.get("name", "")}', s.get("deviceClassName") or "")
                for s in subs if isinstance(s, dict)]
    exact = request.get("exactly")
    cls = exact.get("deviceClassName") if isinstance(exact, dict) else request.get("deviceClassName")
    return [(request.get("name", ""), cls or "")]


def gate(store: Any, pod: Obj) -> str | None:
    """DynamicResources' PreEnqueue: why the pod is kept out of the scheduling queue (a claim not
    made yet, missing or being deleted), or None. A gated pod gets no event nor condition: it
    stays Pending until the claim comes."""
    ns = meta.namespace(pod)
    for name in pod_claim_names(pod):
        if name is None:  # resourceclaim.Name: the template's claim is not made yet
            return f'pod "{ns}/{meta.name(pod)}": ResourceClaim not created yet'
        claim = store.get("ResourceClaim", ns, name)
        if claim is None:  # the scheduler's assume cache
            return f'could not find ResourceClaim "{ns}/{name}"'
        if meta.is_deleting(claim):
            return f'resourceclaim "{name}" is being deleted'
    return None


def prefilter(store: Any, pod: Obj) -> tuple[str | None, bool]:
    """DynamicResources' PreFilter, for a pod past ``gate``: why its claims keep it from every
    node (a device class missing), and whether one of them waits for devices to be allocated
    (which no node can give here)."""
    ns = meta.namespace(pod)
    claims = [c for c in (store.get("ResourceClaim", ns, n) for n in pod_claim_names(pod) if n) if c is not None]
    unallocated = False
    for claim in claims:
        if meta.dig(claim, "status", "allocation"):
            continue
        unallocated = True
        requests = meta.dig(claim, "spec", "devices", "requests") or ()
        for request in requests if isinstance(requests, list) else ():
            for said, cls in _class_names(request) if isinstance(request, dict) else ():
                if cls and store.get("DeviceClass", None, cls) is None:
                    return f"request {said}: device class {cls} does not exist", False
    return None, unallocated


# -- kube-controller-manager's resourceclaim controller ---------------------------------------------
POD_CLAIM_NAME = "resource.kubernetes.io/pod-claim-name"  # the annotation naming the pod's claim
UNMADE = "dra.unmade"  # cluster.state: (namespace, name) of the pods whose template claims may be unmade


def _uses_templates(pod: Obj) -> bool:
    refs = (pod.get("spec") or {}).get("resourceClaims")
    return isinstance(refs, list) and any(isinstance(r, dict) and r.get("resourceClaimTemplateName") for r in refs)


@admits("Pod")
def _note_template_claims(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    """A new pod whose claims are made from templates: the controller makes them (its claims
    cannot change after)."""
    if old is None and _uses_templates(obj):
        cluster.state.setdefault(UNMADE, set()).add((meta.namespace(obj), meta.name(obj)))


def _claim_name_base(pod_name: str, claim: str) -> str:
    """The claim's generateName: <pod>-<claim>-, both cut in proportion past 57 characters."""
    base = f"{pod_name}-{claim}-"
    if len(base) > 57:
        base = pod_name[:len(pod_name) * 57 // len(base)] + "-" + claim[:len(claim) * 57 // len(base)]
    return base


class ResourceClaimController(Controller):
    """A ResourceClaim for each of a pod's ``spec.resourceClaims`` made from a template (named
    after the pod and the claim, owned by the pod so it goes with it), recorded in the pod's
    ``status.resourceClaimStatuses``; a pod whose template is missing waits for it."""

    name = "resourceclaim"
    watches = ("Pod", "ResourceClaimTemplate")

    def reconcile(self, cluster: Cluster) -> None:
        unmade: set[tuple[str, str]] | None = cluster.state.get(UNMADE)
        if not unmade:
            return
        for key in sorted(unmade):
            if self._make(cluster, key):
                unmade.discard(key)

    @staticmethod
    def _make(cluster: Cluster, key: tuple[str, str]) -> bool:
        """Make the pod's missing claims; True when none is left to make (or the pod is gone)."""
        store = cluster.store
        pod = store.get("Pod", key[0], key[1])
        if pod is None or meta.is_deleting(pod) or meta.dig(pod, "status", "phase") in ("Succeeded", "Failed"):
            return True
        made = {s.get("name") for s in meta.dig(pod, "status", "resourceClaimStatuses") or () if isinstance(s, dict)}
        new: list[Obj] = []
        waiting = False
        for ref in pod["spec"].get("resourceClaims") or ():
            template_name = ref.get("resourceClaimTemplateName") if isinstance(ref, dict) else None
            if not template_name or ref.get("name") in made:
                continue
            template = store.get("ResourceClaimTemplate", key[0], template_name)
            if template is None:
                waiting = True
                continue
            tmd = meta.dig(template, "spec", "metadata") or {}
            claim = cluster.create({
                "apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaim",
                "metadata": {"generateName": _claim_name_base(key[1], ref.get("name", "")), "namespace": key[0],
                             "labels": dict(tmd.get("labels") or {}),
                             "annotations": {**(tmd.get("annotations") or {}), POD_CLAIM_NAME: ref.get("name", "")},
                             "ownerReferences": [meta.owner_reference(pod)]},
                "spec": meta.dig(template, "spec", "spec") or {}})
            new.append({"name": ref.get("name", ""), "resourceClaimName": meta.name(claim)})
        if new:
            def record(p: Obj) -> None:
                status = dict(p.get("status") or {})
                status["resourceClaimStatuses"] = [*(status.get("resourceClaimStatuses") or ()), *new]
                p["status"] = status
            store.rewrite("Pod", key[0], key[1], record, fields=("status",), generation=False)
        return not waiting
