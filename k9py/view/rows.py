"""The row model behind a resource table: rows keyed by object, filtered and sorted, with cells
computed lazily from the printers (only rows that are painted, filtered or sorted on pay for
them). Updates cost O(changed rows · log n); the cursor follows an object key, not an index."""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from k9py.kube import gcpause, meta, quantity
from k9py.kube.gcpause import gc_paused
from k9py.kube.selectors import Selector
from k9py.kube.timefmt import human_duration, time_or_none
from k9py.view import custom_columns, printers, printers_pod
from k9py.view import filter as filters
from k9py.view.custom_columns import ViewColumns
from k9py.view.filterscan import FilterScan
from k9py.view.kinds import ViewKind
from k9py.view.printers_format import INVALID, labels_by_key
from k9py.view.printers_pod import node_status
from k9py.view.sortedrows import SortedRows

Obj = dict[str, Any]
Key = tuple[str, str]
_skey = operator.attrgetter("skey")


_DIGITS = re.compile(r"(\d+)", re.ASCII)


@lru_cache(maxsize=1 << 17)  # a sort of 100,000 pods again by NAME: keys at a lookup each
def natural(text: str) -> tuple:
    """``text`` as k9s orders it (sortorder.NaturalLess): its runs of digits compare as numbers,
    web-2 before web-10 and 10.244.1.9 before 10.244.1.10. Text sits at the even places and
    numbers at the odd ones, so two keys only ever compare like with like."""
    parts: list[Any] = _DIGITS.split(text)
    if len(parts) == 1:
        return (text,)
    parts[1::2] = map(int, parts[1::2])
    return tuple(parts)


def _key_itself(key: Key, obj: Obj) -> tuple:
    return (natural(key[0]), key[0], natural(key[1]), key[1])


def _name_first(key: Key, obj: Obj) -> tuple:
    return (natural(key[1]), key[1], key[0])

LabelIndex = dict[str, dict[str, set["Row"]]]  # label → value → the rows with it
Expand = Callable[[Obj], list[tuple[Key, Obj]]]


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    priority: int = 0
    mx: bool = False  # a usage column: shown only when the backend has metrics (k9s)

    @property
    def numeric(self) -> bool:
        return self.type in ("integer", "number")


# -- printers: kubectl's columns (view.printers), k9s's own layout for pods and containers -------
def printer_for(kind: str) -> tuple[list[Column], Callable[[Obj, float], list[Any]]]:
    if kind == "Pod":
        return POD_COLUMNS, pod_cells
    if kind == "Container":
        return CONTAINER_COLUMNS, container_cells
    if kind == "Context":
        return CONTEXT_COLUMNS, context_cells
    if kind == "Node":
        return NODE_COLUMNS, node_cells
    if kind == "Subject":  # k9s's users and groups views (view/subjects.py)
        from k9py.view import subjects
        return subjects.COLUMNS, subjects.subject_cells
    if kind == "Workload":  # k9s's workloads view: rows of several kinds (view/workload_rows.py)
        from k9py.view import workload_rows
        return workload_rows.COLUMNS, workload_rows.workload_cells
    if kind in ("HelmRelease", "HelmHistory"):  # rows made from Helm's release Secrets (view/helm_rows.py)
        from k9py.view import helm_rows
        return (helm_rows.RELEASE_COLUMNS, helm_rows.release_cells) if kind == "HelmRelease" else \
            (helm_rows.HISTORY_COLUMNS, helm_rows.history_cells)
    return [Column(c.name.upper(), c.type, c.priority) for c in printers.columns(kind)], printers.cells


# -- pods: kubectl's cells in k9s's layout, plus k9s's extra columns --------------------------
# k9s's pod columns (internal/render/pod.go): usage grouped by resource, CPU's then MEM's
POD_COLUMNS = [Column("NAME"), Column("PF"), Column("READY"), Column("STATUS"), Column("RESTARTS", "integer"),
               Column("LAST RESTART", priority=1),
               Column("CPU", "integer", mx=True), Column("CPU/RL", priority=1),
               Column("%CPU/R", "integer", mx=True), Column("%CPU/L", "integer", mx=True),
               Column("MEM", "integer", mx=True), Column("MEM/RL", priority=1),
               Column("%MEM/R", "integer", mx=True), Column("%MEM/L", "integer", mx=True),
               Column("GPU/RL", priority=1),
               Column("IP"), Column("NODE"), Column("SERVICE-ACCOUNT", priority=1), Column("NOMINATED NODE", priority=1),
               Column("READINESS GATES", priority=1), Column("QOS", priority=1), Column("LABELS", priority=1),
               Column("VALID", priority=1), Column("AGE")]
NA = "n/a"
FORWARDED = "Ⓕ"  # k9s: the PF cell of a pod or container with an active port-forward
_QOS = {"Guaranteed": "GA", "Burstable": "BU"}


@lru_cache(maxsize=4096)
def _millis(q: str) -> int:
    try:
        return int(quantity.parse(q) * 1000)
    except ValueError:
        return 0


@lru_cache(maxsize=4096)
def _bytes(q: str) -> int:
    try:
        return int(quantity.parse(q))
    except ValueError:
        return 0


