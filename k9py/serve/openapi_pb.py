"""The OpenAPI v2 document in protobuf: gnostic's ``openapi.v2.Document`` (OpenAPIv2.proto).

What ``/openapi/v2`` answers to ``Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf``
and ``/swagger-2.0.0.pb-v1`` serves: client-go's ``OpenAPISchema()`` (kubectl's v2 fallbacks, Helm 3's
validation) parses it with kube-openapi's ``proto`` package. A hand-written encoder of the few messages a
Swagger 2.0 document of the Kubernetes API uses; the field numbers are gnostic's. Vendor extensions
(``x-kubernetes-group-version-kind`` …) are ``NamedAny`` values holding their YAML (JSON is YAML).
"""

from __future__ import annotations

import json
import struct
from typing import Any

Obj = dict[str, Any]

# What clients ask for (the "@" form) and what the apiserver answers with (a dot: Go's mime parser
# refuses the "@" in a Content-Type); kube-openapi accepts both in Accept.
PROTO_ACCEPT = ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
                "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
PROTO_CONTENT_TYPE = PROTO_ACCEPT[1]


# -- wire format -------------------------------------------------------------------------------------

def _varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _bytes(field: int, data: bytes) -> bytes:
    return _key(field, 2) + _varint(len(data)) + data


def _str(field: int, value: str | None) -> bytes:
    return _bytes(field, value.encode()) if value else b""


def _strs(field: int, values: Any) -> bytes:
    return b"".join(_bytes(field, str(v).encode()) for v in values or ())


def _bool(field: int, value: Any) -> bytes:
    return _key(field, 0) + _varint(1) if value else b""


def _int(field: int, value: Any) -> bytes:
    return _key(field, 0) + _varint(int(value)) if value is not None else b""


def _double(field: int, value: Any) -> bytes:
    return _key(field, 1) + struct.pack("<d", float(value)) if value is not None else b""


def _msg(field: int, data: bytes | None) -> bytes:
    """An embedded message (present even when empty: presence matters for oneofs)."""
    return b"" if data is None else _bytes(field, data)


# -- messages ----------------------------------------------------------------------------------------

def _any(value: Any) -> bytes:  # Any { yaml = 2 }
    return _str(2, json.dumps(value, sort_keys=True))


def _named_any(name: str, value: Any) -> bytes:  # NamedAny { name = 1; value = 2 }
    return _str(1, name) + _msg(2, _any(value))


def _extensions(field: int, obj: Obj) -> bytes:
    return b"".join(_msg(field, _named_any(k, v)) for k, v in obj.items() if k.startswith("x-"))


def schema(s: Obj) -> bytes:
    """openapi.v2.Schema."""
    out = [_str(1, s.get("$ref")), _str(2, s.get("format")), _str(3, s.get("title")), _str(4, s.get("description"))]
    if "default" in s:
        out.append(_msg(5, _any(s["default"])))
    out += [_double(7, s.get("maximum")), _double(9, s.get("minimum")), _int(11, s.get("maxLength")),
            _int(12, s.get("minLength")), _str(13, s.get("pattern")), _int(14, s.get("maxItems")),
            _int(15, s.get("minItems")), _bool(16, s.get("uniqueItems")), _strs(19, s.get("required"))]
    out += [_msg(20, _any(v)) for v in s.get("enum", ())]
    ap = s.get("additionalProperties")
    if isinstance(ap, dict):  # AdditionalPropertiesItem { oneof { Schema schema = 1; bool boolean = 2 } }
        out.append(_msg(21, _msg(1, schema(ap))))
    elif isinstance(ap, bool):
        out.append(_msg(21, _key(2, 0) + _varint(int(ap))))
    t = s.get("type")
    if t:
        out.append(_msg(22, _strs(1, [t] if isinstance(t, str) else t)))  # TypeItem { repeated value = 1 }
    items = s.get("items")
    if isinstance(items, dict):
        out.append(_msg(23, _msg(1, schema(items))))  # ItemsItem { repeated Schema schema = 1 }
    out += [_msg(24, schema(a)) for a in s.get("allOf", ())]
    props = s.get("properties")
    if props:  # Properties { repeated NamedSchema additional_properties = 1 }
        out.append(_msg(25, b"".join(_msg(1, _str(1, k) + _msg(2, schema(v))) for k, v in props.items())))
    out += [_bool(27, s.get("readOnly")), _extensions(31, s)]
    return b"".join(out)


