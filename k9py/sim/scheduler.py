"""The default scheduler: binds pending pods to nodes, like kube-scheduler's default profile.

Filters (in the default plugin order): NodeUnschedulable, NodeName, TaintToleration,
NodeAffinity (nodeSelector + required node affinity), NodeResourcesFit (cpu, memory, pods); before
them VolumeBinding's PreFilter (``volumebinding``: claims missing or unbound keep a pod pending).
Scores: least-allocated cpu/memory (with the scheduler's non-zero defaults of 100m / 200MB for
pods that request nothing) plus spreading of pods that share an owner; ties go to the node name
that sorts first. Failures give the real FitError message and a FailedScheduling event.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from k9py.kube import meta, selectors
from k9py.kube.meta import dig
from k9py.kube.timefmt import rfc3339
from k9py.sim import dra
from k9py.sim.controllers.base import Controller
from k9py.sim.pod_conditions import pod_condition
from k9py.sim.schedcache import (
    DEFAULT_SCHEDULER,
    MAX_STATIC_ENTRIES,
    Key,
    NodeInfo,
    SchedulerCache,
    cache_of,
    host_ports,
)
from k9py.sim.volumebinding import claim_names, prefilter

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

__all__ = ["DEFAULT_SCHEDULER", "Scheduler", "fit_error", "host_ports", "matches_node_affinity", "tolerates"]

RETRY_UNSCHEDULABLE = 300.0             # podMaxInUnschedulablePodsDuration

NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"


def tolerates(tolerations: list[Obj], taint: Obj) -> bool:
    for t in tolerations or []:
        eff = t.get("effect") or ""
        if eff and eff != taint.get("effect"):
            continue
        op = t.get("operator") or "Equal"
        key = t.get("key") or ""
        if not key and op == "Exists":
            return True
        if key != taint.get("key"):
            continue
        if op == "Exists" or (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def _match_expr(expr: Obj, labels: dict[str, str], fields: dict[str, str] | None = None) -> bool:
    key, op, values = expr.get("key", ""), expr.get("operator", ""), expr.get("values") or []
    src = labels if fields is None else fields
    if op == "In":
        return key in src and src[key] in values
    if op == "NotIn":
        return src.get(key) not in values
    if op == "Exists":
        return key in src
    if op == "DoesNotExist":
        return key not in src
    if op in ("Gt", "Lt") and key in src and values:
        try:
            a, b = int(src[key]), int(values[0])
        except ValueError:
            return False
        return a > b if op == "Gt" else a < b
    return False


def matches_node_affinity(pod: Obj, node: Obj) -> bool:
    spec = pod.get("spec", {})
    terms = dig(spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                "nodeSelectorTerms")
    return _affinity_ok(spec.get("nodeSelector") or {}, terms, meta.labels(node), meta.name(node))


def _affinity_ok(selector: dict[str, str], terms: list[Obj] | None, labels: dict[str, str], name: str) -> bool:
    """nodeSelector, then the required node affinity terms (any one of them) on a node."""
    for k, v in selector.items():
        if labels.get(k) != v:
            return False
    if not terms:
        return True
    fields = {"metadata.name": name}
    for term in terms:
        exprs = term.get("matchExpressions") or []
        fexprs = term.get("matchFields") or []
        if not exprs and not fexprs:
            continue
        if all(_match_expr(e, labels) for e in exprs) and all(_match_expr(e, labels, fields) for e in fexprs):
            return True
    return False


def _queue_order(pod: Obj) -> tuple[int, str, str, str]:
    """kube-scheduler's queue order: priority, then age (then the key, to be stable)."""
    spec = pod.get("spec")
    priority = spec.get("priority") if isinstance(spec, dict) else None
    md = pod["metadata"]
    return -int(priority or 0), md.get("creationTimestamp", ""), md.get("namespace", "") or "", md.get("name", "")


