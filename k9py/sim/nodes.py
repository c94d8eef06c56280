"""Node objects shaped like the ones a minikube (docker driver) cluster reports."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from k9py.kube import quantity
from k9py.kube.timefmt import rfc3339
from k9py.sim.store import fixed_uid
from k9py.sim.version import KUBERNETES_VERSION

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

KUBELET_VERSION = KUBERNETES_VERSION
CONTAINER_RUNTIME = "docker://27.2.0"
OS_IMAGE = "Ubuntu 22.04.4 LTS"
KERNEL = "6.8.0-45-generic"
EPHEMERAL_STORAGE = "61202244Ki"
CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"

# (type, status, reason, message) of a healthy node, as the kubelet posts them.
HEALTHY_CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)


def _hex_id(*parts: object, n: int = 32) -> str:
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()[:n]


def _uuid(hexstr: str) -> str:
    h = hexstr[:32]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def memory_ki(q: str | int) -> str:
    """Memory as the kubelet reports it: kibibytes (``4Gi`` -> ``4194304Ki``)."""
    return f"{quantity.bytes_of(q) // 1024}Ki"


def healthy_conditions(now: float) -> list[Obj]:
    ts = rfc3339(now)
    return [{"type": t, "status": s, "lastHeartbeatTime": ts, "lastTransitionTime": ts,
             "reason": r, "message": m} for t, s, r, m in HEALTHY_CONDITIONS]


def make_node(name: str, *, cpu: str = "2", memory: str = "4Gi", pods: int | str = 110,
              labels: dict[str, str] | None = None, taints: list[Obj] | None = None,
              control_plane: bool = False, index: int = 0, now: float | None = None,
              cluster_name: str = "minikube") -> Obj:
    """A full Node like ``kubectl get node minikube -o yaml`` shows on a minikube cluster."""
    from k9py.sim.clock import DEFAULT_EPOCH

    t = DEFAULT_EPOCH if now is None else now
    all_labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "minikube.k8s.io/commit": "210b148df93a80eb872ecbeb7e35281b3c582c61",
        "minikube.k8s.io/name": cluster_name,
        "minikube.k8s.io/primary": "true" if control_plane else "false",
        "minikube.k8s.io/updated_at": rfc3339(t).replace("-", "_").replace(":", "_").replace("Z", "_0700"),
        "minikube.k8s.io/version": "v1.34.0",
    }
    if control_plane:
        all_labels[CONTROL_PLANE_LABEL] = ""
        all_labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    all_labels.update(labels or {})
    ip = node_address(index)
    mem = memory_ki(memory)
    capacity = {"cpu": str(cpu), "ephemeral-storage": EPHEMERAL_STORAGE, "hugepages-1Gi": "0",
                "hugepages-2Mi": "0", "memory": mem, "pods": str(pods)}
    machine = _hex_id(cluster_name, name, "machine")
    cidr = pod_cidr(index)
    spec: Obj = {"podCIDR": cidr, "podCIDRs": [cidr]}
    if taints:
        spec["taints"] = [dict(tn) for tn in taints]
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {
            "name": name, "labels": all_labels,
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/cri-dockerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": spec,
        "status": {
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "allocatable": dict(capacity),
            "capacity": capacity,
            "conditions": healthy_conditions(t),
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "images": [],
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": _uuid(_hex_id(cluster_name, name, "boot")),
                "containerRuntimeVersion": CONTAINER_RUNTIME,
                "kernelVersion": KERNEL,
                "kubeProxyVersion": "",
                "kubeletVersion": KUBELET_VERSION,
                "machineID": machine,
                "operatingSystem": "linux",
                "osImage": OS_IMAGE,
                "systemUUID": _uuid(_hex_id(cluster_name, name, "system")),
            },
        },
    }


def node_address(index: int) -> str:
    """The n-th node's InternalIP: minikube's 192.168.49.2, .3, … continuing into the next /24s
    for clusters of more than 253 nodes."""
    subnet, host = divmod(index, 253)
    return f"192.168.{49 + subnet}.{2 + host}"


def pod_cidr(index: int) -> str:
    """The n-th node's pod range: 10.244.n.0/24, continuing in 10.245.… past 256 nodes."""
    return f"10.{244 + index // 256}.{index % 256}.0/24"


# Up to this many nodes a scenario's cluster settles after each node (the order its history has
# always had, so seeded names stay the same); bigger ones settle once, after the last node (each
# settle looks at every node: node by node would be quadratic).
SETTLE_EACH_UP_TO = 50


def add_node(cluster: Cluster, name: str, *, settle: bool = True, **kwargs: Any) -> Obj:
    """Create a Node in ``cluster`` (index defaults to the number of nodes already there).
    ``settle=False``: the caller settles once it has added them all."""
    if "index" not in kwargs:
        kwargs["index"] = cluster.store.count("Node")
    kwargs.setdefault("now", cluster.now())
    node = make_node(name, **kwargs)
    created = cluster.store.create(node)
    if cluster.store.get("CSINode", None, name) is None:
        cluster.store.create(csinode(created), keep_uid=True)
    for reason, message in (
            ("Starting", "Starting kubelet."),
            ("NodeHasSufficientMemory", f"Node {name} status is now: NodeHasSufficientMemory"),
            ("NodeHasNoDiskPressure", f"Node {name} status is now: NodeHasNoDiskPressure"),
            ("NodeHasSufficientPID", f"Node {name} status is now: NodeHasSufficientPID"),
            ("NodeAllocatableEnforced", "Updated Node Allocatable limit across pods")):
        cluster.record_event(created, "Normal", reason, message, "kubelet", host=name)
    cluster.record_event(created, "Normal", "RegisteredNode",
                         f"Node {name} event: Registered Node {name} in Controller", "node-controller")
    if settle:
        cluster.settle()
    return cluster.store.get("Node", None, name) or created


# The in-tree volume plugins the kubelet has migrated to CSI drivers: the annotation it writes on
# the CSINode it registers.
MIGRATED_PLUGINS = ("kubernetes.io/aws-ebs,kubernetes.io/azure-disk,kubernetes.io/azure-file,kubernetes.io/cinder,"
                    "kubernetes.io/gce-pd,kubernetes.io/portworx-volume,kubernetes.io/vsphere-volume")


def csinode(node: Obj) -> Obj:
    """The CSINode a kubelet registers beside its Node: owned by it, no CSI drivers (minikube's
    hostpath provisioner is not one); its uid from its name (drawn from no random stream)."""
    name = node["metadata"]["name"]
    return {"apiVersion": "storage.k8s.io/v1", "kind": "CSINode",
            "metadata": {"name": name, "uid": fixed_uid("CSINode", None, name),
                         "annotations": {"storage.alpha.kubernetes.io/migrated-plugins": MIGRATED_PLUGINS},
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": name,
                                              "uid": node["metadata"]["uid"]}]},
            "spec": {"drivers": None}}


def node_ip(node: Obj) -> str:
    for a in node.get("status", {}).get("addresses") or []:
        if a.get("type") == "InternalIP":
            return a.get("address", "")
    return ""


def condition(node: Obj, type_: str) -> Obj | None:
    for c in node.get("status", {}).get("conditions") or []:
        if c.get("type") == type_:
            return c
    return None


def is_ready(node: Obj) -> bool:
    c = condition(node, "Ready")
    return bool(c and c.get("status") == "True")
