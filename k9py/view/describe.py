"""What ``kubectl describe`` prints for an object, UI-free (kubectl/pkg/describe/describe.go).

``describe(obj, events=..., now=..., related=...)``:

- ``events``: Event objects (any superset: the ones about ``obj`` are picked as kubectl's
  ``searchEvents`` does); ``None`` leaves the Events section out (``--show-events=false``).
- ``now``: the time ages are computed against (kubectl uses its wall clock).
- ``related(kind, namespace)``: the objects of a kind in a namespace (``""`` = all), for what
  kubectl fetches besides the object: a node's pods and Lease, a deployment's ReplicaSets, a
  service's EndpointSlices, a PVC's pods, a namespace's quotas, a workload's pods. ``None`` (or
  ``related`` returning None for a kind it cannot list) leaves those parts out, as kubectl does
  when a list is forbidden; an empty list means "there are none" (e.g. the node has no Lease).
"""

from __future__ import annotations

from collections.abc import Callable

from k9py.view.describe_common import Obj, Related, events_for
from k9py.view.describe_extra import (
    describe_csinode,
    describe_hpa,
    describe_ingressclass,
    describe_networkpolicy,
    describe_pdb,
    describe_priorityclass,
    describe_role,
    describe_rolebinding,
)
from k9py.view.describe_misc import (
    describe_configmap,
    describe_endpoints,
    describe_endpointslice,
    describe_generic,
    describe_ingress,
    describe_limitrange,
    describe_namespace,
    describe_pv,
    describe_pvc,
    describe_resourcequota,
    describe_secret,
    describe_service,
    describe_serviceaccount,
    describe_storageclass,
)
from k9py.view.describe_node import describe_node
from k9py.view.describe_pod import describe_pod
from k9py.view.describe_workloads import (
    describe_cronjob,
    describe_daemonset,
    describe_deployment,
    describe_job,
    describe_replicaset,
    describe_replicationcontroller,
    describe_statefulset,
)

Describer = Callable[[Obj, "list[Obj] | None", float, "Related | None"], str]

_DESCRIBERS: dict[str, Describer] = {
    "Pod": lambda o, e, n, r: describe_pod(o, e, n),
    "Deployment": describe_deployment,
    "ReplicaSet": describe_replicaset,
    "ReplicationController": describe_replicationcontroller,
    "StatefulSet": describe_statefulset,
    "DaemonSet": describe_daemonset,
    "Job": lambda o, e, n, r: describe_job(o, e, n),
    "CronJob": lambda o, e, n, r: describe_cronjob(o, e, n),
    "Service": describe_service,
    "Endpoints": lambda o, e, n, r: describe_endpoints(o, e, n),
    "EndpointSlice": lambda o, e, n, r: describe_endpointslice(o, e, n),
    "Ingress": describe_ingress,
    "Node": describe_node,
    "Namespace": lambda o, e, n, r: describe_namespace(o, n, r),
    "PersistentVolume": lambda o, e, n, r: describe_pv(o, e, n),
    "PersistentVolumeClaim": describe_pvc,
    "StorageClass": lambda o, e, n, r: describe_storageclass(o, e, n),
    "ConfigMap": lambda o, e, n, r: describe_configmap(o, e, n),
    "Secret": lambda o, e, n, r: describe_secret(o),
    "ServiceAccount": lambda o, e, n, r: describe_serviceaccount(o, e, n),
    "ResourceQuota": lambda o, e, n, r: describe_resourcequota(o),
    "LimitRange": lambda o, e, n, r: describe_limitrange(o),
    "HorizontalPodAutoscaler": lambda o, e, n, r: describe_hpa(o, e, n),
    "PodDisruptionBudget": lambda o, e, n, r: describe_pdb(o, e, n),
    "NetworkPolicy": lambda o, e, n, r: describe_networkpolicy(o),
    "IngressClass": lambda o, e, n, r: describe_ingressclass(o, e, n),
    "PriorityClass": lambda o, e, n, r: describe_priorityclass(o, e, n),
    "CSINode": lambda o, e, n, r: describe_csinode(o, e, n),
    "Role": lambda o, e, n, r: describe_role(o),
    "ClusterRole": lambda o, e, n, r: describe_role(o),
    "RoleBinding": lambda o, e, n, r: describe_rolebinding(o),
    "ClusterRoleBinding": lambda o, e, n, r: describe_rolebinding(o),
}


def describe(obj: Obj, *, events: list[Obj] | None, now: float, related: Related | None = None) -> str:
    """The ``kubectl describe`` text of ``obj`` (kinds without a describer get the generic one,
    and so does an object that does not read as its kind: a recording or a server may hold
    anything, and a describe never fails on it)."""
    kind = obj.get("kind", "")
    fn = _DESCRIBERS.get(kind) if type(kind) is str else None
    try:
        mine = events_for(obj, events)
    except Exception:  # (a malformed object: what it is cannot be matched)
        mine = None
    if fn is not None:
        try:
            return fn(obj, mine, now, related)
        except Exception:  # a malformed object, or a malformed one it reads (its pods, its owner)
            pass
    try:
        return describe_generic(obj, mine, now)
    except Exception:
        pass
    try:
        return describe_generic(obj, None, now)  # its events did not read either
    except Exception as err:  # not even its fields read: say so instead of failing
        return f"Kind:  {kind}\n(cannot be described: {type(err).__name__}: {err})\n"
