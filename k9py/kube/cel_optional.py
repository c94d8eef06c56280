"""CEL's optional values, as Kubernetes enables them (1.29+): ``x.?y`` and ``x[?k]`` select
what may be absent, ``optional.of``/``none``/``ofNonZeroValue`` make one, and an optional's
``hasValue()``, ``value()``, ``orValue(default)`` and ``or(other)`` read it. A selection or an
index on an optional applies inside it (``x.?y.z``: none when ``y`` is absent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from k9py.kube.cel_values import CelError, type_of


@dataclass(frozen=True)
class Optional:
    present: bool
    value: Any = None

    def __init__(self, value: Any = None, present: bool = True) -> None:
        object.__setattr__(self, "present", present)
        object.__setattr__(self, "value", value)


NONE = Optional(None, present=False)


def _zero(v: Any) -> bool:
    return v is None or v is False or (v == 0 and type(v) is not bool) or (isinstance(v, (str, bytes, list, dict)) and not v)


OPTIONAL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "of": lambda v: Optional(v),
    "none": lambda: NONE,
    "ofNonZeroValue": lambda v: NONE if _zero(v) else Optional(v),
}


OPTIONAL_METHODS = frozenset({"hasValue", "value", "orValue", "or"})


def optional_method(opt: Optional, name: str, args: list[Any]) -> Any:
    """``opt.name(args)``: the methods an optional has."""
    if name == "hasValue" and not args:
        return opt.present
    if name == "value" and not args:
        if not opt.present:
            raise CelError("optional.none() dereference")
        return opt.value
    if name == "orValue" and len(args) == 1:
        return opt.value if opt.present else args[0]
    if name == "or" and len(args) == 1:
        if type(args[0]) is not Optional:
            raise CelError(f"no such overload: optional.or({type_of(args[0]).name})")
        return opt if opt.present else args[0]
    raise CelError(f"no such overload: optional.{name}")
