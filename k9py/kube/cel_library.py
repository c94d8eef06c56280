"""CEL's functions: the standard ones (``size``, conversions, ``type``, ``matches``, ``contains``,
``startsWith``, ``endsWith``) and Kubernetes' string and list libraries (``lowerAscii``, ``split``,
``join``, ``isSorted``, ``sum`` …), by name (``FUNCTIONS``) and as methods (``METHODS``)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from k9py.kube.cel_time import TIME_TYPES, time_int, time_string
from k9py.kube.cel_values import (
    INT_MIN,
    CelError,
    CelType,
    UInt,
    arith,
    check_length,
    equal,
    int64,
    is_num,
    overload,
    type_of,
    uint64,
)
from k9py.kube.regex import compile_re2


def _size(v: Any) -> int:
    if type(v) in (str, bytes) or isinstance(v, (list, Mapping)):
        return len(v)
    raise overload("size", v)


_GO_INT = re.compile(r"[+-]?[0-9]+")
_GO_UINT = re.compile(r"\+?[0-9]+")
_GO_FLOAT = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI]nf(?:inity)?|NaN|nan)")


def go_float(v: float) -> str:
    """Go's ``fmt.Sprintf("%g", v)``, as cel-go's ``string(double)``: the shortest digits, with an
    exponent below 1e-4 or from 1e6 on (``1.0`` is ``1``, ``100000``, ``1e+06``, ``1e-05``)."""
    if v != v:
        return "NaN"
    if v in (math.inf, -math.inf):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "-0" if math.copysign(1.0, v) < 0 else "0"
    sign, digits, exp = Decimal(repr(v)).normalize().as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + int(exp)  # where the decimal point falls in the digits
    lead = "-" if sign else ""
    x = point - 1
    if x < -4 or x >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{lead}{mantissa}e{'-' if x < 0 else '+'}{abs(x):02d}"
    if point <= 0:
        return f"{lead}0.{'0' * -point}{text}"
    if point >= len(text):
        return f"{lead}{text}{'0' * (point - len(text))}"
    return f"{lead}{text[:point]}.{text[point:]}"


def _to_int(v: Any) -> int:
    t = type(v)
    if t is int or t is UInt:
        return int64(int(v))
    if t in TIME_TYPES:
        return time_int(v)
    if t is float:
        if v != v or not INT_MIN <= v < 2.0**63:
            raise CelError("range error converting double to int")
        return int(v)
    if t is str:
        if not _GO_INT.fullmatch(v):  # strconv.ParseInt: no underscores, no spaces (Python's int takes both)
            raise CelError(f"cannot convert '{v}' to int")
        return int64(int(v, 10))
    raise overload("int", v)


def _to_uint(v: Any) -> UInt:
    t = type(v)
    if t is int or t is UInt:
        return uint64(int(v))
    if t is float:
        if v != v or not 0 <= v < 2.0**64:
            raise CelError("range error converting double to uint")
        return UInt(int(v))
    if t is str:
        if not _GO_UINT.fullmatch(v):
            raise CelError(f"cannot convert '{v}' to uint")
        return uint64(int(v, 10))
    raise overload("uint", v)


def _to_double(v: Any) -> float:
    t = type(v)
    if t in (int, UInt, float):
        return float(v)
    if t is str:
        if not _GO_FLOAT.fullmatch(v):  # strconv.ParseFloat's decimal forms (Python's float takes 1_0 and spaces)
            raise CelError(f"cannot convert '{v}' to double")
        return float(v)
    raise overload("double", v)


def _to_string(v: Any) -> str:
    t = type(v)
    if t is str:
        return v
    if t in TIME_TYPES:
        return time_string(v)
    if t is bool:
        return "true" if v else "false"
    if t in (int, UInt):
        return str(int(v))
    if t is float:
        return go_float(v)
    if t is bytes:
        try:
            return v.decode("utf-8")
        except UnicodeDecodeError:
            raise CelError("invalid UTF-8 in bytes, cannot convert to string") from None
    raise overload("string", v)


def _to_bool(v: Any) -> bool:
    if type(v) is bool:
        return v
    if type(v) is str:
        if v in ("1", "t", "T", "true", "TRUE", "True"):
            return True
        if v in ("0", "f", "F", "false", "FALSE", "False"):
            return False
        raise CelError(f"type conversion error from 'string' to 'bool': {v}")
    raise overload("bool", v)


def _to_bytes(v: Any) -> bytes:
    if type(v) is bytes:
        return v
    if type(v) is str:
        return v.encode()
    raise overload("bytes", v)


def _regex(pattern: Any) -> Any:
    """``pattern`` compiled by RE2, as cel-go's ``matches`` compiles it: linear time whatever the
    pattern and the text (Python's engine backtracks: ``a.*a.*a.*b`` took seconds on a short
    string, under the server's lock), no lookaround, no backreferences."""
    if type(pattern) is not str:
        raise overload("matches", pattern)
    try:
        return compile_re2(pattern)
    except ValueError as e:
        raise CelError(f"invalid regex: error parsing regexp: {e}") from None


def _str(fn: str, *vals: Any) -> None:
    if any(type(v) is not str for v in vals):
        raise overload(fn, *vals)


def _matches(s: Any, pattern: Any) -> bool:
    _str("matches", s, pattern)
    return _regex(pattern).matches(s)


def _contains(s: Any, sub: Any) -> bool:
    _str("contains", s, sub)
    return sub in s


def _starts(s: Any, p: Any) -> bool:
    _str("startsWith", s, p)
    return bool(s.startswith(p))


def _ends(s: Any, p: Any) -> bool:
    _str("endsWith", s, p)
    return bool(s.endswith(p))


def _lower(s: Any) -> str:
    _str("lowerAscii", s)
    return "".join(c.lower() if c.isascii() else c for c in s)


def _upper(s: Any) -> str:
    _str("upperAscii", s)
    return "".join(c.upper() if c.isascii() else c for c in s)


def _trim(s: Any) -> str:
    _str("trim", s)
    return str(s).strip()


def _split(s: Any, sep: Any, n: Any = -1) -> list[str]:
    _str("split", s, sep)
    if type(n) is not int:
        raise overload("split", s, sep, n)
    if n == 0:
        return []
    if sep == "":
        chars = list(s)
        return chars if n < 0 or n >= len(chars) else [*chars[:n - 1], "".join(chars[n - 1:])]
    return list(s.split(sep, -1 if n < 0 else n - 1))


def _join(items: Any, sep: Any = "") -> str:
    if not isinstance(items, list) or type(sep) is not str or any(type(x) is not str for x in items):
        raise overload("join", items, sep)
    check_length(sum(map(len, items)) + len(sep) * max(len(items) - 1, 0))
    return str(sep).join(items)


def _replace(s: Any, old: Any, new: Any, n: Any = -1) -> str:
    _str("replace", s, old, new)
    if type(n) is not int:
        raise overload("replace", s, old, new, n)
    times = s.count(old) if old else len(s) + 1
    check_length(len(s) + (times if n < 0 else min(times, n)) * max(len(new) - len(old), 0))
    return str(s).replace(old, new, n)


def _index_of(s: Any, sub: Any, offset: Any = 0) -> int:
    if isinstance(s, list):
        return next((i for i, x in enumerate(s) if equal(x, sub)), -1)
    _str("indexOf", s, sub)
    if type(offset) is not int or not 0 <= offset <= len(s):
        raise CelError(f"index out of range: {offset}")
    return int(s.find(sub, offset))


def _last_index_of(s: Any, sub: Any, offset: Any = None) -> int:
    if isinstance(s, list):
        return next((i for i in range(len(s) - 1, -1, -1) if equal(s[i], sub)), -1)
    _str("lastIndexOf", s, sub)
    end = len(s) if offset is None else offset
    if type(end) is not int or not 0 <= end <= len(s):
        raise CelError(f"index out of range: {offset}")
    return int(s.rfind(sub, 0, end + len(sub)))


def _substring(s: Any, start: Any, end: Any = None) -> str:
    _str("substring", s)
    stop = len(s) if end is None else end
    if type(start) is not int or type(stop) is not int or not 0 <= start <= stop <= len(s):
        raise CelError(f"index out of range: {start if type(start) is int and not 0 <= start <= len(s) else stop}")
    return str(s[start:stop])


def _char_at(s: Any, i: Any) -> str:
    _str("charAt", s)
    if type(i) is not int or not 0 <= i <= len(s):
        raise CelError(f"index out of range: {i}")
    return str(s[i:i + 1])


def _list_of(fn: str, v: Any) -> list[Any]:
    if not isinstance(v, list):
        raise overload(fn, v)
    return v


def _comparable(fn: str, items: list[Any]) -> None:
    if items and not (all(is_num(x) and type(x) is not bool for x in items)
                      or all(type(x) is type(items[0]) and type(x) in (str, bytes, bool) for x in items)):
        raise overload(fn, items)


def _is_sorted(v: Any) -> bool:
    items = _list_of("isSorted", v)
    _comparable("isSorted", items)
    return all(items[i] <= items[i + 1] for i in range(len(items) - 1))


def _sum(v: Any) -> Any:
    items = _list_of("sum", v)
    if not items:
        return 0
    total = items[0]
    for x in items[1:]:
        total = arith("+", total, x)
    if not is_num(total) or type(total) is bool:
        raise overload("sum", v)
    return total


def _extreme(fn: str, pick: Callable[[list[Any]], Any]) -> Callable[[Any], Any]:
    def extreme(v: Any) -> Any:
        items = _list_of(fn, v)
        if not items:
            raise CelError(f"{fn} called on empty list")
        _comparable(fn, items)
        return pick(items)
    return extreme


_min, _max = _extreme("min", min), _extreme("max", max)


def _type(v: Any) -> CelType:
    return type_of(v)


def _dyn(v: Any) -> Any:
    return v


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "size": _size, "int": _to_int, "uint": _to_uint, "double": _to_double, "string": _to_string,
    "bool": _to_bool, "bytes": _to_bytes, "type": _type, "dyn": _dyn, "matches": _matches,
}
METHODS: dict[str, Callable[..., Any]] = {
    "size": _size, "matches": _matches, "contains": _contains, "startsWith": _starts, "endsWith": _ends,
    "lowerAscii": _lower, "upperAscii": _upper, "trim": _trim, "split": _split, "join": _join,
    "replace": _replace, "indexOf": _index_of, "lastIndexOf": _last_index_of, "substring": _substring,
    "charAt": _char_at, "isSorted": _is_sorted, "sum": _sum, "min": _min, "max": _max,
}
