"""The cyclic GC tuned for a long-lived app over a big, mostly acyclic heap (objects, rows, cells).

A full collection walks every tracked object: with 10,000 pods loaded that is ~a million, and a
pause of a second under churn. What a big view has just loaded lives as long as the view and dies
by reference counting, so it is frozen out of the collector's sight (``gc.freeze``), and young
collections are spaced out so churn's short-lived objects die before they are promoted.
"""

from __future__ import annotations

import gc

from k9py.sim.heap import THRESHOLDS

BIG_LOAD = 5_000  # rows: a load this big is worth freezing (each freeze keeps cyclic garbage of its time)


def settle(rows: int) -> bool:
    """After a view loaded ``rows`` rows: freeze the heap if the load was big; space collections
    out either way. True when the heap was frozen."""
    if gc.get_threshold()[0] < THRESHOLDS[0]:
        gc.set_threshold(*THRESHOLDS)
    if rows < BIG_LOAD:
        return False
    gc.freeze()
    return True
