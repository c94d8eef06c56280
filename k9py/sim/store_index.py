"""The object store's indexes: keys by kind and namespace, by controller and by owner uid, by
label (for the kinds somebody looked up by one), and sorted key lists cached until the
membership they cover changes. They hold keys, never objects, so a write that replaces an
object without moving it touches no index."""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

Obj = dict[str, Any]
Key = tuple[str, ...]  # (namespace, name); not tuple[str, str]: compiled, that is boxed again for every set or dict it goes into
EDITS_BEFORE_SORT = 256  # inserting into a kept sorted list costs a memmove: past this many, sort once
FullKey = tuple[str, ...]  # (kind, namespace, name)
# Kinds nobody looks up by their own uid or as "controlled by nobody": Events, five a pod, the
# most numerous objects by far (~10 MB of index at 10,000 pods). Those with ownerReferences (rare)
# are still indexed by owner and controller, so the garbage collector finds them.
UNINDEXED_KINDS = frozenset({"Event"})


_NO_METADATA: Obj = {}  # read only: no dict made per call


def unindex(index: dict[Any, set[Any]], at: Any, member: Any) -> None:
    """Take ``member`` out of the set ``index[at]``; the set goes with its last member (an index
    by label value, node or claim would otherwise keep every one it ever saw)."""
    members = index.get(at)
    if members is not None:
        members.discard(member)
        if not members:
            del index[at]


def _refs(obj: Obj | None) -> list[Obj]:
    if obj is None:
        return []
    return obj.get("metadata", _NO_METADATA).get("ownerReferences") or []


def _uid(obj: Obj) -> str:
    return obj.get("metadata", _NO_METADATA).get("uid") or ""


def controller_uid_of(obj: Obj) -> str:
    """The uid of ``obj``'s controller ("" for none)."""
    return _controller_uid(_refs(obj))


def _controller_uid(refs: list[Obj]) -> str:
    for ref in refs:
        if ref.get("controller"):
            return ref.get("uid") or ""
    return ""


