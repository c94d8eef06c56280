"""DaemonSetController (pkg/controller/daemon): one pod per eligible node, pinned with node
affinity on metadata.name and placed by the scheduler; automatic tolerations; rolling updates
bounded by maxUnavailable; status counts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import deep_copy, dig
from k9py.kube.status import ApiError, invalid
from k9py.sim.admission import admits
from k9py.sim.controllers import podtemplate as pt
from k9py.sim.controllers.base import Controller
from k9py.sim.controllers.settled_syncs import SettledSyncs
from k9py.sim.follower import Follower
from k9py.sim.scheduler import matches_node_affinity, tolerates

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.store import Change

Obj = dict[str, Any]
COMPONENT = "daemonset-controller"
TEMPLATE_GENERATION = "pod-template-generation"
REVISION_HASH_LABEL = "controller.kubernetes.io/hash"

# util.AddOrUpdateDaemonPodTolerations
DAEMON_TOLERATIONS = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
)
NETWORK_UNAVAILABLE = {"key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"}


@admits("DaemonSet")
def _admit_daemonset(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict):
        us = spec.setdefault("updateStrategy", {})
        if isinstance(us, dict):
            us.setdefault("type", "RollingUpdate")
            if us["type"] == "RollingUpdate":
                ru = us.setdefault("rollingUpdate", {})
                ru.setdefault("maxUnavailable", 1)
                ru.setdefault("maxSurge", 0)
        spec.setdefault("revisionHistoryLimit", 10)
        spec["template"] = pt.default_template(spec.get("template"))
    name = meta.name(obj)
    pt.validate_selector_template("DaemonSet", obj, old, what="daemonset")
    causes = []
    if dig(spec, "updateStrategy", "type") not in ("RollingUpdate", "OnDelete"):
        causes.append(("spec.updateStrategy.type", f'Unsupported value: "{dig(spec, "updateStrategy", "type")}": supported values: "OnDelete", "RollingUpdate"'))
    ru = dig(spec, "updateStrategy", "rollingUpdate")
    if dig(spec, "updateStrategy", "type") == "RollingUpdate" and isinstance(ru, dict):
        # ValidateRollingUpdateDaemonSet (a "x" or -1 here failed the controller at every sync)
        path = "spec.updateStrategy.rollingUpdate"
        wrong = [c for f in ("maxUnavailable", "maxSurge") for c in pt.int_or_percent_causes(f"{path}.{f}", ru.get(f))]
        causes += wrong
        if not wrong:
            unavailable = pt.int_or_percent(ru.get("maxUnavailable"), 100, True, 1) != 0
            surge = pt.int_or_percent(ru.get("maxSurge"), 100, True, 0) != 0
            if unavailable and surge:
                causes.append((f"{path}.maxSurge", f"Invalid value: {json.dumps(ru.get('maxSurge'))}: may not be set when maxUnavailable is non-zero"))
            elif not unavailable and not surge:
                causes.append((f"{path}.maxUnavailable", "Required value: cannot be 0 when maxSurge is 0"))
    if causes:
        raise invalid("DaemonSet", name, causes)


def daemon_tolerations(spec: Obj) -> list[Obj]:
    tols = list(spec.get("tolerations") or [])
    wanted = list(DAEMON_TOLERATIONS) + ([NETWORK_UNAVAILABLE] if spec.get("hostNetwork") else [])
    for t in wanted:
        if not any(x.get("key") == t["key"] and x.get("effect") == t["effect"] and x.get("operator") == "Exists"
                   and not x.get("tolerationSeconds") for x in tols):
            tols = [x for x in tols if not (x.get("key") == t["key"] and x.get("effect") == t["effect"])]
            tols.append(dict(t))
    return tols


def target_node(pod: Obj) -> str | None:
    """GetTargetNodeName: spec.nodeName, or the metadata.name node affinity of a pending pod."""
    if dig(pod, "spec", "nodeName"):
        return pod["spec"]["nodeName"]
    terms = dig(pod, "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms") or []
    for term in terms:
        for f in term.get("matchFields") or []:
            if f.get("key") == "metadata.name" and f.get("operator") == "In" and len(f.get("values") or []) == 1:
                return f["values"][0]
    return None


def node_should_run(ds: Obj, node: Obj) -> tuple[bool, bool]:
    """(shouldRun, shouldContinueRunning) as NodeShouldRunDaemonPod decides."""
    return _should_run(_probe(ds), node)


def should_run_on(ds: Obj, nodes: list[Obj]) -> list[tuple[bool, bool]]:
    """``node_should_run`` for each node, the DaemonSet's tolerations worked out once."""
    probe = _probe(ds)
    return [_should_run(probe, n) for n in nodes]


