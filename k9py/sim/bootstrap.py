"""What every fresh cluster has before any manifest, like a new minikube: the system namespaces
(each with its ``default`` ServiceAccount and ``kube-root-ca.crt``), the ``kubernetes`` Service
with its Endpoints/EndpointSlice, the default StorageClass ``standard``, the apiserver's ServiceCIDR
and API Priority and Fairness configuration, and the default RBAC roles and bindings
(``sim/rbac.py``); and the apiserver's loop that puts the ``kubernetes`` Service back."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from k9py.kube.status import ApiError
from k9py.sim.controllers.base import Controller

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
APISERVER_IP = "192.168.49.2"
APISERVER_PORT = 8443
DEFAULT_STORAGE_CLASS = "standard"
MINIKUBE_PROVISIONER = "k8s.io/minikube-hostpath"


def bootstrap(cluster: Cluster) -> None:
    # Admission for the kinds created below registers on import (also when a test passes its
    # own controller list and the controller modules were never imported).
    from k9py.sim import (
        apiservices,
        flowcontrol,
        ipaddresses,
        service_admission,  # noqa: F401
        webhooks,  # noqa: F401
    )
    from k9py.sim.controllers import quota, volumes  # noqa: F401
    from k9py.sim.controllers.namespace import ensure_namespace_defaults
    from k9py.sim.pod_admission import system_priority_classes
    from k9py.sim.rbac_policy import default_objects as default_rbac

    store = cluster.store
    for ns in SYSTEM_NAMESPACES:
        if store.get("Namespace", None, ns) is None:
            store.create(system_namespace(ns))
    for ns in SYSTEM_NAMESPACES:
        ensure_namespace_defaults(cluster, ns)
    apiservices.ensure_builtin(cluster)
    if store.get("Service", "default", "kubernetes") is None:
        cluster.create(kubernetes_service())
    if store.get("Endpoints", "default", "kubernetes") is None:
        store.create(kubernetes_endpoints())
    if store.get("EndpointSlice", "default", "kubernetes") is None:
        store.create(kubernetes_endpointslice())
    if store.get("StorageClass", None, DEFAULT_STORAGE_CLASS) is None:
        cluster.create(standard_storage_class())
    for pc in system_priority_classes():
        if store.get("PriorityClass", None, pc["metadata"]["name"]) is None:
            cluster.create(pc)
    if store.get(ipaddresses.SERVICE_CIDR, None, ipaddresses.DEFAULT_CIDR) is None:
        create_with_fixed_uid(cluster, ipaddresses.default_service_cidr(cluster.now()))
    for obj in flowcontrol.bootstrap_objects():
        if store.get(obj["kind"], None, obj["metadata"]["name"]) is None:
            create_with_fixed_uid(cluster, obj)
    policy = default_rbac()
    for obj in [o for o in policy if _key(o) in _FIRST_RBAC] + [o for o in policy if _key(o) not in _FIRST_RBAC]:
        if store.get(obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"]) is None:
            if _key(obj) in _FIRST_RBAC:
                cluster.create(obj)
            else:
                create_with_fixed_uid(cluster, obj)
    cluster.settle()


# The RBAC objects the simulator has always created, through the apiserver (a random uid each);
# the rest of the bootstrap policy gets uids derived from its names, so that adding it drew
# nothing from the cluster's random stream: the pods, IPs and logs of a seed stay what they were.
_FIRST_RBAC = (("ClusterRole", None, "cluster-admin"), ("ClusterRole", None, "admin"), ("ClusterRole", None, "edit"),
               ("ClusterRole", None, "view"), ("ClusterRoleBinding", None, "cluster-admin"),
               ("ClusterRoleBinding", None, "minikube-rbac"), ("Role", "kube-system", "kube-proxy"),
               ("RoleBinding", "kube-system", "kube-proxy"))


def _key(obj: dict) -> tuple[str, str | None, str]:
    return obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"]


def create_with_fixed_uid(cluster: Cluster, obj: dict, identity: str | None = None) -> None:
    """Admit and store ``obj`` (a copy) with a uid drawn from its identity (``identity``: that
    instead of its name), not from the cluster's random stream: what the apiserver and its
    controllers make of their own leaves a seeded cluster's pods, IPs and logs as they were."""
    from k9py.kube.meta import deep_copy
    from k9py.kube.timefmt import rfc3339
    from k9py.sim import admission
    from k9py.sim.store import fixed_uid

    obj = deep_copy(obj)
    kind, ns, name = _key(obj)
    obj["metadata"]["uid"] = fixed_uid(kind, ns, identity or name)
    obj["metadata"]["creationTimestamp"] = rfc3339(cluster.now())
    admission.admit(cluster, obj, None)
    cluster.store.create(obj, keep_uid=True)


def system_namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def kubernetes_service() -> dict:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": "10.96.0.1", "type": "ClusterIP", "sessionAffinity": "None",
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": APISERVER_PORT}]}}


class KubernetesServiceController(Controller):
    """The apiserver's own loop (controlplane's kubernetesservice controller, every 10 s): the
    ``kubernetes`` Service in ``default`` is put back when it is gone, as after the tutorials'
    clean-up ``kubectl delete all --all``: `kubectl get svc` shows it again, AGE 0s, within ten
    seconds."""

    name = "kubernetes-service"
    watches = ("Service",)
    INTERVAL = 10.0
    DUE = "kubernetes-service-due"

    def reconcile(self, cluster: Cluster) -> None:
        store = cluster.store
        if store.get("Service", "default", "kubernetes") is not None or store.get("Namespace", None, "default") is None:
            cluster.state.pop(self.DUE, None)
            return
        now = cluster.now()
        due = cluster.state.setdefault(self.DUE, (math.floor(now / self.INTERVAL) + 1) * self.INTERVAL)
        if now < due:
            cluster.wake_at(due)
            return
        cluster.state.pop(self.DUE, None)
        try:
            create_with_fixed_uid(cluster, kubernetes_service(), f"kubernetes@{now}")
        except ApiError:  # (10.96.0.1 taken by another Service): tried again in 10 s, as the apiserver's loop
            cluster.state[self.DUE] = now + self.INTERVAL
            cluster.wake_at(now + self.INTERVAL)


def kubernetes_endpoints() -> dict:
    return {"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": APISERVER_IP}],
                         "ports": [{"name": "https", "port": APISERVER_PORT, "protocol": "TCP"}]}]}


def kubernetes_endpointslice() -> dict:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"kubernetes.io/service-name": "kubernetes"}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": [APISERVER_IP], "conditions": {"ready": True}}],
            "ports": [{"name": "https", "port": APISERVER_PORT, "protocol": "TCP"}]}


def standard_storage_class() -> dict:
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": DEFAULT_STORAGE_CLASS,
                         "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
                         "labels": {"addonmanager.kubernetes.io/mode": "EnsureExists"}},
            "provisioner": MINIKUBE_PROVISIONER, "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate"}