@dataclass
class _Dormant:
    """Which pending pods a pass looks at. After a full pass (every pending pod, when a node
    changed or ``until``, the first retry time of those that failed, came), each pod a pass
    looked at and left pending is in one of three sets: ``keys``, those that wait only for a
    node to change or their retry time (asking more than any node has:
    ``_removals_cannot_help``); ``waiting``, those that also wait for a pod to leave a node (or,
    with pod affinity, to be placed on one) and saw the cluster's ``removals`` and
    ``additions`` as they are after the last pass; ``others``, the rest. The next pass looks at
    ``others``, the pods that changed or came (``SchedulerCache.pending_touched``), and
    ``waiting`` if a pod left or was placed since: ``_worth_trying`` would say no to the rest.
    A pass costs what changed, not the number of pods pending (160 dormant ones were looked
    over a hundred times a second in a 30,000-pod cluster)."""

    keys: set[tuple[str, str]]
    nodes_version: int
    until: float = math.inf
    waiting: set[tuple[str, str]] = field(default_factory=set)
    others: set[tuple[str, str]] = field(default_factory=set)
    removals: int = -1  # the cache's counts after the last pass
    additions: int = -1

    def candidates(self, cache: SchedulerCache, touched: set[Key]) -> set[Key]:
        """The pending pods this pass looks at (the sets keep pending pods only)."""
        pending = cache.pending
        gone = touched - pending  # placed or deleted since
        if gone:
            self.keys -= gone
            self.waiting -= gone
            self.others -= gone
        out = touched & pending
        if self.others:
            out |= self.others
        if self.waiting and (cache.removals != self.removals or cache.additions != self.additions):
            out |= self.waiting
        return out

    def note(self, looked_at: list[Obj], waiting: dict[str, tuple], state: dict, cache: SchedulerCache) -> None:
        """After a pass: where each pod it looked at belongs now."""
        removals, additions, pending = cache.removals, cache.additions, cache.pending
        if self.waiting and (removals != self.removals or additions != self.additions):
            # pods were placed (or left) during the pass, after it chose not to look at these
            self.others |= self.waiting
            self.waiting.clear()
        for pod in looked_at:
            md = pod["metadata"]
            key = (md.get("namespace", "") or "", md.get("name", ""))
            self.keys.discard(key)
            self.waiting.discard(key)
            self.others.discard(key)
            if key not in pending:
                continue  # placed in this pass
            uid = md.get("uid", "")
            w, last = waiting.get(uid), state.get(uid)
            if w is None or last is None:
                self.others.add(key)
                continue
            self.until = min(self.until, last[1] + RETRY_UNSCHEDULABLE)
            if w[2] is None and w[3] is None:
                self.keys.add(key)
            elif w[2] in (None, removals) and w[3] in (None, additions):
                self.waiting.add(key)
            else:  # (the cluster moved on within the pass)
                self.others.add(key)
        self.removals, self.additions = removals, additions


