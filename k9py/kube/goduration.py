"""Go's ``time.ParseDuration``: the one parser of durations written as Go reads them (a
CronJob's ``@every``, CEL's ``duration()``)."""

from __future__ import annotations

import re

_UNITS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9,
          "h": 3600 * 10**9}
_DURATION_PART = re.compile(r"([0-9]*)((?:\.[0-9]*)?)([^0-9.]*)")
_NS_CAP = 1 << 63  # Go's time.Duration is an int64 of nanoseconds


def parse_ns(text: str) -> int:
    """Go's ``time.ParseDuration`` in nanoseconds (``1m30s``, ``1.5h``, ``300ms``, ``-1s``);
    ValueError in its words (``time: unknown unit "x" in duration "1x"``; ``time: invalid
    duration "99999999999h"`` past an int64 of nanoseconds)."""
    quoted = '"' + text + '"'
    s = text
    neg = False
    if s[:1] in ("-", "+"):
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f"time: invalid duration {quoted}")
    total = 0
    while s:
        m = _DURATION_PART.match(s)
        whole, frac, unit = (m.group(1), m.group(2), m.group(3)) if m else ("", "", "")
        if not whole and len(frac) < 2:
            raise ValueError(f"time: invalid duration {quoted}")  # (no digits: "." or "x")
        v = int(whole or "0")
        if v > _NS_CAP:
            raise ValueError(f"time: invalid duration {quoted}")  # (leadingInt's overflow)
        if not unit:
            raise ValueError(f"time: missing unit in duration {quoted}")
        if unit not in _UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration {quoted}')
        scale = _UNITS[unit]
        if v > _NS_CAP // scale:
            raise ValueError(f"time: invalid duration {quoted}")
        v *= scale
        if len(frac) > 1:
            v += int(frac[1:]) * scale // 10 ** (len(frac) - 1)
            if v > _NS_CAP:
                raise ValueError(f"time: invalid duration {quoted}")
        total += v
        if total > _NS_CAP:
            raise ValueError(f"time: invalid duration {quoted}")
        s = s[len(whole) + len(frac) + len(unit):]
    if not neg and total > _NS_CAP - 1:
        raise ValueError(f"time: invalid duration {quoted}")
    return -total if neg else total