def _parameter(p: Obj) -> bytes:
    """ParametersItem { Parameter parameter = 1 } → Parameter { body = 1 | non_body = 2 }."""
    where = p.get("in", "query")
    if where == "body":
        body = (_str(1, p.get("description")) + _str(2, p.get("name")) + _str(3, where) + _bool(4, p.get("required"))
                + _msg(5, schema(p.get("schema") or {})) + _extensions(6, p))
        return _msg(1, _msg(1, body))
    # NonBodyParameter oneof: header = 1, formData = 2, query = 3, path = 4. Query/formData carry
    # allow_empty_value = 5 and so number every later field one higher than header/path.
    which = {"header": 1, "formData": 2, "query": 3, "path": 4}.get(where, 3)
    shift = 1 if which in (2, 3) else 0
    sub = (_bool(1, p.get("required")) + _str(2, where) + _str(3, p.get("description")) + _str(4, p.get("name"))
           + _str(5 + shift, p.get("type")) + _str(6 + shift, p.get("format"))
           + _bool(19 + shift, p.get("uniqueItems")) + _extensions(22 + shift, p))
    return _msg(1, _msg(2, _msg(which, sub)))


def _operation(op: Obj) -> bytes:
    out = [_strs(1, op.get("tags")), _str(2, op.get("summary")), _str(3, op.get("description")),
           _str(5, op.get("operationId")), _strs(6, op.get("produces")), _strs(7, op.get("consumes"))]
    out += [_msg(8, _parameter(p)) for p in op.get("parameters", ())]
    codes = []
    for code, r in (op.get("responses") or {}).items():  # NamedResponseValue { name; ResponseValue { Response = 1 } }
        resp = _str(1, r.get("description"))
        if isinstance(r.get("schema"), dict):
            resp += _msg(2, _msg(1, schema(r["schema"])))  # SchemaItem { Schema schema = 1 }
        codes.append(_msg(1, _str(1, code) + _msg(2, _msg(1, resp))))
    out += [_msg(9, b"".join(codes)), _strs(10, op.get("schemes")), _bool(11, op.get("deprecated")),
            _extensions(13, op)]
    return b"".join(out)


_METHODS = {"get": 2, "put": 3, "post": 4, "delete": 5, "options": 6, "head": 7, "patch": 8}


def _path_item(item: Obj) -> bytes:
    out = [_msg(n, _operation(item[m])) for m, n in _METHODS.items() if m in item]
    out += [_msg(9, _parameter(p)) for p in item.get("parameters", ())]
    return b"".join(out) + _extensions(10, item)


def document(doc: Obj) -> bytes:
    """openapi.v2.Document from a Swagger 2.0 document (a JSON-shaped dict)."""
    info = doc.get("info") or {}
    out = [_str(1, doc.get("swagger", "2.0")),
           _msg(2, _str(1, info.get("title")) + _str(2, info.get("version")) + _str(3, info.get("description"))),
           _str(3, doc.get("host")), _str(4, doc.get("basePath")), _strs(5, doc.get("schemes")),
           _strs(6, doc.get("consumes")), _strs(7, doc.get("produces"))]
    paths = b"".join(_msg(2, _str(1, p) + _msg(2, _path_item(item))) for p, item in (doc.get("paths") or {}).items())
    out.append(_msg(8, paths))
    defs = b"".join(_msg(1, _str(1, n) + _msg(2, schema(s))) for n, s in (doc.get("definitions") or {}).items())
    out.append(_msg(9, defs))
    out.append(_extensions(16, doc))
    return b"".join(out)