class Scheduler(Controller):
    """Pods are taken from the cache's pending set in kube-scheduler's queue order (priority,
    then age) and bound to the best-scoring node that passes the filters (every node is
    considered). Replicas of one workload share a heap of node scores (``_Group``): binding a
    pod changes one node's usage, so the next replica re-scores that node only, not all of them."""

    name = "scheduler"

    def reconcile(self, cluster: Cluster) -> None:
        cache = cache_of(cluster)
        touched, cache.pending_touched = cache.pending_touched, set()
        if not cache.pending:
            return
        state = cluster.state.setdefault("scheduler", {})
        waiting: dict[str, tuple] = cluster.state.setdefault("scheduler.waiting", {})
        now = cluster.now()
        heard, cache.claims_heard = cache.claims_heard, set()
        for key in heard:  # a claim they waited for changed: tried again (VolumeBinding's queueing hint)
            p = cluster.store.get("Pod", key[0], key[1])
            if p is not None:
                waiting.pop(meta.uid(p), None)
        dormant: _Dormant | None = cluster.state.get("scheduler.dormant")
        full = dormant is None or dormant.nodes_version != cache.nodes_version or now >= dormant.until
        if dormant is None or full:
            keys: set[Key] = cache.pending
            dormant = cluster.state["scheduler.dormant"] = _Dormant(set(), cache.nodes_version)
        else:  # those _worth_trying would say no to are not looked at (see _Dormant)
            keys = dormant.candidates(cache, touched)
            if not keys:  # (then no pod waits for the counts to change: nothing to note)
                return
        pending = []
        get = cluster.store.get
        for key in keys:
            p = get("Pod", key[0], key[1])
            if p is not None:
                pending.append(p)
        pending.sort(key=_queue_order)
        for pod in pending:
            if not self._worth_trying(cache, pod, waiting, state, now):
                continue
            self._schedule(cluster, pod, cache, state, waiting)
        cache.groups.clear()  # score heaps live for one pass: a workload's replicas come together
        dormant.note(pending, waiting, state, cache)
        if full and len(waiting) > 2 * len(pending) + 100:  # pods deleted while waiting
            live = {meta.uid(p) for p in pending}
            for uid in [u for u in waiting if u not in live]:
                del waiting[uid]

    @staticmethod
    def _worth_trying(cache: SchedulerCache, pod: Obj, waiting: dict[str, tuple], state: dict, now: float) -> bool:
        """kube-scheduler's queueing hints: an unschedulable pod is tried again only after a change
        that may let it fit (a node added or changed, a pod gone from a node, a pod placed when it
        has pod affinity, the pod itself changed) or when its retry period is over."""
        uid = meta.uid(pod)
        w = waiting.get(uid)
        if w is None:
            return True
        rv, nodes_version, removals, additions = w
        last = state.get(uid)
        if (rv != pod["metadata"].get("resourceVersion") or nodes_version != cache.nodes_version
                or (removals is not None and removals != cache.removals)
                or (additions is not None and additions != cache.additions)
                or last is None or now >= last[1] + RETRY_UNSCHEDULABLE):
            del waiting[uid]
            return True
        return False

    # -- one pod ------------------------------------------------------------------------------
    def _schedule(self, cluster: Cluster, pod: Obj, cache: SchedulerCache, state: dict,
                  waiting: dict[str, tuple]) -> None:
        spec = pod.get("spec", {})
        if spec.get("volumes") and self._claims_block(cluster, pod, cache, state, waiting):
            return
        devices = False  # a ResourceClaim waits for devices: no node passes DynamicResources' Filter
        if spec.get("resourceClaims"):
            gated = dra.gate(cluster.store, pod)
            why, devices = (None, False) if gated is not None else dra.prefilter(cluster.store, pod)
            if gated is not None or why is not None:
                self._devices_block(cluster, pod, cache, state, waiting, why, gated)
                return
        fit = static_fit(cache, spec)
        req = Request.of(pod, cache)
        if devices:
            verdicts: list[list[tuple[str, bool]]] = []
            _, reasons, unresolvable = _scan(fit.fits, req, verdicts)
            passed = sum(1 for v in verdicts if not v)
            if passed:
                reasons[dra.CANNOT_ALLOCATE] = passed
                unresolvable += passed
            best = None
        elif fit.partial or (req.inter is not None and req.inter.affinity) or len(fit.fits) <= SMALL:
            best, reasons, unresolvable = _scan(fit.fits, req)
        else:
            known = _still_fits_nowhere(cache, fit, req)
            if known is not None:
                best, (reasons, unresolvable) = None, known
            else:
                best = _from_group(cache, fit, req, pod)
                reasons, unresolvable = {}, 0
                if best is None:  # nothing fits: every node again, for the reasons
                    best, reasons, unresolvable = _scan_for_reasons(cache, fit, req)
        if best is None:
            removals: int | None = cache.removals
            if fit.partial:
                fit = static_fit(cache, spec, full=True)
            elif (devices and set(reasons) <= {dra.CANNOT_ALLOCATE}) or _removals_cannot_help(fit, req, reasons):
                removals = None  # a pod leaving a node changes nothing for it: not tried again then
            for r, n in fit.reasons.items():
                reasons[r] = reasons.get(r, 0) + n
            updated = self._fail(cluster, pod, len(cache.order), reasons, unresolvable + fit.unresolvable, state,
                                 postfilter_msg=dra.STILL_NOT_SCHEDULABLE if devices else "")
            if devices:  # tried again when a claim or a device class changes, too
                _wait_for_claims(cache, pod)
            rv = (updated or pod)["metadata"].get("resourceVersion")
            waiting[meta.uid(pod)] = (rv, cache.nodes_version, removals,
                                      cache.additions if req.inter is not None and req.inter.affinity else None)
            return
        self._bind(cluster, pod, best.name)
        state.pop(meta.uid(pod), None)

    def _claims_block(self, cluster: Cluster, pod: Obj, cache: SchedulerCache, state: dict,
                      waiting: dict[str, tuple]) -> bool:
        """VolumeBinding's PreFilter: True when the pod's claims keep it off every node (then it
        failed, and waits for one of them to change)."""
        claims = claim_names(pod)
        why = prefilter(cluster.store, pod, claims) if claims else None
        if why is None:
            return False
        total = len(cache.order)
        updated = self._fail(cluster, pod, total, {}, total, state, prefilter_msg=why)
        ns = meta.namespace(pod)
        cache.wait_for_claims((ns, meta.name(pod)), [(ns, c) for c in claims])
        waiting[meta.uid(pod)] = ((updated or pod)["metadata"].get("resourceVersion"), cache.nodes_version, None, None)
        return True

    def _devices_block(self, cluster: Cluster, pod: Obj, cache: SchedulerCache, state: dict,
                       waiting: dict[str, tuple], why: str | None, gated: str | None) -> None:
        """DynamicResources turned the pod away: its PreEnqueue (``gated``: a claim not there,
        which says nothing), or its PreFilter (``why``: a device class unknown). It waits for one
        of its claims, or a class, to change."""
        updated = None
        if gated is not None:
            state[meta.uid(pod)] = (gated, cluster.now())
        else:
            total = len(cache.order)
            updated = self._fail(cluster, pod, total, {}, total, state, prefilter_msg=why or "",
                                 postfilter_msg=dra.NO_NEW_CLAIMS)
        _wait_for_claims(cache, pod)
        waiting[meta.uid(pod)] = ((updated or pod)["metadata"].get("resourceVersion"), cache.nodes_version, None, None)

    # -- outcomes -----------------------------------------------------------------------------
    def _bind(self, cluster: Cluster, pod: Obj, node_name: str) -> None:
        now = rfc3339(cluster.now())

        def bind(p: Obj) -> None:
            p["spec"]["nodeName"] = node_name
            st = p.setdefault("status", {})
            st.setdefault("phase", "Pending")
            conds = [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"]
            conds.append(pod_condition(p, "PodScheduled", "True", now))
            st["conditions"] = conds
        # pods/binding sets spec.nodeName without a new generation (the pod's desired state is the same)
        bound = cluster.store.rewrite("Pod", meta.namespace(pod), meta.name(pod), bind, fields=("spec", "status"),
                                      generation=False)
        if bound is not None:
            cluster.record_event(bound, "Normal", "Scheduled",
                                 f"Successfully assigned {meta.namespace(pod)}/{meta.name(pod)} to {node_name}",
                                 DEFAULT_SCHEDULER)

    def _fail(self, cluster: Cluster, pod: Obj, total: int, reasons: dict[str, int], unresolvable: int,
              state: dict, *, prefilter_msg: str = "", postfilter_msg: str = "") -> Obj | None:
        message = fit_error(pod, total, reasons, unresolvable, prefilter_msg, postfilter_msg)
        uid = meta.uid(pod)
        now = cluster.now()
        last = state.get(uid)
        if last and last[0] == message and now < last[1] + RETRY_UNSCHEDULABLE:
            return None
        state[uid] = (message, now)
        cluster.wake_at(now + RETRY_UNSCHEDULABLE)
        ts = rfc3339(now)

        def unschedulable(p: Obj) -> None:
            st = p.setdefault("status", {})
            st["phase"] = "Pending"
            conds = [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"]
            old = next((c for c in st.get("conditions") or [] if c.get("type") == "PodScheduled"), None)
            conds.append(pod_condition(p, "PodScheduled", "False",
                                       old["lastTransitionTime"] if old and old.get("status") == "False" else ts,
                                       "Unschedulable", message))
            st["conditions"] = conds
        updated = cluster.store.rewrite("Pod", meta.namespace(pod), meta.name(pod), unschedulable, fields=("status",))
        if updated is not None:
            cluster.record_event(updated, "Warning", "FailedScheduling", message, DEFAULT_SCHEDULER)
        return updated


PORTS = "node(s) didn't have free ports for the requested pod ports"
UNSCHEDULABLE = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
SMALL = 16        # nodes: below this a pod is simply scored on each
MAX_GROUPS = 512


@dataclass
class Request:
    """What one pod asks of a node: requests (fit, then the scorers' non-zero ones), host ports,
    inter-pod terms, its owner (for spreading)."""

    cpu: int
    mem: int
    ncpu: int
    nmem: int
    ports: list[tuple[str, str, int]]
    inter: InterPod | None
    owner: str | None

    @classmethod
    def of(cls, pod: Obj, cache: SchedulerCache) -> Request:
        cpu, mem, ncpu, nmem, ports = cache.pod_needs(pod.get("spec", {}))
        ref = meta.controller_ref(pod)
        return cls(cpu, mem, ncpu, nmem, ports, InterPod.of(cache, pod), ref.get("uid") if ref else None)


def _score(info: NodeInfo, prefer: int, r: Request) -> float | None:
    """The pod's score on a node that passed the static filters, None if it does not fit."""
    u = info.usage
    if r.ports and any(p in u.ports for p in r.ports):
        return None
    if u.pods >= info.max_pods or (r.cpu and u.cpu + r.cpu > info.alloc_cpu) or (
            r.mem and u.mem + r.mem > info.alloc_mem):
        return None
    if r.inter is not None and r.inter.check(info.labels) is not None:
        return None
    cap_cpu, cap_mem = info.cap_cpu, info.cap_mem
    free_cpu = (cap_cpu - u.ncpu - r.ncpu) / cap_cpu
    free_mem = (cap_mem - u.nmem - r.nmem) / cap_mem
    least_allocated = 100 * ((free_cpu if free_cpu > 0 else 0.0) + (free_mem if free_mem > 0 else 0.0)) / 2
    spread = 100.0 / (1 + u.owners.get(r.owner, 0)) if r.owner else 100.0
    return least_allocated + 2 * spread - 50 * prefer


def _scan(candidates: list[tuple[NodeInfo, int]], r: Request,
          verdicts: list[list[tuple[str, bool]]] | None = None) -> tuple[NodeInfo | None, dict[str, int], int]:
    """Every candidate scored: the best (highest score, then the first name), or the reasons
    each failed (and how many of those preemption cannot help); ``verdicts`` gets each
    candidate's ``_why`` (empty where it fits)."""
    reasons: dict[str, int] = {}
    unresolvable = 0
    best: NodeInfo | None = None
    best_score = 0.0
    for info, prefer in candidates:
        score = _score(info, prefer, r)
        if score is None:
            why_not = _why(info, r)
            if verdicts is not None:
                verdicts.append(why_not)
            for why, hard in why_not:
                reasons[why] = reasons.get(why, 0) + 1
                unresolvable += hard
            continue
        if verdicts is not None:
            verdicts.append([])
        if best is None or score > best_score or (score == best_score and info.name < best.name):
            best, best_score = info, score
    return best, reasons, unresolvable


@dataclass
class _NoFit:
    """Why no node fits one shape of pod (static fit, requests, host ports; no inter-pod terms):
    each candidate's verdict (``_why``: empty where it fits) at the usage version it was given.
    A verdict changes only with its node's usage (until a node changes: ``nodes_version``), so
    the next pod of the shape asks again only the nodes whose pods changed since (the cache's
    usage log, from ``log_pos``), not all of them: at 100,000 pods the Pending pods' retries
    scanned every node, two thirds of the scheduler's time."""

    fits: list[tuple[NodeInfo, int]]
    nodes_version: int
    versions: list[int]
    verdicts: list[list[tuple[str, bool]]]
    reasons: dict[str, int]
    unresolvable: int
    log_pos: int
    fitting: int = 0  # candidates whose verdict is empty
    index: dict[str, int] = field(default_factory=dict)  # a candidate's place in ``fits``, by name


MAX_NO_FIT = 256  # shapes remembered (a new one past that starts the table over)


def _no_fit_key(fit: StaticFit, r: Request) -> tuple | None:
    return None if r.inter is not None else (fit.sig, r.cpu, r.mem, tuple(r.ports))


def _scan_for_reasons(cache: SchedulerCache, fit: StaticFit,
                      r: Request) -> tuple[NodeInfo | None, dict[str, int], int]:
    """``_scan``; when nothing fits a shape ``_still_fits_nowhere`` can answer for, what each
    node said is kept for it."""
    key = _no_fit_key(fit, r)
    if key is None:
        return _scan(fit.fits, r)
    verdicts: list[list[tuple[str, bool]]] = []
    best, reasons, unresolvable = _scan(fit.fits, r, verdicts)
    if best is None:
        if len(cache.no_fit) >= MAX_NO_FIT:
            cache.no_fit.clear()
        cache.no_fit[key] = _NoFit(fit.fits, cache.nodes_version, [info.usage.version for info, _ in fit.fits],
                                   verdicts, dict(reasons), unresolvable, cache.log_end())
    return best, reasons, unresolvable


def _still_fits_nowhere(cache: SchedulerCache, fit: StaticFit, r: Request) -> tuple[dict[str, int], int] | None:
    """The reasons and the unresolvable count ``_scan`` would give now for a shape that fit no
    node when last asked (``_NoFit``), if it still fits none; None when a node may fit it now or
    that is not known."""
    key = _no_fit_key(fit, r)
    nf = cache.no_fit.get(key) if key is not None else None
    if nf is None or nf.fits is not fit.fits or nf.nodes_version != cache.nodes_version:
        return None
    changed = cache.changed_since(nf.log_pos)
    if changed is None or len(changed) > len(nf.fits):  # (the log started over since)
        places: Iterable[int] = range(len(nf.fits))
    elif changed:
        index = nf.index
        if not index:
            index.update((info.name, i) for i, (info, _prefer) in enumerate(nf.fits))
        places = [i for i in map(index.get, changed) if i is not None]
    else:
        places = ()
    fits, versions, verdicts, reasons = nf.fits, nf.versions, nf.verdicts, nf.reasons
    for i in places:
        info = fits[i][0]
        version = info.usage.version
        if version == versions[i]:
            continue  # (a node changed twice since is looked at once)
        before = verdicts[i]
        for why, hard in before:
            reasons[why] -= 1
            nf.unresolvable -= hard
        now = verdicts[i] = _why(info, r)
        for why, hard in now:
            reasons[why] = reasons.get(why, 0) + 1
            nf.unresolvable += hard
        nf.fitting += (not now) - (not before)
        versions[i] = version
    nf.log_pos = cache.log_end()
    if nf.fitting:
        return None  # a pod left a node and this one fits there now: the full path places it
    return {why: n for why, n in reasons.items() if n}, nf.unresolvable


def _removals_cannot_help(fit: StaticFit, r: Request, reasons: dict[str, int]) -> bool:
    """True when no pod leaving a node can change the verdict on a pod that fit no node, nor
    its reasons (``reasons``: those of the nodes that passed the static filters): each of those
    nodes has less cpu or memory allocatable than the pod asks, and it was refused for nothing
    that depends on what runs there (no "Too many pods", no cpu or memory it merely lacks now,
    no ports, no pod affinity). A pod asking for more than any node has waits for a node to
    change (kube-scheduler tries it again after every pod deletion, to the same answer)."""
    if r.inter is not None or r.ports:
        return False
    short = _short_everywhere(fit, r.cpu, r.mem)
    if short is None:
        return False
    cpu_short, mem_short = short
    return ("Too many pods" not in reasons and reasons.get("Insufficient cpu", 0) == cpu_short
            and reasons.get("Insufficient memory", 0) == mem_short)


def _short_everywhere(fit: StaticFit, cpu: int, mem: int) -> tuple[int, int] | None:
    """How many of ``fit``'s nodes have less cpu, and less memory, allocatable than asked, when
    every one of them lacks one or the other (else None). Kept on ``fit`` (its nodes' allocatable
    stays until a node changes, which makes a new one): a pod that fits nowhere is tried again
    after each pod deletion, and a thousand nodes looked at each time made the scheduler most
    of a big cluster's cost."""
    key = (cpu, mem)
    memo = fit.short
    if key in memo:
        return memo[key]
    cpu_short = mem_short = 0
    out: tuple[int, int] | None = None
    for info, _prefer in fit.fits:
        lacks_cpu = bool(cpu) and cpu > info.alloc_cpu
        lacks_mem = bool(mem) and mem > info.alloc_mem
        if not (lacks_cpu or lacks_mem):
            break
        cpu_short += lacks_cpu
        mem_short += lacks_mem
    else:
        out = (cpu_short, mem_short)
    memo[key] = out
    return out


def _why(info: NodeInfo, r: Request) -> list[tuple[str, bool]]:
    """Why a node that passed the static filters does not fit (the filters' order and wording)."""
    u = info.usage
    if r.ports and any(p in u.ports for p in r.ports):
        return [(PORTS, False)]
    out = [(why, False) for why, failed in (
        ("Too many pods", u.pods >= info.max_pods),
        ("Insufficient cpu", r.cpu and u.cpu + r.cpu > info.alloc_cpu),
        ("Insufficient memory", r.mem and u.mem + r.mem > info.alloc_mem)) if failed]
    if not out and r.inter is not None:
        failure = r.inter.check(info.labels)
        if failure is not None:
            out.append(failure)
    return out


@dataclass
class _Group:
    """The node scores of one kind of pod (same static fit, requests, ports, owner, labels and
    anti-affinity: a workload's replicas), as a heap of (-score, name, usage version, node,
    prefer). Placing pods only lowers scores and removes fits, so an entry whose node changed
    since is an upper bound: re-scored when it reaches the top, the first entry found current is
    the best node. A pod leaving a node or a node changing can raise scores: the heap is rebuilt.
    A group's heap starts as a copy of its shape's (``_bounds``): an entry is current only once
    the group scored it itself (``scored``), at the node's version it holds."""

    nodes_version: int
    removals: int
    heap: list[tuple[float, str, int, NodeInfo, int]]
    scored: set[str] = field(default_factory=set)


def _from_group(cache: SchedulerCache, fit: StaticFit, r: Request, pod: Obj) -> NodeInfo | None:
    anti = dig(pod, "spec", "affinity", "podAntiAffinity")
    key = (fit.sig, meta.namespace(pod), r.owner, r.cpu, r.mem, r.ncpu, r.nmem, tuple(r.ports),
           tuple(sorted(meta.labels(pod).items())), json.dumps(anti, sort_keys=True) if anti else "")
    g: _Group | None = cache.groups.get(key)
    if g is None or not _current(g, cache):
        g = _keep_group(cache, key, _bounds(cache, fit, r))
    heap, scored = g.heap, g.scored
    while heap:
        _, name, version, info, _ = heap[0]
        if info.usage.version != version or name not in scored:
            scored.add(name)
            _rescore_top(heap, r)
            continue
        if r.inter is not None and r.inter.check(info.labels) is not None:
            heapq.heappop(heap)  # another node's pods exclude it now (zone anti-affinity)
            continue
        return info  # left in the heap: binding bumps its version, so the next replica re-scores it
    return None


def _current(g: _Group, cache: SchedulerCache) -> bool:
    return g.nodes_version == cache.nodes_version and g.removals == cache.removals


def _keep_group(cache: SchedulerCache, key: Any, heap: list[tuple[float, str, int, NodeInfo, int]]) -> _Group:
    """A new group with ``heap``, current as of the cache's node versions (at most MAX_GROUPS)."""
    groups: dict[Any, _Group] = cache.groups
    if len(groups) >= MAX_GROUPS:
        groups.clear()
    g = groups[key] = _Group(cache.nodes_version, cache.removals, heap)
    return g


def _rescore_top(heap: list[tuple[float, str, int, NodeInfo, int]], r: Request) -> None:
    """Score the top entry's node again, at its version now (it leaves when it no longer fits)."""
    _, name, _, info, prefer = heap[0]
    score = _score(info, prefer, r)
    if score is None:
        heapq.heappop(heap)
    else:
        heapq.heapreplace(heap, (-score, name, info.usage.version, info, prefer))


@dataclass
class _Shape:
    """The heap of one shape of pod (``_bounds``), kept from pass to pass: its entries are
    the scores at the usage versions they hold, each current or an upper bound (placing pods
    only lowers scores). ``log_pos``: the cache's usage log position when every entry was
    current; a pod leaving a node can raise that node's score (or let it fit again), so
    those nodes, the ones the log names since, are scored again then, not all of them."""

    nodes_version: int
    removals: int
    fits: list[tuple[NodeInfo, int]]  # the static fit's nodes it was built from
    heap: list[tuple[float, str, int, NodeInfo, int]]
    log_pos: int
    index: dict[str, int] = field(default_factory=dict)  # a node's place in ``fits``, by name


def _bounds(cache: SchedulerCache, fit: StaticFit, r: Request) -> list[tuple[float, str, int, NodeInfo, int]]:
    """A new group's heap, from the heap of its shape (the groups with the same static fit,
    requests and ports: workloads alike but for their owner and labels), kept over the nodes
    with the shape's scores: a pod without an owner or inter-pod terms, the highest any group of
    the shape can get there (spreading only lowers a score, placing pods only lowers them all).
    The group re-scores an entry when it reaches the top (its ``scored`` starts empty): its
    first pick costs a few scores instead of one per node. The shape's heap outlives the pass
    (``_Shape``): under churn, a pass that places a pod no longer scores every node for it."""
    shape = Request(r.cpu, r.mem, r.ncpu, r.nmem, r.ports, None, None)
    key = (fit.sig, r.cpu, r.mem, r.ncpu, r.nmem, tuple(r.ports))
    shapes: dict[Any, _Shape] = cache.shapes
    s = shapes.get(key)
    if s is None or s.nodes_version != cache.nodes_version or s.fits is not fit.fits:
        if len(shapes) >= MAX_GROUPS:
            shapes.clear()
        s = shapes[key] = _Shape(cache.nodes_version, cache.removals, fit.fits, _scored(fit.fits, shape),
                                 cache.log_end())
    elif s.removals != cache.removals:
        _rescore_changed(cache, s, shape)
    else:
        _refresh(s.heap, shape)
    return list(s.heap)


def _rescore_changed(cache: SchedulerCache, s: _Shape, shape: Request) -> None:
    """Pods left nodes since ``s`` was last current: the nodes whose usage changed since are
    scored again (the others' entries are current or upper bounds), as if built anew."""
    changed = cache.changed_since(s.log_pos)
    fits = s.fits
    if changed is None or len(changed) > len(fits):  # the log started over since, or most nodes changed
        s.heap = _scored(fits, shape)
    else:
        gone = set(changed)
        index = s.index
        if not index:
            index.update((info.name, i) for i, (info, _prefer) in enumerate(fits))
        heap = [entry for entry in s.heap if entry[1] not in gone]
        heap += _scored([fits[i] for i in map(index.get, gone) if i is not None], shape)  # (of this static fit)
        heapq.heapify(heap)
        s.heap = heap
    s.removals, s.log_pos = cache.removals, cache.log_end()


def _scored(fits: list[tuple[NodeInfo, int]], shape: Request) -> list[tuple[float, str, int, NodeInfo, int]]:
    """The heap entries of the nodes of ``fits`` that a pod of ``shape`` fits, as a heap."""
    heap = []
    for info, prefer in fits:
        score = _score(info, prefer, shape)
        if score is not None:
            heap.append((-score, info.name, info.usage.version, info, prefer))
    heapq.heapify(heap)
    return heap


def _refresh(heap: list[tuple[float, str, int, NodeInfo, int]], r: Request) -> None:
    """Bring the heap up to date when its top entry's node changed: every entry whose node
    changed is scored again and the heap rebuilt. (Placing pods fills the nodes that score best
    for every shape, so the changed nodes are the ones found at the top: re-scoring them one by
    one down from the top until the top one was current came to nine in ten of them anyway, at
    a heap operation each.)"""
    if not heap or heap[0][3].usage.version == heap[0][2]:
        return
    fresh = []
    for entry in heap:
        info = entry[3]
        version = info.usage.version
        if version == entry[2]:
            fresh.append(entry)
            continue
        score = _score(info, entry[4], r)
        if score is not None:
            fresh.append((-score, entry[1], version, info, entry[4]))
    heapq.heapify(fresh)
    heap[:] = fresh


@dataclass
class StaticFit:
    """The filters that read only the node (cordon, taints, node affinity) for one pod spec: the
    nodes that pass (with their untolerated PreferNoSchedule taints, for scoring) and the
    reasons of the others. ``partial``: only the nodes the pod names were looked at."""

    fits: list[tuple[NodeInfo, int]]
    reasons: dict[str, int]
    unresolvable: int
    partial: bool = False
    sig: str = ""
    # (cpu, mem) asked -> how many nodes lack each, or None (``_short_everywhere``)
    short: dict[tuple[int, int], tuple[int, int] | None] = field(default_factory=dict)


def static_fit(cache: SchedulerCache, spec: Obj, *, full: bool = False) -> StaticFit:
    """Cached per pod spec shape (the replicas of a workload share it) until a node changes."""
    tolerations = spec.get("tolerations") or _NO_TOLERATIONS
    selector = spec.get("nodeSelector") or _NO_SELECTOR
    terms = dig(spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                "nodeSelectorTerms")
    sig = cache.static_sigs(tolerations, selector, terms) + ("#full" if full else "")
    got = cache.static_fits.get(sig)
    if got is not None:
        return got
    named = None if full else _named_nodes(terms)
    nodes = cache.order if named is None else [cache.nodes[n] for n in sorted(named) if n in cache.nodes]
    fit = StaticFit([], {}, 0, partial=named is not None)
    for info in nodes:
        why = _static_reason(info, tolerations, selector, terms)
        if why is None:
            prefer = sum(1 for t in info.prefer if not tolerates(tolerations, t))
            fit.fits.append((info, prefer))
        else:
            fit.reasons[why] = fit.reasons.get(why, 0) + 1
            fit.unresolvable += 1
    fit.sig = sig
    if len(cache.static_fits) > MAX_STATIC_ENTRIES:
        cache.static_fits.clear()
    cache.static_fits[sig] = fit
    return fit


_NO_TOLERATIONS: list[Obj] = []  # never changed: shared by every spec without any
_NO_SELECTOR: dict[str, str] = {}




def _named_nodes(terms: list[Obj] | None) -> set[str] | None:
    """The node names of a DaemonSet pod's affinity (one term: ``metadata.name In [...]``)."""
    if not terms or len(terms) != 1 or terms[0].get("matchExpressions"):
        return None
    fields = terms[0].get("matchFields") or []
    if len(fields) != 1 or fields[0].get("key") != "metadata.name" or fields[0].get("operator") != "In":
        return None
    return {str(v) for v in fields[0].get("values") or []}


def _static_reason(info: NodeInfo, tolerations: list[Obj], selector: dict[str, str],
                   terms: list[Obj] | None) -> str | None:
    if info.unschedulable and not tolerates(tolerations, UNSCHEDULABLE):
        return "node(s) were unschedulable"
    for taint in info.taints:
        if not tolerates(tolerations, taint):
            return f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value', '')}}}"
    if not _affinity_ok(selector, terms, info.labels, info.name):
        return "node(s) didn't match Pod's node affinity/selector"
    return None


class InterPod:
    """InterPodAffinity (required terms only) for one pod, precomputed over the cache: the
    topology values each affinity term is satisfied in, those each anti-affinity term excludes,
    and the (topologyKey, value) pairs existing pods' anti-affinity forbids it."""

    def __init__(self) -> None:
        self.affinity: list[tuple[str, set[str], bool, bool]] = []  # key, values, any match, matches itself
        self.anti: list[tuple[str, set[str]]] = []
        self.forbidden: list[tuple[str, str]] = []

    @classmethod
    def of(cls, cache: SchedulerCache, pod: Obj) -> InterPod | None:
        aff = dig(pod, "spec", "affinity") or {}
        if not aff and not cache.anti_any:  # (most pods: None, unless a bound pod's term may select it)
            anti_by_label = cache.anti_by_label
            if not anti_by_label or not any(kv in anti_by_label for kv in meta.labels(pod).items()):
                return None
        own_aff = dig(aff, "podAffinity", "requiredDuringSchedulingIgnoredDuringExecution") or []
        own_anti = dig(aff, "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution") or []
        ns, labels = meta.namespace(pod), meta.labels(pod)
        out = cls()
        for term in own_aff:
            key = term.get("topologyKey", "")
            values, anywhere = cache_values(cache, term, ns, key)
            out.affinity.append((key, values, anywhere, _term_matches_labels(term, ns, ns, labels)))
        for term in own_anti:
            key = term.get("topologyKey", "")
            out.anti.append((key, cache_values(cache, term, ns, key)[0]))
        forbidden: set[tuple[str, str]] = set()
        for k in cache.anti_candidates(labels):
            rec = cache.records.get(k)
            node = cache.nodes.get(rec.node) if rec else None
            if rec is None or node is None:
                continue
            for term in rec.anti:
                key = term.get("topologyKey", "")
                value = node.labels.get(key)
                if value is not None and _term_matches_labels(term, rec.namespace, ns, labels):
                    forbidden.add((key, value))
        out.forbidden = sorted(forbidden)
        if not (out.affinity or out.anti or out.forbidden):
            return None
        return out

    def check(self, labels: dict[str, str]) -> tuple[str, bool] | None:
        """Why a node with these labels fails (reason, preemption cannot help), or None."""
        for key, values, anywhere, itself in self.affinity:
            v = labels.get(key)
            if v is not None and (v in values or (not anywhere and itself)):
                continue  # (the first pod of a group may go anywhere its own term allows)
            return "node(s) didn't match pod affinity rules", True
        for key, values in self.anti:
            v = labels.get(key)
            if v is not None and v in values:
                return "node(s) didn't match pod anti-affinity rules", False
        for key, value in self.forbidden:
            if labels.get(key) == value:
                return "node(s) didn't satisfy existing pods anti-affinity rules", False
        return None


def cache_values(cache: SchedulerCache, term: Obj, namespace: str, key: str) -> tuple[set[str], bool]:
    """The ``key`` values of the nodes holding pods ``term`` (of a pod in ``namespace``) selects,
    and whether it selects any pod on any node."""
    values: set[str] = set()
    anywhere = False
    for k in cache.selected(term):
        rec = cache.records.get(k)
        node = cache.nodes.get(rec.node) if rec else None
        if rec is None or node is None or not _term_matches_labels(term, namespace, rec.namespace, rec.labels):
            continue
        anywhere = True
        v = node.labels.get(key)
        if v is not None:
            values.add(v)
    return values, anywhere


def _term_matches(term: Obj, owner: Obj, target: Obj) -> bool:
    """Whether ``target`` is selected by a pod (anti-)affinity term of ``owner``."""
    return _term_matches_labels(term, meta.namespace(owner), meta.namespace(target), meta.labels(target))


def _term_matches_labels(term: Obj, owner_namespace: str, namespace: str, labels: dict[str, str]) -> bool:
    namespaces = term.get("namespaces") or []
    # a namespaceSelector is taken as selecting every namespace (the common ``{}``)
    if term.get("namespaceSelector") is None and namespace not in (namespaces or [owner_namespace]):
        return False
    sel = selectors.from_label_selector(term.get("labelSelector"))
    return sel is not None and selectors.matches(sel, labels)


def fit_error(pod: Obj, total: int, reasons: dict[str, int], unresolvable: int, prefilter_msg: str = "",
              postfilter_msg: str = "") -> str:
    """The scheduler's FitError text (pkg/scheduler/framework/types.go) with the PostFilter
    plugins' part: DynamicResources' (``postfilter_msg``, for a pod with claims), then the
    preemption's; a PreFilter plugin's message stands for the nodes' reasons."""
    if total == 0:
        return "no nodes available to schedule pods"
    msg = f"0/{total} nodes are available: " + (
        prefilter_msg or ", ".join(sorted(f"{v} {k}" for k, v in reasons.items()))) + "."
    if postfilter_msg:
        msg += f" {postfilter_msg},"
    if dig(pod, "spec", "preemptionPolicy") == "Never":
        return msg + " preemption: not eligible due to preemptionPolicy=Never."
    parts = []
    if unresolvable:
        parts.append(f"{unresolvable} {NOT_HELPFUL}")
    if total - unresolvable:
        parts.append(f"{total - unresolvable} {NO_VICTIMS}")
    return msg + f" preemption: 0/{total} nodes are available: " + ", ".join(sorted(parts)) + "."


def _wait_for_claims(cache: SchedulerCache, pod: Obj) -> None:
    """``pod`` is tried again when one of its ResourceClaims comes or changes."""
    ns = meta.namespace(pod)
    cache.wait_for_claims((ns, meta.name(pod)), [(ns, c) for c in dra.pod_claim_names(pod) if c])
