"""Kubernetes resource quantities ("100m", "2Gi", "1.5") to numbers and back."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
            "P": Decimal(10**15), "E": Decimal(10**18)}


# apimachinery's ParseQuantity caps every quantity at the largest int64 ("The max is just a
# simple cap"): 1e9999999 is 9223372036854775807, and int() of it never has to build 10**9999999
MAX = Decimal(2**63 - 1)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse(q: str | int | float) -> Decimal:
    """Parse a quantity into a Decimal of base units, capped at ±(2**63 - 1) as apimachinery
    caps it; ValueError if malformed (Infinity and NaN are, as in Go)."""
    if isinstance(q, (int, float)):
        if isinstance(q, float) and not math.isfinite(q):
            raise ValueError(f"quantities must be finite numbers: {q!r}")
        return _capped(Decimal(str(q)))
    s = str(q).strip()
    if not s:
        raise ValueError("empty quantity")
    for suffix in sorted(_BINARY, key=len, reverse=True):
        if s.endswith(suffix):
            return _capped(_num(s[: -len(suffix)], q), _BINARY[suffix])
    if len(s) > 1 and s[-1] in _DECIMAL and not s[-1].isdigit():
        return _capped(_num(s[:-1], q), _DECIMAL[s[-1]])
    return _capped(_num(s, q))


def _capped(d: Decimal, factor: Decimal | int = 1) -> Decimal:
    """``d * factor`` within ±MAX (capped before multiplying: 1e9999999Ki would overflow Decimal)."""
    if d.adjusted() > 40:
        return MAX if d > 0 else -MAX
    d *= factor
    return d if -MAX <= d <= MAX else (MAX if d > 0 else -MAX)


def _num(s: str, original: object) -> Decimal:
    if _NUMBER.fullmatch(s):
        try:
            return Decimal(s)
        except InvalidOperation:  # (an exponent past Decimal's own limits)
            pass
    raise ValueError(f"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {original!r}")


def cpu_millis(q: str | int | float | None) -> int:
    return 0 if q in (None, "") else int(parse(q) * 1000)


def bytes_of(q: str | int | float | None) -> int:
    return 0 if q in (None, "") else int(parse(q))


def format_bytes(b: int) -> str:
    """Largest binary suffix that divides exactly (how apiserver canonicalises)."""
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        unit = _BINARY[suffix]
        if b and b % unit == 0:
            return f"{b // unit}{suffix}"
    return str(b)
