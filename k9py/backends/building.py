"""Building a scenario file's cluster in a worker thread, and saying how far it got.

A big file (thousands of pods) takes seconds to build, a minute at 100,000: behind the first
frame (``backends.demo``), again for a seek back, and again for a hot reload. ``WatchedBuild``
is such a build, callable from any thread; ``line()`` reads how far the one under way got from
the event loop: a count and the clock only, never a walk over what the build changes meanwhile.
"""

from __future__ import annotations

import os
from typing import Any

from k9py.scenario import files
from k9py.scenario.manifests import ScenarioFile
from k9py.sim.cluster import Cluster

_REPLICATED = ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController")


def pods_to_make(sf: ScenarioFile) -> int:
    """About how many pods a parsed file's cluster will run (replicas, bare pods, a DaemonSet's
    one a node): what its build costs."""
    return sum(pods_of(m.obj, len(sf.header.nodes)) for m in sf.manifests)


def pods_of(obj: Any, nodes: int) -> int:
    """About how many pods one manifest makes on a cluster of ``nodes`` nodes."""
    kind, spec = obj.get("kind"), obj.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    if kind == "Pod":
        return 1
    if kind in _REPLICATED:
        replicas = spec.get("replicas", 1)
        return replicas if isinstance(replicas, int) and replicas > 0 else 0
    return nodes if kind == "DaemonSet" else 0


def progress_line(what: str, building: tuple[Cluster, float] | None, pods: int, warmup: float) -> str | None:
    """How far the build of ``what`` got: its pods made of about ``pods``, then its warm-up's
    virtual seconds run of ``warmup``. ``building``: the cluster and its clock when it was made
    (None: not yet)."""
    if building is None:
        return None
    cluster, started = building
    made = cluster.store.count("Pod")
    ran = max(0.0, cluster.now() - started)
    line = f"building {what}: {made:,} " + (f"of about {pods:,} " if made < pods else "") + "pods made"
    return line + (f", {min(ran, warmup):.0f} of {warmup:.0f} s warmed up" if ran > 0 and warmup > 0 else "")


class WatchedBuild:
    """Builds a parsed file's cluster at t=0 each time it is called (the same cluster for the
    same seed), keeping the one under way where ``line`` reads it."""

    def __init__(self, sf: ScenarioFile, seed: int | None) -> None:
        self._sf, self._seed = sf, seed
        self.what = os.path.basename(sf.path)
        self.pods = pods_to_make(sf)
        self._warmup = files.warmup_of(sf)
        self._building: tuple[Cluster, float] | None = None

    def __call__(self) -> Cluster:
        self._building = None  # an earlier build's cluster is done: nothing to say until this one is made
        return files.build_cluster(self._sf, seed=self._seed, made=self._made)

    def _made(self, cluster: Cluster) -> None:
        self._building = (cluster, cluster.now())

    def line(self) -> str | None:
        """How far the build under way (or the last one) got; None before one made its cluster."""
        return progress_line(self.what, self._building, self.pods, self._warmup)
