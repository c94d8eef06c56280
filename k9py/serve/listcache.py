"""Sorted list snapshots for paged lists: a page costs O(page), not O(list).

kubectl pages a list with ``limit=500`` and continue tokens; each page would otherwise list the
kind again, match every object and walk to the token. A snapshot is what one list returns (by
namespace/name, selectors applied) for a kind, namespace and selectors, valid while the kind's
resourceVersion (``store.kind_version``) stays; a page bisects its keys to the continue token.
Read and filled under ``cluster.lock``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

Obj = dict[str, Any]
Key = tuple[str, str]

SIZE = 16  # snapshots kept (least recently used go first)


class Snapshot:
    """One list's objects in key order; ``keys`` are computed on the first bisect."""

    def __init__(self, objs: list[Obj], keys: Sequence[Key] | None = None) -> None:
        self.objs = objs
        self._keys: Sequence[Key] | None = keys  # the store's own sorted keys when nothing was filtered

    def start_after(self, key: Key) -> int:
        """The index of the first object whose (namespace, name) is greater than ``key``."""
        if self._keys is None:
            self._keys = [_key(o) for o in self.objs]
        return bisect_right(self._keys, key)


def _key(obj: Obj) -> Key:
    md = obj.get("metadata") or {}
    return (md.get("namespace") or "", md.get("name") or "")


class ListCache:
    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, str | None, str, str], tuple[Any, int, Snapshot]] = OrderedDict()

    def snapshot(self, store: Any, kind: str, namespace: str | None, selectors: tuple[str, str],
                 match: Callable[[Obj], bool] | None) -> Snapshot:
        """What ``store.list(kind, namespace, match)`` returns now; ``selectors`` (label, field)
        name ``match`` (None when both are empty: no match pass at all)."""
        key = (kind, namespace, *selectors)
        version = store.kind_version(kind)
        hit = self._entries.get(key)
        if hit is not None and hit[0] is store and hit[1] == version:
            self._entries.move_to_end(key)
            return hit[2]
        snap = Snapshot(store.list(kind, namespace, match), None if match is not None else store.keys(kind, namespace))
        self._entries[key] = (store, version, snap)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return snap
