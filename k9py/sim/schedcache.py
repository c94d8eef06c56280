"""The scheduler's cache (kube-scheduler's ``internal/cache`` and scheduling queue, in small):
what each node has committed, the pods waiting for a node, and label indexes for inter-pod
(anti-)affinity, all kept up to date by store watches so one scheduling attempt costs
O(nodes looked at) instead of O(pods in the cluster).

Kept per cluster in ``cluster.state[KEY]``. ``removals`` / ``additions`` / ``nodes_version`` count
the changes that can make an unschedulable pod fit (a pod leaving a node, a pod arriving — for
pod affinity —, a node added or changed): the scheduler retries such a pod only after one of
them (kube-scheduler's queueing hints) or when its retry period is over.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mypy_extensions import mypyc_attr

from k9py.kube import meta, quantity
from k9py.kube.meta import dig
from k9py.sim.identity_memo import IdentityMemo
from k9py.sim.picklestate import restore, state_of
from k9py.sim.store_index import unindex

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.store import Change, ObjectStore

Obj = dict[str, Any]
Key = tuple[str, ...]  # (namespace, name); not tuple[str, str]: compiled, that is boxed again per set or dict
KEY = "scheduler.cache"
DEFAULT_SCHEDULER = "default-scheduler"
DEFAULT_MILLI_CPU = 100                 # schedutil.DefaultMilliCPURequest
DEFAULT_MEMORY = 200 * 1024 * 1024      # schedutil.DefaultMemoryRequest
MAX_STATIC_ENTRIES = 20_000
MAX_USAGE_LOG = 20_000

_CPU: dict[Any, int] = {}
_MEM: dict[Any, int] = {}


def static_sig(tolerations: list[Obj], selector: dict[str, str], terms: list[Obj] | None) -> str:
    """The JSON of what the scheduler's static filters read of a pod (its groups' key)."""
    return json.dumps([tolerations, selector, terms], sort_keys=True, default=str)


def cpu_millis(q: Any) -> int:
    """``quantity.cpu_millis`` remembered: pods of one template repeat the same few strings."""
    try:
        return _CPU[q]
    except KeyError:
        pass
    except TypeError:  # unhashable: not a quantity anyway
        return quantity.cpu_millis(q)
    if len(_CPU) > 10_000:
        _CPU.clear()
    v = _CPU[q] = quantity.cpu_millis(q)
    return v


def bytes_of(q: Any) -> int:
    try:
        return _MEM[q]
    except KeyError:
        pass
    except TypeError:
        return quantity.bytes_of(q)
    if len(_MEM) > 10_000:
        _MEM.clear()
    v = _MEM[q] = quantity.bytes_of(q)
    return v


def occupies_node(pod: Obj) -> bool:
    """Pods that count against a node's resources (terminated ones do not)."""
    return pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")


def is_pending(pod: Obj) -> bool:
    """Waiting for this scheduler: no node, not deleting, ours, not finished."""
    spec = pod.get("spec") or {}
    return (not spec.get("nodeName") and not meta.is_deleting(pod)
            and (spec.get("schedulerName") or DEFAULT_SCHEDULER) == DEFAULT_SCHEDULER
            and dig(pod, "status", "phase") in (None, "Pending"))


