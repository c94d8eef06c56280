"""The apiserver's 422 for a patch whose result does not decode (handlers/patch.go): a
strategic merge patch is converted map → typed object by runtime's unstructured converter, and
its error names the patch map as Go's ``%+v`` prints it; a merge or JSON patch is decoded from
the patched document, and its error names that document. Either way ``NewInvalid`` with an
empty kind and name, which kubectl prints as ``The request is invalid: patch: Invalid value: …``."""

from __future__ import annotations

import json
import math
from typing import Any

from k9py.kube.status import ApiError
from k9py.serve.go_types import value_and_go_type


def go_sprint(value: Any) -> str:
    """``fmt.Sprintf("%+v", v)`` of a decoded JSON value (maps sorted by key, strings bare)."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value, key=str)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:  # (apimachinery's decoder made it an int64)
            return str(int(value))
        return repr(value) if math.isfinite(value) else ("+Inf" if value > 0 else "-Inf" if value < 0 else "NaN")
    return str(value)


def patch_invalid(value: str, error: str) -> ApiError:
    """``errors.NewInvalid(schema.GroupKind{}, "", {field.Invalid(patch, value, error)})``."""
    message = f"Invalid value: {json.dumps(value, ensure_ascii=False)}: {error}"
    return ApiError(422, "Invalid", f' "" is invalid: patch: {message}',
                    causes=[{"reason": "FieldValueInvalid", "message": message, "field": "patch"}])


def patched_document(obj: Any) -> str:
    """The patched object as the JSON the merge and JSON patch libraries write (compact, keys
    sorted: their documents are maps)."""
    return json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


_SIMPLE = ("string", "bool", "float64", "float32")


def convert_error(group: str, version: str, kind: str, path: str, obj: Any) -> str | None:
    """runtime.DefaultUnstructuredConverter's error for the value at ``path`` of ``obj`` (a
    patched ``kind``), or None when the schema data cannot say (or Go would take it)."""
    found = value_and_go_type(group, version, kind, path, obj)
    if found is None:
        return None
    value, go = found
    if value is None:
        return None  # (nil sets the zero value)
    source = _go_kind(value)
    if go.startswith("[]"):
        return None if source == "slice" or (go == "[]uint8" and source == "string") else f"cannot restore slice from {source}"
    if go.startswith("map["):
        return None if source == "map" else f"cannot restore map from {source}"
    integer = go.startswith(("int", "uint"))
    if not (integer or go in _SIMPLE):
        return None if source == "map" else f"cannot restore struct from: {source}"
    if source == go or (source == "int64" and (integer or go.startswith("float"))):
        return None  # (an int64 into an int32 is converted, whatever its size)
    if source == "float64" and (go.startswith("float") or (integer and float(value).is_integer())):
        return None
    convertible = (source == "int64" and go == "string") or (source == "float64" and integer)
    if convertible:  # Go converts them, the converter's switch does not take them
        return f"cannot convert {source} to {go}"
    return f"unrecognized type: {go}"


def _go_kind(value: Any) -> str:
    """reflect.Kind of a value apimachinery's JSON decoder makes (integers as int64)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map"
    return "slice"
