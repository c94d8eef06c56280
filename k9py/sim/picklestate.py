"""What the simulator's objects pickle as (the demo snapshot, ``scenario/snapshot.py``): a dict
of their attributes, read back attribute by attribute, in either build of its core.

Compiled (``k9py/native.py``), a class keeps its declared attributes in fields, not in a
``__dict__``, and a subclass written in Python keeps its own in a ``__dict__`` besides; as
Python source, a dataclass with slots has no ``__dict__`` either. Pickle's own ways differ
between these (mypyc's default state leaves out a Python subclass's ``__dict__``, a slots class
expects its slots' state in a tuple), so a snapshot written by one build could not be read by
the other. The classes that cross that line take their state from here."""

from __future__ import annotations

from typing import Any


def state_of(obj: Any) -> dict[str, Any]:
    """Every attribute ``obj`` has, by name."""
    out: dict[str, Any] = {}
    names: list[str] = list(getattr(type(obj), "__mypyc_attrs__", ()))
    for cls in type(obj).__mro__:
        names.extend(getattr(cls, "__slots__", ()))
    for name in names:
        if name in ("__dict__", "__weakref__") or name in out:
            continue
        try:
            out[name] = getattr(obj, name)
        except AttributeError:
            continue  # (never set)
    out.update(getattr(obj, "__dict__", None) or {})
    return out


def restore(obj: Any, state: dict[str, Any]) -> None:
    for name, value in state.items():
        setattr(obj, name, value)