def _changes_where_it_runs(ds: Obj, changed: list[tuple[Obj, Obj]]) -> bool:
    """Whether one of these (old, new) node versions changes whether ``ds`` should run there."""
    probe = _probe(ds)
    return any(_should_run(probe, old) != _should_run(probe, new) for old, new in changed)


def pods_by_node(pods: Iterable[Obj]) -> dict[str, list[Obj]]:
    """Pods grouped by ``target_node`` (those with none left out), in the order given."""
    by_node: dict[str, list[Obj]] = {}
    for p in pods:
        n = target_node(p)
        if n:
            by_node.setdefault(n, []).append(p)
    return by_node


def _probe(ds: Obj) -> Obj:
    tpl_spec = dig(ds, "spec", "template", "spec") or {}
    return {"spec": {**tpl_spec, "tolerations": daemon_tolerations(tpl_spec)}}


def _should_run(probe: Obj, node: Obj) -> tuple[bool, bool]:
    if not matches_node_affinity(probe, node):
        return False, False
    tols = probe["spec"]["tolerations"]
    run = cont = True
    for taint in dig(node, "spec", "taints") or []:
        if taint.get("effect") not in ("NoSchedule", "NoExecute"):
            continue
        if not tolerates(tols, taint):
            run = False
            if taint.get("effect") == "NoExecute":
                cont = False
    return run, cont


def _inputs(c: Cluster, ds: Obj) -> tuple:
    """Everything a sync of ``ds`` reads but its pods and the nodes: itself, the revisions and,
    with minReadySeconds, the clock (its pods' changes are heard as they are made:
    ``PodsChanged``; the nodes', by ``_NodeChanges``)."""
    store = c.store
    clock = c.now() if dig(ds, "spec", "minReadySeconds") else None
    return (ds["metadata"].get("resourceVersion"), store.kind_version("ControllerRevision"), clock)


class _NodeChanges(Follower):
    """The nodes that came or went, and the (old, new) versions of those whose labels or taints
    changed, since the last ``take``: what a DaemonSet's sync reads of a node is its name and
    whether the DaemonSet should run there (affinity, taints); a node's status (heartbeats,
    conditions) is not. As daemon_controller's updateNode, a changed node wakes only the
    DaemonSets for which it changes whether they should run there (a cordon: none, they
    tolerate it)."""

    kinds = ("Node",)

    def __init__(self) -> None:
        super().__init__()
        self.moved = False  # a node came or went
        self.changed: list[tuple[Obj, Obj]] = []

    def take(self, store: Any) -> tuple[bool, list[tuple[Obj, Obj]]]:
        """(whether the set of nodes moved, the changed nodes); the first time (or for a new
        store), every DaemonSet counts as woken: moved."""
        moved = self.follow(store) or self.moved
        out = (moved, self.changed)
        self.moved, self.changed = False, []
        return out

    def fold(self, change: Change) -> None:
        old, new = change.old, change.obj
        if change.type != "MODIFIED" or old is None:
            self.moved = True
            return
        omd, nmd = old.get("metadata") or {}, new.get("metadata") or {}
        if omd.get("labels") == nmd.get("labels") and dig(old, "spec", "taints") == dig(new, "spec", "taints"):
            return  # a status write (a heartbeat, a condition)
        self.changed.append((old, new))


