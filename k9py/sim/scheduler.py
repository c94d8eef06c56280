"""The default scheduler: binds pending pods to nodes, like kube-scheduler's default profile.

Filters (in the default plugin order): NodeUnschedulable, NodeName, TaintToleration,
NodeAffinity (nodeSelector + required node affinity), NodeResourcesFit (cpu, memory, pods).
Scores: least-allocated cpu/memory (with the scheduler's non-zero defaults of 100m / 200MB for
pods that request nothing) plus spreading of pods that share an owner; ties go to the node name
that sorts first. Failures give the real FitError message and a FailedScheduling event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta, quantity
from k9py.kube.meta import dig
from k9py.kube.timefmt import rfc3339
from k9py.sim.controllers.base import Controller
from k9py.sim.nodes import wake_once

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

DEFAULT_SCHEDULER = "default-scheduler"
DEFAULT_MILLI_CPU = 100                 # schedutil.DefaultMilliCPURequest
DEFAULT_MEMORY = 200 * 1024 * 1024      # schedutil.DefaultMemoryRequest
RETRY_UNSCHEDULABLE = 300.0             # podMaxInUnschedulablePodsDuration

NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"


def container_requests(spec: Obj) -> tuple[int, int]:
    """Effective (milli-cpu, bytes) requests of a pod spec: sum of containers, max with each
    init container (they run one at a time), plus overhead."""
    cpu = mem = 0
    for c in spec.get("containers") or []:
        req = dig(c, "resources", "requests") or {}
        cpu += quantity.cpu_millis(req.get("cpu"))
        mem += quantity.bytes_of(req.get("memory"))
    for c in spec.get("initContainers") or []:
        req = dig(c, "resources", "requests") or {}
        cpu = max(cpu, quantity.cpu_millis(req.get("cpu")))
        mem = max(mem, quantity.bytes_of(req.get("memory")))
    over = spec.get("overhead") or {}
    return cpu + quantity.cpu_millis(over.get("cpu")), mem + quantity.bytes_of(over.get("memory"))


def nonzero_requests(spec: Obj) -> tuple[int, int]:
    """Requests as the scoring plugins see them (unset → 100m / 200MB per container)."""
    cpu = mem = 0
    for c in spec.get("containers") or []:
        req = dig(c, "resources", "requests") or {}
        cpu += quantity.cpu_millis(req["cpu"]) if "cpu" in req else DEFAULT_MILLI_CPU
        mem += quantity.bytes_of(req["memory"]) if "memory" in req else DEFAULT_MEMORY
    return cpu, mem


def occupies_node(pod: Obj) -> bool:
    """Pods that count against a node's resources (terminated ones do not)."""
    return pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")


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
    labels = meta.labels(node)
    spec = pod.get("spec", {})
    for k, v in (spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    terms = dig(spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                "nodeSelectorTerms")
    if not terms:
        return True
    fields = {"metadata.name": meta.name(node)}
    for term in terms:
        exprs = term.get("matchExpressions") or []
        fexprs = term.get("matchFields") or []
        if not exprs and not fexprs:
            continue
        if all(_match_expr(e, labels) for e in exprs) and all(_match_expr(e, labels, fields) for e in fexprs):
            return True
    return False



def _account(u: dict, pod: Obj) -> None:
    """Add ``pod`` to a node's usage record (requests, pod count, host ports, anti-affinity,
    owners for spreading): for pods already there and for each pod bound in this pass."""
    cpu, mem = container_requests(pod.get("spec", {}))
    ncpu, nmem = nonzero_requests(pod.get("spec", {}))
    u["cpu"] += cpu
    u["mem"] += mem
    u["ncpu"] += ncpu
    u["nmem"] += nmem
    u["pods"] += 1
    u["list"].append(pod)
    u["ports"].update(host_ports(pod))
    if dig(pod, "spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"):
        u["anti"].append(pod)
    owner = meta.controller_ref(pod)
    if owner:
        u["owners"][owner.get("uid")] = u["owners"].get(owner.get("uid"), 0) + 1

class Scheduler(Controller):
    name = "scheduler"

    def reconcile(self, cluster: Cluster) -> None:
        pending = [p for p in cluster.store.list("Pod")
                   if not dig(p, "spec", "nodeName") and not meta.is_deleting(p)
                   and (dig(p, "spec", "schedulerName") or DEFAULT_SCHEDULER) == DEFAULT_SCHEDULER
                   and dig(p, "status", "phase") in (None, "Pending")]
        if not pending:
            return
        pending.sort(key=lambda p: (-int(dig(p, "spec", "priority") or 0),
                                    p["metadata"].get("creationTimestamp", ""), meta.namespace(p), meta.name(p)))
        nodes = cluster.store.list("Node")
        usage = self._usage(cluster, nodes)
        state = cluster.state.setdefault("scheduler", {})
        for pod in pending:
            self._schedule(cluster, pod, nodes, usage, state)

    # -- one pod ------------------------------------------------------------------------------
    def _schedule(self, cluster: Cluster, pod: Obj, nodes: list[Obj], usage: dict, state: dict) -> None:
        fits: list[Obj] = []
        reasons: dict[str, int] = {}
        unresolvable = 0
        for node in nodes:
            why, hard = self._filter(pod, node, usage[meta.name(node)])
            if not why:
                why, hard = self._inter_pod(pod, node, nodes, usage)
            if not why:
                fits.append(node)
                continue
            if hard:
                unresolvable += 1
            for r in why:
                reasons[r] = reasons.get(r, 0) + 1
        uid = meta.uid(pod)
        if not fits:
            self._fail(cluster, pod, len(nodes), reasons, unresolvable, state)
            return
        best = max(fits, key=lambda n: (self._score(pod, n, usage[meta.name(n)]), _neg(meta.name(n))))
        self._bind(cluster, pod, best)
        state.pop(uid, None)
        _account(usage[meta.name(best)], pod)

    def _filter(self, pod: Obj, node: Obj, u: dict) -> tuple[list[str], bool]:
        """Failure reasons for ``pod`` on ``node`` ([] if it fits) and whether preemption can't help."""
        spec = pod.get("spec", {})
        tolerations = spec.get("tolerations") or []
        if dig(node, "spec", "unschedulable"):
            taint = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
            if not tolerates(tolerations, taint):
                return ["node(s) were unschedulable"], True
        for taint in dig(node, "spec", "taints") or []:
            if taint.get("effect") not in ("NoSchedule", "NoExecute"):
                continue
            if not tolerates(tolerations, taint):
                return [f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value', '')}}}"], True
        if not matches_node_affinity(pod, node):
            return ["node(s) didn't match Pod's node affinity/selector"], True
        if any(p in u["ports"] for p in host_ports(pod)):
            return ["node(s) didn't have free ports for the requested pod ports"], False
        alloc = node.get("status", {}).get("allocatable") or {}
        cpu, mem = container_requests(spec)
        why = []
        max_pods = int(alloc.get("pods", 110) or 0)
        if u["pods"] + 1 > max_pods:
            why.append("Too many pods")
        if cpu and u["cpu"] + cpu > quantity.cpu_millis(alloc.get("cpu", "0")):
            why.append("Insufficient cpu")
        if mem and u["mem"] + mem > quantity.bytes_of(alloc.get("memory", "0")):
            why.append("Insufficient memory")
        return why, False

    def _inter_pod(self, pod: Obj, node: Obj, nodes: list[Obj], usage: dict) -> tuple[list[str], bool]:
        """InterPodAffinity (required terms only): affinity, anti-affinity, existing pods' anti-affinity."""
        def domain_pods(key: str) -> list[Obj] | None:
            value = meta.labels(node).get(key)
            if value is None:
                return None
            out: list[Obj] = []
            for n in nodes:
                if meta.labels(n).get(key) == value:
                    out += usage[meta.name(n)]["list"]
            return out

        aff = dig(pod, "spec", "affinity") or {}
        for term in dig(aff, "podAffinity", "requiredDuringSchedulingIgnoredDuringExecution") or []:
            in_domain = domain_pods(term.get("topologyKey", ""))
            if in_domain is not None and any(_term_matches(term, pod, p) for p in in_domain):
                continue
            everywhere = [p for n in nodes for p in usage[meta.name(n)]["list"]]
            if in_domain is not None and not any(_term_matches(term, pod, p) for p in everywhere) \
                    and _term_matches(term, pod, pod):
                continue  # the first pod of a group may go anywhere its own term allows
            return ["node(s) didn't match pod affinity rules"], True
        for term in dig(aff, "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution") or []:
            in_domain = domain_pods(term.get("topologyKey", ""))
            if in_domain and any(_term_matches(term, pod, p) for p in in_domain):
                return ["node(s) didn't match pod anti-affinity rules"], False
        for n in nodes:
            for other in usage[meta.name(n)]["anti"]:
                for term in dig(other, "spec", "affinity", "podAntiAffinity",
                                "requiredDuringSchedulingIgnoredDuringExecution") or []:
                    key = term.get("topologyKey", "")
                    value = meta.labels(n).get(key)
                    if value is not None and meta.labels(node).get(key) == value and _term_matches(term, other, pod):
                        return ["node(s) didn't satisfy existing pods anti-affinity rules"], False
        return [], False

    @staticmethod
    def _score(pod: Obj, node: Obj, u: dict) -> float:
        alloc = node.get("status", {}).get("allocatable") or {}
        cap_cpu = max(1, quantity.cpu_millis(alloc.get("cpu", "0")))
        cap_mem = max(1, quantity.bytes_of(alloc.get("memory", "0")))
        ncpu, nmem = nonzero_requests(pod.get("spec", {}))
        free_cpu = max(0.0, (cap_cpu - u["ncpu"] - ncpu) / cap_cpu)
        free_mem = max(0.0, (cap_mem - u["nmem"] - nmem) / cap_mem)
        least_allocated = 100 * (free_cpu + free_mem) / 2
        owner = meta.controller_ref(pod)
        same = u["owners"].get(owner.get("uid"), 0) if owner else 0
        spread = 100.0 / (1 + same)
        prefer = sum(1 for t in dig(node, "spec", "taints") or []
                     if t.get("effect") == "PreferNoSchedule"
                     and not tolerates(pod.get("spec", {}).get("tolerations") or [], t))
        return least_allocated + 2 * spread - 50 * prefer

    @staticmethod
    def _usage(cluster: Cluster, nodes: list[Obj]) -> dict[str, dict]:
        usage = {meta.name(n): {"cpu": 0, "mem": 0, "ncpu": 0, "nmem": 0, "pods": 0, "owners": {}, "list": [],
                                "anti": [], "ports": set()} for n in nodes}
        for p in cluster.store.list("Pod"):
            n = dig(p, "spec", "nodeName")
            if not n or n not in usage or not occupies_node(p):
                continue
            _account(usage[n], p)
        return usage

    # -- outcomes -----------------------------------------------------------------------------
    def _bind(self, cluster: Cluster, pod: Obj, node: Obj) -> None:
        now = rfc3339(cluster.now())
        node_name = meta.name(node)

        def bind(p: Obj) -> None:
            p["spec"]["nodeName"] = node_name
            st = p.setdefault("status", {})
            st.setdefault("phase", "Pending")
            conds = [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"]
            conds.append({"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                          "lastTransitionTime": now})
            st["conditions"] = conds
        bound = cluster.store.mutate("Pod", meta.namespace(pod), meta.name(pod), bind)
        if bound is not None:
            cluster.record_event(bound, "Normal", "Scheduled",
                                 f"Successfully assigned {meta.namespace(pod)}/{meta.name(pod)} to {node_name}",
                                 DEFAULT_SCHEDULER)

    def _fail(self, cluster: Cluster, pod: Obj, total: int, reasons: dict[str, int], unresolvable: int,
              state: dict) -> None:
        message = fit_error(pod, total, reasons, unresolvable)
        uid = meta.uid(pod)
        now = cluster.now()
        last = state.get(uid)
        if last and last[0] == message and now < last[1] + RETRY_UNSCHEDULABLE:
            return
        state[uid] = (message, now)
        wake_once(cluster, now + RETRY_UNSCHEDULABLE)
        ts = rfc3339(now)

        def unschedulable(p: Obj) -> None:
            st = p.setdefault("status", {})
            st["phase"] = "Pending"
            conds = [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"]
            old = next((c for c in st.get("conditions") or [] if c.get("type") == "PodScheduled"), None)
            conds.append({"type": "PodScheduled", "status": "False", "lastProbeTime": None,
                          "lastTransitionTime": old["lastTransitionTime"] if old and old.get("status") == "False" else ts,
                          "reason": "Unschedulable", "message": message})
            st["conditions"] = conds
        updated = cluster.store.mutate("Pod", meta.namespace(pod), meta.name(pod), unschedulable)
        if updated is not None:
            cluster.record_event(updated, "Warning", "FailedScheduling", message, DEFAULT_SCHEDULER)


def host_ports(pod: Obj) -> list[tuple[str, str, int]]:
    return [(p.get("hostIP") or "0.0.0.0", p.get("protocol") or "TCP", int(p["hostPort"]))
            for c in dig(pod, "spec", "containers") or [] for p in c.get("ports") or []
            if isinstance(p, dict) and p.get("hostPort")]


def _term_matches(term: Obj, owner: Obj, target: Obj) -> bool:
    """Whether ``target`` is selected by a pod (anti-)affinity term of ``owner``."""
    from k9py.kube import selectors

    namespaces = term.get("namespaces") or []
    # a namespaceSelector is taken as selecting every namespace (the common ``{}``)
    if term.get("namespaceSelector") is None and meta.namespace(target) not in (namespaces or [meta.namespace(owner)]):
        return False
    sel = selectors.from_label_selector(term.get("labelSelector"))
    return sel is not None and selectors.matches(sel, meta.labels(target))


def fit_error(pod: Obj, total: int, reasons: dict[str, int], unresolvable: int) -> str:
    """The scheduler's FitError text (pkg/scheduler/framework/types.go) with the preemption part."""
    if total == 0:
        return "no nodes available to schedule pods"
    msg = f"0/{total} nodes are available: " + ", ".join(sorted(f"{v} {k}" for k, v in reasons.items())) + "."
    if dig(pod, "spec", "preemptionPolicy") == "Never":
        return msg + " preemption: not eligible due to preemptionPolicy=Never."
    parts = []
    if unresolvable:
        parts.append(f"{unresolvable} {NOT_HELPFUL}")
    if total - unresolvable:
        parts.append(f"{total - unresolvable} {NO_VICTIMS}")
    return msg + f" preemption: 0/{total} nodes are available: " + ", ".join(sorted(parts)) + "."


def _neg(name: str) -> tuple:
    """Sort key that makes the alphabetically first name win a ``max``."""
    return (*(-ord(c) for c in name), 1)
