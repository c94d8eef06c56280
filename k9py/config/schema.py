"""A small strict schema for the user's YAML files: each field's type and range, unknown keys
refused with a close name suggested, every problem a ``ConfigError`` naming the file, the line and
the dotted field (``config.yaml:7: k9py.ui.skn: unknown key (did you mean skin?)``)."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any

from k9py.config.yamlfile import ConfigDoc, as_bool, type_name

Path_ = list[str | int]


class Spec:
    """One field's rule. ``ignored``: a k9s key k9py accepts (and type-checks) but does not use."""

    ignored: bool = False

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


def _wrong(doc: ConfigDoc, where: Path_, want: str, value: Any) -> Exception:
    return doc.error(where, f"must be {want}, not {type_name(value)}")


@dataclass
class Bool(Spec):
    ignored: bool = False

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> bool:
        flag = as_bool(value)
        if flag is None:
            raise _wrong(doc, where, "true or false", value)
        return flag

    def describe(self) -> str:
        return "boolean"


@dataclass
class Int(Spec):
    lo: int | None = None
    hi: int | None = None
    ignored: bool = False
    also: tuple[int, ...] = ()  # values allowed outside the range (k9s: sinceSeconds -1)

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong(doc, where, "an integer", value)
        if value in self.also:
            return value
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise doc.error(where, f"{value} is out of range ({self.describe()})")
        return value

    def describe(self) -> str:
        extra = "".join(f"{a} or " for a in self.also)
        if self.lo is not None and self.hi is not None:
            return f"{extra}{self.lo} to {self.hi}"
        if self.lo is not None:
            return f"{extra}{self.lo} or more"
        return "integer"


@dataclass
class Number(Spec):
    lo: float | None = None  # inclusive
    above: float | None = None  # exclusive lower bound
    hi: float | None = None
    ignored: bool = False

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _wrong(doc, where, "a number", value)
        if not math.isfinite(value):  # .inf, .nan: numbers to YAML
            raise doc.error(where, f"{value} is out of range ({self.describe()}, finite)")
        if (self.lo is not None and value < self.lo) or (self.above is not None and value <= self.above) \
                or (self.hi is not None and value > self.hi):
            raise doc.error(where, f"{value} is out of range ({self.describe()})")
        return float(value)

    def describe(self) -> str:
        low = f"at least {self.lo:g}" if self.lo is not None else f"more than {self.above:g}" if self.above is not None else ""
        high = f"at most {self.hi:g}" if self.hi is not None else ""
        return ", ".join(p for p in (low, high) if p) or "number"


@dataclass
class Str(Spec):
    choices: tuple[str, ...] = ()
    ignored: bool = False
    empty: bool = True  # "" allowed

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> str:
        if not isinstance(value, str):
            raise _wrong(doc, where, "a string", value)
        if self.choices and value not in self.choices:
            raise doc.error(where, f"{value!r}: must be one of {', '.join(self.choices)}")
        if not self.empty and not value.strip():
            raise doc.error(where, "must not be empty")
        return value

    def describe(self) -> str:
        return " | ".join(self.choices) if self.choices else "string"


@dataclass
class Duration(Spec):
    """Seconds: a number or a duration (``90s``, ``30m``, ``2h``), above ``lo``."""

    lo: float = 0.0
    ignored: bool = False
    hi: float = math.inf

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> float:
        from k9py.kube.timefmt import parse_duration

        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _wrong(doc, where, "a duration (30m, 2h)", value)
        try:
            seconds = float(value) if not isinstance(value, str) else parse_duration(value)
        except ValueError:
            raise doc.error(where, f"{value!r} is not a duration (30m, 2h, 90s)") from None
        if not math.isfinite(seconds) or seconds <= self.lo:
            raise doc.error(where, f"{value!r} is out of range (more than {self.lo:g}s)")
        if seconds > self.hi:
            raise doc.error(where, f"{value!r} is out of range (at most {self.hi:g}s)")
        return seconds

    def describe(self) -> str:
        return "duration"


SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
              "ki": 1024, "kib": 1024, "mi": 1024**2, "mib": 1024**2, "gi": 1024**3, "gib": 1024**3}


def parse_size(text: str) -> int:
    """``200MB``, ``1.5GiB``, ``500Mi``, ``1048576`` → bytes; ValueError otherwise."""
    t = text.strip().lower().replace(" ", "")
    num = t.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = t[len(num):]
    if not num or unit not in SIZE_UNITS:
        raise ValueError(text)
    value = float(num) * SIZE_UNITS[unit]
    if not math.isfinite(value):
        raise ValueError(text)
    return int(value)


@dataclass
class Size(Spec):
    """Bytes: a number or a size (``200MB``, ``1GiB``), at least ``lo``."""

    lo: int = 1
    ignored: bool = False

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _wrong(doc, where, "a size (200MB, 1GiB)", value)
        try:
            n = parse_size(str(value))
        except ValueError:
            raise doc.error(where, f"{value!r} is not a size (200MB, 1GiB, 500Mi)") from None
        if n < self.lo:
            raise doc.error(where, f"{value!r} is out of range (at least {self.lo} bytes)")
        return n

    def describe(self) -> str:
        return "size"


@dataclass
class StrList(Spec):
    ignored: bool = False

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise _wrong(doc, where, "a list of strings", value)
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise _wrong(doc, [*where, i], "a string", item)
        return list(value)

    def describe(self) -> str:
        return "list of strings"


@dataclass
class StrMap(Spec):
    """A mapping of strings to strings (labels; limits). ``values``: a spec for every value."""
    values: Spec | None = None
    ignored: bool = False

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise _wrong(doc, where, "a mapping", value)
        out: dict[str, Any] = {}
        for k, v in value.items():
            if self.values is not None:
                out[k] = self.values.check(doc, v, [*where, k])
            elif isinstance(v, bool) or not isinstance(v, str | int | float):
                raise _wrong(doc, [*where, k], "a string", v)
            else:
                out[k] = str(v)
        return out

    def describe(self) -> str:
        return "mapping"


@dataclass
class Anything(Spec):
    """Accepted as it is (a k9s structure k9py ignores, e.g. imageScans' exclusions)."""
    ignored: bool = True

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> Any:
        return value

    def describe(self) -> str:
        return "any"


@dataclass
class Map(Spec):
    fields: dict[str, Spec] = field(default_factory=dict)
    ignored: bool = False

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> dict[str, Any]:
        """The mapping with every known field checked (missing ones absent); unknown keys refused."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise _wrong(doc, where, "a mapping", value)
        out: dict[str, Any] = {}
        for key, item in value.items():
            spec = self.fields.get(key)
            if spec is None:
                raise doc.error([*where, key], unknown_key(key, list(self.fields)))
            if item is None and not isinstance(spec, Map | StrList | StrMap | Anything):
                continue  # `key:` with no value: the default (as k9s's YAML decoder does)
            out[key] = spec.check(doc, item, [*where, key])
        return out

    def describe(self) -> str:
        return "mapping"


@dataclass
class ListOf(Spec):
    item: Spec = field(default_factory=Anything)
    ignored: bool = False

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise _wrong(doc, where, "a list", value)
        return [self.item.check(doc, v, [*where, i]) for i, v in enumerate(value)]

    def describe(self) -> str:
        return "list"


def unknown_key(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6) or \
        [k for k in known if k.lower() == key.lower()]
    if close:
        return f"unknown key (did you mean {close[0]}?)"
    return f"unknown key (known here: {', '.join(sorted(known))})"


def ignored_keys(spec: Map, prefix: str = "") -> list[str]:
    """The dotted names of every field marked ignored under ``spec`` (for the docs and tests)."""
    out: list[str] = []
    for name, sub in spec.fields.items():
        dotted = f"{prefix}{name}"
        if sub.ignored:
            out.append(dotted)
        elif isinstance(sub, Map):
            out += ignored_keys(sub, dotted + ".")
    return out
