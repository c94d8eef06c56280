"""PodDisruptionBudget (policy/v1): kube-controller-manager's disruption controller
(pkg/controller/disruption) and the apiserver's check in the pods/eviction subresource
(pkg/registry/core/pod/storage/eviction.go).

The controller keeps each budget's status: expectedPods (the pods' controllers' scale, or the
number of selected pods for an integer minAvailable), desiredHealthy (from minAvailable or
maxUnavailable, an integer or a percentage rounded up), currentHealthy (selected pods that are
Ready, not terminating and not just evicted), disruptionsAllowed, observedGeneration, the
DisruptionAllowed condition (SufficientPods / InsufficientPods / SyncFailed) and disruptedPods.

An eviction of a pod a budget covers is refused with 429 TooManyRequests "Cannot evict pod as it
would violate the pod's disruption budget." while the budget allows no disruption (kubectl drain
then retries every 5 s until its --timeout); an allowed one decrements disruptionsAllowed and
records the pod in disruptedPods before the pod is deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta, selectors
from k9py.kube.meta import dig
from k9py.kube.status import ApiError, invalid
from k9py.kube.timefmt import parse_time, rfc3339
from k9py.kube.unicode import digits
from k9py.sim.admission import admits
from k9py.sim.controllers import podtemplate as pt
from k9py.sim.controllers.base import Controller

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

KIND = "PodDisruptionBudget"
COMPONENT = "controllermanager"  # the disruption controller's event source
DELETION_TIMEOUT = 120.0  # an evicted pod not deleted after this is counted again
REFUSED = "Cannot evict pod as it would violate the pod's disruption budget."


def _int_or_percent_ok(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return v >= 0
    return isinstance(v, str) and v.endswith("%") and digits(v[:-1])


@admits(KIND)
def _admit_pdb(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    name = meta.name(obj)
    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        raise invalid(KIND, name, [("spec", "Invalid value: must be an object")])
    errs: list[tuple[str, str]] = []
    lo, hi = spec.get("minAvailable"), spec.get("maxUnavailable")
    if lo is not None and hi is not None:
        errs.append(("spec", f"Invalid value: {_show_spec(spec)}: minAvailable and maxUnavailable cannot be both set"))
    for field, v in (("minAvailable", lo), ("maxUnavailable", hi)):
        if v is None:
            continue
        if isinstance(v, str) and not v.endswith("%"):
            errs.append((f"spec.{field}", f'Invalid value: "{v}": a valid percent string must be a numeric string followed by an ending \'%\' (e.g. \'1%\',  or \'93%\', regex used for validation is \'[0-9]+%\')'))
        elif not _int_or_percent_ok(v):
            errs.append((f"spec.{field}", f"Invalid value: {v}: must be greater than or equal to 0"))
        elif isinstance(v, str) and int(v[:-1]) > 100:
            errs.append((f"spec.{field}", f'Invalid value: "{v}": must not be greater than 100%'))
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in ("IfHealthyBudget", "AlwaysAllow"):
        errs.append(("spec.unhealthyPodEvictionPolicy", f'Unsupported value: "{policy}": supported values: "AlwaysAllow", "IfHealthyBudget"'))
    if errs:
        raise invalid(KIND, name, errs)
    if old is None:  # the apiserver resets the status on create
        obj["status"] = {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}


def _show_spec(spec: Obj) -> str:
    def show(v: Any) -> str:
        return f'"{v}"' if isinstance(v, str) else str(v)
    return f"policy.PodDisruptionBudgetSpec{{MinAvailable:{show(spec.get('minAvailable'))}, MaxUnavailable:{show(spec.get('maxUnavailable'))}}}"


def selected_pods(cluster: Cluster, pdb: Obj) -> list[Obj]:
    """The pods of the budget's namespace its selector matches (none without a selector; all
    with an empty one, as policy/v1 says)."""
    sel = selectors.from_label_selector(dig(pdb, "spec", "selector"))
    if sel is None:
        return []
    return [p for p in cluster.store.list("Pod", meta.namespace(pdb)) if selectors.matches(sel, meta.labels(p))]


def _scale_of_controller(cluster: Cluster, ns: str, ref: Obj) -> tuple[str, int] | None:
    """The finders: (uid, replicas) of a pod's controller that has a scale — a ReplicaSet's
    Deployment, a ReplicaSet, a ReplicationController, a StatefulSet; None for anything else."""
    kind, name = ref.get("kind"), str(ref.get("name") or "")
    if kind == "ReplicaSet":
        rs = cluster.store.get("ReplicaSet", ns, name)
        if rs is None or meta.uid(rs) != ref.get("uid"):
            return None
        owner = meta.controller_ref(rs)
        if owner is not None and owner.get("kind") == "Deployment":
            dep = cluster.store.get("Deployment", ns, str(owner.get("name") or ""))
            if dep is None or meta.uid(dep) != owner.get("uid"):
                return None
            return meta.uid(dep), int(dig(dep, "spec", "replicas", default=1) or 0)
        return meta.uid(rs), int(dig(rs, "spec", "replicas", default=1) or 0)
    if kind in ("ReplicationController", "StatefulSet"):
        obj = cluster.store.get(str(kind), ns, name)
        if obj is None or meta.uid(obj) != ref.get("uid"):
            return None
        return meta.uid(obj), int(dig(obj, "spec", "replicas", default=1) or 0)
    return None


class _SyncFailed(Exception):
    pass


def _expected_scale(cluster: Cluster, pods: list[Obj]) -> tuple[int, list[str]]:
    """getExpectedScale: the sum of the pods' controllers' scales; unmanaged pods apart."""
    scales: dict[str, int] = {}
    unmanaged: list[str] = []
    for pod in pods:
        ref = meta.controller_ref(pod)
        if ref is None:
            unmanaged.append(meta.name(pod))
            continue
        if ref.get("uid") in scales:
            continue
        found = _scale_of_controller(cluster, meta.namespace(pod), ref)
        if found is None:
            raise _SyncFailed(f'found no controllers for pod "{meta.name(pod)}"')
        scales[found[0]] = found[1]
    return sum(scales.values()), unmanaged


def _scaled(value: Any, total: int) -> int:
    """intstr.GetScaledValueFromIntOrPercent, rounding up."""
    return pt.int_or_percent(value, total, True, 0)


def expected_and_desired(cluster: Cluster, pdb: Obj, pods: list[Obj]) -> tuple[int, int, list[str]]:
    """getExpectedPodCount: (expectedCount, desiredHealthy, unmanaged pods)."""
    spec = pdb.get("spec") or {}
    hi, lo = spec.get("maxUnavailable"), spec.get("minAvailable")
    if hi is not None:
        expected, unmanaged = _expected_scale(cluster, pods)
        return expected, max(0, expected - _scaled(hi, expected)), unmanaged
    if lo is not None:
        if isinstance(lo, int):
            return len(pods), lo, []
        expected, unmanaged = _expected_scale(cluster, pods)
        return expected, _scaled(lo, expected), unmanaged
    return 0, 0, []


def _disruption_condition(status: Obj, generation: int, now: float, *, reason: str | None = None,
                          message: str = "") -> None:
    """UpdateDisruptionAllowedCondition (meta.SetStatusCondition)."""
    allowed = int(status.get("disruptionsAllowed") or 0) > 0
    if reason is None:
        reason = "SufficientPods" if allowed else "InsufficientPods"
    value = "True" if reason == "SufficientPods" else "False"
    conds = status.setdefault("conditions", [])
    cond = next((c for c in conds if c.get("type") == "DisruptionAllowed"), None)
    if cond is None:
        cond = {"type": "DisruptionAllowed"}
        conds.append(cond)
    if cond.get("status") != value:
        cond["lastTransitionTime"] = rfc3339(now)
    cond.update(status=value, reason=reason, message=message, observedGeneration=generation)


class DisruptionController(Controller):
    name = "disruption"
    watches = (KIND, "Pod", "Deployment", "ReplicaSet", "StatefulSet", "ReplicationController")

    def reconcile(self, cluster: Cluster) -> None:
        noted: dict[str, str] = cluster.state.setdefault("pdb-noted", {})  # uid -> last event kind
        for pdb in cluster.store.list(KIND):
            if meta.is_deleting(pdb):
                continue
            self._sync(cluster, pdb, noted)

    def _sync(self, cluster: Cluster, pdb: Obj, noted: dict[str, str]) -> None:
        now = cluster.now()
        uid = meta.uid(pdb)
        pods = selected_pods(cluster, pdb)
        generation = int(pdb["metadata"].get("generation") or 0)
        if not pods and noted.get(uid) != "NoPods":
            cluster.record_event(pdb, "Normal", "NoPods", "No matching pods found", COMPONENT)
        try:
            expected, desired, unmanaged = expected_and_desired(cluster, pdb, pods)
        except _SyncFailed as e:
            why = str(e)
            if noted.get(uid) != "Failed":
                cluster.record_event(pdb, "Warning", "CalculateExpectedPodCountFailed",
                                     f"Failed to calculate the number of expected pods: {why}", COMPONENT)
            noted[uid] = "Failed"

            def fail_safe(o: Obj) -> None:
                st = o.setdefault("status", {})
                st["disruptionsAllowed"] = 0
                _disruption_condition(st, int(st.get("observedGeneration") or 0), now, reason="SyncFailed", message=why)
            cluster.store.mutate(KIND, meta.namespace(pdb), meta.name(pdb), fail_safe)
            return
        if unmanaged and noted.get(uid) != "Unmanaged":
            sel = dig(pdb, "spec", "selector") or {}
            cluster.record_event(pdb, "Warning", "UnmanagedPods",
                                 f"Pods selected by this PodDisruptionBudget (selector: {_go_selector(sel)}) were found "
                                 "to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which "
                                 "may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" "
                                 "field of the PDB to an integer value.", COMPONENT)
        noted[uid] = "NoPods" if not pods else ("Unmanaged" if unmanaged else "ok")
        disrupted, recheck = self._disrupted(cluster, pdb, pods, now)
        healthy = 0
        for pod in pods:
            if meta.is_deleting(pod):
                continue
            t = disrupted.get(meta.name(pod))
            if t is not None and (parse_time(t) or 0.0) + DELETION_TIMEOUT > now:
                continue
            if pt.is_ready(pod):
                healthy += 1
        allowed = healthy - desired
        if expected <= 0 or allowed <= 0:
            allowed = 0
        if recheck is not None:
            cluster.wake_at(recheck)

        def update(o: Obj) -> None:
            st = o.setdefault("status", {})
            conds = st.get("conditions")
            new: Obj = {"disruptionsAllowed": allowed, "currentHealthy": healthy, "desiredHealthy": desired,
                        "expectedPods": expected, "observedGeneration": generation}
            if disrupted:
                new["disruptedPods"] = disrupted
            if conds:
                new["conditions"] = conds
            _disruption_condition(new, generation, now)
            o["status"] = new
        cluster.store.mutate(KIND, meta.namespace(pdb), meta.name(pdb), update)

    @staticmethod
    def _disrupted(cluster: Cluster, pdb: Obj, pods: list[Obj], now: float) -> tuple[Obj, float | None]:
        """buildDisruptedPodMap: the evicted pods still expected to go (and when to look again)."""
        recorded = dig(pdb, "status", "disruptedPods") or {}
        out: Obj = {}
        recheck: float | None = None
        for pod in pods:
            if meta.is_deleting(pod) or meta.name(pod) not in recorded:
                continue
            stamp = recorded[meta.name(pod)]
            expected = (parse_time(stamp) or now) + DELETION_TIMEOUT
            if expected <= now:  # (the recheck comes at that instant: kept then, nothing would look again)
                cluster.record_event(pod, "Warning", "NotDeleted",
                                     f"Pod was expected by PDB {meta.namespace(pdb)}/{meta.name(pdb)} to be deleted but it wasn't",
                                     COMPONENT)
            else:
                out[meta.name(pod)] = stamp
                recheck = expected if recheck is None else min(recheck, expected)
        return out, recheck


def _go_selector(sel: Obj) -> str:
    """How Go's %v prints a *metav1.LabelSelector (close enough for the event)."""
    labels = " ".join(f"{k}:{v}" for k, v in sorted((sel.get("matchLabels") or {}).items()))
    return f"&LabelSelector{{MatchLabels:map[string]string{{{labels}}},MatchExpressions:[]LabelSelectorRequirement{{}},}}"


