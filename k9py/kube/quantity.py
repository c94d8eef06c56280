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
# apimachinery's ErrFormatError: every quantity message that names the format says this
ERR_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
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
    if s[-1] in _DECIMAL and not s[-1].isdigit():
        return _capped(_num(s[:-1], q), _DECIMAL[s[-1]])
    return _capped(_num(s, q))


def _capped(d: Decimal, factor: Decimal | int = 1) -> Decimal:
    """``d * factor`` within ±MAX (capped before multiplying: 1e9999999Ki would overflow Decimal)."""
    if d.adjusted() > 40:
        return MAX if d > 0 else -MAX
    d *= factor
    return d if -MAX <= d <= MAX else (MAX if d > 0 else -MAX)


def _num(s: str, original: object) -> Decimal:
    if s.lstrip("+-") in ("", "."):
        return Decimal(0)  # an empty numerator is 0 to Go's parseQuantityString: "Mi", "." and "+"
    if _NUMBER.fullmatch(s):
        try:
            return Decimal(s)
        except InvalidOperation:  # (an exponent past Decimal's own limits)
            pass
    raise ValueError(f"{ERR_FORMAT}: {original!r}")


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


# apimachinery's ParseQuantity errors, as Quantity.UnmarshalJSON returns them to the decoder (the
# apiserver says them with no field: Pod in version "v1" cannot be handled as a Pod: quantities...)
ERR_SUFFIX = "unable to parse quantity's suffix"
_GO_SUFFIXES = frozenset(["", *_DECIMAL, *_BINARY])
_DIGITS = "0123456789"


def go_error(value: object) -> str | None:
    """What apimachinery's ``Quantity.UnmarshalJSON`` says of a JSON value (a string, or a
    number's or other value's text), or None when it takes it (``parseQuantityString`` and the
    suffix lookup, step by step: ``1GB`` and ``512 Mi`` do not match the format, ``192i`` has no
    such suffix)."""
    if value is None:
        return None  # null: the zero quantity
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return ERR_FORMAT  # an object or an array: its text matches no quantity
    if not text:
        return ERR_FORMAT
    if text == "0":
        return None
    pos, end = 0, len(text)
    if text[0] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end and text[pos] == ".":
        pos += 1
        while pos < end and text[pos] in _DIGITS:
            pos += 1
    suffix_start = pos
    while pos < end and text[pos] in "eEinumkKMGTP":
        pos += 1
    if pos < end:
        if text[pos] in "+-":
            pos += 1
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        if pos < end:
            return ERR_FORMAT  # a character past the suffix that no suffix has
    suffix = text[suffix_start:]
    if suffix not in _GO_SUFFIXES:
        exp = suffix[1:]
        if not (len(suffix) > 1 and suffix[0] in "eE" and re.fullmatch(r"[+-]?[0-9]+", exp)
                and -(1 << 63) <= int(exp) < 1 << 63):
            return ERR_SUFFIX
    return None  # (an empty numerator is 0 to Go: "Mi" and "." are zero quantities)


_DEC_SUFFIX = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"}
_BIN_SUFFIX = {0: "", 10: "Ki", 20: "Mi", 30: "Gi", 40: "Ti", 50: "Pi", 60: "Ei"}


def canonical(q: str | int | float) -> str:
    """``resource.Quantity.String()`` of a quantity (as the apiserver writes it back and its
    JSON diffs show it): the format its suffix chose (binary for Ki..Ei unless below 1024 or
    fractional, an ``e`` exponent for one, else decimal SI), the largest exact suffix, nano
    precision rounded up; ValueError if malformed."""
    n = parse(q)
    text = str(q).strip()
    nanos = (n * 10**9).to_integral_value(rounding="ROUND_UP")  # (ParseQuantity's RoundUp to -9)
    if nanos == 0:
        return "0"
    binary = any(text.endswith(s) for s in _BINARY) and not isinstance(q, (int, float))
    if binary and abs(n) >= 1024 and n == n.to_integral_value():
        mantissa, exp = int(n), 0
        while mantissa % 1024 == 0 and exp < 60:
            mantissa //= 1024
            exp += 10
        return f"{mantissa}{_BIN_SUFFIX[exp]}"
    mantissa, exp = int(nanos), -9
    while mantissa % 10 == 0:
        mantissa //= 10
        exp += 1
    while exp % 3:
        mantissa *= 10
        exp -= 1
    exponent_form = not binary and re.search(r"[0-9][eE][+-]?[0-9]+$", text) is not None
    if exponent_form:
        return f"{mantissa}e{exp}" if exp else str(mantissa)
    suffix = _DEC_SUFFIX.get(exp)
    return f"{mantissa}{suffix}" if suffix is not None else f"{mantissa}e{exp}"
