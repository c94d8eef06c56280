"""Bulk work without the cyclic garbage collector.

Decoding, loading or computing many small acyclic objects (JSON, rows, metrics) triggers
collections that each walk every object the process already holds; with 100k objects held that
is most of the time spent. Reference counting still frees everything: only cycle detection waits
until the block ends, and the collector is left as it was found.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
