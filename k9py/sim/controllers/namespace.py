"""Namespace lifecycle: what the namespace, serviceaccounts and root-ca-cert-publisher
controllers do.

- Every Active namespace has the ServiceAccount ``default`` and the ConfigMap
  ``kube-root-ca.crt`` (recreated if deleted, like the real controllers do).
- A Terminating namespace (``Cluster.delete`` set deletionTimestamp + phase) has all its content
  deleted (pods gracefully, through ``Cluster.delete``); its status conditions report what is
  left, and once nothing is left the Namespace itself is removed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from typing import TYPE_CHECKING, Any

from k9py.kube import meta, resources
from k9py.kube.status import ApiError
from k9py.kube.timefmt import rfc3339
from k9py.sim.admission import admits
from k9py.sim.controllers.base import Controller

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

ROOT_CA_NAME = "kube-root-ca.crt"
ROOT_CA_DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
                       "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
                       "guaranteed across distributions of Kubernetes clusters.")


def _fake_ca_pem() -> str:
    """A stable, certificate-shaped PEM block (the simulator has no real PKI)."""
    blob = b""
    seed = b"k9py-sim minikubeCA"
    while len(blob) < 795:
        seed = hashlib.sha256(seed).digest()
        blob += seed
    der = b"\x30\x82\x03\x17\x30\x82\x01\xff\xa0\x03\x02\x01\x02\x02\x01\x01" + blob[:779]
    text = base64.b64encode(der).decode()
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


ROOT_CA_PEM = _fake_ca_pem()


def default_service_account(namespace: str) -> Obj:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": namespace}}


ROOT_CA_STATE = "namespace.root-ca"  # the cluster CA's PEM once one was made (``pki.cluster_ca``)


def root_ca_configmap(namespace: str, pem: str = ROOT_CA_PEM) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": ROOT_CA_NAME, "namespace": namespace,
                         "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION}},
            "data": {"ca.crt": pem}}


def ensure_namespace_defaults(cluster: Cluster, namespace: str) -> None:
    store = cluster.store
    if store.get("ServiceAccount", namespace, "default") is None:
        store.create(default_service_account(namespace))
    if store.get("ConfigMap", namespace, ROOT_CA_NAME) is None:
        store.create(root_ca_configmap(namespace, cluster.state.get(ROOT_CA_STATE, ROOT_CA_PEM)))


def publish_root_ca(cluster: Cluster, pem: str) -> None:
    """The cluster now has a real CA (``k9py serve --tls``, a CSR signed): every namespace's
    kube-root-ca.crt holds it, as the root-CA publisher keeps it (a shape-only stand-in until then).
    A container that started before keeps the file it mounted until it restarts (a kubelet would
    refresh the projected volume within a minute: not simulated)."""
    cluster.state[ROOT_CA_STATE] = pem
    store = cluster.store
    for ns, name in store.keys("ConfigMap"):
        if name == ROOT_CA_NAME:
            store.mutate("ConfigMap", ns, name, lambda o: o.setdefault("data", {}).__setitem__("ca.crt", pem))


def _group_resource(registry: resources.Registry, kind: str) -> str:
    res = registry.kind(kind)
    if res is None:
        return f"{kind.lower()}s."
    return f"{res.plural}.{res.group}"


@admits("Namespace")
def _admit_namespace(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    """The namespace strategy: the `kubernetes` finalizer, phase Active on create, and the
    immutable kubernetes.io/metadata.name label."""
    name = meta.name(obj)
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    if old is None:
        obj["status"] = {"phase": "Active"}
    obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name


_READ = "namespace.read"  # the versions of what a pass with no namespace terminating read


def _read_versions(store: Any) -> tuple[int, int, int]:
    return store.kind_version("Namespace"), store.kind_version("ServiceAccount"), store.kind_version("ConfigMap")


class NamespaceController(Controller):
    name = "namespace"

    def reconcile(self, cluster: Cluster) -> None:
        # Any change wakes it (a terminating namespace waits for objects of every kind to go);
        # with none terminating it reads namespaces, service accounts and config maps only: while
        # none of those changed, a pass would write nothing (settle runs dozens a second).
        store = cluster.store
        if cluster.state.get(_READ) == _read_versions(store):
            return
        terminating = False
        for ns in store.list("Namespace"):
            name = meta.name(ns)
            if meta.is_deleting(ns) or meta.dig(ns, "status", "phase") == "Terminating":
                terminating = True
                self._delete_content(cluster, ns)
            else:
                ensure_namespace_defaults(cluster, name)
        cluster.state[_READ] = None if terminating else _read_versions(store)  # its own writes included

    def _contents(self, cluster: Cluster, namespace: str) -> list[Obj]:
        out = []
        registry = cluster.api_resources()  # custom resources (CRDs) included
        for kind in sorted(cluster.store.kinds()):
            if kind == "Namespace" or not registry.namespaced(kind):
                continue
            out.extend(cluster.store.list(kind, namespace))
        return out

    def _delete_content(self, cluster: Cluster, ns: Obj) -> None:
        name = meta.name(ns)
        for obj in self._contents(cluster, name):
            if meta.is_deleting(obj):
                continue  # already going: its owner (kubelet, gc, a finalizer) finishes it
            with contextlib.suppress(ApiError):
                cluster.delete(obj["kind"], name, meta.name(obj))
        left = self._contents(cluster, name)
        if not left:
            cluster.store.delete("Namespace", None, name)
            return
        counts: dict[str, int] = {}
        finalizers: dict[str, int] = {}
        for obj in left:
            gr = _group_resource(cluster.api_resources(), obj["kind"])
            counts[gr] = counts.get(gr, 0) + 1
            for f in obj.get("metadata", {}).get("finalizers") or []:
                finalizers[f] = finalizers.get(f, 0) + 1
        remaining = ", ".join(f"{gr} has {n} resource instances" for gr, n in sorted(counts.items()))
        conds = [
            ("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered", "All resources successfully discovered"),
            ("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions", "All legacy kube types successfully parsed"),
            ("NamespaceDeletionContentFailure", "False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
            ("NamespaceContentRemaining", "True", "SomeResourcesRemain", f"Some resources are remaining: {remaining}"),
        ]
        if finalizers:
            fin = ", ".join(f"{f} in {n} resource instances" for f, n in sorted(finalizers.items()))
            conds.append(("NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain",
                          f"Some content in the namespace has finalizers remaining: {fin}"))
        else:
            conds.append(("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers",
                          "All content-preserving finalizers finished"))
        now = rfc3339(cluster.now())

        def write(o: Obj) -> None:
            status = o.setdefault("status", {})
            status["phase"] = "Terminating"
            old = {c.get("type"): c for c in status.get("conditions") or []}
            new = []
            for type_, st, reason, message in conds:
                prev = old.get(type_)
                since = prev.get("lastTransitionTime", now) if prev and prev.get("status") == st else now
                new.append({"type": type_, "status": st, "lastTransitionTime": since,
                            "reason": reason, "message": message})
            status["conditions"] = new
        cluster.store.mutate("Namespace", None, name, write)