class NodeUsage:
    """What the pods bound to one node take: requests (and the scorers' non-zero requests),
    pod count, host ports, pods per owner; the keys of the pods there."""

    __slots__ = ("cpu", "keys", "mem", "ncpu", "nmem", "owners", "pods", "ports", "version")

    def __getstate__(self) -> dict[str, Any]:  # (the same in either build: sim/picklestate.py)
        return state_of(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore(self, state)

    def __init__(self) -> None:
        self.cpu = self.mem = self.ncpu = self.nmem = self.pods = 0
        self.version = 0  # bumped by every pod added or removed
        self.ports: dict[tuple[str, str, int], int] = {}
        self.owners: dict[str, int] = {}
        self.keys: set[Key] = set()


EMPTY = NodeUsage()


@mypyc_attr(serializable=True)  # pickled in the demo snapshot
@dataclass
class NodeInfo:
    """A node as the filters and scores read it, parsed once per change of the node."""

    name: str
    order: int                       # position in name order
    labels: dict[str, str]
    unschedulable: bool
    taints: list[Obj]                # NoSchedule and NoExecute: filtered on
    prefer: list[Obj]                # PreferNoSchedule: scored
    alloc_cpu: int
    alloc_mem: int
    max_pods: int
    cap_cpu: int
    cap_mem: int
    static: tuple = ()               # what the static filters read, to notice a change
    usage: NodeUsage = field(default_factory=lambda: EMPTY)  # the cache's, shared

    @classmethod
    def of(cls, node: Obj, order: int = 0) -> NodeInfo:
        alloc = node.get("status", {}).get("allocatable") or {}
        taints = dig(node, "spec", "taints") or []
        cpu, mem = cpu_millis(alloc.get("cpu", "0")), bytes_of(alloc.get("memory", "0"))
        info = cls(name=meta.name(node), order=order, labels=meta.labels(node),
                   unschedulable=bool(dig(node, "spec", "unschedulable")),
                   taints=[t for t in taints if t.get("effect") in ("NoSchedule", "NoExecute")],
                   prefer=[t for t in taints if t.get("effect") == "PreferNoSchedule"],
                   alloc_cpu=cpu, alloc_mem=mem, max_pods=int(alloc.get("pods", 110) or 0),
                   cap_cpu=max(1, cpu), cap_mem=max(1, mem))
        info.static = (json.dumps(info.labels, sort_keys=True), json.dumps(taints, sort_keys=True),
                       info.unschedulable, cpu, mem, info.max_pods)
        return info




@mypyc_attr(serializable=True)  # pickled in the demo snapshot
@dataclass
class PodRecord:
    """What a bound pod contributes to its node (kept apart from the pod object: holding store
    snapshots would keep every old version of every pod alive)."""

    node: str
    namespace: str
    labels: dict[str, str]
    owner: str | None
    cpu: int
    mem: int
    ncpu: int
    nmem: int
    ports: list[tuple[str, str, int]]
    anti: list[Obj]                             # required pod anti-affinity terms
    anti_index: list[tuple[str, str] | None] = field(default_factory=list)  # where ``anti`` is indexed
    refs: Any = None                            # the ownerReferences ``owner`` was read from


def pod_requests(spec: Obj) -> tuple[int, int, int, int]:
    """(cpu, memory) requests as the fit filter sees them, then as the scorers do (unset → 100m / 200MB)."""
    cpu = mem = ncpu = nmem = 0
    for c in spec.get("containers") or []:
        req = (c.get("resources") or {}).get("requests") or {}
        rc, rm = req.get("cpu"), req.get("memory")
        c_cpu, c_mem = cpu_millis(rc), bytes_of(rm)
        cpu += c_cpu
        mem += c_mem
        ncpu += c_cpu if "cpu" in req else DEFAULT_MILLI_CPU
        nmem += c_mem if "memory" in req else DEFAULT_MEMORY
    for c in spec.get("initContainers") or []:
        req = (c.get("resources") or {}).get("requests") or {}
        cpu = max(cpu, cpu_millis(req.get("cpu")))
        mem = max(mem, bytes_of(req.get("memory")))
    over = spec.get("overhead") or {}
    return cpu + cpu_millis(over.get("cpu")), mem + bytes_of(over.get("memory")), ncpu, nmem


def host_ports(pod: Obj) -> list[tuple[str, str, int]]:
    return _ports_of(dig(pod, "spec", "containers"))


def _ports_of(containers: list[Obj] | None) -> list[tuple[str, str, int]]:
    return [(p.get("hostIP") or "0.0.0.0", p.get("protocol") or "TCP", int(p["hostPort"]))
            for c in containers or [] for p in c.get("ports") or []
            if isinstance(p, dict) and p.get("hostPort")]


_INIT = object()  # in ``_needs``'s arguments: the init containers' parts follow


def _needs(overhead: Any, *parts: Any) -> tuple[int, int, int, int, list[tuple[str, str, int]]]:
    """``pod_requests`` and the host ports of a pod spec from what they read of it: its
    ``overhead``, then each container's resources and ports, ``_INIT``, each init container's
    resources (``SchedulerCache.pod_needs``)."""
    split = parts.index(_INIT)
    containers = [{"resources": r, "ports": p} for r, p in zip(parts[:split:2], parts[1:split:2], strict=True)]
    init = [{"resources": r} for r in parts[split + 1:]]
    return (*pod_requests({"containers": containers, "initContainers": init, "overhead": overhead}),
            _ports_of(containers))


def _owner(pod: Obj) -> str | None:
    ref = meta.controller_ref(pod)
    return ref.get("uid") if ref else None


def anti_terms(pod: Obj) -> list[Obj]:
    return dig(pod, "spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution") or []


def _first_label(term: Obj) -> tuple[str, str] | None:
    """One ``key=value`` every pod the term selects must carry (None: no such pair)."""
    ml = (term.get("labelSelector") or {}).get("matchLabels") or {}
    if not ml:
        return None
    k = min(ml)
    return (k, str(ml[k]))


# pickled in the demo snapshot; made from Python code too (tests): a serializable compiled class
# runs its __init__ for a Python caller only if it allows Python subclasses
@mypyc_attr(serializable=True, allow_interpreted_subclasses=True)
class SchedulerCache:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.nodes: dict[str, NodeInfo] = {}
        self.order: list[NodeInfo] = []          # the nodes by name
        self.usage: dict[str, NodeUsage] = {}
        self.records: dict[Key, PodRecord] = {}
        self.pending: set[Key] = set()
        # pods that were or are pending and changed, since the scheduler last took them
        self.pending_touched: set[Key] = set()
        self.by_label: dict[tuple[str, str], set[Key]] = {}
        self.anti_by_label: dict[tuple[str, str], set[Key]] = {}
        self.anti_any: set[Key] = set()
        self.nodes_version = 0
        self.removals = 0
        self.additions = 0
        self.static_fits: dict[str, Any] = {}
        # the JSON of what the static filters read (tolerations, node selector, node affinity
        # terms), by the identity of those values: a workload's replicas share them
        self.static_sigs: IdentityMemo[str] = IdentityMemo(static_sig, MAX_STATIC_ENTRIES)
        # pod_requests and host ports by the parts of a spec they were read from: the scheduler
        # asks of a pod, then the cache of it bound (the bind keeps the spec's parts) and of its
        # replicas (a template's share them)
        self.needs: IdentityMemo[tuple[int, int, int, int, list[tuple[str, str, int]]]] = IdentityMemo(
            _needs, MAX_STATIC_ENTRIES)
        self.groups: dict[Any, Any] = {}          # the scheduler's score heaps of one pass (scheduler._Group)
        self.shapes: dict[Any, Any] = {}          # its heaps by shape of pod, kept (scheduler._Shape)
        self.no_fit: dict[Any, Any] = {}          # shapes of pod that fit no node (scheduler._NoFit)
        # the nodes whose usage changed, in order (a name per version bump): readers keep their
        # position (``log_base`` + index) and look only at the nodes changed since; past
        # MAX_USAGE_LOG names it starts over and a reader from before looks at every node
        self.usage_log: list[str] = []
        self.log_base = 0
        # pending pods the VolumeBinding prefilter turned away, by the claims they wait for (and
        # the reverse); ``claims_heard``: those pods, since one of their claims (or a class) changed
        self.claim_waiters: dict[Key, set[Key]] = {}
        self.waits_on: dict[Key, list[Key]] = {}
        self.claims_heard: set[Key] = set()
        for n in store.list("Node"):
            self._on_node("ADDED", n)
        for p in store.list("Pod"):
            self._on_pod("ADDED", p)
        # pods heard as their changes are made (a listener: no watch's delivery per pod write)
        self.pods = store.listen(self._heard, kinds=("Pod",))
        self.claims = store.listen(self._on_claim, kinds=("PersistentVolumeClaim", "StorageClass", "ResourceClaim",
                                                         "DeviceClass"))
        self.watches = [store.watch("Node", self._on_node)]

    # -- nodes ----------------------------------------------------------------------------------
    def _on_node(self, type_: str, node: Obj) -> None:
        name = meta.name(node)
        old = self.nodes.get(name)
        if type_ == "DELETED":
            if old is not None:
                del self.nodes[name]
                self._reorder()
                self.removals += 1  # its pods no longer count anywhere
            return
        info = NodeInfo.of(node, old.order if old else 0)
        if old is not None and old.static == info.static:
            return  # a status update (heartbeat, conditions): nothing the scheduler reads
        info.usage = self.usage_of(name)
        self.nodes[name] = info
        if old is None:
            self._reorder()
            return
        self.order[old.order] = info
        self.nodes_version += 1
        self.static_fits.clear()

    def _reorder(self) -> None:
        self.order = [self.nodes[n] for n in sorted(self.nodes)]
        for i, info in enumerate(self.order):
            info.order = i
        self.nodes_version += 1
        self.static_fits.clear()

    def usage_of(self, node: str) -> NodeUsage:
        u = self.usage.get(node)
        if u is None:
            u = self.usage[node] = NodeUsage()
        return u

    # -- pods -----------------------------------------------------------------------------------
    def _heard(self, change: Change) -> None:
        self._on_pod(change.type, change.obj)

    def _on_pod(self, type_: str, pod: Obj) -> None:
        md = pod.get("metadata") or {}
        key = (md.get("namespace", "") or "", md.get("name", ""))
        old = self.records.get(key)
        if type_ == "DELETED":
            if key in self.pending:
                self.pending.discard(key)
                self.pending_touched.add(key)
                self.stop_waiting(key)
            if old is not None:
                self._remove(key, old)
            return
        node = (pod.get("spec") or {}).get("nodeName")
        labels = md.get("labels") or {}
        refs = md.get("ownerReferences")
        if (old is not None and old.node == node and (labels is old.labels or labels == old.labels)
                and occupies_node(pod) and (refs is old.refs or _owner(pod) == old.owner)):
            old.refs = refs
            return  # counted there (so not pending) as it was: a status change, nothing the scheduler counts
        if is_pending(pod):
            self.pending.add(key)
            self.pending_touched.add(key)
        elif key in self.pending:
            self.pending.discard(key)
            self.pending_touched.add(key)
            self.stop_waiting(key)
        if not node or not occupies_node(pod):
            if old is not None:
                self._remove(key, old)
            return
        if old is not None:
            self._remove(key, old)
        self._add(key, pod, node, labels, _owner(pod), refs)

    # -- claims (VolumeBinding) ------------------------------------------------------------------
    def wait_for_claims(self, key: Key, claims: list[Key]) -> None:
        """Pending pod ``key`` is tried again when one of ``claims`` changes."""
        self.stop_waiting(key)
        self.waits_on[key] = claims
        for claim in claims:
            self.claim_waiters.setdefault(claim, set()).add(key)

    def stop_waiting(self, key: Key) -> None:
        for claim in self.waits_on.pop(key, ()):
            unindex(self.claim_waiters, claim, key)

    def _on_claim(self, change: Change) -> None:
        """A claim (a PersistentVolumeClaim or a ResourceClaim) added or changed (bound, say): the
        pods waiting for it are tried again; a StorageClass or DeviceClass added or changed: every
        pod waiting for a claim is."""
        if not self.claim_waiters:
            return
        if change.obj.get("kind") in ("StorageClass", "DeviceClass"):
            woken = set(self.waits_on)
        else:
            md = change.obj.get("metadata") or {}
            woken = set(self.claim_waiters.get((md.get("namespace", "") or "", md.get("name", ""))) or ())
        for key in woken:
            self.stop_waiting(key)
        self.claims_heard |= woken
        self.pending_touched |= woken & self.pending

    def _add(self, key: Key, pod: Obj, node: str, labels: dict[str, str], owner: str | None, refs: Any) -> None:
        cpu, mem, ncpu, nmem, ports = self.pod_needs(pod.get("spec") or {})
        rec = PodRecord(node=node, namespace=key[0], labels=labels, owner=owner, cpu=cpu, mem=mem, ncpu=ncpu,
                        nmem=nmem, ports=ports, anti=anti_terms(pod), refs=refs)
        self.records[key] = rec
        u = self.usage_of(node)
        u.version += 1
        self._logged(node)
        u.cpu += cpu
        u.mem += mem
        u.ncpu += ncpu
        u.nmem += nmem
        u.pods += 1
        u.keys.add(key)
        for p in rec.ports:
            u.ports[p] = u.ports.get(p, 0) + 1
        if owner:
            u.owners[owner] = u.owners.get(owner, 0) + 1
        by_label = self.by_label
        for kv in labels.items():
            keys = by_label.get(kv)
            if keys is None:
                by_label[kv] = {key}  # (setdefault would build a set per label to throw away)
            else:
                keys.add(key)
        for term in rec.anti:
            at = _first_label(term)
            rec.anti_index.append(at)
            (self.anti_by_label.setdefault(at, set()) if at else self.anti_any).add(key)
        self.additions += 1

    def _remove(self, key: Key, rec: PodRecord) -> None:
        del self.records[key]
        u = self.usage.get(rec.node)
        if u is not None:
            u.version += 1
            self._logged(rec.node)
            u.cpu -= rec.cpu
            u.mem -= rec.mem
            u.ncpu -= rec.ncpu
            u.nmem -= rec.nmem
            u.pods -= 1
            u.keys.discard(key)
            for p in rec.ports:
                left = u.ports.get(p, 0) - 1
                if left > 0:
                    u.ports[p] = left
                else:
                    u.ports.pop(p, None)
            if rec.owner:
                left = u.owners.get(rec.owner, 0) - 1
                if left > 0:
                    u.owners[rec.owner] = left
                else:
                    u.owners.pop(rec.owner, None)
        for kv in rec.labels.items():
            unindex(self.by_label, kv, key)
        for at in rec.anti_index:
            keys = self.anti_by_label.get(at) if at else self.anti_any
            if keys is not None:
                keys.discard(key)
                if at and not keys:
                    del self.anti_by_label[at]
        self.removals += 1

    def pod_needs(self, spec: Obj) -> tuple[int, int, int, int, list[tuple[str, str, int]]]:
        """``pod_requests`` and the host ports of a pod spec, remembered (``needs``) by what they
        read of each container: its resources and ports, which a template's replicas share, not
        their containers (admission mounts each pod's own token volume in every one)."""
        parts = [spec.get("overhead")]
        for c in spec.get("containers") or ():
            parts += (c.get("resources"), c.get("ports"))
        parts.append(_INIT)
        parts += [c.get("resources") for c in spec.get("initContainers") or ()]
        return self.needs(*parts)

    def _logged(self, node: str) -> None:
        log = self.usage_log
        if len(log) >= MAX_USAGE_LOG:
            self.log_base += len(log)
            log.clear()
        log.append(node)

    def log_end(self) -> int:
        """The position after the last usage change (what a reader of ``usage_log`` keeps)."""
        return self.log_base + len(self.usage_log)

    def changed_since(self, pos: int) -> list[str] | None:
        """The nodes whose usage changed since ``pos`` (repeated as often as it changed), None
        when the log no longer reaches back that far."""
        if pos < self.log_base:
            return None
        return self.usage_log[pos - self.log_base:]

    # -- lookups --------------------------------------------------------------------------------
    def selected(self, term: Obj) -> list[Key]:
        """Keys of bound pods that may match ``term``'s labelSelector (a superset: callers check)."""
        ml = (term.get("labelSelector") or {}).get("matchLabels") or {}
        if not ml:
            return list(self.records)
        best: set[Key] | None = None
        for kv in ml.items():
            keys = self.by_label.get((kv[0], str(kv[1])))
            if not keys:
                return []
            if best is None or len(keys) < len(best):
                best = keys
        return list(best or ())

    def anti_candidates(self, labels: dict[str, str]) -> set[Key]:
        """Bound pods with an anti-affinity term that may select a pod with these labels."""
        out = set(self.anti_any)
        for kv in labels.items():
            keys = self.anti_by_label.get(kv)
            if keys:
                out |= keys
        return out


def cache_of(cluster: Cluster) -> SchedulerCache:
    cache = cluster.state.get(KEY)
    if cache is None or cache.store is not cluster.store:
        cache = cluster.state[KEY] = SchedulerCache(cluster.store)
    return cache
