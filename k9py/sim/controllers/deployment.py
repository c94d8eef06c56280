"""DeploymentController: ReplicaSets per pod template, rolling/recreate rollouts, revision
history, status and conditions (pkg/controller/deployment)."""

from __future__ import annotations

import contextlib
import heapq
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

from k9py.kube import meta
from k9py.kube.meta import deep_copy, dig
from k9py.kube.status import ApiError, invalid
from k9py.kube.timefmt import parse_time, rfc3339
from k9py.sim.admission import admits
from k9py.sim.controllers import podtemplate as pt
from k9py.sim.controllers.base import Controller, add_owners
from k9py.sim.follower import Follower
from k9py.sim.identity_memo import IdentityMemo

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.store import Change

Obj = dict[str, Any]
COMPONENT = "deployment-controller"

REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
SKIP_COPY = {"kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY,
             DESIRED_REPLICAS, MAX_REPLICAS, "deprecated.deployment.rollback.to"}
MAX_REV_HISTORY_CHARS = 2 * 1024
MAX_REMEMBERED_TEMPLATES = 4096


@admits("Deployment")
def _admit_deployment(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        strategy = spec.setdefault("strategy", {})
        if isinstance(strategy, dict):
            strategy.setdefault("type", "RollingUpdate")
            if strategy["type"] == "RollingUpdate":
                ru = strategy.setdefault("rollingUpdate", {})
                if isinstance(ru, dict):
                    ru.setdefault("maxUnavailable", "25%")
                    ru.setdefault("maxSurge", "25%")
        spec["template"] = pt.default_template(spec.get("template"))
    pt.validate_selector_template("Deployment", obj, old, what="deployment")
    name = meta.name(obj)
    pt.check_non_negative("Deployment", name, spec, ("minReadySeconds", "revisionHistoryLimit"))
    strategy = spec.get("strategy") or {}
    if strategy.get("type") not in ("RollingUpdate", "Recreate"):
        raise invalid("Deployment", name, [("spec.strategy.type", f'Unsupported value: "{strategy.get("type")}": supported values: "Recreate", "RollingUpdate"')])
    if strategy["type"] == "Recreate" and strategy.get("rollingUpdate"):
        raise invalid("Deployment", name, [("spec.strategy.rollingUpdate", "Forbidden: may not be specified when strategy `type` is 'Recreate'")])
    if strategy["type"] == "RollingUpdate":
        ru = strategy.get("rollingUpdate") or {}
        try:
            surge = pt.int_or_percent(ru.get("maxSurge"), 100, True, "25%")
            unavail = pt.int_or_percent(ru.get("maxUnavailable"), 100, False, "25%")
        except (TypeError, ValueError):
            raise invalid("Deployment", name, [("spec.strategy.rollingUpdate", "Invalid value: must be an integer or percentage (e.g '5%')")]) from None
        if surge == 0 and unavail == 0:
            raise invalid("Deployment", name, [("spec.strategy.rollingUpdate.maxUnavailable", "Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0")])
    pds = spec.get("progressDeadlineSeconds")
    if isinstance(pds, int) and pds <= int(spec.get("minReadySeconds", 0) or 0):
        raise invalid("Deployment", name, [("spec.progressDeadlineSeconds", f"Invalid value: {pds}: must be greater than minReadySeconds")])


# -- small helpers ---------------------------------------------------------------------------------
def _replicas(obj: Obj | None) -> int:
    return _field(obj, "spec", "replicas")


def _st(obj: Obj | None, field: str) -> int:
    return _field(obj, "status", field)


def _field(obj: Obj | None, part: str, field: str) -> int:
    """``int(dig(obj, part, field, default=0))``, 0 for no object, without dig's generality: the
    controller reads counts this way many times a sync."""
    if not obj:
        return 0
    held = obj.get(part)
    value = held.get(field) if isinstance(held, dict) else None
    return 0 if value is None else int(value)


def _revision(rs: Obj) -> int:
    try:
        return int(meta.annotations(rs).get(REVISION, "0"))
    except ValueError:
        return 0


def is_rolling(d: Obj) -> bool:
    return dig(d, "spec", "strategy", "type") == "RollingUpdate"


def max_surge(d: Obj) -> int:
    if not is_rolling(d):
        return 0
    surge, _ = resolve_fenceposts(d)
    return surge


def max_unavailable(d: Obj) -> int:
    """deploymentutil.MaxUnavailable: never more than the replicas."""
    if not is_rolling(d):
        return 0
    n = _replicas(d)
    if n == 0:
        return 0
    _, unavailable = resolve_fenceposts(d)
    return min(unavailable, n)


def resolve_fenceposts(d: Obj) -> tuple[int, int]:
    """maxSurge rounds up, maxUnavailable rounds down; both 0 → maxUnavailable 1."""
    ru = dig(d, "spec", "strategy", "rollingUpdate") or {}
    key = (ru.get("maxSurge"), ru.get("maxUnavailable"), _replicas(d))
    try:
        got = _FENCEPOSTS.get(key)
    except TypeError:  # an unhashable value (admission lets none through)
        return _fenceposts(*key)
    if got is None:
        got = _fenceposts(*key)
        if len(_FENCEPOSTS) >= MAX_REMEMBERED_TEMPLATES:
            _FENCEPOSTS.clear()
        _FENCEPOSTS[key] = got
    return got


def _fenceposts(max_surge: Any, max_unavailable: Any, n: int) -> tuple[int, int]:
    surge = pt.int_or_percent(max_surge, n, True, "25%")
    unavailable = pt.int_or_percent(max_unavailable, n, False, "25%")
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


# resolve_fenceposts's answers by (maxSurge, maxUnavailable, replicas): a pure function of the
# three, asked several times a sync (values that compare equal give equal answers: int(1.0) ==
# int(True) == 1; an error is raised again, not remembered)
_FENCEPOSTS: dict[tuple[Any, Any, int], tuple[int, int]] = {}


def _cond(type_: str, status: str, reason: str, message: str, now: float) -> Obj:
    t = rfc3339(now)
    return {"type": type_, "status": status, "lastUpdateTime": t, "lastTransitionTime": t,
            "reason": reason, "message": message}


def set_condition(status: Obj, cond: Obj) -> None:
    """deploymentutil.SetDeploymentCondition: same status and reason → unchanged."""
    conds = status.get("conditions") or []
    type_ = cond["type"]
    cur = None
    for c in conds:  # the first of its type (a loop, not a generator: every status sync asks)
        if c.get("type") == type_:
            cur = c
            break
    if cur is not None and cur.get("status") == cond["status"] and cur.get("reason") == cond["reason"]:
        return
    if cur is not None and cur.get("status") == cond["status"]:
        cond["lastTransitionTime"] = cur.get("lastTransitionTime")
    status["conditions"] = [c for c in conds if c.get("type") != cond["type"]] + [cond]


def remove_condition(status: Obj, type_: str) -> None:
    conds = status.get("conditions")
    if not conds:
        return
    for c in conds:
        if c.get("type") == type_:
            status["conditions"] = [x for x in conds if x.get("type") != type_]
            return


def _get_cond(status: Obj, type_: str) -> Obj | None:
    for c in status.get("conditions") or ():
        if c.get("type") == type_:
            return c
    return None


def _is_settled(d: Obj) -> bool:
    """Rolled out completely and observed: nothing left that time alone could change."""
    st = d.get("status") or {}
    if dig(d, "spec", "paused") or st.get("observedGeneration") != d["metadata"].get("generation"):
        return False
    want = _replicas(d)
    if not (st.get("replicas", 0) == st.get("updatedReplicas", 0) == st.get("availableReplicas", 0) == want):
        return False
    progressing = _get_cond(st, "Progressing")
    return dig(d, "spec", "progressDeadlineSeconds") is None or (
        progressing is not None and progressing.get("reason") == "NewReplicaSetAvailable")


def _signature(store: Any, d: Obj, rss: list[Obj] | None = None) -> tuple:
    """What a settled deployment's sync reads: itself, its ReplicaSets (``rss``, when looked up
    already), the orphan ReplicaSets it could adopt. Unchanged → the sync would write nothing."""
    ns = meta.namespace(d)
    if rss is None:
        rss = store.controlled_by("ReplicaSet", meta.uid(d), ns)
    return (d["metadata"]["resourceVersion"],
            tuple([rs["metadata"]["resourceVersion"] for rs in rss]),
            tuple([rs["metadata"]["resourceVersion"] for rs in store.controlled_by("ReplicaSet", "", ns)]))


def _signature_after(store: Any, wrote: list | None, d: Obj, sig: tuple) -> tuple:
    """``_signature(store, d)`` after a sync that read ``sig`` and made the changes ``wrote``
    (None: not known): its ReplicaSet parts again when the sync wrote no ReplicaSet."""
    if wrote is None:
        return _signature(store, d)
    for ch in wrote:
        if ch.obj.get("kind") == "ReplicaSet":
            return _signature(store, d)
    return (d["metadata"]["resourceVersion"], sig[1], sig[2])


def _wrote_itself_only(wrote: list | None, key: tuple[str, str]) -> bool:
    """Whether the changes ``wrote`` of a rolling deployment's sync are to that deployment alone
    (or none). Then the next sync, reading what this one left (the same ReplicaSets, the
    deployment as this one wrote it), decides as it did and finds its writes made: it writes
    nothing, until the progress deadline the deployment now has passes (``_idle_until``)."""
    if wrote is None:
        return False
    for ch in wrote:
        obj = ch.obj
        if obj.get("kind") != "Deployment" or ch.type != "MODIFIED" or (meta.namespace(obj), meta.name(obj)) != key:
            return False
    return True


def _progress_deadline(d: Obj, status: Obj) -> float | None:
    """When a rollout with this status times out (``_timed_out``): None when it cannot (no
    deadline, complete, timed out already)."""
    pds = dig(d, "spec", "progressDeadlineSeconds")
    cond = _get_cond(status, "Progressing") if pds is not None else None
    if cond is None or cond.get("reason") in ("NewReplicaSetAvailable", "ProgressDeadlineExceeded"):
        return None
    since = parse_time(cond.get("lastUpdateTime"))
    return None if since is None else since + int(pds)


def _idle_until(d: Obj) -> float:
    """Until when a rolling deployment's sync that wrote nothing would write nothing again, as
    long as what it reads stays the same: its progress deadline, the only clock it reads."""
    deadline = _progress_deadline(d, d.get("status") or {})
    return math.inf if deadline is None else deadline


def _rs_annotations_are_noop(rs: Obj, d: Obj, new_revision: str) -> bool:
    """Whether _sync_rs_annotations would change nothing on ``rs`` (the stored object)."""
    ann = rs["metadata"].get("annotations")
    if not isinstance(ann, dict):
        return False
    if any(k not in SKIP_COPY and ann.get(k, _MISSING) != v for k, v in meta.annotations(d).items()):
        return False
    if _revision(rs) < int(new_revision):
        return False
    spec = rs.get("spec") or {}
    return "minReadySeconds" in spec and spec["minReadySeconds"] == int(dig(d, "spec", "minReadySeconds", default=0))


def _found_new_is_noop(cur: Obj, d: Obj, rs: Obj) -> bool:
    """Whether _get_new_rs's write to the deployment ``cur`` (stored) would change nothing."""
    changed_rev = meta.annotations(rs).get(REVISION)
    if changed_rev:
        ann = cur["metadata"].get("annotations")
        if not isinstance(ann, dict) or ann.get(REVISION, _MISSING) != changed_rev:
            return False
    st = cur.get("status")
    if not isinstance(st, dict):
        return False
    return dig(d, "spec", "progressDeadlineSeconds") is None or _get_cond(st, "Progressing") is not None


_MISSING = object()


class _SyncState(Follower):
    """Which deployments a pass looks at: the unsettled ones (``pending``) and those the store's
    changes since the last pass concern. An unsettled one no change concerned reads what it read
    at the last pass: found idle then, it is idle now, until the same time (``quiet``).
    ReplicaSet changes are folded in as they are made; Deployment changes wait for the next
    pass, when ``settled`` says which were the writes of the syncs that settled them."""

    kinds = ("Deployment", "ReplicaSet")

    def __init__(self) -> None:
        super().__init__()
        self.settled: dict[str, tuple] = {}  # uid -> _signature when it was last found settled
        self.pending: set[tuple[str, str]] = set()  # (namespace, name) of deployments not settled
        self.idle: dict[str, tuple] = {}  # uid -> (_signature, _idle_until) after a sync that wrote nothing but it
        # uid -> the parts of it and its ReplicaSet _steady_rs last found steady (by identity)
        self.steady: dict[str, tuple] = {}
        self.quiet: dict[tuple[str, str], float] = {}  # (namespace, name) -> its idle's _idle_until
        self._quiet_until: list[tuple[float, tuple[str, str]]] = []  # a heap of quiet's entries, by time
        # ``pt.equal_ignore_hash`` of a ReplicaSet's and its Deployment's templates: versions that
        # leave a template as it was share it
        self.same_template: IdentityMemo[bool] = IdentityMemo(pt.equal_ignore_hash, MAX_REMEMBERED_TEMPLATES)
        self._concerned: set[tuple[str, str]] = set()  # what the ReplicaSet changes since the last pass concern
        self._written: list[Change] = []  # the Deployment changes since the last pass

    def candidates(self, store: Any, now: float) -> list[tuple[str, str]]:
        """The deployments this pass looks at, in order: those the changes concern and the
        unsettled ones not quiet now (a pass looked over each of those, a hundred passes a
        virtual second in a busy cluster)."""
        if self.follow(store):
            self._concerned, self._written = set(), []
            self.quiet.clear()
            self._quiet_until.clear()
            return list(store.keys("Deployment"))
        keys, self._concerned = self._concerned, set()
        written, self._written = self._written, []
        for ch in written:
            settled = self.settled.get(meta.uid(ch.obj))
            if settled is not None and settled[0] == ch.obj["metadata"].get("resourceVersion"):
                continue  # its own last write, read by the sync that settled it (what else changed adds it)
            keys.add((meta.namespace(ch.obj), meta.name(ch.obj)))
        for key in keys:
            self.quiet.pop(key, None)
        heap, quiet = self._quiet_until, self.quiet
        while heap and heap[0][0] < now:  # quiet up to its time, included: no longer
            until, key = heapq.heappop(heap)
            if quiet.get(key) == until:
                del quiet[key]
        # (``difference`` with the dict looks up each pending key in it: settled ones stay in quiet)
        return sorted(keys | self.pending.difference(quiet))

    def set_quiet(self, key: tuple[str, str], until: float) -> None:
        self.quiet[key] = until
        heap = self._quiet_until
        heapq.heappush(heap, (until, key))
        if len(heap) > 4 * len(self.quiet) + 1024:  # entries set again and again: only the live ones kept
            heap[:] = [(t, k) for k, t in self.quiet.items()]
            heapq.heapify(heap)

    def fold(self, change: Change) -> None:
        if change.obj.get("kind") == "Deployment":
            self._written.append(change)
            return
        listener = self._listener
        if listener is not None:
            add_owners(listener.store, change, "Deployment", self._concerned)

    def after_sync(self, store: Any, key: tuple[str, str], uid: str, sig: tuple, before: int) -> None:
        """Note what the sync of deployment ``key``, which read ``sig`` and began at store
        version ``before``, left: whether it is settled, and whether a sync would write nothing
        while that stays so (``idle``)."""
        self.idle.pop(uid, None)
        self.quiet.pop(key, None)
        after = store.get("Deployment", *key)
        if after is None:
            self.settled.pop(uid, None)
            self.pending.add(key)
            return
        wrote = store.changes_since(before)
        sig_after = _signature_after(store, wrote, after, sig)
        if is_rolling(after) and _wrote_itself_only(wrote, key):
            self.idle[uid] = (sig_after, _idle_until(after))
            self.set_quiet(key, self.idle[uid][1])
        if _is_settled(after):
            self.settled[uid] = sig_after
            self.pending.discard(key)
        else:
            self.settled.pop(uid, None)
            self.pending.add(key)


def _state(c: Cluster) -> _SyncState:
    """The controller's ``_SyncState`` (made at its first pass: not built again per call only to
    be thrown away, as ``setdefault``'s default would be)."""
    state: _SyncState | None = c.state.get("deployment-sync")
    if state is None:
        state = c.state["deployment-sync"] = _SyncState()
    return state


class DeploymentController(Controller):
    name = "deployment"

    def reconcile(self, cluster: Cluster) -> None:
        # A settled deployment needs no sync until it, one of its ReplicaSets or an orphan
        # ReplicaSet of its namespace changes: only those (and the unsettled ones) are looked at,
        # found from the store's changes since the last pass, so a reconcile costs O(changes).
        state = _state(cluster)
        store = cluster.store
        for key in state.candidates(store, cluster.now()):  # (none of them quiet)
            d = store.get("Deployment", *key)
            if d is None:
                state.pending.discard(key)
                continue
            if meta.is_deleting(d):
                # syncStatusOnly: its status (observedGeneration: the deletion's generation) and no rollout
                rss = store.controlled_by("ReplicaSet", meta.uid(d), key[0])
                new_rs, old = self._new_and_old(cluster, d, rss, create=False)
                self._sync_status(cluster, d, new_rs, old, rollout=False)
                state.pending.discard(key)
                continue
            uid = meta.uid(d)
            rss = store.controlled_by("ReplicaSet", uid, key[0])
            sig = _signature(store, d, rss)
            if state.settled.get(uid) == sig:
                state.pending.discard(key)
                continue
            # An unsettled deployment whose last sync left it and its ReplicaSets exactly so
            # would write nothing until its progress deadline passes (the only thing its sync
            # reads from the clock). Recreate also reads pods: not skipped.
            idle = state.idle.get(uid)
            if idle is not None and idle[0] == sig and cluster.now() <= idle[1]:
                state.set_quiet(key, idle[1])
                continue
            before = store.resource_version
            try:
                self._sync(cluster, d, rss)
            except ApiError:
                # A write raced with something else this pass; the next pass retries.
                state.pending.add(key)
                state.idle.pop(uid, None)
                state.quiet.pop(key, None)
                continue
            state.after_sync(store, key, uid, sig, before)

    # -- the sync loop ----------------------------------------------------------------------------
    def _sync(self, c: Cluster, d: Obj, rss: list[Obj] | None = None) -> None:
        """``rss``: the deployment's ReplicaSets, as the store held them when the sync began."""
        if rss is not None:
            rs = self._steady_rs(c, d, rss)
            if rs is not None:
                # What the rest of the sync would come to: its status, from that one ReplicaSet.
                self._sync_status(c, d, rs, [])
                return
        before = c.store.resource_version
        pt.adopt_orphans(c, "ReplicaSet", d, dig(d, "spec", "selector"))
        d = self._get(c, d)
        if rss is None or c.store.resource_version != before or not meta.uid(d):
            rss = self._rs_list(c, d)
        if dig(d, "spec", "paused"):
            self._check_paused(c, d, paused=True)
            self._sync_scale_only(c, self._get(c, d), rss)
            return
        self._check_paused(c, d, paused=False)
        d = self._get(c, d)
        new_rs, old_rss = self._new_and_old(c, d, rss, create=False)
        if self._is_scaling_event(d, new_rs, old_rss):
            self._sync_scale_only(c, d, rss)
            return
        if dig(d, "spec", "strategy", "type") == "Recreate":
            self._rollout_recreate(c, d, rss)
        else:
            self._rollout_rolling(c, d, rss, (new_rs, old_rss) if new_rs is not None else None)

    def _steady_rs(self, c: Cluster, d: Obj, rss: list[Obj]) -> Obj | None:
        """The ReplicaSet of a deployment ``d`` (stored) whose sync has nothing to roll out:
        ``rss`` (as stored) is one ReplicaSet of its template, at its size, annotated for it
        already, no orphan to adopt, not paused. Then every step of ``_sync`` before the status
        writes nothing and finds that ReplicaSet new and none old: adopt_orphans has none,
        _check_paused nothing to say, _get_new_rs's writes are no-ops (its revision "1", no old
        one), it is no scaling event, and either strategy keeps its size, has no old ReplicaSet
        to scale down or clean up (Recreate: none with pods running), and ends in
        ``_sync_status(d, rs, [])``. None: the whole sync is needed."""
        uid = meta.uid(d)
        if len(rss) != 1 or not uid:
            return None
        rs = rss[0]
        spec = d.get("spec")
        if not isinstance(spec, dict):
            return None
        state = _state(c)
        # What the checks below read of the two but their status: the same parts (stored parts
        # are never changed in place), the same verdict.
        parts = (spec, d["metadata"].get("annotations"), rs.get("spec"), rs["metadata"].get("annotations"))
        held = state.steady.get(uid)
        if held is None or held[0] is not parts[0] or held[1] is not parts[1] or held[2] is not parts[2] \
                or held[3] is not parts[3]:
            if not self._steady_parts(state, d, rs):
                return None
            if len(state.steady) >= MAX_REMEMBERED_TEMPLATES:
                state.steady.clear()
            state.steady[uid] = parts
        st = d.get("status")
        if not isinstance(st, dict):
            return None  # _get_new_rs would write one
        if spec.get("progressDeadlineSeconds") is not None:
            cond = _get_cond(st, "Progressing")
            if cond is None or cond.get("reason") == "DeploymentPaused":
                return None  # _get_new_rs would add one; resumed: _check_paused says so
        if c.store.controlled_by("ReplicaSet", "", meta.namespace(d)):
            return None  # orphans to look at
        return rs

    def _steady_parts(self, state: _SyncState, d: Obj, rs: Obj) -> bool:
        """``_steady_rs``'s checks of the specs and annotations of ``d`` and ``rs``."""
        spec = d["spec"]
        if spec.get("paused") or _replicas(rs) != _replicas(d):
            return False
        desired = meta.annotations(rs).get(DESIRED_REPLICAS)
        if desired is not None and _replicas(rs) > 0 and desired != str(_replicas(d)):
            return False  # a scaling event
        if not state.same_template(dig(rs, "spec", "template") or {}, spec.get("template") or {}):
            return False
        # _found_new_is_noop's annotation part (its status part: _steady_rs)
        changed_rev = meta.annotations(rs).get(REVISION)
        if changed_rev:
            ann = d["metadata"].get("annotations")
            if not isinstance(ann, dict) or ann.get(REVISION, _MISSING) != changed_rev:
                return False
        return _rs_annotations_are_noop(rs, d, "1")

    def _get(self, c: Cluster, d: Obj) -> Obj:
        return c.store.get("Deployment", meta.namespace(d), meta.name(d)) or d

    def _rs_list(self, c: Cluster, d: Obj) -> list[Obj]:
        return [rs for rs in pt.owned(c, "ReplicaSet", d)]

    @overload
    def _refresh(self, c: Cluster, rs: Obj) -> Obj: ...
    @overload
    def _refresh(self, c: Cluster, rs: Obj | None) -> Obj | None: ...

    def _refresh(self, c: Cluster, rs: Obj | None) -> Obj | None:
        if rs is None:
            return None
        return c.store.get("ReplicaSet", meta.namespace(rs), meta.name(rs)) or rs

    def _check_paused(self, c: Cluster, d: Obj, *, paused: bool) -> None:
        if dig(d, "spec", "progressDeadlineSeconds") is None:
            return
        cond = _get_cond(d.get("status") or {}, "Progressing")
        paused_now = cond is not None and cond.get("reason") == "DeploymentPaused"
        if paused and not paused_now:
            new = _cond("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", c.now())
        elif not paused and paused_now:
            new = _cond("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", c.now())
        else:
            return
        c.store.mutate("Deployment", meta.namespace(d), meta.name(d),
                       lambda o: set_condition(o.setdefault("status", {}), new))

    # -- new / old replica sets -----------------------------------------------------------------
    def _new_and_old(self, c: Cluster, d: Obj, rss: list[Obj], *, create: bool) -> tuple[Obj | None, list[Obj]]:
        tpl = dig(d, "spec", "template") or {}
        state = _state(c)
        matching = sorted((rs for rs in rss if state.same_template(dig(rs, "spec", "template") or {}, tpl)),
                          key=pt.creation_key)
        existing = matching[0] if matching else None
        old = [rs for rs in rss if existing is None or meta.uid(rs) != meta.uid(existing)]
        new = self._get_new_rs(c, d, existing, old, create)
        return new, [self._refresh(c, rs) for rs in old]

    def _get_new_rs(self, c: Cluster, d: Obj, existing: Obj | None, old: list[Obj], create: bool) -> Obj | None:
        max_old = max((_revision(rs) for rs in old), default=0)
        new_revision = str(max_old + 1)
        ns, dname = meta.namespace(d), meta.name(d)
        if existing is not None:
            rs = self._sync_rs_annotations(c, d, existing, new_revision)
            def upd(o: Obj) -> None:
                changed_rev = meta.annotations(rs).get(REVISION)
                if changed_rev:
                    o["metadata"].setdefault("annotations", {})[REVISION] = changed_rev
                st = o.setdefault("status", {})
                if dig(d, "spec", "progressDeadlineSeconds") is not None and _get_cond(st, "Progressing") is None:
                    set_condition(st, _cond("Progressing", "True", "FoundNewReplicaSet",
                                            f'Found new replica set "{meta.name(rs)}"', c.now()))
            cur = c.store.get("Deployment", ns, dname)
            if cur is None or not _found_new_is_noop(cur, d, rs):  # skip the copy of a no-op write
                c.store.mutate("Deployment", ns, dname, upd)
            return rs
        if not create:
            return None
        tpl = deep_copy(dig(d, "spec", "template") or {})
        collisions = int(dig(d, "status", "collisionCount", default=0))
        while True:
            h = pt.template_hash(tpl, collisions or None)
            name = f"{dname}-{h}"
            clash = c.store.get("ReplicaSet", ns, name)
            if clash is None:
                break
            if (meta.controller_ref(clash) or {}).get("uid") == meta.uid(d) and pt.equal_ignore_hash(dig(clash, "spec", "template") or {}, tpl):
                return clash
            collisions += 1
        if collisions != int(dig(d, "status", "collisionCount", default=0)):
            c.store.mutate("Deployment", ns, dname, lambda o: o.setdefault("status", {}).__setitem__("collisionCount", collisions))
        tpl.setdefault("metadata", {}).setdefault("labels", {})[pt.POD_TEMPLATE_HASH] = h
        selector = deep_copy(dig(d, "spec", "selector") or {})
        selector.setdefault("matchLabels", {})[pt.POD_TEMPLATE_HASH] = h
        new_replicas = self._new_rs_new_replicas(d, old, None)
        annotations = {k: v for k, v in meta.annotations(d).items() if k not in SKIP_COPY}
        annotations[DESIRED_REPLICAS] = str(_replicas(d))
        annotations[MAX_REPLICAS] = str(_replicas(d) + max_surge(d))
        annotations[REVISION] = new_revision
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": name, "namespace": ns, "labels": dict(tpl["metadata"]["labels"]),
                           "annotations": annotations, "ownerReferences": [meta.owner_reference(d)]},
              "spec": {"replicas": new_replicas, "minReadySeconds": int(dig(d, "spec", "minReadySeconds", default=0)),
                       "selector": selector, "template": tpl}}
        created = c.create(rs)
        if new_replicas > 0:
            c.record_event(d, "Normal", "ScalingReplicaSet",
                           f"Scaled up replica set {name} from 0 to {new_replicas}", COMPONENT)

        def created_new(o: Obj) -> None:
            o["metadata"].setdefault("annotations", {})[REVISION] = new_revision
            if dig(o, "spec", "progressDeadlineSeconds") is not None:
                set_condition(o.setdefault("status", {}), _cond("Progressing", "True", "NewReplicaSetCreated",
                                                                f'Created new replica set "{name}"', c.now()))
        c.store.mutate("Deployment", ns, dname, created_new)
        return created

    def _sync_rs_annotations(self, c: Cluster, d: Obj, rs: Obj, new_revision: str) -> Obj:
        """SetNewReplicaSetAnnotations: copy deployment annotations, bump the revision (keeping the
        old one in revision-history, as a rollback does), desired/max replicas."""
        def upd(o: Obj) -> None:
            ann = o["metadata"].setdefault("annotations", {})
            for k, v in meta.annotations(d).items():
                if k not in SKIP_COPY:
                    ann[k] = v
            old_rev = ann.get(REVISION)
            if _revision(o) < int(new_revision):
                ann[REVISION] = new_revision
                if old_rev:
                    hist = ann.get(REVISION_HISTORY, "")
                    revs = [r for r in hist.split(",") if r]
                    while revs and len(",".join([*revs, old_rev])) > MAX_REV_HISTORY_CHARS:
                        revs.pop(0)
                    ann[REVISION_HISTORY] = ",".join([*revs, old_rev])
            # minReadySeconds follows the deployment
            o["spec"]["minReadySeconds"] = int(dig(d, "spec", "minReadySeconds", default=0))
        cur = c.store.get("ReplicaSet", meta.namespace(rs), meta.name(rs))
        if cur is not None and _rs_annotations_are_noop(cur, d, new_revision):
            return cur  # what the no-op write would have returned, without copying the object
        return c.store.mutate("ReplicaSet", meta.namespace(rs), meta.name(rs), upd) or rs

    def _new_rs_new_replicas(self, d: Obj, old: list[Obj], new_rs: Obj | None) -> int:
        if not is_rolling(d):
            return _replicas(d)
        current = sum(_replicas(rs) for rs in old) + _replicas(new_rs)
        max_total = _replicas(d) + max_surge(d)
        if current >= max_total:
            return _replicas(new_rs)
        scale_up = min(max_total - current, _replicas(d) - _replicas(new_rs))
        return _replicas(new_rs) + scale_up

    # -- scaling -------------------------------------------------------------------------------------
    def _scale_rs(self, c: Cluster, d: Obj, rs: Obj, size: int, operation: str | None = None) -> Obj:
        old_size = _replicas(rs)
        desired, maximum = str(_replicas(d)), str(_replicas(d) + max_surge(d))

        def upd(o: Obj) -> None:  # (copy-on-write: the spec and the annotations are new dicts)
            o["spec"]["replicas"] = size
            md = o["metadata"]
            md["annotations"] = {**(md.get("annotations") or {}), DESIRED_REPLICAS: desired, MAX_REPLICAS: maximum}
        out = c.store.rewrite("ReplicaSet", meta.namespace(rs), meta.name(rs), upd, fields=("spec",)) or rs
        if old_size != size:
            op = operation or ("up" if size > old_size else "down")
            c.record_event(d, "Normal", "ScalingReplicaSet",
                           f"Scaled {op} replica set {meta.name(rs)} from {old_size} to {size}", COMPONENT)
        return out

    def _is_scaling_event(self, d: Obj, new_rs: Obj | None, old: list[Obj]) -> bool:
        for rs in [r for r in old + ([new_rs] if new_rs else []) if _replicas(r) > 0]:
            desired = meta.annotations(rs).get(DESIRED_REPLICAS)
            if desired is None:
                continue
            if desired != str(_replicas(d)):
                return True
        return False

    def _sync_scale_only(self, c: Cluster, d: Obj, rss: list[Obj]) -> None:
        """dc.sync: scale proportionally, clean up when paused, update status."""
        new_rs, old = self._new_and_old(c, d, rss, create=False)
        self._scale(c, d, new_rs, old)
        new_rs, old = self._refresh(c, new_rs), [self._refresh(c, r) for r in old]
        if dig(d, "spec", "paused"):
            self._cleanup(c, d, old)
        self._sync_status(c, self._get(c, d), new_rs, old, rollout=False)

    def _scale(self, c: Cluster, d: Obj, new_rs: Obj | None, old: list[Obj]) -> None:
        want = _replicas(d)
        newest_first = sorted(old, key=pt.creation_key, reverse=True)
        active = [r for r in ([new_rs] if new_rs else []) + newest_first if _replicas(r) > 0]
        target = None
        if not active:
            target = new_rs or (newest_first[0] if newest_first else None)
        elif len(active) == 1:
            target = active[0]
        if target is not None or not active:
            if target is not None and _replicas(target) != want:
                self._scale_rs(c, d, target, want)
            return
        if new_rs is not None and self._is_saturated(d, new_rs):
            for rs in old:
                if _replicas(rs) > 0:
                    self._scale_rs(c, d, rs, 0)
            return
        if not is_rolling(d):
            return
        all_rs = active
        total = sum(_replicas(r) for r in all_rs)
        allowed = want + max_surge(d) if want > 0 else 0
        to_add = allowed - total
        if to_add > 0:
            all_rs = sorted(all_rs, key=lambda r: (-_replicas(r), -pt.creation_key(r)[0], pt.creation_key(r)[1]))
            op = "up"
        elif to_add < 0:
            all_rs = sorted(all_rs, key=lambda r: (-_replicas(r), pt.creation_key(r)))
            op = "down"
        else:
            op = None
        added = 0
        sizes: dict[str, int] = {}
        for rs in all_rs:
            if to_add:
                prop = self._proportion(d, rs, to_add, added)
                sizes[meta.name(rs)] = _replicas(rs) + prop
                added += prop
            else:
                sizes[meta.name(rs)] = _replicas(rs)
        for i, rs in enumerate(all_rs):
            if i == 0 and to_add:
                sizes[meta.name(rs)] = max(0, sizes[meta.name(rs)] + to_add - added)
            self._scale_rs(c, d, rs, sizes[meta.name(rs)], op)

    def _proportion(self, d: Obj, rs: Obj, to_add: int, added: int) -> int:
        if _replicas(rs) == 0 or to_add == 0 or to_add == added:
            return 0
        if _replicas(d) == 0:
            fraction = -_replicas(rs)
        else:
            dep_replicas = _replicas(d) + max_surge(d)
            try:
                annotated = int(meta.annotations(rs).get(MAX_REPLICAS, ""))
            except ValueError:
                annotated = _st(d, "replicas")
            annotated = annotated or 1
            fraction = int(_replicas(rs) * dep_replicas / annotated + 0.5) - _replicas(rs)
        allowed = to_add - added
        return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)

    def _is_saturated(self, d: Obj, rs: Obj) -> bool:
        desired = meta.annotations(rs).get(DESIRED_REPLICAS)
        return (_replicas(rs) == _replicas(d) and desired == str(_replicas(d))
                and _st(rs, "availableReplicas") == _replicas(d))

    # -- strategies ---------------------------------------------------------------------------------
    def _rollout_rolling(self, c: Cluster, d: Obj, rss: list[Obj],
                         found: tuple[Obj, list[Obj]] | None = None) -> None:
        """``found``: what ``_new_and_old`` just gave for ``rss`` when it found the new ReplicaSet
        (asked again, it would give the same and write nothing)."""
        new_rs, old = found or self._new_and_old(c, d, rss, create=True)
        d = self._get(c, d)
        if new_rs is not None and _replicas(new_rs) != _replicas(d):
            if _replicas(new_rs) > _replicas(d):
                self._scale_rs(c, d, new_rs, _replicas(d))
                return self._sync_status(c, self._get(c, d), self._refresh(c, new_rs), old)
            size = self._new_rs_new_replicas(d, old, new_rs)
            if size != _replicas(new_rs):
                new_rs = self._scale_rs(c, d, new_rs, size)
                return self._sync_status(c, self._get(c, d), new_rs, old)
        if self._reconcile_old(c, d, new_rs, old):
            return self._sync_status(c, self._get(c, d), self._refresh(c, new_rs), [self._refresh(c, r) for r in old])
        if self._complete(d, self._status_counts(d, new_rs, old)):
            self._cleanup(c, d, old)
        self._sync_status(c, self._get(c, d), new_rs, [self._refresh(c, r) for r in old if c.store.get("ReplicaSet", meta.namespace(r), meta.name(r))])

    def _reconcile_old(self, c: Cluster, d: Obj, new_rs: Obj | None, old: list[Obj]) -> bool:
        if sum(_replicas(r) for r in old) == 0:
            return False
        all_rs = old + ([new_rs] if new_rs else [])
        all_pods = sum(_replicas(r) for r in all_rs)
        min_available = _replicas(d) - max_unavailable(d)
        new_unavailable = _replicas(new_rs) - _st(new_rs, "availableReplicas")
        max_scaled_down = all_pods - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        changed = False
        # cleanupUnhealthyReplicas: scale down old pods that are not available anyway.
        done = 0
        old_sorted = sorted(old, key=pt.creation_key)
        for i, rs in enumerate(old_sorted):
            if done >= max_scaled_down:
                break
            if _replicas(rs) == 0 or _replicas(rs) == _st(rs, "availableReplicas"):
                continue
            n = min(max_scaled_down - done, _replicas(rs) - _st(rs, "availableReplicas"))
            old_sorted[i] = self._scale_rs(c, d, rs, _replicas(rs) - n)
            done += n
            changed = True
        # scaleDownOldReplicaSetsForRollingUpdate: only what keeps minAvailable available.
        available = sum(_st(r, "availableReplicas") for r in old_sorted) + _st(new_rs, "availableReplicas")
        if available > min_available:
            total = available - min_available
            done = 0
            for rs in old_sorted:
                if done >= total:
                    break
                if _replicas(rs) == 0:
                    continue
                n = min(_replicas(rs), total - done)
                self._scale_rs(c, d, rs, _replicas(rs) - n)
                done += n
                changed = True
        return changed

    def _rollout_recreate(self, c: Cluster, d: Obj, rss: list[Obj]) -> None:
        new_rs, old = self._new_and_old(c, d, rss, create=False)
        scaled = False
        for rs in old:
            if _replicas(rs) > 0:
                self._scale_rs(c, d, rs, 0)
                scaled = True
        if scaled:
            return self._sync_status(c, self._get(c, d), new_rs, [self._refresh(c, r) for r in old])
        if self._old_pods_running(c, old):
            return self._sync_status(c, self._get(c, d), new_rs, old)
        if new_rs is None:
            new_rs, old = self._new_and_old(c, d, rss, create=True)
        d = self._get(c, d)
        if new_rs is not None and _replicas(new_rs) != _replicas(d):
            new_rs = self._scale_rs(c, d, new_rs, _replicas(d))
        if self._complete(d, d.get("status") or {}):
            self._cleanup(c, d, old)
        self._sync_status(c, self._get(c, d), new_rs, [r for r in (self._refresh(c, r) for r in old) if r])

    def _old_pods_running(self, c: Cluster, old: list[Obj]) -> bool:
        if any(_st(rs, "replicas") > 0 for rs in old):
            return True
        uids = {meta.uid(rs) for rs in old}
        for pod in c.store.list("Pod", meta.namespace(old[0]) if old else None):
            if (meta.controller_ref(pod) or {}).get("uid") in uids and dig(pod, "status", "phase") not in ("Failed", "Succeeded"):
                return True
        return False

    def _cleanup(self, c: Cluster, d: Obj, old: list[Obj]) -> None:
        limit = dig(d, "spec", "revisionHistoryLimit")
        if limit is None:
            return
        cleanable = [rs for rs in old if rs is not None and c.store.get("ReplicaSet", meta.namespace(rs), meta.name(rs))
                     and _replicas(rs) == 0 and _st(rs, "replicas") == 0 and not meta.is_deleting(rs)
                     and _st(rs, "observedGeneration") >= rs["metadata"].get("generation", 1)]
        diff = len(cleanable) - int(limit)
        if diff <= 0:
            return
        cleanable.sort(key=lambda r: (_revision(r), pt.creation_key(r)))
        for rs in cleanable[:diff]:
            with contextlib.suppress(ApiError):
                c.delete("ReplicaSet", meta.namespace(rs), meta.name(rs))

    # -- status ---------------------------------------------------------------------------------------
    def _status_counts(self, d: Obj, new_rs: Obj | None, old: Sequence[Obj | None]) -> Obj:
        """The counts of the status ``_calculate_status`` works out (what ``_complete`` reads)."""
        available = total = replicas = ready = 0
        for r in old:  # (the ReplicaSets' counts in one pass: a sync of every deployment reads them)
            if r is not None:
                available += _st(r, "availableReplicas")
                total += _replicas(r)
                replicas += _st(r, "replicas")
                ready += _st(r, "readyReplicas")
        updated = _st(new_rs, "replicas")
        if new_rs:
            available += _st(new_rs, "availableReplicas")
            total += _replicas(new_rs)
            replicas += updated
            ready += _st(new_rs, "readyReplicas")
        return {
            "observedGeneration": d["metadata"].get("generation", 1),
            "replicas": replicas,
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": available,
            "unavailableReplicas": max(0, total - available),
        }

    def _calculate_status(self, d: Obj, new_rs: Obj | None, old: list[Obj]) -> Obj:
        status = self._status_counts(d, new_rs, old)
        old_status = d.get("status") or {}
        if "collisionCount" in old_status:
            status["collisionCount"] = old_status["collisionCount"]
        # The conditions themselves are shared, not copied: _sync_status never changes one in
        # place (set_condition and remove_condition put a new list, with new conditions).
        status["conditions"] = list(old_status.get("conditions") or [])
        return status

    def _complete(self, d: Obj, status: Obj) -> bool:
        n = _replicas(d)
        return (status.get("updatedReplicas", 0) == n and status.get("replicas", 0) == n
                and status.get("availableReplicas", 0) == n
                and status.get("observedGeneration", 0) >= d["metadata"].get("generation", 1))

    def _sync_status(self, c: Cluster, d: Obj, new_rs: Obj | None, old: list[Obj], *, rollout: bool = True) -> None:
        now = c.now()
        status = self._calculate_status(d, new_rs, old)
        if status["availableReplicas"] >= _replicas(d) - max_unavailable(d):
            set_condition(status, _cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now))
        else:
            set_condition(status, _cond("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now))
        pds = dig(d, "spec", "progressDeadlineSeconds")
        if rollout:
            if pds is None:
                remove_condition(status, "Progressing")
            cur = _get_cond(d.get("status") or {}, "Progressing")
            complete_already = (status["replicas"] == status["updatedReplicas"] and cur is not None
                                and cur.get("reason") == "NewReplicaSetAvailable")
            if pds is not None and not complete_already:
                rs_name = meta.name(new_rs) if new_rs else None
                if self._complete(d, status):
                    msg = f'ReplicaSet "{rs_name}" has successfully progressed.' if rs_name else f'Deployment "{meta.name(d)}" has successfully progressed.'
                    set_condition(status, _cond("Progressing", "True", "NewReplicaSetAvailable", msg, now))
                elif self._progressing(d, status):
                    msg = f'ReplicaSet "{rs_name}" is progressing.' if rs_name else f'Deployment "{meta.name(d)}" is progressing.'
                    cond = _cond("Progressing", "True", "ReplicaSetUpdated", msg, now)
                    cur_new = _get_cond(status, "Progressing")
                    if cur_new is not None:
                        if cur_new.get("status") == "True":
                            cond["lastTransitionTime"] = cur_new.get("lastTransitionTime")
                        remove_condition(status, "Progressing")
                    set_condition(status, cond)
                elif self._timed_out(d, status, now):
                    msg = f'ReplicaSet "{rs_name}" has timed out progressing.' if rs_name else f'Deployment "{meta.name(d)}" has timed out progressing.'
                    set_condition(status, _cond("Progressing", "False", "ProgressDeadlineExceeded", msg, now))
            failure = None
            for rs in ([new_rs] if new_rs else []) + [r for r in old if r]:
                rc = pt.get_condition(rs, "ReplicaFailure")
                if rc is not None and rc.get("status") == "True":
                    failure = rc
                    break
            if failure is not None:
                set_condition(status, {"type": "ReplicaFailure", "status": "True", "lastUpdateTime": rfc3339(now),
                                       "lastTransitionTime": failure.get("lastTransitionTime", rfc3339(now)),
                                       "reason": failure.get("reason", "FailedCreate"), "message": failure.get("message", "")})
            else:
                remove_condition(status, "ReplicaFailure")
            # requeueStuckDeployment: wake up when the deadline passes.
            deadline = _progress_deadline(d, status)
            if deadline is not None and not self._complete(d, status):
                c.wake_at(deadline + 1)
        if not status.get("conditions"):
            status.pop("conditions", None)
        for k in ("readyReplicas", "availableReplicas", "unavailableReplicas", "updatedReplicas", "replicas"):
            if not status.get(k):
                status.pop(k, None)

        c.store.write_status("Deployment", meta.namespace(d), meta.name(d), status)  # (an equal one: nothing written)

    def _progressing(self, d: Obj, new: Obj) -> bool:
        old = d.get("status") or {}
        old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
        new_old = new.get("replicas", 0) - new.get("updatedReplicas", 0)
        return (new.get("updatedReplicas", 0) > old.get("updatedReplicas", 0) or new_old < old_old
                or new.get("readyReplicas", 0) > old.get("readyReplicas", 0)
                or new.get("availableReplicas", 0) > old.get("availableReplicas", 0))

    def _timed_out(self, d: Obj, status: Obj, now: float) -> bool:
        cond = _get_cond(status, "Progressing")
        if cond is None or cond.get("reason") == "NewReplicaSetAvailable":
            return False
        if cond.get("reason") == "ProgressDeadlineExceeded":
            return True
        since = parse_time(cond.get("lastUpdateTime"))
        return since is not None and since + int(dig(d, "spec", "progressDeadlineSeconds")) < now
