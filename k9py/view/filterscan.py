"""A text filter applied lazily, in display order: a row model's first `/` keystroke over many
rows answers with the rows the screen shows and tests the rest in later slices (a row's filter
text is its rendered cells, which cost 15-23 µs each the first time).

The scan walks a snapshot of the sorted rows from the display's first row on (the start of the
order when ascending, its end when descending). ``frontier`` is the sort key of the last row
tested: the rows on the scanned side of it are filtered, the others are not yet. Rows that change
or go while it runs are ``touched`` (``touch``): the snapshot no longer says where they are, so
the model places them itself (at once on the scanned side, else in ``extra`` until the frontier
passes them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar


class _Sorted(Protocol):
    skey: tuple[Any, ...]


R = TypeVar("R", bound=_Sorted)
STEP = 32  # rows a step tests between looks at the clock: 1-2 ms when none has its text yet (a slice
# overruns by up to a step, and a key waits for the slice under way: 128 rows overran 5 ms slices to 9)


class FilterScan(Generic[R]):
    __slots__ = ("asc", "extra", "frontier", "order", "pos", "select", "touched")

    def __init__(self, order: Sequence[R], asc: bool, select: Callable[[Sequence[R]], list[R]]) -> None:
        self.order = order  # every row to test, ascending by sort key (a snapshot)
        self.asc = asc
        self.select = select  # the rows of a run that pass the filter, in their order
        self.pos = 0 if asc else len(order)  # ascending: the next index; descending: one past it
        self.frontier: tuple[Any, ...] | None = None  # sort key of the last row tested
        self.touched: dict[R, tuple[Any, ...]] = {}  # rows changed or gone since the snapshot → their key in it
        self.extra: set[R] = set()  # touched rows still here that the frontier has not reached

    @property
    def done(self) -> bool:
        return self.pos >= len(self.order) if self.asc else self.pos <= 0

    def touch(self, row: R, skey: tuple[Any, ...]) -> None:
        """``row`` changed or went: ``skey`` is its sort key before (in the snapshot, if it is there)."""
        self.touched.setdefault(row, skey)

    def scanned(self, skey: tuple[Any, ...]) -> bool:
        """Whether a row sorting at ``skey`` lies on the filtered side of the frontier."""
        f = self.frontier
        if f is None:
            return False
        return skey <= f if self.asc else skey >= f

    def step(self, limit: int | None = None) -> list[R]:
        """Test the next ``limit`` (else ``STEP``) rows of the snapshot; the ones that pass, ascending."""
        n = limit if limit is not None else STEP
        order, touched = self.order, self.touched
        if self.asc:
            lo, hi = self.pos, min(len(order), self.pos + n)
            self.pos, edge = hi, hi - 1
        else:
            lo, hi = max(0, self.pos - n), self.pos
            self.pos, edge = lo, lo
        if lo >= hi:
            return []
        last = order[edge]
        self.frontier = touched.get(last, last.skey) if touched else last.skey
        run = order[lo:hi]
        if touched:
            run = [r for r in run if r not in touched]
        return self.select(run)
