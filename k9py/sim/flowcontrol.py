"""API Priority and Fairness objects (flowcontrol.apiserver.k8s.io/v1): the FlowSchemas and
PriorityLevelConfigurations every kube-apiserver creates at start (its mandatory and suggested
configuration), the defaults it gives new ones, and the status it keeps on each FlowSchema (the
``Dangling`` condition kubectl prints as MISSINGPL). The simulator stores them; requests are not
queued by them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.timefmt import rfc3339
from k9py.sim.admission import admits
from k9py.sim.controllers.base import Controller, saw, unchanged_since_last

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
FLOW_SCHEMA = "FlowSchema"
PRIORITY_LEVEL = "PriorityLevelConfiguration"
API_VERSION = "flowcontrol.apiserver.k8s.io/v1"
AUTOUPDATE = "apf.kubernetes.io/autoupdate-spec"
EVERYONE = ("system:unauthenticated", "system:authenticated")


def _group(name: str) -> Obj:
    return {"kind": "Group", "group": {"name": name}}


def _user(name: str) -> Obj:
    return {"kind": "User", "user": {"name": name}}


def _kube_system_sa(name: str = "*") -> Obj:
    return {"kind": "ServiceAccount", "serviceAccount": {"name": name, "namespace": "kube-system"}}


def _resources(verbs: list[str], groups: list[str], resources: list[str], namespaces: list[str] | None,
               cluster_scope: bool = False) -> Obj:
    rule: Obj = {"verbs": verbs, "apiGroups": groups, "resources": resources}
    if cluster_scope:
        rule["clusterScope"] = True
    if namespaces is not None:
        rule["namespaces"] = namespaces
    return rule


_ALL_RESOURCES = [_resources(["*"], ["*"], ["*"], ["*"], cluster_scope=True)]
_ALL_NON_RESOURCES = [{"verbs": ["*"], "nonResourceURLs": ["*"]}]
_LEADER = ["get", "create", "update"]


def _schema(name: str, level: str, precedence: int, method: str | None, *rules: Obj) -> Obj:
    spec: Obj = {"priorityLevelConfiguration": {"name": level}, "matchingPrecedence": precedence}
    if method:
        spec["distinguisherMethod"] = {"type": method}
    spec["rules"] = list(rules)
    return {"apiVersion": API_VERSION, "kind": FLOW_SCHEMA,
            "metadata": {"name": name, "annotations": {AUTOUPDATE: "true"}}, "spec": spec}


def _all(*subjects: Obj) -> Obj:
    return {"subjects": list(subjects), "resourceRules": _ALL_RESOURCES, "nonResourceRules": _ALL_NON_RESOURCES}


def _level(name: str, shares: int | None, lendable: int = 0, queuing: tuple[int, int, int] | None = None) -> Obj:
    """A Limited level (Exempt when ``shares`` is None); ``queuing``: (queues, handSize,
    queueLengthLimit), else requests over the limit are rejected."""
    if shares is None:
        spec: Obj = {"type": "Exempt", "exempt": {"nominalConcurrencyShares": 0, "lendablePercent": 0}}
    else:
        response: Obj = {"type": "Reject"}
        if queuing is not None:
            q, hand, length = queuing
            response = {"type": "Queue", "queuing": {"queues": q, "handSize": hand, "queueLengthLimit": length}}
        spec = {"type": "Limited", "limited": {"nominalConcurrencyShares": shares, "lendablePercent": lendable,
                                               "limitResponse": response}}
    return {"apiVersion": API_VERSION, "kind": PRIORITY_LEVEL,
            "metadata": {"name": name, "annotations": {AUTOUPDATE: "true"}}, "spec": spec}


def bootstrap_objects() -> list[Obj]:
    """The mandatory and suggested configuration of a kube-apiserver (v1.29 and later), priority
    levels first (the schemas refer to them)."""
    levels = [
        _level("exempt", None),
        _level("catch-all", 5),
        _level("system", 30, 33, (64, 6, 50)),
        _level("node-high", 40, 25, (64, 6, 50)),
        _level("leader-election", 10, 0, (16, 4, 50)),
        _level("workload-high", 40, 50, (128, 6, 50)),
        _level("workload-low", 100, 90, (128, 6, 50)),
        _level("global-default", 20, 50, (128, 6, 50)),
    ]
    leases = _resources(_LEADER, ["coordination.k8s.io"], ["leases"], ["*"])
    schemas = [
        _schema("exempt", "exempt", 1, None, _all(_group("system:masters"))),
        _schema("probes", "exempt", 2, None, {
            "subjects": [_group(g) for g in EVERYONE],
            "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz", "/readyz", "/livez"]}]}),
        _schema("system-leader-election", "leader-election", 100, "ByUser", {
            "subjects": [_user("system:kube-controller-manager"), _user("system:kube-scheduler"), _kube_system_sa()],
            "resourceRules": [_resources(_LEADER, [""], ["endpoints", "configmaps"], ["kube-system"]), leases]}),
        _schema("endpoint-controller", "workload-high", 150, "ByUser", {
            "subjects": [_user("system:kube-controller-manager"), _kube_system_sa("endpoint-controller")],
            "resourceRules": [_resources(_LEADER, [""], ["endpoints"], ["*"])]}),
        _schema("workload-leader-election", "leader-election", 200, "ByUser", {
            "subjects": [_kube_system_sa()],
            "resourceRules": [_resources(_LEADER, [""], ["endpoints", "configmaps"], ["*"]), leases]}),
        _schema("system-node-high", "node-high", 400, "ByUser", {
            "subjects": [_group("system:nodes")],
            "resourceRules": [_resources(["*"], [""], ["nodes", "nodes/status"], None, cluster_scope=True),
                              _resources(["*"], ["coordination.k8s.io"], ["leases"], ["*"])]}),
        _schema("system-nodes", "system", 500, "ByUser", _all(_group("system:nodes"))),
        _schema("kube-controller-manager", "workload-high", 800, "ByNamespace",
                _all(_user("system:kube-controller-manager"))),
        _schema("kube-scheduler", "workload-high", 800, "ByNamespace", _all(_user("system:kube-scheduler"))),
        _schema("kube-system-service-accounts", "workload-high", 900, "ByNamespace", _all(_kube_system_sa())),
        _schema("service-accounts", "workload-low", 9000, "ByUser", _all(_group("system:serviceaccounts"))),
        _schema("global-default", "global-default", 9900, "ByUser", _all(*(_group(g) for g in EVERYONE))),
        _schema("catch-all", "catch-all", 10000, "ByUser", _all(*(_group(g) for g in EVERYONE))),
    ]
    return levels + schemas


@admits(FLOW_SCHEMA)
def admit_flow_schema(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    """SetDefaults_FlowSchemaSpec: a schema without a precedence comes after most (1000)."""
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict) and not spec.get("matchingPrecedence"):
        spec["matchingPrecedence"] = 1000


@admits(PRIORITY_LEVEL)
def admit_priority_level(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    """SetDefaults of a Limited level: 30 shares, 0 % lendable, and a queue's 64/8/50."""
    limited = meta.dig(obj, "spec", "limited")
    if not isinstance(limited, dict):
        return
    if limited.get("nominalConcurrencyShares") is None:
        limited["nominalConcurrencyShares"] = 30
    limited.setdefault("lendablePercent", 0)
    response = limited.get("limitResponse")
    if isinstance(response, dict) and response.get("type") == "Queue":
        queuing = response.setdefault("queuing", {})
        if isinstance(queuing, dict):
            for key, value in (("queues", 64), ("handSize", 8), ("queueLengthLimit", 50)):
                if not queuing.get(key):
                    queuing[key] = value


