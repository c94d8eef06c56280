"""Shared test helpers: a small minikube-like cluster and pods to run on it.

API (stable, others may import it):
- ``make_cluster(nodes=3, seed=0, **node_kwargs) -> Cluster``: nodes ``minikube`` (control plane),
  ``minikube-m02``, ``minikube-m03``, ... each 2 CPU / 4Gi (override with ``cpu=``, ``memory=``).
- ``pod_manifest(name, image="nginx:1.14.2", *, namespace="default", command=None, labels=None,
  annotations=None, restart_policy=None, requests=None, limits=None, **spec) -> dict``
- ``run_pod(cluster, name, image=..., *, settle_seconds=10, **kwargs) -> dict``: create through the
  API (admission), advance the clock ``settle_seconds`` and return the stored pod.
- ``pod(cluster, name, namespace="default")``, ``events_for(cluster, obj) -> [(reason, message)]``,
  ``container_state(pod, i=0) -> (state, reason)``.
"""

from __future__ import annotations

from typing import Any

from k9py.sim.cluster import Cluster
from k9py.sim.nodes import add_node

COUNTER_SCRIPT = 'i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done'


def node_names(n: int) -> list[str]:
    return ["minikube"] + [f"minikube-m{i:02d}" for i in range(2, n + 1)]


def make_cluster(nodes: int = 3, seed: int = 0, **node_kwargs: Any) -> Cluster:
    cluster = Cluster(seed=seed)
    for i, name in enumerate(node_names(nodes)):
        add_node(cluster, name, control_plane=(i == 0), index=i, **node_kwargs)
    cluster.settle()
    return cluster


def pod_manifest(name: str, image: str = "nginx:1.14.2", *, namespace: str = "default",
                 command: list[str] | None = None, args: list[str] | None = None,
                 labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None,
                 restart_policy: str | None = None, requests: dict[str, str] | None = None,
                 limits: dict[str, str] | None = None, container: str | None = None,
                 **spec: Any) -> dict:
    c: dict[str, Any] = {"name": container or name, "image": image}
    if command:
        c["command"] = command
    if args:
        c["args"] = args
    res: dict[str, Any] = {}
    if requests:
        res["requests"] = requests
    if limits:
        res["limits"] = limits
    if res:
        c["resources"] = res
    md: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        md["labels"] = labels
    if annotations:
        md["annotations"] = annotations
    s: dict[str, Any] = {"containers": [c], **spec}
    if restart_policy:
        s["restartPolicy"] = restart_policy
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": s}


def run_pod(cluster: Cluster, name: str, image: str = "nginx:1.14.2", *, settle_seconds: float = 10,
            **kwargs: Any) -> dict:
    cluster.create(pod_manifest(name, image, **kwargs))
    cluster.advance(settle_seconds)
    return pod(cluster, name, kwargs.get("namespace", "default"))


def pod(cluster: Cluster, name: str, namespace: str = "default") -> dict:
    return cluster.store.must_get("Pod", namespace, name)


def events_for(cluster: Cluster, obj: dict) -> list[tuple[str, str]]:
    return [(e["reason"], e["message"]) for e in cluster.events.for_object(obj)]


def container_state(p: dict, i: int = 0, *, init: bool = False) -> tuple[str, str | None]:
    key = "initContainerStatuses" if init else "containerStatuses"
    st = p["status"][key][i]["state"]
    (state, detail), = st.items()
    return state, detail.get("reason")


def container_status(cluster: Cluster, name: str, namespace: str = "default") -> dict:
    """The first container's status of pod ``name``."""
    return cluster.get("Pod", namespace, name)["status"]["containerStatuses"][0]


def events_with(cluster: Cluster, name: str, reason: str, namespace: str = "default") -> list[dict]:
    """The Event objects of ``reason`` about the object ``name``."""
    return [e for e in cluster.store.list("Event", namespace)
            if e["involvedObject"]["name"] == name and e["reason"] == reason]
