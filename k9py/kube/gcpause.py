"""The cyclic garbage collector and big, long-lived, acyclic heaps (API objects, rows, cells).

Decoding, loading or computing many small acyclic objects (JSON, rows, metrics) triggers
collections that each walk every object the process already holds; with 100k objects held that
is most of the time spent. Reference counting frees them all the same: only cycle detection
needs the collector.

- ``gc_paused``: bulk work with the collector off. Threads may overlap their pauses (a
  simulated cluster builds in a worker while the event loop loads rows): the collector comes
  back when the last one ends, as it was before the first.
- ``tune``: CPython's thresholds (700, 10, 10) are for small heaps: a simulated cluster of 10,000
  pods spent a quarter of its build in the collector. Spaced out, a tenth of that. A young
  collection every 100,000 new objects, not 20,000: at 100,000 pods (a 2 GB heap) the 40 s start
  of a build spent 4.8 s in the collector, 200 young collections of 17 ms and 9 middle ones of
  160 ms; now 2.5 s, pauses of ~40 ms (a headless simulator: ``k9py serve``, the scenario tools;
  at 10,000 pods the same 0.27 s either way). The app keeps its own (``interactive``).
- ``interactive``: the app's thresholds: the same work in shorter pauses. A middle-generation
  collection walks what survived the young collections since the last one, which under churn
  is nearly all of it (new API objects): 20 of them made pauses of 200-450 ms at 10,000 pods
  with 1,000 changes a second, 4 of them 85-96 ms (the collector's share of the time the same).
- ``bulk_loaded``: in the app, a big load made with the collector paused (a view's 200,000
  events) is frozen before the collector comes back: else its next young collection walks every
  object just made (0.12-0.15 s of a 0.45 s load).
- ``loaded``: after a big load (a view's 10,000 rows, a replay's end state, a built cluster) the
  heap is frozen out of the collector's sight (``gc.freeze``), so a full collection never walks
  those objects again under churn (a pause of a second at 10,000 pods). Each freeze keeps
  whatever cyclic garbage exists at that moment, hence only after big loads.
- From the first big load on, a full collection that took longer than ``SLOW_FULL`` freezes what
  it left: it found every cycle there was, so all that is left is live. A simulated cluster
  replaces its objects as it runs (10,000 pods: hundreds of thousands of new objects a minute),
  and without this its full collections grew back to a second within minutes.
- ``leaving``: the process exits: the interpreter's last collection would walk every object not
  frozen (a cluster being built in a worker, or one just ``dropped``: seconds after `:q`).
- ``dropped``: a big frozen structure with cycles of its own (a simulated cluster: its
  controllers and its store refer to each other) is let go: everything is unfrozen so the
  collector can free it, and what survives the next full collection is frozen again.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (100_000, 20, 100)
INTERACTIVE = (20_000, 4, 100)
BIG_LOAD = 5_000  # objects (rows, pods) loaded at once that are worth a freeze
SLOW_FULL = 0.05  # seconds: a full collection longer than this freezes what it leaves

_lock = threading.Lock()
_pauses = 0  # gc_paused blocks under way, in any thread
_enabled_before = False  # the collector's state when the first of them began
_refreeze = False  # freeze what the next full collection leaves, however quick (``dropped``)
_full_began: float | None = None
_interactive = False  # ``interactive`` was called: ``bulk_loaded`` freezes, ``tune`` leaves its thresholds


@contextmanager
def gc_paused() -> Iterator[None]:
    global _pauses, _enabled_before
    with _lock:
        if _pauses == 0:
            _enabled_before = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _enabled_before:
                gc.enable()


def tune() -> None:
    """Space collections out (never brings them closer than someone else set them; in the app,
    ``interactive``'s stay)."""
    if not _interactive and gc.get_threshold()[0] < THRESHOLDS[0]:
        gc.set_threshold(*THRESHOLDS)


def interactive() -> None:
    """Pauses a person does not notice, for the app (``tune`` keeps them); big loads frozen as
    they end (``bulk_loaded``)."""
    global _interactive
    gc.set_threshold(*INTERACTIVE)
    _interactive = True


def bulk_loaded(count: int) -> bool:
    """Inside ``gc_paused``, after ``count`` long-lived objects were made: in the app
    (``interactive``), ``loaded`` now, while the collector is still off. True when it froze."""
    return _interactive and loaded(count)


def loaded(count: int) -> bool:
    """After ``count`` long-lived objects were loaded at once: freeze the heap if that is many
    (and space collections out either way). True when it froze."""
    tune()
    if count < BIG_LOAD:
        return False
    gc.freeze()
    _watch_full_collections()
    return True


def dropped(count: int) -> bool:
    """A structure of ``count`` objects that ``loaded`` froze is let go (nothing done when
    ``loaded`` would not have frozen it). True when it unfroze."""
    global _refreeze
    if count < BIG_LOAD:
        return False
    gc.unfreeze()
    _refreeze = True
    _watch_full_collections()
    return True


def leaving() -> None:
    """The process is about to exit: its heap goes back to the OS at once, not through a last
    collection over every object (frozen objects are out of its sight)."""
    gc.disable()
    gc.freeze()


def _watch_full_collections() -> None:
    if _after_full not in gc.callbacks:
        gc.callbacks.append(_after_full)


def _after_full(phase: str, info: dict[str, int]) -> None:
    """A full collection ended: what it left is live; frozen when it took long (or after a
    ``dropped``)."""
    global _refreeze, _full_began
    if info["generation"] != 2:
        return
    if phase == "start":
        _full_began = time.perf_counter()
        return
    took = time.perf_counter() - _full_began if _full_began is not None else 0.0
    _full_began = None
    if _refreeze or took > SLOW_FULL:
        _refreeze = False
        gc.freeze()
