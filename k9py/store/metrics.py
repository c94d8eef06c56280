"""Resource usage read through ``Backend.metrics`` (metrics.k8s.io), kept as plain numbers.

``refresh()`` polls pods (one namespace or all) and nodes; the UI calls it on a timer (k9s
refreshes every few seconds) and tests call it by hand. A backend without metrics (no
``Capability.METRICS``, or a cluster without metrics-server) leaves ``available`` False, and
views hide their usage columns, as k9s does without metrics-server.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any, NamedTuple

from k9py.backends.base import Backend, Capability, MetricsUnavailable, StatusError
from k9py.errors import K9pyError
from k9py.kube import quantity
from k9py.kube.gcpause import gc_paused
from k9py.kube.unicode import digits

Obj = dict[str, Any]
Key = tuple[str, str]

_SUFFIX_NANOS = {"n": 1, "u": 1_000, "m": 1_000_000}
_SUFFIX_BYTES = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "k": 1000, "M": 1000**2, "G": 1000**3}


class Usage(NamedTuple):
    cpu_m: int  # millicores
    mem_b: int  # bytes


class Sample(NamedTuple):
    """The nodes' summed usage at a time of the backend's clock (the pulses' CPU/MEM charts)."""
    t: float
    cpu_m: int
    mem_b: int


HISTORY = 720  # samples kept: an hour at the app's 5 s poll
NODES_FORBIDDEN_RETRY = 60.0  # real seconds before nodes' metrics refused (403) are asked for again


def cpu_nanos(q: str | None) -> int:
    """``"2395437n"`` (metrics-server's form) → nanocores, without Decimal on the common path."""
    if not q:
        return 0
    s = str(q)
    mult = _SUFFIX_NANOS.get(s[-1])
    if mult is not None and digits(s[:-1]):
        return int(s[:-1]) * mult
    if digits(s):
        return int(s) * 1_000_000_000
    try:
        return int(quantity.parse(s) * 1_000_000_000)
    except ValueError:
        return 0


def cpu_millis(q: str | None) -> int:
    """A CPU quantity in millicores, rounded up as ``Quantity.MilliValue`` rounds (kubectl top and
    k9s show 472715n as 1m, not 0)."""
    return -(-cpu_nanos(q) // 1_000_000)


def mem_bytes(q: str | None) -> int:
    """``"23456Ki"`` → bytes."""
    if not q:
        return 0
    s = str(q)
    for suffix in ("Ki", "Mi", "Gi"):
        if s.endswith(suffix) and digits(s[:-2]):
            return int(s[:-2]) * _SUFFIX_BYTES[suffix]
    if digits(s):
        return int(s)
    try:
        return int(quantity.parse(s))
    except ValueError:
        return 0


def pod_usage(pm: Obj) -> Usage:
    """A PodMetrics' containers summed (k9s's CPU / MEM cells)."""
    cpu = mem = 0
    for c in pm.get("containers") or []:  # each container's rounded up, as k9s sums them
        u = c.get("usage") or {}
        cpu += cpu_millis(u.get("cpu"))
        mem += mem_bytes(u.get("memory"))
    return Usage(cpu, mem)


def node_usage(nm: Obj) -> Usage:
    u = nm.get("usage") or {}
    return Usage(cpu_millis(u.get("cpu")), mem_bytes(u.get("memory")))


Polled = tuple[dict[Key, Usage], dict[Key, Usage], dict[Key, Key]]  # pods, containers, their keys


def usage_by_pod(pod_list: list[Obj], before: Polled | None = None) -> Polled:
    """Usage per pod (ns, name) and per container (ns, "pod/container"), the containers view's
    keys, and those keys (each to itself). ``before``: the last poll's. A key or a usage that did
    not change is the object from before, so what this poll made dies at once: 10,000 pods made
    40,000 tuples that each young collection walked (once every 5 s, 60-140 ms) until the next."""
    old_pods, old_containers, old_keys = before if before is not None else ({}, {}, {})
    pods: dict[Key, Usage] = {}
    containers: dict[Key, Usage] = {}
    keys: dict[Key, Key] = {}
    with gc_paused():  # 100k small tuples
        for p in pod_list:
            md = p.get("metadata") or {}
            ns, name = md.get("namespace") or "", md.get("name", "")
            cpu = mem = 0
            for c in p.get("containers") or []:
                u = c.get("usage") or {}
                cu = Usage(cpu_millis(u.get("cpu")), mem_bytes(u.get("memory")))
                key = (ns, f"{name}/{c.get('name', '')}")
                key = keys[key] = old_keys.get(key, key)
                was = old_containers.get(key)
                containers[key] = was if was == cu else cu
                cpu, mem = cpu + cu.cpu_m, mem + cu.mem_b
            key = (ns, name)
            key = keys[key] = old_keys.get(key, key)
            usage, was = Usage(cpu, mem), old_pods.get(key)
            pods[key] = was if was == usage else usage
    return pods, containers, keys


class MetricsCache:
    def __init__(self, backend: Backend, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.backend = backend
        self._clock = clock
        self._nodes_refused_until = 0.0  # a 403 for the nodes' metrics: not asked again before then
        self.available: bool | None = None  # None: not asked yet
        self.pods: dict[Key, Usage] = {}
        self.containers: dict[Key, Usage] = {}  # (namespace, "pod/container")
        self._keys: dict[Key, Key] = {}  # the keys of both, each to itself (``usage_by_pod``)
        self.nodes: dict[str, Usage] = {}
        self.error: str | None = None
        self.stale = False  # the last poll failed (not for want of metrics): figures kept, not current
        self.version = 0  # bumps on every successful refresh
        self.history: deque[Sample] = deque(maxlen=HISTORY)  # oldest first, on the backend's clock

    async def refresh(self, namespace: str | None = None, *, pods: bool = True) -> bool:
        """Poll the backend; True when metrics came back."""
        try:
            if not self.backend.supports(Capability.METRICS):
                raise MetricsUnavailable(f"{self.backend.info().backend}: no metrics")
            nodes: list[Any] | None = None
            if self._clock() >= self._nodes_refused_until:
                try:
                    nodes = await self.backend.metrics("Node", None)
                except StatusError as err:  # a namespace's reader may not read the nodes': the pods' still come
                    if err.code != 403:
                        raise
                    # asked again a minute later (permissions can change), not at every poll
                    self._nodes_refused_until = self._clock() + NODES_FORBIDDEN_RETRY
            pod_list = await self.backend.metrics("Pod", namespace or None) if pods else []
        except MetricsUnavailable as err:  # no metrics-server (404, 503): no usage columns
            self.available, self.error, self.stale = False, str(err), False
            self.pods, self.nodes, self.containers, self._keys = {}, {}, {}, {}
            return False
        except K9pyError as err:
            self.error = str(err)
            if self.available:  # the server unreachable a while: the last figures stay with the
                self.stale = True  # last rows (greyed), not the table's columns taken away
            else:
                self.available = False
            return False
        self.nodes = {(n.get("metadata") or {}).get("name", ""): node_usage(n) for n in nodes or ()}
        if nodes is not None:  # no node figures is no sample of 0 (the pulses' charts)
            self.record(self.backend.now())
        if pods:
            before = (self.pods, self.containers, self._keys)
            self.pods, self.containers, self._keys = usage_by_pod(pod_list, before) if len(pod_list) < 2000 \
                else await asyncio.to_thread(usage_by_pod, pod_list, before)
        self.available, self.error, self.stale = True, None, False
        self.version += 1
        return True

    def record(self, t: float) -> None:
        """Add the nodes' current usage to ``history`` at backend time ``t``. A clock that went
        back (a replay seeked) starts the history again; the same time again replaces the sample."""
        h = self.history
        if h and t < h[-1].t:
            h.clear()
        elif h and t == h[-1].t:
            h.pop()
        h.append(Sample(t, sum(u.cpu_m for u in self.nodes.values()), sum(u.mem_b for u in self.nodes.values())))

    def cluster_percent(self, nodes: list[Obj]) -> tuple[int, int] | None:
        """k9s's header CPU / MEM: the nodes' usage over their allocatable, in %."""
        if not self.available or self.stale or not self.nodes:
            return None
        cpu = mem = alloc_cpu = alloc_mem = 0
        for n in nodes:
            u = self.nodes.get((n.get("metadata") or {}).get("name", ""))
            if u is None:
                continue
            alloc = (n.get("status") or {}).get("allocatable") or {}
            cpu, mem = cpu + u.cpu_m, mem + u.mem_b
            alloc_cpu += cpu_millis(str(alloc.get("cpu", "0")))
            alloc_mem += mem_bytes(str(alloc.get("memory", "0")))
        if not alloc_cpu or not alloc_mem:
            return None
        return int(cpu * 100 // alloc_cpu), int(mem * 100 // alloc_mem)
