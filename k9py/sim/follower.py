"""What a component keeps of the store between its passes, kept up to date by the store's changes
as they are made (``ObjectStore.listen``) instead of read back from its change log.

``ObjectStore.changes_since`` answers None once a pass made more changes than the history keeps
(30,000: building 100,000 pods does so several times), and its reader then looks at every
object again. A ``Follower`` hears every change as it is made, so it never has to.
"""

from __future__ import annotations

from typing import Any, ClassVar

from mypy_extensions import mypyc_attr

from k9py.sim.picklestate import restore, state_of
from k9py.sim.store import Change, Listener


@mypyc_attr(allow_interpreted_subclasses=True)
class Follower:
    """Subclasses say which ``kinds`` they read (None: every kind but ``skip``) and ``fold`` each
    change of those into what they keep; their owner calls ``follow`` at each pass and builds
    what they keep from a full look when it answers True (the first pass, or a new store)."""

    kinds: ClassVar[tuple[str, ...] | None] = None
    skip: ClassVar[tuple[str, ...]] = ()
    statuses: ClassVar[bool] = True  # False: a write of an object's status alone is not heard

    def __getstate__(self) -> dict[str, Any]:  # (the same in either build: sim/picklestate.py)
        return state_of(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore(self, state)

    def __init__(self) -> None:
        self._listener: Listener | None = None

    def follow(self, store: Any) -> bool:
        """Hear ``store``'s changes from now on, unless already; True: it starts now, and the
        caller builds what it keeps from the store as it is."""
        listener = self._listener
        if listener is not None and listener.active and listener.store is store:
            return False
        if listener is not None:
            listener.stop()
        self._listener = store.listen(self.fold, kinds=self.kinds, skip=self.skip, statuses=self.statuses)
        return True

    def stop(self) -> None:
        """Hear no more changes (until ``follow`` again, which then answers True): for an owner
        with nothing to keep for now (no object its passes look at)."""
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def fold(self, change: Change) -> None:  # pragma: no cover - interface
        """Take note of one change (as it is made: never write to the store here)."""
        raise NotImplementedError