class FlowControlController(Controller):
    """The apiserver's APF config controller: each FlowSchema's ``Dangling`` condition says
    whether the priority level it names exists."""

    name = "flowcontrol"
    watches = (FLOW_SCHEMA, PRIORITY_LEVEL)

    def reconcile(self, cluster: Cluster) -> None:
        if unchanged_since_last(cluster, "flowcontrol-seen", self.watches):  # (a clock wake-up)
            return
        self._sync(cluster)
        saw(cluster, "flowcontrol-seen", self.watches)

    def _sync(self, cluster: Cluster) -> None:
        store = cluster.store
        levels = {meta.name(o) for o in store.list(PRIORITY_LEVEL) if not meta.is_deleting(o)}
        for schema in store.list(FLOW_SCHEMA):
            level = str(meta.dig(schema, "spec", "priorityLevelConfiguration", "name") or "")
            found = level in levels
            wanted = {"type": "Dangling", "status": "False" if found else "True",
                      "reason": "Found" if found else "NotFound",
                      "message": f'This FlowSchema references the PriorityLevelConfiguration object named "{level}" '
                                 + ("and it exists" if found else "but there is no such object")}
            conditions = meta.dig(schema, "status", "conditions") or []
            now = next((c for c in conditions if isinstance(c, dict) and c.get("type") == "Dangling"), None)
            if now is not None and all(now.get(k) == v for k, v in wanted.items()):
                continue

            def set_condition(o: Obj, wanted: Obj = wanted) -> None:
                status = o.setdefault("status", {})
                kept = [c for c in status.get("conditions") or [] if isinstance(c, dict) and c.get("type") != "Dangling"]
                status["conditions"] = [*kept, {**wanted, "lastTransitionTime": rfc3339(cluster.now())}]
            store.mutate(FLOW_SCHEMA, None, meta.name(schema), set_condition)
