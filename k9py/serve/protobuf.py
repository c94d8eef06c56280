"""Decode the protobuf request bodies kubectl's typed clients send (``kubectl create deployment``,
``create namespace|configmap|secret|job|cronjob|serviceaccount|service|quota``, the pods of
``kubectl debug --copy-to`` and ``kubectl debug node/…``).

client-go's clientset encodes built-in types as ``application/vnd.kubernetes.protobuf`` and does
not fall back to JSON, so the server has to read them. The envelope is the magic ``k8s\\0`` and a
``runtime.Unknown`` (typeMeta, raw); ``raw`` is the object in the Go types' protobuf encoding.

The schemas below hold the field numbers of the messages those commands produce (from the API's
``generated.proto``). A field this table does not know makes the decode fail with a clear error
rather than drop data. Zero values of non-pointer fields are dropped, as ``omitempty`` does in JSON.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from k9py.serve.protobuf_core import CORE_V1

Obj = dict[str, Any]
MAGIC = b"k8s\x00"


class ProtobufError(ValueError):
    pass


# A field: (json name, type, flags). Types: "s" string, "b" bool, "i" int, "bytes" (base64 in JSON),
# "q" Quantity, "ios" IntOrString, "time" meta Time, "map" (string→string), "bmap" (string→bytes),
# "qmap" (string→Quantity), "skip" (ignored: status, managedFields), or a message name.
# Flags: "r" repeated, "p" pointer (zero values are kept), "i" an embedded struct JSON inlines.
F = tuple
SCHEMAS: dict[str, dict[int, F]] = {
    "Unknown": {1: ("typeMeta", "TypeMeta", ""), 2: ("raw", "rawbytes", ""), 3: ("contentEncoding", "s", ""),
                4: ("contentType", "s", "")},
    "TypeMeta": {1: ("apiVersion", "s", ""), 2: ("kind", "s", "")},
    "ObjectMeta": {1: ("name", "s", ""), 2: ("generateName", "s", ""), 3: ("namespace", "s", ""),
                   4: ("selfLink", "s", ""), 5: ("uid", "s", ""), 6: ("resourceVersion", "s", ""),
                   7: ("generation", "i", ""), 8: ("creationTimestamp", "time", ""),
                   9: ("deletionTimestamp", "time", ""), 10: ("deletionGracePeriodSeconds", "i", "p"),
                   11: ("labels", "map", ""), 12: ("annotations", "map", ""),
                   13: ("ownerReferences", "OwnerReference", "r"), 14: ("finalizers", "s", "r"),
                   17: ("managedFields", "skip", "")},
    "OwnerReference": {1: ("kind", "s", ""), 3: ("name", "s", ""), 4: ("uid", "s", ""), 5: ("apiVersion", "s", ""),
                       6: ("controller", "b", "p"), 7: ("blockOwnerDeletion", "b", "p")},
    "LabelSelector": {1: ("matchLabels", "map", ""), 2: ("matchExpressions", "LabelSelectorRequirement", "r")},
    "LabelSelectorRequirement": {1: ("key", "s", ""), 2: ("operator", "s", ""), 3: ("values", "s", "r")},
    "ObjectReference": {1: ("kind", "s", ""), 2: ("namespace", "s", ""), 3: ("name", "s", ""), 4: ("uid", "s", ""),
                        5: ("apiVersion", "s", ""), 6: ("resourceVersion", "s", ""), 7: ("fieldPath", "s", "")},
    # core/v1
    "Namespace": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "NamespaceSpec", ""), 3: ("status", "skip", "")},
    "NamespaceSpec": {1: ("finalizers", "s", "r")},
    "ConfigMap": {1: ("metadata", "ObjectMeta", ""), 2: ("data", "map", ""), 3: ("binaryData", "bmap", ""),
                  4: ("immutable", "b", "p")},
    "Secret": {1: ("metadata", "ObjectMeta", ""), 2: ("data", "bmap", ""), 3: ("type", "s", ""),
               4: ("stringData", "map", ""), 5: ("immutable", "b", "p")},
    "ServiceAccount": {1: ("metadata", "ObjectMeta", ""), 2: ("secrets", "ObjectReference", "r"),
                       3: ("imagePullSecrets", "LocalObjectReference", "r"),
                       4: ("automountServiceAccountToken", "b", "p")},
    "Service": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "ServiceSpec", ""), 3: ("status", "skip", "")},
    "ServiceSpec": {1: ("ports", "ServicePort", "r"), 2: ("selector", "map", ""), 3: ("clusterIP", "s", ""),
                    4: ("type", "s", ""), 5: ("externalIPs", "s", "r"), 7: ("sessionAffinity", "s", ""),
                    8: ("loadBalancerIP", "s", ""), 9: ("loadBalancerSourceRanges", "s", "r"),
                    10: ("externalName", "s", ""), 11: ("externalTrafficPolicy", "s", ""),
                    12: ("healthCheckNodePort", "i", ""), 13: ("publishNotReadyAddresses", "b", ""),
                    18: ("clusterIPs", "s", "r"), 19: ("ipFamilies", "s", "r"), 17: ("ipFamilyPolicy", "s", "p"),
                    20: ("allocateLoadBalancerNodePorts", "b", "p"), 21: ("loadBalancerClass", "s", "p"),
                    22: ("internalTrafficPolicy", "s", "p")},
    "ServicePort": {1: ("name", "s", ""), 2: ("protocol", "s", ""), 3: ("port", "i", ""),
                    4: ("targetPort", "ios", ""), 5: ("nodePort", "i", ""), 6: ("appProtocol", "s", "p")},
    "ResourceQuota": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "ResourceQuotaSpec", ""), 3: ("status", "skip", "")},
    "ResourceQuotaSpec": {1: ("hard", "qmap", ""), 2: ("scopes", "s", "r")},
    "PodTemplateSpec": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "PodSpec", "")},
    # apps/v1
    "Deployment": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "DeploymentSpec", ""), 3: ("status", "skip", "")},
    "DeploymentSpec": {1: ("replicas", "i", "p"), 2: ("selector", "LabelSelector", ""), 3: ("template", "PodTemplateSpec", ""),
                       4: ("strategy", "DeploymentStrategy", ""), 5: ("minReadySeconds", "i", ""),
                       6: ("revisionHistoryLimit", "i", "p"), 7: ("paused", "b", ""),
                       9: ("progressDeadlineSeconds", "i", "p")},
    "DeploymentStrategy": {1: ("type", "s", ""), 2: ("rollingUpdate", "RollingUpdateDeployment", "")},
    "RollingUpdateDeployment": {1: ("maxUnavailable", "ios", ""), 2: ("maxSurge", "ios", "")},
    # policy/v1 Eviction (kubectl drain) and meta/v1 DeleteOptions
    "Eviction": {1: ("metadata", "ObjectMeta", ""), 2: ("deleteOptions", "DeleteOptions", "")},
    "DeleteOptions": {1: ("gracePeriodSeconds", "i", "p"), 2: ("preconditions", "Preconditions", ""),
                      3: ("orphanDependents", "b", "p"), 4: ("propagationPolicy", "s", "p"), 5: ("dryRun", "s", "r"),
                      6: ("ignoreStoreReadErrorWithClusterBreakingPotential", "b", "p")},
    "Preconditions": {1: ("uid", "s", "p"), 2: ("resourceVersion", "s", "p")},
    # batch/v1
    "Job": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "JobSpec", ""), 3: ("status", "skip", "")},
    "JobSpec": {1: ("parallelism", "i", "p"), 2: ("completions", "i", "p"), 3: ("activeDeadlineSeconds", "i", "p"),
                4: ("selector", "LabelSelector", ""), 5: ("manualSelector", "b", "p"), 6: ("template", "PodTemplateSpec", ""),
                7: ("backoffLimit", "i", "p"), 8: ("ttlSecondsAfterFinished", "i", "p"), 9: ("completionMode", "s", "p"),
                10: ("suspend", "b", "p"), 14: ("podReplacementPolicy", "s", "p")},
    "CronJob": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "CronJobSpec", ""), 3: ("status", "skip", "")},
    "CronJobSpec": {1: ("schedule", "s", ""), 2: ("startingDeadlineSeconds", "i", "p"), 3: ("concurrencyPolicy", "s", ""),
                    4: ("suspend", "b", "p"), 5: ("jobTemplate", "JobTemplateSpec", ""),
                    6: ("successfulJobsHistoryLimit", "i", "p"), 7: ("failedJobsHistoryLimit", "i", "p"),
                    8: ("timeZone", "s", "p")},
    "JobTemplateSpec": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "JobSpec", "")},
    **CORE_V1,  # Pod, PodSpec, Container … (serve/protobuf_core.py)
}


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if i >= len(data):
            raise ProtobufError("truncated varint")
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7
        if shift > 70:
            raise ProtobufError("varint too long")


def _fields(data: bytes) -> list[tuple[int, int, Any]]:
    out: list[tuple[int, int, Any]] = []
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        num, wire = key >> 3, key & 7
        val: int | bytes
        if wire == 0:
            val, i = _varint(data, i)
        elif wire == 2:
            n, i = _varint(data, i)
            if i + n > len(data):
                raise ProtobufError("truncated field")
            val, i = data[i:i + n], i + n
        elif wire == 1:
            val, i = int.from_bytes(data[i:i + 8], "little"), i + 8
        elif wire == 5:
            val, i = int.from_bytes(data[i:i + 4], "little"), i + 4
        else:
            raise ProtobufError(f"unsupported wire type {wire}")
        out.append((num, wire, val))
    return out


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def _string(v: Any) -> str:
    if not isinstance(v, bytes):
        raise ProtobufError("expected a length-delimited string")
    return v.decode("utf-8")


def _map(v: bytes, value_type: str) -> tuple[str, Any]:
    k, val = "", None
    for num, _, raw in _fields(v):
        if num == 1:
            k = _string(raw)
        elif num == 2:
            val = _scalar(raw, value_type)
    if val is None:
        val = "" if value_type != "q" else "0"
    return k, val


def _scalar(raw: Any, t: str) -> Any:
    import base64

    if t == "s":
        return _string(raw)
    if t == "b":
        return bool(raw)
    if t == "i":
        return _signed(raw)
    if t == "bytes":
        return base64.b64encode(raw).decode()
    if t == "q":  # resource.Quantity: message { optional string string = 1; }
        for num, _, v in _fields(raw):
            if num == 1:
                return _string(v)
        return "0"
    if t == "ios":  # intstr.IntOrString: type (0 int, 1 string), intVal, strVal
        fs = {num: v for num, _, v in _fields(raw)}
        return _string(fs.get(3, b"")) if fs.get(1) == 1 else _signed(fs.get(2, 0))
    if t == "time":  # meta/v1 Time: seconds, nanos
        from datetime import datetime
        fs = {num: v for num, _, v in _fields(raw)}
        secs = _signed(fs.get(1, 0))
        if secs <= 0:
            return None
        return datetime.fromtimestamp(secs, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if t == "rawbytes":
        return raw
    return decode_message(raw, t)


def decode_message(data: bytes, message: str) -> Obj:
    schema = SCHEMAS.get(message)
    if schema is None:
        raise ProtobufError(f"no protobuf schema for {message}")
    out: Obj = {}
    for num, _, raw in _fields(data):
        spec = schema.get(num)
        if spec is None:
            raise ProtobufError(f"field {num} of {message} is not supported in protobuf requests")
        name, t, flags = spec
        if t == "skip":
            continue
        if t in ("map", "bmap", "qmap"):
            k, v = _map(raw, {"map": "s", "bmap": "bytes", "qmap": "q"}[t])
            out.setdefault(name, {})[k] = v
            continue
        if "r" in flags:
            if t in ("i", "b") and isinstance(raw, bytes):  # packed repeated scalars
                vals, i = [], 0
                while i < len(raw):
                    v, i = _varint(raw, i)
                    vals.append(_scalar(v, t))
                out.setdefault(name, []).extend(vals)
            else:
                out.setdefault(name, []).append(_scalar(raw, t))
            continue
        value = _scalar(raw, t)
        if value is None:
            continue
        if "i" in flags:
            out.update(value)
            continue
        if "p" not in flags and value in ("", 0, False) and not isinstance(value, dict):
            continue
        out[name] = value
    return out


def decode(body: bytes) -> Obj:
    """A ``k8s\\0``-framed protobuf body → the API object as a JSON-shaped dict."""
    if not body.startswith(MAGIC):
        raise ProtobufError("missing the k8s protobuf magic prefix")
    unknown = decode_message(body[len(MAGIC):], "Unknown")
    tm = unknown.get("typeMeta") or {}
    kind = tm.get("kind") or ""
    if kind not in SCHEMAS:
        raise ProtobufError(f"{kind or 'this kind'} cannot be sent as protobuf to k9py serve; send JSON (e.g. kubectl create -f)")
    obj = decode_message(unknown.get("raw") or b"", kind)
    return {"apiVersion": tm.get("apiVersion", ""), "kind": kind, **obj}
