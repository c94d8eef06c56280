"""The metrics-server API (``metrics.k8s.io/v1beta1``) over the simulator, for ``kubectl top``.

Figures come from ``k9py.sim.metrics`` (deterministic for a seed and a virtual time). What is
served follows metrics-server (``pkg/api/{pod,node,table}.go``): resources ``pods`` (PodMetrics,
namespaced) and ``nodes`` (NodeMetrics), verbs get/list, an empty ``singularName``; lists sorted by
namespace/name with ``metadata: {}`` and items without kind/apiVersion; labelSelector on the pods'
/nodes' labels; fieldSelector on ``metadata.name`` / ``metadata.namespace`` only (other fields
read as ""); NotFound as ``podmetrics.metrics.k8s.io "ns/name" not found`` when the pod exists but
has no metrics, ``pods "name" not found`` when it does not exist. A node whose kubelet is
unreachable (Ready=Unknown) cannot be scraped: no metrics for it nor for its pods (kubectl top
prints ``<unknown>`` for such a node).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from k9py.kube import meta, quantity, selectors
from k9py.kube.resources import ApiResource
from k9py.kube.status import ApiError, bad_request
from k9py.serve.http import Request, Response, no_route
from k9py.sim import metrics as sim_metrics

if TYPE_CHECKING:
    from k9py.serve.api import Api

Obj = dict[str, Any]

GROUP = "metrics.k8s.io"
VERSION = "v1beta1"
GROUP_VERSION = f"{GROUP}/{VERSION}"
VERBS = ("get", "list")
NODES = ApiResource("NodeMetrics", "nodes", GROUP, VERSION, False, verbs=VERBS)
PODS = ApiResource("PodMetrics", "pods", GROUP, VERSION, True, verbs=VERBS)
RESOURCES = (NODES, PODS)


# -- discovery -------------------------------------------------------------------------------------
def api_group() -> Obj:
    gv = {"groupVersion": GROUP_VERSION, "version": VERSION}
    return {"kind": "APIGroup", "apiVersion": "v1", "name": GROUP, "versions": [gv], "preferredVersion": gv}


def group_entry() -> Obj:
    """This group's entry in ``/apis`` (APIGroupList)."""
    g = api_group()
    g.pop("kind")
    g.pop("apiVersion")
    return g


def resource_list() -> Obj:
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": GROUP_VERSION,
            "resources": [{"name": r.plural, "singularName": "", "namespaced": r.namespaced, "kind": r.kind,
                           "verbs": list(r.verbs)} for r in RESOURCES]}


# -- quantities as resource.Quantity.String() prints them ------------------------------------------
_DECIMAL_SUFFIXES = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"}
_BINARY_SUFFIXES = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


def canonical_nanos(n: int) -> str:
    """A DecimalSI quantity of ``n`` nano-units in canonical form (``1500000n`` → ``1500u``)."""
    if n == 0:
        return "0"
    exp = -9
    while n % 1000 == 0 and exp < 18:
        n //= 1000
        exp += 3
    return f"{n}{_DECIMAL_SUFFIXES[exp]}"


def canonical_bytes(b: int) -> str:
    """A BinarySI quantity of ``b`` bytes in canonical form (``2048Ki`` → ``2Mi``)."""
    if -1024 < b < 1024:
        return str(b)
    i = 0
    while b % 1024 == 0 and i < len(_BINARY_SUFFIXES) - 1:
        b //= 1024
        i += 1
    return f"{b}{_BINARY_SUFFIXES[i]}"


def _nanos(q: str) -> int:
    return int(q[:-1]) if q.endswith("n") else quantity.cpu_millis(q) * 1_000_000


def _bytes(q: str) -> int:
    return int(q[:-2]) * 1024 if q.endswith("Ki") else quantity.bytes_of(q)


def _window(w: str) -> str:
    """metav1.Duration's text as Go's time.Duration prints it (``15s``)."""
    secs = float(w[:-1]) if w.endswith("s") else 0.0
    return f"{secs:g}s" if secs < 60 else f"{int(secs // 60)}m{secs % 60:g}s"


def _table(items: list[Obj], include_object: str) -> Obj:
    """metrics-server's ConvertToTable: Name, one column per resource (sorted), Window."""
    from k9py.serve.table import partial_metadata

    cols: list[Obj] = []  # none when there are no items, like metrics-server
    rows = []
    for i, m in enumerate(items):
        if "containers" in m:
            cpu = sum(_nanos(c["usage"].get("cpu", "0n")) for c in m["containers"])
            mem = sum(_bytes(c["usage"].get("memory", "0Ki")) for c in m["containers"])
        else:
            cpu, mem = _nanos(m["usage"].get("cpu", "0n")), _bytes(m["usage"].get("memory", "0Ki"))
        if i == 0:
            cols.append({"name": "Name", "type": "string", "format": "name", "description": "Name of the resource",
                         "priority": 0})
            cols += [{"name": n, "type": "string", "format": "quantity", "description": "", "priority": 0}
                     for n in ("cpu", "memory")]
            cols.append({"name": "Window", "type": "string", "format": "duration", "description": "", "priority": 0})
        row: Obj = {"cells": [meta.name(m), canonical_nanos(cpu), canonical_bytes(mem), _window(m.get("window", ""))]}
        if include_object == "Object":
            row["object"] = m
        elif include_object != "None":
            row["object"] = partial_metadata(m)
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {}, "columnDefinitions": cols, "rows": rows}


