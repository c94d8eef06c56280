"""The apiserver's size limits on what it stores.

- ``metadata.annotations``: 256 KiB of keys and values (ValidateAnnotationsSize) — what a large
  ``kubectl apply`` meets first, through its last-applied-configuration annotation;
- a ConfigMap's ``data`` + ``binaryData`` and a Secret's ``data``: 1 MiB (core.MaxSecretSize);
- any object: etcd's request limit, 1.5 MiB (``--max-request-bytes``), refused by etcd itself,
  which the apiserver passes on as a 500 ``etcdserver: request is too large``.

(A request *body* over 3 MiB is refused before decoding: ``serve/api.py``.)

And k9py's own: a workload asks for at most ``MAX_WORKLOAD_PODS`` pods (replicas, a Job's
parallelism), as a scenario file may: the simulator makes every pod asked for, at once.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import msgspec

from k9py.kube.status import ApiError

Obj = dict[str, Any]

ANNOTATIONS_MAX = 256 * 1024
DATA_MAX = 1024 * 1024
ETCD_MAX = 1024 * 1024 + 512 * 1024
MAX_WORKLOAD_PODS = 10_000  # `kubectl scale --replicas=100000000` froze a served simulator
_SCALED = {"Deployment": "replicas", "ReplicaSet": "replicas", "StatefulSet": "replicas",
           "ReplicationController": "replicas", "Job": "parallelism"}


def too_long(n: int) -> str:
    """``field.TooLong``'s message (apimachinery 1.32+)."""
    return f"Too long: may not be more than {n} bytes"


def annotation_causes(md: Obj) -> list[tuple[str, str]]:
    ann = md.get("annotations")
    if not isinstance(ann, dict):
        return []
    size = sum(len(str(k).encode("utf-8", "surrogatepass")) + len(str(v).encode("utf-8", "surrogatepass")) for k, v in ann.items())
    return [("metadata.annotations", too_long(ANNOTATIONS_MAX))] if size > ANNOTATIONS_MAX else []


def _decoded_len(v: Any) -> int:
    try:
        return len(base64.b64decode(str(v), validate=True))
    except (binascii.Error, ValueError):
        return len(str(v))


def data_causes(obj: Obj) -> list[tuple[str, str]]:
    """ConfigMap: the whole object (``[]``, field.NewPath("")); Secret: ``data``."""
    kind = obj.get("kind")
    if kind == "ConfigMap":
        data, binary = obj.get("data"), obj.get("binaryData")
        size = sum(len(str(k).encode("utf-8", "surrogatepass")) + len(str(v).encode("utf-8", "surrogatepass")) for k, v in (data or {}).items()) if isinstance(data, dict) else 0
        if isinstance(binary, dict):
            size += sum(len(str(k).encode("utf-8", "surrogatepass")) + _decoded_len(v) for k, v in binary.items())
        return [("[]", too_long(DATA_MAX))] if size > DATA_MAX else []
    if kind == "Secret":
        data = obj.get("data")
        if not isinstance(data, dict):
            return []
        size = sum(len(str(k).encode("utf-8", "surrogatepass")) + _decoded_len(v) for k, v in data.items())
        return [("data", too_long(DATA_MAX))] if size > DATA_MAX else []
    return []


def scale_causes(obj: Obj) -> list[tuple[str, str]]:
    """A workload's replicas (a Job's parallelism) past ``MAX_WORKLOAD_PODS``."""
    field = _SCALED.get(obj.get("kind", ""))
    spec = obj.get("spec")
    n = spec.get(field) if field and isinstance(spec, dict) else None
    if isinstance(n, int) and not isinstance(n, bool) and n > MAX_WORKLOAD_PODS:
        return [(f"spec.{field}", f"Invalid value: {n}: k9py simulates at most {MAX_WORKLOAD_PODS} pods of one workload")]
    return []


def check_stored_size(obj: Obj) -> None:
    """etcd refuses a value over 1.5 MiB (k9py measures the object's compact JSON, ASCII-escaped
    as ``json.dumps`` writes it)."""
    try:
        utf8 = len(_ENCODER.encode(obj))
    except (TypeError, ValueError, OverflowError):  # what msgspec can't encode (int keys, big ints…)
        utf8 = ETCD_MAX
    if utf8 * 3 <= ETCD_MAX:
        return  # escaping makes a character at most 3x longer than its UTF-8 (\uXXXX for 2 bytes)
    if len(json.dumps(obj, separators=(",", ":"), default=str)) > ETCD_MAX:
        raise ApiError(500, "", "etcdserver: request is too large")


_ENCODER = msgspec.json.Encoder(enc_hook=str)  # compact JSON in C, 5-10x faster than json.dumps
