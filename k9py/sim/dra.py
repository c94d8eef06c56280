"""Dynamic resource allocation (resource.k8s.io/v1): what the apiserver defaults in device
requests, and what the scheduler's DynamicResources plugin says of a pod's claims. Claims are
stored and listed; no driver publishes devices and nothing allocates them, so a claim stays
pending and a pod that needs one stays Pending (FailedScheduling), as on a cluster without a DRA
driver."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.sim.admission import admits

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


def prefilter(store: Any, pod: Obj) -> tuple[str | None, bool]:
    """DynamicResources' PreFilter: why the pod's claims keep it from every node (then None), and
    whether one of them waits for devices to be allocated (which no node can give here)."""
    ns = meta.namespace(pod)
    claims = []
    for name in pod_claim_names(pod):
        if name is None:  # resourceclaim.Name: the template's claim is not made yet
            return f'pod "{ns}/{meta.name(pod)}": ResourceClaim not created yet', False
        claim = store.get("ResourceClaim", ns, name)
        if claim is None:  # the scheduler's assume cache
            return f'could not find ResourceClaim "{ns}/{name}"', False
        if meta.is_deleting(claim):
            return f'resourceclaim "{name}" is being deleted', False
        claims.append(claim)
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