# -- serving ---------------------------------------------------------------------------------------
def _not_found(resource: str, name: str, group: str = GROUP) -> Response:
    qualified = f"{resource}.{group}" if group else resource
    details: Obj = {"name": name, "kind": resource}
    if group:
        details["group"] = group
    return Response(404, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                          "message": f'{qualified} "{name}" not found', "reason": "NotFound",
                          "details": details, "code": 404})


def _not_found_path() -> Response:
    return Response(404, ApiError(404, "NotFound", "the server could not find the requested resource").to_status())


def _filter(req: Request) -> Callable[[Obj], bool]:
    """labelSelector on the object's labels, fieldSelector on its metadata.name/namespace."""
    try:
        labels_sel = selectors.parse_label_selector(req.q("labelSelector"))
        fields_sel = selectors.parse_field_selector(req.q("fieldSelector"))
    except ValueError as err:
        raise bad_request(str(err)) from None

    def match(obj: Obj) -> bool:
        md = obj.get("metadata") or {}
        if not selectors.matches(labels_sel, md.get("labels") or {}):
            return False
        fields = {"metadata": {"name": md.get("name", ""), "namespace": md.get("namespace", "")}}
        return selectors.field_matches(fields_sel, fields)

    return match


def _reachable(node: Obj | None) -> bool:
    """Whether metrics-server could scrape this node's kubelet (not Ready=Unknown)."""
    if node is None:
        return False
    for c in (node.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") != "Unknown"
    return True


def _seed(cluster: Any) -> int:
    return int(getattr(cluster, "seed", 0) or 0)


def _item(obj: Obj) -> Obj:
    """A list item: the apiserver encodes them without kind/apiVersion (``obj`` is made for this
    answer: changed in place, no copy per item)."""
    obj.pop("kind", None)
    obj.pop("apiVersion", None)
    return obj


def _list_response(req: Request, kind: str, items: list[Obj]) -> Response:
    from k9py.serve.api import Api
    if Api.accept(req) == "Table":
        return Response(200, _table(items, req.q("includeObject") or "Metadata"))
    return Response(200, {"kind": f"{kind}List", "apiVersion": GROUP_VERSION, "metadata": {},
                          "items": [_item(m) for m in items]})


def _one_response(req: Request, obj: Obj) -> Response:
    from k9py.serve.api import Api
    if Api.accept(req) == "Table":
        return Response(200, _table([obj], req.q("includeObject") or "Metadata"))
    return Response(200, obj)


def pod_metrics(api: Api, req: Request, namespace: str | None, name: str | None) -> Response:
    cluster = api.cluster
    match = _filter(req) if name is None else None
    with cluster.lock:
        now = cluster.now()
        if name is not None:
            pod = cluster.store.get("Pod", namespace, name)
            pods = [pod] if pod is not None else []
        else:
            pods = list(cluster.store.list("Pod", namespace or None))
        nodes = {meta.name(n): n for n in cluster.store.list("Node")}
        loads = sim_metrics.load_shares(cluster)
    if name is not None and not pods:
        return _not_found("pods", name, "")
    reachable = {n for n, node in nodes.items() if _reachable(node)}
    pods = [p for p in pods if (p.get("spec") or {}).get("nodeName") in reachable]  # already by namespace/name
    if match is not None and (req.q("labelSelector") or req.q("fieldSelector")):
        pods = [p for p in pods if match(p)]
    items = sim_metrics.pod_metrics_of(pods, _seed(cluster), now, loads)
    if name is not None:
        if not items:
            return _not_found("podmetrics", f"{namespace}/{name}")
        return _one_response(req, items[0])
    return _list_response(req, "PodMetrics", items)


def node_metrics(api: Api, req: Request, name: str | None) -> Response:
    cluster = api.cluster
    match = _filter(req) if name is None else None
    with cluster.lock:
        now = cluster.now()
        nodes = list(cluster.store.list("Node"))
        pods = list(cluster.store.list("Pod"))
        loads = sim_metrics.load_shares(cluster)
    if name is not None:
        nodes = [n for n in nodes if meta.name(n) == name]
        if not nodes:
            return _not_found("node", name, "")
    elif match is not None:
        nodes = [n for n in nodes if match(n)]
    by_node: dict[str, list[Obj]] = {}
    for p in pods:
        by_node.setdefault((p.get("spec") or {}).get("nodeName") or "", []).append(p)
    seed = _seed(cluster)
    items = [sim_metrics.node_metrics(seed, n, by_node.get(meta.name(n), []), now, loads)
             for n in sorted(nodes, key=meta.name) if _reachable(n)]
    if name is not None:
        if not items:
            return _not_found("nodemetrics", name)
        return _one_response(req, items[0])
    return _list_response(req, "NodeMetrics", items)


def handle(api: Api, req: Request, rest: list[str]) -> Response:
    """``/apis/metrics.k8s.io[/v1beta1[/...]]``; ``rest``: the segments after the group."""
    if not rest:
        return Response(200, api_group())
    if rest[0] != VERSION:
        return _not_found_path()
    rest = rest[1:]
    if not rest:
        return Response(200, resource_list())
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] == "pods":
        namespace, rest = rest[1], rest[2:]
    if rest[0] not in ("pods", "nodes") or len(rest) > 2 or (rest[0] == "pods" and namespace is None and len(rest) > 1):
        return _not_found_path()
    name = rest[1] if len(rest) > 1 else None
    from k9py.serve import auth
    auth.authorize_read(api, req, rest[0], GROUP, name, namespace)  # (the authorizer answers first)
    if req.method != "GET":
        return no_route()
    if req.flag("watch"):
        return no_route()
    if rest[0] == "nodes":
        return node_metrics(api, req, name)
    return pod_metrics(api, req, namespace, name)
