"""certificates.k8s.io/v1 CertificateSigningRequests: what the apiserver checks and sets.

On create the apiserver records who asked (``spec.username``/``uid``/``groups``/``extra``, whatever
the client sent: ``REQUESTER``, set by the server for the request being handled, else the admin
of a fresh cluster) and accepts no status. Approval (``kubectl certificate approve|deny``, the
``approval`` subresource) adds an ``Approved`` or ``Denied`` condition, never both; conditions
are defaulted (``status: "True"``, ``lastTransitionTime`` from ``lastUpdateTime``). An approved
CSR of a built-in signer is then issued its certificate by the csrsigning controller
(``sim/controllers/csrsigning.py``, with the cluster CA of ``sim/pki.py``).
"""

from __future__ import annotations

import base64
import binascii
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.status import invalid
from k9py.kube.timefmt import rfc3339
from k9py.sim.admission import admits

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

KIND = "CertificateSigningRequest"
# (username, groups, uid, extra) of the request being admitted
Requester = tuple[str, tuple[str, ...], str, dict[str, list[str]]]
REQUESTER: ContextVar[Requester | None] = ContextVar("csr_requester", default=None)
DEFAULT_REQUESTER: Requester = ("kubernetes-admin", ("kubeadm:cluster-admins", "system:authenticated"), "", {})
CONDITION_TYPES = ("Approved", "Denied", "Failed")
KNOWN_USAGES = ("signing", "digital signature", "content commitment", "key encipherment", "key agreement",
                "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
                "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system",
                "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc")
PEM_HEADER = b"-----BEGIN CERTIFICATE REQUEST-----"


def _spec_errors(spec: Obj, errs: list[tuple[str, str]]) -> None:
    request = spec.get("request")
    if not request:
        errs.append(("spec.request", "Required value"))
    else:
        try:
            raw = base64.b64decode(str(request), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if PEM_HEADER not in raw:
            errs.append(("spec.request", "Invalid value: []byte{...}: PEM block type must be CERTIFICATE REQUEST"))
    if not spec.get("signerName"):
        errs.append(("spec.signerName", "Required value"))
    elif "/" not in str(spec["signerName"]):
        errs.append(("spec.signerName", f'Invalid value: "{spec["signerName"]}": must be a fully qualified domain '
                                        "and path of the form 'example.com/signer-name'"))
    usages = spec.get("usages")
    if not usages:
        errs.append(("spec.usages", "Required value"))
    else:
        for i, u in enumerate(usages):
            if u not in KNOWN_USAGES:
                errs.append((f"spec.usages[{i}]", f'Unsupported value: "{u}": supported values: '
                                                  + ", ".join(f'"{k}"' for k in KNOWN_USAGES)))
    seconds = spec.get("expirationSeconds")
    if seconds is not None and (not isinstance(seconds, int) or seconds < 600):
        errs.append(("spec.expirationSeconds", f"Invalid value: {seconds}: may not specify a duration less than 600 seconds (10 minutes)"))


def _conditions(cluster: Cluster, obj: Obj, errs: list[tuple[str, str]]) -> None:
    status = obj.get("status")
    if not isinstance(status, dict):
        return
    conds = status.get("conditions") or []
    seen: set[str] = set()
    now = rfc3339(cluster.now())
    for i, c in enumerate(conds):
        if not isinstance(c, dict):
            errs.append((f"status.conditions[{i}]", "Invalid value: must be an object"))
            continue
        t = c.get("type")
        if not t:
            errs.append((f"status.conditions[{i}].type", "Required value"))
            continue
        if t in seen and t in CONDITION_TYPES:
            errs.append((f"status.conditions[{i}].type", f'Duplicate value: "{t}"'))
        seen.add(t)
        c.setdefault("status", "True")
        if c["status"] not in ("True", "False", "Unknown"):
            errs.append((f"status.conditions[{i}].status", f'Unsupported value: "{c["status"]}": supported values: '
                                                           '"False", "True", "Unknown"'))
        elif t in ("Approved", "Denied") and c["status"] != "True":
            errs.append((f"status.conditions[{i}].status", f'Unsupported value: "{c["status"]}": supported values: "True"'))
        c.setdefault("lastUpdateTime", now)
        c.setdefault("lastTransitionTime", c["lastUpdateTime"])
    if {"Approved", "Denied"} <= seen:
        errs.append(("status.conditions", 'Invalid value: "Denied": Approved and Denied conditions are mutually exclusive'))


@admits(KIND)
def _admit_csr(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    errs: list[tuple[str, str]] = []
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    if old is None:
        user, groups, uid, extra = REQUESTER.get() or DEFAULT_REQUESTER
        spec["username"], spec["groups"] = user, list(groups)
        spec.pop("uid", None)
        spec.pop("extra", None)
        if uid:
            spec["uid"] = uid
        if extra:
            spec["extra"] = {k: list(v) for k, v in extra.items()}
        obj.pop("status", None)
        _spec_errors(spec, errs)
    else:
        if spec != old.get("spec"):
            errs.append(("spec", "Invalid value: field is immutable"))
        for i, (a, b) in enumerate(zip(((old.get("status") or {}).get("conditions") or []),
                                       ((obj.get("status") or {}).get("conditions") or []), strict=False)):
            if isinstance(a, dict) and isinstance(b, dict) and a.get("type") in ("Approved", "Denied") \
                    and a.get("type") != b.get("type"):
                errs.append((f"status.conditions[{i}].type", f'Invalid value: "{b.get("type")}": updates may not '
                                                             f'remove a condition of type "{a.get("type")}"'))
    _conditions(cluster, obj, errs)
    if errs:
        raise invalid(KIND, meta.name(obj), errs)


def approval(old: Obj, sent: Obj) -> Obj:
    """The object an ``approval`` update makes: the stored CSR with the sent status.conditions."""
    new = meta.deep_copy(old)
    conds = (sent.get("status") or {}).get("conditions") if isinstance(sent.get("status"), dict) else None
    new.setdefault("status", {})["conditions"] = meta.deep_copy(conds or [])
    return new
