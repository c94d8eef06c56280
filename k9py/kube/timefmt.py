"""Timestamps (RFC 3339) and kubectl's human durations."""

from __future__ import annotations

import functools
import math
from datetime import UTC, datetime


def rfc3339(t: float) -> str:
    return _rfc3339_second(int(t))


@functools.lru_cache(maxsize=1024)  # a simulator stamps thousands of writes with one second
def _rfc3339_second(t: int) -> str:
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_nano(t: float) -> str:
    dt = datetime.fromtimestamp(t, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{round((t % 1) * 1e9) % 1_000_000_000:09d}Z"


def rfc3339_micro(t: float) -> str:
    dt = datetime.fromtimestamp(t, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(s: str | None) -> float | None:
    """An RFC 3339 timestamp as seconds since the epoch; None for none. ValueError when ``s`` is
    not one (a wrong string, or not a string at all: a recording or a server may hold anything)."""
    if not s:
        return None
    if type(s) is str:
        return _parse_str(s)
    raise ValueError(f"not a timestamp: {s!r}")


def time_or_none(s: object) -> float | None:
    """``parse_time`` for what is shown: None for no timestamp and for one that is not."""
    if not s or type(s) is not str:
        return None
    try:
        return _parse_str(s)
    except ValueError:
        return None


@functools.lru_cache(maxsize=8192)  # the same few timestamps are read over and over (ages, expiry, availability)
def _parse_str(s: str) -> float:
    return _parse(s)


def _parse(s: str) -> float:
    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    # Python < 3.11 can't take nanoseconds; trim to microseconds.
    if "." in s:
        head, rest = s.split(".", 1)
        frac = "".join(c for c in rest if c.isdigit())
        tz = rest[len(frac):]
        s = f"{head}.{frac[:6]}{tz}"
    return datetime.fromisoformat(s).timestamp()


def human_duration(seconds: float) -> str:
    """kubectl's ``duration.HumanDuration`` (k8s.io/apimachinery/pkg/util/duration)."""
    d = int(seconds)
    if d < -1:
        return "<invalid>"
    if d < 0:
        return "0s"
    if d < 60 * 2:
        return f"{d}s"
    minutes = d // 60
    if minutes < 10:
        s = d % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = d // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def age(created: str | None, now: float) -> str:
    t = parse_time(created)
    return "<unknown>" if t is None else human_duration(now - t)


def parse_duration(s: str) -> float:
    """'90s', '5m', '1h30m', '2.5s' or a bare number of seconds; ValueError otherwise."""
    s = str(s).strip()
    if not s:
        raise ValueError("empty duration")
    try:
        seconds = float(s)
    except ValueError:
        pass
    else:  # Go's ParseDuration knows no nan, inf or 1e400 (a NaN written into a recording is no JSON)
        if not math.isfinite(seconds):
            raise ValueError(f"invalid duration {s!r}: must be a finite number")
        return seconds
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    total, num = 0.0, ""
    i = 0
    while i < len(s):
        c = s[i]
        if c in "0123456789.":  # (ASCII: Go's; str.isdigit takes ³, which float() refuses)
            num += c
            i += 1
            continue
        unit = "ms" if s[i:i + 2] == "ms" else c
        if unit not in units or not num:
            raise ValueError(f"invalid duration {s!r}")
        total += float(num) * units[unit]
        num = ""
        i += len(unit)
    if num:
        raise ValueError(f"invalid duration {s!r} (missing unit)")
    if not math.isfinite(total):
        raise ValueError(f"invalid duration {s!r}: must be a finite number")
    return total
