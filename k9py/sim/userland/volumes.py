"""The pod's volumes as directory trees, and where their data lives.

Data that outlives a container lives in ``cluster.state["userland"]``: emptyDir by pod uid (as
long as the pod), PVC-backed volumes by the bound PersistentVolume's name (surviving the pod,
shared by every pod on the claim), hostPath by node and path. ConfigMap, Secret, projected and
downwardAPI volumes are rebuilt from their objects when a container starts (read-only).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.sim.userland.fs import Dir, File

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
SA_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"


def store(cluster: Cluster) -> dict[str, Any]:
    """The userland's state: ``{"pv": {}, "emptydir": {}, "hostpath": {}, "containers": {}, "rr": {}}``."""
    st = cluster.state.setdefault("userland", {})
    for key in ("pv", "emptydir", "hostpath", "containers", "rr"):
        st.setdefault(key, {})
    return st


def _files(items: dict[str, bytes], now: float, mode: int = 0o644) -> Dir:
    root = Dir(mtime=now)
    for path, data in items.items():
        parts = [p for p in path.split("/") if p]
        if not parts:
            continue
        d = root
        for p in parts[:-1]:
            nxt = d.children.setdefault(p, Dir(mtime=now))
            if not isinstance(nxt, Dir):
                break
            d = nxt
        else:
            d.children[parts[-1]] = File(data, mode, now)
    return root


def _key_data(obj: Obj | None, secret: bool) -> dict[str, bytes]:
    if obj is None:
        return {}
    out: dict[str, bytes] = {}
    for k, v in (obj.get("data") or {}).items():
        if secret:
            try:
                out[k] = base64.b64decode(str(v))
            except ValueError:
                out[k] = str(v).encode()
        else:
            out[k] = str(v).encode()
    for k, v in (obj.get("binaryData") or {}).items():
        out[k] = base64.b64decode(str(v))
    if secret:
        for k, v in (obj.get("stringData") or {}).items():
            out[k] = str(v).encode()
    return out


def _select(data: dict[str, bytes], items: Any) -> dict[str, bytes]:
    """``items`` (key → path) pick and rename keys; without them every key is a file."""
    if not items:
        return dict(data)
    out = {}
    for it in items:
        if isinstance(it, dict) and it.get("key") in data:
            out[str(it.get("path") or it["key"])] = data[it["key"]]
    return out


def service_account_token(cluster: Cluster, pod: Obj) -> bytes:
    """A JWT-shaped token (not signed by anything real), stable for the pod."""
    def b64(d: Obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(d, separators=(",", ":")).encode()).decode().rstrip("=")
    ns, sa = meta.namespace(pod), dig(pod, "spec", "serviceAccountName") or "default"
    iat = int(cluster.now())
    claims = {"aud": ["https://kubernetes.default.svc.cluster.local"], "exp": iat + 3607, "iat": iat,
              "iss": "https://kubernetes.default.svc.cluster.local",
              "kubernetes.io": {"namespace": ns, "pod": {"name": meta.name(pod), "uid": meta.uid(pod)},
                                "serviceaccount": {"name": sa}},
              "nbf": iat, "sub": f"system:serviceaccount:{ns}:{sa}"}
    kid = hashlib.sha256(f"{cluster.seed}".encode()).hexdigest()[:43]
    sig = base64.urlsafe_b64encode(hashlib.sha512(b64(claims).encode()).digest()).decode().rstrip("=")
    return f"{b64({'alg': 'RS256', 'kid': kid})}.{b64(claims)}.{sig}".encode()


def field_value(pod: Obj, path: str) -> str:
    """A downward-API ``fieldRef.fieldPath`` of the pod."""
    if path.startswith(("metadata.labels[", "metadata.annotations[")):
        which, _, key = path.partition("[")
        key = key.rstrip("]").strip("'\"")
        src = meta.labels(pod) if which.endswith("labels") else meta.annotations(pod)
        return src.get(key, "")
    if path in ("metadata.labels", "metadata.annotations"):
        src = meta.labels(pod) if path.endswith("labels") else meta.annotations(pod)
        return "\n".join(f'{k}="{v}"' for k, v in sorted(src.items()))
    simple = {"metadata.name": meta.name(pod), "metadata.namespace": meta.namespace(pod),
              "metadata.uid": meta.uid(pod), "spec.nodeName": dig(pod, "spec", "nodeName") or "",
              "spec.serviceAccountName": dig(pod, "spec", "serviceAccountName") or "default",
              "status.podIP": dig(pod, "status", "podIP") or "", "status.hostIP": dig(pod, "status", "hostIP") or ""}
    if path in ("status.podIPs", "status.hostIPs"):
        return ",".join(x.get("ip", "") for x in dig(pod, "status", path.split(".")[1]) or [])
    return simple.get(path, "")


