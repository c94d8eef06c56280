"""Log lines spilled to disk: what a log view keeps beyond its in-memory ring (UI-free).

An anonymous temporary file (unlinked at once: gone when closed, or when the process dies) holds
the records one after another; an array of byte offsets finds any of them. Writes are buffered
and reads go through a small cache of decoded blocks, so painting a screenful of old lines or
reading them all in order (a filter, a save) costs one ``read`` per block, not one per line.

A record is ``"<len(ts)>,<len(prefix)>,<ts><prefix><text>"`` in UTF-8 (lone surrogates kept):
exact whatever the line holds.
"""

from __future__ import annotations

import tempfile
from array import array
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import IO

BLOCK = 256  # records decoded per read
FLUSH_BYTES = 1 << 16


class SpillFile:
    """Records numbered 0, 1, … in the order written: ``(ts, prefix, text)``."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._offsets = array("q", [0])  # record i spans _offsets[i]:_offsets[i + 1]
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._cache: tuple[int, list[tuple[str, str, str]]] | None = None  # (first index, records)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @property
    def size(self) -> int:
        """Bytes written (pending ones included)."""
        return self._offsets[-1]

    def write(self, records: Iterable[tuple[str, str, str]]) -> None:
        """Append records ``(ts, prefix, text)``."""
        datas = [f"{len(ts)},{len(prefix)},{ts}{prefix}{text}".encode("utf-8", "surrogatepass")
                 for ts, prefix, text in records]
        sizes = accumulate(map(len, datas), initial=self._offsets[-1])
        next(sizes)
        self._offsets.extend(sizes)
        self._pending.append(b"".join(datas))
        self._pending_bytes += sum(map(len, datas))
        if self._pending_bytes >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="k9py-logs-")  # noqa: SIM115 (lives as long as the view)
        self._file.seek(0, 2)
        self._file.write(b"".join(self._pending))
        self._pending = []
        self._pending_bytes = 0

    def read(self, index: int) -> tuple[str, str, str]:
        """Record ``index`` as (ts, prefix, text)."""
        cache = self._cache
        if cache is None or not cache[0] <= index < cache[0] + len(cache[1]):
            first = index - index % BLOCK
            cache = self._cache = (first, self._read_block(first, min(len(self), first + BLOCK)))
        return cache[1][index - cache[0]]

    def records(self, start: int = 0) -> Iterator[tuple[str, str, str]]:
        """Every record from ``start`` on, in order."""
        n = len(self)
        for first in range(start, n, BLOCK):
            yield from self._read_block(first, min(n, first + BLOCK))

    def _read_block(self, first: int, end: int) -> list[tuple[str, str, str]]:
        self.flush()
        offsets = self._offsets
        base = offsets[first]
        assert self._file is not None
        self._file.seek(base)
        data = self._file.read(offsets[end] - base)
        out = []
        for i in range(first, end):
            rec = data[offsets[i] - base:offsets[i + 1] - base].decode("utf-8", "surrogatepass")
            a = rec.index(",")
            b = rec.index(",", a + 1)
            n_ts, n_prefix = int(rec[:a]), int(rec[a + 1:b])
            body = b + 1
            out.append((rec[body:body + n_ts], rec[body + n_ts:body + n_ts + n_prefix], rec[body + n_ts + n_prefix:]))
        return out

    def clear(self) -> None:
        self._offsets = array("q", [0])
        self._pending = []
        self._pending_bytes = 0
        self._cache = None
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()

    def close(self) -> None:
        """Delete the file (it has no name: closing it is enough)."""
        self.clear()
        if self._file is not None:
            self._file.close()
            self._file = None
