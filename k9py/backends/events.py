"""What a backend's ``watch()`` yields: typed events, matched with ``match`` by their consumers.

A watch gives its initial list (one ``Listed`` batch, or one ``Added`` per object), then
``Synced()``, then live ``Added`` / ``Modified`` / ``Deleted`` changes. ``StateChanged`` travels
in-band whenever the watch's connection state changes (``connected`` | ``reconnecting`` |
``offline`` | ``forbidden``); a watch that syncs again after a failure is ``connected`` again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Added:
    obj: Obj


@dataclass(frozen=True, slots=True)
class Modified:
    obj: Obj


@dataclass(frozen=True, slots=True)
class Deleted:
    obj: Obj


@dataclass(frozen=True, slots=True)
class Listed:
    """The initial list in one batch: one ``Added`` per object, cheaper for 100k objects.
    ``keyed``: the same objects by (namespace, name) in a new dict, handed over to the informer
    as its cache (a backend that holds them so makes it cheaply, off the event loop when it
    lists in a worker thread); None: keyed from ``objs``."""
    objs: list[Obj]
    keyed: dict[tuple[str, str], Obj] | None = None


@dataclass(frozen=True, slots=True)
class Synced:
    """The end of the initial list (or of a relist)."""


@dataclass(frozen=True, slots=True)
class StateChanged:
    """The watch's connection state: ``connected`` | ``reconnecting`` | ``offline`` | ``forbidden``;
    ``message`` says why ("" when there is nothing to say)."""
    state: str
    message: str = ""


WatchEvent = Added | Modified | Deleted | Listed | Synced | StateChanged
Change = Added | Modified | Deleted

_CHANGES: dict[str, type[Added] | type[Modified] | type[Deleted]] = {
    "ADDED": Added, "MODIFIED": Modified, "DELETED": Deleted}


def change(type_: str, obj: Obj) -> Change:
    """The event for a Kubernetes watch type (``ADDED`` / ``MODIFIED`` / ``DELETED``)."""
    try:
        return _CHANGES[type_](obj)
    except KeyError:
        raise ValueError(f"not a watch change type: {type_!r}") from None


def change_type(ev: Change) -> str:
    """The Kubernetes watch type of a change (recordings and the wire use it)."""
    return "ADDED" if isinstance(ev, Added) else "MODIFIED" if isinstance(ev, Modified) else "DELETED"
