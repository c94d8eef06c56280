"""ReplicaSetController: keeps ``spec.replicas`` active pods per ReplicaSet (pkg/controller/replicaset)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from k9py.kube import meta, selectors
from k9py.kube.meta import dig
from k9py.kube.timefmt import parse_time
from k9py.sim.admission import admits
from k9py.sim.controllers import podtemplate as pt
from k9py.sim.controllers.base import Controller, add_owners

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
COMPONENT = "replicaset-controller"
BURST = 500  # controller.SlowStartInitialBatchSize caps one sync at 500 creations in k8s


@admits("ReplicaSet")
def _admit_replicaset(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec["template"] = pt.default_template(spec.get("template"))
    pt.validate_selector_template("ReplicaSet", obj, old, what="replicaset")
    pt.check_non_negative("ReplicaSet", meta.name(obj), spec, ("minReadySeconds",))


def _log_bucket(t: float | None, now: float) -> float:
    """LogarithmicScaleDown: compare times by the power-of-two bucket of their age."""
    if t is None:
        return float("-inf")
    age = max(now - t, 0.0)
    return float(math.floor(math.log2(age))) if age >= 1 else -1.0


def pod_delete_rank(pods: list[Obj], related: list[Obj], now: float | None = None) -> list[Obj]:
    """Order pods the way controller.ActivePodsWithRanks does: the first ones go first.
    unscheduled < scheduled; Pending < Unknown < Running; not ready < ready; lower
    pod-deletion-cost; more related pods on the same node; ready for less time; more restarts;
    newer (ages compared in log2 buckets, as LogarithmicScaleDown does)."""
    per_node: dict[str, int] = {}
    for p in related:
        node = dig(p, "spec", "nodeName")
        if node and pt.is_active(p):
            per_node[node] = per_node.get(node, 0) + 1
    phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}
    t_now = now if now is not None else max((pt.creation_key(p)[0] for p in pods), default=0.0)

    def cost(p: Obj) -> int:
        try:
            return int(meta.annotations(p).get("controller.kubernetes.io/pod-deletion-cost", "0"))
        except ValueError:
            return 0

    def key(p: Obj) -> tuple:
        node = dig(p, "spec", "nodeName") or ""
        ready = pt.is_ready(p)
        return (1 if node else 0,
                phase_rank.get(dig(p, "status", "phase") or "Pending", 0),
                1 if ready else 0,
                cost(p),
                -per_node.get(node, 0) if node else 0,
                _log_bucket(pt.ready_since(p), t_now) if ready else 0,
                -pt.restart_count(p),
                _log_bucket(pt.creation_key(p)[0], t_now))
    return sorted(pods, key=key)


_COUNTS = ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration")


def _facts(pod: Obj) -> tuple:
    """What a ReplicaSet's sync reads of a pod outside a scale-down (which only an unsettled
    ReplicaSet does, and those are synced every pass): whether it matches and is owned, whether
    it is active (not being deleted, not finished) and, if so, since when it is ready (for
    availability). Nothing else of a pod being deleted counts: it is no longer one of the
    replicas, so its containers stopping wake nobody."""
    md = pod["metadata"]
    if md.get("deletionTimestamp"):
        return (md.get("labels"), md.get("ownerReferences"), True)
    ready = pt.ready_condition(pod)
    return (md.get("labels"), md.get("ownerReferences"), False,
            dig(pod, "status", "phase") in ("Succeeded", "Failed"),
            ready.get("lastTransitionTime") if ready is not None and ready.get("status") == "True" else None)


def _same_facts(old: Obj, new: Obj) -> bool:
    """``_facts(old) == _facts(new)``, answered from the parts two versions share where it can
    (a status write that left the phase and conditions as they were keeps them)."""
    mo, mn = old["metadata"], new["metadata"]
    if mo.get("labels") != mn.get("labels") or mo.get("ownerReferences") != mn.get("ownerReferences"):
        return False
    deleting = bool(mo.get("deletionTimestamp"))
    if deleting != bool(mn.get("deletionTimestamp")):
        return False
    so, sn = old.get("status"), new.get("status")
    if deleting or so is sn:
        return True
    if type(so) is dict and type(sn) is dict and so.get("phase") == sn.get("phase") and \
            so.get("conditions") is sn.get("conditions"):
        return True
    return _facts(old) == _facts(new)


class _SyncState:
    """Which ReplicaSets a pass looks at: those not settled (``pending``), those with
    minReadySeconds (their availability moves with the clock: ``timed``) and those the store's
    changes since the last pass concern (themselves, their pods, orphan pods of their namespace)."""

    def __init__(self) -> None:
        self.memo: dict[str, tuple] = {}  # uid -> what the last sync that settled it read
        self.pending: set[tuple[str, str]] = set()
        self.timed: set[tuple[str, str]] = set()
        self.idle: dict[str, tuple] = {}  # uid -> (what it read, clock) of a sync that wrote nothing
        self.seen: int | None = None

    def candidates(self, store: Any) -> list[tuple[str, str]]:
        changes = None if self.seen is None else store.changes_since(self.seen)
        self.seen = store.resource_version
        if changes is None:
            for rs in store.list("ReplicaSet"):
                self._note(rs)
            return list(store.keys("ReplicaSet"))
        keys = self.pending | self.timed
        for ch in changes:
            kind = ch.obj.get("kind")
            if kind == "ReplicaSet":
                key = self._note(ch.obj)
                memo = self.memo.get(meta.uid(ch.obj))
                if memo is not None and memo[0] == ch.obj["metadata"].get("resourceVersion"):
                    continue  # its own last write, read by the sync that settled it (what else changed adds it)
                keys.add(key)
            elif kind == "Pod":
                if ch.old is not None and ch.type == "MODIFIED" and _same_facts(ch.old, ch.obj):
                    continue  # nothing a ReplicaSet reads of its pods changed (a container's state, an annotation)
                if ch.type == "DELETED" and ch.obj["metadata"].get("deletionTimestamp"):
                    continue  # gone after it was marked for deletion: since then it was no replica
                add_owners(store, ch, "ReplicaSet", keys)
        return sorted(keys)

    def _note(self, rs: Obj) -> tuple[str, str]:
        key = (meta.namespace(rs), meta.name(rs))
        if dig(rs, "spec", "minReadySeconds"):
            self.timed.add(key)
        else:
            self.timed.discard(key)
        return key


class ReplicaSetController(Controller):
    name = "replicaset"

    def reconcile(self, cluster: Cluster) -> None:
        store = cluster.store
        state: _SyncState = cluster.state.setdefault("replicaset-sync", _SyncState())
        orphans: dict[str, list[Obj]] = {}  # namespace -> active pods without a controller
        memo = state.memo
        for key in state.candidates(store):
            rs = store.get("ReplicaSet", *key)
            if rs is None or meta.is_deleting(rs):
                state.pending.discard(key)
                state.timed.discard(key)
                continue
            uid = meta.uid(rs)
            ns = key[0]
            pods = store.controlled_by("Pod", uid)
            if ns not in orphans:
                orphans[ns] = [p for p in store.controlled_by("Pod", "", ns) if pt.is_active(p)]
            ns_orphans = orphans[ns]
            # Nothing the sync reads changed since last time: skip it (settle runs us often).
            sig = (rs["metadata"].get("resourceVersion"), tuple([p["metadata"].get("resourceVersion") for p in pods]),
                   tuple([o["metadata"].get("resourceVersion") for o in ns_orphans]), cluster.now() if dig(rs, "spec", "minReadySeconds") else None)
            if memo.get(uid) == sig:
                state.pending.discard(key)
                continue
            # Not settled, but its last sync saw exactly this at the same time and wrote nothing.
            idle = (sig, cluster.now())
            if state.idle.get(uid) == idle:
                continue
            before = store.resource_version
            self._sync(cluster, rs, pods, ns_orphans)
            if store.resource_version == before:
                state.idle[uid] = idle
            else:
                state.idle.pop(uid, None)
            rs_after = store.get("ReplicaSet", *key)
            if rs_after is not None and dig(rs_after, "status", "replicas") == dig(rs_after, "spec", "replicas"):
                after = pt.pods_by_owner_uid(cluster, ns, uid)
                memo[uid] = (rs_after["metadata"].get("resourceVersion"),
                             tuple([p["metadata"].get("resourceVersion") for p in after]),
                             sig[2], sig[3])
                state.pending.discard(key)
            else:
                memo.pop(uid, None)
                state.pending.add(key)

    @staticmethod
    def _related(cluster: Cluster, rs: Obj) -> list[Obj]:
        """getIndirectlyRelatedPods: pods of every ReplicaSet under the same Deployment."""
        owner = pt.controller_uid(rs)
        if owner is None:
            return cluster.store.controlled_by("Pod", meta.uid(rs))
        out: list[Obj] = []
        for sib in cluster.store.controlled_by("ReplicaSet", owner, meta.namespace(rs)):
            out.extend(cluster.store.controlled_by("Pod", meta.uid(sib)))
        return out

    def _sync(self, cluster: Cluster, rs: Obj, pods: list[Obj], orphans: list[Obj]) -> None:
        ns, name = meta.namespace(rs), meta.name(rs)
        spec = rs.get("spec") or {}
        sel = selectors.from_label_selector(spec.get("selector"))
        uid = meta.uid(rs)
        # The pods a scale-down ranks against, as they were when the sync began: looked up only
        # for a scale-down, or before the first write that would change them.
        related: list[Obj] | None = None
        # Claim orphans that match, release pods that no longer match (ControllerRefManager).
        pods = list(pods)
        for o in orphans:
            if sel and selectors.matches(sel, meta.labels(o)) and meta.controller_ref(
                    cluster.store.get("Pod", ns, meta.name(o)) or o) is None:
                related = self._related(cluster, rs) if related is None else related
                adopted = cluster.store.mutate("Pod", ns, meta.name(o), pt.add_owner_ref(meta.owner_reference(rs)))
                if adopted is not None:
                    pods.append(adopted)
        kept = []
        matched = None  # the last labels found to match: replicas share one labels dict
        for p in pods:
            labels = meta.labels(p)
            if labels is matched or selectors.matches(sel, labels):
                matched = labels
                kept.append(p)
            elif not meta.is_deleting(p):
                related = self._related(cluster, rs) if related is None else related
                cluster.store.mutate("Pod", ns, meta.name(p), lambda o: o["metadata"].__setitem__(
                    "ownerReferences", [r for r in meta.owner_refs(o) if r.get("uid") != uid]))
            else:
                kept.append(p)
        active = [p for p in kept if pt.is_active(p)]
        want = int(spec.get("replicas", 1) or 0)
        diff = len(active) - want
        failure = None
        if diff < 0:
            refs = [meta.owner_reference(rs)]
            for _ in range(min(-diff, BURST)):
                pod = pt.pod_from_template(rs, spec.get("template") or {}, generate_name=f"{name}-", share=True,
                                           owner_refs=refs)
                created, err = pt.create_pod(cluster, rs, pod, COMPONENT, fresh=True)
                if created is None:
                    failure = err
                    break
                active.append(created)
        elif diff > 0:
            related = self._related(cluster, rs) if related is None else related
            doomed = pod_delete_rank(active, related, cluster.now())[:diff]
            for p in doomed:
                pt.delete_pod(cluster, rs, p, COMPONENT)
            gone = {meta.uid(p) for p in doomed}
            active = [p for p in active if meta.uid(p) not in gone]
        self._set_failure(cluster, rs, failure)
        self._update_status(cluster, rs, active)

    def _set_failure(self, cluster: Cluster, rs: Obj, message: str | None) -> None:
        current = pt.get_condition(rs, "ReplicaFailure")
        if message is None and current is None:
            return
        now = cluster.now()

        def apply(o: Obj) -> None:
            st = o.setdefault("status", {})
            conds = [c for c in st.get("conditions") or [] if c.get("type") != "ReplicaFailure"]
            if message is not None:
                from k9py.kube.timefmt import rfc3339
                prev = current if current is not None and current.get("message") == message else None
                conds.append(prev or {"type": "ReplicaFailure", "status": "True", "lastTransitionTime": rfc3339(now),
                                      "reason": "FailedCreate", "message": message})
            if conds:
                st["conditions"] = conds
            else:
                st.pop("conditions", None)
        cluster.store.rewrite("ReplicaSet", meta.namespace(rs), meta.name(rs), apply, fields=("status",))

    def _update_status(self, cluster: Cluster, rs: Obj, pods: list[Obj]) -> None:
        ns = meta.namespace(rs)
        spec = rs.get("spec") or {}
        tpl_labels = dig(spec, "template", "metadata", "labels") or {}
        min_ready = int(spec.get("minReadySeconds", 0) or 0)
        now = cluster.now()
        ready = available = labelled = 0
        wanted = tpl_labels.items()
        for p in pods:
            if wanted <= (p["metadata"].get("labels") or {}).items():
                labelled += 1
            cond = pt.ready_condition(p)
            if cond is not None and cond.get("status") == "True":  # pt.is_ready, is_available inlined: a hot loop
                ready += 1
                since = parse_time(cond.get("lastTransitionTime")) if min_ready else None
                if not min_ready or (since is not None and since + min_ready <= now):
                    available += 1
                elif since is not None:
                    cluster.wake_at(since + min_ready)

        def counts(o: Obj) -> dict[str, int]:
            """The status fields ``apply`` sets, as it leaves them."""
            out = {"replicas": len(pods), "fullyLabeledReplicas": labelled, "readyReplicas": ready,
                   "availableReplicas": available, "observedGeneration": o["metadata"].get("generation", 1)}
            return {k: v for k, v in out.items() if v or k in ("replicas", "observedGeneration")}

        def apply(o: Obj) -> None:
            st = o.setdefault("status", {})
            st["replicas"] = len(pods)
            st["fullyLabeledReplicas"] = labelled
            st["readyReplicas"] = ready
            st["availableReplicas"] = available
            st["observedGeneration"] = o["metadata"].get("generation", 1)
            # The API omits zero counts (omitempty), except replicas.
            for k in ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"):
                if not st[k]:
                    st.pop(k)
        cur = cluster.store.get("ReplicaSet", ns, meta.name(rs))
        if cur is not None and isinstance(cur.get("status"), dict) and \
                {k: cur["status"][k] for k in _COUNTS if k in cur["status"]} == counts(cur):
            return  # a no-op write: skip copying the object for it
        cluster.store.rewrite("ReplicaSet", ns, meta.name(rs), apply, fields=("status",))
