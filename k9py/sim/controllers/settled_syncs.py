"""Which syncs of a DaemonSet or StatefulSet can be skipped: one that wrote nothing needs running
again only once something it reads changed. Telling whether its pods did by reading every one of
them (500 per DaemonSet on a 500-node cluster) on every pass cost more than the syncs themselves,
so their changes are heard as they are made instead."""

from __future__ import annotations

from typing import Any

from k9py.sim.follower import Follower
from k9py.sim.store import Change

Obj = dict[str, Any]


class PodsChanged(Follower):
    """Folds every pod change into the uid of its controller before and after it (whatever that
    controller's kind: ``store.controlled_by`` goes by the uid alone); ``take`` hands them over
    and starts afresh."""

    kinds = ("Pod",)

    def __init__(self) -> None:
        super().__init__()
        self._changed: set[str] = set()

    def take(self, store: Any) -> set[str] | None:
        """The controllers' uids whose pods changed since the last ``take``; None when nothing
        was heard before (the first pass, or a new store): every controller counts as changed."""
        if self.follow(store):
            self._changed = set()
            return None
        changed, self._changed = self._changed, set()
        return changed

    def fold(self, change: Change) -> None:
        self._note(change.obj)
        old = change.old
        if old is not None and old["metadata"].get("ownerReferences") is not \
                change.obj["metadata"].get("ownerReferences"):
            self._note(old)  # (the same references: the same controller, noted just now)

    def _note(self, pod: Obj) -> None:
        for ref in pod["metadata"].get("ownerReferences") or ():
            if ref.get("controller"):
                self._changed.add(ref.get("uid") or "")
                return


class SettledSyncs:
    """The settled controllers of one kind: by uid, what the last sync read besides its pods,
    when it wrote nothing (and left nothing to try again). A controller is synced again when
    it reads something else now, or one of its pods changed. Each pass: ``begin``, then
    ``settled``/``synced`` for each controller, then ``end``."""

    def __init__(self) -> None:
        self.idle: dict[str, tuple] = {}
        self.pods = PodsChanged()
        self._changed: set[str] = set()
        self._seen: set[str] = set()

    def begin(self, store: Any, kind: str) -> None:
        """A pass over the controllers of ``kind`` begins. While there is none, no pod change is
        heard (each pod write paid two listeners in a cluster without DaemonSets and
        StatefulSets): the first to come starts the hearing afresh, and every one syncs."""
        if not store.count(kind):
            self.pods.stop()
            self.idle.clear()
            self._changed, self._seen = set(), set()
            return
        changed = self.pods.take(store)
        if changed is None:  # nothing heard before: every one syncs
            self.idle.clear()
            changed = set()
        self._changed, self._seen = changed, set()

    def settled(self, uid: str, read: tuple) -> bool:
        """True: the sync of ``uid``, reading ``read``, would write nothing."""
        self._seen.add(uid)
        return self.idle.get(uid) == read and uid not in self._changed

    def woken(self, uid: str) -> None:
        """Something ``uid``'s sync reads besides its pods and ``read`` changed (a node where it
        should run): it syncs at its next look this pass, as when one of its pods changed."""
        self._changed.add(uid)

    def synced(self, uid: str, read: tuple | None) -> None:
        """Its sync is done: it wrote nothing after reading ``read`` (None: it wrote, or it has
        to try again)."""
        if read is None:
            self.idle.pop(uid, None)
        else:
            self.idle[uid] = read

    def end(self) -> None:
        """Those not seen this pass are gone."""
        for uid in [u for u in self.idle if u not in self._seen]:
            del self.idle[uid]
