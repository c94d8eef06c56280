"""A pod's resolver, as the kubelet writes its ``/etc/resolv.conf`` from ``spec.dnsPolicy``,
``spec.hostNetwork`` and ``spec.dnsConfig``: cluster DNS for ``ClusterFirst``, the node's for
``Default`` (and for a host-network pod left at ``ClusterFirst``: only
``ClusterFirstWithHostNet`` gives it the cluster's), ``dnsConfig`` alone for ``None``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from k9py.kube.meta import dig

CLUSTER_DOMAIN = "cluster.local"
CLUSTER_DNS = "10.96.0.10"  # kube-dns's Service IP (sim/ipam.py's DNS_SERVICE_IP)
MAX_NAMESERVERS = 3  # the kubelet keeps the first three (glibc reads no more)
CLUSTER_NDOTS = 5


@dataclass(frozen=True)
class ResolvConf:
    nameservers: tuple[str, ...]
    searches: tuple[str, ...]
    options: tuple[str, ...]

    @property
    def server(self) -> str:
        """The nameserver a lookup asks (busybox's nslookup: the first; none: the host's own)."""
        return self.nameservers[0] if self.nameservers else "127.0.0.1"

    @property
    def cluster(self) -> bool:
        """Whether lookups reach the cluster's DNS (its records: Services, pods)."""
        return self.server == CLUSTER_DNS

    @property
    def ndots(self) -> int:
        for option in reversed(self.options):
            name, _, value = option.partition(":")
            if name == "ndots" and value.isdigit():
                return int(value)
        return 1  # the resolver's default

    def text(self) -> str:
        lines = [f"nameserver {ns}" for ns in self.nameservers]
        if self.searches:
            lines.append("search " + " ".join(self.searches))
        if self.options:
            lines.append("options " + " ".join(self.options))
        return "".join(line + "\n" for line in lines)


def node_conf(host_ip: str) -> ResolvConf:
    """The node's own resolver (what ``Default`` copies): its network's gateway, as a minikube
    or kind node has (no search path: the node is not in the cluster's DNS)."""
    parts = host_ip.split(".")
    gateway = ".".join([*parts[:3], "1"]) if len(parts) == 4 and all(p.isdigit() for p in parts) else "192.168.49.1"
    return ResolvConf((gateway,), (), ())


def pod_conf(pod: dict[str, Any]) -> ResolvConf:
    """What the kubelet writes for ``pod`` (``pkg/kubelet/network/dns``: ``GetPodDNS``)."""
    found = pod.get("spec")
    spec: dict[str, Any] = found if isinstance(found, dict) else {}
    namespace = str(dig(pod, "metadata", "namespace") or "default")
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    if policy == "ClusterFirst" and spec.get("hostNetwork"):
        policy = "Default"  # a host-network pod asks for the cluster's with ClusterFirstWithHostNet
    if policy in ("ClusterFirst", "ClusterFirstWithHostNet"):
        base = ResolvConf((CLUSTER_DNS,), (f"{namespace}.svc.{CLUSTER_DOMAIN}", f"svc.{CLUSTER_DOMAIN}", CLUSTER_DOMAIN),
                          (f"ndots:{CLUSTER_NDOTS}",))
    elif policy == "Default":
        base = node_conf(str(dig(pod, "status", "hostIP") or ""))
    else:  # None: dnsConfig alone
        base = ResolvConf((), (), ())
    config = spec.get("dnsConfig")
    return _merged(base, config) if isinstance(config, dict) else base


def _merged(base: ResolvConf, config: dict[str, Any]) -> ResolvConf:
    """``dnsConfig`` on top: its nameservers and searches after the policy's (no repeats), its
    options replacing those of the same name."""
    def words(key: str) -> list[str]:
        got = config.get(key)
        return [str(w) for w in got if isinstance(w, str) and w] if isinstance(got, list) else []

    nameservers = list(dict.fromkeys([*base.nameservers, *words("nameservers")]))[:MAX_NAMESERVERS]
    searches = list(dict.fromkeys([*base.searches, *words("searches")]))
    options = {o.partition(":")[0]: o for o in base.options}
    for option in config.get("options") or []:
        if isinstance(option, dict) and isinstance(option.get("name"), str) and option["name"]:
            value = option.get("value")
            options[option["name"]] = option["name"] + (f":{value}" if isinstance(value, str) and value else "")
    return ResolvConf(tuple(nameservers), tuple(searches), tuple(options.values()))
