"""The text machinery under ``kubectl describe``: Go's ``text/tabwriter`` and kubectl's PrefixWriter.

kubectl writes every describer through ``tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)``: cells end
with a tab, a column's width is its widest cell + 2 within a *block* of consecutive lines that
have that column, and the last cell of a line is never padded. ``Writer.flush`` mirrors the
``w.Flush()`` kubectl calls before the Events table (alignment restarts there).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from k9py.kube import timefmt

LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, LEVEL_4 = range(5)
PADDING = 2


def tabwrite(text: str, padding: int = PADDING) -> str:
    """Align ``text`` exactly as Go's tabwriter (minwidth 0, padding 2, pad char ' ', no flags)."""
    lines = [line.split("\t") for line in text.split("\n")]
    out: list[str] = []
    _format(lines, [], 0, len(lines), out, padding)
    return "\n".join(out)


def _format(lines: list[list[str]], widths: list[int], line0: int, line1: int, out: list[str],
            padding: int) -> None:
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write_lines(lines, widths, line0, this, out)
        line0 = this
        width = 0
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        widths.append(width)
        _format(lines, widths, line0, this, out, padding)
        widths.pop()
        line0 = this
    _write_lines(lines, widths, line0, line1, out)


def _write_lines(lines: list[list[str]], widths: list[int], line0: int, line1: int, out: list[str]) -> None:
    for i in range(line0, line1):
        parts = []
        for j, cell in enumerate(lines[i]):
            parts.append(cell + " " * (widths[j] - len(cell)) if j < len(widths) else cell)
        out.append("".join(parts))


class Writer:
    """kubectl's PrefixWriter over a tabwriter: ``write(level, text)`` indents by 2 spaces a level."""

    def __init__(self) -> None:
        self._done: list[str] = []
        self._buf: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._buf.append("  " * level + text)

    def line(self, text: str = "") -> None:
        """``WriteLine``: the text and a newline, no indentation."""
        self._buf.append(text + "\n")

    def flush(self) -> None:
        if self._buf:
            self._done.append(tabwrite(_escape("".join(self._buf))))
            self._buf = []

    def text(self) -> str:
        self.flush()
        return "".join(self._done)


def _escape(s: str) -> str:
    """``printers.WriteEscaped``: terminal control characters are shown, not obeyed."""
    if "\x1b" not in s and "\r" not in s:
        return s
    return s.replace("\x1b", "^[").replace("\r", "\\r")


# -- value formatting ---------------------------------------------------------------------------

ZERO_RFC1123Z = "Mon, 01 Jan 0001 00:00:00 +0000"


def rfc1123z(ts: Any) -> str:
    """``Time.Format(time.RFC1123Z)`` in UTC (kubectl uses its local zone: run it with TZ=UTC to compare)."""
    t = parse_time(ts)
    if t is None:
        return ZERO_RFC1123Z
    return datetime.fromtimestamp(int(t // 1), tz=UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def parse_time(ts: Any) -> float | None:
    if ts is None or ts == "":
        return None
    if isinstance(ts, (int, float)):
        return float(ts)
    try:
        return timefmt.parse_time(str(ts))
    except ValueError:
        return None


def since(ts: Any, now: float) -> str:
    """``translateTimestampSince``: HumanDuration(now - ts), ``<unknown>`` when unset."""
    t = parse_time(ts)
    if t is None:
        return "<unknown>"
    return timefmt.human_duration(now - t)


def go_bool(v: Any) -> str:
    """``%v`` of a Go bool."""
    return "true" if v else "false"


def print_bool(v: Any) -> str:
    return "True" if v else "False"


def print_bool_ptr(v: Any) -> str:
    return "<unset>" if v is None else print_bool(v)


def go_list(items: list[Any] | None) -> str:
    """``%v`` of a Go slice of strings: ``[a b]``."""
    return "[" + " ".join(str(i) for i in (items or [])) + "]"
