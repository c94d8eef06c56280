"""The cyclic garbage collector tuned for a simulator holding a big, acyclic heap.

A cluster of 10,000 pods is millions of tracked containers (API objects are dicts and lists that
die by reference counting), and CPython's default thresholds (700, 10, 10) run a young collection
every 700 allocations while the controllers write: a quarter of a big build went to the
collector. Spaced out, collections cost a tenth of that. (Freezing the heap now and then, as the
UI does after a big load, measured no better here: the store's old versions die by reference
counting before a full collection comes.)
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 20, 100)


def tune() -> None:
    """Space collections out (never brings them closer than someone else set them)."""
    if gc.get_threshold()[0] < THRESHOLDS[0]:
        gc.set_threshold(*THRESHOLDS)
