"""A bounded buffer of log lines for the log view (UI-free).

k9s keeps the last 5,000 lines by default; the capacity is settable far beyond that: appends are
O(1) (a deque that drops the oldest line), the regex filter is applied once per line as it comes,
and nothing is ever rescanned except when the filter itself changes. Lines are stored whole
(saves and copies get them untouched); only what is *displayed* is truncated.
"""

from __future__ import annotations

import heapq
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

DEFAULT_CAPACITY = 5_000
MAX_DISPLAY = 1_000  # characters of one line shown; the rest is marked, kept for saves
ELLIPSIS = "…"

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


class LogBuffer:
    def __init__(self, capacity: int = DEFAULT_CAPACITY, *, max_display: int = MAX_DISPLAY) -> None:
        if capacity < 1:
            raise ValueError("the log buffer needs room for at least one line")
        self.capacity = capacity
        self.max_display = max_display
        self._lines: deque[LogLine] = deque()
        self._matches: deque[LogLine] = deque()  # the lines passing the filter, in order
        self.total = 0  # lines ever appended
        self.dropped = 0  # lines pushed out by the capacity
        self.pattern = ""
        self.filter_error = ""
        self._regex: re.Pattern[str] | None = None

    # -- content -----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._lines)

    def __iter__(self) -> Iterator[LogLine]:
        return iter(self._lines)

    @property
    def first_seq(self) -> int:
        return self._lines[0].seq if self._lines else self.total

    def append(self, text: str, *, ts: str = "", prefix: str = "") -> LogLine:
        line = LogLine(self.total, strip_escapes(text.rstrip("\r\n")), ts, strip_escapes(prefix))
        self.total += 1
        self._lines.append(line)
        if len(self._lines) > self.capacity:
            old = self._lines.popleft()
            self.dropped += 1
            if self._matches and self._matches[0] is old:
                self._matches.popleft()
        if self._regex is None or self._regex.search(line.full()):
            self._matches.append(line)
        return line

    def extend(self, lines: Iterable[str], *, prefix: str = "", timestamped: bool = False) -> None:
        for raw in lines:
            ts, text = split_timestamp(raw) if timestamped else ("", raw)
            self.append(text, ts=ts, prefix=prefix)

    def clear(self) -> None:
        """Empty, counts included (a new stream: another time window)."""
        self._lines.clear()
        self._matches.clear()
        self.total = self.dropped = 0

    def resize(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        while len(self._lines) > self.capacity:
            old = self._lines.popleft()
            self.dropped += 1
            if self._matches and self._matches[0] is old:
                self._matches.popleft()

    # -- filter ------------------------------------------------------------------------------
    def set_filter(self, pattern: str) -> str:
        """A case-insensitive regex (k9s); an invalid one is matched literally. Returns the
        regex error ("" if none)."""
        self.pattern = pattern
        self.filter_error = ""
        if not pattern:
            self._regex = None
            self._matches = deque(self._lines)
            return ""
        try:
            self._regex = re.compile(pattern, re.IGNORECASE)
        except re.error as err:
            self.filter_error = f"invalid regex {pattern!r}: {err}"
            self._regex = re.compile(re.escape(pattern), re.IGNORECASE)
        rx = self._regex
        self._matches = deque(line for line in self._lines if rx.search(line.full()))
        return self.filter_error

    @property
    def regex(self) -> re.Pattern[str] | None:
        return self._regex

    def visible(self) -> deque[LogLine]:
        """The lines passing the filter (all of them without one)."""
        return self._matches

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
        """All buffered lines, whole (saves, copies)."""
        src = self._matches if filtered else self._lines
        return "".join(line.full(timestamps) + "\n" for line in src)

    def status(self) -> str:
        return f"{len(self._lines)} buffered, {self.dropped} dropped"


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
