"""CEL's values as ``kube/cel.py`` evaluates them: the types (Python ints are CEL ints, ``UInt``
its uints), cel-go's runtime errors, equality across numeric types, ordering and int64 arithmetic."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
UINT_MAX = 2**64 - 1


class CelError(Exception):
    """An evaluation failed (cel-go's runtime error text)."""


class UInt(int):
    """A CEL ``uint`` (Python ints are CEL ints)."""


@dataclass(frozen=True)
class CelType:
    """A type value (``type(x) == string``)."""

    name: str


TYPES = {n: CelType(n) for n in ("int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type")}


HOST_METHODS: set[str] = set()  # the methods hosts' objects have (``HostObject``s register theirs)


class HostObject:
    """A value the host gives an expression (an ``authorizer``): its fields and methods are its
    own (``cel_field``, ``cel_call``); ``cel_type`` names its type."""

    cel_type = "object"

    def cel_field(self, field: str) -> Any:
        raise CelError(f"no such key: {field}")

    def cel_call(self, name: str, args: list[Any]) -> Any:
        raise CelError(f"no such overload: {self.cel_type}.{name}")


MAX_LENGTH = 10_000_000  # characters, bytes or items a value built by an expression may have


def check_length(n: int) -> None:
    """Refuse to build a string or list of ``n`` (a replace or a concatenation that would take
    gigabytes before the step count noticed)."""
    if n > MAX_LENGTH:
        raise CelError("operation cancelled: actual cost limit exceeded (a value too large to build)")


_TYPE_NAMES: dict[type, str] = {type(None): "null_type", bool: "bool", UInt: "uint", int: "int", float: "double",
                                str: "string", bytes: "bytes", CelType: "type"}


def type_of(v: Any) -> CelType:
    name = _TYPE_NAMES.get(type(v))
    if name is not None:
        return TYPES[name]
    if isinstance(v, list):
        return TYPES["list"]
    if isinstance(v, Mapping):
        return TYPES["map"]
    if isinstance(v, HostObject):
        return CelType(v.cel_type)
    return CelType(getattr(type(v), "cel_type_name", type(v).__name__))


def overload(fn: str, *args: Any) -> CelError:
    names = ", ".join(type_of(a).name for a in args)
    return CelError(f"no such overload: {fn}({names})" if args else f"no such overload: {fn}")


def is_num(v: Any) -> bool:
    t = type(v)
    return t is int or t is float or t is UInt


def int64(v: int) -> int:
    if not INT_MIN <= v <= INT_MAX:
        raise CelError("integer overflow")
    return v


def uint64(v: int) -> UInt:
    if not 0 <= v <= UINT_MAX:
        raise CelError("unsigned integer overflow")
    return UInt(v)


def equal(a: Any, b: Any) -> bool:
    """CEL's (heterogeneous) equality: numbers by value across int/uint/double, lists and maps
    by their elements, other mismatched types unequal."""
    if is_num(a) and is_num(b):
        return bool(a == b)
    ta, tb = type_of(a), type_of(b)
    if ta != tb:
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping):
        if len(a) != len(b):
            return False
        for k, v in a.items():
            other = lookup(b, k)
            if other is MISSING or not equal(v, other):
                return False
        return True
    return bool(a == b)


MISSING = object()


def lookup(m: Mapping[Any, Any], key: Any) -> Any:
    """``m[key]`` as CEL finds it (a numeric key of another type finds an equal one), else MISSING."""
    if type(key) in (list, dict) or isinstance(key, Mapping):
        return MISSING  # (no map key is one)
    if type(key) in (bool, int, UInt):  # (True == 1 in Python: a bool key is no int key, nor the other way)
        want_bool = type(key) is bool
        for k, v in m.items():
            if (type(k) is bool) == want_bool and type(k) in (bool, int, UInt) and k == key:
                return v
        return MISSING
    if key in m:
        return m[key]
    if is_num(key) and type(key) is not bool:  # a numeric key finds an equal numeric key of another type
        for k, v in m.items():
            if is_num(k) and type(k) is not bool and k == key:
                return v
    return MISSING


def compare(op: str, a: Any, b: Any) -> bool:
    ok = (is_num(a) and is_num(b)) or (type(a) is type(b) and type(a) in (str, bytes, bool))
    if not ok:
        raise overload({"<": "_<_", "<=": "_<=_", ">": "_>_", ">=": "_>=_"}[op], a, b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def arith(op: str, a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    name = {"+": "_+_", "-": "_-_", "*": "_*_", "/": "_/_", "%": "_%_"}[op]
    if ta is not tb or ta is bool:
        if op == "+" and isinstance(a, list) and isinstance(b, list):
            return [*a, *b]
        raise overload(name, a, b)
    if ta is int or ta is UInt:
        wrap = int64 if ta is int else uint64
        if op == "+":
            return wrap(a + b)
        if op == "-":
            return wrap(a - b)
        if op == "*":
            return wrap(a * b)
        if b == 0:
            raise CelError("division by zero" if op == "/" else "modulus by zero")
        if ta is int and a == INT_MIN and b == -1:  # (its quotient does not fit: cel-go says so for both)
            raise CelError("integer overflow")
        q = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)  # truncated toward zero, as Go
        return wrap(q) if op == "/" else wrap(a - b * q)
    if ta is float:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:  # IEEE 754, as Go divides doubles
                return math.nan if a == 0 or a != a else math.copysign(math.inf, a) * math.copysign(1.0, b)
            return a / b
        raise overload(name, a, b)
    if op == "+" and ta in (str, bytes, list):
        check_length(len(a) + len(b))
        return a + b
    raise overload(name, a, b)
