"""ReplicaSetController: keeps ``spec.replicas`` active pods per ReplicaSet (pkg/controller/replicaset)."""

from __future__ import annotations

import math
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from mypy_extensions import mypyc_attr

from k9py.kube import meta, selectors
from k9py.kube.meta import dig
from k9py.kube.timefmt import parse_time, rfc3339
from k9py.sim.admission import admits
from k9py.sim.controllers import podtemplate as pt
from k9py.sim.controllers.base import Controller, add_owners
from k9py.sim.follower import Follower
from k9py.sim.picklestate import restore, state_of

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.store import Change

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
    t_now = now if now is not None else max((pt.creation_key(p)[0] for p in pods), default=0.0)

    def key(p: Obj) -> tuple:
        # the helpers' reads (dig, is_ready, ready_since, restart_count, creation_key,
        # meta.annotations) in one walk over the pod: a scale-down ranks every replica
        md = p.get("metadata", {})
        spec = p.get("spec")
        node = (spec.get("nodeName") if isinstance(spec, dict) else None) or ""
        st = p.get("status")
        phase = cond = None
        restarts = 0
        if isinstance(st, dict):
            phase = st.get("phase")
            for c in st.get("conditions") or ():
                if c.get("type") == "Ready":  # the first one, as pt.ready_condition reads it
                    cond = c
                    break
            for cs in st.get("containerStatuses") or ():
                restarts += int(cs.get("restartCount", 0))
        ready = cond is not None and cond.get("status") == "True"
        try:
            cost = int((md.get("annotations") or _NO_ANNOTATIONS).get(DELETION_COST, "0"))
        except ValueError:
            cost = 0
        return (1 if node else 0,
                _PHASE_RANK.get(phase or "Pending", 0),
                1 if ready else 0,
                cost,
                -per_node.get(node, 0) if node else 0,
                _log_bucket(parse_time(cond.get("lastTransitionTime")), t_now) if ready and cond is not None else 0,
                -restarts,
                _log_bucket(parse_time(md.get("creationTimestamp")) or 0.0, t_now))
    return sorted(pods, key=key)


_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
_NO_ANNOTATIONS: dict[str, str] = {}  # (read only)


def _facts(pod: Obj) -> tuple:
    """What a ReplicaSet's sync reads of a pod outside a scale-down (which only an unsettled
    ReplicaSet does, and those are synced every pass): whether it matches and is owned, whether
    it is active (not being deleted, not finished) and, if so, since when it is ready (for
    availability). Nothing else of a pod being deleted counts: it is no longer one of the
    replicas, so its containers stopping wake nobody."""
    md = pod["metadata"]
    if md.get("deletionTimestamp"):
        return (md.get("labels"), md.get("ownerReferences"), True)
    return (md.get("labels"), md.get("ownerReferences"), False, *_status_facts(pod.get("status")))


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
    return _status_facts(so) == _status_facts(sn)


def _status_facts(st: Any) -> tuple[bool, Any]:
    """What ``_facts`` reads of a pod's status (when it is not being deleted): whether its phase
    is a terminal one, and since when it is ready (None: not ready). From the status alone, so
    that ``_same_facts`` reads two versions' without more."""
    if type(st) is not dict:
        return (False, None)
    since = None
    for c in st.get("conditions") or ():
        if c.get("type") == "Ready":  # the first one, as ready_condition reads it
            if c.get("status") == "True":
                since = c.get("lastTransitionTime")
            break
    return (st.get("phase") in ("Succeeded", "Failed"), since)


_NONE = object()  # no labels looked at yet


class _Entry(NamedTuple):
    """What a sync reads of one version of a pod."""

    pod: Obj
    active: bool  # pt.is_active
    ready: bool  # pt.is_ready
    ready_time: Any  # the Ready condition's lastTransitionTime, when ready
    labels: Any  # its labels (None when it has none)
    reads: tuple  # all a sync of a settled ReplicaSet reads of it: equal, that sync would do the same