def _projected(cluster: Cluster, pod: Obj, sources: Any) -> dict[str, bytes]:
    ns = meta.namespace(pod)
    out: dict[str, bytes] = {}
    for src in sources or []:
        if not isinstance(src, dict):
            continue
        if "serviceAccountToken" in src:
            out[str(src["serviceAccountToken"].get("path") or "token")] = service_account_token(cluster, pod)
        if "configMap" in src:
            ref = src["configMap"]
            obj = cluster.store.get("ConfigMap", ns, ref.get("name", ""))
            out.update(_select(_key_data(obj, False), ref.get("items")))
        if "secret" in src:
            ref = src["secret"]
            obj = cluster.store.get("Secret", ns, ref.get("name", ""))
            out.update(_select(_key_data(obj, True), ref.get("items")))
        if "downwardAPI" in src:
            out.update(_downward(pod, src["downwardAPI"].get("items")))
    return out


def _downward(pod: Obj, items: Any) -> dict[str, bytes]:
    out = {}
    for it in items or []:
        if isinstance(it, dict) and isinstance(it.get("fieldRef"), dict):
            out[str(it.get("path"))] = field_value(pod, str(it["fieldRef"].get("fieldPath", ""))).encode()
    return out


def volume_tree(cluster: Cluster, pod: Obj, vol: Obj) -> tuple[Dir, bool, str] | None:
    """The directory tree behind one pod volume, whether it is read-only by nature, and the
    device ``df`` names; None for volume types the userland does not model."""
    st = store(cluster)
    now = cluster.now()
    ns = meta.namespace(pod)
    if "configMap" in vol:
        ref = vol["configMap"] or {}
        obj = cluster.store.get("ConfigMap", ns, ref.get("name", ""))
        return _files(_select(_key_data(obj, False), ref.get("items")), now), True, "/dev/vda1"
    if "secret" in vol:
        ref = vol["secret"] or {}
        obj = cluster.store.get("Secret", ns, ref.get("secretName", ""))
        return _files(_select(_key_data(obj, True), ref.get("items")), now, 0o600), True, "tmpfs"
    if "projected" in vol:
        return _files(_projected(cluster, pod, (vol["projected"] or {}).get("sources")), now), True, "tmpfs"
    if "downwardAPI" in vol:
        return _files(_downward(pod, (vol["downwardAPI"] or {}).get("items")), now), True, "/dev/vda1"
    if "emptyDir" in vol:
        key = f"{meta.uid(pod)}/{vol.get('name')}"
        medium = (vol["emptyDir"] or {}).get("medium") == "Memory"
        return st["emptydir"].setdefault(key, Dir(mtime=now)), False, "tmpfs" if medium else "/dev/vda1"
    if "persistentVolumeClaim" in vol:
        claim = (vol["persistentVolumeClaim"] or {}).get("claimName", "")
        pvc = cluster.store.get("PersistentVolumeClaim", ns, claim)
        pv_name = dig(pvc, "spec", "volumeName") if pvc else None
        key = pv_name or f"claim:{ns}/{claim}"
        ro = bool((vol["persistentVolumeClaim"] or {}).get("readOnly"))
        return st["pv"].setdefault(key, Dir(mtime=now)), ro, "/dev/vda1"
    if "hostPath" in vol:
        node, path = str(dig(pod, "spec", "nodeName")), (vol["hostPath"] or {}).get("path", "")
        key = f"{node}:{path}"
        if key not in st["hostpath"] and path.rstrip("/") == "":  # the node's root (kubectl debug node/…)
            from k9py.sim.userland.hostroot import node_root
            st["hostpath"][key] = node_root(cluster, node, now)
        return st["hostpath"].setdefault(key, Dir(mtime=now)), False, "/dev/vda1"
    return None


def pv_data(cluster: Cluster, pv_name: str) -> Dir | None:
    """The files kept on a PersistentVolume (for tests and tools)."""
    return store(cluster)["pv"].get(pv_name)


def forget_pod(cluster: Cluster, uid: str) -> None:
    """Drop what lived as long as a pod (its emptyDirs)."""
    em = store(cluster)["emptydir"]
    for key in [k for k in em if k.startswith(uid + "/")]:
        del em[key]
