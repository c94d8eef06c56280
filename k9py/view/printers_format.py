"""Formatting primitives the apiserver's printers use (labels, selectors, quantities, times).

Each mirrors a Go helper in kubernetes/kubernetes or apimachinery, named in its docstring, so
the cells we print match the real apiserver character for character.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from k9py.kube import quantity, timefmt

Obj = dict[str, Any]

ZERO_TIME_RFC3339 = "0001-01-01T00:00:00Z"


INVALID = "<invalid>"  # kubectl's word for a value it cannot read (a cell, a selector)


def since(ts: str | None, now: float) -> str:
    """``translateTimestampSince``: HumanDuration of now - ts, ``<unknown>`` when unset."""
    t = timefmt.time_or_none(ts)
    return "<unknown>" if t is None else timefmt.human_duration(now - t)


parse_ts = timefmt.time_or_none  # an RFC 3339 timestamp to epoch seconds; None when unset or malformed


def rfc3339_utc(ts: str | None) -> str:
    """``Time.UTC().Format(time.RFC3339)`` as the default table convertor prints Created At."""
    t = parse_ts(ts)
    if t is None:
        return ZERO_TIME_RFC3339
    return datetime.fromtimestamp(int(t // 1), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_labels(m: dict[str, str] | None) -> str:
    """``labels.FormatLabels``: the ``k=v`` strings sorted whole (as Go's ``labels.Set.String``
    does: ``app.kubernetes.io/x=1`` sorts before ``app=y``), ``<none>`` when empty."""
    if not m:
        return "<none>"
    return ",".join(sorted(f"{k}={v}" for k, v in m.items()))


def labels_by_key(m: dict[str, str] | None) -> str:
    """k9s's LABELS cell (``mapToStr``): ``k=v`` sorted by key (not whole, as ``format_labels``),
    empty when there are none."""
    return ",".join(f"{k}={m[k]}" for k in sorted(m)) if m else ""


def selector_string(sel: Obj | None) -> str:
    """``LabelSelectorAsSelector(sel).String()``: empty for nil/empty selectors.

    Requirements are sorted by key; ``In``/``NotIn`` values are sorted on output.
    """
    if not sel:
        return ""
    reqs: list[tuple[str, str]] = []
    for k, v in (sel.get("matchLabels") or {}).items():
        reqs.append((k, f"{k}={v}"))
    for e in sel.get("matchExpressions") or []:
        key, op = e.get("key", ""), e.get("operator", "")
        values = list(e.get("values") or [])
        vals = values[0] if len(values) == 1 else ",".join(sorted(values))
        if op == "In":
            reqs.append((key, f"{key} in ({vals})"))
        elif op == "NotIn":
            reqs.append((key, f"{key} notin ({vals})"))
        elif op == "Exists":
            reqs.append((key, key))
        elif op == "DoesNotExist":
            reqs.append((key, f"!{key}"))
        else:
            raise ValueError(f"{op!r} is not a valid label selector operator")
    reqs.sort(key=lambda r: r[0])
    return ",".join(r[1] for r in reqs)


def format_label_selector(sel: Obj | None) -> str:
    """``metav1.FormatLabelSelector``: like :func:`selector_string`, ``<none>`` when empty."""
    try:
        s = selector_string(sel)
    except ValueError:
        return "<error>"
    return s or "<none>"


def access_modes(modes: list[str] | None) -> str:
    """``helper.GetAccessModesAsString``: ``RWO,ROX,RWX,RWOP`` in that fixed order."""
    present = set(modes or [])
    order = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"),
             ("ReadWriteOncePod", "RWOP"))
    return ",".join(short for full, short in order if full in present)


def quantity_string(q: Any) -> str:
    """``resource.Quantity.String()``: the canonical form the apiserver stores (``1024Mi`` →
    ``1Gi``); an unset quantity prints ``0``, what is no quantity stays as written."""
    if q is None or q == "":
        return "0"
    try:
        return quantity.canonical(str(q).strip())
    except (ValueError, ArithmeticError):
        return str(q).strip()


_DECIMAL_SUFFIXES = ((18, "E"), (15, "P"), (12, "T"), (9, "G"), (6, "M"), (3, "k"), (0, ""),
                     (-3, "m"), (-6, "u"), (-9, "n"))


def _decimal_si(n: Decimal) -> str | None:
    """DecimalSI canonical form: the largest 10^3k suffix giving an integer mantissa."""
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    n = abs(n)
    for exp, suffix in _DECIMAL_SUFFIXES:
        mant = n / (Decimal(10) ** exp)
        if mant == mant.to_integral_value():
            return f"{sign}{int(mant)}{suffix}"
    return None


def int_or_string(v: Any) -> str:
    """``intstr.IntOrString.String()``."""
    if isinstance(v, bool):
        return str(v).lower()
    return str(v)


def container_cells(containers: list[Obj] | None) -> tuple[str, str]:
    """``layoutContainerCells``: comma-joined container names and images."""
    cs = containers or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def list_with_more(items: list[str], more: bool, count: int, limit: int) -> str:
    """``listWithMoreString``: ``a,b,c + 2 more...``; ``<unset>`` for an empty list."""
    ret = ",".join(items)
    if more:
        return f"{ret} + {count - limit} more..."
    return ret or "<unset>"


def print_bool_ptr(v: Any) -> str:
    """``printBoolPtr``: ``True``/``False``, ``<unset>`` for nil."""
    if v is None:
        return "<unset>"
    return "True" if v else "False"


def lower_group_kind(kind: str, api_version: str) -> str:
    """``strings.ToLower(GroupKind.String())``: ``deployment.apps``, ``pod``."""
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    return (f"{kind}.{group}" if group else kind).lower()
