"""Decode the protobuf request bodies kubectl's typed clients send: every built-in kind
(``kubectl create deployment|role|rolebinding|clusterrole|clusterrolebinding|ingress|pdb|
priorityclass|quota|secret|service|job|cronjob|configmap|serviceaccount|namespace|token``,
``autoscale``, ``expose``, ``run``, ``drain``'s evictions, the pods of ``kubectl debug --copy-to``
and ``kubectl debug node/…``, ``auth can-i``'s reviews).

client-go's clientset encodes built-in types as ``application/vnd.kubernetes.protobuf`` and does
not fall back to JSON, so the server has to read them. The envelope is the magic ``k8s\\0`` and a
``runtime.Unknown`` (typeMeta, raw); ``raw`` is the object in the Go types' protobuf encoding.

The schemas hold the field numbers of every message of the served APIs: meta/v1's below by hand,
core/v1's (``protobuf_core.py``) and the named groups' (``protobuf_groups.py``) generated from
k8s.io/api's struct tags by ``tools/protobuf_tables.py``. A field the tables do not know makes the
decode fail with a clear error rather than drop data. Go's protobuf encoding writes every
non-pointer field, zero or not; zero values are dropped where JSON's ``omitempty`` would drop them.
"""

from __future__ import annotations

import base64
import json
import struct
from datetime import UTC, datetime
from typing import Any

from k9py.serve.protobuf_core import CORE_V1
from k9py.serve.protobuf_groups import GROUPS

Obj = dict[str, Any]
MAGIC = b"k8s\x00"


class ProtobufError(ValueError):
    pass


