"""The simulator's steady-state cost: CPU per virtual second of a big cluster under churn.

- sim_tick_10k_ms: CPU ms per virtual second (``Cluster.advance(1)``) of a cluster of 500
  Deployments × 20 replicas (10,000 pods in 20 namespaces, built through the controllers, pods
  pinned to 50 nodes by their template: 200 a node, as a node's /24 pod range holds 253) while
  ~100 changes a second come in: deployments scaled up and down by one, pods deleted (their
  ReplicaSet replaces them), pod annotations updated. The churn itself (the API calls) is timed
  too: it is part of what the simulator costs. (It had 20 nodes of 500 pods while the kubelet
  gave a node's pods past the 253rd one shared address, as no real node does.)
- sim_tick_10k_idle_ms: the same cluster with no churn.

The figure is taken over 60 virtual seconds: under this churn a young collection of the
cyclic collector (~100-200 ms, over the new versions the store and its watch history keep) falls
about every 40, and a 10 s window held one or none by chance (30 or 40 ms for the same tree).

The cluster is built as ``scenario.loader.build_cluster`` builds every cluster k9py shows or
serves: with the cyclic collector paused, then frozen out of its sight (``gcpause.loaded``), so
the collections in the measured window are those the running product makes (the build's own
heap walked again by a young collection was ±6 ms of this figure from run to run).

``--quick`` measures a 2,000-pod cluster (100 Deployments × 20 replicas) with the same churn
instead, as sim_tick_2k_ms (not the 10k figures: the cost depends on the cluster's size).
"""

from __future__ import annotations

import random
import time
from typing import Any

from benchmarks.common import SEED, Figure
from k9py.kube import gcpause
from k9py.sim.cluster import Cluster
from k9py.sim.nodes import add_node

FIGURES: dict[str, Figure] = {
    "sim_tick_10k_ms": ("ms", 20, True),
    "sim_tick_10k_idle_ms": ("ms", None, True),
    "sim_tick_2k_ms": ("ms", None, True),
}

NAMESPACES = 20
REPLICAS = 20
NODES = 50
CHANGES_PER_S = 100
WINDOW = 60  # virtual seconds measured: the collector's young collections included (see above)


def build(deployments: int, replicas: int = REPLICAS) -> Cluster:
    """A cluster of ``deployments`` Deployments of ``replicas`` pods each, rolled out and settled,
    its heap then frozen as the loader leaves it."""
    with gcpause.gc_paused():
        c = _build(deployments, replicas)
        gcpause.loaded(c.store.count("Pod"))  # before the collector is back, as the loader does
    return c


def _build(deployments: int, replicas: int) -> Cluster:
    c = Cluster(seed=SEED)
    nodes = [f"node-{i:03d}" for i in range(NODES)]
    for i, name in enumerate(nodes):
        add_node(c, name, cpu="1000", memory="4000Gi", pods=5000, index=i)
    for n in range(NAMESPACES):
        c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"team-{n:02d}"}})
    for i in range(deployments):
        ns = f"team-{i % NAMESPACES:02d}"
        app = f"app-{i:04d}"
        c.create({"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": app, "namespace": ns, "labels": {"app": app}},
                  "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": app}},
                           "template": {"metadata": {"labels": {"app": app, "tier": "web"}},
                                        "spec": {"nodeName": nodes[i % NODES],
                                                 "containers": [{"name": "app", "image": "nginx:1.27",
                                                                 "ports": [{"containerPort": 80}]}]}}}})
    c.advance(60)
    return c


def churn(c: Cluster, rng: random.Random, changes: int) -> None:
    """``changes`` API writes: 10% scale a deployment by ±1, 40% delete a pod, 50% annotate a pod
    (the pods picked among those not being deleted). Picking costs a lookup, as it does a client
    that knows its pods' names: the harness lists nothing."""
    deps = c.store.keys("Deployment")
    pods = c.store.keys("Pod")
    for _ in range(changes):
        r = rng.random()
        if r < 0.1:
            ns, name = rng.choice(deps)
            cur = c.store.get("Deployment", ns, name)
            if cur is None:
                continue
            obj = {**cur, "spec": {**cur["spec"], "replicas": max(1, cur["spec"]["replicas"] + rng.choice((-1, 1)))}}
            c.replace(obj)
            continue
        ns, name = rng.choice(pods)
        cur = c.store.get("Pod", ns, name)
        if cur is None or cur["metadata"].get("deletionTimestamp"):
            continue
        if r < 0.5:
            c.delete("Pod", ns, name)
        else:
            md = {**cur["metadata"], "annotations": {**(cur["metadata"].get("annotations") or {}),
                                                     "bench/touched": str(rng.randrange(1_000_000))}}
            c.replace({**cur, "metadata": md})


def cpu_per_second(c: Cluster, seconds: int, changes: int, rng: random.Random) -> float:
    """CPU ms per virtual second over ``seconds`` virtual seconds (churn included)."""
    t0 = time.process_time()
    for _ in range(seconds):
        if changes:
            churn(c, rng, changes)
        c.advance(1.0)
    return (time.process_time() - t0) * 1000 / seconds


def measure(quick: bool) -> dict[str, float]:
    deployments = 100 if quick else 500
    seconds = 3 if quick else WINDOW
    c = build(deployments)
    rng = random.Random(SEED)
    cpu_per_second(c, 2, CHANGES_PER_S, rng)  # warm up: the first changes wake everything once
    if quick:
        return {"sim_tick_2k_ms": cpu_per_second(c, seconds, CHANGES_PER_S, rng)}
    out: dict[str, Any] = {}
    out["sim_tick_10k_ms"] = cpu_per_second(c, seconds, CHANGES_PER_S, rng)
    c.advance(60)  # let the churn's last rollouts and terminations finish
    out["sim_tick_10k_idle_ms"] = cpu_per_second(c, seconds, 0, rng)
    return out


if __name__ == "__main__":
    import sys
    print(measure("--quick" in sys.argv))
