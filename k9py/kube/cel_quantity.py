"""Kubernetes' CEL quantity library: ``quantity('500m')``, ``isQuantity(s)`` and a quantity's
``compareTo``, ``isLessThan``, ``isGreaterThan``, ``add``, ``sub``, ``asInteger``,
``asApproximateFloat``, ``isInteger`` and ``sign`` (what a policy capping containers' resources
uses: ``quantity(c.resources.limits.memory).compareTo(quantity('1Gi')) <= 0``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from k9py.kube import quantity as kq
from k9py.kube.cel_values import INT_MAX, INT_MIN, CelError, overload


@dataclass(frozen=True, eq=False)
class Quantity:
    amount: Decimal
    text: str

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:  # equal amounts are equal quantities: 1k == 1000
        return isinstance(other, Quantity) and self.amount == other.amount

    def __hash__(self) -> int:
        return hash(self.amount)


def _quantity(v: Any) -> Quantity:
    if type(v) is not str:
        raise overload("quantity", v)
    try:
        return Quantity(kq.parse(v), v)
    except ValueError as e:
        raise CelError(f"{e}") from None


def _is_quantity(v: Any) -> bool:
    if type(v) is not str:
        raise overload("isQuantity", v)
    try:
        kq.parse(v)
    except ValueError:
        return False
    return True


QUANTITY_FUNCTIONS: dict[str, Callable[..., Any]] = {"quantity": _quantity, "isQuantity": _is_quantity}


def _other(name: str, q: Quantity, args: list[Any]) -> Decimal:
    if len(args) != 1:
        raise overload(f"quantity.{name}", *args)
    v = args[0]
    if type(v) is Quantity:
        return v.amount
    if type(v) is int and name in ("add", "sub"):
        return Decimal(v)
    raise overload(f"quantity.{name}", v)


def _made(amount: Decimal) -> Quantity:
    text = str(amount.normalize()) if amount == amount.to_integral_value() else str(amount)
    return Quantity(amount, text.replace("E+", "e"))


QUANTITY_METHODS = frozenset({"compareTo", "isLessThan", "isGreaterThan", "add", "sub", "sign", "isInteger",
                              "asInteger", "asApproximateFloat"})


def quantity_method(q: Quantity, name: str, args: list[Any]) -> Any:
    """``q.name(args)``."""
    if name == "compareTo":
        other = _other(name, q, args)
        return (q.amount > other) - (q.amount < other)
    if name == "isLessThan":
        return q.amount < _other(name, q, args)
    if name == "isGreaterThan":
        return q.amount > _other(name, q, args)
    if name == "add":
        return _made(q.amount + _other(name, q, args))
    if name == "sub":
        return _made(q.amount - _other(name, q, args))
    if args:
        raise overload(f"quantity.{name}", *args)
    if name == "sign":
        return (q.amount > 0) - (q.amount < 0)
    if name == "isInteger":
        return q.amount == q.amount.to_integral_value() and INT_MIN <= q.amount <= INT_MAX
    if name == "asInteger":
        if q.amount != q.amount.to_integral_value() or not INT_MIN <= q.amount <= INT_MAX:
            raise CelError("cannot convert value to integer")
        return int(q.amount)
    if name == "asApproximateFloat":
        return float(q.amount)
    raise CelError(f"no such overload: quantity.{name}")
