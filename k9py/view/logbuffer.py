"""A bounded buffer of log lines for the log view (UI-free).

k9s keeps the last 5,000 lines by default; the capacity is settable far beyond that: appends are
O(1) (a list with a moving head, compacted now and then), the regex filter is applied once per
line as it comes, and nothing is ever rescanned except when the filter itself changes. With
``spill``, lines beyond the capacity go to a temporary file instead of being dropped. Lines are
stored whole (saves and copies get them untouched); only what is *displayed* is truncated.
"""

from __future__ import annotations

import heapq
import json
import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar, overload

from k9py.kube.regex import Re2
from k9py.view.filter import compile_regex
from k9py.view.logspill import SpillFile

DEFAULT_CAPACITY = 5_000
MAX_DISPLAY = 1_000  # characters of one line shown; the rest is marked, kept for saves
ELLIPSIS = "…"
BATCH = 1024  # lines beyond the capacity go (to disk, or gone) this many at a time

# CSI (ESC [ ... final), OSC (ESC ] ... BEL/ST), other two-byte escapes, C1 CSI, and the C0/C1
# control characters other than tab: a log line must never drive the terminal.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]"
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_escapes(text: str) -> str:
    """The text without terminal escape sequences or control characters; tabs become spaces."""
    if "\t" in text:
        text = text.expandtabs(4)
    return _ESCAPES.sub("", text)


@dataclass(slots=True)
class LogLine:
    seq: int  # position since the buffer was created (survives drops)
    text: str
    ts: str = ""  # RFC3339Nano as the API sends it with timestamps=true
    prefix: str = ""  # "pod container" for multi-container / workload logs (stern style)

    def full(self, timestamps: bool = False) -> str:
        if not self.prefix and not (timestamps and self.ts):
            return self.text
        parts = []
        if timestamps and self.ts:
            parts.append(self.ts)
        if self.prefix:
            parts.append(self.prefix)
        parts.append(self.text)
        return " ".join(parts)


def split_timestamp(line: str) -> tuple[str, str]:
    """``"2026-11-01T09:00:00.123456789Z text"`` → (timestamp, text); no timestamp → ("", line)."""
    head, sep, rest = line.partition(" ")
    if sep and len(head) >= 20 and head[4:5] == "-" and head[10:11] == "T":
        return head, rest
    return "", line


_STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")
NO_TIME = (-1, 0)


def timestamp_key(ts: str) -> tuple[int, int]:
    """An RFC3339(Nano) timestamp as exact (unix seconds, nanoseconds) for ordering. Go trims
    trailing zeros of the fraction ("…:05Z" < "…:05.1Z"), so the strings do not sort as text;
    a float would lose the nanoseconds. Unparseable → ``NO_TIME``."""
    m = _STAMP.match(ts)
    if m is None:
        return NO_TIME
    whole, frac, zone = m.groups()
    try:
        dt = datetime.fromisoformat(whole + ("+00:00" if zone == "Z" else zone))
    except ValueError:
        return NO_TIME
    return int(dt.astimezone(UTC).timestamp()), int((frac or "").ljust(9, "0"))


T = TypeVar("T")


def merge_by_time(batches: Sequence[Sequence[T]], ts_of: Callable[[T], str]) -> list[T]:
    """The lines of several streams' first batches in timestamp order (stern/kubectl show each
    stream on its own; merged, pods' lines interleave as they were written). Each batch keeps its
    own order; equal times keep the batches' order; a line without a timestamp stays right after
    the line before it in its batch."""
    keyed: list[list[tuple[tuple[int, int], int, int, T]]] = []
    for b, batch in enumerate(batches):
        last = NO_TIME
        rows = []
        for i, item in enumerate(batch):
            k = timestamp_key(ts_of(item))
            k = last if k == NO_TIME else max(k, last)  # never reorder inside one stream
            last = k
            rows.append((k, b, i, item))
        keyed.append(rows)
    return [row[3] for row in heapq.merge(*keyed, key=lambda r: (r[0], r[1], r[2]))]


# What one view may spill before it drops its oldest lines after all: ~5M lines or 512 MiB (the
# file's offsets take 8 bytes a line in memory).
MAX_SPILL_LINES = 5_000_000
MAX_SPILL_BYTES = 512 << 20