# -- the eviction subresource's check ---------------------------------------------------------
def check_eviction(cluster: Cluster, pod: Obj, *, dry_run: bool = False) -> None:
    """What the apiserver checks before an eviction deletes ``pod``: raises ApiError (429 while
    a budget allows no disruption) or, when allowed, takes one disruption from the budget."""
    phase = dig(pod, "status", "phase")
    if phase in ("Succeeded", "Failed", "Pending") or meta.is_deleting(pod):
        return  # canIgnorePDB: deleting it disrupts nothing more
    pdbs = [p for p in cluster.store.list(KIND, meta.namespace(pod))
            if not meta.is_deleting(p) and selectors.matches(selectors.from_label_selector(dig(p, "spec", "selector")), meta.labels(pod))]
    if len(pdbs) > 1:
        raise ApiError(429, "TooManyRequests", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
    if not pdbs:
        return
    pdb = pdbs[0]
    st = pdb.get("status") or {}
    if not pt.is_ready(pod):
        if dig(pdb, "spec", "unhealthyPodEvictionPolicy") == "AlwaysAllow":
            return
        desired = int(st.get("desiredHealthy") or 0)
        if int(st.get("currentHealthy") or 0) >= desired > 0:
            return
    if int(st.get("observedGeneration") or 0) < int(pdb["metadata"].get("generation") or 0):
        raise ApiError(429, "TooManyRequests", REFUSED, causes=[
            {"reason": "DisruptionBudget", "message": f"The disruption budget {meta.name(pdb)} is still being processed by the server."}])
    allowed = int(st.get("disruptionsAllowed") or 0)
    if allowed < 0:
        raise ApiError(403, "Forbidden", f'poddisruptionbudgets.policy "{meta.name(pdb)}" is forbidden: pdb disruptions allowed is negative',
                       name=meta.name(pdb), kind=KIND)
    if allowed == 0:
        raise ApiError(429, "TooManyRequests", REFUSED, causes=[
            {"reason": "DisruptionBudget",
             "message": f"The disruption budget {meta.name(pdb)} needs {int(st.get('desiredHealthy') or 0)} healthy pods and has {int(st.get('currentHealthy') or 0)} currently"}])
    if dry_run:
        return
    now = cluster.now()

    def take(o: Obj) -> None:
        s = o.setdefault("status", {})
        s["disruptionsAllowed"] = int(s.get("disruptionsAllowed") or 0) - 1
        if s["disruptionsAllowed"] == 0:
            _disruption_condition(s, int(s.get("observedGeneration") or 0), now)
        s.setdefault("disruptedPods", {})[meta.name(pod)] = rfc3339(now)
    cluster.store.mutate(KIND, meta.namespace(pdb), meta.name(pdb), take)