_NAME = itemgetter(0)  # _Entry.reads: the pod's name first
_new_entry = tuple.__new__  # _Entry(...) without the NamedTuple's own __new__ in Python
_READS = itemgetter(5)  # _Entry.reads


def _entry(pod: Obj) -> _Entry:
    """The facts of ``pod`` a sync reads, worked out once per version of the pod: a stored pod is
    never changed, a new version is a new object. A settled ReplicaSet (as many active pods as it
    wants) does not scale down: its sync reads no more of a pod than its name, labels,
    ownerReferences, whether it is being deleted, active, ready and since when."""
    md = pod["metadata"]
    st = pod.get("status")
    cond = phase = None
    if isinstance(st, dict):  # pt.ready_condition and pt.is_active's reads of the status, in one look
        phase = st.get("phase")
        for c in st.get("conditions") or ():
            if c.get("type") == "Ready":
                cond = c
                break
    ready = cond is not None and cond.get("status") == "True"
    ready_time = cond.get("lastTransitionTime") if ready and cond is not None else None
    deleting = bool(md.get("deletionTimestamp"))
    active = not deleting and phase not in ("Succeeded", "Failed")
    labels = md.get("labels")
    reads = (md.get("name"), labels, md.get("ownerReferences"), deleting, active, ready, ready_time)
    return _new_entry(_Entry, (pod, active, ready, ready_time, labels, reads))