class LogBuffer:
    """The lines of one log view, numbered by ``seq`` (0, 1, … since the last ``clear``).

    ``capacity`` lines are held in memory. Older ones are dropped (k9s's ``buffer``), or with
    ``spill`` written to a temporary file (``SpillFile``) and still
    reachable: nothing is lost.
    The lines kept are always ``first_seq … total - 1``."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY, *, max_display: int = MAX_DISPLAY,
                 spill: bool = False) -> None:
        if capacity < 1:
            raise ValueError("the log buffer needs room for at least one line")
        self.capacity = capacity
        self.max_display = max_display
        self.spill = spill
        self.spill_limited = False  # the spill file reached MAX_SPILL_*: older lines are dropped now
        self._high = capacity + min(BATCH, capacity)  # memory lets lines go beyond this many
        self._mem: list[LogLine] = []  # the lines in memory are _mem[_head:] (compacted now and then)
        self._head = 0
        self._mem_first = 0  # seq of the first line in memory
        self._disk = SpillFile() if spill else None  # seqs 0 … _mem_first - 1 when spilling
        self._matches = array("q")  # seqs of the lines passing the filter: _matches[_mhead:]
        self._mhead = 0
        self.total = 0  # lines ever appended
        self.pattern = ""
        self.filter_error = ""
        self._regex: Re2 | None = None

    # -- content -----------------------------------------------------------------------------
    def __len__(self) -> int:
        """Lines kept (in memory, and on disk when spilling)."""
        return self.total - self.first_seq

    def __iter__(self) -> Iterator[LogLine]:
        if self._disk is not None:
            for seq, (ts, prefix, text) in enumerate(self._disk.records()):
                yield LogLine(seq, text, ts, prefix)
        yield from self._mem[self._head + max(self.first_seq - self._mem_first, 0):]

    @property
    def first_seq(self) -> int:
        """The oldest line kept. Without spill, the last ``capacity`` lines are kept, whatever
        memory still holds until the next batch is let go."""
        if self._disk is not None:
            return 0
        return max(self._mem_first, self.total - self.capacity)

    @property
    def dropped(self) -> int:
        """Lines pushed out by the capacity (never with ``spill``)."""
        return 0 if self._disk is not None else self.first_seq

    @property
    def in_memory(self) -> int:
        return len(self._mem) - self._head

    @property
    def spilled(self) -> int:
        """Lines on disk."""
        return self._mem_first if self._disk is not None else 0

    def line(self, seq: int) -> LogLine:
        """The kept line ``seq`` (from memory or from the spill file)."""
        if seq >= self._mem_first and seq >= self.first_seq:
            return self._mem[self._head + seq - self._mem_first]
        if self._disk is None or seq < 0:
            raise IndexError(seq)
        ts, prefix, text = self._disk.read(seq)
        return LogLine(seq, text, ts, prefix)

    def append(self, text: str, *, ts: str = "", prefix: str = "") -> LogLine:
        if not (text.isascii() and text.isprintable()):  # the common case needs no regex pass
            text = strip_escapes(text.rstrip("\r\n"))
        if prefix and not (prefix.isascii() and prefix.isprintable()):
            prefix = strip_escapes(prefix)
        line = LogLine(self.total, text, ts, prefix)
        self.total += 1
        mem = self._mem
        mem.append(line)
        if len(mem) - self._head > self._high:
            self._evict()
        if self._regex is not None and self._regex.matches(line.full()):
            self._matches.append(line.seq)
        return line

    def extend(self, lines: Iterable[str], *, prefix: str = "", timestamped: bool = False) -> None:
        for raw in lines:
            ts, text = split_timestamp(raw) if timestamped else ("", raw)
            self.append(text, ts=ts, prefix=prefix)

    def _evict(self) -> None:
        """Let the oldest lines beyond the capacity go from memory: to disk (spill) or gone."""
        mem, head = self._mem, self._head
        n = len(mem) - head - self.capacity
        if n <= 0:
            return
        if self._disk is not None:
            self._disk.write((line.ts, line.prefix, line.text) for line in mem[head:head + n])
            if len(self._disk) >= MAX_SPILL_LINES or self._disk.size >= MAX_SPILL_BYTES:
                self._spill_full()
        self._head = head = head + n
        self._mem_first += n
        if head >= 1024 and head * 2 >= len(mem):  # amortised O(1): a slice every ~capacity lines
            del mem[:head]
            self._head = 0
        if self._disk is None and self._regex is not None:
            m, first = self._matches, self.first_seq
            mh = self._mhead
            while mh < len(m) and m[mh] < first:
                mh += 1
            if mh >= 1024 and mh * 2 >= len(m):
                del m[:mh]
                mh = 0
            self._mhead = mh

    def _spill_full(self) -> None:
        """The spill file reached its bound: the disk never fills up. The view goes on as a
        bounded buffer: the lines on disk count as dropped, the last ``capacity`` are kept."""
        assert self._disk is not None
        self._disk.close()
        self._disk = None
        self.spill_limited = True

    def clear(self) -> None:
        """Empty, counts included (a new stream: another time window)."""
        self._mem = []
        self._head = self._mem_first = 0
        self._matches = array("q")
        self._mhead = 0
        self.total = 0
        if self._disk is not None:
            self._disk.clear()
        elif self.spill:  # a new stream may spill again
            self._disk = SpillFile()
            self.spill_limited = False

    def close(self) -> None:
        """Empty, and the spill file deleted."""
        self.clear()
        if self._disk is not None:
            self._disk.close()

    def resize(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self._high = self.capacity + min(BATCH, self.capacity)
        self._evict()

    # -- filter ------------------------------------------------------------------------------
    def set_filter(self, pattern: str) -> str:
        """A case-insensitive regex (k9s); an invalid one is matched literally. Returns the
        regex error ("" if none). Rescans every kept line (those on disk too)."""
        self.pattern = pattern
        self.filter_error = ""
        self._matches = array("q")
        self._mhead = 0
        if not pattern:
            self._regex = None
            return ""
        self._regex, error = compile_regex(pattern)  # an invalid one: matched as text
        if error:
            self.filter_error = error.replace("invalid regex:", f"invalid regex {pattern!r}:", 1)
        found = self._regex.matches
        self._matches = array("q", (line.seq for line in self if found(line.full())))
        return self.filter_error

    @property
    def regex(self) -> Re2 | None:
        return self._regex

    def visible(self) -> Visible:
        """The lines passing the filter (all of them without one)."""
        return Visible(self)

    def visible_count(self) -> int:
        if self._regex is None:
            return self.total - self.first_seq
        return len(self._matches) - self._mstart()

    def visible_seq(self, index: int) -> int:
        """The seq of the ``index``-th visible line."""
        if self._regex is None:
            return self.first_seq + index
        return self._matches[self._mstart() + index]

    def _mstart(self) -> int:
        """Where the matches of kept lines start."""
        if self._disk is not None:
            return 0
        return bisect_left(self._matches, self.first_seq, self._mhead)

    def visible_since(self, seq: int) -> Iterator[LogLine]:
        """The visible lines from ``seq`` on, in order."""
        if self._regex is None:
            start = max(seq, self.first_seq)
        else:
            m = self._matches
            i = bisect_left(m, max(seq, self.first_seq), self._mhead)
            if i >= len(m):
                return
            start = m[i]
        if start < self._mem_first and self._disk is not None:
            matches = None if self._regex is None else set(m[i:bisect_left(m, self._mem_first, i)])
            for s, (ts, prefix, text) in enumerate(self._disk.records(start), start):
                if matches is None or s in matches:
                    yield LogLine(s, text, ts, prefix)
            start = self._mem_first
        if self._regex is None:
            yield from self._mem[self._head + start - self._mem_first:]
        else:  # the matching seqs are known (searched once, on append): no second search
            mem, base = self._mem, self._head - self._mem_first
            for k in range(bisect_left(m, max(start, self._mem_first), self._mhead), len(m)):
                yield mem[base + m[k]]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the filter matches in ``text`` (for highlighting)."""
        if self._regex is None:
            return []
        return [m.span() for m in self._regex.finditer(text) if m.end() > m.start()]

    # -- display -----------------------------------------------------------------------------
    def display(self, line: LogLine, *, timestamps: bool = False, json_pretty: bool = False) -> list[str]:
        """The screen lines for one log line: optional timestamp and prefix, JSON pretty-printed
        if asked and it is JSON, each truncated to ``max_display`` characters."""
        head = []
        if timestamps and line.ts:
            head.append(line.ts)
        if line.prefix:
            head.append(line.prefix)
        lead = " ".join(head) + (" " if head else "")
        body = [line.text]
        if json_pretty:
            pretty = pretty_json(line.text)
            if pretty is not None:
                body = pretty
        out = [lead + body[0], *body[1:]]
        return [s if len(s) <= self.max_display else s[: self.max_display - 1] + ELLIPSIS for s in out]

    def text(self, *, timestamps: bool = False, filtered: bool = False) -> str:
        """All kept lines, whole (``filtered``: those passing the filter; the log view's saves and copies)."""
        src = self.visible() if filtered else self
        return "".join(line.full(timestamps) + "\n" for line in src)

    def status(self) -> str:
        if self._disk is not None and self.spilled:  # until then, what the bounded buffer says
            return f"{len(self)} lines, {self.spilled} on disk"
        return f"{len(self)} buffered, {self.dropped} dropped"


