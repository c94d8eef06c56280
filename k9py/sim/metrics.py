"""What metrics-server would report for the simulated cluster: ``PodMetrics`` / ``NodeMetrics``
(metrics.k8s.io/v1beta1), deterministic for a seed and a virtual time.

A running container's usage is derived from its requests (else a typical idle figure for its
image), a per-container level, a slow sine over virtual time and a small per-window noise, all
from stable hashes of (seed, namespace, pod, container): reading metrics never draws from
``cluster.rng``, so a UI polling them cannot change what the simulation does. Usage is capped at
the limits. Values change once per scrape window (15 s of virtual time), like metrics-server.

Pods can pin their usage with annotations (every running container reports it):
``k9py.sim/cpu-usage: 250m``, ``k9py.sim/memory-usage: 100Mi``.
Nodes report the sum of their running pods plus the system's own overhead.
"""

from __future__ import annotations

import gc
import math
import zlib
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

from k9py.kube import quantity
from k9py.kube.timefmt import rfc3339

Obj = dict[str, Any]

WINDOW = 15.0  # seconds of virtual time per scrape
API_VERSION = "metrics.k8s.io/v1beta1"
CPU_ANNOTATION = "k9py.sim/cpu-usage"
MEMORY_ANNOTATION = "k9py.sim/memory-usage"
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
NODE_CPU_OVERHEAD = 0.04  # kubelet, runtime, system daemons: share of capacity
NODE_MEMORY_OVERHEAD = 0.12


class Usage(NamedTuple):
    cpu_nanos: int
    memory_bytes: int


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


def image_profile(image: str) -> tuple[float, float]:
    base = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    return IMAGE_PROFILES.get(base, DEFAULT_PROFILE)


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
                    annotations: dict[str, str] | None = None) -> Usage:
    """Usage of one running container at virtual time ``now``."""
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
    else:
        cpu = p.cpu * (1.0 + 0.3 * math.sin(2 * math.pi * t / p.period + p.phase) + 0.3 * (noise - 0.5))
        if p.cpu_cap:
            cpu = min(cpu, p.cpu_cap * 0.98)
    if ann.get(MEMORY_ANNOTATION):
        mem = _bytes(ann[MEMORY_ANNOTATION])
    else:
        mem = p.mem * (1.0 + 0.05 * math.sin(2 * math.pi * t / (p.period * 3) + p.phase) + 0.04 * (noise - 0.5))
        if p.mem_cap:
            mem = min(mem, p.mem_cap * 0.97)
    return Usage(max(0, int(cpu * 1_000_000)), max(0, int(mem)) // 1024 * 1024)


def _running(status: Obj | None) -> bool:
    return status is not None and "running" in (status.get("state") or {})


def _window_stamp(now: float) -> str:
    return rfc3339(math.floor(now / WINDOW) * WINDOW)


def pod_usage(seed: int, pod: Obj, now: float) -> dict[str, Usage] | None:
    """Usage per running container (sidecars included); None when nothing runs (metrics-server
    reports no such pod)."""
    md, spec, st = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    if not spec.get("nodeName") or st.get("phase") != "Running":
        return None
    ns, name, ann = md.get("namespace", ""), md.get("name", ""), md.get("annotations") or {}
    statuses = {s.get("name"): s for s in st.get("containerStatuses") or []}
    statuses.update({s.get("name"): s for s in st.get("initContainerStatuses") or []})
    out: dict[str, Usage] = {}
    sidecars = [c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
    for c in [*sidecars, *(spec.get("containers") or [])]:
        if _running(statuses.get(c.get("name"))):
            out[c.get("name", "")] = container_usage(seed, ns, name, c, now, ann)
    return out or None


def format_cpu(nanos: int) -> str:
    return f"{nanos}n"


def format_memory(b: int) -> str:
    return f"{b // 1024}Ki"


def pod_metrics(seed: int, pod: Obj, now: float, *, _stamps: tuple[str, str] | None = None) -> Obj | None:
    """The ``PodMetrics`` object metrics-server serves for ``pod``, or None."""
    usage = pod_usage(seed, pod, now)
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


def node_usage(seed: int, node: Obj, pods: Iterable[Obj], now: float) -> Usage:
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
        for u in (pod_usage(seed, pod, now) or {}).values():
            cpu += u.cpu_nanos
            mem += u.memory_bytes
    return Usage(int(cpu), int(mem) // 1024 * 1024)


def node_metrics(seed: int, node: Obj, pods: Iterable[Obj], now: float) -> Obj:
    u = node_usage(seed, node, pods, now)
    md = node.get("metadata") or {}
    return {"kind": "NodeMetrics", "apiVersion": API_VERSION,
            "metadata": {"name": md.get("name", ""), "creationTimestamp": rfc3339(now),
                         "labels": dict(md.get("labels") or {})},
            "timestamp": _window_stamp(now), "window": f"{WINDOW:g}s",
            "usage": {"cpu": format_cpu(u.cpu_nanos), "memory": format_memory(u.memory_bytes)}}


def list_pod_metrics(cluster: Any, namespace: str | None = None) -> list[Obj]:
    """``GET /apis/metrics.k8s.io/v1beta1[/namespaces/ns]/pods`` on the simulator."""
    return pod_metrics_of(cluster.store.list("Pod", namespace or None), cluster.seed, cluster.now())


def pod_metrics_of(pods: Iterable[Obj], seed: int, now: float) -> list[Obj]:
    """PodMetrics for ``pods`` (a snapshot: may run off the simulator's thread)."""
    stamps = (rfc3339(now), _window_stamp(now))
    out = []
    enabled = gc.isenabled()
    gc.disable()  # many small acyclic dicts: no collections over the whole heap midway
    try:
        for pod in pods:
            m = pod_metrics(seed, pod, now, _stamps=stamps)
            if m is not None:
                out.append(m)
    finally:
        if enabled:
            gc.enable()
    return out


def list_node_metrics(cluster: Any) -> list[Obj]:
    """``GET /apis/metrics.k8s.io/v1beta1/nodes`` on the simulator."""
    now, seed = cluster.now(), cluster.seed
    pods_by_node: dict[str, list[Obj]] = {}
    for pod in cluster.store.list("Pod"):
        pods_by_node.setdefault((pod.get("spec") or {}).get("nodeName") or "", []).append(pod)
    return [node_metrics(seed, n, pods_by_node.get(n["metadata"]["name"], []), now)
            for n in cluster.store.list("Node")]
