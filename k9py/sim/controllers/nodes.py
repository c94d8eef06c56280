"""Node lifecycle: what kube-controller-manager's node-lifecycle, taint-eviction and pod-GC
controllers do, plus the node-status side of the kubelet.

- A node annotated ``k9py.sim/down: "true"`` stops posting status. After the grace period
  (40 s) its conditions go Unknown ("Kubelet stopped posting node status."), it is tainted
  ``node.kubernetes.io/unreachable`` (NoSchedule and NoExecute), its pods get Ready=False.
- The taint-eviction controller deletes pods on NoExecute-tainted nodes when their toleration
  runs out (300 s with the default tolerations; at once without one). Pods on an unreachable
  node stay Terminating until the node comes back, as in a real cluster.
- Removing the annotation brings the node back: conditions healthy, taints removed.
- ``spec.unschedulable`` (cordon) gives the taint ``node.kubernetes.io/unschedulable:NoSchedule``.
- Pods bound to a node that no longer exists are deleted (pod GC).
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.kube.timefmt import parse_time, rfc3339, rfc3339_micro
from k9py.sim import node_admission  # noqa: F401  (registers @admits("Node"))
from k9py.sim.behaviour import node_down
from k9py.sim.controllers.base import Controller
from k9py.sim.follower import Follower
from k9py.sim.identity_memo import IdentityMemo
from k9py.sim.nodes import HEALTHY_CONDITIONS
from k9py.sim.pod_conditions import pod_condition
from k9py.sim.store_index import unindex

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.store import Change

Obj = dict[str, Any]

NODE_MONITOR_GRACE = 40.0
ORPHAN_QUARANTINE = 40.0
STATUS_REPORT_EVERY = 300.0
UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
UNKNOWN_REASON = "NodeStatusUnknown"
UNKNOWN_MESSAGE = "Kubelet stopped posting node status."
NEVER = float("inf")


def _has_taint(node: Obj, key: str, effect: str) -> bool:
    return any(t.get("key") == key and t.get("effect") == effect for t in dig(node, "spec", "taints") or [])


def _ready_status(node: Obj) -> str | None:
    for c in dig(node, "status", "conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status")
    return None


def toleration_deadline(pod: Obj, taints: list[Obj]) -> float | None:
    """When the taint manager evicts ``pod`` from a node with these NoExecute ``taints``:
    None = never, -inf = at once (an untolerated taint)."""
    from k9py.sim.scheduler import tolerates

    tolerations = dig(pod, "spec", "tolerations") or []
    deadline: float | None = None
    for taint in taints:
        matching = [t for t in tolerations if tolerates([t], taint)]
        if not matching:
            return float("-inf")
        secs = [t.get("tolerationSeconds") for t in matching]
        if any(s is None for s in secs):
            continue
        added = parse_time(taint.get("timeAdded")) or 0.0
        when = added + max(0, min(int(s) for s in secs if s is not None))
        deadline = when if deadline is None else min(deadline, when)
    return deadline


class NodeLifecycleController(Controller):
    name = "nodes"

    def reconcile(self, cluster: Cluster) -> None:
        state = cluster.state.setdefault("nodes", {})
        store = cluster.store
        # The per-node work reads its Node, its Lease, the lease Namespace and the clock: a node
        # none of those changed for (but its own writes) and whose time has not come (a
        # heartbeat, a lease renewal, a grace period ending) would write nothing. So a pass looks
        # at those changed by someone else and those due (``_heap``: (due, name)), by name.
        changed: _NodesChanged = cluster.state.setdefault("nodes-changed", _NodesChanged())
        heap: list[tuple[float, str]] | None = state.get("_heap")
        if changed.follow(store) or heap is None or changed.everything:
            heap = state["_heap"] = []
            names_due = [meta.name(node) for node in store.list("Node")]
        else:
            now = cluster.now()
            due_now = set(changed.names)
            while heap and heap[0][0] <= now:
                due_now.add(heapq.heappop(heap)[1])
            if changed.names:  # their entries still in the heap are looked at now: they go
                heap[:] = [e for e in heap if e[1] not in changed.names]
                heapq.heapify(heap)
            names_due = sorted(due_now)
        changed.clear()
        changed.own = True
        try:
            for name in names_due:
                node = store.get("Node", None, name)
                if node is None:
                    continue
                st = state.setdefault(name, {})
                due = self._health(cluster, node, st)
                self._cordon(cluster, store.get("Node", None, name) or node, st)
                if due < NEVER:
                    heapq.heappush(heap, (due, name))
        finally:
            changed.own = False
        names = _node_names(cluster)
        if state.get("_names") is not names:  # a node came or went (the same set until then)
            for gone in [n for n in state if n not in names and not n.startswith("_")]:
                del state[gone]
            state["_names"] = names
        self._evictions(cluster, state.setdefault("_evictions", {}))
        self._pod_gc(cluster, names)

    # -- heartbeat / readiness --------------------------------------------------------------
    def _health(self, cluster: Cluster, node: Obj, st: dict) -> float:
        """Heartbeat, lease and readiness of one node; returns when it is next due."""
        now = cluster.now()
        name = meta.name(node)
        if node_down(node):
            since = st.setdefault("down_since", now)
            if now < since + NODE_MONITOR_GRACE:
                cluster.wake_at(since + NODE_MONITOR_GRACE)
                return since + NODE_MONITOR_GRACE
            if _ready_status(node) == "Unknown" and _has_taint(node, UNREACHABLE, "NoExecute"):
                return NEVER
            ts = rfc3339(now)

            def unknown(n: Obj) -> None:
                for c in n.setdefault("status", {}).get("conditions") or []:
                    if c.get("status") != "Unknown":
                        c["lastTransitionTime"] = ts
                    c["status"] = "Unknown"
                    c["reason"] = UNKNOWN_REASON
                    c["message"] = UNKNOWN_MESSAGE
                taints = [t for t in n.setdefault("spec", {}).get("taints") or []
                          if t.get("key") not in (UNREACHABLE, NOT_READY)]
                taints.append({"key": UNREACHABLE, "effect": "NoSchedule", "timeAdded": ts})
                taints.append({"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": ts})
                n["spec"]["taints"] = taints
            updated = cluster.store.mutate("Node", None, name, unknown)
            if updated is None:
                return NEVER
            cluster.record_event(updated, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady",
                                 "node-controller")
            for pod in cluster.store.list("Pod", match=lambda p: dig(p, "spec", "nodeName") == name):
                self._mark_not_ready(cluster, pod, ts)
            return NEVER
        st.pop("down_since", None)
        if _ready_status(node) == "True" and not _has_taint(node, UNREACHABLE, "NoExecute"):
            return min(self._heartbeat(cluster, node), renew_lease(cluster, node))
        ts = rfc3339(now)

        def healthy(n: Obj) -> None:
            conds = {c.get("type"): c for c in n.setdefault("status", {}).get("conditions") or []}
            out = []
            for type_, status, reason, message in HEALTHY_CONDITIONS:
                old = conds.get(type_) or {}
                changed = old.get("status") != status
                out.append({"type": type_, "status": status, "lastHeartbeatTime": ts,
                            "lastTransitionTime": ts if changed else old.get("lastTransitionTime", ts),
                            "reason": reason, "message": message})
            n["status"]["conditions"] = out
            taints = [t for t in n.setdefault("spec", {}).get("taints") or []
                      if t.get("key") not in (UNREACHABLE, NOT_READY)]
            if taints:
                n["spec"]["taints"] = taints
            else:
                n["spec"].pop("taints", None)
        was = _ready_status(node)
        updated = cluster.store.mutate("Node", None, name, healthy)
        if updated is not None and was != "True":
            cluster.record_event(updated, "Normal", "NodeReady", f"Node {name} status is now: NodeReady",
                                 "kubelet", host=name)
        return now  # healthy now: its heartbeat and lease are looked at in the next pass

    @staticmethod
    def _heartbeat(cluster: Cluster, node: Obj) -> float:
        """The kubelet re-posts an unchanged node status every nodeStatusReportFrequency (5 min);
        returns when it is next due."""
        now = cluster.now()
        ready: Obj = next((c for c in dig(node, "status", "conditions") or [] if c.get("type") == "Ready"), {})
        last = parse_time(ready.get("lastHeartbeatTime")) or now
        due = last + STATUS_REPORT_EVERY
        if now < due:
            cluster.wake_at(due)
            return due
        ts = rfc3339(now)

        def beat(n: Obj) -> None:
            for c in n.get("status", {}).get("conditions") or []:
                c["lastHeartbeatTime"] = ts
        cluster.store.mutate("Node", None, meta.name(node), beat)
        cluster.wake_at(now + STATUS_REPORT_EVERY)
        return now + STATUS_REPORT_EVERY

    @staticmethod
    def _mark_not_ready(cluster: Cluster, pod: Obj, ts: str) -> None:
        if dig(pod, "status", "phase") in ("Succeeded", "Failed"):
            return

        def not_ready(p: Obj) -> None:
            for c in p.setdefault("status", {}).get("conditions") or []:
                if c.get("type") == "Ready" and c.get("status") != "False":
                    c["status"] = "False"
                    c["lastTransitionTime"] = ts
        before = pod["metadata"]["resourceVersion"]
        updated = cluster.store.mutate("Pod", meta.namespace(pod), meta.name(pod), not_ready)
        if updated is not None and updated["metadata"]["resourceVersion"] != before:
            cluster.record_event(updated, "Warning", "NodeNotReady", "Node is not ready", "node-controller")

    # -- cordon --------------------------------------------------------------------------------
    def _cordon(self, cluster: Cluster, node: Obj, st: dict) -> None:
        name = meta.name(node)
        cordoned = bool(dig(node, "spec", "unschedulable"))
        has = _has_taint(node, UNSCHEDULABLE, "NoSchedule")
        if cordoned != has:
            ts = rfc3339(cluster.now())

            def fix(n: Obj) -> None:
                taints = [t for t in n.setdefault("spec", {}).get("taints") or [] if t.get("key") != UNSCHEDULABLE]
                if cordoned:
                    taints.append({"key": UNSCHEDULABLE, "effect": "NoSchedule", "timeAdded": ts})
                if taints:
                    n["spec"]["taints"] = taints
                else:
                    n["spec"].pop("taints", None)
            node = cluster.store.mutate("Node", None, name, fix) or node
        previous = st.get("unschedulable", False)
        if cordoned != previous:
            st["unschedulable"] = cordoned
            if not node_down(node):
                reason = "NodeNotSchedulable" if cordoned else "NodeSchedulable"
                cluster.record_event(node, "Normal", reason, f"Node {name} status is now: {reason}", "kubelet",
                                     host=name)

    # -- taint-based eviction ----------------------------------------------------------------------
    def _evictions(self, cluster: Cluster, pending: dict) -> None:
        now = cluster.now()
        tainted = self._no_execute_taints(cluster)
        if not tainted and not pending:
            return
        seen = set()
        for pod in cluster.store.list("Pod"):
            node = dig(pod, "spec", "nodeName")
            uid = meta.uid(pod)
            if not node or meta.is_deleting(pod) or dig(pod, "status", "phase") in ("Succeeded", "Failed"):
                continue
            if node not in tainted:
                if uid in pending:
                    del pending[uid]
                    cluster.record_event(pod, "Normal", "TaintManagerEviction",
                                         f"Cancelling deletion of Pod {meta.namespace(pod)}/{meta.name(pod)}",
                                         "taint-eviction-controller")
                continue
            deadline = toleration_deadline(pod, tainted[node])
            if deadline is None:
                continue
            seen.add(uid)
            if deadline > now:
                pending[uid] = deadline
                cluster.wake_at(deadline)
                continue
            pending.pop(uid, None)
            cluster.record_event(pod, "Normal", "TaintManagerEviction",
                                 f"Marking for deletion Pod {meta.namespace(pod)}/{meta.name(pod)}",
                                 "taint-eviction-controller")
            self._add_disruption_condition(cluster, pod)
            cluster.delete("Pod", meta.namespace(pod), meta.name(pod))
        for uid in [u for u in pending if u not in seen]:
            pending.pop(uid, None)

    @staticmethod
    def _no_execute_taints(cluster: Cluster) -> dict[str, list[Obj]]:
        """Node name -> its NoExecute taints (nodes without any left out); looked at again only
        after a Node changed."""
        store = cluster.store
        cache = cluster.state.setdefault("nodes-no-execute", {})
        version = store.kind_version("Node")
        if cache.get("version") != version:
            tainted: dict[str, list[Obj]] = {}
            for node in store.list("Node"):
                ts = [t for t in dig(node, "spec", "taints") or [] if t.get("effect") == "NoExecute"]
                if ts:
                    tainted[meta.name(node)] = ts
            cache["version"], cache["tainted"] = version, tainted
        return cache["tainted"]  # (read only: the callers never change it)

    @staticmethod
    def _add_disruption_condition(cluster: Cluster, pod: Obj) -> None:
        ts = rfc3339(cluster.now())

        def add(p: Obj) -> None:
            conds = [c for c in p.setdefault("status", {}).get("conditions") or [] if c.get("type") != "DisruptionTarget"]
            conds.append(pod_condition(p, "DisruptionTarget", "True", ts, "DeletionByTaintManager",
                                       "Taint manager: deleting due to NoExecute taint"))
            p["status"]["conditions"] = conds
        cluster.store.mutate("Pod", meta.namespace(pod), meta.name(pod), add)

    # -- pod GC ------------------------------------------------------------------------------------
    @staticmethod
    def _pod_gc(cluster: Cluster, nodes: frozenset[str]) -> None:
        """Delete pods bound to a node that does not exist (after PodGC's 40 s quarantine)."""
        now = cluster.now()
        st = cluster.state.setdefault("nodes", {})
        orphans = st.setdefault("_orphans", {})
        placed: _PodsByNode = cluster.state.setdefault("nodes-pods-by-node", _PodsByNode())
        placed.refresh(cluster.store)  # the first time: every pod; after that its changes keep it
        # one scan per virtual instant (settle runs many passes at the same time)
        stamp = (now, nodes)
        if st.get("_gc_scan") == stamp and not orphans:
            return
        st["_gc_scan"] = stamp
        seen = set()
        by_node = placed.by_node
        lost = sorted(k for node in by_node.keys() - nodes for k in by_node[node])  # (the set difference in C)
        for key in lost:
            pod = cluster.store.get("Pod", *key)
            node = dig(pod, "spec", "nodeName") if pod is not None else None
            if pod is None or not node or node in nodes:
                continue
            uid = meta.uid(pod)
            seen.add(uid)
            since = orphans.setdefault(uid, now)
            if now < since + ORPHAN_QUARANTINE:
                cluster.wake_at(since + ORPHAN_QUARANTINE)
                continue
            cluster.store.delete("Pod", meta.namespace(pod), meta.name(pod))
        for uid in [u for u in orphans if u not in seen]:
            del orphans[uid]


def _node_names(cluster: Cluster) -> frozenset[str]:
    """The names of the nodes, made again only when a node comes or goes (the store's key tuple
    for Nodes is then a new one): settle runs this controller's pass dozens of times a second,
    and 1,000 names each time cost more than the rest of an idle pass."""
    memo: IdentityMemo[frozenset[str]] = cluster.state.setdefault("nodes-names", IdentityMemo(_names_of, 1))
    return memo(cluster.store.keys("Node"))


def _names_of(keys: tuple[tuple[str, str], ...]) -> frozenset[str]:
    return frozenset(name for _, name in keys)


class _NodesChanged(Follower):
    """The nodes whose Node or Lease someone else changed since the last pass (``everything``: the
    lease Namespace did); node lifecycle's own writes (``own`` while it writes) are no news."""

    kinds = ("Node", "Lease", "Namespace")

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.everything = False
        self.own = False

    def fold(self, change: Change) -> None:
        if self.own:
            return
        obj = change.obj
        kind = obj.get("kind")
        if kind == "Namespace":
            self.everything = self.everything or obj.get("metadata", {}).get("name") == LEASE_NAMESPACE
        elif kind == "Node" or obj.get("metadata", {}).get("namespace") == LEASE_NAMESPACE:
            self.names.add(obj.get("metadata", {}).get("name", ""))

    def clear(self) -> None:
        self.names.clear()
        self.everything = False


class _PodsByNode(Follower):
    """Pods by the node they are bound to, kept up to date from the store's changes (PodGC
    looks only at the pods of nodes that are gone, not at every pod)."""

    kinds = ("Pod",)
    statuses = False  # (the node a pod is bound to is in its spec)

    def __init__(self) -> None:
        super().__init__()
        self.node_of: dict[tuple[str, ...], str] = {}  # (tuple[str, ...]: see kubelet.PodKey)
        self.by_node: dict[str, set[tuple[str, ...]]] = {}

    def refresh(self, store: Any) -> None:
        if self.follow(store):
            self.node_of, self.by_node = {}, {}
            for pod in store.list("Pod"):
                self._place((meta.namespace(pod), meta.name(pod)), dig(pod, "spec", "nodeName"))

    def fold(self, change: Change) -> None:
        obj, old = change.obj, change.old
        if old is not None and old.get("spec") is obj.get("spec"):
            return  # a status or metadata write: the same node
        node = None if change.type == "DELETED" else dig(obj, "spec", "nodeName")
        self._place((meta.namespace(obj), meta.name(obj)), node)

    def _place(self, key: tuple[str, ...], node: str | None) -> None:
        was = self.node_of.get(key)
        if was == node:
            return
        if was is not None:
            unindex(self.by_node, was, key)
            del self.node_of[key]
        if node:
            self.node_of[key] = node
            self.by_node.setdefault(node, set()).add(key)


LEASE_NAMESPACE = "kube-node-lease"
LEASE_DURATION = 40
LEASE_RENEW_EVERY = 10  # the kubelet renews at a quarter of the lease duration


def renew_lease(cluster: Cluster, node: Obj) -> float:
    """The kubelet's node Lease in kube-node-lease, renewed every 10 s of virtual time while the
    node is up (renewTime on the 10 s mark); returns when it is next due."""
    name = meta.name(node)
    now = cluster.now()
    mark = now - (now % LEASE_RENEW_EVERY)
    cluster.wake_at(mark + LEASE_RENEW_EVERY)
    renew = rfc3339_micro(mark)
    lease = cluster.store.get("Lease", LEASE_NAMESPACE, name)
    if lease is None:
        if cluster.store.get("Namespace", None, LEASE_NAMESPACE) is None:
            return mark + LEASE_RENEW_EVERY
        cluster.store.create({
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": name, "namespace": LEASE_NAMESPACE,
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": name,
                                              "uid": meta.uid(node)}]},
            "spec": {"holderIdentity": name, "leaseDurationSeconds": LEASE_DURATION, "renewTime": renew}})
    elif dig(lease, "spec", "renewTime") != renew:
        cluster.store.rewrite("Lease", LEASE_NAMESPACE, name, lambda o: o["spec"].__setitem__("renewTime", renew),
                              fields=("spec",))
    return mark + LEASE_RENEW_EVERY
