"""What metrics-server would report for the simulated cluster: ``PodMetrics`` / ``NodeMetrics``
(metrics.k8s.io/v1beta1), deterministic for a seed and a virtual time.

A running container's usage is derived from its requests (else a typical idle figure for its
image), a per-container level, a slow sine over virtual time and a small per-window noise, all
from stable hashes of (seed, namespace, pod, container): reading metrics never draws from
``cluster.rng``, so a UI polling them cannot change what the simulation does. Usage is capped at
the limits. Values change once per scrape window (15 s of virtual time), like metrics-server.

Pods can pin their usage with annotations (every running container reports it):
``k9py.sim/cpu-usage: 250m``, ``k9py.sim/memory-usage: 100Mi``.
A workload (Deployment, StatefulSet, ReplicaSet, ReplicationController) can carry a load that its
ready pods share, as behind a Service: ``k9py.sim/cpu-load: 800m`` on a Deployment of 4 ready pods
makes each report 200m (split over its containers by their requests), so scaling it out lowers
what each pod uses — what a HorizontalPodAutoscaler reacts to (``load_shares``).
Nodes report the sum of their running pods plus the system's own overhead.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

from k9py.kube import quantity
from k9py.kube.gcpause import gc_paused
from k9py.kube.timefmt import parse_time, rfc3339
from k9py.sim.behaviour import MEMORY_USAGE

Obj = dict[str, Any]

WINDOW = 15.0  # seconds of virtual time per scrape
API_VERSION = "metrics.k8s.io/v1beta1"
CPU_ANNOTATION = "k9py.sim/cpu-usage"
MEMORY_ANNOTATION = MEMORY_USAGE  # (behaviour's: over a limit it is OOMKilled)
CPU_LOAD_ANNOTATION = "k9py.sim/cpu-load"
MEMORY_LOAD_ANNOTATION = "k9py.sim/memory-load"
LOAD_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
DISABLED_STATE = "metrics.disabled"  # cluster.state key: no metrics-server (serve --no-metrics); HPAs get none
MI = 1024 * 1024

# Typical idle usage by image (millicores, MiB) when a container has no requests.
IMAGE_PROFILES: dict[str, tuple[float, float]] = {
    "nginx": (1, 3), "httpd": (1, 6), "busybox": (0.5, 0.5), "alpine": (0.5, 0.5),
    "redis": (3, 8), "memcached": (2, 6), "postgres": (5, 40), "mysql": (8, 350), "mongo": (10, 160),
    "coredns": (3, 15), "etcd": (25, 45), "kube-apiserver": (50, 250),
    "kube-controller-manager": (15, 50), "kube-scheduler": (3, 20), "kube-proxy": (1, 15),
    "kindnetd": (1, 10), "storage-provisioner": (1, 8), "metrics-server": (4, 18),
    "python": (5, 30), "node": (5, 40), "java": (20, 300), "openjdk": (20, 300), "grafana": (4, 60),
    "prometheus": (20, 200),
}
DEFAULT_PROFILE = (2.0, 12.0)
# The cluster's own components idle at their typical figures whatever they request (coredns asks
# for 100m and uses 2-3m): what `kubectl top pod -n kube-system` shows on a fresh minikube.
SYSTEM_IMAGES = frozenset({"coredns", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
                           "kube-proxy", "kindnetd", "storage-provisioner", "metrics-server"})
NODE_CPU_OVERHEAD = 0.04  # kubelet, runtime, system daemons: share of capacity
NODE_MEMORY_OVERHEAD = 0.12


class Usage(NamedTuple):
    cpu_nanos: int
    memory_bytes: int


class Share(NamedTuple):
    """A pod's share of its workload's load (None: that resource has no load)."""

    cpu_millis: float | None
    memory_bytes: float | None


Loads = dict[str, Share]  # pod uid -> its share


def _unit(*parts: object) -> float:
    """A stable uniform in [0, 1) for ``parts`` (crc32: same in every process, unlike hash())."""
    return zlib.crc32("/".join(map(str, parts)).encode()) / 4294967296.0


@lru_cache(maxsize=4096)
def _millis(q: str) -> float:
    try:
        return float(quantity.parse(q)) * 1000.0
    except ValueError:
        return 0.0


@lru_cache(maxsize=4096)
def _bytes(q: str) -> float:
    try:
        return float(quantity.parse(q))
    except ValueError:
        return 0.0


def _image_base(image: str) -> str:
    """``registry.k8s.io/coredns/coredns:v1.11.1`` → ``coredns``."""
    return image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]


def image_profile(image: str) -> tuple[float, float]:
    return IMAGE_PROFILES.get(_image_base(image), DEFAULT_PROFILE)


class _Params(NamedTuple):
    cpu: float  # millicores at the container's level
    mem: float  # bytes
    cpu_cap: float  # 0: no limit
    mem_cap: float
    period: float
    phase: float
    h: int  # the container's own hash: seeds its per-window noise


def _noise(h: int, w: int) -> float:
    """A uniform in [0, 1) for container hash ``h`` and scrape window ``w`` (integer mixing:
    cheap enough for 100k pods)."""
    x = (h ^ (w * 0x9E3779B1)) & 0xFFFFFFFF
    x = ((x ^ (x >> 16)) * 0x45D9F3B) & 0xFFFFFFFF
    x = ((x ^ (x >> 16)) * 0x45D9F3B) & 0xFFFFFFFF
    return (x ^ (x >> 16)) / 4294967296.0


def _params(seed: int, ns: str, pod: str, c: Obj) -> _Params:
    name = c.get("name", "")
    res = c.get("resources") or {}
    req, lim = res.get("requests") or {}, res.get("limits") or {}
    prof_cpu, prof_mem = image_profile(c.get("image", ""))
    if _image_base(c.get("image", "")) in SYSTEM_IMAGES:
        req = {}
    u = (_unit(seed, ns, pod, name, "cpu"), _unit(seed, ns, pod, name, "mem"),
         _unit(seed, ns, pod, name, "period"), _unit(seed, ns, pod, name, "phase"))
    cpu_req = _millis(str(req["cpu"])) if req.get("cpu") not in (None, "") else 0.0
    mem_req = _bytes(str(req["memory"])) if req.get("memory") not in (None, "") else 0.0
    # with requests: a share of them; without: around the image's typical idle usage
    cpu = cpu_req * (0.08 + 0.6 * u[0]) if cpu_req else prof_cpu * (0.6 + 0.8 * u[0])
    mem = mem_req * (0.35 + 0.5 * u[1]) if mem_req else prof_mem * MI * (0.7 + 0.6 * u[1])
    cpu_cap = _millis(str(lim["cpu"])) if lim.get("cpu") not in (None, "") else 0.0
    mem_cap = _bytes(str(lim["memory"])) if lim.get("memory") not in (None, "") else 0.0
    return _Params(cpu, mem, cpu_cap, mem_cap, 180.0 + 720.0 * u[2], 2 * math.pi * u[3],
                   zlib.crc32(f"{seed}/{ns}/{pod}/{name}".encode()))


_PARAMS: dict[tuple[int, str, str, str, str], _Params] = {}


def container_usage(seed: int, ns: str, pod: str, container: Obj, now: float,
                    annotations: dict[str, str] | None = None, share: Share | None = None) -> Usage:
    """Usage of one running container at virtual time ``now`` (``share``: this container's part
    of its workload's load, which replaces the computed figure, capped at the limits)."""
    key = (seed, ns, pod, container.get("name", ""), container.get("image", ""))
    p = _PARAMS.get(key)
    if p is None:
        if len(_PARAMS) > 250_000:
            _PARAMS.clear()
        p = _PARAMS[key] = _params(seed, ns, pod, container)
    w = math.floor(now / WINDOW)
    t = w * WINDOW
    noise = _noise(p.h, w)
    ann = annotations or {}
    if ann.get(CPU_ANNOTATION):
        cpu = _millis(ann[CPU_ANNOTATION])
    elif share is not None and share.cpu_millis is not None:
        cpu = min(share.cpu_millis, p.cpu_cap) if p.cpu_cap else share.cpu_millis
    else:
        cpu = p.cpu * (1.0 + 0.3 * math.sin(2 * math.pi * t / p.period + p.phase) + 0.3 * (noise - 0.5))
        if p.cpu_cap:
            cpu = min(cpu, p.cpu_cap * 0.98)
    if ann.get(MEMORY_ANNOTATION):  # (over the limit: never reported above it, the kubelet OOMKills it)
        mem = _bytes(ann[MEMORY_ANNOTATION])
        mem = min(mem, p.mem_cap) if p.mem_cap else mem
    elif share is not None and share.memory_bytes is not None:
        mem = min(share.memory_bytes, p.mem_cap * 0.97) if p.mem_cap else share.memory_bytes
    else:
        mem = p.mem * (1.0 + 0.05 * math.sin(2 * math.pi * t / (p.period * 3) + p.phase) + 0.04 * (noise - 0.5))
        if p.mem_cap:
            mem = min(mem, p.mem_cap * 0.97)
    return Usage(max(0, int(cpu * 1_000_000)), max(0, int(mem)) // 1024 * 1024)


def _running(status: Obj | None) -> bool:
    return status is not None and "running" in (status.get("state") or {})


def _scraped(status: Obj | None, now: float) -> bool:
    """Running since a scrape window at least: metrics-server rates a container's CPU from two
    samples, so a container started a moment ago has no metrics yet (`kubectl top`: "metrics
    not available for pod", k9s: n/a)."""
    if not _running(status):
        return False
    started = parse_time(str(((status or {}).get("state") or {}).get("running", {}).get("startedAt") or ""))
    return started is None or now - started >= WINDOW


def _window_stamp(now: float) -> str:
    return rfc3339(math.floor(now / WINDOW) * WINDOW)


def _split(share: Share | None, containers: list[Obj]) -> list[Share | None]:
    """A pod's share split over its running containers in proportion to their requests (evenly
    when one has none)."""
    if share is None or not containers:
        return [None] * len(containers)

    def part(total: float | None, resource: str, parse: Any) -> list[float | None]:
        if total is None:
            return [None] * len(containers)
        reqs = [parse(str(((c.get("resources") or {}).get("requests") or {}).get(resource) or "0")) for c in containers]
        if all(r > 0 for r in reqs):
            return [total * r / sum(reqs) for r in reqs]
        return [total / len(containers)] * len(containers)
    cpus = part(share.cpu_millis, "cpu", _millis)
    mems = part(share.memory_bytes, "memory", _bytes)
    return [Share(c, m) for c, m in zip(cpus, mems, strict=True)]


def pod_usage(seed: int, pod: Obj, now: float, loads: Loads | None = None) -> dict[str, Usage] | None:
    """Usage per running container (sidecars included); None when nothing runs (metrics-server
    reports no such pod). ``loads``: the pods' shares of their workloads' load (``load_shares``)."""
    md, spec, st = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    if not spec.get("nodeName") or st.get("phase") != "Running":
        return None
    ns, name, ann = md.get("namespace", ""), md.get("name", ""), md.get("annotations") or {}
    statuses = {s.get("name"): s for s in st.get("containerStatuses") or []}
    statuses.update({s.get("name"): s for s in st.get("initContainerStatuses") or []})
    out: dict[str, Usage] = {}
    sidecars = [c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
    running = [c for c in [*sidecars, *(spec.get("containers") or [])] if _scraped(statuses.get(c.get("name")), now)]
    share = loads.get(md.get("uid", "")) if loads else None
    for c, part in zip(running, _split(share, running), strict=True):
        out[c.get("name", "")] = container_usage(seed, ns, name, c, now, ann, part)
    return out or None


_USAGE: dict[tuple[int, str], tuple[Obj, int, Share | None, dict[str, Usage] | None]] = {}


def usage_of(seed: int, pod: Obj, now: float, loads: Loads | None) -> dict[str, Usage] | None:
    """``pod_usage`` remembered per pod for the bulk readers (``pod_metrics_of``,
    ``node_metrics_of``): the store's objects are immutable snapshots, so the same object in the
    same scrape window with the same load share has the same usage. Polling 10,000 pods then costs
    what changed since the last poll, not a computation per pod."""
    md = pod.get("metadata") or {}
    uid = md.get("uid") or f"{md.get('namespace', '')}/{md.get('name', '')}"
    share = loads.get(md.get("uid", "")) if loads else None
    w = math.floor(now / WINDOW)
    hit = _USAGE.get((seed, uid))
    if hit is not None and hit[0] is pod and hit[1] == w and hit[2] == share:
        return hit[3]
    usage = pod_usage(seed, pod, now, loads)
    if len(_USAGE) > 250_000:
        _USAGE.clear()
    _USAGE[(seed, uid)] = (pod, w, share, usage)
    return usage


def format_cpu(nanos: int) -> str:
    return f"{nanos}n"


def format_memory(b: int) -> str:
    return f"{b // 1024}Ki"


def pod_metrics(seed: int, pod: Obj, now: float, *, _stamps: tuple[str, str] | None = None,
                loads: Loads | None = None, cached: bool = False) -> Obj | None:
    """The ``PodMetrics`` object metrics-server serves for ``pod``, or None."""
    usage = usage_of(seed, pod, now, loads) if cached else pod_usage(seed, pod, now, loads)
    if usage is None:
        return None
    md = pod.get("metadata") or {}
    created, stamp = _stamps or (rfc3339(now), _window_stamp(now))
    return {"kind": "PodMetrics", "apiVersion": API_VERSION,
            "metadata": {"name": md.get("name", ""), "namespace": md.get("namespace", ""),
                         "creationTimestamp": created, "labels": dict(md.get("labels") or {})},
            "timestamp": stamp, "window": f"{WINDOW:g}s",
            "containers": [{"name": n, "usage": {"cpu": format_cpu(u.cpu_nanos), "memory": format_memory(u.memory_bytes)}}
                           for n, u in usage.items()]}


def node_usage(seed: int, node: Obj, pods: Iterable[Obj], now: float, loads: Loads | None = None,
               *, cached: bool = False) -> Usage:
    """The node's running pods plus its own overhead (kubelet, runtime, OS)."""
    name = (node.get("metadata") or {}).get("name", "")
    cap = (node.get("status") or {}).get("capacity") or {}
    cpu_cap, mem_cap = _millis(str(cap.get("cpu", "0"))), _bytes(str(cap.get("memory", "0")))
    w = math.floor(now / WINDOW)
    noise = _noise(zlib.crc32(f"{seed}/node/{name}".encode()), w)
    cpu = cpu_cap * NODE_CPU_OVERHEAD * (0.85 + 0.3 * noise) * 1_000_000
    mem = mem_cap * NODE_MEMORY_OVERHEAD * (0.98 + 0.04 * noise)
    for pod in pods:
        if (pod.get("spec") or {}).get("nodeName") != name:
            continue
        for u in ((usage_of if cached else pod_usage)(seed, pod, now, loads) or {}).values():
            cpu += u.cpu_nanos
            mem += u.memory_bytes
    return Usage(int(cpu), int(mem) // 1024 * 1024)


def node_metrics(seed: int, node: Obj, pods: Iterable[Obj], now: float, loads: Loads | None = None,
                 *, cached: bool = False) -> Obj:
    u = node_usage(seed, node, pods, now, loads, cached=cached)
    md = node.get("metadata") or {}
    return {"kind": "NodeMetrics", "apiVersion": API_VERSION,
            "metadata": {"name": md.get("name", ""), "creationTimestamp": rfc3339(now),
                         "labels": dict(md.get("labels") or {})},
            "timestamp": _window_stamp(now), "window": f"{WINDOW:g}s",
            "usage": {"cpu": format_cpu(u.cpu_nanos), "memory": format_memory(u.memory_bytes)}}


def list_pod_metrics(cluster: Any, namespace: str | None = None) -> list[Obj]:
    """``GET /apis/metrics.k8s.io/v1beta1[/namespaces/ns]/pods`` on the simulator."""
    return pod_metrics_of(cluster.store.list("Pod", namespace or None), cluster.seed, cluster.now(),
                          load_shares(cluster))


def pod_metrics_of(pods: Iterable[Obj], seed: int, now: float, loads: Loads | None = None) -> list[Obj]:
    """PodMetrics for ``pods`` (a snapshot: may run off the simulator's thread; ``loads`` taken
    with it, under the cluster's lock)."""
    stamps = (rfc3339(now), _window_stamp(now))
    out = []
    with gc_paused():  # many small acyclic dicts
        for pod in pods:
            m = pod_metrics(seed, pod, now, _stamps=stamps, loads=loads, cached=True)
            if m is not None:
                out.append(m)
    return out


def list_node_metrics(cluster: Any) -> list[Obj]:
    """``GET /apis/metrics.k8s.io/v1beta1/nodes`` on the simulator."""
    return node_metrics_of(cluster.store.list("Node"), cluster.store.list("Pod"), cluster.seed, cluster.now(),
                           load_shares(cluster))


def node_metrics_of(nodes: Iterable[Obj], pods: Iterable[Obj], seed: int, now: float,
                    loads: Loads | None = None) -> list[Obj]:
    """NodeMetrics for ``nodes`` over ``pods`` (a snapshot taken under the cluster's lock, like
    ``pod_metrics_of``'s: may run off the simulator's thread)."""
    pods_by_node: dict[str, list[Obj]] = {}
    for pod in pods:
        pods_by_node.setdefault((pod.get("spec") or {}).get("nodeName") or "", []).append(pod)
    return [node_metrics(seed, n, pods_by_node.get(n["metadata"]["name"], []), now, loads, cached=True)
            for n in nodes]


def _load_pod(pod: Obj) -> bool:
    """Whether a pod takes part of its workload's load: running, ready, not terminating (what a
    Service's endpoints would send traffic to)."""
    md, st = pod.get("metadata") or {}, pod.get("status") or {}
    return (st.get("phase") == "Running" and not md.get("deletionTimestamp")
            and any(c.get("type") == "Ready" and c.get("status") == "True" for c in st.get("conditions") or []))


def load_shares(cluster: Any) -> Loads:
    """Each pod's share of its workload's ``k9py.sim/cpu-load`` / ``memory-load`` (pod uid →
    Share): the load split evenly over the workload's ready pods (a Deployment's through its
    ReplicaSets). Computed once per store version; call it under the cluster's lock."""
    state = getattr(cluster, "state", None)
    if not isinstance(state, dict) or getattr(cluster, "store", None) is None:
        return {}  # not a simulator (a served recording): no loads
    cache = state.get("metrics-load-shares")
    rv = cluster.store.resource_version
    if cache is not None and cache[0] == rv:
        return cache[1]
    loaded: list[tuple[Obj, float | None, float | None]] = []
    for kind in LOAD_KINDS:
        for w in cluster.store.list(kind):
            ann = (w.get("metadata") or {}).get("annotations") or {}
            cpu, mem = ann.get(CPU_LOAD_ANNOTATION), ann.get(MEMORY_LOAD_ANNOTATION)
            if cpu or mem:
                loaded.append((w, _millis(cpu) if cpu else None, _bytes(mem) if mem else None))
    out: Loads = {}
    if loaded:
        by_owner: dict[str, list[Obj]] = {}
        rs_of: dict[str, list[str]] = {}  # Deployment uid -> its ReplicaSets' uids
        for pod in cluster.store.list("Pod"):
            for ref in (pod.get("metadata") or {}).get("ownerReferences") or ():
                if ref.get("controller"):
                    by_owner.setdefault(ref.get("uid", ""), []).append(pod)
        for rs in cluster.store.list("ReplicaSet"):
            for ref in (rs.get("metadata") or {}).get("ownerReferences") or ():
                if ref.get("controller"):
                    rs_of.setdefault(ref.get("uid", ""), []).append(rs["metadata"].get("uid", ""))
        for w, cpu, mem in loaded:
            uid = w["metadata"].get("uid", "")
            owners = [uid, *rs_of.get(uid, [])] if w.get("kind") == "Deployment" else [uid]
            pods = [p for o in owners for p in by_owner.get(o, []) if _load_pod(p)]
            for p in pods:
                out[p["metadata"].get("uid", "")] = Share(None if cpu is None else cpu / len(pods),
                                                          None if mem is None else mem / len(pods))
    state["metrics-load-shares"] = (rv, out)
    return out
