"""The cyclic garbage collector tuned for a simulator holding a big, acyclic heap.

A cluster of 10,000 pods is about a million tracked containers (API objects are dicts and lists
that die by reference counting), and CPython's default thresholds walk them again and again
while the controllers write: a quarter of a big build went to the collector. Young collections
are spaced out, and after every FREEZE_EVERY store writes what survived is collected once and
frozen out of the collector's sight (``gc.freeze``): later collections walk only what is newer.
Nothing cyclic is frozen uncollected, so nothing leaks.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 20, 100)  # CPython's (700, 10, 10) is tuned for small heaps
FREEZE_EVERY = 50_000  # store writes between two freezes

_writes = 0


def tune() -> None:
    """Space young collections out (never brings them closer than someone else set them)."""
    if gc.get_threshold()[0] < THRESHOLDS[0]:
        gc.set_threshold(*THRESHOLDS)


def wrote(count: int) -> None:
    """A simulator made ``count`` store writes: freeze the heap once enough have piled up."""
    global _writes
    _writes += count
    if _writes >= FREEZE_EVERY:
        _writes = 0
        gc.collect()
        gc.freeze()
