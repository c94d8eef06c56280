"""CEL's timestamps and durations: ``timestamp('2026-01-01T00:00:00Z')`` (RFC 3339, as an API
object's ``creationTimestamp``), ``duration('1h30m')`` (Go's ``time.ParseDuration``), their
arithmetic (timestamp ± duration, timestamp - timestamp, duration ± duration), comparisons,
``string()``/``int()`` of them and their getters (``getHours()``, ``getFullYear()``, … in UTC
or the time zone given). Nanoseconds, as cel-go keeps them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from k9py.kube import goduration
from k9py.kube.cel_values import INT_MAX, INT_MIN, CelError, overload

NS = 1_000_000_000
_MAX_DURATION = 315_576_000_000 * NS  # ±10,000 years: CEL's range for both
_MIN_TS, _MAX_TS = -62_135_596_800 * NS, 253_402_300_799 * NS + NS - 1  # years 1 to 9999


@dataclass(frozen=True)
class Duration:
    ns: int
    cel_type_name = "google.protobuf.Duration"


@dataclass(frozen=True)
class Timestamp:
    ns: int  # since the epoch, UTC
    cel_type_name = "google.protobuf.Timestamp"


TIME_TYPES = (Duration, Timestamp)

_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})")


def _checked_duration(ns: int) -> Duration:
    if not -_MAX_DURATION <= ns <= _MAX_DURATION:
        raise CelError("duration out of range")
    return Duration(ns)


def _checked_timestamp(ns: int) -> Timestamp:
    if not _MIN_TS <= ns <= _MAX_TS:
        raise CelError("timestamp out of range")
    return Timestamp(ns)


def parse_go_duration(text: str) -> int:
    """Go's ``time.ParseDuration`` in nanoseconds: ``1h30m``, ``-1.5s``, ``300ms``, ``0``."""
    return goduration.parse_ns(text)


def _duration(v: Any) -> Duration:
    if type(v) is Duration:
        return v
    if type(v) is not str:
        raise overload("duration", v)
    try:
        return _checked_duration(parse_go_duration(v))
    except ValueError:
        raise CelError(f'invalid duration: time: invalid duration "{v}"') from None


def _timestamp(v: Any) -> Timestamp:
    if type(v) is Timestamp:
        return v
    if type(v) is int:
        return _checked_timestamp(v * NS)
    if type(v) is not str:
        raise overload("timestamp", v)
    m = _RFC3339.fullmatch(v)
    if m is None:
        raise CelError(f'invalid timestamp "{v}"')
    year, month, day, hour, minute, sec, frac, zone = m.groups()
    try:
        dt = datetime(int(year), int(month), int(day), int(hour), int(minute), int(sec), tzinfo=UTC)
    except ValueError:
        raise CelError(f'invalid timestamp "{v}"') from None
    offset = 0 if zone in ("Z", "z") else (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60) * (1 if zone[0] == "+" else -1)
    seconds = int((dt - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()) - offset
    return _checked_timestamp(seconds * NS + int((frac or "0").ljust(9, "0")))


TIME_FUNCTIONS: dict[str, Callable[..., Any]] = {"duration": _duration, "timestamp": _timestamp}


def time_string(v: Duration | Timestamp) -> str:
    """``string()``: a duration in seconds (``3600s``, ``1.5s``), a timestamp as RFC 3339 in UTC."""
    if type(v) is Duration:
        whole, rest = divmod(abs(v.ns), NS)
        text = f"{whole}.{rest:09d}".rstrip("0").rstrip(".") if rest else str(whole)
        return f"{'-' if v.ns < 0 else ''}{text}s"
    seconds, nanos = divmod(v.ns, NS)
    dt = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    frac = f".{nanos:09d}".rstrip("0") if nanos else ""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def time_int(v: Duration | Timestamp) -> int:
    """``int()``: a timestamp's Unix seconds, a duration's nanoseconds."""
    return v.ns // NS if type(v) is Timestamp else v.ns


def time_arith(op: str, a: Any, b: Any) -> Any:
    """``+``/``-`` where a timestamp or a duration takes part."""
    ta, tb = type(a), type(b)
    if op == "+" and ta is Duration and tb is Duration:
        return _checked_duration(a.ns + b.ns)
    if op == "-" and ta is Duration and tb is Duration:
        return _checked_duration(a.ns - b.ns)
    if op == "+" and {ta, tb} == {Timestamp, Duration}:
        return _checked_timestamp(a.ns + b.ns)
    if op == "-" and ta is Timestamp and tb is Duration:
        return _checked_timestamp(a.ns - b.ns)
    if op == "-" and ta is Timestamp and tb is Timestamp:
        return _checked_duration(a.ns - b.ns)
    raise overload({"+": "_+_", "-": "_-_", "*": "_*_", "/": "_/_", "%": "_%_"}.get(op, op), a, b)


def time_compare(op: str, a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        raise overload({"<": "_<_", "<=": "_<=_", ">": "_>_", ">=": "_>=_"}[op], a, b)
    x, y = a.ns, b.ns
    return x < y if op == "<" else x <= y if op == "<=" else x > y if op == ">" else x >= y


TIME_METHODS = frozenset({"getHours", "getMinutes", "getSeconds", "getMilliseconds", "getFullYear", "getMonth",
                          "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear"})


def time_method(v: Duration | Timestamp, name: str, args: list[Any]) -> int:
    """A getter: a duration's whole hours, minutes … (its total in that unit, as cel-go); a
    timestamp's calendar fields in UTC or in ``args[0]`` (``'+05:30'``, ``'UTC'``)."""
    if type(v) is Duration:
        if args or name not in ("getHours", "getMinutes", "getSeconds", "getMilliseconds"):
            raise CelError(f"no such overload: google.protobuf.Duration.{name}")
        unit = {"getHours": 3600 * NS, "getMinutes": 60 * NS, "getSeconds": NS, "getMilliseconds": 1_000_000}[name]
        return int(v.ns / unit)  # (truncated toward zero)
    if name not in TIME_METHODS or len(args) > 1 or (args and type(args[0]) is not str):
        raise CelError(f"no such overload: google.protobuf.Timestamp.{name}")
    offset = _zone_offset(args[0]) if args else 0
    seconds, nanos = divmod(v.ns, NS)
    dt = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds + offset)
    fields = {"getHours": dt.hour, "getMinutes": dt.minute, "getSeconds": dt.second,
              "getMilliseconds": nanos // 1_000_000, "getFullYear": dt.year, "getMonth": dt.month - 1,
              "getDate": dt.day, "getDayOfMonth": dt.day - 1, "getDayOfWeek": (dt.weekday() + 1) % 7,
              "getDayOfYear": dt.timetuple().tm_yday - 1}
    value = fields[name]
    if not INT_MIN <= value <= INT_MAX:
        raise CelError("integer overflow")
    return value


def _zone_offset(zone: str) -> int:
    """Seconds east of UTC for ``UTC``/``Z`` or a ``±HH:MM`` offset (IANA zone names: not known here)."""
    if zone in ("UTC", "Z", "z", "GMT"):
        return 0
    m = re.fullmatch(r"([+-])(\d{2}):(\d{2})", zone)
    if m is None:
        raise CelError(f"unknown time zone: {zone} (k9py knows UTC and ±HH:MM offsets)")
    return (int(m.group(2)) * 3600 + int(m.group(3)) * 60) * (1 if m.group(1) == "+" else -1)