def counted_containers(pod: Obj) -> list[Obj]:
    """The containers whose requests k9s sums for a pod: its sidecars (init containers that
    keep running), then its containers."""
    spec = pod.get("spec") or {}
    sidecars = [c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
    return [*sidecars, *(spec.get("containers") or [])]


def pod_requests(pod: Obj) -> tuple[int, int, int, int]:
    """(cpu request m, memory request B, cpu limit m, memory limit B) summed over the containers
    and sidecars, as k9s sums them (``gatherCoMX``)."""
    rc = rm = lc = lm = 0
    for c in counted_containers(pod):
        a, b, d, e = container_requests(c)
        rc, rm, lc, lm = rc + a, rm + b, lc + d, lm + e
    return rc, rm, lc, lm


# k9s's config.KnownGPUVendors: the first of these a container asks for is its GPU
GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu", "gpu.intel.com/i915", "gpu.intel.com/xe")


def gpu_requests(containers: Iterable[Obj]) -> tuple[int, int]:
    """The GPUs ``containers`` ask for (request, else the limit; k9s's cosRequests) and their
    limit, summed: k9s's GPU/RL."""
    req = lim = 0
    for c in containers:
        res = c.get("resources") or {}
        r, li = res.get("requests") or {}, res.get("limits") or {}
        for name in GPU_RESOURCES:
            if name in r or name in li:
                req += _count(r.get(name, li.get(name)))
                break
        for name in GPU_RESOURCES:
            if name in li:
                lim += _count(li[name])
                break
    return req, lim


def _count(q: Any) -> int:
    """A whole number of devices (a quantity: "1", 2)."""
    try:
        return int(quantity.parse(str(q)))
    except ValueError:
        return 0


def pod_valid(ready: int, total: int, status: str, pod: Obj) -> str:
    """k9s's pod VALID cell (``Pod.diagnose``): why the pod is not healthy, "" when it is."""
    if status == "Completed":
        return ""
    if ready != total or total == 0:
        return f"container ready check failed: {ready} of {total}"
    true, gates = printers_pod.gates_met(pod)
    if true != gates:
        return f"readiness gate check failed: {true} of {gates}"
    if not printers_pod.condition_true(pod, "Ready"):
        return "pod condition ready is false"
    if status == "Terminating":
        return "pod is terminating"
    return ""


def container_requests(c: Obj) -> tuple[int, int, int, int]:
    """One container's (cpu request m, memory request B, cpu limit m, memory limit B)."""
    res = c.get("resources") or {}
    req, lim = res.get("requests") or {}, res.get("limits") or {}
    # the apiserver defaults a missing request to the limit
    cpu_r, mem_r = req.get("cpu", lim.get("cpu")), req.get("memory", lim.get("memory"))
    return (_millis(str(cpu_r)) if cpu_r not in (None, "") else 0,
            _bytes(str(mem_r)) if mem_r not in (None, "") else 0,
            _millis(str(lim["cpu"])) if lim.get("cpu") not in (None, "") else 0,
            _bytes(str(lim["memory"])) if lim.get("memory") not in (None, "") else 0)


def _pct(v: int, total: int) -> str:
    """k9s's ``ToPercentageStr``: n/a without a request / limit."""
    return NA if total == 0 else str(int(v * 100 // total))


def _mc(v: int) -> str:
    return str(v)


def _mi(v: int) -> str:
    return str(v // (1024 * 1024))


def k9s_pod_status(pod: Obj, kubectl_status: str | None = None) -> str:
    """STATUS as k9s's pods view shows it (``render.Pod.Phase``): kubectl's (``kubectl_status``
    when the caller has it), but being deleted is Terminating, a terminal phase too (kubectl:
    Completed), unless the node is unreachable (Unknown)."""
    status = printers_pod.pod_status_reason(pod) if kubectl_status is None else kubectl_status
    if status != "Unknown" and (pod.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    return status


def pod_cells(pod: Obj, now: float, usage: Any = None) -> list[Any]:
    """k9s's pod row: kubectl's READY / STATUS / RESTARTS / IP / NODE / AGE cells, PF, and usage
    (``usage``: (cpu m, memory B), from metrics) against requests and limits."""
    summary = printers_pod.pod_summary(pod)
    k = printers_pod.pod_cells(pod, now, summary)  # name ready status restarts age ip node nominated gates
    rc, rm, lc, lm = pod_requests(pod)
    cpu, mem = (usage[0], usage[1]) if usage is not None else (0, 0)
    qos = _QOS.get((pod.get("status") or {}).get("qosClass") or "", "BE")
    status = k9s_pod_status(pod, k[2])
    last = summary.last_restart
    spec = pod.get("spec") or {}
    gr, gl = gpu_requests(counted_containers(pod))
    return [k[0], "●", k[1], status, k[3], "<unknown>" if last is None else human_duration(now - last),
            _mc(cpu), f"{_mc(rc)}:{_mc(lc)}", _pct(cpu, rc), _pct(cpu, lc),
            _mi(mem), f"{_mi(rm)}:{_mi(lm)}", _pct(mem, rm), _pct(mem, lm), f"{gr}:{gl}",
            k[5], k[6], spec.get("serviceAccountName") or NA, k[7], k[8], qos,
            labels_by_key(meta.labels(pod)), pod_valid(summary.ready, summary.total, status, pod), k[4]]


# -- nodes: k9s's columns (internal/render/node.go) over kubectl's cells ------------------------
NODE_COLUMNS = [Column("NAME"), Column("STATUS"), Column("ROLE"), Column("ARCH", priority=1),
                Column("TAINTS", "integer"), Column("VERSION"), Column("OS-IMAGE", priority=1),
                Column("KERNEL", priority=1), Column("INTERNAL-IP", priority=1), Column("EXTERNAL-IP", priority=1),
                Column("PODS", "integer"), Column("CPU", "integer", mx=True), Column("CPU/A", "integer", mx=True),
                Column("%CPU", "integer", mx=True), Column("MEM", "integer", mx=True),
                Column("MEM/A", "integer", mx=True), Column("%MEM", "integer", mx=True),
                Column("LABELS", priority=1), Column("VALID", priority=1), Column("AGE")]


def node_valid(node: Obj) -> str:
    """k9s's VALID cell (``Node.diagnose``): why the node is unhealthy, "" when it is fine."""
    status = node_status(node).split(",")
    if "Ready" not in status:
        return "node is not ready"
    if "SchedulingDisabled" in status:
        return "node is cordoned"
    return ""


def node_cells(node: Obj, now: float, usage: Any = None, pods: int | None = None) -> list[Any]:
    """k9s's node row: kubectl's STATUS / ROLES / VERSION / addresses / AGE, the taints count,
    the pods scheduled on it (``pods``; None: not counted yet, n/a) and ``usage`` (cpu m, memory B)
    against the allocatable (k9s's ``gatherNodeMX``; 0 shows as 0, a percentage of 0 as n/a)."""
    k = printers.cells(node, now, "Node")  # name status roles age version internal external os kernel runtime
    st, spec = node.get("status") or {}, node.get("spec") or {}
    info, alloc = st.get("nodeInfo") or {}, st.get("allocatable") or {}
    a_cpu, a_mem = _millis(str(alloc.get("cpu") or "0")), _bytes(str(alloc.get("memory") or "0"))
    cpu, mem = (usage[0], usage[1]) if usage is not None else (0, 0)
    labels = meta.labels(node)
    return [k[0], k[1], k[2], info.get("architecture", ""), len(spec.get("taints") or []), k[4], k[7], k[8],
            k[5], k[6], NA if pods is None else pods, _mc(cpu), _mc(a_cpu), _pct(cpu, a_cpu), _mi(mem), _mi(a_mem),
            _pct(mem, a_mem), labels_by_key(labels), node_valid(node), k[3]]


class PodCounter:
    """Pods per node (``spec.nodeName``), kept up to date from informer diffs in O(changed pods):
    the nodes view's PODS column (k9s counts every pod bound to the node)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._node_of: dict[Key, str] = {}

    def reset(self, pods: dict[Key, Obj]) -> None:
        self.counts.clear()
        self._node_of.clear()
        for k, pod in pods.items():
            self._put(k, pod)

    def apply(self, added: Iterable[Key], changed: Iterable[Key], removed: Iterable[Key],
              get: Callable[[Key], Obj | None]) -> None:
        for k in removed:
            self._drop(k)
        for k in [*added, *changed]:
            self._drop(k)
            pod = get(k)
            if pod is not None:
                self._put(k, pod)

    def _put(self, k: Key, pod: Obj) -> None:
        node = (pod.get("spec") or {}).get("nodeName")
        if node:
            self._node_of[k] = node
            self.counts[node] = self.counts.get(node, 0) + 1

    def _drop(self, k: Key) -> None:
        node = self._node_of.pop(k, None)
        if node is not None:
            left = self.counts[node] - 1
            if left:
                self.counts[node] = left
            else:
                del self.counts[node]


# -- events: k9s opens them newest first; LAST SEEN sorts by time -------------------------------
def event_last_seen(ev: Obj) -> float:
    """When an event was last seen (kubectl's LAST SEEN: the series' last observation, else
    lastTimestamp, else the first time), as a timestamp; 0 when unknown. Every event of a view
    is keyed by it when it opens (60,000 of them in a big cluster): no list of stamps is made,
    and the first that is a timestamp ends the reading."""
    series = ev.get("series")
    if series is not None:
        t = time_or_none(series.get("lastObservedTime") if type(series) is dict else None)
        if t is not None:
            return t
    t = time_or_none(ev.get("lastTimestamp"))
    return event_first_seen(ev) if t is None else t


def event_first_seen(ev: Obj) -> float:
    """firstTimestamp, else eventTime, else when it was made; 0 when none is a timestamp."""
    t = time_or_none(ev.get("firstTimestamp"))
    if t is None:
        t = time_or_none(ev.get("eventTime"))
        if t is None:
            md = ev.get("metadata")
            t = time_or_none(md.get("creationTimestamp") if type(md) is dict else None)
    return 0.0 if t is None else t


TIME_SORTS: dict[str, Callable[[Obj], float]] = {"LAST SEEN": event_last_seen, "FIRST SEEN": event_first_seen}
# ascending = newest first; a release's history: the latest revision first (k9s)
DEFAULT_SORTS: dict[str, tuple[str, bool]] = {"Event": ("LAST SEEN", True), "HelmHistory": ("REVISION", False),
                                              "Workload": ("KIND", True), "Container": ("IDX", True)}


def default_sort(kind: str, all_namespaces: bool) -> tuple[str, bool]:
    """The column a new view of ``kind`` sorts on: k9s's events newest first, else by name (by
    namespace across namespaces)."""
    return DEFAULT_SORTS.get(kind) or ("NAMESPACE" if all_namespaces else "NAME", True)


# -- containers (pseudo objects made from a pod, k9s's container view) -----------------------
# k9s's container columns (internal/render/container.go); IDX: I1 (init), M1 (main), E1 (ephemeral)
CONTAINER_COLUMNS = [Column("IDX"), Column("NAME"), Column("PF"), Column("IMAGE"), Column("READY"), Column("STATE"),
                     Column("RESTARTS", "integer"), Column("PROBES(L:R:S)"),
                     Column("CPU", "integer", mx=True), Column("CPU/RL"),
                     Column("%CPU/R", "integer", mx=True), Column("%CPU/L", "integer", mx=True),
                     Column("MEM", "integer", mx=True), Column("MEM/RL"),
                     Column("%MEM/R", "integer", mx=True), Column("%MEM/L", "integer", mx=True),
                     Column("GPU/RL"), Column("PORTS"), Column("VALID", priority=1), Column("AGE")]
CONTAINER_PF = 2  # the PF cell's index


def container_name(key: Key, obj: Obj | None = None) -> str:
    """A containers-view row's container: its object's name, else its key's last part (the key
    is POD/NAME; neither name can hold a /)."""
    return (meta.name(obj) if obj else "") or key[1].rpartition("/")[2]


def expand_containers(pod: Obj) -> list[tuple[Key, Obj]]:
    ns, pname = meta.namespace(pod), meta.name(pod)
    statuses = {s.get("name"): s for s in (pod.get("status") or {}).get("containerStatuses") or []}
    istatuses = {s.get("name"): s for s in (pod.get("status") or {}).get("initContainerStatuses") or []}
    estatuses = {s.get("name"): s for s in (pod.get("status") or {}).get("ephemeralContainerStatuses") or []}
    out = []
    spec = pod.get("spec") or {}
    for idx, items, st in (("I", spec.get("initContainers") or [], istatuses),
                           ("M", spec.get("containers") or [], statuses),
                           ("E", spec.get("ephemeralContainers") or [], estatuses)):
        for i, c in enumerate(items, 1):
            name = c.get("name", "")
            out.append(((ns, f"{pname}/{name}"), {
                "kind": "Container", "metadata": {"name": name, "namespace": ns,
                                                  "creationTimestamp": pod.get("metadata", {}).get("creationTimestamp")},
                "spec": c, "status": st.get(name) or {}, "init": idx == "I", "ephemeral": idx == "E",
                "idx": f"{idx}{i}", "pod": pname}))
    return out


def container_cells(c: Obj, now: float, usage: Any = None) -> list[Any]:
    """k9s's container row; ``usage``: (cpu m, memory B) of this container from metrics."""
    from k9py.kube.timefmt import age
    st = c.get("status") or {}
    state = st.get("state") or {}
    if "waiting" in state:  # (k9s's ToContainerState)
        s = (state["waiting"] or {}).get("reason") or "Waiting"
    elif "terminated" in state:
        s = (state["terminated"] or {}).get("reason") or "Terminating"
    elif "running" in state:
        s = "Running"
    else:
        s = "<none>"
    spec = c.get("spec") or {}
    ports = ",".join(_container_port(p) for p in spec.get("ports") or [] if isinstance(p, dict))
    probes = ":".join("on" if spec.get(p) else "off" for p in ("livenessProbe", "readinessProbe", "startupProbe"))
    rc, rm, lc, lm = container_requests(spec)
    gr, gl = gpu_requests([spec])
    cpu, mem = (usage[0], usage[1]) if usage is not None else (0, 0)
    ready = str(bool(st.get("ready"))).lower()
    valid = "" if s == "Completed" or ready == "true" else "container is not ready"
    return [c.get("idx", ""), meta.name(c), "●", spec.get("image", ""), ready, s, st.get("restartCount", 0), probes,
            _mc(cpu), f"{_mc(rc)}:{_mc(lc)}", _pct(cpu, rc), _pct(cpu, lc),
            _mi(mem), f"{_mi(rm)}:{_mi(lm)}", _pct(mem, rm), _pct(mem, lm), f"{gr}:{gl}",
            ports, valid, age(c["metadata"].get("creationTimestamp"), now)]


def _container_port(p: Obj) -> str:
    """k9s's ``ToContainerPorts``: ``name:port``, the protocol only when it is not TCP."""
    name, proto = p.get("name"), p.get("protocol") or "TCP"
    return f"{f'{name}:' if name else ''}{p.get('containerPort')}{'' if proto == 'TCP' else f'╱{proto}'}"


# -- contexts (kubeconfig entries; the sim backend has one) ------------------------------------
CONTEXT_COLUMNS = [Column("NAME"), Column("CLUSTER"), Column("AUTHINFO"), Column("NAMESPACE")]


def context_cells(ctx: Obj, now: float) -> list[Any]:
    """k9s marks the context in use with ``(*)``."""
    name = meta.name(ctx) + ("(*)" if ctx.get("current") else "")
    return [name, ctx.get("cluster", ""), ctx.get("user", ""), ctx.get("namespace", "")]


def _cell_str(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (list, tuple)):
        return ",".join(map(str, v))
    return str(v)


def _num(s: str) -> float | None:
    head = s.split(" ", 1)[0].split("/", 1)[0].rstrip("%")
    try:
        return float(head)
    except ValueError:
        return None


class Row:
    __slots__ = ("_cells", "_now", "_text", "delta", "key", "obj", "skey")

    def __init__(self, key: Key, obj: Obj, skey: tuple = ()) -> None:
        self.key = key
        self.obj = obj
        self.skey = skey
        self._cells: tuple[str, ...] | None = None
        self._now: Any = -1
        self._text: str | None = None  # the cells joined, what `/` filters match
        self.delta = ""  # "add" | "mod" until the model's deltas are cleared


@dataclass
class SortKeys:
    """A sort's work (``RowModel.sort_keys``): the rows, the key of each, the rows in order, and
    the stand-in of each row its cells were worked out for (None: the keys needed no cells)."""
    rows: list[Row]
    skeys: list[tuple]
    order: list[Row]
    stand_ins: list[Row] | None = None


LAZY_FILTER_MIN = 2000  # rows: fewer are filtered at once even when asked to be lazy

ERROR_STATUSES_OK = {"Running", "Completed", "Succeeded", "Terminating", "ContainerCreating", "Pending",
                     "PodInitializing", "Bound", "Active", "Ready", "Available", "Released"}


def _job_failing(job: Obj, cells: tuple[str, ...], completions_col: int | None) -> bool:
    """k9s's job diagnose: COMPLETIONS not all done while some of its pods failed."""
    done = cells[completions_col].split("/", 1) if completions_col is not None else []
    failed = (job.get("status") or {}).get("failed") or 0
    return len(done) == 2 and done[0] != done[1] and isinstance(failed, int) and failed > 0


USAGE_KINDS = frozenset({"Pod", "Container", "Node"})  # rows keyed as their usage is (metrics)
USAGE_CELLS: dict[str, Callable[[Any], str]] = {"CPU": lambda u: _mc(u[0]), "MEM": lambda u: _mi(u[1])}
# Columns of the built-in printers whose text moves with the clock (a pod's RESTARTS says "3 (5m
# ago)", but its number, which is what it sorts on, does not).
TICKING_COLUMNS = frozenset({"AGE", "LAST SEEN", "FIRST SEEN", "DURATION", "LAST SCHEDULE", "LAST RESTART"})
MODEL_COLUMNS = frozenset({"PF", "PODS"})  # cells from what the model adds (port-forwards, pod counts)


# columns a sort key orders biggest first on its first press (k9s: usage, restarts)
BIGGEST_FIRST = frozenset({"CPU", "MEM", "%CPU", "%MEM", "%CPU/R", "%MEM/R", "%CPU/L", "%MEM/L", "RESTARTS"})


class RowModel:
    # A sort may read a row's cells as last computed for a column that moves neither with the clock
    # nor with what the model adds (off for columns that are not the built-in printers')
    sort_reuses_cells = True
    NS_AT = 0  # where the NAMESPACE cell goes across namespaces (the workloads view: after KIND)

    def __init__(self, view: ViewKind, *, all_namespaces: bool = False, wide: bool = False,
                 predicate: Callable[[Obj], bool] | None = None, expand: Expand | None = None,
                 kind: str | None = None) -> None:
        self.view = view
        self.kind = kind or ("Container" if expand is not None else view.kind)
        self.all_namespaces = all_namespaces and view.namespaced
        self.predicate = predicate
        self.expand = expand
        self._all_columns, self._cells_fn = printer_for(self.kind)
        self.metrics: dict[Key, Any] | None = None  # pod / node key -> (cpu m, mem B); None: no metrics
        self.metrics_version = 0  # bumps when data from outside the objects changes (usage, pod counts)
        self.pod_counts: dict[str, int] | None = None  # nodes view: pods per node; None: not known yet
        self.forwarded: frozenset[Key] = frozenset()  # pods / containers with an active port-forward
        self.ns_marks: dict[str, str] = {}  # namespaces: what k9s adds to a name (+ a favourite, (*) the active one)
        self.gone: Callable[[Obj], bool] | None = None  # the past (time machine): no longer exists now
        self.rows: dict[Key, Row] = {}
        self._deltas: set[Key] = set()  # rows that may show a delta (cleared by clear_deltas)
        self._children: dict[Key, list[Key]] = {}
        self._shown: SortedRows[Row] = SortedRows()  # the rows the filter keeps, ascending by skey
        self.filter = filters.Filter()
        self.wide = wide
        self._set_columns()
        self.sort_col, self.sort_asc = default_sort(self.kind, self.all_namespaces)
        self.now = 0.0
        self._order: SortedRows[Row] | None = None  # every row, ascending by skey (None: sort again)
        self._labels: LabelIndex | None = None  # the label index (label filters), once complete
        self._labels_todo: list[Row] | None = None  # rows idle slices have still to index (None: not begun)
        self._labels_partial: LabelIndex = {}  # the index those slices build (kept up to date meanwhile)
        self._prime_rows: list[Row] | None = None  # rows ``prime`` has still to go through (None: not begun)
        self._scan: FilterScan[Row] | None = None  # a lazy filter still going on (see set_filter)
        # since a ``sort_snapshot``: each key changed, come or gone -> its row before the first change
        self._sort_touched: dict[Key, Row | None] | None = None
        self.version = 0  # bumps on any change the table should repaint for

    # -- columns -----------------------------------------------------------------------------
    def _pod_cells(self, obj: Obj, now: float) -> list[Any]:
        m = self.metrics
        usage = None
        if m is not None:
            md = obj.get("metadata") or {}
            usage = m.get((md.get("namespace") or "", md.get("name", "")))
        cells = pod_cells(obj, now, usage)
        if self.forwarded:
            md = obj.get("metadata") or {}
            if (md.get("namespace") or "", md.get("name", "")) in self.forwarded:
                cells[1] = FORWARDED
        return cells

    def _container_cells(self, obj: Obj, now: float) -> list[Any]:
        m = self.metrics
        usage = None
        if m is not None:
            md = obj.get("metadata") or {}
            usage = m.get((md.get("namespace") or "", f"{obj.get('pod', '')}/{md.get('name', '')}"))
        cells = container_cells(obj, now, usage)
        if self.forwarded:
            md = obj.get("metadata") or {}
            if (md.get("namespace") or "", f"{obj.get('pod', '')}/{md.get('name', '')}") in self.forwarded:
                cells[CONTAINER_PF] = FORWARDED
        return cells

    def _node_cells(self, obj: Obj, now: float) -> list[Any]:
        m, counts = self.metrics, self.pod_counts
        name = (obj.get("metadata") or {}).get("name", "")
        usage = m.get(("", name)) if m is not None else None
        return node_cells(obj, now, usage, None if counts is None else counts.get(name, 0))

    def set_pod_counts(self, counts: dict[str, int] | None) -> None:
        """Pods per node changed (the nodes view's PODS): cells recomputed lazily, a PODS sort redone."""
        self.pod_counts = counts
        self.metrics_version += 1
        if self.sort_col == "PODS":
            self._resort()
        else:
            self.version += 1

    def set_forwarded(self, keys: frozenset[Key]) -> bool:
        """The rows with an active port-forward (k9s's Ⓕ in PF); True when that changed."""
        if keys == self.forwarded:
            return False
        self.forwarded = keys
        self.metrics_version += 1
        self.version += 1
        return True

    def set_ns_marks(self, marks: dict[str, str]) -> bool:
        """The namespaces view's marks (k9s: ``default+(*)``); True when they changed."""
        if marks == self.ns_marks:
            return False
        self.ns_marks = marks
        self.metrics_version += 1
        self.version += 1
        return True

    def set_metrics(self, pods: dict[Key, Any] | None, *, resort: bool = True) -> None:
        """New usage figures (None: the backend has no metrics, usage columns hidden). Cells are
        recomputed lazily; a usage sort is redone (``resort=False``: the caller does it, with
        ``resort`` or in a worker thread, unless the usage columns came or went)."""
        shown = self.metrics is not None
        self.metrics = pods
        self.metrics_version += 1
        if (pods is not None) != shown:
            self._set_columns()
            for r in self.rows.values():
                r._cells = r._text = None
            self._resort()
        elif resort and self.sorted_by_usage:
            self._resort()
        else:
            self.version += 1

    @property
    def sorted_by_usage(self) -> bool:
        """Sorted by a column of usage figures (CPU, MEM, %CPU/R…), which every metrics poll changes."""
        return any(c.mx and c.name == self.sort_col for c in self.columns)

    def resort(self) -> None:
        """Key every row again by the sort column (what it keys on changed: usage figures)."""
        self._resort()

    custom: ViewColumns | None = None  # views.yaml's columns for this view (k9s's custom columns)
    _paths: tuple[custom_columns.ColumnSpec, ...] = ()  # its JSONPath columns: cells after the printer's
    _path_by_name: Mapping[str, custom_columns.ColumnSpec] = MappingProxyType({})  # the same by name (looked up a row)

    def set_custom(self, custom: ViewColumns | None) -> None:
        """Show the columns ``custom`` names, in its order (``set_sort`` for its sort)."""
        self.custom = custom
        self._paths = tuple(s for s in custom.columns if s.path is not None) if custom is not None else ()
        self._path_by_name = {s.name: s for s in self._paths}
        self._set_columns()
        for r in self.rows.values():
            r._cells = r._text = None
        self._resort()

    def _set_columns(self) -> None:
        mx = self.metrics is not None
        self._filter_idx: list[int] = []  # custom columns: cells a filter matches that are not shown
        self._ns_first = self.all_namespaces  # the namespace is a cell of its own, at NS_AT (not a custom column's)
        if self.custom is not None and self._set_custom_columns(mx):
            self._status_col = self.col_index("STATUS")
            return
        picked = [(i, c) for i, c in enumerate(self._all_columns)
                  if (self.wide or c.priority == 0) and (mx or not c.mx)]
        self._idx = [i for i, _ in picked]
        self.columns: list[Column] = [c for _, c in picked]
        if self.all_namespaces:
            self.columns = [Column("NAMESPACE"), *self.columns]
        self._status_col = self.col_index("STATUS")

    def _set_custom_columns(self, mx: bool) -> bool:
        """The custom columns the view has (usage ones only with metrics); False when none is."""
        assert self.custom is not None
        have = {c.name: (i, c) for i, c in enumerate(self._all_columns) if mx or not c.mx}
        idx: list[int] = []
        columns: list[Column] = []
        for spec in self.custom.columns:
            if spec.hidden or (spec.wide and not self.wide):
                continue
            if spec.path is not None:  # a cell of its own, after the printer's (_raw_cells)
                idx.append(len(self._all_columns) + self._paths.index(spec))
                columns.append(Column(spec.name))
            elif spec.name == "NAMESPACE":
                if self.all_namespaces and custom_columns.NAMESPACE not in idx:
                    idx.append(custom_columns.NAMESPACE)
                    columns.append(Column("NAMESPACE"))
            elif spec.name in have and have[spec.name][0] not in idx:
                idx.append(have[spec.name][0])
                columns.append(have[spec.name][1])
        if not any(i != custom_columns.NAMESPACE for i in idx):
            return False
        # (a JSONPath column named as one of the view's takes its place, as in k9s)
        hidden = {spec.name for spec in self.custom.columns if spec.hidden or spec.path is not None}
        rest = [(i, c) for i, c in enumerate(self._all_columns)
                if i not in idx and c.name not in hidden and (mx or not c.mx)]
        if self.wide:  # k9s: going wide adds every other column the view has after the custom ones
            idx.extend(i for i, _ in rest)
            columns.extend(c for _, c in rest)
        # what a filter matches beyond the cells shown: the columns the view shows without views.yaml
        self._filter_idx = [] if self.wide else [i for i, c in rest if c.priority == 0]
        if self.all_namespaces and custom_columns.NAMESPACE not in idx:  # every namespace: always said
            idx.insert(0, custom_columns.NAMESPACE)
            columns.insert(0, Column("NAMESPACE"))
        self._idx, self.columns, self._ns_first = idx, columns, False
        return True

    def col_index(self, name: str) -> int | None:
        for i, c in enumerate(self.columns):
            if c.name == name:
                return i
        return None

    def set_wide(self, wide: bool) -> None:
        if wide != self.wide:
            self.wide = wide
            self._set_columns()
            for r in self.rows.values():
                r._cells = r._text = None
            self._resort()

    # -- cells -------------------------------------------------------------------------------
    def cells(self, row: Row) -> tuple[str, ...]:
        now_s = (int(self.now), self.metrics_version)
        if row._cells is None or row._now != now_s:
            raw = self._raw_cells(row, self.now)
            cells = [_cell_str(raw[i]) if 0 <= i < len(raw) else row.key[0] if i == custom_columns.NAMESPACE else ""
                     for i in self._idx]
            if self._ns_first:
                cells.insert(self.NS_AT, row.key[0])
            row._cells, row._now, row._text = tuple(cells), now_s, None
        return row._cells

    def named_cells(self, row: Row) -> dict[str, str]:
        """Every column's cell of ``row`` by the column's name: the ones shown as shown, then the
        ones wide or views.yaml leave out (k9s's plugin variables, $COL-<COLUMN>)."""
        out = dict(zip([c.name for c in self.columns], self.cells(row), strict=False))
        names = [*(c.name for c in self._all_columns), *(s.name for s in self._paths)]
        for name, cell in zip(names, self._raw_cells(row, self.now), strict=False):
            out.setdefault(name, _cell_str(cell))
        return out

    def _raw_cells(self, row: Row, now: float) -> list[Any]:
        """The printer's cells of ``row``. An object its printer cannot read (from a recording or
        a server that holds anything) is shown, never a crash: its name, <invalid> elsewhere."""
        try:
            cells = self._make_cells(row.obj, now)
        except Exception:
            cells = [row.key[1] if c.name == "NAME" else INVALID for c in self._all_columns]
        if self._paths:  # views.yaml's JSONPath columns (k9s's NAME:.spec.x), after one cell a column
            n = len(self._all_columns)
            cells = [*cells[:n], *[""] * (n - len(cells)),
                     *(custom_columns.path_cell(row.obj, s, now) for s in self._paths)]
        return cells

    def _make_cells(self, obj: Obj, now: float) -> list[Any]:
        """The printer's cells; pods, containers and nodes add what only the model knows (usage,
        pod counts, port-forwards). Picked here, not kept as a bound method on the model: that
        would be a reference cycle, which gcpause.loaded's gc.freeze() would never free."""
        kind = self.kind
        if kind == "Pod":
            return self._pod_cells(obj, now)
        if kind == "Container":
            return self._container_cells(obj, now)
        if kind == "Node":
            return self._node_cells(obj, now)
        if kind == "Namespace" and self.ns_marks:
            cells = self._cells_fn(obj, now)
            mark = self.ns_marks.get((obj.get("metadata") or {}).get("name", ""))
            if mark:
                cells = [f"{cells[0]}{mark}", *cells[1:]]  # (NAME comes first)
            return cells
        return self._cells_fn(obj, now)

    def row_text(self, row: Row) -> str:
        if row._text is None:
            cells: tuple[str, ...] = row._cells if row._cells is not None else self.cells(row)
            if self._filter_idx:
                raw = self._raw_cells(row, self.now)
                cells = (*cells, *(_cell_str(raw[i]) for i in self._filter_idx if i < len(raw)))
            row._text = " ".join(cells).lower()
        return row._text

    def style(self, row: Row) -> str:
        """The row's colour class: del (Terminating, or gone since: the past), err, pending,
        completed, add, mod or "". An object that does not read as its kind is an error."""
        try:
            return self._style(row)
        except Exception:  # a malformed object (a recording, a server): shown, never a crash
            return "err"

    def _style(self, row: Row) -> str:
        if meta.is_deleting(row.obj) or (self.gone is not None and self.gone(row.obj)):
            return "del"
        if self.kind == "Event":  # k9s: an event that is not Normal is a fault
            return "err" if (row.obj.get("type") or "Normal") != "Normal" else row.delta
        if self.kind in ("HelmRelease", "HelmHistory"):
            from k9py.view import helm_rows
            return helm_rows.style(row.obj) or row.delta
        if self.kind == "Node":  # k9s: not ready is an error, cordoned is pending
            valid = node_valid(row.obj)
            return "err" if valid == "node is not ready" else "pending" if valid else row.delta
        if self.kind == "Job":  # k9s: pods failed while it is not complete (a retrying job too)
            return "err" if _job_failing(row.obj, self.cells(row), self.col_index("COMPLETIONS")) else row.delta
        if self._status_col is not None:
            status = self.cells(row)[self._status_col]
            if status in ("Completed", "Succeeded"):
                return "completed"
            if status in ("Pending", "ContainerCreating", "PodInitializing") or status.startswith("Init:"):
                return "pending"
            if status and status not in ERROR_STATUSES_OK:
                return "err"
            ready_i = self.col_index("READY")
            if ready_i is not None and self.kind == "Pod" and status == "Running":
                r = self.cells(row)[ready_i].split("/")
                if len(r) == 2 and r[0] != r[1]:
                    return "err"
        return row.delta

    # -- sorting -----------------------------------------------------------------------------
    def _skey_for(self, row: Row, col: str | None = None) -> tuple:
        """The key ``row`` sorts on by ``col`` (None: the model's sort column)."""
        ns, name = row.key
        col = col or self.sort_col
        by_path = self._path_skey(row.obj, col)  # (before NAME and AGE: a JSONPath column takes their place)
        if by_path is not None:
            return (*by_path, ns, name)
        if col == "NAME":
            return _name_first(row.key, row.obj)
        if col == "NAMESPACE":
            return _key_itself(row.key, row.obj)
        if col in ("AGE", "CREATED AT"):  # youngest first when ascending; made at no time: the oldest
            # (CREATED AT: the default convertor's creationTimestamp, sorted as AGE is)
            made = time_or_none(meta.dig(row.obj, "metadata", "creationTimestamp"))
            return (-(made or 0.0), ns, name)
        if col in TIME_SORTS and self.kind == "Event":
            return (-TIME_SORTS[col](row.obj), ns, name)  # the latest first when ascending
        if col == "LAST RESTART" and self.kind == "Pod":  # the latest first; never restarted: last
            try:
                last = printers_pod.pod_summary(row.obj).last_restart
            except Exception:  # a malformed pod (a recording's, a server's): its cells say <invalid>
                last = None
            return (-(last or 0.0), ns, name)
        i = self.col_index(col)
        if i is not None:
            cell, numeric = self._sort_cell(row, i), self.columns[i].numeric
        else:  # a column views.yaml leaves out (its sortColumn may name one, as k9s's may)
            j = next((j for j, c in enumerate(self._all_columns) if c.name == col), None)
            if j is None:
                return (ns, name)
            raw = self._raw_cells(row, self.now)
            cell, numeric = _cell_str(raw[j]) if j < len(raw) else "", self._all_columns[j].numeric
        n = _num(cell) if (numeric or col in ("READY", "RESTARTS")) else None
        if n is not None:
            extra = _num(cell.split("/", 1)[1]) if "/" in cell else 0.0
            return (0, n, extra or 0.0, (), ns, name)
        return (1, 0.0, 0.0, natural(cell), ns, name)

    def _path_skey(self, obj: Obj, col: str) -> tuple | None:
        """How a row sorts by ``col`` when it is one of views.yaml's JSONPath columns, shown or
        not (``|W``, ``|H``: k9s sorts on those too), before the row's key; None: it is none.
        A ``|T`` column sorts as AGE does, by the time itself (k9s: by the age, a duration):
        the latest first when ascending, no time found the oldest; any other on its cell."""
        spec = self._path_by_name.get(col)
        if spec is None:
            return None
        if spec.time:
            return (-(custom_columns.path_time(obj, spec) or 0.0),)
        return (1, 0.0, 0.0, natural(custom_columns.path_cell(obj, spec, self.now)))

    def _keyed_without_cells(self, col: str) -> bool:
        """Whether ``_skey_for`` keys rows by ``col`` from their key and object alone."""
        return (col in ("NAME", "NAMESPACE", "AGE") or (col in TIME_SORTS and self.kind == "Event")
                or (col == "LAST RESTART" and self.kind == "Pod") or col in self._path_by_name)

    def _sort_cell(self, row: Row, i: int) -> str:
        """The cell in column ``i`` that ``row`` sorts on. A cell that depends on the object alone
        is read from the cells last computed for this version of it, whenever they were: ``cells``
        recomputes all of them every second (AGE) and every metrics poll, and a sort of 30,000
        pods by STATUS did that for every row (0.7-1 s)."""
        cached = row._cells
        if cached is not None and self.sort_reuses_cells:
            column = self.columns[i]
            if not column.mx and column.name not in TICKING_COLUMNS and column.name not in MODEL_COLUMNS:
                return cached[i]
            usage_of = USAGE_CELLS.get(column.name)
            if usage_of is not None and self.metrics is not None and self.kind in USAGE_KINDS and cached[i] != INVALID:
                # a usage sort is done again at every metrics poll: the figure alone, as its cell shows it
                usage = self.metrics.get(row.key)
                return usage_of(usage) if usage is not None else "0"
        return self.cells(row)[i]

    def set_sort(self, col: str, ascending: bool | None = None) -> None:
        """Sort by ``col``; the same column again inverts the order (k9s), which keys no row
        again: the order is the same one read from the other end. Usage and restarts sort the
        biggest first (k9s's ``SortColCmd(col, false)``): the pod eating the CPU on top."""
        if ascending is None:
            ascending = not self.sort_asc if col == self.sort_col else col not in BIGGEST_FIRST  # (sort_by's too)
        same = col == self.sort_col
        self.sort_col, self.sort_asc = col, ascending
        if same:
            self._refilter()
        else:
            self._resort()

    # A sort of many rows in a worker thread while the model stays in use (explorer/resource_view):
    # ``sort_snapshot`` here, ``sort_keys`` there, ``apply_sort`` here again.
    def sort_snapshot(self) -> list[Row]:
        """Every row, for ``sort_keys``; from now on the model notes the keys of the rows that
        change, come or go (``apply_sort`` keys them again)."""
        self._sort_touched = {}
        return list(self.rows.values())

    def sort_keys(self, col: str, rows: list[Row]) -> SortKeys:
        """``rows`` keyed by ``col`` and in that order. For a worker thread while the model is
        in use: no row and nothing of the model changes (the cells a key needs are worked out
        for a stand-in row and dropped); a row changed meanwhile may be keyed from what it held
        before or after, which ``apply_sort`` mends (the model noted it)."""
        with gc_paused():  # many small acyclic objects (the collector would hold the event loop too)
            skeys, stand_ins = self._sort_keys_of(col, rows)
            by_key = sorted(range(len(skeys)), key=skeys.__getitem__)  # (keys are unique: they end with the row's key)
            order = [rows[i] for i in by_key]
        return SortKeys(rows, skeys, order, stand_ins)

    def _plain_skey(self, col: str) -> Callable[[Key, Obj], tuple] | None:
        """How ``_skey_for`` keys a row by ``col`` from its key and object (namespace, name, an
        event's time), as a function of those two, for loops over many rows without its
        dispatch per row (the events view opens by LAST SEEN: 60,000 events keyed by their time).
        None: ``col`` needs more, or the rows are not one an object keyed by (namespace, name)
        (expanded into containers; MergedRowModel's keys hold the context: it sets a predicate)."""
        if self.expand is not None or self.predicate is not None or col in self._path_by_name:
            return None
        if col == "NAMESPACE":
            return _key_itself
        if col == "NAME":
            return _name_first
        when = TIME_SORTS.get(col) if self.kind == "Event" else None
        if when is not None:
            return lambda k, obj: (-when(obj), k[0], k[1])
        return None

    def _sort_keys_of(self, col: str, rows: list[Row]) -> tuple[list[tuple], list[Row] | None]:
        """The keys of ``rows`` by ``col``, as ``_skey_for`` makes them, and the stand-ins of the
        rows (None: the keys needed no cells)."""
        plain = self._plain_skey(col)
        if plain is not None:
            return [plain(r.key, r.obj) for r in rows], None
        skey_for = self._skey_for
        if self._keyed_without_cells(col):  # (reads each row's key and object once)
            return [skey_for(row, col) for row in rows], None
        skeys, stand_ins = [], []
        for row in rows:
            stand_in = Row(row.key, row.obj)
            stand_in._cells, stand_in._now = row._cells, row._now
            skeys.append(skey_for(stand_in, col))
            stand_ins.append(stand_in)
        return skeys, stand_ins

    def apply_sort(self, col: str, ascending: bool, keyed: SortKeys, *, lazy: bool = False) -> bool:
        """Sort by ``col`` with the keys ``sort_keys`` made from ``sort_snapshot``'s rows; the
        rows that changed, came or went since are keyed here. False (nothing done) when the
        model no longer knows what changed since (it loaded afresh, or another snapshot began).
        ``lazy``: as for ``set_filter``."""
        touched, self._sort_touched = self._sort_touched, None
        if touched is None:
            return False
        self.sort_col, self.sort_asc = col, ascending
        for skey, row in zip(keyed.skeys, keyed.rows, strict=True):  # in the rows' own order: 3x quicker than sorted order
            row.skey = skey
        if keyed.stand_ins is not None:  # the cells the thread worked out: the rows' own where still theirs
            for row, s in zip(keyed.rows, keyed.stand_ins, strict=True):
                if row._cells is None and s._cells is not None and row.obj is s.obj:
                    row._cells, row._now = s._cells, s._now
        order = SortedRows(keyed.order)
        rows, skey_for = self.rows, self._skey_for
        for k, before in touched.items():
            if before is not None:  # as the snapshot had it (if it was there then): out
                order.remove(before)
            now = rows.get(k)
            if now is not None:
                now.skey = skey_for(now)
                order.insert(now)
        self._order = order
        self._refilter(lazy=lazy)
        return True

    def forget_sort(self) -> None:
        """No ``apply_sort`` will come: stop noting changes for it."""
        self._sort_touched = None

    def _resort(self) -> None:
        self._order = None
        for r in self.rows.values():
            r.skey = self._skey_for(r)
        self._refilter()

    # -- filtering ---------------------------------------------------------------------------
    def set_filter(self, text: str | None, *, lazy: bool = False) -> None:
        """Filter the rows. ``lazy``: a text filter over many rows is applied in display order as
        rows are asked for (``ensure``) and the rest in slices (``continue_filter``): the first
        keystroke need not render every row's cells. The same filter again (enter at the prompt
        behind the keys that typed it) changes nothing: a lazy filter going on goes on."""
        new = filters.parse(text)
        if new.text == self.filter.text:
            if not lazy:
                self.finish_filter()
            return
        old, self.filter = self.filter, new
        self._refilter(narrow=filters.narrows(old, self.filter) and self._scan is None, lazy=lazy)

    def _passes(self, row: Row) -> bool:
        if not self.filter:
            return True
        text = self.row_text(row) if self.filter.needs_text else ""
        return self.filter.matches(text, row.key[1], row.obj)

    def _sorted_rows(self) -> SortedRows[Row]:
        """Every row in sort order; cached (and patched as rows change), so filtering needs no sort."""
        if self._order is None:
            self._order = SortedRows(sorted(self.rows.values(), key=_skey))
        return self._order

    def _label_matches(self, sel: Selector) -> set[Row] | None:
        """The rows whose labels ``sel`` selects, from the label index: a requirement is tested
        once per distinct value of its label, not once per row (None: every row)."""
        index = self._label_index()
        keys: set[Row] | None = None
        for req in sel:
            values = index.get(req.key, {})
            ok: set[Row] = set()
            for value, with_value in values.items():
                if req.matches({req.key: value}):
                    ok |= with_value
            if req.matches({}):  # rows without the label pass too
                labelled: set[Row] = set().union(*values.values())
                ok |= {r for r in self.rows.values() if r not in labelled}
            keys = ok if keys is None else keys & ok
        return keys

    def _label_index(self) -> LabelIndex:
        """label → value → rows; built by idle slices (``prime``) or on the first label filter
        applied at once, then kept up to date."""
        self._index_more(None)
        assert self._labels is not None
        return self._labels

    def _index_more(self, enough: Callable[[], bool] | None) -> bool:
        """Index the labels of the rows not indexed yet until ``enough()`` (asked every 200
        rows; None: all of them now); True once the index is complete. Rows that change
        meanwhile are indexed as they change (``_index_labels``); indexing one twice is harmless."""
        if self._labels is not None:
            return True
        if self._labels_todo is None:
            self._labels_todo, self._labels_partial = list(self.rows.values()), {}
        todo, rows, done = self._labels_todo, self.rows, 0
        while todo:
            r = todo.pop()
            if rows.get(r.key) is r:
                self._index_labels(r, True)
            done += 1
            if enough is not None and not done % 200 and todo and enough():
                return False
        self._labels, self._labels_todo, self._labels_partial = self._labels_partial, None, {}
        return True

    def _index_labels(self, row: Row, add: bool) -> None:
        if self._labels is not None:
            index = self._labels
        elif self._labels_todo is not None:  # idle slices are building it
            index = self._labels_partial
        else:
            return
        for k, v in filters.labels_of(row.obj).items():
            if add:
                index.setdefault(k, {}).setdefault(v, set()).add(row)
                continue
            values = index.get(k)
            with_value = values.get(v) if values is not None else None
            if with_value is None:
                continue
            with_value.discard(row)
            if not with_value:  # a value no row has any more (a rollout's old pod-template-hash)
                del values[v]  # type: ignore[union-attr]
                if not values:
                    del index[k]

    def _run_select(self) -> Callable[[Sequence[Row]], list[Row]] | None:
        """The regex, inverse, fuzzy or label filter over a run of rows: the ones it keeps (None:
        no filter of those). Fuzzy and label filters read no cells, yet one pass over 100,000 rows
        took 100-260 ms (a regex over every name; building the label index): they are lazy too."""
        f = self.filter
        if f.keeps_nothing:
            return lambda _run: []
        if f.mode == "fuzzy" and f.name_rx is not None:
            name_search = f.name_rx.search
            return lambda run: [r for r in run if name_search(r.key[1]) is not None]
        if f.mode == "labels" and f.selector is not None and not f.error:
            sel, selected = f.selector, filters.labels_selected
            return lambda run: [r for r in run if selected(sel, r.obj)]
        if f.rx is None or f.mode not in ("regex", "inverse"):
            return None
        text, inverse = self.row_text, f.mode == "inverse"
        if f.literal is not None:
            lit = f.literal
            return lambda run: [r for r in run
                                if (lit in (r._text if r._text is not None else text(r))) is not inverse]
        found = f.rx.matches
        return lambda run: [r for r in run if found(r._text if r._text is not None else text(r)) is not inverse]

    def _refilter(self, narrow: bool = False, lazy: bool = False) -> None:
        """Filter in sort order; ``narrow``: every row the filter keeps is shown now (the text
        grew), so only those are tested. ``lazy``: see ``set_filter``."""
        self._scan = None
        order = self._shown if narrow else self._sorted_rows()
        f = self.filter
        indexed = f.mode == "labels" and self._labels is not None  # complete at once from the index
        select = (self._run_select() if lazy and f and len(order) > LAZY_FILTER_MIN and not f.keeps_nothing
                  and not indexed else None)
        if select is not None:
            self._scan = FilterScan(order, self.sort_asc, select)
            self._shown = SortedRows()
            self.version += 1
            return
        rows: Sequence[Row]
        if not f:
            rows = order
        elif f.mode == "labels" and f.selector is not None and not f.error:
            keys = self._label_matches(f.selector)
            rows = order if keys is None else [r for r in order if r in keys]
        elif (select := self._run_select()) is not None:  # regex / inverse / fuzzy: one pass, no call per row
            rows = select(order)
        else:
            rows = [r for r in order if self._passes(r)]
        if isinstance(rows, SortedRows):  # every row: ``order`` itself (kept when it is already ``_shown``)
            self._shown = rows if narrow else rows.copy()
        else:
            self._shown = SortedRows(list(rows))
        self.version += 1

    # -- loading and updating ----------------------------------------------------------------
    def _items(self, skey: Key, obj: Obj | None) -> list[tuple[Key, Obj]]:
        if obj is None:
            return []
        try:
            if self.predicate is not None and not self.predicate(obj):
                return []
            return self.expand(obj) if self.expand is not None else [(skey, obj)]
        except Exception:  # a pod whose containers do not read as containers: no rows, no crash
            return []

    def load(self, objects: dict[Key, Obj]) -> None:
        """Replace everything (a new view): O(n log n)."""
        with gc_paused():  # bulk allocation of acyclic rows
            self._load(objects)
            gcpause.bulk_loaded(len(self.rows))  # (the collector's first walk of them would cost a third of the load)

    def _load(self, objects: dict[Key, Obj]) -> None:
        self._sort_touched = None  # every row is new: a sort's keys are of none of them
        self.rows.clear()
        self._deltas.clear()
        self._children.clear()
        self._order = None
        self._labels, self._labels_todo, self._labels_partial = None, None, {}
        self._prime_rows = None
        if self.expand is None and self.predicate is None:  # a row an object
            plain = self._plain_skey(self.sort_col)
            if plain is not None:
                self.rows = {k: Row(k, obj, plain(k, obj)) for k, obj in objects.items()}
            else:
                rows, skey_for = self.rows, self._skey_for
                for k, obj in objects.items():
                    r = rows[k] = Row(k, obj)
                    r.skey = skey_for(r)
            self._refilter()
            return
        for skey, obj in objects.items():
            items = self._items(skey, obj)
            if self.expand is not None:
                self._children[skey] = [k for k, _ in items]
            for k, o in items:
                r = Row(k, o)
                r.skey = self._skey_for(r)
                self.rows[k] = r
        self._refilter()

    def _order_to_patch(self) -> SortedRows[Row] | None:
        """The cached sort order, to patch in place (copied first when a lazy filter's scan
        walks it: the scan's snapshot must not move)."""
        order = self._order
        if order is not None and self._scan is not None and self._scan.order is order:
            order = self._order = order.copy()
        return order

    def _order_drop(self, row: Row) -> None:
        """Take ``row`` out of the cached sort order (found by its ``skey``): a change no
        longer costs the next filter key a sort of every row (100k rows: 30-80 ms)."""
        order = self._order_to_patch()
        if order is None:
            return
        if not order.remove(row):  # not where its key says (cannot happen: keys are unique): sort again when asked
            self._order = None

    def _order_add(self, row: Row) -> None:
        order = self._order_to_patch()
        if order is not None:
            order.insert(row)

    def _vremove(self, row: Row) -> None:
        self._shown.remove(row)

    def _vinsert(self, row: Row) -> None:
        self._shown.insert(row)

    def apply(self, added: Iterable[Key], changed: Iterable[Key], removed: Iterable[Key],
              get: Callable[[Key], Obj | None]) -> None:
        """Apply an informer diff; ``get`` reads the current object of a source key."""
        for skey in list(removed):
            self._upsert(skey, None, "")
        for skey in list(added):
            self._upsert(skey, get(skey), "add")
        for skey in list(changed):
            self._upsert(skey, get(skey), "mod")
        self.version += 1

    def _upsert(self, skey: Key, obj: Obj | None, delta: str) -> None:
        items = self._items(skey, obj)
        new_keys = [k for k, _ in items]
        old_keys = self._children.get(skey, []) if self.expand is not None else [skey]
        touched = self._sort_touched
        if touched is not None:  # a sort in a worker thread: these rows are keyed again as it ends
            for k in (*old_keys, *new_keys):
                if k not in touched:
                    touched[k] = self.rows.get(k)
        for k in old_keys:
            if k not in new_keys and k in self.rows:
                gone = self.rows.pop(k)
                self._order_drop(gone)
                self._vremove(gone)
                self._index_labels(gone, False)
                if self._scan is not None:
                    self._scan.touch(gone, gone.skey)
        if self.expand is not None:
            if new_keys:
                self._children[skey] = new_keys
            else:
                self._children.pop(skey, None)
        for k, o in items:
            row = self.rows.get(k)
            added = row is None
            if row is None:
                row = self.rows[k] = Row(k, o)
                row.delta = delta or "add"
                self._deltas.add(k)
            else:
                self._vremove(row)
                self._index_labels(row, False)
                row.obj, row._cells, row._text = o, None, None
                row.delta = "add" if row.delta == "add" else delta
                if row.delta:
                    self._deltas.add(k)
            self._index_labels(row, True)
            was, now = row.skey, self._skey_for(row)
            if not added and now != was:
                self._order_drop(row)  # found by the key it has there
            row.skey = now
            if added or now != was:
                self._order_add(row)
            scan = self._scan
            if scan is not None:  # a lazy filter goes on: the scan places rows it has not reached
                scan.touch(row, was)
                scan.extra.discard(row)
                if not scan.scanned(row.skey):
                    scan.extra.add(row)
                    continue
            if self._passes(row):
                self._vinsert(row)

    def clear_deltas(self) -> bool:
        """The deltas of the last changes fade; False (and nothing done) when no row had one."""
        if not self._deltas:
            return False
        for k in self._deltas:
            row = self.rows.get(k)
            if row is not None:
                row.delta = ""
        self._deltas.clear()
        self.version += 1
        return True

    # -- reading ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._shown)

    @property
    def total(self) -> int:
        return len(self.rows)

    def key_at(self, index: int) -> Key | None:
        n = len(self._shown)
        if not 0 <= index < n:
            return None
        return self._shown[index if self.sort_asc else n - 1 - index].key

    def row_at(self, index: int) -> Row | None:
        k = self.key_at(index)
        return None if k is None else self.rows[k]

    def index_of(self, key: Key | None) -> int | None:
        row = self.rows.get(key) if key is not None else None
        if row is None:
            return None
        i = self._shown.position(row)
        if i is None:
            return None
        return i if self.sort_asc else len(self._shown) - 1 - i

    def visible_keys(self) -> list[Key]:
        return [r.key for r in (self._shown if self.sort_asc else reversed(self._shown))]

    # -- a lazy filter going on ------------------------------------------------------------------
    @property
    def filtering(self) -> bool:
        """A lazy filter is still going on: the rows shown so far are the first ``len(self)`` in
        display order, exactly as a complete filter shows them; more may follow."""
        return self._scan is not None

    def ensure(self, count: int, key: Key | None = None, seconds: float | None = None) -> None:
        """Go on with a lazy filter until the first ``count`` rows shown are known and so is
        ``key``'s row's place, or the filter is complete, or ``seconds`` have passed."""
        end = time.perf_counter() + seconds if seconds is not None else None
        while self._scan is not None and (len(self._shown) < count or not self.placed(key)):
            self._scan_more()
            if end is not None and time.perf_counter() > end:
                break

    def ensure_cursor(self, key: Key | None, index: int) -> None:
        """Go on with a lazy filter until a cursor on ``key`` (at ``index`` before) can be placed
        as after a complete filter: on its row if the filter keeps it, else on the row at
        ``index`` (or the last row). No key at the first row (a new filter selects its first
        row) waits for nothing: the first row found is that row, the table places it then."""
        if key is None and index == 0:
            return
        while self._scan is not None and (
                not self.placed(key) or (self.index_of(key) is None and len(self._shown) <= index)):
            self._scan_more()

    def placed(self, key: Key | None) -> bool:
        """Whether ``key``'s row is where a complete filter puts it (shown or not)."""
        scan = self._scan
        row = self.rows.get(key) if key is not None and scan is not None else None
        return row is None or scan is None or scan.scanned(row.skey)

    def continue_filter(self, seconds: float, stop: Callable[[], bool] | None = None) -> bool:
        """Go on with a lazy filter for about ``seconds``, or until ``stop()`` (a key came: it
        waits for one step, not the slice); True when it is complete."""
        end = time.perf_counter() + seconds
        while self._scan is not None:
            self._scan_more()
            if time.perf_counter() > end or (stop is not None and stop()):
                break
        return self._scan is None

    def finish_filter(self) -> None:
        """Complete a lazy filter now."""
        while self._scan is not None:
            self._scan_more(len(self._scan.order) or 1)

    def _scan_more(self, limit: int | None = None) -> None:
        scan = self._scan
        assert scan is not None
        rows = self.rows
        found = scan.step(limit)
        if found:
            if scan.asc:  # beyond every row shown so far: the display's end
                self._shown.extend(found)
            else:  # descending: the display's end is the start of the ascending order
                self._shown.prepend(found)
        done = scan.done
        if scan.extra:  # rows changed meanwhile that the frontier has now passed
            for r in [r for r in scan.extra if done or scan.scanned(r.skey)]:
                scan.extra.discard(r)
                if rows.get(r.key) is r and self._passes(r):
                    self._vinsert(r)
        if done:
            self._scan = None
        self.version += 1

    def prime(self, budget: int = 2000, seconds: float | None = None,
              stop: Callable[[], bool] | None = None) -> bool:
        """Compute the filter text (and cells) of up to ``budget`` rows that have none yet, for
        at most about ``seconds`` or until ``stop()`` (a key came): idle work in slices short
        enough not to delay a key, so that filter keystrokes find the text ready; then the label
        index, so that a `-l` filter needs no pass over the rows. True when both are done (rows
        changed since get their text when a filter needs it). While a lazy filter goes on it does
        nothing (and says False): the filter's own slices compute the same texts, in the order shown."""
        if self._scan is not None:
            return False
        if self._prime_rows is None:  # one pass over the rows loaded: changed rows are done on demand
            self._prime_rows = [r for r in self.rows.values() if r._text is None]
            self._prime_rows.reverse()  # popped from the end: the first rows first
        rows, text = self._prime_rows, self.row_text
        end = time.perf_counter() + seconds if seconds is not None else None

        def enough() -> bool:
            return (end is not None and time.perf_counter() > end) or (stop is not None and stop())
        done = 0
        while rows:
            r = rows.pop()
            if r._text is None and self.rows.get(r.key) is r:
                text(r)
                done += 1
                if done >= budget or (not done % 25 and enough()):
                    break
        return not rows and self._index_more(enough)