# A field: (json name, type, flags). Types: "s" string, "b" bool, "i" int, "f" float, "bytes" (base64
# in JSON), "q" Quantity, "ios" IntOrString, "time" / "mtime" meta Time / MicroTime, "rawext"
# runtime.RawExtension (JSON inside), "slist" a message of one repeated string (ExtraValue),
# "map" (string→string), "bmap" (string→bytes), "qmap" (string→Quantity), "map:T" (string→T),
# "skip" (ignored: managedFields), or a message name.
# Flags: "r" repeated, "p" pointer (zero values are kept), "i" an embedded struct JSON inlines,
# "k" JSON keeps the zero value (the field has no omitempty).
F = tuple
_META: dict[str, dict[int, F]] = {
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
    "OwnerReference": {1: ("kind", "s", "k"), 3: ("name", "s", "k"), 4: ("uid", "s", "k"), 5: ("apiVersion", "s", "k"),
                       6: ("controller", "b", "p"), 7: ("blockOwnerDeletion", "b", "p")},
    "LabelSelector": {1: ("matchLabels", "map", ""), 2: ("matchExpressions", "LabelSelectorRequirement", "r")},
    "LabelSelectorRequirement": {1: ("key", "s", "k"), 2: ("operator", "s", "k"), 3: ("values", "s", "r")},
    "Condition": {1: ("type", "s", "k"), 2: ("status", "s", "k"), 3: ("observedGeneration", "i", ""),
                  4: ("lastTransitionTime", "time", "k"), 5: ("reason", "s", "k"), 6: ("message", "s", "k")},
    "ListMeta": {1: ("selfLink", "s", ""), 2: ("resourceVersion", "s", ""), 3: ("continue", "s", ""),
                 4: ("remainingItemCount", "i", "p")},
    "FieldSelectorRequirement": {1: ("key", "s", "k"), 2: ("operator", "s", "k"), 3: ("values", "s", "r")},
    "DeleteOptions": {1: ("gracePeriodSeconds", "i", "p"), 2: ("preconditions", "Preconditions", "p"),
                      3: ("orphanDependents", "b", "p"), 4: ("propagationPolicy", "s", "p"), 5: ("dryRun", "s", "r"),
                      6: ("ignoreStoreReadErrorWithClusterBreakingPotential", "b", "p")},
    "Preconditions": {1: ("uid", "s", "p"), 2: ("resourceVersion", "s", "p")},
}
SCHEMAS: dict[str, dict[int, F]] = {
    **_META,
    **CORE_V1,  # every core/v1 message (serve/protobuf_core.py)
    **GROUPS,  # apps/v1.Deployment, rbac.authorization.k8s.io/v1.Role … (serve/protobuf_groups.py)
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
    if not isinstance(data, bytes):
        raise ProtobufError("expected a length-delimited message")
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


def _signed(v: Any) -> int:
    if not isinstance(v, int):
        raise ProtobufError("expected a varint")
    return v - (1 << 64) if v >= 1 << 63 else v


def _string(v: Any) -> str:
    if not isinstance(v, bytes):
        raise ProtobufError("expected a length-delimited string")
    return v.decode("utf-8")


_ZERO_MAP_VALUE: dict[str, Any] = {"s": "", "q": "0", "bytes": "", "i": 0, "b": False}


def _map(v: bytes, value_type: str) -> tuple[str, Any]:
    k, val = "", None
    for num, _, raw in _fields(v):
        if num == 1:
            k = _string(raw)
        elif num == 2:
            val = _scalar(raw, value_type)
    if val is None:
        val = _ZERO_MAP_VALUE.get(value_type, {})
    return k, val


def _time(raw: Any, micro: bool) -> str | None:
    """meta/v1 Time (RFC 3339 to the second) or MicroTime (to the microsecond): seconds, nanos."""
    fs = {num: v for num, _, v in _fields(raw)}
    secs = _signed(fs.get(1, 0))
    if secs <= 0:
        return None
    t = datetime.fromtimestamp(secs, tz=UTC)
    if micro:
        return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{_signed(fs.get(2, 0)) // 1000:06d}Z"
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _scalar(raw: Any, t: str) -> Any:
    if t == "s":
        return _string(raw)
    if t == "b":
        return bool(raw)
    if t == "i":
        return _signed(raw)
    if t == "f":
        return struct.unpack("<d", raw.to_bytes(8, "little"))[0] if isinstance(raw, int) else 0.0
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
    if t in ("time", "mtime"):
        return _time(raw, t == "mtime")
    if t == "rawext":  # runtime.RawExtension: message { optional bytes raw = 1; } holding JSON
        for num, _, v in _fields(raw):
            if num == 1 and v:
                try:
                    return json.loads(v)
                except ValueError:
                    raise ProtobufError("a RawExtension that is not JSON") from None
        return None
    if t == "slist":  # ExtraValue: message { repeated string items = 1; }
        return [_string(v) for num, _, v in _fields(raw) if num == 1]
    if t == "rawbytes":
        return raw
    return decode_message(raw, t)


def _map_value_type(t: str) -> str | None:
    if t in ("map", "bmap", "qmap"):
        return {"map": "s", "bmap": "bytes", "qmap": "q"}[t]
    return t[4:] if t.startswith("map:") else None


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
        value_type = _map_value_type(t)
        if value_type is not None:
            k, v = _map(raw, value_type)
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
        if "p" not in flags and "k" not in flags and value in ("", 0, False) and not isinstance(value, dict):
            continue
        out[name] = value
    return out


def schema_name(api_version: str, kind: str) -> str:
    """The message of a kind: core/v1's by its bare name, the groups' as ``group/version.Kind``."""
    return kind if api_version == "v1" else f"{api_version}.{kind}"


def decode(body: bytes) -> Obj:
    """A ``k8s\\0``-framed protobuf body → the API object as a JSON-shaped dict."""
    if not body.startswith(MAGIC):
        raise ProtobufError("missing the k8s protobuf magic prefix")
    unknown = decode_message(body[len(MAGIC):], "Unknown")
    tm = unknown.get("typeMeta") or {}
    kind, api_version = tm.get("kind") or "", tm.get("apiVersion") or ""
    message = "DeleteOptions" if kind == "DeleteOptions" else schema_name(api_version, kind)
    if not kind or message not in SCHEMAS or (message in _META and message != "DeleteOptions"):
        what = f"{api_version} {kind}".strip() if kind else "this kind"
        raise ProtobufError(f"{what} cannot be sent as protobuf to k9py serve; send JSON (e.g. kubectl create -f)")
    obj = decode_message(unknown.get("raw") or b"", message)
    if obj.get("status") == {}:  # Go writes the zero status of every new object
        del obj["status"]
    return {"apiVersion": api_version, "kind": kind, **obj}
