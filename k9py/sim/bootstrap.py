"""What every fresh cluster has before any manifest: the system namespaces."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


def bootstrap(cluster: "Cluster") -> None:
    for ns in SYSTEM_NAMESPACES:
        if cluster.store.get("Namespace", None, ns) is None:
            cluster.store.create({"apiVersion": "v1", "kind": "Namespace",
                                  "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
                                  "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
    cluster.settle()
