"""Kubernetes resource quantities ("100m", "2Gi", "1.5") to numbers and back."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
            "P": Decimal(10**15), "E": Decimal(10**18)}


def parse(q: str | int | float) -> Decimal:
    """Parse a quantity into a Decimal of base units; ValueError if malformed."""
    if isinstance(q, (int, float)):
        return Decimal(str(q))
    s = str(q).strip()
    if not s:
        raise ValueError("empty quantity")
    for suffix in sorted(_BINARY, key=len, reverse=True):
        if s.endswith(suffix):
            return _num(s[: -len(suffix)], q) * _BINARY[suffix]
    if len(s) > 1 and s[-1] in _DECIMAL and not s[-1].isdigit():
        return _num(s[:-1], q) * _DECIMAL[s[-1]]
    if "e" in s.lower():
        return _num(s, q)
    return _num(s, q)


def _num(s: str, original: object) -> Decimal:
    try:
        return Decimal(s)
    except InvalidOperation:
        raise ValueError(f"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {original!r}") from None


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
