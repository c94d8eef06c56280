"""Service IP and node-port allocation, as the apiserver's allocators do it.

Allocations live in ``cluster.state["ipam"]``: ``{"ips": {ip: holder}, "ports": {port: holder}}``
where ``holder`` is ``"<namespace>/<name>"``. Dynamic picks come from ``cluster.rng`` and avoid the
low "static" band of each range (kube-apiserver >= 1.27 prefers the upper part for dynamic
allocation so that explicitly requested addresses rarely collide). The endpoints controller calls
``release_missing`` to free what deleted Services held.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORT_MIN, NODE_PORT_MAX = 30000, 32767
KUBERNETES_SERVICE_IP = "10.96.0.1"
DNS_SERVICE_IP = "10.96.0.10"


def _state(cluster: Cluster) -> dict[str, dict[str, Any]]:
    st = cluster.state.setdefault("ipam", {})
    st.setdefault("ips", {})
    st.setdefault("ports", {})
    return st


def _static_band(size: int, lo: int, hi: int) -> int:
    return min(max(lo, size // 16), hi)


class AllocationError(Exception):
    """Why an address or port could not be allocated (the apiserver's wording)."""


def _holder_alive(cluster: Cluster, holder: str, value: str | int, field: str) -> bool:
    """A holder whose Service is gone (or no longer uses the value) frees it lazily."""
    ns, _, name = holder.partition("/")
    svc = cluster.store.get("Service", ns, name)
    if svc is None:
        return False
    spec = svc.get("spec", {})
    if field == "ip":
        return value in (spec.get("clusterIPs") or [spec.get("clusterIP")])
    return any(p.get("nodePort") == value for p in spec.get("ports") or [])


def allocate_ip(cluster: Cluster, holder: str, requested: str | None = None) -> str:
    ips = _state(cluster)["ips"]
    if requested:
        try:
            addr = ipaddress.ip_address(requested)
        except ValueError:
            raise AllocationError(f"failed to allocate IP {requested}: must be a valid IP address") from None
        if addr not in SERVICE_CIDR or addr in (SERVICE_CIDR.network_address, SERVICE_CIDR.broadcast_address):
            raise AllocationError(f"failed to allocate IP {requested}: the provided IP ({requested}) is not in the valid range. The range of valid IPs is {SERVICE_CIDR}")
        cur = ips.get(requested)
        if cur is not None and cur != holder and _holder_alive(cluster, cur, requested, "ip"):
            raise AllocationError(f"failed to allocate IP {requested}: provided IP is already allocated")
        ips[requested] = holder
        return requested
    size = SERVICE_CIDR.num_addresses
    band = _static_band(size, 16, 256)
    base = int(SERVICE_CIDR.network_address)
    for _ in range(10_000):
        offset = cluster.rng.randrange(band, size - 1)
        ip = str(ipaddress.ip_address(base + offset))
        cur = ips.get(ip)
        if cur is None or not _holder_alive(cluster, cur, ip, "ip"):
            ips[ip] = holder
            return ip
    raise AllocationError("failed to allocate a serviceIP: range is full")


def allocate_port(cluster: Cluster, holder: str, requested: int | None = None) -> int:
    ports = _state(cluster)["ports"]
    if requested:
        if not NODE_PORT_MIN <= requested <= NODE_PORT_MAX:
            raise AllocationError(f"provided port is not in the valid range. The range of valid ports is {NODE_PORT_MIN}-{NODE_PORT_MAX}")
        cur = ports.get(str(requested))
        if cur is not None and cur != holder and _holder_alive(cluster, cur, requested, "port"):
            raise AllocationError("provided port is already allocated")
        ports[str(requested)] = holder
        return requested
    size = NODE_PORT_MAX - NODE_PORT_MIN + 1
    band = _static_band(size, 16, 128)
    for _ in range(10_000):
        port = NODE_PORT_MIN + cluster.rng.randrange(band, size)
        cur = ports.get(str(port))
        if cur is None or not _holder_alive(cluster, cur, port, "port"):
            ports[str(port)] = holder
            return port
    raise AllocationError("range is full")


def release_missing(cluster: Cluster) -> None:
    """Free allocations whose Service no longer exists or no longer uses them."""
    st = _state(cluster)
    for ip, holder in list(st["ips"].items()):
        if not _holder_alive(cluster, holder, ip, "ip"):
            del st["ips"][ip]
    for port, holder in list(st["ports"].items()):
        if not _holder_alive(cluster, holder, int(port), "port"):
            del st["ports"][port]
