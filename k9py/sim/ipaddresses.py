"""The Service IP allocator's objects (networking.k8s.io/v1, Kubernetes 1.33 and later): the
``kubernetes`` ServiceCIDR the apiserver creates from its ``--service-cluster-ip-range``, and an
IPAddress per Service cluster IP, named by the address, pointing at its Service. Kept in step with
the Services (``sim/ipam.py`` picks the addresses), as the allocator and its repair loop do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.timefmt import rfc3339
from k9py.sim import ipam
from k9py.sim.bootstrap import create_with_fixed_uid
from k9py.sim.controllers.base import Controller, saw, unchanged_since_last

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
SERVICE_CIDR = "ServiceCIDR"
IP_ADDRESS = "IPAddress"
API_VERSION = "networking.k8s.io/v1"
DEFAULT_CIDR = "kubernetes"
MANAGED_BY = "ipallocator.k8s.io"


def default_service_cidr(now: float) -> Obj:
    return {"apiVersion": API_VERSION, "kind": SERVICE_CIDR,
            "metadata": {"name": DEFAULT_CIDR, "finalizers": ["networking.k8s.io/service-cidr-finalizer"]},
            "spec": {"cidrs": [str(ipam.SERVICE_CIDR)]},
            "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "",
                                       "message": "Kubernetes Service CIDR is ready",
                                       "lastTransitionTime": rfc3339(now)}]}}


def ip_address(ip: str, service: Obj) -> Obj:
    family = "IPv6" if ":" in ip else "IPv4"
    return {"apiVersion": API_VERSION, "kind": IP_ADDRESS,
            "metadata": {"name": ip, "labels": {"ipaddress.kubernetes.io/ip-family": family,
                                                "ipaddress.kubernetes.io/managed-by": MANAGED_BY}},
            "spec": {"parentRef": {"group": "", "resource": "services", "namespace": meta.namespace(service),
                                   "name": meta.name(service)}}}


def cluster_ips(service: Obj) -> list[str]:
    spec = service.get("spec") or {}
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [str(ip) for ip in ips if ip and ip != "None"]


class IPAddressController(Controller):
    """An IPAddress for each cluster IP a Service holds, none for an address no Service holds."""

    name = "ipaddresses"
    watches = ("Service", IP_ADDRESS)

    def reconcile(self, cluster: Cluster) -> None:
        if unchanged_since_last(cluster, "ipaddresses-seen", self.watches):  # (a clock wake-up)
            return
        self._sync(cluster)
        saw(cluster, "ipaddresses-seen", self.watches)

    def _sync(self, cluster: Cluster) -> None:
        store = cluster.store
        wanted: dict[str, Obj] = {}
        for svc in store.list("Service"):  # (one being deleted holds its address until it is gone)
            for ip in cluster_ips(svc):
                wanted.setdefault(ip, svc)
        have = {meta.name(o): o for o in store.list(IP_ADDRESS)}
        for ip, svc in wanted.items():
            held = have.get(ip)
            parent = meta.dig(held, "spec", "parentRef") if held is not None else None
            if isinstance(parent, dict) and (parent.get("namespace"), parent.get("name")) == (
                    meta.namespace(svc), meta.name(svc)):
                continue
            if held is not None:
                store.delete(IP_ADDRESS, None, ip)
            create_with_fixed_uid(cluster, ip_address(ip, svc), f"{ip}/{meta.uid(svc)}")
        for ip, obj in have.items():
            if ip not in wanted and meta.dig(obj, "metadata", "labels", "ipaddress.kubernetes.io/managed-by") == MANAGED_BY:
                store.delete(IP_ADDRESS, None, ip)