def position(index: int, n: int) -> int:
    """A sequence's ``index`` (negative from the end) as 0..n-1; IndexError past either end."""
    if index < 0:
        index += n
    if not 0 <= index < n:
        raise IndexError(index)
    return index


class Visible(Sequence[LogLine]):
    """A buffer's visible lines as a sequence (read as they are asked for, nothing copied)."""

    def __init__(self, buffer: LogBuffer) -> None:
        self._buffer = buffer

    def __len__(self) -> int:
        return self._buffer.visible_count()

    @overload
    def __getitem__(self, index: int) -> LogLine: ...
    @overload
    def __getitem__(self, index: slice) -> list[LogLine]: ...

    def __getitem__(self, index: int | slice) -> LogLine | list[LogLine]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self._buffer.line(self._buffer.visible_seq(position(index, len(self))))

    def __iter__(self) -> Iterator[LogLine]:
        return self._buffer.visible_since(0)


def pretty_json(text: str) -> list[str] | None:
    """An indented rendering of a JSON object/array line, or None if it is not one."""
    s = text.strip()
    if not s or s[0] not in "{[":
        return None
    try:
        value = json.loads(s)
    except ValueError:
        return None
    if not isinstance(value, (dict, list)):
        return None
    return json.dumps(value, indent=2, ensure_ascii=False).split("\n")
