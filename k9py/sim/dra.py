"""Dynamic resource allocation (resource.k8s.io/v1): what the apiserver defaults in device
requests. Claims are stored and listed; no driver publishes devices and nothing allocates them,
so a claim stays pending, as on a cluster without a DRA driver."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
