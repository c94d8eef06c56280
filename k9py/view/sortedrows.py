"""Rows kept in sort order, in blocks: inserting or removing one costs O(log n + block) instead
of moving every row after it.

A table of 200,000 events sorted newest first takes each new event at its top: with one Python
list per order, each insert moved every row (three lists of 200k pointers, 0.1-0.5 ms an event),
and 400 events a second kept the event loop busy most of the time. Here rows live in blocks of at
most ``2 * LOAD``; a position is found through the blocks' running offsets, worked out again
only after a change and only when a position is asked for.

Rows are ordered by their ``skey`` (unique within a table); a row is found again by its skey and
then by its ``key``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain
from typing import Any, Protocol, TypeVar, overload


class _Row(Protocol):
    key: Any
    skey: tuple[Any, ...]


R = TypeVar("R", bound=_Row)
LOAD = 1000  # rows a block holds after a split; blocks split past twice that


def _skey(row: _Row) -> tuple[Any, ...]:
    return row.skey


def _chunks(rows: list[R]) -> list[list[R]]:
    """``rows`` in blocks of ``LOAD``."""
    return [rows[i:i + LOAD] for i in range(0, len(rows), LOAD)]


class SortedRows(Sequence[R]):
    """A sequence of rows ascending by ``skey``: len, index, slices and iteration as a list,
    ``insert`` / ``remove`` / ``position`` by sort key, ``extend`` / ``prepend`` at either end."""

    __slots__ = ("_blocks", "_len", "_maxes", "_offsets")

    def __init__(self, rows: Iterable[R] = ()) -> None:
        """``rows`` must already be ascending by ``skey``."""
        items = rows if isinstance(rows, list) else list(rows)
        self._blocks: list[list[R]] = _chunks(items)
        self._maxes: list[tuple[Any, ...]] = [b[-1].skey for b in self._blocks]
        self._len = len(items)
        self._offsets: list[int] | None = None  # where each block starts (None: not worked out since a change)

    def copy(self) -> SortedRows[R]:
        out: SortedRows[R] = SortedRows()
        out._blocks = [list(b) for b in self._blocks]
        out._maxes = list(self._maxes)
        out._len = self._len
        return out

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[R]:
        return chain.from_iterable(self._blocks)

    def __reversed__(self) -> Iterator[R]:
        return chain.from_iterable(reversed(b) for b in reversed(self._blocks))

    def _starts(self) -> list[int]:
        if self._offsets is None:
            self._offsets = list(accumulate(map(len, self._blocks[:-1]), initial=0)) if self._blocks else []
        return self._offsets

    @overload
    def __getitem__(self, index: int) -> R: ...

    @overload
    def __getitem__(self, index: slice) -> list[R]: ...

    def __getitem__(self, index: int | slice) -> R | list[R]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._len)
            if step != 1:
                return list(self)[index]
            return self._run(start, stop)
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("SortedRows index out of range")
        starts = self._starts()
        b = bisect.bisect_right(starts, index) - 1
        return self._blocks[b][index - starts[b]]

    def _run(self, start: int, stop: int) -> list[R]:
        """The rows from ``start`` up to ``stop`` (0 <= start, stop <= len)."""
        if start >= stop:
            return []
        starts = self._starts()
        b = bisect.bisect_right(starts, start) - 1
        out: list[R] = []
        at = start
        while at < stop:
            block, first = self._blocks[b], starts[b]
            out += block[at - first:stop - first]
            at = first + len(block)
            b += 1
        return out

    def _find(self, row: R) -> tuple[int, int] | None:
        """(block, position in it) of ``row`` (by its skey, then its key), or None."""
        skey = row.skey
        b = bisect.bisect_left(self._maxes, skey)
        if b == len(self._maxes):
            return None
        block = self._blocks[b]
        i = bisect.bisect_left(block, skey, key=_skey)
        if i < len(block) and block[i].key == row.key:
            return b, i
        return None

    def position(self, row: R) -> int | None:
        """The position of ``row``, or None when it is not here."""
        found = self._find(row)
        if found is None:
            return None
        b, i = found
        return self._starts()[b] + i

    def insert(self, row: R) -> None:
        """Put ``row`` where its skey sorts."""
        self._offsets = None
        self._len += 1
        maxes, blocks = self._maxes, self._blocks
        if not blocks:
            blocks.append([row])
            maxes.append(row.skey)
            return
        skey = row.skey
        b = bisect.bisect_left(maxes, skey)
        if b == len(maxes):  # past every row: the last block's end
            b -= 1
            blocks[b].append(row)
            maxes[b] = skey
        else:
            bisect.insort(blocks[b], row, key=_skey)
        block = blocks[b]
        if len(block) > 2 * LOAD:
            blocks[b:b + 1] = [block[:LOAD], block[LOAD:]]
            maxes[b:b + 1] = [block[LOAD - 1].skey, block[-1].skey]

    def remove(self, row: R) -> bool:
        """Take ``row`` out (found by its skey and key); False when it is not here."""
        found = self._find(row)
        if found is None:
            return False
        b, i = found
        self._offsets = None
        self._len -= 1
        blocks, maxes = self._blocks, self._maxes
        block = blocks[b]
        del block[i]
        if not block:
            del blocks[b]
            del maxes[b]
        elif len(block) < LOAD // 8 and len(blocks) > 1:  # a block left small joins a neighbour
            first = b - 1 if b > 0 else b
            joined = blocks[first] + blocks[first + 1]
            if len(joined) > 2 * LOAD:
                blocks[first:first + 2] = [joined[:LOAD], joined[LOAD:]]
                maxes[first:first + 2] = [joined[LOAD - 1].skey, joined[-1].skey]
            else:
                blocks[first:first + 2] = [joined]
                maxes[first:first + 2] = [joined[-1].skey]
        elif i == len(block):
            maxes[b] = block[-1].skey
        return True

    def extend(self, rows: list[R]) -> None:
        """Add ``rows`` (ascending) after every row here: all sort after the last one."""
        if not rows:
            return
        self._offsets = None
        self._len += len(rows)
        blocks = self._blocks
        if blocks and len(blocks[-1]) + len(rows) <= 2 * LOAD:  # (a lazy filter adds a few at a time)
            blocks[-1] += rows
            self._maxes[-1] = rows[-1].skey
            return
        parts = _chunks(rows)
        blocks += parts
        self._maxes += [p[-1].skey for p in parts]

    def prepend(self, rows: list[R]) -> None:
        """Add ``rows`` (ascending) before every row here: all sort before the first one."""
        if not rows:
            return
        self._offsets = None
        self._len += len(rows)
        blocks = self._blocks
        if blocks and len(blocks[0]) + len(rows) <= 2 * LOAD:
            blocks[0][:0] = rows
            return
        parts = _chunks(rows)
        blocks[:0] = parts
        self._maxes[:0] = [p[-1].skey for p in parts]