class DaemonSetController(Controller):
    name = "daemonset"
    _waiting = False  # the sync running now could not create a pod (its back-off's wake-up tries again)

    def reconcile(self, cluster: Cluster) -> None:
        store = cluster.store
        nodes: list[Obj] | None = None  # read once a sync needs them
        syncs: SettledSyncs = cluster.state.setdefault("daemonset-settled", SettledSyncs())
        syncs.begin(store, "DaemonSet")
        node_changes: _NodeChanges = cluster.state.setdefault("daemonset-node-changes", _NodeChanges())
        moved, changed = node_changes.take(store)
        for ds in store.list("DaemonSet"):
            if meta.is_deleting(ds):
                continue
            uid = meta.uid(ds)
            if moved or (changed and _changes_where_it_runs(ds, changed)):
                syncs.woken(uid)
            read = _inputs(cluster, ds)
            if syncs.settled(uid, read):
                continue
            rv = store.resource_version
            if nodes is None:
                nodes = store.list("Node")
            self._waiting = False
            try:
                self._sync(cluster, ds, nodes)
            except ApiError:
                syncs.synced(uid, None)
                continue
            # nothing written (and no pod held back): read as it was
            syncs.synced(uid, read if store.resource_version == rv and not self._waiting else None)
        syncs.end()

    def _revision(self, c: Cluster, ds: Obj) -> tuple[Obj, str]:
        data = {"spec": {"template": {**deep_copy(dig(ds, "spec", "template") or {}), "$patch": "replace"}}}
        revs = sorted(pt.owned(c, "ControllerRevision", ds), key=lambda r: r.get("revision", 0))
        max_rev = max((r.get("revision", 0) for r in revs), default=0)
        cur = next((r for r in revs if r.get("data") == data), None)
        if cur is None:
            h = pt.compute_hash(data, int(dig(ds, "status", "collisionCount", default=0)) or None)
            cur = c.store.create({
                "apiVersion": "apps/v1", "kind": "ControllerRevision",
                "metadata": {"name": f"{meta.name(ds)}-{h}", "namespace": meta.namespace(ds),
                             "labels": {**(dig(ds, "spec", "template", "metadata", "labels") or {}),
                                        pt.CONTROLLER_REVISION_HASH: h},
                             "ownerReferences": [meta.owner_reference(ds)]},
                "data": data, "revision": max_rev + 1})
            revs.append(cur)
        elif cur.get("revision", 0) < max_rev:
            cur = c.store.mutate("ControllerRevision", meta.namespace(cur), meta.name(cur),
                                 lambda o: o.__setitem__("revision", max_rev + 1)) or cur
        limit = int(dig(ds, "spec", "revisionHistoryLimit", default=10))
        old = [r for r in revs if meta.name(r) != meta.name(cur)]
        if len(old) > limit:
            live = {meta.labels(p).get(pt.CONTROLLER_REVISION_HASH) for p in pt.owned(c, "Pod", ds)}
            dead = [r for r in old if meta.labels(r).get(pt.CONTROLLER_REVISION_HASH) not in live]
            for r in dead[:len(old) - limit]:
                c.store.delete("ControllerRevision", meta.namespace(r), meta.name(r))
        return cur, meta.labels(cur).get(pt.CONTROLLER_REVISION_HASH, "")

    def _sync(self, c: Cluster, ds: Obj, nodes: list[Obj]) -> None:
        ns = meta.namespace(ds)
        now = c.now()
        _, h = self._revision(c, ds)
        min_ready = int(dig(ds, "spec", "minReadySeconds", default=0))
        by_node = pods_by_node(pt.owned(c, "Pod", ds))
        should = should_run_on(ds, nodes)  # the DaemonSet and the nodes stay as they are all pass
        node_names = {meta.name(n) for n in nodes}
        # Pods pinned to nodes that no longer exist go.
        for n, ps in by_node.items():
            if n not in node_names:
                for p in ps:
                    if not meta.is_deleting(p):
                        pt.delete_pod(c, ds, p, COMPONENT)
        for node, (run, cont) in zip(nodes, should, strict=True):
            nname = meta.name(node)
            ps = by_node.get(nname, [])
            if run:
                alive = []
                for p in ps:
                    if meta.is_deleting(p):
                        continue
                    if dig(p, "status", "phase") == "Failed":
                        c.record_event(ds, "Warning", "FailedDaemonPod",
                                       f"Found failed daemon pod {ns}/{meta.name(p)} on node {nname}, will try to kill it", COMPONENT)
                        pt.delete_pod(c, ds, p, COMPONENT)
                        continue
                    alive.append(p)
                if not alive:
                    self._create(c, ds, nname, h)
                elif len(alive) > 1:
                    alive.sort(key=pt.creation_key)
                    for p in alive[1:]:
                        pt.delete_pod(c, ds, p, COMPONENT)
            elif not cont:
                for p in ps:
                    if not meta.is_deleting(p):
                        pt.delete_pod(c, ds, p, COMPONENT)
        if dig(ds, "spec", "updateStrategy", "type") == "RollingUpdate":
            self._rolling_update(c, ds, nodes, should, h, min_ready, now)
        self._update_status(c, ds, nodes, should, h, min_ready, now)

    def _create(self, c: Cluster, ds: Obj, node: str, h: str) -> None:
        template = deep_copy(dig(ds, "spec", "template") or {})  # its spec becomes the pod's (changed below)
        extra = {pt.CONTROLLER_REVISION_HASH: h, TEMPLATE_GENERATION: str(ds["metadata"].get("generation", 1))}
        pod = pt.pod_from_template(ds, template, generate_name=f"{meta.name(ds)}-", extra_labels=extra, share=True)
        spec = pod["spec"]
        spec["tolerations"] = daemon_tolerations(spec)
        aff = spec.setdefault("affinity", {})
        na = aff.setdefault("nodeAffinity", {})
        na["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}
        created, _ = pt.create_pod(c, ds, pod, COMPONENT, fresh=True)
        if created is None:
            self._waiting = True

    def _rolling_update(self, c: Cluster, ds: Obj, nodes: list[Obj], should: list[tuple[bool, bool]],
                        h: str, min_ready: int, now: float) -> None:
        desired = sum(1 for run, _ in should if run)
        ru = dig(ds, "spec", "updateStrategy", "rollingUpdate") or {}
        max_unavailable = pt.int_or_percent(ru.get("maxUnavailable"), desired, True, 1)
        if max_unavailable == 0 and pt.int_or_percent(ru.get("maxSurge"), desired, True, 0) == 0:
            max_unavailable = 1
        by_node = pods_by_node(p for p in pt.owned(c, "Pod", ds) if not meta.is_deleting(p))
        unavailable = 0
        old_available: list[Obj] = []
        for n, (run, _) in zip(nodes, should, strict=True):
            if not run:
                continue
            ps = by_node.get(meta.name(n))
            if not ps:
                unavailable += 1
                continue
            p = min(ps, key=pt.creation_key)  # the first created (the first of equals, as sorted)
            old = meta.labels(p).get(pt.CONTROLLER_REVISION_HASH) != h
            if not pt.is_available(p, min_ready, now):
                unavailable += 1
                if old:  # an old pod that is not available anyway can go at once
                    pt.delete_pod(c, ds, p, COMPONENT)
            elif old:
                old_available.append(p)
        for p in old_available:
            if unavailable >= max_unavailable:
                break
            pt.delete_pod(c, ds, p, COMPONENT)
            unavailable += 1

    def _update_status(self, c: Cluster, ds: Obj, nodes: list[Obj], should: list[tuple[bool, bool]],
                       h: str, min_ready: int, now: float) -> None:
        ns, name = meta.namespace(ds), meta.name(ds)
        by_node = pods_by_node(p for p in pt.owned(c, "Pod", ds) if not meta.is_deleting(p))
        desired = current = ready = available = updated = mis = 0
        for n, (run, _) in zip(nodes, should, strict=True):
            ps = by_node.get(meta.name(n))
            if run:
                desired += 1
                if ps:
                    current += 1
                    p = min(ps, key=pt.creation_key)
                    if pt.is_ready(p):
                        ready += 1
                        if pt.is_available(p, min_ready, now):
                            available += 1
                        elif min_ready:
                            at = pt.available_at(p, min_ready)
                            if at is not None:
                                c.wake_at(at)
                    if meta.labels(p).get(pt.CONTROLLER_REVISION_HASH) == h:
                        updated += 1
            elif ps:
                mis += 1
        ds = c.store.get("DaemonSet", ns, name) or ds
        status: Obj = {"currentNumberScheduled": current, "numberMisscheduled": mis, "desiredNumberScheduled": desired,
                       "numberReady": ready, "observedGeneration": ds["metadata"].get("generation", 1),
                       "updatedNumberScheduled": updated, "numberAvailable": available,
                       "numberUnavailable": desired - available}
        for k in ("updatedNumberScheduled", "numberAvailable", "numberUnavailable"):
            if not status[k]:
                status.pop(k)
        c.store.write_status("DaemonSet", ns, name, status)
