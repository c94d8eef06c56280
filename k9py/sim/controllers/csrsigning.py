"""kube-controller-manager's csrsigning controllers (pkg/controller/certificates/signer): an approved
CertificateSigningRequest for one of the built-in signers gets ``status.certificate``, signed with
the cluster CA (``sim/pki.py``); one its signer refuses (wrong usages, a kubelet certificate's
subject) gets a ``Failed`` condition (``SignerValidationFailure``) and no certificate. Other signers'
requests are left alone, approved but not issued, as without their signer."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.timefmt import rfc3339
from k9py.sim import pki
from k9py.sim.certificates import KIND
from k9py.sim.controllers.base import Controller

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

CLIENT = "kubernetes.io/kube-apiserver-client"
KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet"
KUBELET_SERVING = "kubernetes.io/kubelet-serving"
LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown"
SIGNERS = (CLIENT, KUBELET_CLIENT, KUBELET_SERVING, LEGACY_UNKNOWN)
NODE_PREFIX = "system:node:"


def _client_usages(usages: list[str]) -> str | None:
    """validAPIServerClientUsages: client auth, optionally digital signature and key encipherment."""
    for u in usages:
        if u not in ("digital signature", "key encipherment", "client auth"):
            return f"invalid usage for client certificate: {u}"
    if "client auth" not in usages:
        return "missing required usage for client certificate: client auth"
    return None


def _kubelet(request: bytes, usages: list[str], serving: bool) -> str | None:
    """ValidateKubeletClientCSR / ValidateKubeletServingCSR."""
    cn, orgs = pki.csr_subject(request)
    sans = pki.csr_has_sans(request)
    if orgs != ["system:nodes"]:
        return "subject organization is not system:nodes"
    if serving:
        if not sans["dns"] and not sans["ip"]:
            return "DNS or IP subjectAltName is required"
    else:
        if sans["dns"]:
            return "DNS subjectAltNames are not allowed"
        if sans["ip"]:
            return "IP subjectAltNames are not allowed"
    if sans["email"]:
        return "Email subjectAltNames are not allowed"
    if sans["uri"]:
        return "URI subjectAltNames are not allowed"
    if not cn.startswith(NODE_PREFIX):
        return f"subject common name does not begin with {NODE_PREFIX}"
    last = "server auth" if serving else "client auth"
    if set(usages) not in ({"digital signature", "key encipherment", last}, {"digital signature", last}):
        return f"usages did not match [{' '.join(sorted(['digital signature', 'key encipherment', last]))}]"
    return None


def _refusal(signer: str, request: bytes, usages: list[str]) -> str | None:
    if signer == CLIENT:
        return _client_usages(usages)
    if signer in (KUBELET_CLIENT, KUBELET_SERVING):
        return _kubelet(request, usages, signer == KUBELET_SERVING)
    return None  # legacy-unknown: no restrictions


def _types(obj: Obj) -> set[str]:
    status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
    return {str(c.get("type")) for c in (status or {}).get("conditions") or [] if isinstance(c, dict)}


class CSRSigningController(Controller):
    name = "csrsigning"
    watches = (KIND,)

    def reconcile(self, cluster: Cluster) -> None:
        for obj in cluster.store.list(KIND):
            spec = obj.get("spec") or {}
            signer = spec.get("signerName")
            types = _types(obj)
            if signer not in SIGNERS or "Approved" not in types or types & {"Denied", "Failed"} \
                    or (obj.get("status") or {}).get("certificate"):
                continue
            try:
                request = base64.b64decode(str(spec.get("request") or ""), validate=True)
                usages = [str(u) for u in spec.get("usages") or []]
                refused = _refusal(str(signer), request, usages)
                cert = None if refused else pki.sign(cluster, request, usages, spec.get("expirationSeconds"))
            except (binascii.Error, ValueError):
                continue  # the controller logs "unable to parse csr" and retries: never issued
            status = meta.deep_copy(obj.get("status") or {})
            if refused:
                now = rfc3339(cluster.now())
                status.setdefault("conditions", []).append(
                    {"type": "Failed", "status": "True", "reason": "SignerValidationFailure", "message": refused,
                     "lastUpdateTime": now, "lastTransitionTime": now})
            else:
                assert cert is not None
                status["certificate"] = base64.b64encode(cert).decode()
            cluster.store.write_status(KIND, None, meta.name(obj), status)