# pickled in the demo snapshot; made from Python code too (tests): a serializable compiled class
# runs its __init__ for a Python caller only if it allows Python subclasses
@mypyc_attr(serializable=True, allow_interpreted_subclasses=True)
class _PodView:
    """One ReplicaSet's pods as its syncs read them: each pod's facts (``_entry``), found again
    by the pod object's identity, so a sync works them out only for the pods that changed. Every
    entry holds its pod, so an id stays that pod's while the entry is kept (an id found is the
    pod's own); the entries of pods no longer read are let go at the next read (each holds its
    pod version alive: ~2 MB over a 10k-pod build when kept until they outnumber those read)."""

    __slots__ = ("_entries", "_selector", "uid")

    def __getstate__(self) -> dict[str, Any]:  # (the same in either build: sim/picklestate.py)
        return state_of(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore(self, state)

    def __init__(self, uid: str) -> None:
        self.uid = uid
        self._entries: dict[int, _Entry] = {}
        self._selector: tuple[Any, selectors.Selector | None] | None = None

    def read(self, pods: list[Obj]) -> list[_Entry]:
        """The entries of ``pods``, in their order."""
        known = self._entries
        out: list[Any] = list(map(known.get, map(id, pods)))
        if not all(out):  # (an entry, a non-empty tuple, is true)
            for i, e in enumerate(out):
                if e is None:
                    p = pods[i]
                    out[i] = known[id(p)] = _entry(p)
        if len(known) > len(out):
            self._entries = dict(zip(map(id, pods), out, strict=True))  # (each entry holds its pod)
        return out

    def entry(self, pod: Obj) -> _Entry:
        """The entry of ``pod``, kept with the others."""
        e = self._entries.get(id(pod))
        if e is None:
            e = self._entries[id(pod)] = _entry(pod)
        return e

    def selector(self, sel: Any) -> selectors.Selector | None:
        """``selectors.from_label_selector(sel)``, parsed again only for a new selector object."""
        held = self._selector
        if held is None or held[0] is not sel:
            held = self._selector = (sel, selectors.from_label_selector(sel))
        return held[1]


class _SyncState(Follower):
    """Which ReplicaSets a pass looks at: those not settled (``pending``), those with
    minReadySeconds (their availability moves with the clock: ``timed``) and those the store's
    changes since the last pass concern (themselves, their pods, orphan pods of their namespace).
    Pod changes are folded in as they are made; ReplicaSet changes wait for the next pass, when
    ``memo`` says which were the writes of the syncs that settled them."""

    kinds = ("Pod", "ReplicaSet")
    syncing: str | None = None  # the uid of the ReplicaSet whose sync is running

    def __init__(self) -> None:
        super().__init__()
        self.memo: dict[str, tuple] = {}  # uid -> what the last sync that settled it read
        self.pending: set[tuple[str, str]] = set()
        self.timed: set[tuple[str, str]] = set()
        self.idle: dict[str, tuple] = {}  # uid -> (what it read, clock) of a sync that wrote nothing
        self.views: dict[tuple[str, str], _PodView] = {}  # (namespace, name) -> its pods' facts
        self._concerned: set[tuple[str, str]] = set()  # what the pod changes since the last pass concern
        self._written: list[Change] = []  # the ReplicaSet changes since the last pass

    def view(self, key: tuple[str, str], uid: str) -> _PodView:
        """The pod view of the ReplicaSet ``key`` whose uid is ``uid`` (a new one for a new uid)."""
        view = self.views.get(key)
        if view is None or view.uid != uid:
            view = self.views[key] = _PodView(uid)
        return view

    def candidates(self, store: Any) -> list[tuple[str, str]]:
        if self.follow(store):
            self._concerned, self._written = set(), []
            for rs in store.list("ReplicaSet"):
                self._note(rs)
            every = list(store.keys("ReplicaSet"))
            present = set(every)
            self.views = {k: v for k, v in self.views.items() if k in present}
            return every
        keys = self.pending | self.timed | self._concerned
        written, self._concerned, self._written = self._written, set(), []
        for ch in written:
            key = self._note(ch.obj)
            memo = self.memo.get(meta.uid(ch.obj))
            if memo is not None and memo[0] == ch.obj["metadata"].get("resourceVersion"):
                continue  # its own last write, read by the sync that settled it (what else changed adds it)
            keys.add(key)
        return sorted(keys)

    def fold(self, change: Change) -> None:
        if change.obj.get("kind") == "ReplicaSet":
            self._written.append(change)
            return
        if change.old is not None and change.type == "MODIFIED" and _same_facts(change.old, change.obj):
            return  # nothing a ReplicaSet reads of its pods changed (a container's state, an annotation)
        if change.type == "DELETED" and change.obj["metadata"].get("deletionTimestamp"):
            return  # gone after it was marked for deletion: since then it was no replica
        if change.type == "ADDED" and self.syncing is not None and pt.controller_uid(change.obj) == self.syncing:
            return  # made by the sync running now: in the memo it leaves (``_reads_after``), or pending
        listener = self._listener
        if listener is not None:
            add_owners(listener.store, change, "ReplicaSet", self._concerned)

    def _note(self, rs: Obj) -> tuple[str, str]:
        key = (meta.namespace(rs), meta.name(rs))
        if dig(rs, "spec", "minReadySeconds"):
            self.timed.add(key)
        else:
            self.timed.discard(key)
        return key


def _reads_after(cluster: Cluster, view: _PodView, before: int, ns: str, uid: str, entries: list[_Entry],
                 reads: tuple) -> tuple:
    """What a sync reads of the ReplicaSet's pods of namespace ``ns`` (``_Entry.reads``) after its
    sync, which began at store version ``before`` with ``entries`` (``store.controlled_by``'s, by
    namespace and name), whose reads were ``reads``. When those are all of ``ns`` (the first and
    the last are) and the sync wrote no pod but new ones of its own in ``ns``: theirs and the new
    ones', by name."""
    changes = cluster.store.changes_since(before)
    if changes is not None and uid and (not entries or entries[0].pod["metadata"].get("namespace") == ns
                                        == entries[-1].pod["metadata"].get("namespace")):
        created = [ch.obj for ch in changes if ch.obj.get("kind") == "Pod"]
        if not created:
            return reads
        if all(ch.type == "ADDED" for ch in changes if ch.obj.get("kind") == "Pod") and \
                all(p["metadata"].get("namespace") == ns and pt.controller_uid(p) == uid for p in created):
            after = list(reads)
            after += [view.entry(p).reads for p in created]
            after.sort(key=_NAME)  # (stable, as the entries' own order by name)
            return tuple(after)
    return tuple(map(_READS, view.read(pt.pods_by_owner_uid(cluster, ns, uid))))


class ReplicaSetController(Controller):
    name = "replicaset"

    def reconcile(self, cluster: Cluster) -> None:
        store = cluster.store
        state: _SyncState | None = cluster.state.get("replicaset-sync")
        if state is None:
            state = cluster.state["replicaset-sync"] = _SyncState()
        orphans: dict[str, list[Obj]] = {}  # namespace -> active pods without a controller
        memo = state.memo
        for key in state.candidates(store):
            rs = store.get("ReplicaSet", *key)
            if rs is None or meta.is_deleting(rs):
                if rs is not None:  # being deleted: no pods made or removed, its status still kept
                    entries = state.view(key, meta.uid(rs)).read(store.controlled_by("Pod", meta.uid(rs)))
                    self._update_status(cluster, rs, [e for e in entries if e.active], None)
                state.pending.discard(key)
                state.timed.discard(key)
                state.views.pop(key, None)
                continue
            uid = meta.uid(rs)
            ns = key[0]
            view = state.view(key, uid)
            entries = view.read(store.controlled_by("Pod", uid))
            if ns not in orphans:
                orphans[ns] = [p for p in store.controlled_by("Pod", "", ns) if pt.is_active(p)]
            ns_orphans = orphans[ns]
            # Nothing the sync reads changed since last time: skip it (settle runs us often).
            sig = (rs["metadata"].get("resourceVersion"), tuple(map(_READS, entries)),
                   tuple([o["metadata"].get("resourceVersion") for o in ns_orphans]), cluster.now() if dig(rs, "spec", "minReadySeconds") else None)
            if memo.get(uid) == sig:
                state.pending.discard(key)
                continue
            # Not settled, but its last sync saw exactly this at the same time and wrote nothing.
            idle = (sig, cluster.now())
            if state.idle.get(uid) == idle:
                continue
            before = store.resource_version
            state.syncing = uid
            try:
                self._sync(cluster, rs, entries, ns_orphans, view)
            except BaseException:
                state._concerned.add(key)  # what its new pods' changes would have said
                raise
            finally:
                state.syncing = None
            if store.resource_version == before:
                state.idle[uid] = idle
            else:
                state.idle.pop(uid, None)
            rs_after = store.get("ReplicaSet", *key)
            if rs_after is not None and dig(rs_after, "status", "replicas") == dig(rs_after, "spec", "replicas"):
                memo[uid] = (rs_after["metadata"].get("resourceVersion"),
                             _reads_after(cluster, view, before, ns, uid, entries, sig[1]), sig[2], sig[3])
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

    def _sync(self, cluster: Cluster, rs: Obj, entries: list[_Entry], orphans: list[Obj], view: _PodView) -> None:
        ns, name = meta.namespace(rs), meta.name(rs)
        spec = rs.get("spec") or {}
        sel = view.selector(spec.get("selector"))
        uid = meta.uid(rs)
        # The pods a scale-down ranks against, as they were when the sync began: looked up only
        # for a scale-down, or before the first write that would change them.
        related: list[Obj] | None = None
        # Claim orphans that match, release pods that no longer match (ControllerRefManager).
        entries = list(entries)
        for o in orphans:
            if sel and selectors.matches(sel, meta.labels(o)) and meta.controller_ref(
                    cluster.store.get("Pod", ns, meta.name(o)) or o) is None:
                related = self._related(cluster, rs) if related is None else related
                adopted = cluster.store.mutate("Pod", ns, meta.name(o), pt.add_owner_ref(meta.owner_reference(rs)))
                if adopted is not None:
                    entries.append(_entry(adopted))
        kept = []
        matched: Any = _NONE  # the last labels found to match: replicas share one labels dict
        for e in entries:
            labels = e.labels
            if labels is matched or selectors.matches(sel, labels):
                matched = labels
                kept.append(e)
            elif not meta.is_deleting(e.pod):
                related = self._related(cluster, rs) if related is None else related
                cluster.store.mutate("Pod", ns, meta.name(e.pod), lambda o: o["metadata"].__setitem__(
                    "ownerReferences", [r for r in meta.owner_refs(o) if r.get("uid") != uid]))
            else:
                kept.append(e)
        active = [e for e in kept if e.active]
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
                active.append(_entry(created))
        elif diff > 0:
            related = self._related(cluster, rs) if related is None else related
            doomed = pod_delete_rank([e.pod for e in active], related, cluster.now())[:diff]
            for p in doomed:
                pt.delete_pod(cluster, rs, p, COMPONENT)
            gone = {meta.uid(p) for p in doomed}
            active = [e for e in active if meta.uid(e.pod) not in gone]
        self._update_status(cluster, rs, active, failure)

    @staticmethod
    def _set_failure(st: Obj, rs: Obj, message: str | None, now: float) -> None:
        """The ReplicaFailure condition in ``st`` (a copy of the stored status): set while a
        create fails (kept as it was while the message stays), gone once none does."""
        current = pt.get_condition(rs, "ReplicaFailure")
        if message is None and current is None:
            return
        conds = [c for c in st.get("conditions") or [] if c.get("type") != "ReplicaFailure"]
        if message is not None:
            prev = current if current is not None and current.get("message") == message else None
            conds.append(prev or {"type": "ReplicaFailure", "status": "True", "lastTransitionTime": rfc3339(now),
                                  "reason": "FailedCreate", "message": message})
        if conds:
            st["conditions"] = conds
        else:
            st.pop("conditions", None)

    def _update_status(self, cluster: Cluster, rs: Obj, active: list[_Entry], failure: str | None) -> None:
        """One status write with the counts and the ReplicaFailure condition, as
        calculateStatus/updateReplicaSetStatus make it."""
        ns = meta.namespace(rs)
        spec = rs.get("spec") or {}
        tpl_labels = dig(spec, "template", "metadata", "labels") or {}
        min_ready = int(spec.get("minReadySeconds", 0) or 0)
        now = cluster.now()
        ready = available = labelled = 0
        wanted = tpl_labels.items()
        last_labels: Any = _NONE  # replicas share one labels dict
        last_labelled = False
        for _, _, is_ready, ready_time, labels, _ in active:
            if labels is not last_labels:
                last_labels, last_labelled = labels, wanted <= (labels or {}).items()
            if last_labelled:
                labelled += 1
            if is_ready:  # pt.is_available inlined: a hot loop
                ready += 1
                since = parse_time(ready_time) if min_ready else None
                if not min_ready or (since is not None and since + min_ready <= now):
                    available += 1
                elif since is not None:
                    cluster.wake_at(since + min_ready)

        cur = cluster.store.get("ReplicaSet", ns, meta.name(rs))
        if cur is None:
            return
        st = dict(cur["status"]) if isinstance(cur.get("status"), dict) else {}
        counts = {"replicas": len(active), "fullyLabeledReplicas": labelled, "readyReplicas": ready,
                  "availableReplicas": available, "observedGeneration": cur["metadata"].get("generation", 1)}
        for k, v in counts.items():
            if v or k in ("replicas", "observedGeneration"):
                st[k] = v
            else:
                st.pop(k, None)  # the API omits zero counts (omitempty), except replicas
        self._set_failure(st, rs, failure, now)
        cluster.store.write_status("ReplicaSet", ns, meta.name(rs), st)