class StoreIndex:
    def __init__(self) -> None:
        self._by_ns: dict[str, dict[str, set[Key]]] = {}  # kind -> namespace -> keys
        self._sorted: dict[tuple[str, str | None], tuple[Key, ...]] = {}  # (kind, ns or None for all) -> keys
        # the same keys as a sorted list, kept up to date by insertion for a while once asked for:
        # after a few changes the next ask copies it instead of sorting every key again
        self._order: dict[tuple[str, str | None], list[Key]] = {}
        self._edits: dict[tuple[str, str | None], int] = {}  # edits of a kept order since it was last asked for
        # the kinds whose sorted keys were asked for: the others have nothing cached to edit (Events,
        # a few a pod, that nobody lists while they come)
        self._asked: set[str] = set()
        self._by_controller: dict[tuple[str, str], set[Key]] = {}  # (kind, controller uid or "") -> keys
        # the same keys sorted, once asked for, until one comes or goes (controllers ask every pass)
        self._controlled_sorted: dict[tuple[str, str], tuple[Key, ...]] = {}
        self._by_owner: dict[str, set[FullKey]] = {}  # any owner's uid -> what references it
        # an object's own uid -> it (a set only in the rare case of several: a replay reusing one)
        self._by_uid: dict[str, FullKey | set[FullKey]] = {}
        # kind -> (label, value) -> keys; kept from the first look-up of a kind by a label on
        # (a kind nobody asks this of costs its writes nothing)
        self._by_label: dict[str, dict[tuple[str, str], set[Key]]] = {}

    # -- maintenance (the store calls these on every change of membership or ownership) ------
    def add(self, kind: str, key: Key, obj: Obj) -> None:
        # no setdefault(k, set()): a bulk load (a replay's 40,000 objects) would make and drop a set each
        by_ns = self._by_ns.get(kind)
        if by_ns is None:
            by_ns = self._by_ns[kind] = {}
        keys = by_ns.get(key[0])
        if keys is None:
            keys = by_ns[key[0]] = set()
        keys.add(key)
        if kind in self._asked:
            self._edit((kind, None), key, True)
            self._edit((kind, key[0]), key, True)
        self._identify(kind, key, obj, True)
        labelled = self._by_label.get(kind)
        if labelled is not None:
            _label(labelled, key, _labels(obj), True)

    def remove(self, kind: str, key: Key, obj: Obj) -> None:
        by_ns = self._by_ns.get(kind)
        if by_ns is not None:
            unindex(by_ns, key[0], key)
        if kind in self._asked:
            self._edit((kind, None), key, False)
            self._edit((kind, key[0]), key, False)
        self._identify(kind, key, obj, False)
        labelled = self._by_label.get(kind)
        if labelled is not None:
            _label(labelled, key, _labels(obj), False)

    def _identify(self, kind: str, key: Key, obj: Obj, add: bool) -> None:
        """Index (``add``) or unindex ``obj`` by its owners, its controller and its own uid."""
        refs = _refs(obj)
        unindexed = kind in UNINDEXED_KINDS
        if refs or not unindexed:
            (self._own if add else self._disown)(kind, key, refs)
        if unindexed:
            return
        if add:
            self._add_uid(_uid(obj), (kind, *key))
        else:
            self._drop_uid(kind, key, obj)

    def _edit(self, ck: tuple[str, str | None], key: Key, add: bool) -> None:
        """``key`` came (``add``) or went: the cached tuple goes, a kept order is edited (or
        dropped after EDITS_BEFORE_SORT edits nobody asked for: sorting again is cheaper then)."""
        self._sorted.pop(ck, None)
        order = self._order.get(ck)
        if order is None:
            return
        edits = self._edits.get(ck, 0) + 1
        if edits > EDITS_BEFORE_SORT:
            del self._order[ck]
            self._edits.pop(ck, None)
            return
        self._edits[ck] = edits
        i = bisect_left(order, key)
        present = i < len(order) and order[i] == key
        if add and not present:
            order.insert(i, key)
        elif not add and present:
            del order[i]

    def replaced(self, kind: str, key: Key, old: Obj, new: Obj) -> None:
        omd, nmd = old.get("metadata", _NO_METADATA), new.get("metadata", _NO_METADATA)
        labelled = self._by_label.get(kind)
        if labelled is not None:
            old_labels, new_labels = _labels(old), _labels(new)
            if old_labels is not new_labels and old_labels != new_labels:
                _label(labelled, key, old_labels, False)
                _label(labelled, key, new_labels, True)
        if omd.get("ownerReferences") is nmd.get("ownerReferences") and omd.get("uid") is nmd.get("uid"):
            return  # the usual write (a status, a label): neither its owners nor its uid moved
        old_refs, new_refs = _refs(old), _refs(new)
        unindexed = kind in UNINDEXED_KINDS
        if old_refs != new_refs:
            if old_refs or not unindexed:
                self._disown(kind, key, old_refs)
            if new_refs or not unindexed:
                self._own(kind, key, new_refs)
        if not unindexed and _uid(old) != _uid(new):  # a replayed object (put_verbatim) may come back under a new uid
            self._drop_uid(kind, key, old)
            self._add_uid(_uid(new), (kind, *key))

    def _add_uid(self, uid: str, full: FullKey) -> None:
        held = self._by_uid.get(uid)
        if held is None:
            self._by_uid[uid] = full
        elif isinstance(held, set):
            held.add(full)
        elif held != full:
            self._by_uid[uid] = {held, full}

    def _drop_uid(self, kind: str, key: Key, obj: Obj) -> None:
        uid, full = _uid(obj), (kind, *key)
        held = self._by_uid.get(uid)
        if isinstance(held, set):
            held.discard(full)
            if len(held) == 1:
                self._by_uid[uid] = next(iter(held))
            elif not held:
                del self._by_uid[uid]
        elif held == full:
            del self._by_uid[uid]

    def _own(self, kind: str, key: Key, refs: list[Obj]) -> None:
        ck = (kind, _controller_uid(refs))
        keys = self._by_controller.get(ck)
        if keys is None:
            keys = self._by_controller[ck] = set()
        keys.add(key)
        if self._controlled_sorted:
            self._controlled_sorted.pop(ck, None)
        for ref in refs:
            uid = ref.get("uid") or ""
            owned = self._by_owner.get(uid)
            if owned is None:
                owned = self._by_owner[uid] = set()
            owned.add((kind, *key))

    def _disown(self, kind: str, key: Key, refs: list[Obj]) -> None:
        ck = (kind, _controller_uid(refs))
        unindex(self._by_controller, ck, key)
        if self._controlled_sorted:
            self._controlled_sorted.pop(ck, None)
        for ref in refs:
            unindex(self._by_owner, ref.get("uid") or "", (kind, *key))

    # -- queries -------------------------------------------------------------------------------
    def sorted_keys(self, kind: str, namespace: str | None, all_keys: Any) -> tuple[Key, ...]:
        """Keys of ``kind`` (in ``namespace``) in (namespace, name) order; ``all_keys``: the
        kind's bucket, sorted when no namespace is asked for."""
        ck = (kind, namespace or None)
        keys = self._sorted.get(ck)
        if keys is None:
            self._asked.add(kind)
            order = self._order.get(ck)
            if order is None:
                src = all_keys if not namespace else self._by_ns.get(kind, {}).get(namespace, ())
                order = self._order[ck] = sorted(src)
            self._edits.pop(ck, None)
            keys = self._sorted[ck] = tuple(order)
        return keys

    def controlled(self, kind: str, uid: str) -> set[Key]:
        """Keys of ``kind`` whose controller ownerReference has ``uid`` ("" for none)."""
        return self._by_controller.get((kind, uid), set())

    def controlled_sorted(self, kind: str, uid: str) -> tuple[Key, ...]:
        """``controlled`` in (namespace, name) order, sorted once per change of its members."""
        ck = (kind, uid)
        keys = self._controlled_sorted.get(ck)
        if keys is None:
            members = self._by_controller.get(ck)
            if not members:
                return ()  # (not kept: an entry for every owner ever asked about would pile up)
            keys = self._controlled_sorted[ck] = tuple(sorted(members))
        return keys

    def owned(self, uid: str) -> set[FullKey]:
        """(kind, namespace, name) of every object with an ownerReference to ``uid``."""
        return self._by_owner.get(uid, set())

    def labelled(self, kind: str, label: str, value: str, bucket: Any) -> set[Key]:
        """Keys of ``kind`` whose label ``label`` is ``value`` (read only); ``bucket``: the
        kind's objects by key, indexed on the kind's first look-up."""
        index = self._by_label.get(kind)
        if index is None:
            index = self._by_label[kind] = {}
            for key, obj in bucket.items():
                _label(index, key, _labels(obj), True)
        return index.get((label, value)) or _NO_KEYS

    def with_uid(self, uid: str) -> set[FullKey]:
        """(kind, namespace, name) of the objects whose own uid is ``uid``."""
        held = self._by_uid.get(uid)
        if held is None:
            return set()
        return set(held) if isinstance(held, set) else {held}


_NO_KEYS: set[Key] = set()  # read only


def _labels(obj: Obj) -> Any:
    md = obj.get("metadata")
    return md.get("labels") if isinstance(md, dict) else None


def _label(index: dict[tuple[str, str], set[Key]], key: Key, labels: Any, add: bool) -> None:
    """Index (``add``) or unindex ``key`` under each of ``labels``. Only string values: a
    selector's value is a string, and no other value equals it."""
    if not isinstance(labels, dict):
        return
    for item in labels.items():
        if type(item[0]) is not str or type(item[1]) is not str:
            continue
        if not add:
            unindex(index, item, key)
        elif (keys := index.get(item)) is None:
            index[item] = {key}
        else:
            keys.add(key)
