"""The cyclic garbage collector and big, long-lived, acyclic heaps (API objects, rows, cells).

Decoding, loading or computing many small acyclic objects (JSON, rows, metrics) triggers
collections that each walk every object the process already holds; with 100k objects held that
is most of the time spent. Reference counting frees them all the same: only cycle detection
needs the collector.

- ``gc_paused``: bulk work with the collector off; it is left as it was found.
- ``tune``: CPython's thresholds (700, 10, 10) are for small heaps: a simulated cluster of 10,000
  pods spent a quarter of its build in the collector. Spaced out, a tenth of that.
- ``loaded``: after a big load (a view's 10,000 rows, a replay's end state) the new objects are
  frozen out of the collector's sight (``gc.freeze``), so a full collection never walks them
  again under churn (a pause of a second at 10,000 pods). Each freeze keeps whatever cyclic
  garbage exists at that moment, hence only after big loads.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (20_000, 20, 100)
BIG_LOAD = 5_000  # objects (rows) loaded at once that are worth a freeze


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def tune() -> None:
    """Space collections out (never brings them closer than someone else set them)."""
    if gc.get_threshold()[0] < THRESHOLDS[0]:
        gc.set_threshold(*THRESHOLDS)


def loaded(count: int) -> bool:
    """After ``count`` long-lived objects were loaded at once: freeze the heap if that is many
    (and space collections out either way). True when it froze."""
    tune()
    if count < BIG_LOAD:
        return False
    gc.freeze()
    return True
