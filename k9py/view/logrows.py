"""The screen rows of a log view over its ``LogBuffer`` (UI-free).

A row is ``(line, screen text, part)``; ``part`` is the index of the line's display part
(JSON pretty-printing makes several), -1 for a wrapped continuation. Rows are made when they are
asked for (painting asks for the ones on screen), never kept as text:

- one row per visible line (no wrap, no JSON): row ``i`` is the ``i``-th visible line, nothing
  is stored per line at all;
- several (wrap, JSON): two arrays map each row to its line's seq and the row's place among the
  line's rows, extended by ``update`` with the lines that came since (once a frame, not per line).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import overload

from k9py.view.logbuffer import LogBuffer, LogLine, position

Row = tuple[LogLine, str, int]
Expand = Callable[[LogLine], list[Row]]


class LogRows(Sequence[Row]):
    def __init__(self, buffer: LogBuffer, expand: Expand, *, one_per_line: bool) -> None:
        """``expand(line)``: the line's rows. ``one_per_line``: it always gives exactly one."""
        self.buffer = buffer
        self.expand = expand
        self.one_per_line = one_per_line
        self._seq = array("q")  # several rows per line: row i (from _head) is part _k[i] of line _seq[i]
        self._k = array("l")
        self._head = 0
        self._next = 0  # the first seq not indexed yet
        self._cache: tuple[int, list[Row]] = (-1, [])
        self.update()

    def update(self) -> None:
        """Index the lines that came (and forget the ones dropped) since the last update."""
        if self.one_per_line:
            return
        buf = self.buffer
        seqs, ks = self._seq, self._k
        first = buf.first_seq
        h = self._head
        while h < len(seqs) and seqs[h] < first:
            h += 1
        if h >= 1024 and h * 2 >= len(seqs):
            del seqs[:h]
            del ks[:h]
            h = 0
        self._head = h
        for line in buf.visible_since(self._next):
            n = len(self.expand(line))
            seqs.extend([line.seq] * n)
            ks.extend(range(n))
        self._next = buf.total

    def __len__(self) -> int:
        if self.one_per_line:
            return self.buffer.visible_count()
        return len(self._seq) - self._head

    def clear(self) -> None:
        """After the buffer was cleared."""
        self._seq = array("q")
        self._k = array("l")
        self._head = self._next = 0
        self._cache = (-1, [])

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = position(index, len(self))
        if self.one_per_line:
            seq, k = self.buffer.visible_seq(index), 0
        else:
            seq, k = self._seq[self._head + index], self._k[self._head + index]
        if self._cache[0] != seq:
            self._cache = (seq, self.expand(self.buffer.line(seq)))
        return self._cache[1][k]

    def __iter__(self) -> Iterator[Row]:
        for i in range(len(self)):
            yield self[i]
